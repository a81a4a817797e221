"""Write the ILLUSTRATIVE paved-road dust workbooks of the Hunan example (examples/hunan/README.md).

    python examples/hunan/make_road_dust.py

Deterministic (fixed timestamps, no randomness): the same script gives byte-identical files
``data/<code>_道路扬尘_2017-2019.xlsx`` for three prefectures. The numbers are made up to look
plausible; they are NOT statistics (source cell "示例数据（非统计数据）"):
- paved-road dust (P.1.A.3.b.vii): vehicle-kilometres travelled (万车公里) by the road's traffic
  class (technology column: `road_adt_lt500`, `road_adt_500_5000`, `road_adt_5000_10000`,
  `road_adt_gt10000`), whose default silt loading is AP-42 13.2.1's; 长沙 also gives a measured silt
  loading (道路积尘负荷) for its busiest roads, which replaces the default;
- the mean vehicle weight (平均车重, t) of each prefecture: AP-42 has no default for it.
The province has no road-dust rows, so its road dust is the sum of its prefectures'.
"""

from __future__ import annotations

from pathlib import Path

from make_example import write_rows  # the v1 sheet writer of the energy workbooks (same bytes everywhere)

HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
SOURCE = "示例数据（非统计数据）"
YEARS = (2017, 2018, 2019)
CATEGORY = "P.1.A.3.b.vii"
ACTIVITY = "铺装道路机动车行驶里程"
# region as written, code, {traffic class: 2017 VKT in 万车公里}, mean vehicle weight (t),
# measured silt loading of the > 10000 vehicles/day roads (g/m2; None: the AP-42 default)
CITIES = [
    ("长沙市", "430100", {"road_adt_gt10000": 620000.0, "road_adt_5000_10000": 210000.0,
                         "road_adt_500_5000": 95000.0}, 2.4, 0.36),
    ("湘潭", "430300", {"road_adt_gt10000": 150000.0, "road_adt_5000_10000": 70000.0,
                       "road_adt_lt500": 12000.0}, 3.1, None),
    ("衡阳市", "430400", {"road_adt_5000_10000": 160000.0, "road_adt_500_5000": 120000.0,
                         "road_adt_lt500": 30000.0}, 2.8, None),
]
GROWTH = 0.06  # yearly growth of vehicle-kilometres (illustrative)


def city_rows(name: str, code: str, vkt: dict, weight: float, silt: float | None) -> list[list]:
    rows = []
    for i, year in enumerate(YEARS):
        for technology, base in vkt.items():
            rows.append([name, year, CATEGORY, ACTIVITY, technology, round(base * (1 + GROWTH) ** i, 4), "万车公里", "",
                         SOURCE, "铺装道路车公里（示意）"])
    rows.append([name, "", CATEGORY, ACTIVITY, "", weight, "t", "平均车重", SOURCE, "道路平均车重（示意）"])
    if silt is not None:
        rows.append([name, "", CATEGORY, ACTIVITY, "road_adt_gt10000", silt, "g/m2", "道路积尘负荷", SOURCE,
                     "主干道积尘负荷实测值（示意）"])
    return rows


def main() -> None:
    for name, code, vkt, weight, silt in CITIES:
        write_rows(city_rows(name, code, vkt, weight, silt), OUT / f"{code}_道路扬尘_2017-2019.xlsx", "道路扬尘")


if __name__ == "__main__":
    main()
