"""Write examples/hunan/data/430000_能源供应_<year>.xlsx: Hunan's supply rows (2011-2019) for the reference approach.

Input (copies with provenance in source/PROVENANCE.md):
- source/ceads_hunan_apparent_co2_2011_2019.csv: CEADs apparent-consumption CO2 of Hunan, supply-side
  flows of raw coal, crude oil and natural gas in Mt CO2;
- source/ceads_apparent_factors_derived.csv: the per-fuel factor (Mt CO2 per 10^4 t or 10^8 m3) by which
  CEADs turned amounts into CO2 (raw coal: derived by us, see its `derivation` column).

Amount = flow (Mt CO2) / factor, in 万吨 or 亿立方米: DERIVED BY US, not published amounts. The workbook has
the layout of the statistics bureau's wide energy balance (region and year rows, a `fuel(unit)` header,
one row per supply flow, signs as printed: rows marked (-) negative, stock decrease positive).

Run: python examples/hunan/make_supply.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
YEARS = tuple(range(2011, 2020))  # the years whose raw-coal factor is checked (source/PROVENANCE.md)
# CEADs apparent-CO2 section -> (balance column header, CEADs item -> balance row label).
FUELS = {"Raw Coal": "原煤(万吨)", "Crude Oil": "原油(万吨)", "Natural Gas": "天然气(亿立方米)"}
ROWS = {
    "Indigenous production": "一次能源生产量",
    "Move in": "外省(区、市)调入量",
    "Import": "进口量",
    "Move out (-)": "本省(区、市)调出量(-)",
    "Export (-)": "出口量(-)",
    "Stock decrease": "库存增(-)、减(+)量",
}


def read_csv(name: str) -> list[dict]:
    with open(HERE / "source" / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def amounts(year: int) -> dict[tuple[str, str], float]:
    """(row label, column header) -> amount in 万吨 / 亿立方米 for one year."""
    factors = {r["fuel"]: float(r["factor"]) for r in read_csv("ceads_apparent_factors_derived.csv")}
    out = {}
    for r in read_csv("ceads_hunan_apparent_co2_2011_2019.csv"):
        if int(r["year"]) == year and r["section"] in FUELS and r["item"] in ROWS:
            out[(ROWS[r["item"]], FUELS[r["section"]])] = float(r["value"]) / factors[r["section"]]
    return out


def write(year: int) -> Path:
    values = amounts(year)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = f"能源供应 430000 {year}"
    ws.append(["地区", "湖南省"])
    ws.append(["年份", year])
    ws.append(["说明", "由CEADs表观消费量CO2(Mt)除以CEADs燃料因子推算的实物量（本项目推算，非公布数据）"])
    ws.append(["项目", *FUELS.values()])
    for label in ROWS.values():
        ws.append([label, *[round(values.get((label, col), 0.0), 4) for col in FUELS.values()]])
    path = HERE / "data" / f"430000_能源供应_{year}.xlsx"
    wb.save(path)
    return path


if __name__ == "__main__":
    for y in YEARS:
        print(write(y))
