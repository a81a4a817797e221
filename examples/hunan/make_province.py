"""Write the province's own non-energy workbook ``data/430000_农业_2011-2020.xlsx`` from PUBLISHED statistics.

    python examples/hunan/make_province.py

Inputs (all in ``source/``, provenance in ``source/PROVENANCE.md``):
- ``hunan_livestock_nbs_2011_2017.csv``: Hunan's year-end stock (年末存栏) and number slaughtered (出栏) by animal,
  2011-2017, 万头 (poultry 万只), from 中国统计年鉴 (农业-牲畜饲养情况) and 国家数据 (畜产品出栏量) as transcribed in
  the public repository meatatlas/datamap2019;
- ``hunan_livestock_news_2020.csv``: the 2020 pig numbers of 国家统计局湖南调查总队 (news reprint).

Population N of IPCC 2006 Vol.4 Eq. 10.19/10.22 is the year-end stock of the statistics. IPCC's average annual
population for animals alive less than a year (Vol.4 Eq. 10.1, AAP = days alive × animals produced / 365) needs
a days-alive value; none was found in a citable source, so the slaughter numbers are kept in the source file
(for that conversion once it can be cited) and not used. Cattle are 牛 of the statistics (dairy, yellow and
buffalo together; the yearbook table used here does not split them) and enter as 非奶牛. Poultry has no
stock figure in the source (only birds slaughtered), so 3.A poultry is not estimated. Every other non-energy
category of the province (rice, fertiliser N, industrial products, waste, forest) has no statistic in
``source/`` and is a notation key in inventory.toml with its reason.
Deterministic: the same script gives byte-identical workbooks (``make_example.save``).
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
OUT = HERE / "data" / "430000_农业_2011-2020.xlsx"
HEADER = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]
# animal of the source file -> activity name of the workbook (data/activities.csv), note
ANIMALS = {"swine": ("猪", "N = 年末存栏（未按 IPCC 2006 第4卷式10.1 折算年平均饲养量：饲养天数无可引用来源）"),
           "cattle": ("非奶牛", "统计的“牛”（含奶牛、黄牛、水牛，所引年鉴表未分）按非奶牛计；N = 年末存栏"),
           "goats": ("山羊", "N = 年末存栏"),
           "sheep": ("绵羊", "N = 年末存栏")}
CATEGORIES = ("3.A.1", "3.A.2")


def stock() -> pd.DataFrame:
    """Year-end stock rows (region, year, animal, value 万头, source text) of every source file."""
    nbs = pd.read_csv(SOURCE / "hunan_livestock_nbs_2011_2017.csv", dtype={"region": str})
    nbs["source"] = (nbs["source"] + "；转录于 " + nbs["repository"] + " " + nbs["path"] + " @" + nbs["commit"].str[:7]
                     + "，列 “" + nbs["source_column"] + "”")
    news = pd.read_csv(SOURCE / "hunan_livestock_news_2020.csv", dtype={"region": str})
    both = pd.concat([nbs, news], ignore_index=True)
    both = both[(both["indicator"] == "year_end_stock") & both["animal"].isin(list(ANIMALS))]
    return both.sort_values(["year", "animal"], kind="stable")


def rows(table: pd.DataFrame) -> list[list]:
    """Workbook rows: one per year, animal and category (3.A.1 enteric, 3.A.2 manure), v1 column order."""
    out = []
    for rec in table.to_dict("records"):
        name, note = ANIMALS[rec["animal"]]
        for cat in CATEGORIES:
            out.append([rec["region"], int(rec["year"]), cat, name, None, float(rec["value"]), rec["unit"], None,
                        rec["source"], note])
    return out


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "畜禽养殖"
    ws.append(HEADER)
    for row in rows(stock()):
        ws.append(row)
    save(wb, OUT)


if __name__ == "__main__":
    main()
