"""Write the province's own non-energy workbooks ``data/430000_农业_2011-2022.xlsx`` and
``data/430000_工业生产过程_2011-2022.xlsx`` from PUBLISHED statistics.

    python examples/hunan/make_province.py

Inputs (all in ``source/``, provenance in ``source/PROVENANCE.md``):
- ``hunan_livestock_nbs_2011_2017.csv``: Hunan's year-end stock (年末存栏) and number slaughtered (出栏) by animal,
  2011-2017, 万头 (poultry 万只), from 中国统计年鉴 (农业-牲畜饲养情况) and 国家数据 (畜产品出栏量) as transcribed in
  the public repository meatatlas/datamap2019;
- ``hunan_livestock_news_2020.csv``: the 2020 pig numbers of 国家统计局湖南调查总队 (news reprint), and the 2019
  year-end pig stock computed from them (3734.6 万头 ÷ 1.384, the 2020 stock and its growth on 2019);
- ``hunan_crops_fertiliser_nbs_2016_2022.csv``: Hunan's rice area by season (早稻、中稻和一季晚稻、双季晚稻,
  千公顷) and nitrogen fertiliser applied (农用氮肥施用折纯量, 万吨 N), 2016-2022, NBS 分省年度数据 as exported to
  the public repository Rain-118/China-s-agricultural-green-transformation-monitoring-screen;
- ``hunan_building_materials_2011_2019.csv``: Hunan's cement (万吨) and flat-glass (万重量箱) output, 2011-2019, as
  carried by a provincial panel in the public repository yaoyaoustc/carbondata (no source named there; its cement
  column equals CEADs' process CO2 ÷ 0.2906 t/t to the digit in 7 of 9 years, PROVENANCE.md).

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

Workbook 430000_工业生产过程 (sheet 工业生产过程): 2.A.3 flat glass CO2 (IPCC 2006 Vol.3 Eq. 2.10), M_g = 平板玻璃产量
converted from 万重量箱 to 万吨 at 50 kg per 重量箱 (WEIGHT_CASE_T); no technology is given (the statistic does not
split float from other glass), so the T/CSES float-glass air-pollutant factors do not apply and are listed as not
estimated. Cement output is kept in ``source/`` but not used: 2.A.1 needs clinker (Eq. 2.2), and neither Hunan's
clinker output nor a citable clinker fraction of its cement was found, so 2.A.1 stays a notation key.

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
OUT_IPPU = HERE / "data" / "430000_工业生产过程_2011-2022.xlsx"
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
# indicator of the building-materials file -> category, activity name of the workbook (data/activities.csv), note
PRODUCTS = {"flat_glass_output": ("2.A.3", "平板玻璃", "平板玻璃产量（万重量箱）× 0.05 = 万吨（1 重量箱 = 2 mm 厚 10 m2 平板玻璃 = 50 kg）；"
                                                    "IPCC 2006 第3卷式2.10，碎玻璃比例取缺省值；统计未分浮法与其他工艺，未填技术")}
# t of glass per 重量箱 (weight case): 10 m2 of 2 mm flat glass at 2500 kg/m3 = 50 kg, read in
# http://www1.baoshanjk.com/news/33563.html (the unit's definition, grade D; PROVENANCE.md)
WEIGHT_CASE_T = 0.05
YEARS = range(2011, 2023)  # the example's years (inventory.toml)
# category -> reason of the NE row in a year of YEARS without the category's statistic in source/
MISSING = {"3.A.1": "该年无可引用的湖南牲畜年末存栏统计（source/ 只有 2011—2017 年年鉴数和 2019、2020 年生猪数）",
           "3.A.2": "该年无可引用的湖南牲畜年末存栏统计（source/ 只有 2011—2017 年年鉴数和 2019、2020 年生猪数）",
           "3.C.7": "该年无可引用的湖南分季水稻播种面积（所引国家统计局分省年度数据导出只含 2016 年起的年份）",
           "3.C.4": "该年无可引用的湖南农用氮肥施用折纯量（所引国家统计局分省年度数据导出只含 2016 年起的年份）",
           "3.C.5": "该年无可引用的湖南农用氮肥施用折纯量（所引国家统计局分省年度数据导出只含 2016 年起的年份）",
           "2.A.3": "该年无可引用的湖南平板玻璃产量（所引省级面板只到 2019 年）"}


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


def products() -> pd.DataFrame:
    """Industrial product rows (flat glass, 万吨 after the weight-case conversion) with their source text."""
    t = pd.read_csv(SOURCE / "hunan_building_materials_2011_2019.csv", dtype={"region": str})
    t = t[t["indicator"].isin(list(PRODUCTS))].copy()
    t["source"] = cited(t.rename(columns={"source_column": "列"}), "列") + "（万重量箱）"
    t["value"] = (t["value"] * WEIGHT_CASE_T).round(6)   # 万重量箱 × t per case = 万吨 (6 decimals: float noise)
    t["unit"] = "万吨"
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


def crop_rows(table: pd.DataFrame, names: dict = CROPS) -> list[list]:
    """Workbook rows of an indicator table: one per year and indicator (rice per season in 3.C.7, N fertiliser in
    3.C.4; with ``names=PRODUCTS`` flat glass in 2.A.3), category, activity and note from ``names``."""
    out = []
    for rec in table.to_dict("records"):
        cat, name, note = names[rec["indicator"]]
        out.append([rec["region"], int(rec["year"]), cat, name, None, float(rec["value"]), rec["unit"], None,
                    rec["source"], note])
    return out


def notation_rows(have: dict[str, set]) -> list[list]:
    """NE rows (value cell NE, DESIGN 3.3) of the province for each category of ``have`` (category -> years with
    its statistic) and year of YEARS without its statistic, the reason in 备注."""
    return [["430000", year, cat, None, None, "NE", None, None, "source/ 中无该年统计（见 source/PROVENANCE.md）",
             MISSING[cat]] for year in YEARS for cat in have if year not in have[cat]]


def write(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    """One workbook of the v1 column order, a sheet per (title, rows), written deterministically."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, body in sheets:
        ws = wb.create_sheet(title)
        ws.append(HEADER)
        for row in body:
            ws.append(row)
    save(wb, path)


def main() -> None:
    livestock, crop, product = stock(), crops(), products()
    have = {"3.A.1": set(livestock["year"]), "3.A.2": set(livestock["year"]),
            "3.C.7": set(crop.loc[crop["indicator"].str.startswith("rice_"), "year"]),
            "3.C.4": set(crop.loc[crop["indicator"] == "n_fertiliser", "year"])}
    have["3.C.5"] = have["3.C.4"]
    write(OUT, [("畜禽养殖", rows(livestock)), ("种植业", crop_rows(crop)), ("注释符号", notation_rows(have))])
    write(OUT_IPPU, [("工业生产过程", crop_rows(product, PRODUCTS)),
                     ("注释符号", notation_rows({"2.A.3": set(product["year"])}))])


if __name__ == "__main__":
    main()
