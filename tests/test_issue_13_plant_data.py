"""Issue 13 item 3: plant-level data (DESIGN 3.3 "Facility rows", IPCC Tier 3) in the outputs: the coverage
shares against hand calculations, confidential plants named nowhere, the facility check comparing like with
like, and bad facility rows as located errors (exit 2)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import facility_workbook
from inventory.build import compile_inventory
from inventory.cli import app
from inventory.factors.load import load_all
from inventory.read import read_inputs
from inventory.report.excel import write_workbook
from inventory.report.html import render_html

# Region: A = 100 万吨 raw coal in 1.A.2 with a local ef.SO2 of 10 kg/t, so F = 0.01 t SO2 per t coal.
A, F = 100e4, 0.01
SECRET = "乙保密厂"
runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def plant(name, amount, so2, confidential="否", category="1.A.2.a", substance="SO2", region="430100",
          activity="原煤"):
    return [region, 2019, name, category, activity, substance, so2, "t", amount, "万吨", confidential, "排污许可执行报告"]


def build(tmp_path, plants):
    inputs = read_inputs([facility_workbook(tmp_path / "a.xlsx", plants)], None)[0]
    assert not inputs.errors, [str(p) for p in inputs.errors]
    return compile_inventory(inputs, load_all())


def test_coverage_shares_are_a_over_A_and_E_over_the_keys_emission(tmp_path):
    # One plant: a = 30 万吨, E = 1 000 t. Activity share a / A = 30 %; emission share
    # E / ((A − a) F + E) = 1 000 / (700 000 × 0.01 + 1 000) = 12.5 %.
    r = build(tmp_path, [plant("甲电厂", 30, 1000)])
    [row] = r.figures["plant_coverage"].query("substance == 'SO2'").to_dict("records")
    a, E = 30e4, 1000.0
    assert row["category"] == "1.A.2" and row["activity"] == "raw_coal" and row["plants"] == 1
    assert row["activity_total"] == pytest.approx(A) and row["plant_activity"] == pytest.approx(a)
    assert row["activity_share_pct"] == pytest.approx(100 * a / A)
    assert row["emission_share_pct"] == pytest.approx(100 * E / ((A - a) * F + E))
    assert row["emission_total"] == pytest.approx((A - a) * F + E) and not row["confidential"]
    # NOx, which the plant does not report, has no coverage row.
    assert set(r.figures["plant_coverage"]["substance"]) == {"SO2"}


def test_a_confidential_plant_is_marked_c_and_its_activity_stays_in_the_region(tmp_path):
    # Named: a = 30 万吨, E = 1 000 t; confidential: 20 万吨, 500 t. The rest row keeps A − 30 万吨 of activity
    # (the confidential plant's 20 万吨 folded in) and (A − 50 万吨) × F + 500 t of emission.
    r = build(tmp_path, [plant("甲电厂", 30, 1000), plant(SECRET, 20, 500, confidential="是")])
    so2 = r.emissions.query("substance == 'SO2'")
    rest = so2[so2["tier"] != "T3"]
    assert rest["activity_amount"].sum() == pytest.approx(A - 30e4)
    assert rest["emission"].sum() == pytest.approx((A - 50e4) * F + 500)
    [row] = r.figures["plant_coverage"].query("substance == 'SO2'").to_dict("records")
    assert row["confidential"] and row["plants"] == 1
    assert row["activity_share_pct"] == pytest.approx(30.0)
    assert row["emission_share_pct"] == pytest.approx(100 * 1000 / ((A - 50e4) * F + 500 + 1000))


def test_coverage_table_in_workbook_and_report_chinese_and_english(tmp_path):
    r = build(tmp_path, [plant("甲电厂", 30, 1000), plant(SECRET, 20, 500, confidential="是")])
    for lang, sheet, header, section in (("zh", "企业数据覆盖率", "活动水平覆盖率（%）", "企业数据覆盖率（第三层级）"),
                                         ("en", "Plant-data coverage", "Activity share (%)",
                                          "Plant-data coverage (Tier 3)")):
        path = tmp_path / f"inventory_{lang}.xlsx"
        write_workbook(r, path, lang)
        ws = openpyxl.load_workbook(path, read_only=True)[sheet]
        rows = [list(x) for x in ws.iter_rows(values_only=True)]
        headers = rows[1]
        assert header in headers
        data = [dict(zip(headers, x)) for x in rows[2:]]
        assert [d[header] for d in data] == [pytest.approx(30.0)]
        assert data[0][headers[-1]] == "C"
        html = render_html(r, lang)
        assert section in html


def test_a_confidential_plant_is_named_in_no_output(tmp_path):
    data = facility_workbook(tmp_path / "data" / "a.xlsx",
                         [plant("甲电厂", 30, 1000), plant(SECRET, 20, 500, confidential="是"),
                          plant(SECRET, 20, 80, confidential="是", substance="NOx")])
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(data.parent), "-o", str(out)], env={"COLUMNS": "250"})
    assert result.exit_code in (0, 1), result.output
    assert SECRET not in result.output
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".xlsx" for p in files) and any(p.suffix == ".html" for p in files)
    for p in files:
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            text = p.read_bytes().decode("utf-8", "replace")
        assert SECRET not in text, p
    # Validate's terminal output names no confidential plant either.
    result = runner.invoke(app, ["validate", str(data)], env={"COLUMNS": "250"})
    assert SECRET not in result.output


def test_facility_check_leaves_t3_plants_out_and_compares_the_rest_like_with_like(tmp_path):
    # 丙厂 gives no amount: compared with the factor estimate of the activity plant data do not cover,
    # (A − 30 万吨 − 20 万吨) × F = 5 000 t (not with the 1 000 t of 甲电厂's own row, nor the folded 500 t).
    r = build(tmp_path, [plant("甲电厂", 30, 1000), plant(SECRET, 20, 500, confidential="是"),
                         plant("丙厂", "", 4000, category="1.A.2")])
    [row] = r.checks.query("check == 'facility'").to_dict("records")
    assert row["category"] == "1.A.2/raw_coal" and row["value"] == pytest.approx(4000)
    assert row["reference"] == pytest.approx((A - 50e4) * F)
    assert row["result"] == "pass"
    # Only T3 plants: nothing compared (their reported emission is the inventory's figure).
    r = build(tmp_path / "b", [plant("甲电厂", 30, 1000)])
    assert r.checks.query("check == 'facility'").empty


@pytest.mark.parametrize("row, column, code", [
    (plant("甲电厂", 30, 1000, region="火星市"), "地区 (A)", "unknown_region"),
    (plant("甲电厂", 30, 1000, category="9.Z"), "排放源类别 (D)", "unknown_category"),
    (plant("甲电厂", 30, 1000, activity="月球煤"), "活动 (E)", "unknown_activity"),
    (plant("甲电厂", 30, -5), "排放量 (G)", "negative_emission"),
    (plant("甲电厂", -30, 5), "活动水平 (I)", "negative_amount"),
    (plant("甲电厂", 130, 5), "活动水平 (I)", "facility_activity_above_region"),
])
def test_bad_facility_rows_are_located_errors_with_exit_2(tmp_path, row, column, code):
    data = facility_workbook(tmp_path / "a.xlsx", [row])
    inputs = read_inputs([data], None)[0]
    [p] = [p for p in inputs.errors if p.code == code]
    assert (p.file.endswith("a.xlsx"), p.sheet, p.row) == (True, "企业排放", 2)
    result = runner.invoke(app, ["validate", str(data)], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert any("│ 2 " in line and column in line for line in result.output.splitlines()), result.output


def test_rows_of_one_plant_and_fuel_with_different_amounts_exit_2(tmp_path):
    data = facility_workbook(tmp_path / "a.xlsx", [plant("甲电厂", 30, 1000), plant("甲电厂", 31, 40, substance="NOx")])
    result = runner.invoke(app, ["validate", str(data)], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert any("│ 3 " in line and "活动水平 (I)" in line and "第 2 行" in line for line in result.output.splitlines()), \
        result.output


def test_above_region_error_names_both_rows(tmp_path):
    data = facility_workbook(tmp_path / "a.xlsx", [plant("甲电厂", 130, 1000)])
    result = runner.invoke(app, ["validate", str(data)], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    [line] = [x for x in result.output.splitlines() if "│ 2 " in x and "活动水平 (I)" in x]
    assert "130 万吨" in line and "a.xlsx 能源活动 2" in line, result.output


def test_template_facility_sheet_filled_by_hand_validates(tmp_path):
    from inventory.template import write_templates

    paths = write_templates(tmp_path / "tpl")
    energy = next(p for p in paths if p.name == "1_energy.xlsx")
    wb = openpyxl.load_workbook(energy)
    ws = wb["企业排放"]
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["地区", "年份", "企业名称", "排放源类别", "活动", "污染物", "排放量", "单位"]
    assert {"活动水平", "活动水平单位", "保密", "覆盖范围"} <= set(headers)
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    col = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(headers, start=1)}
    for h in ("地区", "排放源类别", "活动", "污染物", "单位", "活动水平单位", "保密", "覆盖范围"):
        assert col[h] in lists, h

    def values(formula):
        sheet, rng = formula.split("!")
        return [c.value for row in wb[sheet.strip("'")][rng.replace("$", "")] for c in row]
    assert set(values(lists[col["保密"]])) == {"是", "否"}
    assert "1.A.1.a 电力和热力生产" in values(lists[col["排放源类别"]])
    assert "万吨" in values(lists[col["活动水平单位"]]) and "吨" in values(lists[col["单位"]])
    # The instructions' facility example, copied as it is, is skipped (marked 示例).
    [example] = [r for r in wb["填表说明"].iter_rows(values_only=True) if r[0] == "企业排放"]
    assert example[len(headers)] == "示例"
    # Fill the energy sheet and one plant row by hand, as a user would from the drop-downs.
    wb["化石燃料燃烧"].append(["长沙市", 2019, "1.A.1.a 电力和热力生产", "原煤", "", 500, "万吨", "", "统计局", ""])
    row = {"地区": "长沙市", "年份": 2019, "企业名称": "甲电厂", "排放源类别": "1.A.1.a 电力和热力生产", "活动": "原煤",
           "污染物": "二氧化硫", "排放量": 800, "单位": "吨", "活动水平": 200, "活动水平单位": "万吨", "保密": "否",
           "数据来源": "排污许可执行报告"}
    ws.append([row.get(h) for h in headers])
    wb.save(energy)
    result = runner.invoke(app, ["validate", str(energy)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    inputs = read_inputs([energy], None)[0]
    assert len(inputs.facility) == 1 and inputs.facility["amount"].iat[0] == pytest.approx(200e4)
    # A bad row: a negative emission, located in the facility sheet.
    ws.append([{**row, "排放量": -3}.get(h) for h in headers])
    wb.save(energy)
    result = runner.invoke(app, ["validate", str(energy)], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "1_energy.xlsx › 企业排放" in result.output
    assert any("│ 3 " in line and f"排放量 ({col['排放量']})" in line and "-3" in line
               for line in result.output.splitlines()), result.output


def test_shipped_illustrative_facility_workbook(tmp_path):
    """examples/hunan: the illustrative plants of 湘潭 2019 (make_facility.py) cover 40 % (named) and 20 %
    (confidential) of the prefecture's 1.A.1.a raw coal, their rows labelled illustrative; the coverage table
    gives the named plant's 40 % of the activity (in t, the basis of the split, not the computed TJ)."""
    data = ROOT / "examples" / "hunan" / "data"
    facility = data / "430300_企业排放_示例_2019.xlsx"
    rows = openpyxl.load_workbook(facility, read_only=True)["企业排放"]
    cells = [r for r in rows.iter_rows(values_only=True)]
    assert cells[0][0].startswith("示例数据（非真实企业、非监测数据）")
    assert all(r[11].startswith("示例数据") and r[12].startswith("示意") for r in cells[2:])
    inputs = read_inputs([data / "430300_能源_2019.xlsx", facility], None)[0]
    assert not inputs.errors, [str(p) for p in inputs.errors]
    r = compile_inventory(inputs, load_all())
    cov = r.figures["plant_coverage"].set_index("substance")
    region = 789.272e4  # t, the workbook's 1.A.1.a raw coal of 湘潭 2019
    assert cov.loc["SO2", "activity_unit"] == "t"
    assert cov.loc["SO2", "activity_total"] == pytest.approx(region)
    assert cov.loc["SO2", "activity_share_pct"] == pytest.approx(100 * 315.709e4 / region)
    assert cov.loc["SO2", "plant_emission"] == pytest.approx(315.709e4 * 0.35 / 1000)
    assert bool(cov.loc["SO2", "confidential"]) and "示例电厂乙" not in r.emissions.to_csv()


def test_consistency_check_skips_a_key_plant_data_split(tmp_path):
    # SO2 of 1.A.2 raw coal rests on A − a (plant part replaced), its CO2 on A: not an inconsistency.
    r = build(tmp_path, [plant("甲电厂", 30, 1000)])
    c = r.checks.query("check == 'ghg_pollutant_consistency'")
    assert not c["category"].str.startswith("1.A.2").any(), c
    assert (c["result"] != "fail").all()


def test_a_confidential_plant_without_amount_is_not_compared(tmp_path):
    # Its reported 4 000 t alone in a check row would show its number: the facility check leaves it out.
    r = build(tmp_path, [plant(SECRET, "", 4000, category="1.A.2", confidential="是")])
    assert r.checks.query("check in ('facility', 'so2_implied_fuel')").empty
    assert "4000" not in r.checks.to_csv()
