"""Write the ILLUSTRATIVE fugitive-emission workbook of the Hunan example.

    python examples/hunan/make_industry.py

Writes ``data/湖南_逃逸排放_2017-2019.xlsx``: coke output of coke ovens (1.B.1.b) and raw-coal production by
mine type (1.B.1.a) for some prefectures, 2017-2019. The made-up industrial-process sheet (2.A-2.G for all
14 prefectures) is gone (issue 19): the province has no cited product statistics yet, so its industrial
processes are notation keys. The numbers are made up (plausible orders of magnitude, NOT statistics): a 2019 amount per prefecture and product, scaled by a fixed factor per year.
Every row's source cell says so. Deterministic: the same script gives byte-identical files
(``save`` of make_example.py: fixed timestamps, exact floats).
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_example import save  # noqa: E402  (same folder; one deterministic writer for the example)

OUT = HERE / "data" / "湖南_逃逸排放_2017-2019.xlsx"
SOURCE = "示例数据（非统计数据）"
YEARS = {2017: 0.94, 2018: 0.97, 2019: 1.0}
HEADER = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]

# Coke output (万吨) of coke ovens (1.B.1.b, energy), kept from the former process sheet: made-up amounts.
COKE = [("湘潭", "1.B.1.b", "焦炭", "mechanical_coking+esp", 260), ("娄底", "1.B.1.b", "焦炭", "mechanical_coking+esp", 300)]
# Raw-coal production (万吨) by mine type, with the mine depth class where the example assumes one (technology:
# IPCC 2006 Vol.2 Eq. 4.1.3 low/average/high defaults); rows without one get the average default.
COAL = [("娄底", "1.B.1.a.i", "ug_depth_gt_400m", 900), ("郴州", "1.B.1.a.i", "ug_depth_200_400m", 700),
        ("衡阳", "1.B.1.a.i", "", 300), ("邵阳", "1.B.1.a.i", "", 250), ("湘潭", "1.B.1.a.i", "ug_depth_lt_200m", 120),
        ("郴州", "1.B.1.a.ii", "", 40)]
def rows() -> list[list]:
    """Fugitive rows (coke ovens, then raw coal mined) in the v1 column order, years 2017-2019."""
    fugitive = []
    for year, scale in YEARS.items():
        for region, cat, act, tech, amount in COKE:
            fugitive.append([region, year, cat, act, tech, round(amount * scale, 2), "万吨", "", SOURCE, ""])
        for region, cat, tech, amount in COAL:
            fugitive.append([region, year, cat, "原煤", tech, round(amount * scale, 2), "万吨", "", SOURCE, "原煤产量"])
    return fugitive


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "逃逸排放"
    ws.append(HEADER)
    for row in rows():
        ws.append([None if v == "" else v for v in row])
    save(wb, OUT)


if __name__ == "__main__":
    main()
