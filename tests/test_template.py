"""Templates (`inventory template`) and new projects (`inventory init`): workbook layout, drop-downs, and
that a template filled in by hand builds without further editing."""

from __future__ import annotations

import tomllib

import openpyxl
import pandas as pd
import pytest

from conftest import HEADERS_EN, HEADERS_ZH
from inventory import categories, resources, units, vocabulary
from inventory.build import compile_inventory
from inventory.errors import UsageError
from inventory.factors.load import load_all
from inventory.init_project import init_project
from inventory.project import load_project
from inventory.read import read_inputs
from inventory.read.energy_balance import is_energy_balance
from inventory.template import LISTS_SHEET, sector_workbooks, write_templates

SECTORS = ["energy", "industry", "agriculture", "land_use", "waste", "other_pollutant"]


@pytest.fixture(scope="module")
def zh_templates(tmp_path_factory):
    out = tmp_path_factory.mktemp("tpl")
    return write_templates(out)


def energy_book(paths):
    return next(p for p in paths if p.name == "1_energy.xlsx")


def lists_values(wb, formula: str) -> list:
    """Values of a `'_lists'!$B$3:$B$40` range."""
    sheet, rng = formula.split("!")
    assert sheet.strip("'") == LISTS_SHEET
    return [c.value for row in wb[LISTS_SHEET][rng.replace("$", "")] for c in row]


def validation_of(ws, column: str):
    """The data validation covering cell `column`2."""
    found = [dv for dv in ws.data_validations.dataValidation if f"{column}2" in dv.sqref]
    assert len(found) == 1, (ws.title, column, found)
    return found[0]


def test_one_workbook_per_sector_with_categories(zh_templates):
    assert sector_workbooks() == SECTORS
    assert [p.name for p in zh_templates] == [f"{i}_{s}.xlsx" for i, s in enumerate(SECTORS, start=1)]


def test_energy_sheets_headers_frozen_and_widths(zh_templates):
    wb = openpyxl.load_workbook(energy_book(zh_templates))
    assert wb.sheetnames == ["化石燃料燃烧", "燃料逃逸排放", "统计指标", "参数", "企业排放", "填表说明",
                             LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    for name in ["化石燃料燃烧", "燃料逃逸排放", "统计指标", "参数"]:
        ws = wb[name]
        assert [c.value for c in ws[1]] == HEADERS_ZH
        assert ws.max_row == 1, "templates hold no data rows"
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["D"].width >= 12


def test_english_headers(tmp_path):
    wb = openpyxl.load_workbook(energy_book(write_templates(tmp_path, lang="en")))
    assert wb.sheetnames[:4] == ["Fuel combustion", "Fugitive emissions", "Statistics", "Parameters"]
    assert [c.value for c in wb["Fuel combustion"][1]] == HEADERS_EN
    assert "Instructions" in wb.sheetnames


def test_drop_downs_reference_the_lists_sheet(zh_templates):
    wb = openpyxl.load_workbook(energy_book(zh_templates))
    ws = wb["化石燃料燃烧"]
    lists = {}
    for col, field in zip("ACDEG", ["region", "category", "activity", "technology", "unit"]):
        dv = validation_of(ws, col)
        assert dv.type == "list" and dv.formula1.startswith(f"'{LISTS_SHEET}'!$")
        lists[field] = lists_values(wb, dv.formula1)
    assert {"长沙市", 430100, "湖南省", 430000} <= set(lists["region"])
    assert "1.A.1.a 电力和热力生产" in lists["category"] and not any(c.startswith("1.B") for c in lists["category"])
    codes = [categories.lookup().get(c) for c in lists["category"]]    # issue 17: the reader accepts the form
    assert all(codes) and all(categories.ancestors(c)[-1] in ("1", "M.EL.import", "M.EL.use", "M.HEAT")
                              for c in codes)
    assert "M.EL.use 电力消费间接排放" in lists["category"]
    assert {"原煤", "天然气", "电力"} <= set(lists["activity"])
    assert set(lists["technology"]) == set(vocabulary.technologies()["id"])
    assert {"万吨", "亿立方米", "万千瓦时"} <= set(lists["unit"])
    params = lists_values(wb, validation_of(wb["参数"], "H").formula1)
    assert {"含硫率", "低位发热量", "排放因子.SO2", "去除效率.PM2.5"} <= set(params)
    assert all(vocabulary.parse_parameter(p) for p in params)


def test_issue_17_english_category_drop_down_shows_code_and_english_name(tmp_path):
    wb = openpyxl.load_workbook(energy_book(write_templates(tmp_path, lang="en")))
    values = lists_values(wb, validation_of(wb["Fuel combustion"], "C").formula1)
    assert "1.A.1.a Main activity electricity and heat production" in values


def test_template_never_overwrites_a_workbook(tmp_path):
    write_templates(tmp_path)
    with pytest.raises(UsageError) as exc:
        write_templates(tmp_path)
    assert exc.value.problems[0].file == str(tmp_path / "1_energy.xlsx")
    with pytest.raises(UsageError):
        write_templates(tmp_path / "x", lang="fr")


def test_year_and_value_validations(zh_templates):
    ws = openpyxl.load_workbook(energy_book(zh_templates))["化石燃料燃烧"]
    year, value = validation_of(ws, "B"), validation_of(ws, "F")
    assert (year.type, year.operator, year.formula1, year.formula2) == ("whole", "between", "1990", "2100")
    assert (value.type, value.operator, value.formula1) == ("decimal", "greaterThanOrEqual", "0")


def test_instructions_explain_every_column_with_one_example_per_sheet(zh_templates):
    wb = openpyxl.load_workbook(energy_book(zh_templates))
    ws = wb["填表说明"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    explained = {row[1] for row in cells if row[0] in list("ABCDEFGHIJKLMN") and row[3]}
    facility = [c.value for c in wb["企业排放"][1]]
    assert explained == set(HEADERS_ZH) | set(facility)  # the facility sheet's columns at the end (issue 13)
    examples = [row for row in cells if row[0] in wb.sheetnames and row[0] != "填表说明"]
    assert [row[0] for row in examples] == ["化石燃料燃烧", "燃料逃逸排放", "统计指标", "参数", "企业排放"]


@pytest.mark.parametrize("sector", SECTORS)
def test_untouched_template_reads_clean_and_empty(zh_templates, sector):
    path = next(p for p in zh_templates if p.stem.endswith(sector))
    inputs, _ = read_inputs([path])
    assert not inputs.errors
    assert inputs.counts()["read"] == 0
    # The instructions and lists sheets are known helper sheets: passed over without a warning.
    assert not inputs.warnings


def test_no_sheet_looks_like_an_energy_balance(zh_templates):
    for path in zh_templates:
        for sheet, grid in pd.read_excel(path, sheet_name=None, header=None, engine="calamine").items():
            if sheet == LISTS_SHEET:
                continue  # passed over by name (read/__init__.py); its `code name（...）` entries may look like fuels
            assert not is_energy_balance(grid.dropna(how="all", axis=1), sheet), (path.name, sheet)


def test_instruction_examples_of_energy_validate(tmp_path, zh_templates):
    """The energy examples, copied into their sheets as a user would, read without errors."""
    for marked in (True, False):
        wb = openpyxl.load_workbook(energy_book(zh_templates))
        for row in wb["填表说明"].iter_rows(values_only=True):
            if row[0] in ("化石燃料燃烧", "燃料逃逸排放", "统计指标", "参数"):
                row = row[:len(HEADERS_ZH) + 1]  # the facility block below is wider (issue 13)
                assert row[-1] == "示例"                                  # issue 18: marked as an example
                wb[row[0]].append(list(row[1:]) if marked else [*row[1:-1], None])
        path = tmp_path / "examples.xlsx"
        wb.save(path)
        inputs, _ = read_inputs([path])
        assert not inputs.errors, [str(p) for p in inputs.errors]
        # copied as they are, the example rows add no number: skipped with reason `example` (DESIGN 3.3)
        assert inputs.counts()["used"] == (0 if marked else 4)
        assert inputs.skipped_by_reason().get("example", 0) == (4 if marked else 0)


def fill_energy(path):
    """Fill the energy template by hand, as a user would in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb["化石燃料燃烧"]
    ws.append(["长沙市", 2024, "1.A.1.a", "原煤", "pc_boiler+scr", 100, "万吨"])
    ws.append([430100, 2024, "1.A.4.b", "天然气", None, 2.5, "亿立方米"])
    ws.append(["长沙", 2024, "1.A.3.b", "柴油", None, 30, "万吨", None, "统计年鉴", None])
    wb["参数"].append(["长沙市", 2024, "1.A.1.a", "原煤", None, 1.2, "%", "含硫率"])
    wb.save(path)


def test_filled_template_builds(tmp_path):
    path = energy_book(write_templates(tmp_path / "data"))
    fill_energy(path)
    inputs, _ = read_inputs([tmp_path / "data"])
    assert not inputs.errors, [str(p) for p in inputs.errors]
    assert inputs.counts()["used"] == 4
    result = compile_inventory(inputs, load_all())
    e = result.emissions
    co2 = e.loc[(e["region"] == "430100") & (e["substance"] == "CO2"), "emission"].sum()
    assert co2 > 0
    assert {"SO2", "NOx"} <= set(e.loc[e["region"] == "430100", "substance"])


def test_template_units_parse():
    table = resources.data_table("template_units.csv")
    assert list(table.columns) == ["unit", "name_zh", "name_en", "quantity", "sheet"]
    assert not table["unit"].duplicated().any()
    assert set(table["sheet"]) == {"activity", "parameter"}
    for unit, quantity, sheet in zip(table["unit"], table["quantity"], table["sheet"]):
        assert units.is_unit(unit), unit
        if sheet == "activity":  # every activity unit names the quantity it measures
            assert units.quantity_of(unit) == quantity, unit


def test_template_labels_exist_in_both_languages():
    table = resources.data_table("labels.csv")
    tpl = table[table["key"].str.startswith("tpl_")]
    assert len(tpl) > 20 and (tpl["zh"] != "").all() and (tpl["en"] != "").all()


def test_init_creates_a_project_that_builds(tmp_path):
    project_dir = tmp_path / "changsha"
    written = init_project(project_dir, ["430100"], [2024])
    for name in ["inventory.toml", "README.md", "factors/README.txt", "data/1_energy.xlsx",
                 "data/6_other_pollutant.xlsx"]:
        assert project_dir / name in written and (project_dir / name).is_file()
    spec = tomllib.loads((project_dir / "inventory.toml").read_text(encoding="utf-8"))
    assert spec["checks"]["province_vs_prefectures"] == {"warn": 0.02, "fail": 0.05}
    project = load_project(project_dir / "inventory.toml")
    assert (project.regions, project.years, project.gwp) == ({"430100"}, {2024}, "AR5")
    assert project.inputs == [project_dir / "data/"] and project.factors == [project_dir / "factors/"]
    readme = (project_dir / "README.md").read_text(encoding="utf-8")
    assert "inventory validate ." in readme and "inventory build . -o out" in readme
    # The region drop-down offers the project's regions only.
    wb = openpyxl.load_workbook(project_dir / "data/1_energy.xlsx")
    assert lists_values(wb, validation_of(wb["化石燃料燃烧"], "A").formula1) == ["长沙市", 430100]

    fill_energy(project_dir / "data/1_energy.xlsx")
    inputs, _ = read_inputs(project.inputs, project.regions, project.years, project.base)
    assert not inputs.errors, [str(p) for p in inputs.errors]
    result = compile_inventory(inputs, load_all(project.factors), gwp=project.gwp, built=project.regions)
    assert (result.emissions.query("region == '430100' and substance == 'CO2'")["emission"] > 0).any()


def test_init_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UsageError) as exc:
        init_project(tmp_path, ["430100"], [2024])
    assert exc.value.problems[0].file == str(tmp_path)
    assert "not empty" in str(exc.value.problems[0])


def test_init_rejects_unknown_region_and_gwp(tmp_path):
    with pytest.raises(UsageError):
        init_project(tmp_path / "a", ["999999"], [2024])
    with pytest.raises(UsageError):
        init_project(tmp_path / "b", ["430100"], [2024], gwp="AR9")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_init_accepts_region_names(tmp_path):
    init_project(tmp_path / "p", ["湖南省", "长沙"], [2023, 2024], lang="en")
    project = load_project(tmp_path / "p" / "inventory.toml")
    assert project.regions == {"430000", "430100"} and project.years == {2023, 2024}
    assert "Instructions" in openpyxl.load_workbook(tmp_path / "p/data/1_energy.xlsx").sheetnames


def test_instruction_examples_of_every_sector_validate_and_build(tmp_path, zh_templates):
    """Every sector's examples, copied into their sheets, read without errors and build; sectors without a
    method in this version are listed as not estimated, not rejected."""
    for book in zh_templates:
        wb = openpyxl.load_workbook(book)
        data_sheets = [s for s in wb.sheetnames if s not in ("填表说明", LISTS_SHEET)]
        for row in wb["填表说明"].iter_rows(values_only=True):
            if row[0] in data_sheets:
                wb[row[0]].append([*row[1:-1], None])   # the 示例 mark taken off, as for local data
        wb.save(tmp_path / book.name)
    inputs, _ = read_inputs([tmp_path])
    assert not inputs.errors, [str(p) for p in inputs.errors]
    result = compile_inventory(inputs, load_all())
    not_estimated = set(result.not_estimated["category"])
    assert {"2.A.1", "4.A"} <= not_estimated  # clinker pollutants without a technology, bulk MSW without DOC and k
    assert "3.C.7" in set(result.emissions["category"])  # rice with the default cultivation period (Table 5.11A)
    assert "3.A.1" in set(result.emissions["category"])  # enteric CH4 of the dairy-cattle example
