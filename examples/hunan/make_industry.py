"""Write the ILLUSTRATIVE industrial-process and fugitive-emission workbook of the Hunan example.

    python examples/hunan/make_industry.py

Writes ``data/湖南_工业生产过程和逃逸排放_2017-2019.xlsx``: one sheet of product amounts
(2.A, 2.B, 2.C, 2.F, 2.G, coke 1.B.1.b) and one of raw-coal production by mine type (1.B.1.a)
for the 14 prefectures, 2017-2019. The numbers are made up (plausible orders of magnitude,
NOT statistics): a 2019 amount per prefecture and product, scaled by a fixed factor per year.
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

OUT = HERE / "data" / "湖南_工业生产过程和逃逸排放_2017-2019.xlsx"
SOURCE = "示例数据（非统计数据）"
YEARS = {2017: 0.94, 2018: 0.97, 2019: 1.0}
HEADER = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]

# 2019 amounts (万吨 unless stated), region short name, category, activity (Chinese name), technology.
PRODUCTS = [
    ("长沙", "2.A.1", "水泥熟料", "nsp_kiln+bag", 420),
    ("株洲", "2.A.1", "水泥熟料", "nsp_kiln+scr+bag", 510),
    ("湘潭", "2.A.1", "水泥熟料", "nsp_kiln+bag", 380),
    ("衡阳", "2.A.1", "水泥熟料", "nsp_kiln+sncr+bag", 650),
    ("邵阳", "2.A.1", "水泥熟料", "nsp_kiln+esp", 560),
    ("岳阳", "2.A.1", "水泥熟料", "nsp_kiln+sncr+bag", 480),
    ("常德", "2.A.1", "水泥熟料", "nsp_kiln+scr+bag", 700),
    ("张家界", "2.A.1", "水泥熟料", "nsp_kiln+esp", 120),
    ("益阳", "2.A.1", "水泥熟料", "nsp_kiln+bag", 260),
    ("郴州", "2.A.1", "水泥熟料", "nsp_kiln+sncr+bag", 520),
    ("永州", "2.A.1", "水泥熟料", "nsp_kiln+bag", 600),
    ("怀化", "2.A.1", "水泥熟料", "nsp_kiln+esp", 330),
    ("娄底", "2.A.1", "水泥熟料", "nsp_kiln+sncr+bag", 450),
    ("湘西", "2.A.1", "水泥熟料", "shaft_kiln", 90),
    ("常德", "2.A.1", "水泥", "", 900),
    ("邵阳", "2.A.2", "石灰", "", 35),
    ("娄底", "2.A.2", "石灰", "lime_high_calcium", 60),
    ("岳阳", "2.A.3", "平板玻璃", "float_glass", 55),
    ("株洲", "2.A.3", "平板玻璃", "float_glass", 40),
    ("益阳", "2.A.4.a", "砖瓦", "", 800),
    ("衡阳", "2.A.4.a", "砖瓦", "", 950),
    ("岳阳", "2.B.1", "合成氨", "", 45),
    ("株洲", "2.B.2", "硝酸", "nitric_medium_pressure", 12),
    ("湘潭", "2.C.1", "粗钢", "bof", 1300),
    ("娄底", "2.C.1", "粗钢", "bof", 1150),
    ("衡阳", "2.C.1", "粗钢", "eaf", 120),
    ("湘潭", "2.C.1", "烧结矿", "", 1600),
    ("娄底", "2.C.1", "烧结矿", "", 1500),
    ("湘潭", "2.C.2", "硅锰合金", "", 25),
    ("怀化", "2.C.2", "高碳锰铁", "", 8),
    ("常德", "2.C.3", "原铝", "cwpb", 22),
    ("湘潭", "1.B.1.b", "焦炭", "mechanical_coking+esp", 260),
    ("娄底", "1.B.1.b", "焦炭", "mechanical_coking+esp", 300),
]
# Raw-coal production (万吨) by mine type, with the mine depth class where the example assumes one (technology:
# IPCC 2006 Vol.2 Eq. 4.1.3 low/average/high defaults); rows without one get the average default.
COAL = [("娄底", "1.B.1.a.i", "ug_depth_gt_400m", 900), ("郴州", "1.B.1.a.i", "ug_depth_200_400m", 700),
        ("衡阳", "1.B.1.a.i", "", 300), ("邵阳", "1.B.1.a.i", "", 250), ("湘潭", "1.B.1.a.i", "ug_depth_lt_200m", 120),
        ("郴州", "1.B.1.a.ii", "", 40)]
# Changsha's SF6 in electrical equipment (t in the bank): no default leak rate is shipped, so 2.G.1 is NE.
SF6_BANK = [("长沙", "2.G.1", "sf6_bank", "", 60, "t")]


def rows() -> tuple[list[list], list[list]]:
    """(process rows, fugitive rows) in the v1 column order, years 2017-2019."""
    process, fugitive = [], []
    for year, scale in YEARS.items():
        for region, cat, act, tech, amount in PRODUCTS:
            process.append([region, year, cat, act, tech, round(amount * scale, 2), "万吨", "", SOURCE, ""])
        for region, cat, act, tech, amount, unit in SF6_BANK:
            process.append([region, year, cat, act, tech, round(amount * scale, 2), unit, "", SOURCE, ""])
        for region, cat, tech, amount in COAL:
            fugitive.append([region, year, cat, "原煤", tech, round(amount * scale, 2), "万吨", "", SOURCE, "原煤产量"])
    return process, fugitive


def main() -> None:
    process, fugitive = rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "工业生产过程"
    for sheet, body in ((ws, process), (wb.create_sheet("逃逸排放"), fugitive)):
        sheet.append(HEADER)
        for row in body:
            sheet.append([None if v == "" else v for v in row])
    save(wb, OUT)


if __name__ == "__main__":
    main()
