"""Issue 16: sheets as prefecture offices and statistics bureaus keep them (DESIGN 3.3).

Title rows above the header, a header over two rows, notes after the data, `—` for nothing,
`2023年`, `湖南省长沙市`, `3.5万`: every row used, skipped with its reason, or rejected with a
suggestion; a sheet with numbers but no header is an error, never a silent skip.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from inventory import regions, resources, units
from inventory.cli import app
from inventory.read import read_inputs
from inventory.read.magnitudes import national_totals

TITLE = "表1 2023年长沙市分行业能源消费"
HEADER = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "备注"]


def workbook(path, rows, sheet="能源消费", merge=()):
    """An .xlsx written cell by cell as typed (strings stay strings), with merged ranges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for ref in merge:
        ws.merge_cells(ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def office_rows(header=HEADER):
    """The issue's sheet: title, blank row, names and units header rows, data, a note and a source line."""
    return [
        [TITLE],
        [],
        header,
        [None, None, None, None, None, "（吨）", None, None],
        ["湖南省长沙市", "2023年", "1.A.1.a", "原煤", None, 1_200_000, None, None],
        ["长沙市", 2023, "1.A.2", "原煤", None, "—", None, None],
        ["长沙", "2023 年", "1.A.4.b", "液化石油气", None, "3.5万", "吨", None],
        ["长沙", 2023, "1.A.3.b", "柴油", None, 80_000, "吨", "示例"],
        ["注：数据为初步统计数。"],
        ["资料来源：长沙市统计局"],
    ]


def read(tmp_path, rows, **kw):
    inputs, _ = read_inputs([workbook(tmp_path / "in.xlsx", rows, merge=kw.pop("merge", ()))], **kw)
    return inputs


def reasons(inputs):
    return dict(zip(inputs.ledger["row"], inputs.ledger["status"].astype(str) + ":" + inputs.ledger["reason"].astype(str)))


def codes(problems):
    return sorted(p.code for p in problems)


def one_row(tmp_path, value, unit="吨", activity="原煤", region="长沙市", year=2023, category="1.A.1.a", **kw):
    return read(tmp_path, [HEADER, [region, year, category, activity, None, value, unit, None]], **kw)


# --------------------------------------------------------------------------- the issue's "done when"

def test_issue_16_office_workbook_builds_with_every_row_accounted_for(tmp_path):
    path = workbook(tmp_path / "office.xlsx", office_rows(), merge=("A1:H1", "A9:H9"))
    result = CliRunner().invoke(app, ["build", str(path), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == {"read": 8, "used": 2, "skipped": 6, "rejected": 0}
    skipped = {s["row"]: s["reason"] for s in manifest["skipped"]}
    assert skipped == {1: "title", 2: "title", 6: "nil_marker", 8: "example", 9: "note", 10: "note"}
    warned = {(w["row"], w["code"]) for w in manifest["warnings"]}
    assert {(5, "region_read_with_parents"), (5, "year_read_from_text"), (7, "year_read_from_text"),
            (7, "magnitude_suffix_read")} <= warned
    emissions = pd.read_csv(tmp_path / "out" / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    assert {("430100", "raw_coal"), ("430100", "lpg")} <= set(zip(emissions["region"], emissions["activity"]))
    inputs, _ = read_inputs([path])
    amounts = dict(zip(inputs.activity["activity"], inputs.activity["amount"]))
    # 1,200,000 under the units row's 吨; 3.5万 吨 = 3.5 × 10^4 t = 35,000 t.
    assert amounts == {"raw_coal": pytest.approx(1_200_000), "lpg": pytest.approx(35_000)}


def test_issue_16_same_sheet_without_a_recognisable_header_fails_validate_with_exit_2(tmp_path):
    unknown = ["地 区", "年份", "排放源分类", "燃料品种", "技术", "消费量", "计量单位", "备注"]
    rows = office_rows(unknown)
    path = workbook(tmp_path / "office.xlsx", rows[:3] + rows[4:])  # no units row: nothing is a header
    result = CliRunner().invoke(app, ["validate", str(path), "--lang", "en", "--format", "json"])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    sheet_error = next(p for p in report["problems"] if p["code"] == "header_not_found")
    assert sheet_error["sheet"] == "能源消费" and sheet_error["row"] is None
    params = dict(sheet_error["params"])
    assert params["rows"] == "9" and params["best_row"] == "3"
    assert params["missing"] == "排放源类别, 活动, 活动水平"
    hints = {p["value"]: p["suggestion"] for p in report["problems"] if p["code"] == "unknown_header"}
    assert hints["排放源分类"] == "排放源类别"
    assert report["rows"]["rejected"] == report["rows"]["read"] == 8  # every filled row; the blank one is no data
    text = CliRunner().invoke(app, ["validate", str(path), "--lang", "en"])
    assert text.exit_code == 2 and "clean" not in text.output
    build = CliRunner().invoke(app, ["build", str(path), "-o", str(tmp_path / "out")])
    assert build.exit_code == 2
    assert not (tmp_path / "out" / "emissions.csv").exists()


def test_issue_16_a_sheet_without_numbers_is_skipped_with_a_warning(tmp_path):
    path = workbook(tmp_path / "cover.xlsx", [["长沙市能源统计报表"], ["填报年份", 2023], ["填报单位", "长沙市统计局"]],
                    sheet="封面")
    result = CliRunner().invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert [p["code"] for p in report["problems"]] == ["sheet_without_data"]
    assert report["problems"][0]["severity"] == "warning"


# --------------------------------------------------------------------------- finding the table

@pytest.mark.parametrize("above, found", [(19, True), (20, False)])
def test_issue_16_header_on_any_of_the_first_20_rows(tmp_path, above, found):
    rows = [[TITLE]] + [[f"第{i}行说明"] for i in range(above - 1)] + [HEADER, ["长沙市", 2023, "1.A.1.a", "原煤", None, 5, "吨"]]
    inputs = read(tmp_path, rows)
    if found:
        assert not inputs.errors and len(inputs.activity) == 1
        assert set(inputs.ledger.loc[inputs.ledger["row"] <= above, "reason"]) == {"title"}
    else:
        assert codes(inputs.errors)[0] == "header_not_found"


def test_issue_16_unit_in_the_header_and_in_a_unit_line(tmp_path):
    bracket = read(tmp_path, [["地区", "年份", "排放源类别", "活动", "活动水平（万吨）"], ["长沙市", 2023, "1.A.1.a", "原煤", 2]])
    assert not bracket.errors and bracket.activity["amount"].tolist() == [2e4]
    line = read(tmp_path, [[TITLE], [None, None, None, None, "单位：万吨"], HEADER[:4] + ["活动水平"],
                           ["长沙市", 2023, "1.A.1.a", "原煤", 3]])
    assert not line.errors and line.activity["amount"].tolist() == [3e4]
    assert reasons(line)[1] == reasons(line)[2] == "skipped:title"


def test_issue_16_a_unit_cell_that_disagrees_with_the_header_is_an_error_naming_both(tmp_path):
    inputs = read(tmp_path, [HEADER[:5] + ["活动水平（万吨）", "单位"],
                             ["长沙市", 2023, "1.A.1.a", "原煤", None, 2, "吨"],
                             ["长沙市", 2023, "1.A.2", "原煤", None, 2, "万吨"],
                             ["长沙市", 2023, "1.A.3.b", "柴油", None, 2, None]])
    error = next(p for p in inputs.errors)
    assert (error.row, error.code, dict(error.params)) == (2, "unit_disagrees_with_header",
                                                           {"unit": "吨", "header_unit": "万吨"})
    assert "万吨" in str(error) and "吨" in str(error)
    assert inputs.counts() == {"read": 3, "used": 2, "skipped": 0, "rejected": 1}
    assert inputs.activity["amount"].tolist() == [2e4, 2e4]


def test_issue_16_second_header_row_of_english_names(tmp_path):
    inputs = read(tmp_path, [HEADER, ["region", "year", "category", "activity", "technology", "value (t)", "unit", "notes"],
                             ["长沙市", 2023, "1.A.1.a", "原煤", None, 7, None]])
    assert not inputs.errors and inputs.activity["amount"].tolist() == [7]
    assert inputs.counts()["read"] == 1


def test_issue_16_notes_after_the_data_and_their_continuation_lines(tmp_path):
    inputs = read(tmp_path, [HEADER, ["长沙市", 2023, "1.A.1.a", "原煤", None, 5, "吨"],
                             ["说明：1. 本表为初步数。"], ["2. 规模以上工业企业。"],
                             ["株洲市", 2023, "1.A.1.a", "原煤", None, 6, "吨"], ["Source: 统计年鉴"]],
                  merge=("A3:H3",))
    assert not inputs.errors
    assert reasons(inputs) == {2: "used:", 3: "skipped:note", 4: "skipped:note", 5: "used:", 6: "skipped:note"}


def test_issue_16_merged_title_and_note_are_no_error_but_a_merge_in_the_data_is(tmp_path):
    rows = office_rows()
    inputs = read(tmp_path, rows[:4] + [rows[4], rows[6]] + rows[8:], merge=("A1:H1", "A7:H7", "H5:H6"))
    assert codes(inputs.errors) == ["merged_cells", "merged_cells"]


def test_issue_16_facility_sheet_below_a_title(tmp_path):
    inputs = read(tmp_path, [["2023年重点企业排放量"],
                             ["地区", "年份", "企业名称", "排放源类别", "污染物", "排放量", "单位"],
                             ["长沙市", "2023年", "某电厂", "1.A.1.a", "SO2", 120, "吨"], ["注：来自排污许可执行报告"]])
    assert not inputs.errors
    assert inputs.facility["emission"].tolist() == [120]
    assert reasons(inputs) == {1: "skipped:title", 3: "used:", 4: "skipped:note"}


def test_issue_16_energy_balance_note_row(tmp_path):
    inputs = read(tmp_path, [["地区", "湖南省"], ["年份", 2019], [], ["项目", "原煤(万吨)", "柴油(万吨)"],
                             ["农、林、牧、渔业", 1, "—"], ["注：本表为实物量。"]])
    assert not inputs.errors
    assert reasons(inputs)[6] == "skipped:note"
    assert inputs.activity["activity"].tolist() == ["raw_coal"]


# --------------------------------------------------------------------------- what people type

@pytest.mark.parametrize("year", ["2023年", "2023 年", "２０２３年", "2023年度"])
def test_issue_16_year_with_nian_is_read_with_a_warning(tmp_path, year):
    inputs = one_row(tmp_path, 5, year=year)
    assert not inputs.errors and inputs.activity["year"].tolist() == [2023]
    warning = next(p for p in inputs.warnings if p.code == "year_read_from_text")
    assert (warning.value, dict(warning.params)) == (year, {"year": "2023"})


@pytest.mark.parametrize("region", ["湖南省长沙市", "湖南长沙", "湖南省 长沙市", "430000430100"])
def test_issue_16_region_with_its_parents_in_front(tmp_path, region):
    inputs = one_row(tmp_path, 5, region=region)
    assert not inputs.errors and inputs.activity["region"].tolist() == ["430100"]
    warning = next(p for p in inputs.warnings if p.code == "region_read_with_parents")
    assert dict(warning.params) == {"code": "430100", "name": "长沙市"}
    assert "430100 长沙市" in warning.message("zh")


def test_issue_16_regions_that_do_not_nest_are_rejected_with_the_last_one_suggested(tmp_path):
    inputs = one_row(tmp_path, 5, region="株洲市长沙市")
    error = inputs.errors[0]
    assert (error.code, error.suggestion, dict(error.params)) == ("region_parents_disagree", "长沙市",
                                                                  {"parent": "株洲市", "name": "长沙市"})


def test_issue_16_unknown_county_after_its_city_suggests_the_nearest_region(tmp_path):
    error = one_row(tmp_path, 5, region="长沙市某某区").errors[0]
    assert (error.code, error.suggestion) == ("unknown_region", "长沙市")


@pytest.fixture
def with_furong():
    """The shipped region list holds the county 430102 芙蓉区 under 长沙市 (issue 14)."""
    assert regions.table().at["430102", "parent"] == "430100"
    yield


@pytest.mark.parametrize("region", ["长沙市芙蓉区", "湖南省长沙市芙蓉区", "长沙芙蓉区"])
def test_issue_16_county_with_its_city_in_front(tmp_path, with_furong, region):
    inputs = one_row(tmp_path, 5, region=region)
    assert not inputs.errors and inputs.activity["region"].tolist() == ["430102"]


def test_issue_16_value_with_wan_and_a_unit_without_it(tmp_path):
    inputs = one_row(tmp_path, "3.5万", unit="吨")
    assert not inputs.errors and inputs.activity["amount"].tolist() == [35_000]
    warning = next(p for p in inputs.warnings if p.code == "magnitude_suffix_read")
    assert dict(warning.params) == {"number": "3.5", "factor": "10,000", "reading": "35,000", "unit": "吨"}
    gas = one_row(tmp_path, "1.2亿", unit="立方米", activity="天然气")
    assert gas.activity["amount"].tolist() == [pytest.approx(1.2e8)]


def test_issue_16_wan_in_both_value_and_unit_is_an_error(tmp_path):
    error = one_row(tmp_path, "3.5万", unit="万吨").errors[0]
    assert (error.code, error.column, dict(error.params)) == ("magnitude_twice", "活动水平 (F)",
                                                              {"suffix": "万", "unit": "万吨", "number": "3.5"})


@pytest.mark.parametrize("value", ["约50", "50左右", "<0.5", "＜0.5", "大约 50", "50余", "近50", "50-60", "≥3"])
def test_issue_16_approximate_values_are_rejected_never_guessed(tmp_path, value):
    inputs = one_row(tmp_path, value)
    assert [(p.code, p.expected) for p in inputs.errors] == [("approximate_value", "exact_number")]
    assert inputs.errors[0].message("en") == "an approximate value: give the number"
    assert inputs.activity.empty


def test_issue_16_a_unit_typed_into_the_value_cell_is_rejected_with_the_number_suggested(tmp_path):
    error = one_row(tmp_path, "3.5万吨", unit="万吨").errors[0]
    assert (error.code, error.suggestion) == ("unit_in_value", "3.5 万吨")


@pytest.mark.parametrize("marker", ["—", "－", "-", "…", "——", "……", "..."])
def test_issue_16_nil_markers_skip_the_row_with_their_reason(tmp_path, marker):
    inputs = one_row(tmp_path, marker, unit=None)
    assert not inputs.problems
    assert reasons(inputs) == {2: "skipped:nil_marker"}
    assert inputs.skipped_by_reason() == {"nil_marker": 1}


# --------------------------------------------------------------------------- magnitudes

@pytest.mark.parametrize("value", [1e300, 1e308, 2e11])
def test_issue_16_amounts_not_finite_or_above_1e15_are_errors(tmp_path, value):
    error = one_row(tmp_path, value, unit="万吨").errors[0]
    assert error.code == "value_too_large"
    assert dict(error.params)["unit"] == "t"


def test_issue_16_amount_above_the_national_total_is_a_warning_naming_it(tmp_path):
    totals = national_totals().set_index("activity")
    energy = totals.loc[""]
    # 57.2 亿吨标准煤 is 57.2e8 tce; a province's coal given as 60 亿吨标准煤 exceeds it.
    assert energy["canonical"] == pytest.approx(57.2e8 * 29.3076e-3)  # TJ
    inputs = one_row(tmp_path, 60, unit="亿吨标准煤")
    assert not inputs.errors and len(inputs.activity) == 1
    warning = next(p for p in inputs.warnings if p.code == "above_national_total")
    params = dict(warning.params)
    assert (params["year"], params["measure_zh"], params["unit"]) == ("2023", "能源消费总量", "TJ")
    assert "国家统计局" in params["source"] and "国家统计局" in warning.message("zh")
    pigs = one_row(tmp_path, 5, unit="亿头", activity="猪", category="3.A.1")
    assert dict(next(p for p in pigs.warnings if p.code == "above_national_total").params)["measure_zh"] == "年末生猪存栏"
    assert not [p for p in one_row(tmp_path, 3000, unit="万吨").warnings if p.code == "above_national_total"]


def test_issue_16_every_national_total_is_sourced_and_converts():
    table = national_totals()
    assert (table["source"] != "").all() and (table["source_detail"] != "").all()
    assert table["canonical"].notna().all() and table["quantity"].notna().all()
    assert set(table["activity"]) - {""} <= set(resources.data_table("activities.csv")["id"])


def test_issue_16_readme_lists_the_activities_without_a_national_total():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- no-national-total -->")[1].split("\n\n")[0]
    activities = resources.data_table("activities.csv")
    bounded = set(national_totals()["activity"]) - {""}
    without = [a for a in activities["id"] if a not in bounded]
    assert all(f"`{a}`" in section for a in without)
    assert not [a for a in bounded if f"`{a}`" in section]


def test_issue_16_canonical_units_of_the_totals_are_the_amounts_canonical_units():
    table = national_totals()
    assert all(units.canonical_unit(q) == u for q, u in zip(table["quantity"], table["canonical_unit"]))


@pytest.mark.parametrize("lang, sheet", [("zh", "填表说明"), ("en", "Instructions")])
def test_issue_16_template_instructions_show_one_example_of_each_form(tmp_path, lang, sheet):
    from inventory.template import write_templates

    paths = write_templates(tmp_path, lang)
    cells = [[c for c in row if c is not None] for row in
             openpyxl.load_workbook(paths[0])[sheet].iter_rows(values_only=True)]
    forms = resources.data_table("template_forms.csv")
    for form, example, reading in zip(forms[f"form_{lang}"], forms["example"], forms[f"reading_{lang}"]):
        assert [form, example, reading] in cells
    assert not read_inputs([paths[0]])[0].problems  # the instructions are never read as data


def test_issue_16_template_forms_read_as_the_instructions_say(tmp_path):
    """The accepted examples of the instructions sheet, typed into a sheet, read as the sheet says."""
    rows = [["表1 2023年长沙市分行业能源消费"], [None, None, None, None, None, "单位：吨"], HEADER,
            ["湖南省长沙市", "2023年", "1.A.1.a", "原煤", None, "3.5万", None, None],
            ["长沙市", 2023, "1.A.2", "原煤", None, "—", None, None],
            ["长沙市", 2023, "1.A.3.b", "柴油", None, "NO", None, None],
            ["长沙市", 2023, "1.A.3.b", "汽油", None, 9, "吨", "示例"],
            ["注：数据为初步统计数。"]]
    inputs = read(tmp_path, rows)
    assert not inputs.errors
    assert inputs.activity[["region", "year", "amount"]].values.tolist() == [["430100", 2023, 35_000]]
    assert inputs.notation["key"].tolist() == ["NO"]
    assert inputs.skipped_by_reason() == {"title": 2, "nil_marker": 1, "example": 1, "note": 1}
