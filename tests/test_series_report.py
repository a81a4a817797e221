"""Time series, intensities and the analysis sections in the workbook and report (issues 5 and 6),
from a small project built end to end; numbers checked by hand."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from conftest import compile_rows
from inventory.analysis.targets import load_targets
from inventory.report import excel, html

# 长沙: natural gas 1 亿立方米 in 2018 and 2 in 2019; GDP 100 and 110 亿元; population 800 万人.
ROWS = [["长沙", 2018, "1.A.4.b", "天然气", "", 1, "亿立方米", "", "统计局", ""],
        ["长沙", 2019, "1.A.4.b", "天然气", "", 2, "亿立方米", "", "统计局", ""],
        ["长沙", 2018, "stat", "gdp", "", 100, "亿元", "", "统计公报", ""],
        ["长沙", 2019, "stat", "gdp", "", 110, "亿元", "", "统计公报", ""],
        ["长沙", 2018, "stat", "population", "", 800, "万人", "", "统计公报", ""],
        ["长沙", 2019, "stat", "population", "", 800, "万人", "", "统计公报", ""]]
TARGETS = """
[[indicator]]
id = "carbon_intensity"
name_zh = "单位地区生产总值二氧化碳排放"
name_en = "CO2 per unit of GDP"
kind = "intensity"
direction = "down"
numerator = { substance = "CO2" }
denominator = { activity = "gdp" }
unit = "t/万元"
base_year = 2018
target_year = 2020
change_pct = -10
source = "test"
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("series")
    (tmp / "t.toml").write_text(TARGETS, encoding="utf-8")
    return compile_rows(tmp, ROWS, targets=load_targets(tmp / "t.toml"))


def value(long, group, item, year):
    row = long[(long["region"] == "430100") & (long["group"] == group) & (long["item"] == item)
               & (long["year"] == year)]
    assert len(row) == 1, (group, item, year)
    return float(row["value"].iat[0])


def test_intensities_divide_the_totals_by_the_statistics(result):
    e = result.emissions
    co2 = {y: e[(e["year"] == y) & (e["substance"] == "CO2")]["emission"].sum() for y in (2018, 2019)}
    co2e = {y: e[(e["year"] == y) & (e["kind"] == "emission")]["co2e_t"].sum() for y in (2018, 2019)}
    nox = {y: e[(e["year"] == y) & (e["substance"] == "NOx")]["emission"].sum() for y in (2018, 2019)}
    # Gas use doubles, so every substance doubles (same factors both years).
    assert co2[2019] == pytest.approx(2 * co2[2018])
    long = result.figures["series"]
    # GDP 100 亿元 = 1e6 万元; population 800 万人 = 8e6 人; pollutants in kg per 万元.
    assert value(long, "intensity", "CO2/gdp", 2018) == pytest.approx(co2[2018] / 1e6)
    assert value(long, "intensity", "CO2/gdp", 2019) == pytest.approx(co2[2019] / 1.1e6)
    assert value(long, "intensity", "CO2e/population", 2019) == pytest.approx(co2e[2019] / 8e6)
    assert value(long, "intensity", "NOx/gdp", 2019) == pytest.approx(nox[2019] * 1e3 / 1.1e6)
    assert value(long, "sector", "gross", 2019) == pytest.approx(co2e[2019])
    assert value(long, "substance", "CO2", 2018) == pytest.approx(co2[2018])


def test_build_runs_cocontrol_and_targets(result):
    c = result.analysis["cocontrol"]
    total = c[(c["region"] == "430100") & (c["category"] == "total") & (c["substance"] == "NOx")]
    # both double: +100 % each, elasticity 1, both up
    assert total["change_pct"].iat[0] == pytest.approx(100) and total["co2e_change_pct"].iat[0] == pytest.approx(100)
    assert total["elasticity"].iat[0] == pytest.approx(1) and total["quadrant"].iat[0] == "both_up"
    t = result.analysis["targets"].set_index("year")
    e = result.emissions
    base = e[(e["year"] == 2018) & (e["substance"] == "CO2")]["emission"].sum() / 1e6
    latest = e[(e["year"] == 2019) & (e["substance"] == "CO2")]["emission"].sum() / 1.1e6
    # path 2019 = base + (0.9 base - base) x 1/2 = 0.95 base; the value 2/1.1 base is worse -> off track
    assert t.at[2019, "path_value"] == pytest.approx(0.95 * base)
    assert t.at[2019, "value"] == pytest.approx(latest) and t.at[2019, "status"] == "off_track"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbook_has_the_analysis_sheets(result, tmp_path, lang):
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path, lang)
    book = openpyxl.load_workbook(path, read_only=True)
    expected = {"zh": ["时间序列", "目标跟踪", "协同控制", "关键类别"],
                "en": ["Time series", "Targets", "Co-control", "Key categories"]}[lang]
    assert set(expected) <= set(book.sheetnames)
    rows = list(book[expected[0]].iter_rows(values_only=True))
    assert rows[1][4:6] == ("2018", "2019")  # one column per year after the note and the labels
    gross = next(r for r in rows if r[0] == "430100" and r[2] in ("温室气体排放总量（不含碳汇）",
                                                                 "Gross GHG emissions (sinks excluded)"))
    e = result.emissions
    assert gross[4] == pytest.approx(e[(e["year"] == 2018) & (e["kind"] == "emission")]["co2e_t"].sum())


def test_report_shows_series_targets_and_cocontrol(result):
    page = html.render_html(result, "zh")
    for title in ("各地区排放时间序列与排放强度", "目标指标跟踪", "减污降碳协同控制效应", "关键类别分析"):
        assert title in page
    assert "进度滞后" in page  # the off-track status of 2019
    assert page.count("<svg") >= 4
    assert "<script" not in page and "src=" not in page and "https://" not in page  # nothing to fetch


def test_target_reasons_are_translated():
    from inventory.report.views import _target_reason

    assert _target_reason("target_no_numerator|scrap_steel", "zh") == "分子无数据（scrap_steel）"
    assert _target_reason("target_before_base_year|", "zh") == "早于基年"
    assert _target_reason("target_no_denominator|gdp", "en") == "No data for the denominator (gdp)"
    assert _target_reason("|", "zh") == ""
