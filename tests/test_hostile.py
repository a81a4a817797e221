"""Hostile and broken input files (DESIGN 5): each gives a clear Problem naming the file, never a
traceback, a hang or unbounded memory; `inventory validate` exits 2.

Every file is built here, in tmp_path, with zipfile or openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from conftest import HEADERS_EN, write_workbook
from inventory.cli import app
from inventory.read import read_inputs
from inventory.read.cells import scan_workbook

runner = CliRunner()

GOOD_ROW = ["430100", 2019, "1.A.1.a", "raw_coal", "", 1, "t"]
HEADER_XML = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS_EN))

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                 '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                 'sheet.main+xml"/><Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
             '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="能源活动" sheetId="1" r:id="rId7"/></sheets></workbook>')
# The sheet's part name is not sheet1.xml: the reader must follow the relationship.
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/></Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
              'openxmlformats.org/spreadsheetml/2006/main">')


def data_row(r: int, cells=GOOD_ROW) -> str:
    out = []
    for i, v in enumerate(cells):
        ref = f"{chr(65 + i)}{r}"
        if isinstance(v, str) and v:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
        elif v != "":
            out.append(f'<c r="{ref}"><v>{v}</v></c>')
    return f'<row r="{r}">{"".join(out)}</row>'


def package(path: Path, rows: str | list = "", after: str = "", prolog: str = "", extra: dict | None = None) -> Path:
    """A minimal .xlsx written by hand: sheet XML = prolog + head + header row + rows + after."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/data.xml", "w", force_zip64=True) as fh:
            fh.write((prolog + SHEET_HEAD + f'<sheetData><row r="1">{HEADER_XML}</row>').encode())
            for piece in ([rows] if isinstance(rows, str) else rows):
                fh.write(piece.encode())
            fh.write(f"</sheetData>{after}</worksheet>".encode())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def validate_fails(path: Path, *messages: str):
    """`inventory validate` exits 2 with each message and the file's name, and no traceback."""
    result = runner.invoke(app, ["validate", str(path), "--lang", "en"], env={"COLUMNS": "300"})
    text = " ".join(result.output.split())  # the table wraps long cells
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert path.name in text
    for message in messages:
        assert message in text, (message, result.output)
    return result


def only_error(path: Path):
    inputs, _ = read_inputs([path])
    assert len(inputs.errors) == 1, [str(p) for p in inputs.errors]
    p = inputs.errors[0]
    assert p.file.endswith(path.name)
    return p


# ------------------------------------------------------------------ files that are not workbooks

def test_truncated_xlsx(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", [GOOD_ROW])
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "corrupt or truncated" in only_error(path).message("en")
    validate_fails(path, "corrupt or truncated")


def test_csv_named_xlsx_utf8_and_gbk(tmp_path):
    for name, encoding in (("utf8.xlsx", "utf-8"), ("gbk.xlsx", "gbk")):
        path = tmp_path / name
        path.write_bytes("地区,年份,排放源类别\n长沙,2019,1.A.1.a\n".encode(encoding))
        assert "file is text (CSV or similar) named .xlsx" in only_error(path).message("en")
        validate_fails(path, "file is text")


def test_csv_and_xls_by_extension(tmp_path):
    for name in ("data.csv", "data.xls"):
        path = tmp_path / name
        path.write_bytes("地区,年份\n".encode("gbk"))
        validate_fails(path, "not an .xlsx workbook")


def test_old_xls_renamed(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 600)
    assert "old .xls format" in only_error(path).message("en")


def test_password_protected_workbook(tmp_path):
    # An encrypted .xlsx is an OLE compound file holding an EncryptedPackage stream.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
                     + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000)
    p = only_error(path)
    assert p.code == "workbook_password_protected"
    validate_fails(path, "password-protected", "remove the password")


def test_zip_without_workbook(tmp_path):
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    validate_fails(path, "not an Excel workbook")


# ------------------------------------------------------------------ bombs and caps

def test_zip_bomb_member_is_refused_unread(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        with zf.open("xl/media/image1.png", "w") as fh:  # 64 MB of zeros: ~64 KB compressed
            block = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(block)
    assert path.stat().st_size < 1_000_000
    assert "possible zip bomb" in only_error(path).message("en")
    validate_fails(path, "zip bomb", "image1.png")


BOMB_DTD = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(3, 10)) + "]>")


def test_xml_bomb_in_worksheet(tmp_path):
    path = package(tmp_path / "bomb.xlsx", data_row(2, ["&lol9;", 2019, "1.A.1.a", "raw_coal", "", 1, "t"]),
                   prolog=BOMB_DTD)
    assert "DTD or XML entities" in only_error(path).message("en")
    validate_fails(path, "possible XML bomb")


def test_xml_bomb_in_shared_strings(tmp_path):
    sst = ('<?xml version="1.0"?>' + BOMB_DTD + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
           'main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    path = package(tmp_path / "sst.xlsx", '<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
                   extra={"xl/sharedStrings.xml": sst})
    p = only_error(path)
    assert "xl/sharedStrings.xml declares a DTD" in p.message("en")
    validate_fails(path, "possible XML bomb")


def test_far_flung_cell_is_refused_before_calamine(tmp_path):
    # calamine allocates last row × last column densely: this 2 KB file would need ~500 GB.
    path = package(tmp_path / "far.xlsx", data_row(2) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    p = only_error(path)
    assert (p.sheet, p.code) == ("能源活动", "sheet_too_many_cells")
    assert "1,048,576 rows × 16,384 columns" in p.message("en")
    validate_fails(path, "sheet not read")


def test_row_past_excels_last_row_is_refused(tmp_path):
    path = package(tmp_path / "rows.xlsx", data_row(2) + '<row r="2000000"><c r="A2000000"><v>1</v></c></row>')
    assert "past Excel's last row 1,048,576" in only_error(path).message("en")
    validate_fails(path, "sheet not read")


def test_cell_hidden_below_its_row_tag_is_found(tmp_path):
    # A cell whose own position lies far below the <row> that holds it, on a wide sheet.
    path = package(tmp_path / "hidden.xlsx", data_row(2) + '<row r="3"><c r="A900000"><v>1</v></c>'
                   '<c r="ZZ3"><v>1</v></c></row>')
    facts = scan_workbook(path)[0]
    assert (facts.max_row, facts.max_col) == (900000, 702)
    assert facts.over_cap
    validate_fails(path, "sheet not read")


def test_million_empty_formatted_rows(tmp_path):
    rows = [data_row(2), data_row(3, ["430100", 2018, "1.A.1.a", "raw_coal", "", 2, "t"])]
    rows += ["".join(f'<row r="{r}" s="1" customFormat="1"/>' for r in range(start, min(start + 100_000, 1_000_004)))
             for start in range(4, 1_000_004, 100_000)]
    path = package(tmp_path / "formatted.xlsx", rows)
    facts = scan_workbook(path)[0]
    assert (facts.max_row, facts.max_col, facts.over_cap) == (3, 10, "")
    inputs, _ = read_inputs([path])
    assert not inputs.errors
    assert inputs.counts() == {"read": 2, "used": 2, "skipped": 0, "rejected": 0}


def test_million_styled_empty_cells(tmp_path):
    rows = [data_row(2)]
    rows += ["".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="L{r}" s="1"/></row>'
                     for r in range(start, min(start + 100_000, 1_000_003))) for start in range(3, 1_000_003, 100_000)]
    path = package(tmp_path / "styled.xlsx", rows)
    inputs, _ = read_inputs([path])
    assert not inputs.errors
    assert inputs.counts()["read"] == inputs.counts()["used"] == 1


def test_very_long_label(tmp_path):
    # 100,000 characters, past Excel's own 32,767 per cell: written by hand, as a hostile file would be.
    long = "长" * 100_000
    path = package(tmp_path / "long.xlsx", data_row(2, [*GOOD_ROW, "", long]) + data_row(3, [long, *GOOD_ROW[1:]]))
    inputs, _ = read_inputs([path])
    assert inputs.counts() == {"read": 2, "used": 1, "skipped": 0, "rejected": 1}
    assert long.startswith(inputs.activity.loc[0, "source"])
    result = validate_fails(path, "unknown region")
    assert len(result.output) < 50_000  # the value is cut in the table


# ------------------------------------------------------------------ cell facts: merged cells, formulas

def test_merged_cells_reject_each_row(tmp_path):
    rows = [GOOD_ROW, ["430100", 2019, "1.A.1.a", "raw_coal", "", 2, "t"], ["430100", None, "1.A.1.a", "raw_coal",
                                                                          "", 3, "t"], GOOD_ROW[:1] + [2018] + GOOD_ROW[2:]]
    path = write_workbook(tmp_path / "merged.xlsx", rows, HEADERS_EN)
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("B3:B4")  # year of rows 3 and 4 as one merged cell
    wb.save(path)
    inputs, _ = read_inputs([path])
    merged = [p for p in inputs.errors if p.code == "merged_cells"]
    assert [(p.row, p.column, p.message("en")) for p in merged] == [
        (r, "B3:B4", "merged cells B3:B4: unmerge and fill each row") for r in (3, 4)]
    assert inputs.counts() == {"read": 4, "used": 2, "skipped": 0, "rejected": 2}
    assert set(inputs.activity["row"]) == {2, 5}
    validate_fails(path, "merged cells B3:B4: unmerge and fill each row")


def test_merged_title_above_a_balance_is_not_an_error(tmp_path):
    path = tmp_path / "balance.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "能源平衡表"
    for row in [["地区", "湖南省"], ["年份", 2019], ["项目", "原煤(万吨)"], ["火力发电", 10]]:
        ws.append(row)
    ws.merge_cells("B1:C1")
    wb.save(path)
    inputs, _ = read_inputs([path])
    assert not [p for p in inputs.problems if p.code == "merged_cells"]


def test_formula_without_cached_value(tmp_path):
    row = data_row(2).replace('<c r="F2"><v>1</v></c>', '<c r="F2"><f>SUM(1,2)</f></c>')
    ok = data_row(3).replace('<c r="F3"><v>1</v></c>', '<c r="F3"><f>SUM(0,1)</f><v>1</v></c>')
    path = package(tmp_path / "formula.xlsx", row + ok)
    inputs, _ = read_inputs([path])
    p = only_error(path)
    assert (p.sheet, p.row, p.column, p.code) == ("能源活动", 2, "F2", "formula_without_value")
    assert p.message("en") == "formula without a saved value: open and save the file in Excel/WPS"
    assert inputs.counts() == {"read": 2, "used": 1, "skipped": 0, "rejected": 1}
    validate_fails(path, "formula without a saved value", "F2")


def test_formula_written_by_openpyxl_has_no_saved_value(tmp_path):
    path = write_workbook(tmp_path / "py.xlsx", [GOOD_ROW], HEADERS_EN)
    wb = openpyxl.load_workbook(path)
    wb.active["F2"] = "=1+1"  # openpyxl writes <f>1+1</f><v></v>: never calculated
    wb.save(path)
    p = only_error(path)
    assert (p.row, p.column) == (2, "F2")


def test_issue_12_formula_in_a_free_text_column_is_a_warning(tmp_path):
    """A formula without a saved value in 备注/notes or 数据来源/source loses no number: the row is used and
    the cell listed as a warning; a formula in the value column still rejects its row."""
    headers = HEADERS_EN
    path = write_workbook(tmp_path / "notes.xlsx", [GOOD_ROW + ["", "统计局", ""], GOOD_ROW + ["", "", ""]], headers)
    wb = openpyxl.load_workbook(path)
    wb.active["J2"] = '=CONCAT("a","b")'  # notes: openpyxl saves no value
    wb.active["I3"] = "=A1"                # source
    wb.save(path)
    inputs, _ = read_inputs([path])
    assert not inputs.errors and inputs.counts() == {"read": 2, "used": 2, "skipped": 0, "rejected": 0}
    warned = [p for p in inputs.warnings if p.code == "formula_in_text_column"]
    assert [(p.row, p.column) for p in warned] == [(2, "J2"), (3, "I3")]
    assert "free-text column" in warned[0].message("en")
    assert inputs.activity["amount"].tolist() == [1.0, 1.0]
    wb = openpyxl.load_workbook(path)
    wb.active["F3"] = "=1+1"
    wb.save(path)
    p = only_error(path)
    assert (p.row, p.column, p.code) == (3, "F3", "formula_without_value")


def test_cells_without_positions_are_scanned_exactly(tmp_path):
    # Some writers omit r= on rows and cells; the exact (expat) scan places them by order.
    rows = ('<row><c t="inlineStr"><is><t>430100</t></is></c><c><v>2019</v></c><c t="inlineStr"><is><t>1.A.1.a'
            '</t></is></c><c t="inlineStr"><is><t>raw_coal</t></is></c><c/><c><f>1+1</f></c></row>')
    path = package(tmp_path / "no_r.xlsx", rows, after='<mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells>')
    facts = scan_workbook(path)[0]
    assert facts.exact
    assert (facts.formulas, facts.merged, facts.max_row) == (["F2"], ["C2:C3"], 2)


def test_fast_and_exact_scans_agree(tmp_path):
    from inventory.read import cells

    rows = data_row(2) + data_row(3).replace('<v>1</v>', '<f>A1</f><v></v>') + data_row(7) + \
        '<row r="9"><c r="M9"><v>1</v></c></row>'
    path = package(tmp_path / "both.xlsx", rows, after='<mergeCells count="1"><mergeCell ref="A7:B8"/></mergeCells>')
    fast = scan_workbook(path)[0]
    with zipfile.ZipFile(path) as zf:
        exact = cells.SheetFacts(fast.name, fast.part)
        cells._scan_exact(zf, zf.getinfo(fast.part), exact)
    assert not fast.exact
    assert (fast.merged, fast.formulas, fast.max_row, fast.max_col) == \
        (exact.merged, exact.formulas, exact.max_row, exact.max_col) == (["A7:B8"], ["F3"], 9, 13)


# ------------------------------------------------------------------ labels must not execute in outputs

def test_formula_like_and_script_labels_stay_text_in_outputs(tmp_path):
    labels = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "=cmd|' /C calc'!A0",
              "<script>alert(1)</script>"]
    rows = [["430100", 2019, "1.A.1.a", "raw_coal", "", 10 + i, "t", "", label, label]
            for i, label in enumerate(labels)]
    rows += [[label, 2019, "1.A.1.a", "raw_coal", "", 1, "t", "", "", ""] for label in labels]  # rejected
    data = write_workbook(tmp_path / "data" / "labels.xlsx", rows, HEADERS_EN)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(data), "-o", str(out), "--keep-going"], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output  # built, with rejected rows
    assert "Traceback" not in result.output
    for xlsx in out.rglob("*.xlsx"):
        with zipfile.ZipFile(xlsx) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/"):
                    assert not re.search(rb"<(\w+:)?f[\s>/]", zf.read(name)), (xlsx, name)
    for report in out.rglob("report.html"):
        html = report.read_text(encoding="utf-8")
        assert "<script>alert" not in html
    validate_fails(data, "unknown region")


def test_table_starting_in_column_b(tmp_path):
    path = tmp_path / "col_b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append([None, *HEADERS_EN[:7]])
    wb.active.append([None, *GOOD_ROW])
    wb.save(path)
    inputs, _ = read_inputs([path])
    assert inputs.counts()["used"] == 1


def test_highest_row_is_found_when_rows_are_out_of_order(tmp_path):
    """The fast scan takes the last row tag's number as the highest unless a search finds a higher one: rows
    out of order, written with leading zeros or with `r` after another attribute, and a self-closing (empty)
    row tag last, give the highest row holding a cell, as the exact scan does (issue 14)."""
    from inventory.read import cells

    rows = (data_row(2) + '<row r="00000040"><c r="A40"><v>1</v></c></row>' + '<row spans="1:2" r="50"><c r="B50">'
            '<v>1</v></c></row>' + data_row(7) + '<row r="99"/>')
    ordered = package(tmp_path / "ordered.xlsx", data_row(2) + data_row(3) + '<row r="12"/>')
    for path, highest in ((package(tmp_path / "rows.xlsx", rows), 50), (ordered, 3)):
        fast = scan_workbook(path)[0]
        with zipfile.ZipFile(path) as zf:
            exact = cells.SheetFacts(fast.name, fast.part)
            cells._scan_exact(zf, zf.getinfo(fast.part), exact)
        assert not fast.exact and fast.max_row == exact.max_row == highest
