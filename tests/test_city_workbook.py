"""Issue 17 as a prefecture team meets it: a hand-filled city workbook (株洲 2023) with electricity used and
brought in, an NE row for a category without activity and the same row in two sheets, validated and built
from the command line (items 2, 4 and 6; items 1, 3 and 7 are another branch's)."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import HEADERS_ZH
from inventory.cli import app

runner = CliRunner()
HUAZHONG_2023 = 0.5271   # kg CO2/kWh, MEE/NBS 2023 regional grid average (emission_factors/README.md)
COAL = ["株洲", 2023, "1.A.2.a 钢铁", "原煤", "", 10, "万吨", "", "统计局", ""]


def city_workbook(path):
    wb = openpyxl.Workbook()
    energy = wb.active
    energy.title = "化石燃料燃烧"
    energy.append(HEADERS_ZH)
    for row in [COAL,
                ["株洲", 2023, "1.A.2 制造业和建筑业", "电力", "", 172, "亿千瓦时", "", "电力公司", ""],
                ["株洲", 2023, "M.EL.import 电力调入调出间接排放", "电力", "", 60, "亿千瓦时", "", "电力公司", ""],
                ["株洲", 2023, "2.A.1 水泥生产", "", "", "NE", "", "", "", "无数据"]]:
        energy.append(row)
    other = wb.create_sheet("补充")
    other.append(HEADERS_ZH)
    other.append(COAL)                      # the same row again, in another sheet
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_issue_17_city_workbook_validates_and_builds(tmp_path):
    book = city_workbook(tmp_path / "data" / "zhuzhou.xlsx")
    result = runner.invoke(app, ["validate", str(book.parent), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(book.parent), "-o", str(out)])
    assert result.exit_code == 0, result.output

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == {"read": 5, "used": 5, "skipped": 0, "rejected": 0}
    dup = [w for w in manifest["warnings"] if w["code"] == "duplicate_row"]
    assert [(w["sheet"], w["row"], dict(w["params"])) for w in dup] == \
        [("补充", 2, {"file": str(book), "sheet": "化石燃料燃烧", "row": "2"})]

    e = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    memo = e[e["category"].str.startswith("M.")].set_index("category")
    assert memo.loc["M.EL.use.1.A.2", "emission"] == pytest.approx(172e8 * HUAZHONG_2023 / 1000)   # 9 066 120 t
    assert memo.loc["M.EL.import", "emission"] == pytest.approx(60e8 * HUAZHONG_2023 / 1000)      # 3 162 600 t
    assert set(memo["kind"]) == {"memo"}
    coal_co2 = e.loc[(e["activity"] == "raw_coal") & (e["substance"] == "CO2"), "emission"].sum()
    gross = e.loc[(e["kind"] == "emission") & (e["substance"] == "CO2"), "emission"].sum()
    assert gross == pytest.approx(coal_co2)                        # memo items never in the total

    book_out = openpyxl.load_workbook(out / "inventory.xlsx", read_only=True)
    summary = [[c for c in row if c is not None] for row in book_out["汇总"].iter_rows(values_only=True)]
    items = {c for row in summary for c in row if isinstance(c, str)}
    assert {"信息项：电力消费间接排放（不计入总量）", "信息项：电力调入调出间接排放（不计入总量）"} <= items
    qa = [c for row in book_out["质量检查"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("可能重复" in c and "化石燃料燃烧" in c for c in qa)

    completeness = pd.read_csv(out / "checks.csv", encoding="utf-8-sig", dtype={"region": str})
    cement = completeness[(completeness["check"] == "completeness") & (completeness["category"] == "2.A.1")]
    assert cement["result"].tolist() == ["warn"]                   # keyed NE in the workbook, not `missing`
