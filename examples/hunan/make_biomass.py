"""Write the ILLUSTRATIVE biomass-fuel and construction-dust workbooks of the Hunan example (README.md).

    python examples/hunan/make_biomass.py

Deterministic (fixed timestamps, no randomness): the same script gives byte-identical files
``data/<code>_生物质燃料与扬尘_2017-2019.xlsx`` for four prefectures and
``data/430000_生物质燃料_2017-2019.xlsx`` for the province. The numbers are made up to look
plausible; they are NOT statistics (source cell "示例数据（非统计数据）"):
- biomass burned for energy: firewood (薪柴), straw (稻秆, 秸秆) and biogas (沼气) in households
  (1.A.4.b), rice straw in a biomass power plant (1.A.1.a, 常德); their CO2 is a memo item;
- construction dust (P.2.A.5.b): area under construction by type (technology column), with site
  dust controls, and a construction period (施工期) for road works;
- the province's own biomass rows are the sum of these prefectures' (the province has energy rows
  of its own in 1.A.1.a and 1.A.4.b, so its prefectures' rows are not added to it, DESIGN 3.6); it
  has no construction rows, so its construction dust is the sum of its prefectures'.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from make_example import write_rows  # the v1 sheet writer of the energy workbooks (same bytes everywhere)


HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
SOURCE = "示例数据（非统计数据）"
YEARS = (2017, 2018, 2019)
# region as written, code, {(category, fuel as written, unit): 2017 amount}, yearly change of household use
ENERGY = [
    ("邵阳市", "430500", {("1.A.4.b", "薪柴", "万吨"): 26.0, ("1.A.4.b", "稻秆", "万吨"): 18.0,
                         ("1.A.4.b", "沼气", "万立方米"): 4200.0}, -0.08),
    ("常德", "430700", {("1.A.4.b", "稻秆", "万吨"): 22.0, ("1.A.4.b", "沼气", "万立方米"): 3600.0,
                       ("1.A.1.a", "稻秆", "万吨"): 28.0}, -0.06),
    ("怀化市", "431200", {("1.A.4.b", "薪柴", "万吨"): 31.0, ("1.A.4.b", "秸秆", "万吨"): 9.0}, -0.07),
    ("湘西", "433100", {("1.A.4.b", "薪柴", "万吨"): 35.0, ("1.A.4.b", "沼气", "万立方米"): 2100.0}, -0.05),
]
# code, region as written, rows of (technology, area, unit), construction period of the road works (months)
CONSTRUCTION = {
    "430500": [("constr_apartment+site_paving_watering", 120.0, "公顷"), ("constr_road", 60.0, "公顷")],
    "430700": [("constr_apartment+site_net_fine", 95.0, "公顷"), ("constr_nonresidential", 40.0, "公顷")],
    "431200": [("constr_house", 55.0, "万平方米"), ("constr_road+site_fabric_cover", 45.0, "公顷")],
    "433100": [("constr_apartment+site_paving_watering+site_net_coarse", 50.0, "公顷")],
}
ROAD_MONTHS = 8


def amount(base: float, change: float, i: int, category: str) -> float:
    """Household use falls each year; the power plant's straw grows 5 %/a (illustrative)."""
    factor = 1.05 ** i if category == "1.A.1.a" else (1 + change) ** i
    return round(base * factor, 4)


def city_rows(name: str, code: str, fuels: dict, change: float) -> list[list]:
    rows = []
    for i, year in enumerate(YEARS):
        for (category, fuel, unit), base in fuels.items():
            rows.append([name, year, category, fuel, "", amount(base, change, i, category), unit, "", SOURCE, ""])
        for technology, area, unit in CONSTRUCTION[code]:
            rows.append([name, year, "P.2.A.5.b", "施工面积", technology, round(area * (1 + 0.04 * i), 4), unit, "",
                         SOURCE, "施工场地面积（示意）"])
    if any(t.startswith("constr_road") for t, _, _ in CONSTRUCTION[code]):
        rows.append([name, "", "P.2.A.5.b", "施工面积", "constr_road", ROAD_MONTHS, "月", "施工期", SOURCE,
                     "道路施工期（示意）"])
    return rows


def province_rows() -> list[list]:
    """The province's own biomass rows: the sum of the prefectures' (in the prefectures' units)."""
    total: dict[tuple, float] = defaultdict(float)
    for _, _, fuels, change in ENERGY:
        for i, year in enumerate(YEARS):
            for (category, fuel, unit), base in fuels.items():
                total[(year, category, fuel, unit)] += amount(base, change, i, category)
    return [["湖南省", year, category, fuel, "", round(value, 4), unit, "", SOURCE, "各市州之和（示意）"]
            for (year, category, fuel, unit), value in sorted(total.items())]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, code, fuels, change in ENERGY:
        write_rows(city_rows(name, code, fuels, change), OUT / f"{code}_生物质燃料与扬尘_2017-2019.xlsx", "生物质燃料与扬尘")
    write_rows(province_rows(), OUT / "430000_生物质燃料_2017-2019.xlsx", "生物质燃料")


if __name__ == "__main__":
    main()
