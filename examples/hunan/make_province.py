"""Write the province's own non-energy workbook ``data/430000_农业_2011-2022.xlsx`` from PUBLISHED statistics.

    python examples/hunan/make_province.py

Inputs (all in ``source/``, provenance in ``source/PROVENANCE.md``):
- ``hunan_livestock_nbs_2011_2017.csv``: Hunan's year-end stock (年末存栏) and number slaughtered (出栏) by animal,
  2011-2017, 万头 (poultry 万只), from 中国统计年鉴 (农业-牲畜饲养情况) and 国家数据 (畜产品出栏量) as transcribed in
  the public repository meatatlas/datamap2019;
- ``hunan_livestock_news_2020.csv``: the 2020 pig numbers of 国家统计局湖南调查总队 (news reprint), and the 2019
  year-end pig stock computed from them (3734.6 万头 ÷ 1.384, the 2020 stock and its growth on 2019);
- ``hunan_crops_fertiliser_nbs_2016_2022.csv``: Hunan's rice area by season (早稻、中稻和一季晚稻、双季晚稻,
  千公顷) and nitrogen fertiliser applied (农用氮肥施用折纯量, 万吨 N), 2016-2022, NBS 分省年度数据 as exported to
  the public repository Rain-118/China-s-agricultural-green-transformation-monitoring-screen.

Sheet 畜禽养殖 (3.A.1 enteric, 3.A.2 manure): population N of IPCC 2006 Vol.4 Eq. 10.19/10.22 is the year-end stock
of the statistics. IPCC's average annual population for animals alive less than a year (Vol.4 Eq. 10.1, AAP = days
alive × animals produced / 365) needs a days-alive value; none was found in a citable source, so the slaughter
numbers are kept in the source file (for that conversion once it can be cited) and not used. Cattle are 牛 of the
statistics (dairy, yellow and buffalo together; the yearbook table used here does not split them) and enter as
非奶牛. Poultry has no stock figure in the source (only birds slaughtered), so 3.A poultry is not estimated.

Sheet 种植业: 3.C.7 rice CH4 per season, area harvested = the season's sown area of the statistics (IPCC 2006 Vol.4
Eq. 5.1 sums over seasons; 中稻和一季晚稻 is single rice, 双季晚稻 late rice); 3.C.4 synthetic N fertiliser F_SN =
农用氮肥施用折纯量 (t N; Eq. 11.1, its 3.C.5 indirect N2O from the same row). The N in compound fertiliser
(复合肥, reported as one 折纯 total of N + P2O5 + K2O) is not counted: no citable N share of it was found.

Every other non-energy category of the province (years 2011-2015 of rice and fertiliser, livestock of 2018, 2021,
2022 and cattle and goats of 2019 and 2020, residue burning, industrial products, waste, forest) has no statistic in
``source/``: a notation key in inventory.toml or an NE row of sheet 注释符号, with its reason. Deterministic: the same
script gives byte-identical workbooks (``make_example.save``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_example import save  # noqa: E402  (same folder; one deterministic writer for the example)

SOURCE = HERE / "source"
OUT = HERE / "data" / "430000_农业_2011-2022.xlsx"
HEADER = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]
# animal of the source file -> activity name of the workbook (data/activities.csv), note
ANIMALS = {"swine": ("猪", "N = 年末存栏（未按 IPCC 2006 第4卷式10.1 折算年平均饲养量：饲养天数无可引用来源）"),
           "cattle": ("非奶牛", "统计的“牛”（含奶牛、黄牛、水牛，所引年鉴表未分）按非奶牛计；N = 年末存栏"),
           "goats": ("山羊", "N = 年末存栏"),
           "sheep": ("绵羊", "N = 年末存栏")}
CATEGORIES = ("3.A.1", "3.A.2")
# indicator of the crops file -> category, activity name of the workbook (data/activities.csv), note
CROPS = {"rice_early_area": ("3.C.7", "早稻", "播种面积 = 收获面积（IPCC 2006 第4卷式5.1 按季分列）"),
         "rice_single_area": ("3.C.7", "单季稻", "统计的“中稻和一季晚稻”按单季稻计；播种面积 = 收获面积"),
         "rice_late_area": ("3.C.7", "晚稻", "统计的“双季晚稻”；播种面积 = 收获面积"),
         "n_fertiliser": ("3.C.4", "氮肥", "折纯氮 F_SN（IPCC 2006 第4卷式11.1；间接排放计入 3.C.5）；"
                                            "复合肥中的氮未计入：复合肥折纯量不分氮磷钾，无可引用的含氮比例")}
YEARS = range(2011, 2023)  # the example's years (inventory.toml)
# category -> reason of the NE row in a year of YEARS without the category's statistic in source/
MISSING = {"3.A.1": "该年无可引用的湖南牲畜年末存栏统计（source/ 只有 2011—2017 年年鉴数和 2019、2020 年生猪数）",
           "3.A.2": "该年无可引用的湖南牲畜年末存栏统计（source/ 只有 2011—2017 年年鉴数和 2019、2020 年生猪数）",
           "3.C.7": "该年无可引用的湖南分季水稻播种面积（所引国家统计局分省年度数据导出只含 2016 年起的年份）",
           "3.C.4": "该年无可引用的湖南农用氮肥施用折纯量（所引国家统计局分省年度数据导出只含 2016 年起的年份）",
           "3.C.5": "该年无可引用的湖南农用氮肥施用折纯量（所引国家统计局分省年度数据导出只含 2016 年起的年份）"}


def cited(table: pd.DataFrame, column: str) -> pd.Series:
    """Source text of each row: the table, then where it was transcribed (repository, path, commit, column/row)."""
    return (table["source"] + "；转录于 " + table["repository"] + " " + table["path"] + " @" + table["commit"].str[:7]
            + "，" + column + " “" + table[column] + "”")


def stock() -> pd.DataFrame:
    """Year-end stock rows (region, year, animal, value 万头, source text) of every livestock source file."""
    nbs = pd.read_csv(SOURCE / "hunan_livestock_nbs_2011_2017.csv", dtype={"region": str})
    nbs["source"] = cited(nbs.rename(columns={"source_column": "列"}), "列")
    news = pd.read_csv(SOURCE / "hunan_livestock_news_2020.csv", dtype={"region": str})
    both = pd.concat([nbs, news], ignore_index=True)
    both = both[(both["indicator"] == "year_end_stock") & both["animal"].isin(list(ANIMALS))]
    return both.sort_values(["year", "animal"], kind="stable")


def crops() -> pd.DataFrame:
    """Rice area by season (千公顷) and N fertiliser (万吨 N) rows of the crops file, with their source text."""
    t = pd.read_csv(SOURCE / "hunan_crops_fertiliser_nbs_2016_2022.csv", dtype={"region": str})
    t = t[t["indicator"].isin(list(CROPS))].copy()
    t["source"] = cited(t.rename(columns={"source_row": "行"}), "行")
    return t.sort_values(["year", "indicator"], kind="stable")


def rows(table: pd.DataFrame) -> list[list]:
    """Livestock workbook rows: one per year, animal and category (3.A.1 enteric, 3.A.2 manure), v1 column order."""
    out = []
    for rec in table.to_dict("records"):
        name, note = ANIMALS[rec["animal"]]
        for cat in CATEGORIES:
            out.append([rec["region"], int(rec["year"]), cat, name, None, float(rec["value"]), rec["unit"], None,
                        rec["source"], note])
    return out


def crop_rows(table: pd.DataFrame) -> list[list]:
    """Crop workbook rows: one per year and indicator (rice per season in 3.C.7, N fertiliser in 3.C.4)."""
    out = []
    for rec in table.to_dict("records"):
        cat, name, note = CROPS[rec["indicator"]]
        out.append([rec["region"], int(rec["year"]), cat, name, None, float(rec["value"]), rec["unit"], None,
                    rec["source"], note])
    return out


def notation_rows(livestock: pd.DataFrame, crop: pd.DataFrame) -> list[list]:
    """NE rows (value cell NE, DESIGN 3.3) of the province for each category and year of YEARS without its
    statistic, the reason in 备注."""
    have = {"3.A.1": set(livestock["year"]), "3.A.2": set(livestock["year"]),
            "3.C.7": set(crop.loc[crop["indicator"].str.startswith("rice_"), "year"]),
            "3.C.4": set(crop.loc[crop["indicator"] == "n_fertiliser", "year"])}
    have["3.C.5"] = have["3.C.4"]
    return [["430000", year, cat, None, None, "NE", None, None, "source/ 中无该年统计（见 source/PROVENANCE.md）",
             MISSING[cat]] for year in YEARS for cat in MISSING if year not in have[cat]]


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "畜禽养殖"
    livestock, crop = stock(), crops()
    ws.append(HEADER)
    for row in rows(livestock):
        ws.append(row)
    for title, body in (("种植业", crop_rows(crop)), ("注释符号", notation_rows(livestock, crop))):
        ws = wb.create_sheet(title)
        ws.append(HEADER)
        for row in body:
            ws.append(row)
    save(wb, OUT)


if __name__ == "__main__":
    main()
