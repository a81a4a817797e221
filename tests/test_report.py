"""Excel workbook and HTML report rendered from a small hand-made BuildResult."""

from __future__ import annotations

import pathlib
import shutil
import re
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
from markupsafe import escape

import inventory.resources
from inventory import figures
from inventory.report import excel, html, summaries
from inventory.result import CHECK_COLUMNS, EMISSION_COLUMNS, BuildResult

TEMPLATES = pathlib.Path(__file__).resolve().parents[1] / "templates"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
# AR5 100-year GWP: CH4 28, N2O 265.
GWP = {"CO2": 1.0, "CH4": 28.0, "N2O": 265.0}


def _row(region, name, category, cat_name, sector, activity, substance, emission, kind="emission",
         basis="own"):
    """One emissions row (t); co2e_t filled for greenhouse gases only."""
    ghg = substance in GWP
    return {
        "region": region, "region_name": name, "year": 2020, "category": category,
        "category_name": cat_name, "activity": activity, "technology": "", "substance": substance,
        "emission": emission, "unit": "t", "co2e_t": emission * GWP[substance] if ghg else None,
        "gwp_set": "AR5", "activity_amount": 100.0, "activity_unit": "TJ",
        "implied_factor": emission / 100.0, "factor_ids": "f1;f2", "kind": kind, "basis": basis,
        "sector": sector, "substance_kind": "ghg" if ghg else "pollutant",
    }


def make_result() -> BuildResult:
    """Province 430000 and prefecture 430100 in 2020 with a memo, a sink and hostile labels."""
    prov, pref = ("430000", "湖南省"), ("430100", SCRIPT)
    rows = [
        _row(*prov, "1.A.1.a", "电力和热力生产", "energy", "raw_coal", "CO2", 1000.0),
        _row(*prov, "1.A.1.a", "电力和热力生产", "energy", "raw_coal", "CH4", 1.0),
        _row(*prov, "1.A.1.a", "电力和热力生产", "energy", "raw_coal", "SO2", 50.0),
        _row(*prov, "1.A.3.b", "道路运输", "energy", "diesel_oil", "N2O", 0.5),
        _row(*prov, "1.A.3.a.i", "国际航空", "energy", "kerosene", "CO2", 200.0, kind="memo"),
        _row(*prov, "3.A.1", "动物肠道发酵", "agriculture", "dairy_cattle", "CH4", 10.0),
        _row(*prov, "3.A.2", "动物粪便管理", "agriculture", "swine", "NH3", 5.0),
        _row(*prov, "3.B.1", "林地", "land_use", "forest", "CO2", -300.0, kind="sink"),
        _row(*pref, "1.A.1.a", "电力和热力生产", "energy", FORMULA, "CO2", 400.0),
        _row(*pref, "1.A.1.a", "电力和热力生产", "energy", FORMULA, "SO2", 20.0),
        _row(*pref, "3.A.1", "动物肠道发酵", "agriculture", "dairy_cattle", "CH4", 4.0),
    ]
    emissions = pd.DataFrame(rows).reindex(columns=[*EMISSION_COLUMNS, "sector", "substance_kind"])
    checks = pd.DataFrame([
        ["province_vs_prefectures", "430000", 2020, "1", "CO2", 1000.0, 400.0, 150.0, "fail"],
        ["duplicate_rows", "430100", 2020, "", "", 0.0, 0.0, 0.0, "pass"],
        ["yoy_change", "430000", 2020, "3.A.1", "CH4", 10.0, 9.0, 11.1, "warn"],
    ], columns=CHECK_COLUMNS)
    not_estimated = pd.DataFrame([{
        "region": "430100", "year": 2020, "category": "2.A.1", "category_name": "水泥生产",
        "activity": SCRIPT, "substance": "CO2", "reason": "ne_no_default_factor",
    }])
    ledger = pd.DataFrame([
        {"file": "a.xlsx", "sheet": "能源", "row": 2, "status": "used"},
        {"file": "a.xlsx", "sheet": "能源", "row": 3, "status": "used"},
        {"file": "a.xlsx", "sheet": "能源", "row": 4, "status": "skipped", "reason": "blank"},
        {"file": "a.xlsx", "sheet": "能源", "row": 5, "status": "rejected", "reason": "",
         "column": "地区 (A)", "value": FORMULA, "expected": "region code or name"},
    ])
    meta = {"program_version": "0.1.0", "factor_set": "2024.1", "gwp_set": "AR5",
            "build_time": "2024-05-01T12:00:00+08:00",
            "inputs": [{"path": "data/a.xlsx", "sha256": "ab" * 32}]}
    return BuildResult(emissions, checks, not_estimated, ledger, [], meta, figures=figures.compute(emissions))


# Gross total of 430000 in t CO2e, by hand: CO2 1000 + CH4 1 x 28 + N2O 0.5 x 265 + CH4 10 x 28;
# the memo (200 t CO2, international aviation) and the sink (-300 t CO2, forest) are left out.
EXPECTED_GROSS_430000 = 1000.0 + 28.0 + 132.5 + 280.0


@pytest.fixture(autouse=True)
def templates_from_checkout(monkeypatch):
    """Read templates from the repository's templates/ (the package is not installed in tests)."""
    monkeypatch.setattr(inventory.resources, "template_text",
                        lambda name: (TEMPLATES / name).read_text(encoding="utf-8"))


@pytest.fixture
def result() -> BuildResult:
    """The synthetic build result."""
    return make_result()


@pytest.mark.parametrize("lang, sheets", [
    ("zh", ["摘要", "汇总", "能源活动", "农业", "土地利用变化和林业", "大气污染物", "地区对比", "明细", "质量检查", "元数据"]),
    ("en", ["Key figures", "Summary", "Energy", "Agriculture", "Land-use change and forestry", "Air pollutants", "Regions",
            "Detail", "QA-QC", "Metadata"]),
])
def test_workbook_sheets(result, tmp_path, lang, sheets):
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path, lang=lang)
    assert openpyxl.load_workbook(path).sheetnames == sheets


def test_formula_label_is_text(result, tmp_path):
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path)
    ws = openpyxl.load_workbook(path)["明细"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) == 4 and all(c.data_type == "s" for c in cells)  # the activity id, and as its name
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def test_gross_total_excludes_memo_and_sinks(result, tmp_path):
    table = figures.sector_gas(result.emissions)
    prov = table[table["region"] == "430000"].set_index("row_type")
    assert prov.loc["gross", "total"] == pytest.approx(EXPECTED_GROSS_430000)
    assert prov.loc["sink", "total"] == pytest.approx(-300.0)
    assert prov.loc["net", "total"] == pytest.approx(EXPECTED_GROSS_430000 - 300.0)
    assert prov.loc["memo", "total"] == pytest.approx(200.0)
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path)
    rows = list(openpyxl.load_workbook(path)["汇总"].iter_rows(values_only=True))
    gross = [r for r in rows if r[0] == "430000" and r[3] == "排放总量（不含信息项和碳汇）"]
    assert gross[0][-1] == pytest.approx(EXPECTED_GROSS_430000)


def test_sector_tree_sums_descendants_without_memo(result):
    tree = summaries.sector_tree(result, "energy").set_index(["region", "category"])
    assert tree.loc[("430000", "1"), "CO2"] == pytest.approx(1000.0)
    assert tree.loc[("430000", "1.A.3.a.i"), "CO2"] == pytest.approx(200.0)
    assert tree.loc[("430000", "1.A"), "co2e_t"] == pytest.approx(1000.0 + 28.0 + 132.5)


def test_region_comparison_difference(result):
    comp = figures.region_comparison(result.emissions).set_index("row_type")
    assert comp.loc["prefecture_sum", "CO2e"] == pytest.approx(400.0 + 4.0 * 28)
    assert comp.loc["difference", "SO2"] == pytest.approx(50.0 - 20.0)
    # (province − sum) / |sum|: SO2 (50 − 20) / 20; CO2e (1000 + 28 + 132.5 + 280 − 512) / 512
    assert comp.loc["difference_pct", "SO2"] == pytest.approx(150.0)
    assert comp.loc["difference_pct", "CO2e"] == pytest.approx((EXPECTED_GROSS_430000 - 512.0) / 512.0 * 100)


def test_html_is_self_contained_and_escaped(result):
    page = html.render_html(result)
    # The rejected row's value FORMULA is shown as escaped text; apart from it, no URL at all.
    assert escape(FORMULA) in page
    outside_data = page.replace(escape(FORMULA), "")
    assert "http://" not in outside_data and "https://" not in outside_data
    assert " src=" not in page and "url(" not in page and "@import" not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg" in page
    assert "温室气体与大气污染物排放清单报告" in page


def test_html_english(result):
    page = html.render_html(result, lang="en")
    assert "greenhouse gas and air pollutant emission inventory, 2020" in page
    assert '<html lang="en">' in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed")
def test_html_renders_in_chromium(result, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html.render_html(result), encoding="utf-8")
    profile = tmp_path / "profile"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
           "--dump-dom", page.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "温室气体与大气污染物排放清单报告" in dom
    shutil.rmtree(profile, ignore_errors=True)


def test_level3_category():
    assert figures.level3_category("1.A.1.a") == "1.A.1"
    assert figures.level3_category("1.A.3.a.i") == "1.A.3"
    assert figures.level3_category("1.A.3") == "1.A.3"
    assert figures.level3_category("2.A.1") == "2.A.1"
    assert figures.level3_category("1") == "1"
    assert figures.level3_category("1.A.9.x.y") == "1.A.9"  # not in categories.csv: cut to three parts


def test_energy_breakdown_by_subsector_and_fuel(result):
    table = figures.energy(result.emissions)
    prov = table[table["region"] == "430000"]
    co2e = prov[prov["substance"] == "CO2e"].set_index(["category", "fuel_group"])["value"]
    # 1.A.1.a raw coal: CO2 1000 + CH4 1 x 28; 1.A.3.b diesel: N2O 0.5 x 265; the memo (1.A.3.a.i) is left out.
    assert co2e.to_dict() == pytest.approx({("1.A.1", "solid"): 1028.0, ("1.A.3", "liquid"): 132.5})
    so2 = prov[prov["substance"] == "SO2"]
    assert so2[["category", "fuel_group", "value"]].values.tolist() == [["1.A.1", "solid", 50.0]]
    shares = figures.energy_shares(table)
    mine = shares[(shares["region"] == "430000") & (shares["substance"] == "CO2e")].set_index(["by", "key"])
    # shares of 1028 + 132.5 = 1160.5 t CO2e
    assert mine.loc[("category", "1.A.1"), "share_pct"] == pytest.approx(1028.0 / 1160.5 * 100)
    assert mine.loc[("fuel_group", "liquid"), "share_pct"] == pytest.approx(132.5 / 1160.5 * 100)
    assert mine.loc[("fuel_group", "gas"), "share_pct"] == 0.0


def test_html_energy_charts(result):
    page = html.render_html(result)
    assert "能源活动分领域、分燃料排放" in page
    assert "1.A.1 能源工业" in page and "固体燃料" in page and "1.A.3 交通运输" in page
    page_en = html.render_html(result, lang="en")
    assert "1.A.1 Energy industries" in page_en and "Solid fuels" in page_en


def _many(result: BuildResult, n_ne: int, n_skipped: int) -> BuildResult:
    """The synthetic result with a long not-estimated list and many skipped input rows."""
    ne = pd.DataFrame({
        "region": "430100", "year": 2020, "category": [f"1.A.2.{c}" for c in "abcdefghijklm"] * (n_ne // 13),
        "category_name": "", "activity": "raw_coal", "substance": "BC", "reason": "ne_no_default_factor",
    })
    ledger = pd.concat([result.ledger, pd.DataFrame({
        "file": "b.xlsx", "sheet": "能源", "row": range(10, 10 + n_skipped), "status": "skipped",
        "reason": "subtotal"})], ignore_index=True)
    return BuildResult(result.emissions, result.checks, ne, ledger, [], result.meta, figures=result.figures)


def test_html_summarises_long_lists(result, tmp_path):
    big = _many(result, 13 * 800, 2000)
    page = html.render_html(big)
    assert len(page.encode("utf-8")) < 200_000
    assert "10,400" in page and "inventory.xlsx" in page  # the count, and where the full list is
    assert "无可引用的缺省排放因子" in page  # the reason, translated
    # Skipped and rejected rows (2 of the fixture, then 2000) cut to MAX_ROWS, with a note.
    assert page.count("b.xlsx") == html.MAX_ROWS - 2
    assert "全部 2,002 行" in page
    # The workbook keeps every row.
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(big, path)
    rows = list(openpyxl.load_workbook(path, read_only=True)["质量检查"].iter_rows(values_only=True))
    assert sum(1 for r in rows if str(r[2]).startswith("1.A.2.")) == 13 * 800
    assert sum(1 for r in rows if r[0] == "b.xlsx") == 2000


# "<r>...</r>" is what xlsxwriter (constant_memory) takes for rich-string markup and writes unescaped.
MARKUP = '<r><t>a</t></r></is></c><c r="Z1"><f>1+1</f></c><c r="Z2" t="inlineStr"><is><r><t>b</t></r>'
HOSTILE = ["=1+1", "+SUM(A1)", "@x", "_x0041_", "  spaced  ", "a\x07b", "&<>\"'", "line\nbreak", "湖南", MARKUP,
           "长" * 40_000, "x" * 300, "\x01\x1f控制"]


@pytest.mark.parametrize("n", [5, 600])  # cell by cell, and a column at a time
def test_workbook_cells_round_trip(result, tmp_path, n):
    rows = [_row("430000", "湖南省", "1.A.1.a", HOSTILE[i % len(HOSTILE)], "energy", f"act{i}", "CO2",
                 float(i) + 0.25) for i in range(n)]
    emissions = pd.DataFrame(rows).reindex(columns=[*EMISSION_COLUMNS, "sector", "substance_kind"])
    ledger = pd.DataFrame({"file": "a.xlsx", "sheet": "s", "row": range(n), "status": "rejected",
                           "value": [i if i % 2 else f"v{i}" for i in range(n)]})
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(BuildResult(emissions, result.checks, result.not_estimated, ledger, [], result.meta,
                                     figures=figures.compute(emissions)), path)
    wb = openpyxl.load_workbook(path)
    detail = list(wb["明细"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == n
    # Read with calamine, which undoes Excel's _xHHHH_ escapes in shared and inline strings alike.
    names = pd.read_excel(path, sheet_name="明细", engine="calamine", dtype=object).iloc[:, 4].tolist()
    # What a cell can hold: XML 1.0 has no control characters, and Excel keeps at most 32,767 characters.
    expected = [re.sub("[\x01\x07\x1f]", "", HOSTILE[i % len(HOSTILE)])[:32_767] for i in range(n)]
    assert names == expected
    assert [r[4] for r in detail] == expected  # openpyxl reads every label back too
    assert [r[10] for r in detail] == [float(i) + 0.25 for i in range(n)]
    assert all(c.data_type == "s" for row in wb["明细"].iter_rows(min_row=2, min_col=5, max_col=5) for c in row)
    qa = [r for r in wb["质量检查"].iter_rows(values_only=True) if r[0] == "a.xlsx"]
    assert [r[6] for r in qa] == [i if i % 2 else f"v{i}" for i in range(n)]
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(name).decode("utf-8") for name in z.namelist() if name.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def test_workbook_is_reproducible(result, tmp_path):
    excel.write_workbook(result, tmp_path / "a.xlsx")
    excel.write_workbook(result, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_workbook_layout(result, tmp_path):
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path)
    wb = openpyxl.load_workbook(path)
    detail = wb["明细"]
    assert detail.freeze_panes == "A2" and detail.auto_filter.ref == "A1:V12"
    assert detail["K2"].number_format == "#,##0.00" and detail["A1"].font.b
    energy = wb["能源活动"]
    indents = {r[4].value: r[4].alignment.indent for r in energy.iter_rows(min_row=2) if r[0].value == "430000"}
    assert indents["能源活动"] == 0 and indents["燃料燃烧活动"] == 1 and indents["电力和热力生产"] == 3
    assert wb["元数据"].column_dimensions["B"].width == 70


def test_workbook_reads_back_in_openpyxl_and_calamine(result, tmp_path):
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path)
    sheets = ["摘要", "汇总", "能源活动", "农业", "土地利用变化和林业", "大气污染物", "地区对比", "明细", "质量检查", "元数据"]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == sheets
    frames = pd.read_excel(path, sheet_name=None, engine="calamine")
    assert list(frames) == sheets
    detail = frames["明细"]
    assert list(detail.columns) == [c.value for c in wb["明细"][1]]
    assert detail.columns[0] == "地区代码" and wb["明细"]["A1"].font.b
    assert detail["排放量"].sum() == pytest.approx(result.emissions["emission"].sum())
    summary = frames["汇总"]
    gross = summary[summary.iloc[:, 3] == "排放总量（不含信息项和碳汇）"]
    assert gross.iloc[0, -1] == pytest.approx(EXPECTED_GROSS_430000)
    # The label '=HYPERLINK("http://x","y")' is a string cell in both readers, never a formula.
    assert (detail == FORMULA).sum().sum() == 4
    cells = [c for row in wb["明细"].iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) == 4 and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml


def test_a_qa_table_past_excels_row_limit_becomes_a_note_instead_of_an_error():
    """A county-scale build's QA table can pass 1,048,576 rows (issue 14's county bench stopped there): the
    block then holds its title and a note naming where the full table is; without the note it is an error."""
    import pandas as pd

    from inventory.report import excel

    book = excel._Book()
    _, rows = book.sheet("QA")
    rows.next_row = excel.EXCEL_MAX_ROWS - 5            # five rows left, a ten-row table
    table = pd.DataFrame({"a": range(10)})
    excel._write_block(book, rows, "核查", ["a"], table, 0, "见 checks.csv")
    assert rows.next_row == excel.EXCEL_MAX_ROWS - 5 + 3   # title, note, empty row
    _, rows = book.sheet("QA2")
    rows.next_row = excel.EXCEL_MAX_ROWS - 5
    with pytest.raises(ValueError):
        excel._write_block(book, rows, "核查", ["a"], table, 0)


def test_an_analysis_view_past_excels_row_limit_becomes_a_note_instead_of_an_error(monkeypatch):
    """A national build's co-control table (6.9M rows) cannot be a sheet: its sheet holds the view's note and a
    note saying where the table is (issue 14); a view that fits is written as before."""
    import pandas as pd

    from inventory.report import excel
    from inventory.report.views import View
    from inventory.report.summaries import labels

    lbl = labels("zh")
    monkeypatch.setattr(excel, "EXCEL_MAX_ROWS", 12)
    view = View("cocontrol", "协同", [("a", "a", "text")], pd.DataFrame({"a": [str(i) for i in range(11)]}), "说明")
    book = excel._Book()
    excel._write_view(book, view, "协同", lbl)
    rows = book.sheets[-1].rows
    assert rows.next_row == 3                           # the view's note, the too-large note
    small = View("cocontrol", "协同", [("a", "a", "text")], pd.DataFrame({"a": [str(i) for i in range(10)]}), "说明")
    excel._write_view(book, small, "协同2", lbl)
    rows = book.sheets[-1].rows
    assert rows.next_row == 13                          # note, header, ten rows


def test_sheet_cells_after_empty_cells_keep_their_columns(tmp_path):
    """A cell is written without its reference (r) unless the cell before it in the row is empty: every value
    reads back in its own column in openpyxl and calamine, whatever the empty cells before it (first column,
    two in a row, text and number columns, a column of mixed kinds, a style per row)."""
    import numpy as np

    n = 300  # past _SMALL_ROWS: the column-at-a-time path
    i = np.arange(n)
    table = pd.DataFrame({
        "a": [None if k % 3 == 0 else f"a{k}" for k in i],
        "b": np.where(i % 5 == 0, np.nan, i + 0.5),
        "c": ["" if k % 7 == 0 else "c" for k in i],
        "d": [None if k % 2 else k for k in i],
        "e": [k if k % 4 else f"e{k}" for k in i],
        "f": np.where(i % 3 == 1, np.nan, i * 2.0),
    })
    book = excel._Book()
    _, rows = book.sheet("S")
    bold = i % 2 == 0
    rows.add_frame(table, [0, np.where(bold, book.style(excel.FMT_T, True), book.style(excel.FMT_T)), 0, 0, 0,
                           book.style(excel.FMT_T)])
    path = tmp_path / "s.xlsx"
    book.save(path)

    def cell(v):
        return None if v is None or v == "" or (isinstance(v, float) and np.isnan(v)) else v

    expected = [[cell(v) for v in row] for row in table.astype(object).itertuples(index=False)]
    ws = openpyxl.load_workbook(path)["S"]
    got = [list(r) + [None] * (6 - len(r)) for r in ws.iter_rows(values_only=True)]
    assert got == expected
    assert ws["B3"].font.b and not ws["B2"].font.b and ws["F3"].number_format == excel.FMT_T
    read = pd.read_excel(path, header=None, engine="calamine", dtype=object).reindex(columns=range(6))
    assert [[cell(v) for v in r] for r in read.itertuples(index=False)] == expected


def test_table_html_escapes_every_cell_and_classes_numeric_columns():
    """html.table_html writes the markup the template's table macro wrote: hand-written here for two rows
    (one classed) and for an empty table, hostile text escaped."""
    t = html._table(["Name", "t"], [["<b>", "1,000"], ["a&b", "2"]], [False, True], ["row-total", ""])
    assert str(html.table_html(t, "wide", "none")) == (
        '<div class="table-wrap">\n<table class="wide">\n'
        '  <thead><tr><th>Name</th><th class="num">t</th></tr></thead>\n  <tbody>\n'
        '    <tr class="row-total"><td>&lt;b&gt;</td><td class="num">1,000</td></tr>\n'
        '    <tr><td>a&amp;b</td><td class="num">2</td></tr>\n'
        '  </tbody>\n</table>\n</div>\n')
    empty = html._table(["A", "B", "C"], [], [False, False, True])
    assert '<tr><td colspan="3" class="empty">&lt;none&gt;</td></tr>' in html.table_html(empty, "", "<none>")


def test_built_regions_keep_each_regions_first_name_in_order_of_appearance():
    """The regions of an emissions table, each once, first-seen first, with their first row's name."""
    e = pd.DataFrame({"region": ["430100", "430000", "430100", "430200"],
                      "region_name": ["长沙市", "湖南省", "长沙", "株洲市"]})
    built = html.built_regions(e)
    assert built["region"].tolist() == ["430100", "430000", "430200"]
    assert built["region_name"].tolist() == ["长沙市", "湖南省", "株洲市"]
    assert html.headline_region(e, built) == "430000"  # the province, though it comes second


def test_fmt_numbers_formats_a_column_as_fmt_number_formats_each_value():
    """svg.fmt_numbers: 0 as "0", >= 100 without decimals, >= 1 with two, below 1 with 2 - floor(log10 |x|)
    decimals (three significant digits), missing values empty; divided by the scale first (万吨: 1e4 t)."""
    from inventory.report.svg import fmt_numbers

    column = pd.Series([0.0, 12345.6, -2.5, 0.0123, None, 1.0e6])
    assert fmt_numbers(column) == ["0", "12,346", "-2.50", "0.0123", "", "1,000,000"]
    assert fmt_numbers(column, 1e4) == ["0", "1.23", "-0.000250", "0.00000123", "", "100"]


def test_table_cells_are_escaped_alike_joined_or_one_by_one():
    """html._escaped gives markupsafe.escape's text of each value: plain strings (escaped in one call),
    Markup left as it is, numbers as text, and a string holding NUL (which could not be joined) alone."""
    from markupsafe import Markup

    assert html._escaped(["a<b", "\"q\" & 'x'", ""]) == ["a&lt;b", "&#34;q&#34; &amp; &#39;x&#39;", ""]
    assert html._escaped([Markup("<i>x</i>"), 3, "<"]) == ["<i>x</i>", "3", "&lt;"]
    assert html._escaped(["a\x00<", "b"]) == ["a\x00&lt;", "b"]
    assert html._escaped([]) == []


def test_a_view_set_made_once_renders_the_same_report_and_is_not_changed(result):
    """render_html with the result's views.view_set gives the page it makes alone, and the report's
    targets section adds its reason column before the status to a copy, not to the shared view."""
    import numpy as np

    from inventory.report import html_analysis, views

    shared = views.view_set(result, "zh")
    assert html.render_html(result, "zh", shared) == html.render_html(result, "zh")
    frame = pd.DataFrame({"region": ["430000"], "indicator": ["co2e_per_gdp"], "year": [np.nan],
                          "reason": ["target_no_base_year"], "status": ["no_data"]})
    columns = [("region", "地区", "text"), ("status", "状态", "text")]
    view = views.View("targets", "目标", list(columns), frame)
    lbl = summaries.labels("zh")
    section, = html_analysis.analysis_sections(result, "430000", lbl, "zh", views=[view])
    assert section["table"]["headers"] == ["地区", lbl["col_reason"], "状态"]
    assert view.columns == columns


def test_built_regions_look_at_runs_of_equal_codes_and_fall_back_for_missing_ones():
    """built_regions by runs of equal codes (regions interleaved, codes as object) gives each region once
    with its first row's name; a missing code falls back to pandas' duplicated and is kept as a region."""
    e = pd.DataFrame({"region": ["b", "a", "a", "b", "c", "a"], "region_name": ["B", "A", "x", "y", "C", "z"]},
                     dtype=object)
    assert html.built_regions(e).values.tolist() == [["b", "B"], ["a", "A"], ["c", "C"]]
    e.loc[2, "region"] = None
    assert html.built_regions(e).values.tolist() == [["b", "B"], ["a", "A"], [None, "x"], ["c", "C"]]
    assert html.built_regions(e.iloc[:0]).empty


def test_energy_shares_for_a_headline_keep_its_substances_and_the_others_co2e_only():
    """html.energy_shares with a headline: every substance of the headline region, only CO2e of the
    others (what the energy charts look up); without one, every row."""
    table = pd.DataFrame({"region": ["430000", "430000", "430100", "430100"], "year": [2020] * 4,
                          "substance": ["CO2e", "SO2", "CO2e", "SO2"], "by": ["category"] * 4,
                          "key": ["1.A.1"] * 4, "value": [10.0, 2.0, 4.0, 1.0], "share_pct": [100.0] * 4})
    r = BuildResult(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), [], {},
                    figures={"energy_shares": table})
    assert sorted(html.energy_shares(r, "430000")) == [("430000", 2020, "CO2e", "category"),
                                                       ("430000", 2020, "SO2", "category"),
                                                       ("430100", 2020, "CO2e", "category")]
    assert html.energy_shares(r, "430000")[("430100", 2020, "CO2e", "category")] == {"1.A.1": (4.0, 100.0)}
    assert len(html.energy_shares(r)) == 4


def test_map_classes_from_a_float_array_match_those_from_a_list():
    """maps.class_breaks, diverging_breaks and classify read a float array as they read the same numbers
    in a list (None and NaN missing): quantile edges of 1, 2, 3, 4 in two classes are 1, 2.5, 4."""
    import numpy as np

    from inventory.report import maps

    listed, array = [1.0, None, 2.0, 3.0, 4.0], np.array([1.0, np.nan, 2.0, 3.0, 4.0])
    assert maps.class_breaks(array, 2) == maps.class_breaks(listed, 2) == [1.0, 2.5, 4.0]
    assert maps.diverging_breaks(array - 2.5, 2) == maps.diverging_breaks([-1.5, None, -0.5, 0.5, 1.5], 2) == [-1.5, 0.0, 1.5]
    assert maps.classify(array, [1.0, 2.5, 4.0]).tolist() == maps.classify(listed, [1.0, 2.5, 4.0]).tolist() == [0, -1, 0, 1, 1]


@pytest.mark.parametrize("n", [5, 600])  # cell by cell, and a column at a time
def test_a_categorical_column_writes_the_cells_its_texts_write(n):
    """A Categorical of texts is written from its codes (no text made per row): the same sheet XML and shared
    strings as the column of its texts, missing cells, unused categories and a style per row included."""
    import numpy as np

    texts = [None if k % 7 == 3 else ["乙", "甲", "c&<", "", "  d  "][k % 5] for k in range(n)]
    coded = pd.Series(pd.Categorical(texts, categories=["unused", "  d  ", "c&<", "甲", "乙", ""]))
    bold = np.arange(n) % 2 == 0

    def sheet(column):
        book = excel._Book()
        _, rows = book.sheet("S")
        rows.add_frame(pd.DataFrame({"a": column, "b": np.arange(n, dtype=float), "c": column}),
                       [0, 0, np.where(bold, book.style(bold=True), 0)])
        return rows.xml(), book.strings.xml()

    assert sheet(coded) == sheet(pd.Series(texts, dtype=object))


def test_map_distinct_keeps_a_categorical_coded_with_the_values_it_maps_to():
    """lookup.map_distinct(categorical=True) on a Categorical: the same value in every row as the object
    Series it gives otherwise (results repeated for two categories, a missing cell mapped by func(None),
    a result that is missing), made from the codes."""
    from inventory.lookup import map_distinct

    column = pd.Series(pd.Categorical(["b", None, "a", "c", "b", "d"], categories=["d", "c", "b", "a", "z"]),
                       index=[5, 4, 3, 2, 1, 0])
    func = {"a": "x", "b": "x", "c": None, "d": "y", "z": "w", None: "none"}.get
    coded = map_distinct(column, func, categorical=True)
    assert isinstance(coded.dtype, pd.CategoricalDtype) and list(coded.index) == [5, 4, 3, 2, 1, 0]
    assert coded.astype(object).where(coded.notna(), None).tolist() == map_distinct(column, func).tolist() \
        == ["x", "none", "x", None, "x", "y"]
