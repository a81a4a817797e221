"""Write the ILLUSTRATIVE facility workbook of the Hunan example (examples/hunan/README.md, "企业排放数据").

    python examples/hunan/make_facility.py

Deterministic: the same script gives the byte-identical file ``data/430300_企业排放_示例_2019.xlsx``.
No public, citable plant-level activity and emissions of Hunan's plants were found (README), so the two
plants are made up, and say so in the title row, the 数据来源 cell and the 备注 cell of every row:
- their activity is a stated fraction of the region's own amount: 湘潭 (430300) 2019, 1.A.1.a raw coal, read
  from ``data/430300_能源_2019.xlsx`` (itself the illustrative prefecture split): plant 甲 40 %, plant 乙 20 %
  (confidential, 保密: folded into 湘潭's figures and named in no output), so the plants stay below the region;
- their "reported" emissions are that activity times a stated controlled rate, SO2 0.35 kg/t and NOx
  0.50 kg/t of coal: the ultra-low emission limits for coal power units (SO2 35, NOx 50 mg/m3 at 6 % O2,
  环发〔2015〕164号) times an ASSUMED 10 000 m3 of flue gas per t of coal. Neither is a measurement.
The plants report no PM: their PM stays estimated by factor (DESIGN 3.3).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from make_example import save  # reproducible bytes (fixed timestamps, exact floats)

HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
REGION, REGION_NAME, YEAR, CATEGORY, FUEL = "430300", "湘潭市", 2019, "1.A.1.a", "原煤"
SOURCE_FILE = OUT / f"{REGION}_能源_{YEAR}.xlsx"
TITLE = ("示例数据（非真实企业、非监测数据）：企业活动水平按湘潭市 2019 年电力原煤用量的固定比例推算，"
         "报告排放量 = 活动水平 × 假定的控制后排放率；见 examples/hunan/README.md")
SOURCE = "示例数据（非真实企业、非监测数据）"
# plant, share of the region's amount, confidential
PLANTS = [("示例电厂甲（示意）", 0.40, "否"), ("示例电厂乙（示意）", 0.20, "是")]
# substance, controlled rate (kg per t of coal): ultra-low limit (mg/m3) × an assumed 10 000 m3 per t
RATES = [("SO2", 35 * 10_000 / 1e6), ("NOx", 50 * 10_000 / 1e6)]
HEADER = ["地区", "年份", "企业名称", "排放源类别", "活动", "污染物", "排放量", "单位", "活动水平", "活动水平单位", "保密",
          "数据来源", "备注"]


def region_amount() -> float:
    """The region's 1.A.1.a raw coal of the year (万吨), as its energy workbook gives it."""
    rows = pd.read_excel(SOURCE_FILE, sheet_name="能源活动", engine="openpyxl")
    rows = rows[(rows["排放源类别"] == CATEGORY) & (rows["活动"] == FUEL)]
    assert len(rows) == 1 and (rows["单位"] == "万吨").all(), rows
    return float(rows["活动水平"].iat[0])


def plant_rows(amount: float) -> list[list]:
    """One row per plant and substance: activity = share × the region's amount (万吨, 6 significant digits),
    emission = activity × rate (t)."""
    out = []
    for name, share, confidential in PLANTS:
        a = float(f"{amount * share:.6g}")
        for substance, rate in RATES:
            e = round(a * 1e4 * rate / 1000, 3)  # 万吨 → t of coal; kg → t
            out.append([REGION_NAME, YEAR, name, CATEGORY, FUEL, substance, e, "吨", a, "万吨", confidential, SOURCE,
                        f"示意：活动水平 = 湘潭市电力原煤 {amount:g} 万吨 × {share:.0%}；排放量 = 活动水平 × {rate:g} kg/t"])
    return out


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "企业排放"
    ws.append([TITLE])
    ws.append(HEADER)
    for row in plant_rows(region_amount()):
        ws.append(row)
    save(wb, OUT / f"{REGION}_企业排放_示例_{YEAR}.xlsx")


if __name__ == "__main__":
    main()
