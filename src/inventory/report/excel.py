"""The Excel workbook (DESIGN 3.7): summary, sector sheets, pollutants, regions, detail, QA, metadata.

The numbers are the build's figure tables (`BuildResult.figures`, computed once in the
pipeline by `inventory.figures`), selected and labelled by `report.summaries` as for the
HTML report, so both renderers show the same numbers; nothing is computed here.

How the file is written: `_Book` writes a minimal SpreadsheetML package itself
(workbook, worksheets, styles with built-in number formats, relations); `SheetRows`
builds each sheet's rows a column at a time with numpy and Arrow string kernels
(openpyxl needs ~40 µs a cell, too slow for a province's detail of 20 columns x
25k rows). Every label from the inputs is written as a shared string (t="s"),
never as a formula.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter


from inventory.report.summaries import (
    LEDGER_COLUMNS,
    REGION_KEYS,
    labels,
    ledger_counts,
    meta_inputs,
    meta_rows,
    not_used_rows,
    ordered_sectors,
    vocab_names,
)
from inventory.report.tables import joined_bytes
from inventory.report.views import View, ViewSet, labelled, named, view_set, worded
from inventory.result import CHECK_COLUMNS, BuildResult

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_DATA_ROWS = EXCEL_MAX_ROWS - 1
EXCEL_MAX_TEXT = 32_767
NE_COLUMNS = ["region", "year", "category", "category_name", "activity_id", "activity", "substance", "reason",
              "reason_code"]
# The detail sheet: each code beside its name in the workbook's language (kind, basis, sector and substance
# kind worded; their codes are in emissions.csv).
DETAIL_COLUMNS = ["region", "region_name", "year", "category", "category_name", "activity_id", "activity",
                  "technology_id", "technology", "substance", "emission", "unit", "co2e_t", "gwp_set",
                  "activity_amount", "activity_unit", "implied_factor", "factor_ids", "kind", "basis", "sector",
                  "substance_kind"]
WARNING_COLUMNS = ["file", "sheet", "row", "column", "value", "message", "expected", "code"]
FMT_T = "#,##0.00"
FMT_PCT = "0.00"
FMT_DIFF = "+0.00;-0.00;0.00"  # a relative difference in %, with its sign (checks, region comparison)
FMT_COUNT = "#,##0"
FMT_GENERAL = "General"
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads _xHHHH_ in a string as an escaped character; its own underscore escapes it.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


# ---------------------------------------------------------------- sheet XML

_NUMBER_KINDS = ("floating", "integer", "mixed-integer-float", "decimal")
_TEXT_KINDS = ("string", "empty", "boolean", "bytes")
_CHUNK_ROWS = 100_000
# Tables of up to this many rows are written cell by cell in Python: the column
# kernels cost ~0.5 ms a column whatever its length, more than a few hundred cells.
_SMALL_ROWS = 200


_NARROW = re.compile("[\x00-\u2e7f]+")  # characters of single display width (below the CJK radicals)


@functools.lru_cache(maxsize=1 << 16)
def _text_width(text: str) -> int:
    """Display width of a text in Excel character units (CJK characters count double)."""
    return len(text) + len(_NARROW.sub("", text))


class SharedStrings:
    """The workbook's shared-string table: each distinct text once, cells refer to it by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self._seen: dict[str, int | None] = {}  # each text value as given -> its index (cleaned once)

    def add(self, value) -> int | None:
        """The index of a text value (added when new); None when it is empty after cleaning."""
        if isinstance(value, str) and value in self._seen:
            return self._seen[value]
        text = _cleaned(value if isinstance(value, str) else str(value))
        index = self.index.setdefault(text, len(self.index)) if text else None
        if isinstance(value, str):
            self._seen[value] = index
        return index

    def xml(self) -> bytes:
        """xl/sharedStrings.xml."""
        n = len(self.index)
        return (f'{_XML_HEAD}<sst xmlns="{_NS_MAIN}" count="{n}" uniqueCount="{n}">'
                + "".join(map(_string_item, self.index)) + "</sst>").encode()


# Remembered per process: a region's workbooks are written one after another by the same process and share
# most of their texts (labels, names, factor ids), which are then cleaned and escaped once.
@functools.lru_cache(maxsize=1 << 16)
def _cleaned(text: str) -> str:
    """A text as a cell can hold it: without the characters XML 1.0 cannot hold, at most EXCEL_MAX_TEXT long."""
    return _XML_BAD.sub("", text)[:EXCEL_MAX_TEXT]


@functools.lru_cache(maxsize=1 << 16)
def _string_item(text: str) -> str:
    """A text's <si> element of the shared-string table (escaped for XML and for Excel's _xHHHH_ escapes;
    space kept where it would be lost)."""
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    escaped = _EXCEL_ESCAPE.sub(r"_x005F_\1", xml_escape(text))
    return f"<si><t{space}>{escaped}</t></si>"


def _is_number_value(value) -> bool:
    """A Python or numpy number (bool is not: it is written as text)."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _number_cells(numbers: np.ndarray, tagged: bool = True) -> tuple[pa.Array, float]:
    """<v> elements of int or float values (null where not finite; tagged=False: the number texts alone) and
    the display width of the widest."""
    if numbers.dtype.kind not in "iu":
        numbers = numbers.astype(float)
    finite = np.isfinite(numbers)
    text = pc.cast(pa.array(numbers, mask=None if finite.all() else ~finite), pa.string())
    shown = numbers[:500][finite[:500]]
    width = max((_value_width(v) for v in (shown.min(), shown.max())), default=0) if len(shown) else 0
    return (pc.binary_join_element_wise("<v>", text, "</v>", "") if tagged else text), width


def _distinct(values: np.ndarray | pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each cell's code into the column's distinct values (in order of first appearance; -1 where missing) and
    those values as text, as pd.factorize gives them. A Categorical is factorised by its integer codes: no
    text is made per row."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        codes, first = pd.factorize(values.cat.codes.to_numpy())
        missing = np.flatnonzero(first < 0)
        if len(missing):  # the missing cells' code -1 took a place among the distinct values: give it back
            codes = np.where(codes == missing[0], -1, codes - (codes > missing[0]))
            first = np.delete(first, missing[0])
        return codes, [str(u) for u in values.cat.categories.take(first).tolist()]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, [u if isinstance(u, str) else str(u) for u in uniques]


def _text_cells(values: np.ndarray | pd.Series, strings: SharedStrings) -> tuple[pa.Array, float]:
    """<v> elements with the shared-string index of text values (null for missing or empty), each
    distinct value looked up once, and the display width of the widest of the first 500."""
    codes, texts = _distinct(values)
    ids = [strings.add(t) for t in texts]
    xml = pa.array([None if i is None else f"<v>{i}</v>" for i in ids] + [None], type=pa.string())
    shown = np.unique(codes[:500])
    width = max((_text_width(texts[c]) for c in shown if c >= 0), default=0)
    return xml.take(pa.array(np.where(codes < 0, len(texts), codes))), width


def _cell_values(values: np.ndarray | pd.Series, strings: SharedStrings) -> tuple[pa.Array, np.ndarray, float]:
    """Each cell's value XML (<v>: a number, or for text its shared-string index; null when empty),
    whether it is text, and the display width of the column's widest value (first 500 rows).

    values: a numpy array, or a pandas Series of a text dtype or a Categorical of texts (taken as all text).
    """
    numbers = np.zeros(len(values), dtype=bool)
    if isinstance(values, pd.Series):
        xml, width = _text_cells(values, strings)
        return xml, ~numbers, width
    kind = values.dtype.kind
    if kind in "iuf":
        xml, width = _number_cells(values)
        return xml, numbers, width
    if kind == "b":
        values = values.astype(object)
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in _NUMBER_KINDS:
        xml, width = _number_cells(pd.to_numeric(values, errors="coerce"))
        return xml, numbers, width
    if inferred not in _TEXT_KINDS:
        numbers = np.frompyfunc(_is_number_value, 1, 1)(values).astype(bool)
    if not numbers.any():
        xml, width = _text_cells(values, strings)
        return xml, ~numbers, width
    # A column of both numbers and text: each part on its own, then put together.
    num_xml, num_width = _number_cells(values[numbers].astype(float))
    text_xml, text_width = _text_cells(values[~numbers], strings)
    order = np.argsort(np.concatenate([np.flatnonzero(numbers), np.flatnonzero(~numbers)]), kind="stable")
    xml = pa.concat_arrays([num_xml, text_xml]).take(pa.array(order))
    return xml, ~numbers, max(num_width, text_width)


def _cells(values: np.ndarray | pd.Series, style: np.ndarray, strings: SharedStrings) -> tuple[pa.Array, float]:
    """Each row's <c> element without its reference (null when the cell is empty) for one column of values
    with their style ids, and the display width of the column's widest value (first 500 rows).

    A column of one style: text as each distinct value's element taken by code, numbers in one join;
    otherwise each row's attributes (style, text or not) joined with its value (`_cell_values`)."""
    first = int(style[0]) if len(style) else 0
    if len(style) and (style == first).all():
        attrs = f' s="{first}"' if first else ""
        if isinstance(values, pd.Series) or (values.dtype.kind not in "iufb" and pd.api.types.infer_dtype(
                values, skipna=True) in _TEXT_KINDS):
            codes, texts = _distinct(values)
            ids = [strings.add(t) for t in texts]
            xml = pa.array([None if k is None else f'<c{attrs} t="s"><v>{k}</v></c>' for k in ids] + [None],
                           type=pa.string())
            shown = np.unique(codes[:500])
            width = max((_text_width(texts[c]) for c in shown if c >= 0), default=0)
            return xml.take(pa.array(np.where(codes < 0, len(texts), codes))), width
        if values.dtype.kind in "iuf":
            text, width = _number_cells(values, tagged=False)
            return pc.binary_join_element_wise(f"<c{attrs}><v>", text, "</v></c>", ""), width
    xml, is_text, width = _cell_values(values, strings)
    ids, code = np.unique(style * 2 + is_text, return_inverse=True)
    attrs = pa.array(["<c" + (f' s="{s // 2}"' if s // 2 else "") + (' t="s">' if s % 2 else ">")
                      for s in ids.tolist()], type=pa.string()).take(pa.array(code.ravel()))
    return pc.binary_join_element_wise(attrs, xml, "</c>", ""), width


def _cell_value(value, strings: SharedStrings) -> tuple[str, bool]:
    """One cell's value XML and whether it is text (the scalar form of `_cell_values`)."""
    if _is_number_value(value):
        number = float(value)
        if not np.isfinite(number):
            return "", False
        return f"<v>{int(value) if isinstance(value, int | np.integer) else number!r}</v>", False
    if value is None or value is pd.NA or value is pd.NaT:
        return "", False
    index = strings.add(value)
    return ("", False) if index is None else (f"<v>{index}</v>", True)


def _value_width(value) -> float:
    """Display width of one value as `_cell_values` measures it (numbers with thousands separators)."""
    if _is_number_value(value):
        if isinstance(value, int | np.integer):
            return len(str(value))  # integers (years, row numbers) show in General format
        return len(f"{value:,.2f}") if np.isfinite(value) else 0
    return _text_width(value if isinstance(value, str) else str(value))


def _as_array(values) -> np.ndarray | pd.Series:
    """A column as a 1-d numpy array (text and mixed columns as objects); a Series of a pandas
    text dtype or a Categorical of texts stays as it is (Arrow strings factorize faster than Python
    objects; a Categorical by its codes)."""
    if isinstance(values, pd.Series) and (isinstance(values.dtype, pd.StringDtype) or (
            isinstance(values.dtype, pd.CategoricalDtype)
            and pd.api.types.infer_dtype(values.cat.categories, skipna=True) in ("string", "empty"))):
        return values.reset_index(drop=True)
    if isinstance(values, pd.Series | pd.Index):
        array = values.to_numpy()
        return array if array.dtype.kind in "iufb" else array.astype(object, copy=False)
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


class SheetRows:
    """The rows of one worksheet as SpreadsheetML, built a column at a time with Arrow string kernels.

    Text is a shared string (t="s"), never a formula; numbers are <v> values; each
    cell carries a style id (number format, bold, indent) from `_Book.style`.
    `widths` collects the display width of each column's widest value.
    """

    def __init__(self, strings: SharedStrings) -> None:
        self.strings = strings
        self.columns = 0  # widest row written, in columns
        self.parts: list[bytes | pa.Buffer] = []
        self.next_row = 1
        self.widths: dict[int, float] = {}

    def _room(self, n: int) -> None:
        """Fail when `n` more rows do not fit in the sheet."""
        if self.next_row + n - 1 > EXCEL_MAX_ROWS:
            raise ValueError(f"more than {EXCEL_MAX_ROWS:,} rows in one sheet")

    def _widen(self, i: int, width: float) -> None:
        """Let column i be at least `width` wide."""
        self.widths[i] = max(self.widths.get(i, 0), width)

    def dimension(self) -> str:
        """The range the rows span, from A1 (e.g. A1:T100)."""
        return f"A1:{get_column_letter(max(self.columns, 1))}{max(self.next_row - 1, 1)}"

    def add(self, columns: Sequence, styles: Sequence[int | np.ndarray] | int = 0, widths: bool = True) -> None:
        """Rows from `columns` (equal-length sequences, one per sheet column from A).

        styles: one style id for every cell, or one per column (a style id or an array
        of one per row). widths: let these rows widen the columns.
        """
        columns = [_as_array(c) for c in columns]
        n = len(columns[0]) if columns else 0
        self._room(n)
        if n:
            self.columns = max(self.columns, len(columns))
        styles = [styles] * len(columns) if np.isscalar(styles) else list(styles)
        styles = [np.broadcast_to(np.asarray(s, dtype=int), (n,)) for s in styles]
        if n <= _SMALL_ROWS:
            values = [c.tolist() for c in columns]
            row_styles = [s.tolist() for s in styles]
            for r in range(n):
                self._add_cells([v[r] for v in values], [s[r] for s in row_styles], widths)
            return
        for start in range(0, n, _CHUNK_ROWS):
            part = slice(start, start + _CHUNK_ROWS)
            self._add_chunk([c.iloc[part] if isinstance(c, pd.Series) else c[part] for c in columns],
                            [s[part] for s in styles], widths)

    def _add_chunk(self, columns: list[np.ndarray], styles: list[np.ndarray], widths: bool) -> None:
        """Rows of up to _CHUNK_ROWS values per column. A cell names its column and row (r="B7") only when the
        cell before it in the row is empty: SpreadsheetML places a cell without r right after the previous one
        (ECMA-376 Part 1, 18.3.1.4), which keeps the sheet a third smaller to build and to deflate."""
        n = len(columns[0])
        numbers = pc.cast(pa.array(np.arange(self.next_row, self.next_row + n)), pa.string())
        cells = []
        gap = np.zeros(n, dtype=bool)  # the previous cell of the row is empty
        for i, (values, style) in enumerate(zip(columns, styles)):
            cell, width = _cells(values, style, self.strings)
            if gap.any():  # these rows' cells name their column and row
                after = pa.array(gap)
                named = pc.binary_join_element_wise(f'<c r="{get_column_letter(i + 1)}', numbers.filter(after), '"',
                                                    pc.utf8_slice_codeunits(cell.filter(after), 2), "")
                cell = pc.replace_with_mask(cell, after, named)
            gap = pc.is_null(cell).to_numpy(zero_copy_only=False)
            cells.append(pc.fill_null(cell, "") if gap.any() else cell)
            if widths:
                self._widen(i, width)
        rows = pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")
        self.parts.append(joined_bytes(rows))
        self.next_row += n

    def add_frame(self, frame: pd.DataFrame, styles: Sequence[int | np.ndarray] | int = 0,
                  widths: bool = True) -> None:
        """The rows of `frame`, its columns in order from A."""
        self.add([column for _, column in frame.items()], styles, widths)

    def add_row(self, values: Sequence, style: int = 0, widths: bool = True) -> None:
        """One row of values, all cells in style `style`."""
        self._room(1)
        values = list(values)
        self._add_cells(values, [style] * len(values), widths)

    def _add_cells(self, values: list, styles: list[int], widths: bool) -> None:
        """One row, cell by cell (the scalar form of `_add_chunk`; a text cell, the most common, the shortest way)."""
        row = self.next_row
        self.columns = max(self.columns, len(values))
        cells = []
        strings, seen, wide = self.strings, self.strings._seen, self.widths
        for i, (value, style) in enumerate(zip(values, styles)):
            if type(value) is str and value in seen:  # as _cell_value and _value_width give it
                index = seen[value]
                if index is None:
                    continue
                attrs = f' s="{style}" t="s">' if style else ' t="s">'
                cells.append(f'<c r="{get_column_letter(i + 1)}{row}"{attrs}<v>{index}</v></c>')
                if widths:
                    width = _text_width(value)
                    if width > wide.get(i, -1):
                        wide[i] = width
                continue
            if type(value) is float:
                if value - value == 0:  # finite (as _cell_value writes it and _value_width measures it)
                    attrs = f' s="{style}">' if style else ">"
                    cells.append(f'<c r="{get_column_letter(i + 1)}{row}"{attrs}<v>{value!r}</v></c>')
                    if widths:
                        width = len(f"{value:,.2f}")
                        if width > wide.get(i, -1):
                            wide[i] = width
                continue
            xml, is_text = _cell_value(value, strings)
            if xml:
                attrs = (f' s="{style}"' if style else "") + (' t="s"' if is_text else "")
                cells.append(f'<c r="{get_column_letter(i + 1)}{row}"{attrs}>{xml}</c>')
                if widths:
                    self._widen(i, _value_width(value))
        self.parts.append(f'<row r="{row}">{"".join(cells)}</row>'.encode())
        self.next_row += 1

    def skip(self, rows: int = 1) -> None:
        """Leave `rows` empty rows."""
        self.next_row += rows

    def xml(self) -> bytes:
        """The <row> elements written so far (UTF-8)."""
        return b"".join(self.parts)


class _Sheet:
    """One worksheet: its name, rows, frozen panes, filter range and fixed column widths."""

    def __init__(self, name: str, strings: SharedStrings) -> None:
        self.name = name
        self.rows = SheetRows(strings)
        self.freeze_panes = ""  # top-left cell of the scrolling pane, e.g. "E2"
        self.autofilter = ""  # e.g. "A1:T100"
        self.column_widths: dict[str, float] = {}  # column letter -> width, over the measured widths

    def xml(self) -> list[bytes]:
        """The worksheet part (UTF-8), in pieces to be written one after the other (a detail sheet's rows are
        not copied into one string)."""
        head = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><dimension ref="{self.rows.dimension()}"/>'
                '<sheetViews><sheetView workbookViewId="0">']
        if self.freeze_panes:
            letters, row = coordinate_from_string(self.freeze_panes)
            x, y = column_index_from_string(letters) - 1, row - 1
            pane = "bottomRight" if x and y else "bottomLeft" if y else "topRight"
            split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
            head.append(f'<pane{split} topLeftCell="{self.freeze_panes}" activePane="{pane}" state="frozen"/>'
                        f'<selection pane="{pane}" activeCell="{self.freeze_panes}" sqref="{self.freeze_panes}"/>')
        head.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        widths = {i + 1: min(max(w + 2, 6), 50) for i, w in self.rows.widths.items()}
        widths |= {column_index_from_string(c): w for c, w in self.column_widths.items()}
        if widths:
            head.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                                           for i, w in sorted(widths.items())) + "</cols>")
        head.append("<sheetData>")
        tail = "</sheetData>" + (f'<autoFilter ref="{self.autofilter}"/>' if self.autofilter else "")
        tail += '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
        return ["".join(head).encode(), *self.rows.parts, tail.encode()]


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CT = "application/vnd.openxmlformats-officedocument"
# Built-in number formats of SpreadsheetML (no numFmts element needed), and the workbook's own (ids from 164,
# written in the numFmts element).
_BUILTIN_FORMATS = {FMT_GENERAL: 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4}
_OWN_FORMATS = {FMT_DIFF: 164}
_FORMAT_IDS = {**_BUILTIN_FORMATS, **_OWN_FORMATS}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entry time: the same inputs give the same file


class _Book:
    """A workbook written as a minimal SpreadsheetML package: worksheets, styles, workbook, relations."""

    def __init__(self) -> None:
        self.sheets: list[_Sheet] = []
        self.strings = SharedStrings()
        self._names: set[str] = set()
        self._styles: dict[tuple, int] = {(FMT_GENERAL, False, 0): 0}

    def sheet(self, name: str) -> tuple[_Sheet, SheetRows]:
        """A new worksheet named `name` (made valid and unique) and its rows."""
        sheet = _Sheet(_sheet_name(name, self._names), self.strings)
        self.sheets.append(sheet)
        return sheet, sheet.rows

    def style(self, number_format: str = FMT_GENERAL, bold: bool = False, indent: int = 0) -> int:
        """The style id (index into the cell formats) of a number format, bold and indent."""
        if number_format not in _FORMAT_IDS:
            raise ValueError(f"number format {number_format!r} is not a known one")
        return self._styles.setdefault((number_format, bold, indent), len(self._styles))

    def _styles_xml(self) -> str:
        """xl/styles.xml: the workbook's own number formats, two fonts (regular, bold), the two required fills,
        one border, the cell formats."""
        xfs = []
        for (number_format, bold, indent), _ in sorted(self._styles.items(), key=lambda kv: kv[1]):
            attrs = f'numFmtId="{_FORMAT_IDS[number_format]}" fontId="{int(bold)}" fillId="0" borderId="0" xfId="0"'
            attrs += ' applyNumberFormat="1"' * (number_format != FMT_GENERAL) + ' applyFont="1"' * bold
            xfs.append(f'<xf {attrs} applyAlignment="1"><alignment horizontal="left" indent="{indent}"/></xf>'
                       if indent else f"<xf {attrs}/>")
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        own = sorted({f for f, _, _ in self._styles if f in _OWN_FORMATS}, key=_OWN_FORMATS.get)
        formats = "".join(f'<numFmt numFmtId="{_OWN_FORMATS[f]}" formatCode="{_attr(f)}"/>' for f in own)
        return (f'{_XML_HEAD}<styleSheet xmlns="{_NS_MAIN}">'
                + (f'<numFmts count="{len(own)}">{formats}</numFmts>' if own else "") +
                f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>")

    def _workbook_xml(self) -> str:
        """xl/workbook.xml: the sheets in order, and the hidden names Excel keeps for filters."""
        sheets = "".join(f'<sheet name="{_attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self.sheets, 1))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{xml_escape(_quoted(s.name))}!{_absolute(s.autofilter)}</definedName>"
            for i, s in enumerate(self.sheets) if s.autofilter)
        return (f'{_XML_HEAD}<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
                f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
                + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>")

    def _parts(self) -> dict[str, str | bytes | list[bytes]]:
        """Every part of the package by its path."""
        n = len(self.sheets)
        sheet_types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                              f'ContentType="{_CT}.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
        sheet_rels = "".join(f'<Relationship Id="rId{i}" Type="{_NS_REL}/worksheet" '
                             f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
        return {
            "[Content_Types].xml": (
                f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
                f'{sheet_types}<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.spreadsheetml.sharedStrings+xml"/>'
                f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
                "</Types>"),
            "_rels/.rels": (
                f'{_XML_HEAD}<Relationships xmlns="{_NS_PKG_REL}">'
                f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
                f'<Relationship Id="rId2" Type="{_NS_REL}/extended-properties" Target="docProps/app.xml"/>'
                "</Relationships>"),
            "docProps/app.xml": (
                f'{_XML_HEAD}<Properties xmlns="{_NS_REL.replace("relationships", "extended-properties")}">'
                "<Application>inventory</Application></Properties>"),
            "xl/workbook.xml": self._workbook_xml(),
            "xl/_rels/workbook.xml.rels": (
                f'{_XML_HEAD}<Relationships xmlns="{_NS_PKG_REL}">{sheet_rels}'
                f'<Relationship Id="rId{n + 1}" Type="{_NS_REL}/styles" Target="styles.xml"/>'
                f'<Relationship Id="rId{n + 2}" Type="{_NS_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                "</Relationships>"),
            "xl/styles.xml": self._styles_xml(),
            **{f"xl/worksheets/sheet{i}.xml": s.xml() for i, s in enumerate(self.sheets, 1)},
            "xl/sharedStrings.xml": self.strings.xml(),  # after the sheets: they fill the table
        }

    def save(self, path: pathlib.Path) -> None:
        """Write the workbook to `path` (through a temporary file beside it, replaced at the end)."""
        tmp = path.with_name(path.name + ".part")
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
                for name, data in self._parts().items():
                    info = zipfile.ZipInfo(name, _FIXED_TIME)
                    info.external_attr = 0o644 << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info._compresslevel = 1  # zipfile's own attribute for the level of one entry
                    pieces = data if isinstance(data, list) else [data.encode() if isinstance(data, str) else data]
                    size = sum(len(piece) for piece in pieces)
                    with package.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as entry:
                        for piece in pieces:  # streamed: the pieces are never joined into one string
                            entry.write(piece)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def _attr(text: str) -> str:
    """Text escaped for an XML attribute value in double quotes."""
    return xml_escape(text, {'"': "&quot;"})


def _quoted(sheet: str) -> str:
    """A sheet name as a formula reference needs it: in single quotes, inner quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """A range like A1:T100 as $A$1:$T$100."""
    parts = []
    for cell in ref.split(":"):
        column, row = coordinate_from_string(cell)
        parts.append(f"${column}${row}")
    return ":".join(parts)


def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    base = _SHEET_NAME_BAD.sub("-", name)[:31] or "Sheet"
    out, n = base, 2
    while out in used:
        suffix = f" ({n})"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(out)
    return out


# ---------------------------------------------------------------- sheets

def _styles(book: _Book, numeric: Sequence[bool], bold=None, number_format: str = FMT_T) -> list:
    """Per column: `number_format` for numeric columns, General otherwise; bold where `bold` (per row)."""
    if bold is None:
        return [book.style(number_format) if n else 0 for n in numeric]
    bold = np.asarray(bold, dtype=bool)
    return [np.where(bold, book.style(number_format if n else FMT_GENERAL, True), book.style(number_format)
                     if n else 0) for n in numeric]


def _header(book: _Book, rows: SheetRows, headers: list[str]) -> None:
    """A bold header row."""
    rows.add_row(headers, book.style(bold=True))


def _write_key_figures(book: _Book, table: pd.DataFrame, lbl: dict) -> None:
    """Sheet 摘要/Key figures (first): the report's summary page, one block of lines per region-year (label,
    value with its unit, plain reading): `table`, the result's report.summaries.key_figure_rows."""
    ws, rows = book.sheet(lbl["sheet_key_figures"])
    cols = [*REGION_KEYS, "label", "value", "reading"]
    if rows.next_row + len(table) > EXCEL_MAX_ROWS:  # the header and the rows would not fit (national scale)
        rows.add_row([lbl["view_too_large"]], book.style(bold=True), widths=False)
        return
    ws.freeze_panes = "A2"
    _header(book, rows, [lbl["col_region"], lbl["col_region_name"], lbl["col_year"], lbl["kf_col_item"],
                         lbl["kf_col_value"], lbl["kf_col_reading"]])
    rows.add_frame(table[cols], [0] * len(cols))
    ws.column_widths |= {"D": 30, "E": 40, "F": 90}


def _write_factors(book: _Book, table: pd.DataFrame | None, lbl: dict) -> None:
    """Sheet 排放因子/Factors: every factor and parameter the emissions used, as summaries.factor_table shows
    them (`table`: the result's; no sheet without rows)."""
    if table is None or table.empty:
        return
    ws, rows = book.sheet(lbl["sheet_factors"])
    cols = list(table.columns)
    ws.freeze_panes = "B2"
    _header(book, rows, [lbl[f"factors_col_{c}"] for c in cols])
    rows.add_frame(table, [0] * len(cols))
    ws.column_widths |= {"E": 50, "F": 36, "G": 70}


def _write_summary(book: _Book, ghg: pd.DataFrame, pol: pd.DataFrame, lbl: dict) -> None:
    """Sheet 汇总/Summary: CO2e (t) by sector x gas per region-year, then pollutants (t) by sector (`ghg`, `pol`:
    the result's sector_gas_summary and pollutant_summary)."""
    ws, rows = book.sheet(lbl["sheet_summary"])
    gases = [c for c in ghg.columns if c not in {*REGION_KEYS, "row_type", "sector", "item", "total"}]
    cols = [*REGION_KEYS, "item", *gases, "total"]
    headers = [lbl["col_region"], lbl["col_region_name"], lbl["col_year"], lbl["col_item"],
               *[f"{g} ({lbl['unit_co2e_t']})" for g in gases], f"{lbl['col_total']} ({lbl['unit_co2e_t']})"]
    pols = [c for c in pol.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    pol_cols = [*REGION_KEYS, "item", *pols]
    ws.freeze_panes = "E2"
    _header(book, rows, headers)
    rows.add_frame(ghg[cols], _styles(book, [c in {*gases, "total"} for c in cols],
                                      ghg["row_type"].isin(["gross", "net"])))
    rows.skip()
    rows.add_row([lbl["section_memo_note"]], widths=False)
    rows.skip()
    rows.add_row([lbl["section_pollutants"]], book.style(bold=True), widths=False)
    _header(book, rows, headers[:4] + [f"{p} ({lbl['unit_t']})" for p in pols])
    rows.add_frame(pol[pol_cols], _styles(book, [c in pols for c in pol_cols], pol["row_type"].eq("total")))


def _write_sector(book: _Book, tree: pd.DataFrame, sector: str, lbl: dict, lang: str) -> None:
    """One sector sheet: categories indented by level, gases in t, CO2e in t, pollutants in t (`tree`: the
    result's sector_tree of `sector`)."""
    names = vocab_names("sectors.csv", "sector", lang)
    ws, rows = book.sheet(names.get(sector, sector))
    subs = [c for c in tree.columns if c not in {*REGION_KEYS, "category", "name", "depth", "memo"}]
    cols = [*REGION_KEYS, "category", "name", *subs]
    unit = {s: lbl["unit_co2e_t"] if s == "co2e_t" else lbl["unit_t"] for s in subs}
    headers = [lbl["col_region"], lbl["col_region_name"], lbl["col_year"], lbl["col_category"],
               lbl["col_category_name"],
               *[f"{'CO2e' if s == 'co2e_t' else s} ({unit[s]})" for s in subs]]
    if rows.next_row + len(tree) > EXCEL_MAX_ROWS:  # the header and the rows would not fit (national scale)
        rows.add_row([lbl["view_too_large"]], book.style(bold=True), widths=False)
        return
    ws.freeze_panes = "F2"
    _header(book, rows, headers)
    depth = tree["depth"].to_numpy()
    styles = _styles(book, [c in subs for c in cols])
    styles[3] = np.where(depth == 0, book.style(bold=True), 0)
    styles[4] = np.array([book.style(indent=int(d)) if d else 0 for d in range(depth.max(initial=0) + 1)])[depth]
    rows.add_frame(tree[cols], styles)
    rows.widths[4] = rows.widths.get(4, 0) + 2 * depth.max(initial=0)


def _write_pollutants(book: _Book, pol: pd.DataFrame, lbl: dict) -> None:
    """Sheet 大气污染物/Air pollutants: sector x pollutant per region-year, t (`pol`: the result's pollutant_summary)."""
    ws, rows = book.sheet(lbl["sheet_pollutants"])
    pols = [c for c in pol.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    cols = [*REGION_KEYS, "item", *pols]
    headers = [lbl["col_region"], lbl["col_region_name"], lbl["col_year"], lbl["col_sector"],
               *[f"{p} ({lbl['unit_t']})" for p in pols]]
    ws.freeze_panes = "E2"
    _header(book, rows, headers)
    rows.add_frame(pol[cols], _styles(book, [c in pols for c in cols], pol["row_type"].eq("total")))


def _write_regions(book: _Book, comp: pd.DataFrame, lbl: dict) -> None:
    """Sheet 地区对比/Regions: prefectures, their sum, the province and the difference (t, %) (`comp`: the
    result's region_comparison)."""
    ws, rows = book.sheet(lbl["sheet_regions"])
    subs = [c for c in comp.columns if c not in {"province", "year", "row_type", "region", "region_name"}]
    cols = ["year", "region", "region_name", *subs]
    headers = [lbl["col_year"], lbl["col_region"], lbl["col_region_name"],
               *[f"{s} ({lbl['unit_co2e_t'] if s == 'CO2e' else lbl['unit_t']})" for s in subs]]
    ws.freeze_panes = "D2"
    _header(book, rows, headers)
    pct = comp["row_type"].eq("difference_pct").to_numpy()
    bold = ~pct & comp["region"].eq("").to_numpy()
    number = np.select([pct, bold], [book.style(FMT_DIFF), book.style(FMT_T, True)], book.style(FMT_T))
    text = np.where(bold, book.style(bold=True), 0)
    rows.add_frame(comp[cols], [number if c in subs else text for c in cols])


def detail_frame(emissions: pd.DataFrame, lbl: dict, lang: str) -> pd.DataFrame:
    """The emission rows as the detail sheet shows them (DETAIL_COLUMNS): activity and technology names
    beside their ids, kind, basis, sector and substance kind worded in `lang`."""
    em = emissions
    blank = pd.Series("", index=em.index)
    return em.assign(  # a Categorical column's names made per category (the sheet's cells are made so too)
        activity_id=em["activity"], activity=named(em["activity"], "activities.csv", lang, categorical=True),
        technology_id=em["technology"], technology=named(em["technology"], "technologies.csv", lang, categorical=True),
        kind=labelled(em["kind"], "kind_", lbl, True), basis=labelled(em["basis"], "basis_", lbl, True),
        sector=named(em["sector"], "sectors.csv", lang, "sector", True) if "sector" in em else blank,
        substance_kind=labelled(em["substance_kind"], "substance_kind_", lbl, True)
        if "substance_kind" in em else blank).reindex(columns=DETAIL_COLUMNS)


def _write_detail(book: _Book, result: BuildResult, lbl: dict, lang: str) -> None:
    """Sheet 明细/Detail: every emission row (t), names in `lang` beside their codes; a note instead when it
    exceeds Excel's row limit."""
    ws, rows = book.sheet(lbl["sheet_detail"])
    em = result.emissions
    if len(em) > EXCEL_MAX_DATA_ROWS:
        rows.add_row([lbl["detail_too_large"]], book.style(bold=True), widths=False)
        ws.column_widths["A"] = 100
        return
    cols = DETAIL_COLUMNS
    ws.freeze_panes = "A2"
    ws.autofilter = f"A1:{get_column_letter(len(cols))}{len(em) + 1}"
    _header(book, rows, [lbl.get(f"col_{c}", c) for c in cols])
    rows.add_frame(detail_frame(em, lbl, lang), _styles(book, [c in {"emission", "co2e_t", "activity_amount"}
                                                               for c in cols]))


def _write_block(book: _Book, rows: SheetRows, title: str, headers: list[str], table: pd.DataFrame,
                 styles: list, too_large: str = "") -> None:
    """A titled table inside a sheet, followed by an empty row; when the table would pass Excel's row
    limit and `too_large` is given, that note stands in its place (the full table is in the CSV outputs)."""
    rows.add_row([title], book.style(bold=True), widths=False)
    if too_large and rows.next_row + len(table) + 2 > EXCEL_MAX_ROWS:
        rows.add_row([too_large], widths=False)
        rows.skip()
        return
    _header(book, rows, headers)
    rows.add_frame(table, styles)
    rows.skip()


def _fits(rows: SheetRows, n: int) -> bool:
    """Whether a _write_block of `n` rows starting at the sheet's next row writes them (not its note)."""
    return rows.next_row + 1 + n + 2 <= EXCEL_MAX_ROWS


def _write_qa(book: _Book, result: BuildResult, lbl: dict, lang: str) -> None:
    """Sheet QA: checks, not-estimated categories, row accounting, skipped/rejected rows, warnings."""
    ws, rows = book.sheet(lbl["sheet_qa"])
    checks = result.checks
    if _fits(rows, len(checks)):  # labelled only when the sheet can hold it (16.6M rows nationally, issue 14)
        checks = checks.reindex(columns=CHECK_COLUMNS)
        checks = checks.assign(result=labelled(checks["result"], "result_", lbl))
    counts = ledger_counts(result.ledger)
    counts = pd.DataFrame({"status": [lbl[f"status_{k}"] for k in counts], "count": list(counts.values())})
    warns = pd.DataFrame([w.to_dict(lang) for w in result.warnings]).reindex(columns=WARNING_COLUMNS)
    ws.freeze_panes = "A3"
    _write_block(book, rows, lbl["section_checks"], [lbl[f"col_{c}"] for c in CHECK_COLUMNS], checks,
                 [book.style(FMT_T) if c in {"value", "reference"} else book.style(FMT_DIFF) if c == "diff_pct"
                  else 0 for c in CHECK_COLUMNS], lbl["qa_table_too_large"])
    ne = result.not_estimated
    if _fits(rows, len(ne)):
        ne = ne.assign(activity_id=ne["activity"], activity=named(ne["activity"], "activities.csv", lang,
                                                                    categorical=True),
                       reason_code=ne["reason"], reason=worded(ne["reason"], lang)).reindex(columns=NE_COLUMNS)
    _write_block(book, rows, lbl["section_not_estimated"], [lbl[f"col_{c}"] for c in NE_COLUMNS],
                 ne, 0, lbl["qa_table_too_large"])
    _write_block(book, rows, lbl["section_ledger"], [lbl["col_status"], lbl["col_count"]], counts,
                 [0, book.style(FMT_COUNT)])
    ledger = not_used_rows(result.ledger)
    ledger = ledger.assign(status=labelled(ledger["status"], "status_", lbl),
                           reason=worded(ledger["reason"], lang))
    _write_block(book, rows, lbl["section_ledger_rows"], [lbl[f"col_{c}"] for c in LEDGER_COLUMNS], ledger, 0,
                 lbl["qa_table_too_large"])
    _write_block(book, rows, lbl["col_message"], [lbl[f"col_{c}"] for c in WARNING_COLUMNS], warns, 0,
                 lbl["qa_table_too_large"])


def _write_meta(book: _Book, result: BuildResult, lbl: dict) -> None:
    """Sheet 元数据/Metadata: build metadata as key/value, then the inputs with their sha256."""
    ws, rows = book.sheet(lbl["sheet_meta"])
    ws.freeze_panes = "A2"
    _header(book, rows, [lbl["col_key"], lbl["col_value"]])
    rows.add(list(zip(*meta_rows(result.meta))) or [[], []], widths=False)
    rows.skip()
    _write_block(book, rows, lbl["section_inputs"], [lbl["col_path"], lbl["col_sha256"]],
                 meta_inputs(result.meta), 0)
    ws.column_widths |= {"A": 40, "B": 70}


VIEW_FORMATS = {"t": FMT_T, "pct": FMT_PCT, "ratio": "0.00", "int": "0", "text": FMT_GENERAL}
VIEW_SHEETS = {"official": "sheet_official", "penetration": "sheet_penetration",
               "plant_coverage": "sheet_plant_coverage",
               "reference_approach": "sheet_reference_approach", "external": "sheet_external",
               "external_fuel": "sheet_external_fuel",
               "completeness": "sheet_completeness", "series": "sheet_series", "targets": "sheet_analysis_targets", "cocontrol": "sheet_analysis_cocontrol", "ccd": "sheet_analysis_ccd",
               "key_categories": "sheet_analysis_key_categories", "uncertainty": "sheet_analysis_uncertainty"}


def _write_view(book: _Book, view: View, sheet: str, lbl: dict) -> None:
    """A sheet holding one analysis view: its note, a bold header and the rows, frozen below the header; a
    note in their place when they would pass Excel's row limit (national scale: issue 14)."""
    ws, rows = book.sheet(sheet)
    rows.add_row([view.note], widths=False)
    if rows.next_row + len(view.frame) > EXCEL_MAX_ROWS:  # the header and the rows would not fit
        rows.add_row([lbl["view_too_large"]], book.style(bold=True), widths=False)
        return
    _header(book, rows, view.headers)
    ws.freeze_panes = "A3"
    styles = [book.style(VIEW_FORMATS[f]) if f != "text" else 0 for f in view.formats]
    rows.add_frame(view.data(), styles)


def write_workbook(result: BuildResult, path: pathlib.Path, lang: str = "zh", views: ViewSet | None = None) -> None:
    """Write the inventory workbook (emissions in t, CO2e in t CO2e) to `path`, labels in `lang`. `views`: the
    result's views.view_set in `lang` when the caller made it already (for the report too), read, not changed."""
    views = views or view_set(result, lang)
    lbl = labels(lang)
    book = _Book()
    shown = views.summaries
    _write_key_figures(book, shown["key_figures"], lbl)
    _write_summary(book, shown["sector_gas"], shown["pollutants"], lbl)
    for sector in ordered_sectors(result.emissions["sector"].dropna().unique()):
        _write_sector(book, shown["trees"][sector], sector, lbl, lang)
    _write_pollutants(book, shown["pollutants"], lbl)
    _write_regions(book, shown["comparison"], lbl)
    for view in views.analysis:
        _write_view(book, view, lbl[VIEW_SHEETS[view.key]], lbl)
    _write_detail(book, result, lbl, lang)
    _write_factors(book, shown["factors"], lbl)
    _write_qa(book, result, lbl, lang)
    for view in views.qa:
        _write_view(book, view, lbl[VIEW_SHEETS[view.key]], lbl)
    _write_meta(book, result, lbl)
    book.save(pathlib.Path(path))
