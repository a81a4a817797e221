"""Issue 18 as a city team meets it: a one-year build of 株洲 2023 with GDP and population rows gives a
summary page of key figures (report and the workbook's first sheet) with intensities worked by hand."""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from inventory.cli import app
from test_city_workbook import city_workbook

runner = CliRunner()
GDP_YI = 3800.0       # 亿元, the city workbook's own GDP row (test_city_workbook: input data, not a factor)
POPULATION_WAN = 385.0  # 万人, its population row


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zhuzhou")
    book = city_workbook(tmp / "data" / "zhuzhou.xlsx")   # its stat sheet holds the GDP and population rows
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
    emitted = e[e["kind"] == "emission"]
    top = emitted.groupby(emitted["category"].str.split(".").str[:3].str.join("."))["co2e_t"].sum().idxmax()
    assert rows["第1大排放源"].startswith(top + " ")
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
    wb = openpyxl.load_workbook(book)
    del wb["统计指标"]                                       # the city's GDP and population rows
    wb.save(book)
    result = runner.invoke(app, ["build", str(book.parent), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = {r[3]: (r[4], r[5]) for r in openpyxl.load_workbook(tmp_path / "out" / "inventory.xlsx",
                                                              read_only=True)["摘要"].iter_rows(values_only=True)}
    assert rows["人均排放"][0] == "—" and "常住人口" in rows["人均排放"][1]


def _bad_workbook(path):
    """A city workbook with an unknown fuel, an approximate value, a label that looks like a formula and a
    drop-down list on the unit column."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from conftest import HEADERS_ZH
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "化石燃料燃烧"
    ws.append(HEADERS_ZH)
    ws.append(["株洲", 2023, "1.A.2.a 钢铁", "焦煤炭", "", 5, "万吨", "", "统计局", ""])
    ws.append(["株洲", 2023, "1.A.2.a 钢铁", "原煤", "", "约50", "万吨", "", "统计局", ""])
    ws.append(["株洲", 2023, "1.A.2.a 钢铁", "原煤", "", 10, "万吨", "", "=统计局", ""])
    ws["I4"].data_type = "s"                        # a label typed with a leading '=' is text
    lists = DataValidation(type="list", formula1='"万吨,吨,亿立方米"', allow_blank=True)
    ws.add_data_validation(lists)
    lists.add("G2:G100")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_issue_18_validate_out_writes_problems_and_marked_copies(tmp_path):
    book = _bad_workbook(tmp_path / "data" / "zhuzhou.xlsx")
    before = book.read_bytes()
    out = tmp_path / "checked"
    result = runner.invoke(app, ["validate", str(book.parent), "--out", str(out)])
    assert result.exit_code == 2
    assert book.read_bytes() == before                                    # the original is never written
    listed = list(openpyxl.load_workbook(out / "problems.xlsx").active.iter_rows(values_only=True))
    assert listed[0] == ("级别", "文件", "工作表", "行", "列", "单元格内容", "问题", "修改建议")
    rows = {r[3]: r for r in listed[1:]}
    assert rows[2][2:7] == ("化石燃料燃烧", 2, "活动 (D)", "焦煤炭", "未知活动（燃料、产品等）")
    assert "焦炭" in rows[2][7] and rows[3][5] == "约50"
    copy = openpyxl.load_workbook(out / "zhuzhou.checked.xlsx")["化石燃料燃烧"]
    assert copy["D2"].fill.fgColor.rgb.endswith("F8C9C4") and "是否为“焦炭”" in copy["D2"].comment.text
    assert copy["F3"].comment is not None and copy["F4"].comment is None
    assert copy["I4"].value == "=统计局" and copy["I4"].data_type == "s"    # the label stays text
    assert [str(v.sqref) for v in copy.data_validations.dataValidation] == ["G2:G100"]


def test_issue_18_validate_out_in_english_and_json(tmp_path):
    book = _bad_workbook(tmp_path / "data" / "zhuzhou.xlsx")
    out = tmp_path / "checked"
    result = runner.invoke(app, ["validate", str(book.parent), "--out", str(out), "--lang", "en", "--format", "json"])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["outputs"] == [str(out / "problems.xlsx"), str(out / "zhuzhou.checked.xlsx")]
    first = payload["problems"][0]
    assert first["code"] == "unknown_activity" and first["message"] == "unknown activity"
    header = next(openpyxl.load_workbook(out / "problems.xlsx").active.iter_rows(values_only=True))
    assert header[-1] == "Suggestion"


def test_issue_18_completeness_scope_and_parent_rows():
    """DESIGN 3.8: notation-key row > scope > NE; a row at a parent category does not make its children
    estimated; categories outside the scope are listed as not reported and are no check result."""
    from inventory.qa import completeness as c

    emissions = pd.DataFrame({"region": ["430200"], "year": [2023], "category": ["1.A.3"], "substance": ["CO2"],
                              "emission": [1.0]})
    notation = pd.DataFrame({"region": ["430200"], "year": [2023], "category": ["4.A"], "key": ["NO"]})
    table = c.completeness_table(emissions, notation, None, checked=["1.A.3.a.ii", "1.A.3.c", "2.A.1", "4.A", "4.B"],
                                 thresholds={"scope": ["1", "2"]}).set_index("category")
    assert table.loc["1.A.3.a.ii", "status"] == "in_parent" and table.loc["1.A.3.c", "result"] == "warn"
    assert table.loc["2.A.1", ["status", "result"]].tolist() == ["missing", "fail"]
    assert table.loc["4.A", "status"] == "keyed"                     # the workbook's key wins over the scope
    assert table.loc["4.B", "status"] == "not_reported"
    rows = c.check_rows(table.reset_index())
    assert "4.B" not in set(rows["category"]) and set(rows["category"]) == {"1.A.3.a.ii", "1.A.3.c", "2.A.1", "4.A"}


def test_issue_18_build_line_puts_other_failures_first():
    from inventory.cli import _failed_checks

    checks = pd.DataFrame({"check": ["completeness"] * 3 + ["province_vs_prefectures"], "result": ["fail"] * 4})
    line = _failed_checks(checks, "zh")
    assert line.index("province_vs_prefectures 1") < line.index("完整性：3 个")


def test_issue_18_key_figures_change_on_the_previous_year_by_hand():
    from inventory import figures

    def rows(year, co2, so2):
        return [{"region": "430200", "region_name": "株洲市", "year": year, "sector": "energy", "kind": "emission",
                 "basis": "own", "substance": s, "substance_kind": k, "category": "1.A.2.a", "activity": "raw_coal",
                 "emission": v, "co2e_t": v if k == "ghg" else float("nan"), "tier": "T2"}
                for s, k, v in (("CO2", "ghg", co2), ("SO2", "pollutant", so2))]
    e = pd.DataFrame(rows(2022, 1000.0, 10.0) + rows(2023, 900.0, 8.0))
    stats = pd.DataFrame({"region": "430200", "year": [2023, 2023], "activity": ["gdp", "population"],
                          "amount": [2e9, 1e5]})                   # 元 and 人
    kf = figures.compute(e, stats)["key_figures"]
    k = kf[kf["year"] == 2023].set_index("item")
    assert k.loc["gross", "change_pct"] == pytest.approx((900 - 1000) / 1000 * 100)
    assert k.loc["gross", "previous_year"] == 2022
    assert k.loc["per_gdp", "value"] == pytest.approx(900 / 2e5)      # t per 万元: 2e9 元 = 2e5 万元
    assert k.loc["per_capita", "value"] == pytest.approx(900 / 1e5)
    assert k.loc["top_source", "detail"] == "1.A.2" and k.loc["top_source", "share_pct"] == pytest.approx(100)
    assert "per_gdp" not in set(kf.loc[kf["year"] == 2022, "item"])  # no GDP row for 2022: no intensity
