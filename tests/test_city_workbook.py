"""Issue 17 as a prefecture team meets it: a hand-filled city workbook (株洲 2023) with road diesel and gasoline
given as totals, electricity used and brought in, a zinc smelter, a ceramics plant, an NE row for a category
without activity, the same row in two sheets, and GDP and population (synthetic sizes), validated and built from
the command line (the issue's "Done when").

Hand calculations (E in t):
- road, Revised 1996 IPCC Tables 1-9/1-10/1-11 (kg/TJ), NCV GB/T 32151.22-2024 Table C.1 / Yearbook 2022 App.4:
  diesel 45 万 t × 42.652 GJ/t = 19 193.4 TJ -> NOx × 800 = 15 354.72; gasoline 60 万 t × 43.070 GJ/t =
  25 842 TJ -> NOx × 600 = 15 505.2, CO × 8 000 = 206 736, NMVOC × 1 500 = 38 763;
- zinc 6 万 t: IPCC 2006 Vol.3 Table 4.24 default 1.72 t CO2/t -> 103 200; EMEP/EEA 2023 2.C.6 Table 3-1 SO2
  1 350 g/t -> 81;
- ceramics 5 万 t: T/CSES 144-2024 Table E.1 陶瓷 NOx 5, SO2 2.25 g/kg -> 250, 112.5 (generation, before control);
- electricity: 华中 2023 grid average 0.5271 kg/kWh (memo, never in the total).
"""

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
TJ_DIESEL, TJ_GASOLINE = 45e4 * 42.652e-3, 60e4 * 43.070e-3


def city_workbook(path):
    wb = openpyxl.Workbook()
    energy = wb.active
    energy.title = "化石燃料燃烧"
    energy.append(HEADERS_ZH)
    for row in [COAL,
                ["株洲", 2023, "1.A.2 制造业和建筑业", "电力", "", 172, "亿千瓦时", "", "电力公司", ""],
                ["株洲", 2023, "M.EL.import 电力调入调出间接排放", "电力", "", 60, "亿千瓦时", "", "电力公司", ""],
                ["株洲", 2023, "2.A.1 水泥生产", "", "", "NE", "", "", "", "无数据"],
                ["株洲", 2023, "1.A.3.b 道路运输", "柴油", "", 45, "万吨", "", "统计局", "车型不详"],
                ["株洲", 2023, "1.A.3.b 道路运输", "汽油", "", 60, "万吨", "", "统计局", "车型不详"]]:
        energy.append(row)
    industry = wb.create_sheet("工业生产过程")
    industry.append(HEADERS_ZH)
    industry.append(["株洲", 2023, "2.C.6 锌生产", "锌", "", 6, "万吨", "", "企业", "冶炼厂"])
    industry.append(["株洲", 2023, "2.A.4.a 陶瓷（含砖瓦）", "陶瓷", "", 5, "万吨", "", "企业", ""])
    other = wb.create_sheet("补充")
    other.append(HEADERS_ZH)
    other.append(COAL)                      # the same row again, in another sheet
    stat = wb.create_sheet("统计指标")
    stat.append(HEADERS_ZH)
    stat.append(["株洲", 2023, "stat", "地区生产总值", "", 3800, "亿元", "", "合成", "synthetic size"])
    stat.append(["株洲", 2023, "stat", "常住人口", "", 385, "万人", "", "合成", "synthetic size"])
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
    assert manifest["rows"] == {"read": 11, "used": 11, "skipped": 0, "rejected": 0}
    level = [w for w in manifest["warnings"] if w["code"] == "subcategory_factors_only"]
    assert [(w["row"], dict(w["params"])["rows"], dict(w["params"])["substances"]) for w in level] == \
        [(6, "2", "NH3")]                                        # road fuel as a whole: NH3 only per vehicle class
    dup = [w for w in manifest["warnings"] if w["code"] == "duplicate_row"]
    assert [(w["sheet"], w["row"], dict(w["params"])) for w in dup] == \
        [("补充", 2, {"file": str(book), "sheet": "化石燃料燃烧", "row": "2"})]

    e = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    memo = e[e["category"].str.startswith("M.")].set_index("category")
    assert memo.loc["M.EL.use.1.A.2", "emission"] == pytest.approx(172e8 * HUAZHONG_2023 / 1000)   # 9 066 120 t
    assert memo.loc["M.EL.import", "emission"] == pytest.approx(60e8 * HUAZHONG_2023 / 1000)      # 3 162 600 t
    assert set(memo["kind"]) == {"memo"}
    co2 = e[e["substance"] == "CO2"]
    direct = co2.loc[co2["activity"] != "electricity", "emission"].sum()
    gross = co2.loc[co2["kind"] == "emission", "emission"].sum()
    assert gross == pytest.approx(direct)                          # memo items never in the total

    def one(category, activity, substance):
        rows = e[(e["category"] == category) & (e["activity"] == activity) & (e["substance"] == substance)]
        assert len(rows) == 1 and rows.iloc[0]["factor_ids"], (category, activity, substance)   # estimated, cited
        return rows.iloc[0]["emission"]

    assert one("1.A.3.b", "diesel_oil", "NOx") == pytest.approx(TJ_DIESEL * 0.8)               # 15 354.72 t
    assert one("1.A.3.b", "diesel_oil", "CO") == pytest.approx(TJ_DIESEL * 1.0)
    assert one("1.A.3.b", "gasoline", "NOx") == pytest.approx(15505.2)
    assert one("1.A.3.b", "gasoline", "CO") == pytest.approx(TJ_GASOLINE * 8.0)                # 206 736 t
    assert one("1.A.3.b", "gasoline", "NMVOC") == pytest.approx(TJ_GASOLINE * 1.5)
    assert one("2.C.6", "zinc", "CO2") == pytest.approx(6e4 * 1.72)
    assert one("2.C.6", "zinc", "SO2") == pytest.approx(6e4 * 1350e-6)
    assert one("2.A.4.a", "ceramics", "NOx") == pytest.approx(5e7 * 5e-6)
    assert one("2.A.4.a", "ceramics", "SO2") == pytest.approx(5e7 * 2.25e-6)

    book_out = openpyxl.load_workbook(out / "inventory.xlsx", read_only=True)
    summary = [[c for c in row if c is not None] for row in book_out["汇总"].iter_rows(values_only=True)]
    items = {c for row in summary for c in row if isinstance(c, str)}
    assert {"信息项：电力消费间接排放（不计入总量）", "信息项：电力调入调出间接排放（不计入总量）"} <= items
    qa = [c for row in book_out["质量检查"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("可能重复" in c and "化石燃料燃烧" in c for c in qa)

    completeness = pd.read_csv(out / "checks.csv", encoding="utf-8-sig", dtype={"region": str})
    cement = completeness[(completeness["check"] == "completeness") & (completeness["category"] == "2.A.1")]
    assert cement["result"].tolist() == ["warn"]                   # keyed NE in the workbook, not `missing`
