"""Issue 11: one relative difference for every check, and every figure computed once in the pipeline.

Province 100, prefectures 60 + 35: the province differs from the sum of its parts by
(100 − 95) / |95| = +5.263 % (DESIGN 3.8), in checks.csv, the workbook and the report alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from inventory.qa.grading import difference_pct, grade, relative_difference


def test_issue_11_relative_difference_is_against_the_reference():
    value = pd.Series([100.0, 95.0, -20.0, 5.0, 0.0, 0.0, np.nan, 7.0])
    reference = pd.Series([95.0, 100.0, -10.0, 0.0, 0.0, 4.0, 3.0, np.nan])
    diff = relative_difference(value, reference)
    # by hand: 5/95, −5/100, (−20 + 10)/|−10|, then no difference for a zero or missing reference
    assert diff.tolist()[:3] == pytest.approx([5 / 95, -0.05, -1.0])
    assert diff.iloc[3:5].isna().all() and diff.iloc[7:].isna().all()
    assert diff.iloc[5] == pytest.approx(-1.0) and np.isnan(diff.iloc[6])
    assert difference_pct(value, reference).iloc[0] == pytest.approx(5.2631578947)


def test_issue_11_grade_warns_without_a_reference():
    value = pd.Series([100.0, 101.0, 5.0, 0.0, 0.0, np.nan, 3.0, 80.0])
    reference = pd.Series([95.0, 100.0, 0.0, 0.0, np.nan, 4.0, np.nan, 100.0])
    result = grade(value, reference, warn=0.02, fail=0.05)
    # +5.26 % > 5 %: fail; +1 %: pass; zero reference: warn; nothing on either side: pass;
    # a value that could not be worked out: warn; a value without a reference: warn; −20 %: fail
    assert result.tolist() == ["fail", "pass", "warn", "pass", "pass", "warn", "warn", "fail"]
    # only an excess counts: −20 % passes, +5.26 % still fails
    assert grade(value, reference, 0.02, 0.05, excess_only=True).tolist()[-1] == "pass"
    assert grade(value, reference, 0.02, 0.05, excess_only=True).tolist()[0] == "fail"


# ---------------------------------------------------------------- end to end: one number everywhere

# Province 100 万吨 raw coal in 1.A.1.a, its prefectures 60 + 35 万吨: the same fuel, category and
# factors, so every substance (and CO2e) of the province is 100/95 of its prefectures' sum.
ROWS_100_95 = [["430000", 2019, "1.A.1.a", "原煤", "", 100, "万吨", "", "统计局", ""],
               ["430100", 2019, "1.A.1.a", "原煤", "", 60, "万吨", "", "统计局", ""],
               ["430200", 2019, "1.A.1.a", "原煤", "", 35, "万吨", "", "统计局", ""]]
PCT_100_95 = (100 - 95) / 95 * 100  # +5.263 %, by hand (DESIGN 3.8)


def _region_sheet_pct(path: Path) -> dict[str, object]:
    """The workbook's region-comparison sheet (地区对比): the difference-% row as header -> cell."""
    sheet = openpyxl.load_workbook(path)["地区对比"]
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    pct = next(r for r in rows if r[2].value == "差值（%）")
    return {h.split(" ")[0]: c for h, c in zip(headers, pct)}


def test_issue_11_province_100_against_prefectures_95_is_one_number_everywhere(tmp_path):
    from typer.testing import CliRunner

    from conftest import write_workbook
    from inventory.cli import app

    data = write_workbook(tmp_path / "data" / "energy.xlsx", ROWS_100_95)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(data.parent), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for folder in (out, out / "430000"):  # the combined files and the province's own
        checks = pd.read_csv(folder / "checks.csv", encoding="utf-8-sig", dtype={"region": str})
        mine = checks[(checks["check"] == "province_vs_prefectures") & (checks["category"] == "1.A.1.a")]
        assert len(mine) > 3 and mine["diff_pct"].tolist() == pytest.approx([PCT_100_95] * len(mine))
        assert set(mine["result"]) == {"fail"}  # above the default 5 %
        row = mine[mine["substance"] == "CO2"].iloc[0]
        assert row["value"] / row["reference"] == pytest.approx(100 / 95)
        cells = _region_sheet_pct(folder / "inventory.xlsx")
        for substance in ("CO2", "CH4", "N2O", "CO2e"):
            assert cells[substance].value == pytest.approx(PCT_100_95)
            assert cells[substance].number_format == "+0.00;-0.00;0.00"  # shown as +5.26
        page = (folder / "report.html").read_text(encoding="utf-8")
        region_table = page[page.index("差值（%）"):]
        assert region_table.count("+5.26%") >= 4 and "5.00%" not in page and "+5.0%" not in page
        assert page.count("<td class=\"num\">+5.26%</td>") >= len(mine) + 4  # checks table and region table


def test_issue_11_zero_reference_gives_no_difference_and_a_warning(compile_):
    """Province diesel in 1.A.2.a, none in its prefectures: the sum of the parts is 0 t."""
    r = compile_(ROWS_100_95 + [["430000", 2019, "1.A.2.a", "柴油", "", 10, "万吨"]],
                 regions={"430000", "430100", "430200"})
    c = r.checks[(r.checks["check"] == "province_vs_prefectures") & (r.checks["category"] == "1.A.2.a")]
    assert len(c) and (c["reference"] == 0).all() and c["diff_pct"].isna().all()
    assert set(c["result"]) == {"warn"}
    # the region comparison's difference in % of the prefectures' sum: the same computation
    comp = r.figures["region_comparison"].set_index("row_type")
    total, summed = comp.loc["province_total", "CO2"], comp.loc["prefecture_sum", "CO2"]
    assert comp.loc["difference_pct", "CO2"] == pytest.approx((total - summed) / summed * 100)
