"""Write the ILLUSTRATIVE agriculture workbooks ``data/<code>_农业_<year>.xlsx`` (v1 long format).

    python examples/hunan/make_agriculture.py

Four prefectures (长沙 430100, 岳阳 430600, 常德 430700, 益阳 430900), 2017–2019. Every
activity number is made up (base value × a deterministic factor from SHA-256 of "code|activity|category|year",
with the technology before the year where a row names one, in 0.85–1.15): NOT statistics. No factor or
parameter value is made up: the build uses the shipped, cited defaults, and the one parameter row picks a
case of a cited table (late rice with multiple aeration, IPCC 2006 Vol.4 Table 5.12). The province has no agriculture rows of its own, so a build
reports its agriculture as the sum of these prefectures (``basis = aggregated``).
Deterministic: the same script gives byte-identical workbooks (``make_example.save``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from make_example import save
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
YEARS = (2017, 2018, 2019)
# code, name as written in the workbook (mixed spellings on purpose), size relative to 1.0
REGIONS = (("430100", "长沙", 0.7), ("430600", "岳阳市", 1.1), ("430700", "430700", 1.3), ("430900", "益阳", 0.9))
HEADER = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]
SOURCE = "示例数据（非统计数据）"

# (category as written, activity as written, technology, base value, unit)
LIVESTOCK = (
    ("3.A.1", "猪", None, 300.0, "万头"), ("3.A.1", "非奶牛", None, 25.0, "万头"), ("动物肠道发酵", "水牛", None, 18.0, "万头"),
    ("3.A.1", "奶牛", None, 4000.0, "头"), ("3.A.1", "山羊", None, 45.0, "万头"), ("3.A.1", "家禽", None, 3000.0, "万只"),
    ("3.A.2", "猪", "液态粪污", 180.0, "万头"), ("3.A.2", "猪", "manure_solid", 120.0, "万头"),
    ("动物粪便管理", "非奶牛", "固态粪便", 25.0, "万头"), ("3.A.2", "水牛", None, 18.0, "万头"),
    ("3.A.2", "奶牛", "manure_slurry", 4000.0, "头"), ("3.A.2", "山羊", None, 45.0, "万头"),
    ("3.A.2", "家禽", None, 3000.0, "万只"),
)
CROPLAND = (
    ("3.C.7", "早稻", None, 100.0, "千公顷"), ("3.C.7", "晚稻", None, 110.0, "千公顷"), ("稻田", "单季稻", None, 90.0, "万亩"),
    ("3.C.4", "氮肥", None, 8.0, "万吨"), ("3.C.4", "organic_n_fertiliser", None, 2.5, "万吨"),
    ("3.C.4", "秸秆还田氮", None, 1.2, "万吨"), ("3.C.1", "秸秆露天焚烧量", None, 3.0, "万吨"),
)
# A parameter row that picks one of the cited table's cases (the water regime of late rice), as a team would; every
# other parameter comes from the shipped defaults (emission_factors/), so no factor value is made up here.
PARAMETERS = (
    ("3.C.7", "晚稻", 0.52, "", "sf_w", "IPCC 2006 第4卷表5.12 多次晒田（multiple aeration，EFDB 415834）；示例假设晚稻多次晒田"),
)


def factor(*parts: object) -> float:
    """A deterministic factor in [0.85, 1.15] from the SHA-256 of the parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return 0.85 + 0.30 * int.from_bytes(digest[:4], "big") / 0xFFFFFFFF


def rows(code: str, name: str, size: float, year: int, table) -> list[list]:
    """Activity rows of one region and year: base × size × factor, rounded to 2 decimals."""
    return [[name, year, cat, act, tech, round(base * size * factor(code, act, cat, *([tech] if tech else []), year), 2), unit,
             None, SOURCE] for cat, act, tech, base, unit in table]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for code, name, size in REGIONS:
        for year in YEARS:
            wb = Workbook()
            sheets = (("畜禽养殖", LIVESTOCK, ()), ("农田", CROPLAND, PARAMETERS))
            for i, (title, table, params) in enumerate(sheets):
                ws = wb.active if i == 0 else wb.create_sheet()
                ws.title = title
                ws.append(HEADER)
                for row in rows(code, name, size, year, table):
                    ws.append(row)
                for cat, act, value, unit, param, source in params:
                    ws.append([name, year, cat, act, None, value, unit or None, param, source])
            save(wb, OUT / f"{code}_农业_{year}.xlsx")


if __name__ == "__main__":
    main()
