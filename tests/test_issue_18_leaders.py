"""Issue 18 as a city team meets it: a one-year build of 株洲 2023 with GDP and population rows gives a
summary page of key figures (report and the workbook's first sheet) with intensities worked by hand."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from inventory.cli import app
from test_city_workbook import city_workbook

runner = CliRunner()
GDP_YI = 3900.0       # 亿元, the workbook's GDP row (input data of the test, not a factor)
POPULATION_WAN = 383.6  # 万人


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zhuzhou")
    book = city_workbook(tmp / "data" / "zhuzhou.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["化石燃料燃烧"]
    ws.append(["株洲", 2023, "stat", "地区生产总值", "", GDP_YI, "亿元", "", "统计公报", ""])
    ws.append(["株洲", 2023, "stat", "常住人口", "", POPULATION_WAN, "万人", "", "统计公报", ""])
    wb.save(book)
    out = tmp / "out"
    result = runner.invoke(app, ["build", str(book.parent), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_issue_18_one_year_intensities_by_hand(built):
    e = pd.read_csv(built / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    gross = e.loc[e["kind"] == "emission", "co2e_t"].sum()
    book = openpyxl.load_workbook(built / "inventory.xlsx", read_only=True)
    assert book.sheetnames[0] == "摘要"
    rows = {r[3]: r[4] for r in book["摘要"].iter_rows(min_row=2, values_only=True)}
    per_capita = gross / (POPULATION_WAN * 1e4)          # t CO2e per 人
    per_gdp = gross / (GDP_YI * 1e4)                     # t CO2e per 万元 (1 亿元 = 1e4 万元)
    assert float(rows["人均排放"].split()[0]) == pytest.approx(per_capita, rel=1e-2)
    assert float(rows["单位地区生产总值排放（碳排放强度）"].split()[0]) == pytest.approx(per_gdp, rel=1e-2)
    assert rows["第1大排放源"].startswith("1.A.2 制造业和建筑业")
    assert "SO2" in rows["主要大气污染物（吨）"]


def test_issue_18_report_summary_page(built):
    html = (built / "report.html").read_text(encoding="utf-8")
    assert "<h1>株洲市2023年温室气体与大气污染物排放清单报告</h1>" in html
    assert re.search(r"生成时间: \d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00", html)    # local time, Asia/Shanghai
    summary = html[html.index('<section id="key-figures">'):html.index("</section>")]
    assert "按常住人口计算，平均每人每年排放约" in summary and "每创造1万元地区生产总值" in summary
    assert "@page { size: A4" in html and '<section id="qa" class="appendix">' in html


def test_issue_18_without_statistics_the_intensities_say_why(tmp_path):
    book = city_workbook(tmp_path / "data" / "zhuzhou.xlsx")
    result = runner.invoke(app, ["build", str(book.parent), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = {r[3]: (r[4], r[5]) for r in openpyxl.load_workbook(tmp_path / "out" / "inventory.xlsx",
                                                              read_only=True)["摘要"].iter_rows(values_only=True)}
    assert rows["人均排放"][0] == "—" and "常住人口" in rows["人均排放"][1]
