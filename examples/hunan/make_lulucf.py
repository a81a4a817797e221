"""Write the ILLUSTRATIVE land-use change and forestry workbooks of the Hunan example (examples/hunan/README.md).

    python examples/hunan/make_lulucf.py

Deterministic (fixed timestamps, no randomness): the same script gives byte-identical files
``data/<code>_土地利用变化和林业_2017-2019.xlsx`` for three forest-rich prefectures (郴州 431000,
怀化 431200, 湘西 433100). The numbers are made up to look plausible; they are NOT statistics
(source cell "示例数据（非统计数据）"), and the local parameters are ASSUMED values that show how a
team supplies them (source cell "示例数据（假设的本地参数，非实测值）"), not measurements:
- 3.B.1.a forest land remaining forest land: annual growth of the growing stock of arbor forest and
  of four-side trees (万立方米), wood removals and fuelwood of arbor forest (万立方米), bamboo forest
  area (千公顷) with an above-ground growth rate;
- 3.B.5.b forest converted to settlements (公顷) with the above-ground biomass before conversion;
- the notation key NO for land converted to forest, cropland and grassland (not in the example).
The province has no land-use rows of its own, so its figures are the sum of these prefectures.
"""

from __future__ import annotations

from pathlib import Path

from make_example import write_rows  # the v1 sheet writer of the energy workbooks (same bytes everywhere)


HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
SOURCE = "示例数据（非统计数据）"
ASSUMED = "示例数据（假设的本地参数，非实测值）"
YEARS = (2017, 2018, 2019)
# region as written, code, arbor stock growth, wood removals, fuelwood (10^4 m3 in 2017), four-side trees'
# growth (10^4 m3), bamboo forest (10^3 ha), forest converted to settlements (ha)
CITIES = [
    ("郴州市", "431000", 420.0, 160.0, 25.0, 18.0, 95.0, 260.0),
    ("怀化", "431200", 610.0, 230.0, 40.0, 22.0, 120.0, 180.0),
    ("433100", "433100", 380.0, 90.0, 30.0, 12.0, 60.0, 120.0),
]
# Assumed local parameters (year empty: every year): (category, activity, technology, value, unit, parameter)
PARAMETERS = [
    *[("3.B.1.a", activity, "arbor_forest", value, unit, parameter)
      for activity in ("forest_stock_growth", "wood_removals", "fuelwood_removals")
      for value, unit, parameter in ((0.46, "t/m3", "wood_density"), (1.6, "", "bef"))],
    ("3.B.1.a", "forest_stock_growth", "four_side_trees", 0.75, "t/m3", "bcef"),
    ("3.B.1.a", "forest_land", "bamboo_forest", 6.0, "t/ha/year", "growth_rate"),
    ("3.B.5.b", "forest_converted", "", 70.0, "t/ha", "biomass_stock"),
]
NOT_OCCURRING = {"3.B.1.b": "林地", "3.B.2.b": "森林转化面积", "3.B.3.b": "森林转化面积"}


def rows_for(name, code, growth, removals, fuelwood, four_side, bamboo, converted) -> list[list]:
    rows = []
    for i, year in enumerate(YEARS):
        rise, fall = 1.0 + 0.03 * i, 1.0 - 0.05 * i
        category = "3.B.1.a" if year != 2018 else "林地（仍为林地）"  # code or Chinese name, both accepted
        rows += [
            [name, year, category, "活立木蓄积量年生长量", "arbor_forest", round(growth * rise, 2), "万立方米", "", SOURCE, ""],
            [name, year, category, "活立木消耗量", "arbor_forest", round(removals * fall, 2), "万立方米", "", SOURCE, ""],
            [name, year, category, "薪材采伐量", "arbor_forest", round(fuelwood * fall, 2), "万立方米", "", SOURCE, ""],
            [name, year, category, "forest_stock_growth", "four_side_trees", round(four_side * rise, 2), "万立方米", "",
             SOURCE, "四旁树蓄积量年生长量"],
            [name, year, category, "林地", "bamboo_forest", round(bamboo * rise, 2), "千公顷", "", SOURCE, "竹林面积"],
            [name, year, "3.B.5.b", "森林转化面积", "", round(converted * rise), "公顷", "", SOURCE, "林地转为建设用地"],
        ]
        # Categories that do not occur in the example: the notation key NO (completeness, DESIGN 3.3).
        rows += [[name, year, code, activity, "", "NO", "", "", SOURCE, "示例：不发生"]
                 for code, activity in NOT_OCCURRING.items()]
    rows += [[name, "", category, activity, technology, value, unit, parameter, ASSUMED, ""]
             for category, activity, technology, value, unit, parameter in PARAMETERS]
    return rows


def main() -> None:
    for city in CITIES:
        write_rows(rows_for(*city), OUT / f"{city[1]}_土地利用变化和林业_2017-2019.xlsx", "土地利用变化和林业")


if __name__ == "__main__":
    main()
