"""Reading the v1 format and wide energy balances: names, accounting, and every error path."""

from __future__ import annotations

import openpyxl
import pytest

from conftest import HEADERS_EN, write_workbook
from inventory import categories
from inventory.read import read_inputs, suggest


def read(tmp_path, rows, headers=None, **kw):
    path = write_workbook(tmp_path / "in.xlsx", rows, headers or HEADERS_EN)
    inputs, _ = read_inputs([path], **kw)
    return inputs


def only_error(inputs):
    assert len(inputs.errors) == 1, [str(p) for p in inputs.errors]
    return inputs.errors[0]


@pytest.mark.parametrize("region", ["430100", "长沙市", "长沙", "Changsha", " 长沙 "])
def test_region_by_code_name_or_alias(tmp_path, region):
    inputs = read(tmp_path, [[region, 2019, "1.A.1.a", "raw_coal", "", 1, "t"]])
    assert list(inputs.activity["region"]) == ["430100"]


@pytest.mark.parametrize("category, code", [("1.A.3", "1.A.3"), ("交通运输", "1.A.3"), ("Transport", "1.A.3"),
                                            ("电力和热力生产", "1.A.1.a"),
                                            # issue 17: the template's drop-down form, either language
                                            ("1.A.1.a 电力和热力生产", "1.A.1.a"), ("1.A.3  交通运输", "1.A.3"),
                                            ("1.A.3 Transport", "1.A.3"), ("1.A.3　交通运输", "1.A.3")])
def test_category_by_code_or_name(tmp_path, category, code):
    inputs = read(tmp_path, [["430100", 2019, category, "柴油", "", 1, "t"]])
    assert list(inputs.activity["category"]) == [code]


def test_issue_17_code_with_another_category_s_name_is_unknown(tmp_path):
    p = only_error(read(tmp_path, [["430100", 2019, "1.A.3 钢铁", "柴油", "", 1, "t"]]))
    assert p.code == "unknown_category"


def test_chinese_headers_and_activity_names(tmp_path):
    path = write_workbook(tmp_path / "zh.xlsx", [["长沙", 2019, "1.A.4.b", "液化石油气", "", "1", "万吨"]])
    inputs, _ = read_inputs([path])
    assert inputs.activity.loc[0, ["activity", "amount"]].tolist() == ["lpg", 1e4]


def test_row_accounting_adds_up(tmp_path):
    rows = [["430100", 2019, "1.A.1.a", "raw_coal", "", 1, "t"],
            [None] * 7,
            ["430100", 2018, "1.A.1.a", "raw_coal", "", 1, "t"],
            ["430100", 2019, "1.A.1.a", "bogus_fuel", "", 1, "t"]]
    inputs = read(tmp_path, rows, years={2019})
    assert inputs.counts() == {"read": 4, "used": 1, "skipped": 2, "rejected": 1}
    reasons = dict(zip(inputs.ledger["row"], inputs.ledger["reason"]))
    assert reasons[3] == "blank" and reasons[4] == "not_selected"


@pytest.mark.parametrize("cells, column, code, value", [
    (["长沙x", 2019, "1.A.1.a", "raw_coal", "", 1, "t"], "region (A)", "unknown_region", "长沙x"),
    (["430100", "19", "1.A.1.a", "raw_coal", "", 1, "t"], "year (B)", "not_a_year", "19"),
    (["430100", 2019, "1.X", "raw_coal", "", 1, "t"], "category (C)", "unknown_category", "1.X"),
    (["430100", 2019, "1.A.1.a", "raw_cole", "", 1, "t"], "activity (D)", "unknown_activity", "raw_cole"),
    (["430100", 2019, "1.A.1.a", "raw_coal", "pc_boiler+magic", 1, "t"], "technology (E)", "unknown_technology",
     "pc_boiler+magic"),
    (["430100", 2019, "1.A.1.a", "raw_coal", "", "lots", "t"], "value (F)", "not_a_number", "lots"),
    (["430100", 2019, "1.A.1.a", "raw_coal", "", -5, "t"], "value (F)", "negative_amount", "-5"),
    (["430100", 2019, "1.A.1.a", "raw_coal", "", 5, "wibbles"], "unit (G)", "unknown_unit", "wibbles"),
    (["430100", 2019, "1.A.1.a", "raw_coal", "", 5, "万千瓦时x"], "unit (G)", "unknown_unit", "万千瓦时x"),
    (["430100", 2019, "1.A.1.a", "natural_gas", "", 5, "万吨"], "unit (G)", "unit_does_not_fit_activity",
     "万吨"),
    (["430100", 2019, "1.A.1.a", "raw_coal", "", 5, "t", "magic_number"], "parameter (H)", "unknown_parameter",
     "magic_number"),
    (["430100", 2019, "1.A.1.a", "raw_coal", "", 5, "kg", "ncv"], "unit (G)", "unit_does_not_fit_parameter", "kg"),
    # every sector's parameters are checked against their quantity: rice days, wood density, mining CH4
    (["430100", 2019, "3.C.7", "早稻", "", 80, "kg", "rice_days"], "unit (G)", "unit_does_not_fit_parameter", "kg"),
    (["430100", 2019, "3.B.1.a", "forest_stock_growth", "", 0.45, "t", "wood_density"], "unit (G)",
     "unit_does_not_fit_parameter", "t"),
    (["430100", 2019, "1.B.1.a.i", "原煤", "", 10, "t", "ch4_mining"], "unit (G)", "unit_does_not_fit_parameter",
     "t"),
])
def test_error_is_located(tmp_path, cells, column, code, value):
    inputs = read(tmp_path, [["430100", 2019, "1.A.1.a", "raw_coal", "", 1, "t"], cells])
    p = only_error(inputs)
    assert (p.file.endswith("in.xlsx"), p.sheet, p.row, p.column, p.code, p.value) == \
        (True, "能源活动", 3, column, code, value)
    assert p.expectation("zh") and p.expectation("en")
    assert inputs.counts()["rejected"] == 1


def test_every_problem_reported_in_one_run(tmp_path):
    rows = [["x", 2019, "1.A.1.a", "raw_coal", "", 1, "t"], ["430100", 2019, "1.A.1.a", "raw_coal", "", "?", "t"]]
    assert len(read(tmp_path, rows).errors) == 2


def test_suggestion_for_a_misspelt_fuel(tmp_path):
    p = only_error(read(tmp_path, [["430100", 2019, "1.A.1.a", "原煤x", "", 1, "t"]]))
    assert p.suggestion == "原煤"
    assert "did you mean '原煤'" in str(p)


def test_issue_17_industry_for_coke_suggests_nothing_that_misroutes(tmp_path):
    p = only_error(read(tmp_path, [["430200", 2023, "工业", "焦炭", "", 10, "万吨"]]))
    assert p.code == "unknown_category"
    suggested = categories.lookup().get(p.suggestion) if p.suggestion else None
    assert suggested != "1.A.1"                                   # 能源工业: no SO2, NOx, PM factors for coke there
    if suggested:
        assert categories.table().at[suggested, "sector"] == "energy" and not suggest.lacking("coke", suggested)
    # The closest name passed over is named with what the row would lack there.
    params = dict(p.params)
    assert params["passed"] == "能源工业 (1.A.1)"
    assert {"SO2", "NOx", "PM2.5"} <= set(params["lacking"].split("、"))
    assert "能源工业 (1.A.1)" in str(p) and "SO2" in str(p)
    assert "能源工业" in p.expectation("zh")


def test_issue_17_a_product_category_suggestion_stays_in_industry(tmp_path):
    p = only_error(read(tmp_path, [["430200", 2023, "2.C.7", "原铝", "", 10, "万吨"]]))
    suggested = categories.lookup().get(p.suggestion)
    assert suggested and categories.table().at[suggested, "sector"] == "industry"   # never 3.C.6, a manure category


def test_text_numbers_and_duplicates_are_warnings(tmp_path):
    rows = [["430100", 2019, "1.A.1.a", "raw_coal", "", "１,２３4", "t"],
            ["430100", 2019, "1.A.1.a", "raw_coal", "", "１,２３4", "t"]]
    inputs = read(tmp_path, rows)
    assert not inputs.errors
    assert inputs.activity["amount"].tolist() == [1234.0, 1234.0]
    codes = sorted(p.code for p in inputs.warnings)
    assert codes == ["duplicate_row", "number_stored_as_text", "number_stored_as_text"]
    dup = next(p for p in inputs.warnings if p.code == "duplicate_row")
    assert dup.row == 3 and dict(dup.params) == {"file": dup.file, "sheet": "能源活动", "row": "2"}


def test_issue_17_same_row_in_two_sheets_and_two_workbooks_is_warned_naming_both(tmp_path):
    row = ["430100", 2019, "1.A.1.a", "raw_coal", "", 10, "万吨"]
    first = write_workbook(tmp_path / "a.xlsx", [row], HEADERS_EN)
    book = openpyxl.load_workbook(first)
    other = book.create_sheet("第二张")
    other.append(HEADERS_EN)
    other.append(row)
    book.save(first)
    second = write_workbook(tmp_path / "b.xlsx", [row], HEADERS_EN)
    inputs, _ = read_inputs([first, second], base=tmp_path)
    dups = sorted((p.file, p.sheet, p.row, dict(p.params)["file"], dict(p.params)["sheet"], dict(p.params)["row"])
                  for p in inputs.warnings if p.code == "duplicate_row")
    assert dups == [("a.xlsx", "第二张", 2, "a.xlsx", "能源活动", "2"), ("b.xlsx", "能源活动", 2, "a.xlsx", "能源活动", "2")]
    assert inputs.counts()["used"] == 3  # warned, still used (DESIGN 3.3)
    text = str(next(p for p in inputs.warnings if p.code == "duplicate_row" and p.file == "b.xlsx"))
    assert "b.xlsx › 能源活动 › row 2" in text and "a.xlsx › 能源活动 › row 2" in text
    zh = next(p for p in inputs.warnings if p.code == "duplicate_row" and p.file == "b.xlsx")
    assert zh.message("zh") == "可能重复：与 a.xlsx › 能源活动 第 2 行各列完全相同"


def test_notation_key_rows_are_used(tmp_path):
    inputs = read(tmp_path, [["430100", 2019, "1.A.3.c", "diesel_oil", "", "NO", ""]])
    assert inputs.counts()["used"] == 1
    assert inputs.notation.loc[0, "key"] == "NO"


@pytest.mark.parametrize("key", ["NE", "NO", "NA", "IE", "C", "ne"])
def test_issue_17_notation_key_for_a_category_without_activity_is_used(tmp_path, key):
    inputs = read(tmp_path, [["430100", 2019, "2.C.3", "", "", key, ""]])
    assert not inputs.problems, [str(p) for p in inputs.problems]
    assert inputs.counts() == {"read": 1, "used": 1, "skipped": 0, "rejected": 0}
    assert inputs.notation[["region", "year", "category", "activity", "key"]].values.tolist() == \
        [["430100", 2019, "2.C.3", "", key.upper()]]
    assert inputs.activity.empty


def test_issue_17_a_number_without_activity_is_still_rejected(tmp_path):
    p = only_error(read(tmp_path, [["430100", 2019, "2.C.3", "", "", 5, "t"]]))
    assert (p.column, p.code) == ("activity (D)", "activity_is_empty")


def test_parameter_row_with_no_activity_is_a_warning(tmp_path):
    inputs = read(tmp_path, [["430100", 2019, "1.A.1.a", "raw_coal", "", 1, "t"],
                             ["430100", 2019, "", "diesel_oil", "", 1, "%", "sulfur_content"]])
    assert [p.code for p in inputs.warnings] == ["unused_parameter_row"]


def balance(tmp_path, cells):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "能源平衡表 430000 2019"
    for row in cells:
        ws.append(row)
    path = tmp_path / "balance.xlsx"
    wb.save(path)
    return path


def test_energy_balance_is_read_into_the_long_table(tmp_path):
    path = balance(tmp_path, [
        ["地区", "湖南省"], ["年份", 2019], [],
        ["项目", "原煤(万吨)", "天然气(亿立方米)", "电力(亿千瓦时)"],
        ["终端消费量", 100, 3, 50],
        ["农、林、牧、渔业", 1, None, 2],
        ["火力发电", 60, 1, -40],
        ["非能源使用", 5, None, None],
        ["炼焦", 9, None, None],
    ])
    inputs, _ = read_inputs([path])
    assert not inputs.errors
    act = inputs.activity.sort_values(["category", "activity"])
    assert act[["category", "activity", "amount"]].values.tolist() == [
        ["1.A.1.a", "natural_gas", 1e8], ["1.A.1.a", "raw_coal", 60e4],
        ["1.A.4.c", "electricity", 2 * 1e8 * 3.6e-6], ["1.A.4.c", "raw_coal", 1e4]]
    reasons = dict(zip(inputs.ledger["row"], inputs.ledger["reason"]))
    assert (reasons[5], reasons[8], reasons[9]) == ("subtotal", "non_energy_use", "transformation")
    assert inputs.counts() == {"read": 5, "used": 2, "skipped": 3, "rejected": 0}
    assert set(inputs.activity["region"]) == {"430000"}


def test_energy_balance_unknown_sector_is_located(tmp_path):
    path = balance(tmp_path, [["地区", "湖南省"], ["年份", 2019], [], ["项目", "原煤(万吨)", "柴油(万吨)"],
                              ["不存在的行业", 1, 2]])
    inputs, _ = read_inputs([path])
    p = inputs.errors[0]
    assert (p.row, p.column, p.value, p.code) == (5, "项目 (A)", "不存在的行业", "unknown_category")


@pytest.mark.parametrize("content, code", [
    (b"region,year\n430100,2019\n", "not_an_xlsx_file"),
    (b"PK\x03\x04 truncated", "file_not_a_zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "workbook_protected_or_xls"),
])
def test_broken_files_give_clear_errors(tmp_path, content, code):
    name = "data.csv" if content.startswith(b"region") else "data.xlsx"
    path = tmp_path / name
    path.write_bytes(content)
    inputs, _ = read_inputs([path])
    assert len(inputs.errors) == 1
    assert inputs.errors[0].code == code
    assert inputs.errors[0].file.endswith(name)


def test_year_outside_the_project_is_reported_by_validate(tmp_path):
    inputs = read(tmp_path, [["430100", 2019, "1.A.1.a", "raw_coal", "", 1, "t"],
                             ["430100", 2018, "1.A.1.a", "raw_coal", "", 1, "t"]],
                  years={2019}, warn_not_selected=True)
    p = next(p for p in inputs.warnings if p.code == "year_not_selected")
    assert (p.row, p.column, p.value, p.expectation("en")) == (3, "year (B)", "2018", "the project's years: 2019")
    assert inputs.counts() == {"read": 2, "used": 1, "skipped": 1, "rejected": 0}


def test_calamine_grids_are_the_frames_pandas_read_excel_gives(tmp_path):
    """The reader uses python-calamine's own API (faster, bench/README.md); its grids must equal what
    pandas.read_excel(engine="calamine") gave: whole floats as int, dates as datetime, empty cells NaN,
    'NA' and '' kept apart, blank rows and columns kept so row i is Excel row i + 1."""
    import datetime

    import pandas as pd

    from inventory.read.files import read_grids

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "数据"
    ws.append(["地区", "年份", "值", "备注"])
    ws.append([])
    ws.append(["430100", 2019.0, 1.5, "NA"])
    ws.append([430100, 2020, 2.0, datetime.date(2020, 1, 2)])
    ws.append(["=1+1", True, 1e20, datetime.datetime(2020, 1, 2, 3, 4)])
    ws.cell(row=7, column=6, value=" ")
    book.create_sheet("空")
    path = tmp_path / "a.xlsx"
    book.save(path)
    grids = read_grids(path, ["数据", "空"], 1_048_576)
    theirs = pd.read_excel(path, sheet_name=["数据", "空"], header=None, engine="calamine", dtype=object,
                           nrows=1_048_576, keep_default_na=False, na_values=[""])
    for sheet in ("数据", "空"):
        pd.testing.assert_frame_equal(grids[sheet], theirs[sheet])
    grid = grids["数据"]
    assert grid.shape == (7, 6) and grid.iloc[1].isna().all()
    assert grid.iat[2, 1] == 2019 and type(grid.iat[2, 1]) is int and grid.iat[2, 3] == "NA"
    assert grid.iat[3, 3] == datetime.datetime(2020, 1, 2) and grid.iat[4, 2] == 1e20


def test_calamine_grids_hold_one_object_per_distinct_text(tmp_path):
    """A county-level sheet repeats a few hundred names over 250,000 rows: the grid keeps one object per
    distinct text and whole number of a column (calamine makes one per cell; issue 14, a national read),
    with the values, types and empty cells as before (a text column, and a column mixing texts and numbers)."""
    from inventory.read.files import read_grids

    book = openpyxl.Workbook()
    ws = book.active
    for i in range(6):
        ws.append(["长沙市", ["2019", 2019.0, "", 7.5, "2019", 2019.0][i], "天然气" if i % 2 else "煤"])
    path = tmp_path / "a.xlsx"
    book.save(path)
    grid = read_grids(path, [ws.title], 1_048_576)[ws.title]
    names, mixed, fuels = (grid[j].tolist() for j in range(3))
    assert names == ["长沙市"] * 6 and all(n is names[0] for n in names)
    assert fuels[1] is fuels[3] is fuels[5] == "天然气" and fuels[0] is fuels[2] == "煤"
    assert mixed[0] is mixed[4] == "2019" and mixed[1] is mixed[5] == 2019 and type(mixed[1]) is int
    assert mixed[3] == 7.5 and grid[1].isna().tolist() == [False, False, True, False, False, False]


def test_calamine_grids_keep_true_and_false_apart_from_one_and_zero(tmp_path):
    """read_grids converts each distinct value of a column once; factorising merges True with 1 and 1.0 and
    False with 0, -0.0: those cells keep their own type, as pandas' calamine reader gives them."""
    import datetime

    import pandas as pd

    from inventory.read.files import read_grids

    book = openpyxl.Workbook()
    ws = book.active
    cells = [True, 1, 1.0, 0, False, 0.0, -0.0, "1", "", 2.5, datetime.date(2020, 1, 2), "True", 1, True, None]
    for i, v in enumerate(cells):
        ws.append([v, cells[-1 - i], "x" if i % 2 else 3.0])
    path = tmp_path / "a.xlsx"
    book.save(path)
    grid = read_grids(path, [ws.title], 1_048_576)[ws.title]
    theirs = pd.read_excel(path, header=None, engine="calamine", dtype=object, keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(grid, theirs)
    for j in grid:
        assert [type(v) for v in grid[j]] == [type(v) for v in theirs[j]]
    assert grid[0].tolist()[:5] == [True, 1, 1, 0, False] and type(grid.iat[0, 0]) is bool and type(grid.iat[4, 0]) is bool


def test_column_conversions_of_validate_give_each_values_own_reading():
    """validate converts each distinct cell value without a Python call per number (issue 14); every kind of
    cell must read as the per-value functions read it: text, blank, number type, notation key."""
    import datetime

    import numpy as np

    from inventory.read.validate import _cell_text, _cell_type, _cell_types, _notations, _texts

    values = np.array([" 长沙市 ", "", "na", " NE ", "c", 2019, 2019.0, -0.0, 1e20, 2.5, float("inf"), float("nan"),
                       -3, True, False, None, np.int64(7), np.float64(7.0), np.float64(7.25), "1,234",
                       datetime.datetime(2020, 1, 2), 10 ** 30, "IE"], dtype=object)
    assert _texts(values).tolist() == [_cell_text(x) for x in values]
    assert _cell_types(values).tolist() == [_cell_type(x) for x in values]
    keys = [_cell_text(x).upper() for x in values]
    assert _notations(values).tolist() == [k if k in ("NO", "NE", "NA", "IE", "C") else "" for k in keys]


def test_named_records_finds_the_rows_and_sheets_the_reader_rejects():
    """read_inputs rejects the records of rows a reader problem names (merged cells, formulas without a value)
    and of sheets without a header, found by integer keys: the same records as comparing (file, sheet, row)."""
    import pandas as pd

    from inventory.read import named_records

    raw = pd.DataFrame({"file": ["a.xlsx", "a.xlsx", "b.xlsx", "b.xlsx", "a.xlsx", "b.xlsx"],
                        "sheet": ["S1", "S1", "S1", "S2", "S2", "S2"], "row": [2, 3, 2, 2, 3, 3]})
    rows = {("a.xlsx", "S1", 3), ("b.xlsx", "S1", 2), ("a.xlsx", "S9", 2), ("c.xlsx", "S1", 2), ("a.xlsx", "S2", 99)}
    sheets = {("b.xlsx", "S2"), ("a.xlsx", "S3")}
    expected = [(f, s, r) in rows or (f, s) in sheets for f, s, r in zip(raw["file"], raw["sheet"], raw["row"])]
    assert named_records(raw, rows, sheets).tolist() == expected == [False, True, True, True, False, True]
    assert not named_records(raw, set(), set()).any() and not named_records(raw.iloc[:0], rows, sheets).any()


def test_first_filled_cell_of_each_row_is_what_bfill_gives():
    """note_rows looks at each row's first filled cell, found column by column (issue 14: bfill copied the sheet)."""
    import numpy as np
    import pandas as pd

    from inventory.read.workbook import first_filled

    body = pd.DataFrame({0: [np.nan, "注：a", None, 3, np.nan], 1: [np.nan, np.nan, "x", 4, np.nan],
                         2: [5.5, "y", None, np.nan, np.nan]}, dtype=object, index=[4, 5, 6, 7, 8])
    assert first_filled(body).tolist()[:4] == body.bfill(axis=1).iloc[:, 0].tolist()[:4] == [5.5, "注：a", "x", 3]
    assert pd.isna(first_filled(body).iloc[4]) and first_filled(body).index.equals(body.index)


def test_value_keys_are_equal_exactly_where_the_texts_are():
    """validate compares the value column's cells by key (a float not a whole number keyed by itself, not its
    text: issue 14); two cells' keys are equal exactly where their texts are, whatever mix of numbers and text."""
    import numpy as np

    from inventory.read.validate import _text_keys, _texts

    values = np.array([2.5, "2.5", " 2.5 ", "2.50", 1e-05, "1e-05", "1e-5", float("inf"), "inf", "-inf", -float("inf"),
                       2.0, "2.0", "2", 2, "nan", "NaN", -0.0, 0, "0", "—", "", np.float64(2.5), np.float64(3.0),
                       True, "1,234", 1e20, "1e+20", 1e16, "1e+16", 1.5e300, 0.1 + 0.2, "0.30000000000000004", "2_5"],
                      dtype=object)
    texts, keys = _texts(values).tolist(), _text_keys(values).tolist()
    for i in range(len(values)):
        for j in range(len(values)):
            assert (texts[i] == texts[j]) == (keys[i] == keys[j]), (values[i], values[j])
    assert all(k == t for k, t in zip(keys, texts) if isinstance(k, str))


def test_ledger_in_row_order_is_kept_as_it_is_and_any_other_order_sorted_to_it():
    """The ledger of a read in sorted sheet order is already one record per row in (file, sheet, row) order
    and is kept as it is (issue 14); shuffled, or with a row read twice, it is sorted and collapsed to the same."""
    import pandas as pd

    from inventory.read.validate import _in_row_order, _one_status_per_row, compact_ledger

    ledger = compact_ledger(pd.DataFrame({
        "file": ["a.xlsx"] * 4 + ["b.xlsx"] * 2, "sheet": ["S1", "S1", "S2", "S2", "S1", "S1"],
        "row": [2, 3, 2, 5, 2, 10], "status": ["used", "skipped", "used", "rejected", "used", "used"],
        "reason": ["", "blank", "", "", "", ""], "region": ["430100"] * 6,
        "year": pd.array([2019] * 6, dtype="Int64")}))
    assert _in_row_order(ledger)
    pd.testing.assert_frame_equal(_one_status_per_row(ledger), ledger)
    shuffled = ledger.iloc[[3, 0, 5, 1, 4, 2]].reset_index(drop=True)
    assert not _in_row_order(shuffled)
    pd.testing.assert_frame_equal(_one_status_per_row(shuffled), ledger)
    twice = pd.concat([ledger, ledger.iloc[[3]].assign(status=pd.Categorical(["used"]))], ignore_index=True)
    assert not _in_row_order(compact_ledger(twice.astype({c: str for c in ("file", "sheet", "status", "reason", "region")})))
