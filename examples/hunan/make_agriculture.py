"""Write the ILLUSTRATIVE agriculture workbooks ``data/<code>_农业_<year>.xlsx`` (v1 long format).

    python examples/hunan/make_agriculture.py

Four prefectures (长沙 430100, 岳阳 430600, 常德 430700, 益阳 430900), 2017–2019. Every
number is made up (base value × a deterministic factor from SHA-256 of "code|activity|year"
in 0.85–1.15): NOT statistics. The province has no agriculture rows of its own, so a build
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
ASSUMED = "示例数据（假设的本地参数，非实测值）"

# (category as written, activity as written, base value, unit)
LIVESTOCK = (
    ("3.A.1", "猪", 300.0, "万头"), ("3.A.1", "非奶牛", 25.0, "万头"), ("动物肠道发酵", "水牛", 18.0, "万头"),
    ("3.A.1", "奶牛", 4000.0, "头"), ("3.A.1", "山羊", 45.0, "万头"), ("3.A.1", "家禽", 3000.0, "万只"),
    ("3.A.2", "猪", 300.0, "万头"), ("动物粪便管理", "非奶牛", 25.0, "万头"),
)
CROPLAND = (
    ("3.C.7", "早稻", 100.0, "千公顷"), ("3.C.7", "晚稻", 110.0, "千公顷"), ("稻田", "单季稻", 90.0, "万亩"),
    ("3.C.4", "氮肥", 8.0, "万吨"), ("3.C.4", "organic_n_fertiliser", 2.5, "万吨"), ("3.C.4", "秸秆还田氮", 1.2, "万吨"),
    ("3.C.1", "秸秆露天焚烧量", 3.0, "万吨"),
)
# Local parameters, assumed values that show how a team supplies them (not measurements).
PARAMETERS = (
    ("3.C.7", "早稻", 78, "d", "rice_days"), ("3.C.7", "晚稻", 92, "d", "水稻生长期"),
    ("3.C.7", "单季稻", 120, "d", "rice_days"), ("3.C.7", "晚稻", 0.52, "", "sf_w"),
    ("3.A.2", "猪", 3.0, "kg/head/a", "ef.CH4"), ("3.A.2", "猪", 9.0, "kg/head/a", "nex"),
    ("3.A.2", "猪", 0.5, "%", "ef3"), ("3.A.2", "猪", 25, "%", "frac_gasms"),
    ("3.A.2", "猪", 10, "%", "frac_leachms"), ("3.A.2", "猪", 4.0, "kg/head/a", "ef.NH3"),
)


def factor(*parts: object) -> float:
    """A deterministic factor in [0.85, 1.15] from the SHA-256 of the parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return 0.85 + 0.30 * int.from_bytes(digest[:4], "big") / 0xFFFFFFFF


def rows(code: str, name: str, size: float, year: int, table) -> list[list]:
    """Activity rows of one region and year: base × size × factor, rounded to 2 decimals."""
    return [[name, year, cat, act, None, round(base * size * factor(code, act, cat, year), 2), unit, None, SOURCE]
            for cat, act, base, unit in table]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for code, name, size in REGIONS:
        for year in YEARS:
            wb = Workbook()
            sheets = (("畜禽养殖", LIVESTOCK, PARAMETERS[4:]), ("农田", CROPLAND, PARAMETERS[:4]))
            for i, (title, table, params) in enumerate(sheets):
                ws = wb.active if i == 0 else wb.create_sheet()
                ws.title = title
                ws.append(HEADER)
                for row in rows(code, name, size, year, table):
                    ws.append(row)
                for cat, act, value, unit, param in params:
                    ws.append([name, year, cat, act, None, value, unit or None, param, ASSUMED])
            save(wb, OUT / f"{code}_农业_{year}.xlsx")


if __name__ == "__main__":
    main()
