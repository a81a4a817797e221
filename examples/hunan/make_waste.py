"""Write the ILLUSTRATIVE waste-sector workbooks of the Hunan example (examples/hunan/README.md).

    python examples/hunan/make_waste.py

Deterministic (fixed timestamps, no randomness): the same script gives byte-identical files
``data/<code>_废弃物处理_2005-2019.xlsx`` for four prefectures. The numbers are made up to look
plausible; they are NOT statistics (source cell "示例数据（非统计数据）"):
- 4.A landfill deposits 2005-2019 by waste type (food, paper, wood, textiles, garden), so the
  first-order decay model has a history before the project's years; 长沙 names its site type
  and reports recovered landfill gas;
- 4.B composting (株洲), 4.C.1 incineration 2017-2019 (长沙 also gives assumed dm/CF/FCF/OF
  so that fossil CO2 can be computed; the others leave CO2 not estimated);
- 4.D.1 domestic wastewater (organic load TOW in t BOD by treatment system, nitrogen in t N)
  and 4.D.2 industrial wastewater (t COD), 2017-2019.
"""

from __future__ import annotations

from pathlib import Path


from make_example import write_rows  # the v1 sheet writer of the energy workbooks (same bytes everywhere)

HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
SOURCE = "示例数据（非统计数据）"
ASSUMED = "示例数据（假设的焚烧厂入炉垃圾化验值）"
HISTORY = range(2005, 2020)
YEARS = (2017, 2018, 2019)
# Illustrative shares of landfilled MSW by type (wet weight).
COMPOSITION = {"msw_food": 0.55, "msw_paper": 0.10, "msw_wood": 0.03, "msw_textiles": 0.03, "msw_garden": 0.04}
# region as written, code, landfilled MSW in 2005 (10^4 t), landfill site type, incinerated in 2017 (10^4 t),
# domestic TOW in 2017 (t BOD) treated / discharged untreated, industrial COD (t), composting (t)
CITIES = [
    ("长沙市", "430100", 95.0, "swds_managed_anaerobic", 120.0, (105000, 14000), 42000, 0),
    ("株洲", "430200", 38.0, "", 30.0, (35000, 9000), 21000, 8000),
    ("430400", "430400", 45.0, "", 25.0, (38000, 16000), 18000, 0),
    ("岳阳市", "430600", 40.0, "swds_unmanaged_deep", 0.0, (30000, 15000), 36000, 0),
]


def landfilled(base: float, year: int) -> float:
    """10^4 t landfilled: +6 %/a to 2015, then −8 %/a as incineration grows (illustrative)."""
    if year <= 2015:
        return base * 1.06 ** (year - 2005)
    return base * 1.06 ** 10 * 0.92 ** (year - 2015)


def rows_for(name, code, base, site, incinerated, domestic, industrial, compost) -> list[list]:
    rows = []
    for year in HISTORY:
        total = landfilled(base, year)
        category = "4.A" if year % 2 else "固体废弃物处置"  # code or Chinese name, both accepted
        for activity, share in COMPOSITION.items():
            rows.append([name, year, category, activity, site, round(total * share, 4), "万吨", "", SOURCE, ""])
    if code == "430100":
        rows.append([name, 2019, "4.A", "msw_food", site, 2500, "吨", "recovery", SOURCE, "填埋气回收的甲烷（假设值）"])
    for i, year in enumerate(YEARS):
        grow = 1.0 + 0.05 * i
        if incinerated:
            rows.append([name, year, "4.C.1", "msw", "incin_continuous_stoker", round(incinerated * grow, 3), "万吨",
                         "", SOURCE, ""])
        treated, untreated = domestic
        rows.append([name, year, "4.D.1", "domestic_wastewater", "ww_centralised_aerobic", round(treated * grow), "t",
                     "", SOURCE, "进入污水处理厂的BOD"])
        rows.append([name, year, "生活污水", "生活污水", "ww_discharge", round(untreated * (1 - 0.1 * i)), "t", "",
                     SOURCE, "未经处理排入水体的BOD"])
        rows.append([name, year, "4.D.1", "wastewater_nitrogen", "ww_centralised_aerobic",
                     round(treated * grow * 0.3), "t", "", SOURCE, "进入污水处理厂的氮"])
        rows.append([name, year, "4.D.1", "废水中的氮", "", round(treated * grow * 0.3 * 0.4 + untreated * 0.3), "t",
                     "", SOURCE, "出水和未处理废水排入水体的氮"])
        rows.append([name, year, "4.D.2", "industrial_wastewater", "ww_discharge", round(industrial * (1 - 0.05 * i)),
                     "t", "", SOURCE, "排入水体的COD"])
        if compost:
            rows.append([name, year, "4.B", "msw", "composting", compost, "t", "", SOURCE, ""])
    if code == "430100":
        for parameter, value in (("dm", 55), ("cf", 45), ("fcf", 35), ("of", 100)):
            rows.append([name, "", "4.C.1", "msw", "", value, "%", parameter, ASSUMED, ""])
    return rows


def main() -> None:
    for city in CITIES:
        write_rows(rows_for(*city), OUT / f"{city[1]}_废弃物处理_2005-2019.xlsx", "废弃物处理")


if __name__ == "__main__":
    main()
