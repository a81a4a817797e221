"""Cross-verification checks of issue 5: facility-reported vs factor-based, GHG–pollutant
consistency, fuel implied by SO2, completeness, year-to-year jumps.

Every expected number is worked by hand below from the inputs and the published formula
(sulfur balance SO2 = 2 × S × (1 − sr) × fuel, T/CSES 144-2024 Eq. 3), with local
parameters so that no shipped factor enters the arithmetic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_workbook
from inventory.build import compile_inventory
from inventory.cli import app
from inventory.errors import UsageError
from inventory.factors.load import load_all
from inventory.factors.resolve import local_to_long
from inventory.project import load_project
from inventory.qa.settings import parse_checks
from inventory.qa.completeness import completeness_table
from inventory.qa.consistency import ghg_pollutant_consistency
from inventory.read import read_inputs

FACILITY_HEADERS = ["地区", "年份", "企业名称", "排放源类别", "活动", "污染物", "排放量", "单位", "覆盖范围", "数据来源"]
FACILITY_HEADERS_EN = ["region", "year", "facility", "category", "activity", "substance", "emission", "unit",
                       "coverage", "source"]
S, SR = 0.01, 0.2             # local sulfur content 1 % and sulfur retention 0.2 (fraction)
SO2_PER_T = 2 * S * (1 - SR)  # t SO2 per t coal, uncontrolled: 0.016


def coal(region, year, wan_t, category="1.A.1.a"):
    """An activity row of raw coal in 万吨 with its local sulfur content and retention, uncontrolled (a local
    SO2 removal efficiency of 0 replaces the shipped control penetration, DESIGN 3.4)."""
    return [[region, year, category, "原煤", "", wan_t, "万吨", "", "统计局", ""],
            [region, year, category, "原煤", "", 1, "%", "含硫率", "化验", ""],
            [region, year, category, "原煤", "", SR, "", "sulfur_retention", "化验", ""],
            [region, year, category, "原煤", "", 0, "%", "removal_efficiency.SO2", "无脱硫", ""]]


def build(tmp_path: Path, activity: list, facility: list | None = None, thresholds: dict | None = None,
          headers=FACILITY_HEADERS):
    """Write the activity (and facility) workbooks, read them as a build does, compile."""
    folder = tmp_path / "data"
    write_workbook(folder / "activity.xlsx", activity)
    if facility is not None:
        write_workbook(folder / "facility.xlsx", facility, headers=headers, sheet="企业排放")
    inputs, _ = read_inputs([folder])
    assert not inputs.errors, [str(p) for p in inputs.errors]
    return compile_inventory(inputs, load_all(), thresholds=thresholds or {}), inputs


def rows_of(result, check):
    c = result.checks
    return c[c["check"] == check].set_index(["region", "year", "category", "substance"])


# --- facility-reported vs factor-based -------------------------------------------------------

def test_facility_sheet_is_read_with_units_and_coverage(tmp_path):
    _, inputs = build(tmp_path, coal("长沙", 2019, 100),
                      [["长沙", 2019, "电厂甲", "1.A.1.a", "原煤", "二氧化硫", 0.6, "万吨", "全部", "CEMS"],
                       ["株洲", 2019, "电厂乙", "电力和热力生产", "", "NOx", 2500, "kg", "", "排污许可"]],
                      headers=FACILITY_HEADERS)
    f = inputs.facility.sort_values("region").reset_index(drop=True)
    assert list(f["region"]) == ["430100", "430200"]
    assert list(f["substance"]) == ["SO2", "NOx"]
    assert list(f["emission"]) == pytest.approx([6000.0, 2.5])   # 0.6 万吨 = 6000 t; 2500 kg = 2.5 t
    assert list(f["coverage"]) == ["full", "partial"]            # empty coverage means partial
    assert list(f["activity"]) == ["raw_coal", ""]
    ledger = inputs.ledger[inputs.ledger["file"].str.endswith("facility.xlsx")]
    assert list(ledger["status"]) == ["used", "used"] and list(ledger["row"]) == [2, 3]


def test_facility_check_passes(tmp_path):
    activity = coal("长沙", 2019, 100) + coal("株洲", 2019, 50) + coal("长沙", 2020, 80)
    facility = [["长沙", 2019, "电厂甲", "1.A.1.a", "原煤", "SO2", 9000, "t", "全部", "CEMS"],
                ["长沙", 2019, "电厂乙", "1.A.1.a", "原煤", "SO2", 0.6, "万吨", "全部", "CEMS"],
                ["株洲", 2019, "电厂丙", "1.A.1", "", "SO2", 5000, "t", "部分", "排污许可"],
                ["长沙", 2020, "电厂甲", "1.A.1.a", "原煤", "SO2", 12000, "t", "", "CEMS"]]
    r, _ = build(tmp_path, activity, facility, {"facility": {"warn": 0.10, "fail": 0.20}})
    rows = rows_of(r, "facility")
    # 长沙 2019: estimate 100e4 t × 0.016 = 16 000 t; facilities 9 000 + 6 000 = 15 000 t, full coverage.
    a = rows.loc[("430100", 2019, "1.A.1.a/raw_coal", "SO2")]
    assert (a["value"], a["reference"]) == pytest.approx((15000.0, 16000.0))
    assert a["diff_pct"] == pytest.approx((15000 - 16000) / 16000 * 100)   # −6.25 %: within 10 %
    assert a["result"] == "pass"
    # 株洲 2019: facilities of 1.A.1 (any fuel), partial: 5 000 t below the estimate 50e4 × 0.016 = 8 000 t.
    b = rows.loc[("430200", 2019, "1.A.1", "SO2")]
    assert (b["value"], b["reference"]) == pytest.approx((5000.0, 8000.0))
    assert b["diff_pct"] == pytest.approx(-37.5) and b["result"] == "pass"
    # 长沙 2020: 12 000 t of 80e4 × 0.016 = 12 800 t, partial.
    c = rows.loc[("430100", 2020, "1.A.1.a/raw_coal", "SO2")]
    assert c["reference"] == pytest.approx(12800.0) and c["result"] == "pass"
    assert set(rows["result"]) == {"pass"}


def test_facility_check_fails(tmp_path):
    activity = coal("长沙", 2019, 100) + coal("株洲", 2019, 50)
    facility = [["长沙", 2019, "电厂甲", "1.A.1.a", "原煤", "SO2", 2, "万吨", "全部", "CEMS"],     # 20 000 t
                ["株洲", 2019, "电厂丙", "1.A.1", "", "SO2", 8800, "t", "部分", "排污许可"],
                ["株洲", 2019, "电厂丙", "1.A.1", "", "SO2", 3200, "t", "部分", "排污许可"],
                ["株洲", 2019, "水泥厂", "2.A.1", "", "NOx", 300, "t", "", "排污许可"]]
    r, _ = build(tmp_path, activity, facility, {"facility": {"warn": 0.10, "fail": 0.20}})
    rows = rows_of(r, "facility")
    a = rows.loc[("430100", 2019, "1.A.1.a/raw_coal", "SO2")]
    assert a["diff_pct"] == pytest.approx((20000 - 16000) / 16000 * 100)   # +25 % > 20 %
    assert a["result"] == "fail"
    b = rows.loc[("430200", 2019, "1.A.1", "SO2")]                          # partial, but 12 000 > 8 000 t
    assert b["value"] == pytest.approx(12000.0) and b["diff_pct"] == pytest.approx(50.0)
    assert b["result"] == "fail"
    c = rows.loc[("430200", 2019, "2.A.1", "NOx")]                         # nothing estimated for cement
    assert c["value"] == pytest.approx(300.0) and pd.isna(c["reference"]) and pd.isna(c["diff_pct"])
    assert c["result"] == "warn"                                            # no reference: no difference (DESIGN 3.8)


def test_facility_of_a_region_not_built_is_not_compared(tmp_path):
    folder = tmp_path / "data"
    write_workbook(folder / "activity.xlsx", coal("湖南", 2019, 150) + coal("长沙", 2019, 100))
    write_workbook(folder / "facility.xlsx", [["长沙", 2019, "电厂甲", "1.A.1.a", "原煤", "SO2", 9000, "t", "", ""],
                                              ["湖南", 2019, "电厂乙", "1.A.1.a", "原煤", "SO2", 30000, "t", "", ""]],
                   headers=FACILITY_HEADERS)
    inputs, _ = read_inputs([folder], {"430000", "430100"})
    r = compile_inventory(inputs, load_all(), built={"430000"})
    rows = rows_of(r, "facility")
    # Only the province is reported: 30 000 t against 150e4 × 0.016 = 24 000 t: +25 %, partial coverage,
    # between the default warn (10 %) and fail (30 %) thresholds.
    assert list(rows.index) == [("430000", 2019, "1.A.1.a/raw_coal", "SO2")]
    assert rows["reference"].iloc[0] == pytest.approx(24000.0) and rows["diff_pct"].iloc[0] == pytest.approx(25.0)
    assert rows["result"].iloc[0] == "warn"


def test_facility_rows_outside_the_selection_are_skipped_with_a_warning(tmp_path):
    path = write_workbook(tmp_path / "facility.xlsx",
                          [["长沙", 2019, "电厂甲", "1.A.1.a", "原煤", "SO2", 100, "t", "", ""],
                           ["长沙", 2018, "电厂甲", "1.A.1.a", "原煤", "SO2", 100, "t", "", ""],
                           [None] * 10,
                           ["株洲", 2019, "电厂乙", "1.A.1.a", "原煤", "SO2", 100, "t", "", ""]],
                          headers=FACILITY_HEADERS)
    inputs, _ = read_inputs([path], {"430100"}, {2019}, warn_not_selected=True)
    assert list(inputs.ledger["status"]) == ["used", "skipped", "skipped", "skipped"]
    assert list(inputs.ledger["reason"]) == ["", "not_selected", "blank", "not_selected"]
    assert inputs.counts() == {"read": 4, "used": 1, "skipped": 3, "rejected": 0}
    assert sorted((w.row, w.column) for w in inputs.warnings) == [(3, "年份 (B)"), (5, "地区 (A)")]
    assert list(inputs.facility["region"]) == ["430100"]


def test_facility_partial_excess_within_tolerance_warns(tmp_path):
    facility = [["长沙", 2019, "电厂甲", "1.A.1.a", "原煤", "SO2", 17000, "t", "", "CEMS"]]
    r, _ = build(tmp_path, coal("长沙", 2019, 100), facility, {"facility": {"warn": 0.05, "fail": 0.20}})
    a = rows_of(r, "facility").loc[("430100", 2019, "1.A.1.a/raw_coal", "SO2")]
    assert a["diff_pct"] == pytest.approx(6.25) and a["result"] == "warn"   # 17 000 vs 16 000: +6.25 %


def test_malformed_facility_sheet_is_located_and_exits_2(tmp_path):
    path = write_workbook(tmp_path / "facility.xlsx",
                          [["长沙", 2019, "电厂甲", "1.A.1.a", "原煤", "SO2", 100, "t", "", ""],
                           ["长沙", 2019, "电厂乙", "1.A.1.a", "原煤", "SOX", "很多", "GJ", "", ""],
                           ["长沙", 2019, "", "1.A.1.a", "原煤", "SO2", -5, "t", "", ""]],
                          headers=FACILITY_HEADERS_EN, sheet="permits")
    result = CliRunner().invoke(app, ["validate", str(path), "--lang", "en", "--format", "json"])
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    found = {(p["sheet"], p["row"], p["column"], p["value"], p["message"]) for p in problems}
    assert ("permits", 3, "substance (F)", "SOX", "unknown substance") in found
    assert ("permits", 3, "emission (G)", "很多", "not a number") in found
    assert ("permits", 3, "unit (H)", "GJ", "unit is not a mass") in found
    assert ("permits", 4, "facility (C)", "", "facility is empty") in found
    assert ("permits", 4, "emission (G)", "-5", "negative emission") in found
    assert all(p["file"].endswith("facility.xlsx") and p["expected"] for p in problems)
    text = CliRunner().invoke(app, ["validate", str(path), "--lang", "en"])
    assert text.exit_code == 2 and "Traceback" not in text.output and "unknown substance" in text.output


# --- GHG–pollutant consistency ---------------------------------------------------------------

NCV = [["长沙", "", "", "原煤", "", 20, "GJ/t", "低位发热量", "化验", ""]]   # 20 GJ/t = 0.02 TJ/t


def test_consistency_passes_when_every_substance_rests_on_the_same_amount(tmp_path):
    r, _ = build(tmp_path, coal("长沙", 2019, 100) + coal("长沙", 2020, 50) + NCV)
    rows = rows_of(r, "ghg_pollutant_consistency")
    a = rows.loc[("430100", 2019, "1.A.1.a/raw_coal")]
    assert len(a) == 1
    # CO2 rests on 100e4 t × 0.02 TJ/t = 20 000 TJ; every pollutant on the same coal, on the TJ basis.
    assert a["reference"].iloc[0] == pytest.approx(20000.0) and a["value"].iloc[0] == pytest.approx(20000.0)
    assert rows.loc[("430100", 2020, "1.A.1.a/raw_coal"), "reference"].iloc[0] == pytest.approx(10000.0)
    assert set(rows["result"]) == {"pass"}


def test_consistency_fails_when_a_pollutant_rests_on_another_amount(tmp_path):
    r, inputs = build(tmp_path, coal("长沙", 2019, 100) + coal("株洲", 2019, 50) + coal("湘潭", 2019, 0) + NCV)
    table = pd.concat([load_all(), local_to_long(inputs.params)], ignore_index=True)
    e = r.emissions.copy()
    # A method that took 90 万吨 for SO2 while CO2 took 100 万吨 (the bug this check is for).
    bad = (e["region"] == "430100") & (e["substance"] == "SO2")
    e.loc[bad, "activity_amount"] = 90e4
    # 株洲's coal without pollutants: greenhouse gases only.
    e = e[~(e["region"].isin(["430200", "430300"]) & (e["substance_kind"] == "pollutant"))]
    rows = ghg_pollutant_consistency(e, table, {"warn": 0.001, "fail": 0.01}).set_index(["region", "category"])
    a = rows.loc[("430100", "1.A.1.a/raw_coal")]
    assert a["substance"] == "SO2"
    assert (a["value"], a["reference"]) == pytest.approx((90e4 * 0.02, 100e4 * 0.02))   # 18 000 vs 20 000 TJ
    assert a["diff_pct"] == pytest.approx(-10.0) and a["result"] == "fail"
    b = rows.loc[("430200", "1.A.1.a/raw_coal")]
    assert b["substance"] == "CO2" and pd.isna(b["reference"]) and b["result"] == "warn"
    zero = rows.loc[("430300", "1.A.1.a/raw_coal")]                 # no coal burnt: nothing to be missing
    assert zero["value"] == 0 and zero["result"] == "pass"


# --- fuel implied by SO2 ---------------------------------------------------------------------

def test_so2_implied_fuel_passes(tmp_path):
    # A local ef.SO2 of 16 kg/t = 2 × 1 % × (1 − 0.2): the SO2 implies exactly the coal reported.
    activity = coal("长沙", 2019, 100) + [["长沙", 2019, "1.A.1.a", "原煤", "", 16, "kg/t", "ef.SO2", "监测", ""]]
    facility = [["株洲", 2019, "电厂丙", "1.A.1.a", "原煤", "SO2", 4000, "t", "", "排污许可"]]
    # 湘潭 burns its coal behind FGD with a local removal efficiency of 90 % on top of the local ef.SO2.
    fgd = [["湘潭", 2019, "1.A.1.a", "原煤", "fgd", 20, "万吨", "", "统计局", ""],
           ["湘潭", 2019, "1.A.1.a", "原煤", "", 1, "%", "含硫率", "化验", ""],
           ["湘潭", 2019, "1.A.1.a", "原煤", "", SR, "", "sulfur_retention", "化验", ""],
           ["湘潭", 2019, "1.A.1.a", "原煤", "", 16, "kg/t", "ef.SO2", "监测", ""],
           ["湘潭", 2019, "1.A.1.a", "原煤", "fgd", 90, "%", "removal_efficiency.SO2", "监测", ""]]
    r, _ = build(tmp_path, activity + coal("株洲", 2019, 50) + fgd, facility)
    rows = rows_of(r, "so2_implied_fuel")
    # E = 16 kg/t × 20e4 t × (1 − 0.9) = 320 t; fuel = 320 / (2 × 0.01 × 0.8 × 0.1) = 200 000 t.
    c = rows.loc[("430300", 2019, "1.A.1.a/raw_coal/fgd", "SO2")]
    assert (c["value"], c["reference"]) == pytest.approx((320 / (SO2_PER_T * 0.1), 20e4))
    assert c["result"] == "pass"
    a = rows.loc[("430100", 2019, "1.A.1.a/raw_coal", "SO2")]
    # E = 16 kg/t × 100e4 t = 16 000 t; fuel = 16 000 / (2 × 0.01 × 0.8) = 1 000 000 t.
    assert (a["value"], a["reference"]) == pytest.approx((16000 / SO2_PER_T, 100e4))
    assert a["diff_pct"] == pytest.approx(0.0, abs=1e-9) and a["result"] == "pass"
    # 株洲's facilities (partial): 4 000 t SO2 imply 4 000 / 0.016 = 250 000 t of its 500 000 t.
    b = rows.loc[("430200", 2019, "1.A.1.a/raw_coal", "SO2")]
    assert (b["value"], b["reference"]) == pytest.approx((250000.0, 50e4))
    assert b["diff_pct"] == pytest.approx(-50.0) and b["result"] == "pass"


def test_so2_implied_fuel_fails(tmp_path):
    activity = coal("长沙", 2019, 100) + [["长沙", 2019, "1.A.1.a", "原煤", "", 8, "kg/t", "ef.SO2", "监测", ""]]
    facility = [["株洲", 2019, "电厂丙", "1.A.1.a", "原煤", "SO2", 12000, "t", "全部", "排污许可"]]
    r, _ = build(tmp_path, activity + coal("株洲", 2019, 50), facility,
                 {"so2_implied_fuel": {"warn": 0.1, "fail": 0.3}})
    rows = rows_of(r, "so2_implied_fuel")
    a = rows.loc[("430100", 2019, "1.A.1.a/raw_coal", "SO2")]
    # E = 8 kg/t × 100e4 t = 8 000 t -> 8 000 / 0.016 = 500 000 t against 1 000 000 t reported.
    assert a["value"] == pytest.approx(500000.0) and a["diff_pct"] == pytest.approx(-50.0)
    assert a["result"] == "fail"
    b = rows.loc[("430200", 2019, "1.A.1.a/raw_coal", "SO2")]
    assert b["value"] == pytest.approx(12000 / SO2_PER_T)          # 750 000 t against 500 000 t: +50 %
    assert b["diff_pct"] == pytest.approx(50.0) and b["result"] == "fail"


def test_so2_implied_fuel_uses_the_control_penetration(tmp_path):
    """A plant's SO2 is after control: where the key gives no removal efficiency, the fuel it implies is
    worked out with the controlled factor the inventory uses (shipped penetration, CEC end-2011 75.73 % FGD
    carried forward, T/CSES Table A.1 limestone-gypsum η 80 %)."""
    zhuzhou = [row for row in coal("株洲", 2019, 50) if row[7] != "removal_efficiency.SO2"]
    facility = [["株洲", 2019, "电厂丙", "1.A.1.a", "原煤", "SO2", 4000, "t", "", "排污许可"]]
    r, _ = build(tmp_path, zhuzhou, facility)
    b = rows_of(r, "so2_implied_fuel").loc[("430200", 2019, "1.A.1.a/raw_coal", "SO2")]
    # 4 000 / (2 × 0.01 × (1 − 0.2) × (1 − 0.7573 × 0.80)) = 4 000 / 0.00630656 = 634 260 t of 500 000 t:
    # +26.9 %, an excess of a partial coverage: warn.
    assert b["value"] == pytest.approx(4000 / (SO2_PER_T * (1 - 0.7573 * 0.80)), rel=1e-12)
    assert b["reference"] == pytest.approx(50e4) and b["result"] == "warn"


# --- completeness ----------------------------------------------------------------------------

CHECKED = ["1.A.1", "2.A.1", "3.A.1", "4.A"]


def test_completeness_passes_when_estimated_or_keyed(tmp_path):
    activity = (coal("长沙", 2019, 100) + coal("株洲", 2019, 50)
                + [["长沙", 2019, "2.A.1", "水泥熟料", "", "NO", "", "", "", ""],
                   ["株洲", 2019, "水泥生产", "clinker", "", "IE", "", "", "", ""]])
    settings = {"categories": CHECKED, "keys": {"3.A.1": "NO", "430100": {"4.A": "NA"}, "430200": {"4.A": "C"}}}
    r, inputs = build(tmp_path, activity, thresholds={"completeness": settings})
    rows = rows_of(r, "completeness")
    assert len(rows) == 2 * 4                                       # 2 regions × 4 categories, one year
    assert set(rows["result"]) == {"pass"}
    # 1.A.1 is covered by the estimate of its descendant 1.A.1.a: CO2, CH4, N2O, SO2... counted.
    assert rows.loc[("430100", 2019, "1.A.1", ""), "value"] >= 4
    t = completeness_table(r.emissions, inputs.notation, pd.DataFrame(columns=["region", "year", "category"]),
                           parse_checks({"completeness": settings})[0]["completeness"]["keys"], CHECKED)
    t = t.set_index(["region", "category"])
    assert t.loc[("430100", "2.A.1"), ["status", "key", "key_source"]].tolist() == ["keyed", "NO", "workbook"]
    assert t.loc[("430200", "2.A.1"), ["status", "key", "key_source"]].tolist() == ["keyed", "IE", "workbook"]
    assert t.loc[("430100", "3.A.1"), ["status", "key", "key_source"]].tolist() == ["keyed", "NO", "project"]
    assert t.loc[("430200", "4.A"), ["key", "key_source"]].tolist() == ["C", "project"]
    assert t.loc[("430100", "1.A.1"), ["status", "key"]].tolist() == ["estimated", ""]


def test_completeness_fails_when_neither_estimated_nor_keyed(tmp_path):
    activity = (coal("长沙", 2019, 100) + coal("长沙", 2020, 100)
                + [["长沙", 2019, "2.A.1", "水泥熟料", "", "NE", "", "", "", ""],
                   ["长沙", 2020, "3.A.1", "家禽", "", 100, "万只", "", "", ""]])   # no default factor: build NE
    r, _ = build(tmp_path, activity, thresholds={"completeness": {"categories": CHECKED}})
    rows = rows_of(r, "completeness")["result"]
    assert rows[("430100", 2019, "1.A.1", "")] == "pass"
    assert rows[("430100", 2019, "2.A.1", "")] == "warn"            # keyed NE in the workbook
    assert rows[("430100", 2020, "2.A.1", "")] == "fail"            # NE was given for 2019 only
    assert rows[("430100", 2020, "3.A.1", "")] == "warn"            # activity without a factor: NE by the build
    assert rows[("430100", 2019, "3.A.1", "")] == "fail"
    assert rows[("430100", 2019, "4.A", "")] == "fail" and rows[("430100", 2020, "4.A", "")] == "fail"
    r2, _ = build(tmp_path / "b", activity,
                  thresholds={"completeness": {"categories": CHECKED, "missing": "warn", "not_estimated": "pass"}})
    assert set(rows_of(r2, "completeness")["result"]) == {"pass", "warn"}


def test_issue_17_ne_row_without_activity_is_used_and_shown_in_completeness(tmp_path):
    activity = coal("株洲", 2023, 100) + [["株洲", 2023, "2.A.1", "", "", "NE", "", "", "", ""],
                                         ["株洲", 2023, "1.A.1.a", "", "", "IE", "", "", "", ""]]
    r, inputs = build(tmp_path, activity, thresholds={"completeness": {"categories": ["1.A.1.a", "2.A.1", "4.A"]}})
    assert inputs.counts()["rejected"] == 0 and inputs.counts()["used"] == 6  # coal() gives 4 rows
    table = r.qa_tables["completeness"].set_index(["region", "category"])
    assert table.loc[("430200", "2.A.1"), ["status", "key", "key_source", "result"]].tolist() == \
        ["not_estimated", "NE", "workbook", "warn"]
    # A key given for the category itself wins over the estimate of its activity rows (DESIGN 3.8).
    assert table.loc[("430200", "1.A.1.a"), ["status", "key", "key_source"]].tolist() == ["keyed", "IE", "workbook"]
    assert table.loc[("430200", "4.A"), "status"] == "missing"


def test_completeness_default_categories_are_the_emission_leaves(tmp_path):
    r, _ = build(tmp_path, coal("长沙", 2019, 100))
    rows = rows_of(r, "completeness").reset_index()
    assert "1.A.1.a.i" in set(rows["category"]) and "1.A.1.a" not in set(rows["category"])
    assert "1.A.3.a.i" not in set(rows["category"]) and "stat" not in set(rows["category"])   # memo, statistics
    # DESIGN 3.8 (issue 18): a row at 1.A.1.a does not make its children estimated; they are listed as not
    # estimated (here the build's NE for a substance of 1.A.1.a comes first; else `in_parent`), never passed
    parent = r.qa_tables["completeness"].set_index("category").loc[["1.A.1.a.i", "1.A.1.a.ii", "1.A.1.a.iii"]]
    assert set(parent["status"]) <= {"in_parent", "not_estimated"} and set(parent["result"]) == {"warn"}
    assert "pass" not in set(rows["result"])


def test_completeness_keys_in_the_project_file(tmp_path):
    checks, _ = parse_checks({"completeness": {"keys": {"己二酸生产": "no", "430100": {"2.C.3": "NA"}}}})
    assert checks["completeness"]["keys"] == [{"region": "", "category": "2.B.3", "key": "NO"},
                                              {"region": "430100", "category": "2.C.3", "key": "NA"}]
    with pytest.raises(UsageError) as err:
        parse_checks({"completeness": {"keys": {"2.B.3": "MAYBE", "9.Z": "NO", "火星": {"2.C.3": "NA"}},
                                       "missing": "panic"},
                      "year_jump": {"warn": 0.5, "fail": 0.3, "min_share": -1}}, "inventory.toml")
    found = {(p.column, p.value, p.code) for p in err.value.problems}
    assert ("checks.completeness.keys.2.B.3", "MAYBE", "unknown_notation_key") in found
    assert ("checks.completeness.keys.9.Z", "9.Z", "unknown_category") in found
    assert ("checks.completeness.keys.火星", "火星", "unknown_region") in found
    assert ("checks.completeness.missing", "panic", "invalid_setting") in found
    assert ("checks.year_jump.warn", "0.5", "invalid_setting") in found
    assert ("checks.year_jump.min_share", "-1", "invalid_setting") in found
    assert all(p.file == "inventory.toml" for p in err.value.problems)
    toml = tmp_path / "inventory.toml"
    toml.write_text('[project]\ninputs = ["data/"]\n[checks.completeness.keys]\n"2.B.3" = "XX"\n', encoding="utf-8")
    with pytest.raises(UsageError):
        load_project(toml)
    write_workbook(tmp_path / "data" / "a.xlsx", coal("长沙", 2019, 1))
    result = CliRunner().invoke(app, ["build", str(toml), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output


# --- year-to-year jumps ----------------------------------------------------------------------

def test_year_jump_passes(tmp_path):
    activity = coal("长沙", 2019, 100) + coal("长沙", 2020, 105) + coal("株洲", 2019, 50) + coal("株洲", 2021, 47.5)
    r, _ = build(tmp_path, activity, thresholds={"year_jump": {"warn": 0.10, "fail": 0.30}})
    rows = rows_of(r, "year_jump")
    a = rows.loc[("430100", 2020, "1.A.1.a", "SO2")]
    # SO2 = 0.016 × coal: 16 000 t in 2019, 16 800 t in 2020: +5 %.
    assert (a["value"], a["reference"]) == pytest.approx((105e4 * SO2_PER_T, 100e4 * SO2_PER_T))
    assert a["diff_pct"] == pytest.approx(5.0) and a["result"] == "pass"
    # 株洲 has 2019 and 2021: they are consecutive in its series; −5 %.
    b = rows.loc[("430200", 2021, "1.A.1.a", "SO2")]
    assert b["diff_pct"] == pytest.approx(-5.0) and b["result"] == "pass"
    assert ("430100", 2019, "1.A.1.a", "SO2") not in rows.index          # no year before the first
    assert rows.loc[("430100", 2020, "1.A.1.a", "CO2"), "diff_pct"] == pytest.approx(5.0)
    assert set(rows["result"]) == {"pass"}


def test_year_jump_fails(tmp_path):
    activity = (coal("长沙", 2019, 100) + coal("长沙", 2020, 120) + coal("长沙", 2021, 60)
                + coal("株洲", 2019, 50) + coal("株洲", 2020, 50, category="1.A.2.a"))
    r, _ = build(tmp_path, activity, thresholds={"year_jump": {"warn": 0.10, "fail": 0.30}})
    rows = rows_of(r, "year_jump")
    assert rows.loc[("430100", 2020, "1.A.1.a", "SO2"), "result"] == "warn"      # +20 %
    a = rows.loc[("430100", 2021, "1.A.1.a", "SO2")]
    assert a["diff_pct"] == pytest.approx((60 - 120) / 120 * 100) and a["result"] == "fail"   # −50 %
    # 株洲 moved its coal from 1.A.1.a to 1.A.2.a: 1.A.1.a falls to 0 (−100 %), 1.A.2.a appears from 0.
    gone = rows.loc[("430200", 2020, "1.A.1.a", "SO2")]
    assert gone["value"] == 0 and gone["diff_pct"] == pytest.approx(-100.0) and gone["result"] == "fail"
    new = rows.loc[("430200", 2020, "1.A.2.a", "SO2")]
    assert new["reference"] == 0 and pd.isna(new["diff_pct"]) and new["result"] == "warn"  # no difference from 0


def test_year_jump_of_a_small_category_is_a_warning(tmp_path):
    """长沙: 1.A.1.a 1000 万吨 both years; 1.A.2.a 5 -> 10 万吨 (+100 %). 1.A.2.a's SO2 is 0.5 % and
    1 % of the region's SO2 (5/1005 and 10/1010): below min_share 2 % in both years -> warn, not fail;
    with min_share 0.5 % it is not small in 2020 (10/1010 = 0.99 %) -> fail."""
    activity = (coal("长沙", 2019, 1000) + coal("长沙", 2020, 1000) + coal("长沙", 2019, 5, category="1.A.2.a")
                + coal("长沙", 2020, 10, category="1.A.2.a"))
    r, _ = build(tmp_path, activity, thresholds={"year_jump": {"warn": 0.10, "fail": 0.30, "min_share": 0.02}})
    a = rows_of(r, "year_jump").loc[("430100", 2020, "1.A.2.a", "SO2")]
    assert a["diff_pct"] == pytest.approx(100.0) and a["result"] == "warn"
    r, _ = build(tmp_path, activity, thresholds={"year_jump": {"warn": 0.10, "fail": 0.30, "min_share": 0.005}})
    assert rows_of(r, "year_jump").loc[("430100", 2020, "1.A.2.a", "SO2"), "result"] == "fail"


def test_check_names_have_labels_in_both_languages():
    from inventory import resources
    from inventory.qa.checks import CHECKS

    labels = resources.data_table("labels.csv").set_index("key")
    names = {"province_vs_prefectures", "province_vs_prefectures_fuel", "reference_approach", "external_ceads",
             "external_official", "facility", "ghg_pollutant_consistency", "so2_implied_fuel", "completeness", "year_jump"}
    for name in names:
        assert labels.loc[f"check_{name}", "zh"] and labels.loc[f"check_{name}", "en"]
    assert len(CHECKS) == len(names)  # every registered check is one of the labelled ones


# --- the checks at scale: whole columns, shared work -----------------------------------------

def test_amounts_of_a_build_are_computed_once_for_every_check(tmp_path, monkeypatch):
    from inventory.qa import amounts

    calls = []
    real = amounts.key_amounts
    monkeypatch.setattr(amounts, "key_amounts", lambda *a, **k: calls.append(1) or real(*a, **k))
    activity = coal("长沙", 2019, 100) + [["长沙", 2019, "1.A.1.a", "原煤", "", 16, "kg/t", "ef.SO2", "监测", ""]]
    r, _ = build(tmp_path, activity + NCV)
    assert len(calls) == 1          # the consistency check and the SO2 check read the same key amounts
    assert rows_of(r, "so2_implied_fuel").loc[("430100", 2019, "1.A.1.a/raw_coal", "SO2"), "result"] == "pass"
    assert set(rows_of(r, "ghg_pollutant_consistency")["result"]) == {"pass"}


def test_parts_are_compared_at_every_level_in_one_pass():
    """Province 430000 (own 100 t) against its prefectures 430100 (own 60 t) and 430200 (35 t); 430100 against
    its counties 430102 (25 t) and 430103 (30 t), one of which also burns gas the prefecture does not."""
    from inventory.qa import reconcile

    def row(region, activity, emission):
        return {"region": region, "year": 2020, "category": "1.A.1.a", "activity": activity, "substance": "CO2",
                "emission": emission, "basis": "own"}
    e = pd.DataFrame([row("430100", "raw_coal", 60.0), row("430103", "raw_coal", 30.0),
                      row("430000", "raw_coal", 100.0), row("430102", "raw_coal", 25.0),
                      row("430200", "raw_coal", 35.0), row("430102", "natural_gas", 4.0)])
    whole = reconcile.province_vs_prefectures(e)
    assert list(whole["region"]) == ["430000", "430100"]
    assert list(whole["value"]) == [100.0, 60.0]
    assert list(whole["reference"]) == [95.0, 59.0]            # 60 + 35; 25 + 30 + 4 (gas counted in the whole)
    assert list(whole["diff_pct"]) == pytest.approx([5 / 95 * 100, 1 / 59 * 100])
    assert list(whole["result"]) == ["fail", "pass"]           # 5.3 % > 5 %; 1.7 % < 2 %
    fuel = reconcile.province_vs_prefectures(e, per_fuel=True)
    # Each region's own fuels first, then the fuel only its parts burn (value 0).
    assert list(zip(fuel["region"], fuel["category"], fuel["value"], fuel["reference"])) == [
        ("430000", "1.A.1.a:raw_coal", 100.0, 95.0), ("430100", "1.A.1.a:raw_coal", 60.0, 55.0),
        ("430100", "1.A.1.a:natural_gas", 0.0, 4.0)]
