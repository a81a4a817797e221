"""The v1 activity sheet (DESIGN 3.3): a header within the first rows, one activity or parameter row per line.

Sheets are read as offices keep them: title and blank rows above the header
(skipped as `title`), a header split over two rows (names, then units), a unit in
the value header (`活动水平（万吨）`) or in a `单位：万吨` line above it, and note
rows after the data (`注：…`, skipped as `note`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from inventory import resources, units, vocabulary
from inventory.errors import Problem, column_letter
from inventory.lookup import map_distinct
from inventory.read import forms

# Columns of the v1 format, in the order of DESIGN 3.3.
FIELDS = ["region", "year", "category", "activity", "technology", "value", "unit", "parameter", "source", "notes"]
REQUIRED = ["region", "year", "category", "activity", "value", "unit"]
# The header is the first row within these that holds the required headers (DESIGN 3.3).
HEADER_ROWS = 20
# The hidden sheet of drop-down sources that `inventory template` writes (not activity data).
LISTS_SHEET = "_lists"
# `columns`: header label (with letter) per field for the sheet; `cell_column`: the label of the
# record's own value cell where it differs per record (wide balances), else ""; `header_unit`: the
# unit the header gives the value column ("" when none), used where the row's unit cell is empty.
RAW_COLUMNS = ["file", "sheet", "row", *FIELDS, "skip", "columns", "cell_column", "header_unit"]
# Columns that a units row under the header leaves empty (a row filling them is data).
_LABEL_FIELDS = ("region", "category", "activity")
_BRACKETED = re.compile(r"^(?P<name>.+?)\s*[（(\[【]\s*(?P<inner>[^()（）\[\]【】]+?)\s*[)）\]】]\s*$", re.S)
_BLANKS = re.compile(r"\s+")


@dataclass(frozen=True)
class Header:
    """Where a sheet's table starts and what its header says.

    row: grid index of the header row (Excel row - 1). found: field -> column (0-based sheet
    column). unknown: column -> header text not recognised. value_unit: the unit the header
    gives the value column (bracket, units row, or a `单位：` line above), "" when none.
    units_row: grid index of a second header row (units, or the names in another language), or None.
    """

    row: int
    found: dict[str, int]
    unknown: dict[int, str] = field(default_factory=dict)
    value_unit: str = ""
    units_row: int | None = None

    @property
    def first_data_row(self) -> int:
        """Grid index of the first row below the header (and its units row)."""
        return (self.units_row if self.units_row is not None else self.row) + 1


def _cell_text(cell) -> str:
    return "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell).strip()


def header_cell(cell) -> tuple[str | None, str]:
    """The v1 field a header cell names and the unit it carries: `活动水平（万吨）` -> (`value`, `万吨`).

    Chinese headers padded with blanks (`地  区`) and a unit or note in brackets are accepted;
    the bracket is a unit only when it parses as one (`单位：万吨` inside it too).
    """
    text = _cell_text(cell)
    if not text:
        return None, ""
    lookup = vocabulary.header_lookup()
    col = lookup.get(text) or lookup.get(_BLANKS.sub("", text))
    if col:
        return col, ""
    m = _BRACKETED.match(text)
    if not m:
        return None, ""
    name = m["name"].strip()
    col = lookup.get(name) or lookup.get(_BLANKS.sub("", name))
    inner = m["inner"].strip()
    unit = forms.table_unit(inner) or (inner if units.is_unit(inner) else "")
    return col, unit


def _header_cells(header: pd.Series) -> tuple[dict[str, int], dict[int, str]]:
    found: dict[str, int] = {}
    unknown: dict[int, str] = {}
    for pos, cell in header.items():
        text = _cell_text(cell)
        if not text:
            continue
        col, _ = header_cell(cell)
        if col and col not in found:
            found[col] = int(pos)
        else:
            unknown[int(pos)] = text
    return found, unknown


def find_header(grid: pd.DataFrame, required: list[str]) -> Header | None:
    """The first row within HEADER_ROWS holding every `required` header, read with its units.

    `unit` need not be a column when the header gives the value column its unit.
    """
    for i in range(min(HEADER_ROWS, len(grid))):
        found, unknown = _header_cells(grid.iloc[i])
        missing = [c for c in required if c not in found]
        if missing and missing != ["unit"]:
            continue
        header = _with_units(grid, i, found, unknown)
        if not missing or header.value_unit:
            return header
    return None


def closest_header(grid: pd.DataFrame, required: list[str]) -> Header:
    """The row within HEADER_ROWS that holds the most `required` headers (the first such row)."""
    best = Header(0, {})
    for i in range(min(HEADER_ROWS, len(grid))):
        found, unknown = _header_cells(grid.iloc[i])
        if sum(c in found for c in required) > sum(c in best.found for c in required):
            best = Header(i, found, unknown)
    if not best.found:
        _, unknown = _header_cells(grid.iloc[0]) if len(grid) else ({}, {})
        best = Header(0, {}, unknown)
    return best


def _with_units(grid: pd.DataFrame, i: int, found: dict[str, int], unknown: dict[int, str]) -> Header:
    """The header at row i with its value unit: from the value header's bracket, else a units row
    under it, else a `单位：万吨` line above it."""
    value_unit = header_cell(grid.iloc[i].get(found["value"]))[1] if "value" in found else ""
    units_row = None
    if i + 1 < len(grid):
        row_units = _units_row(grid.iloc[i + 1], found)
        if row_units is None:
            row_units = _names_row(grid.iloc[i + 1], found)
        if row_units is not None:
            units_row = i + 1
            value_unit = value_unit or row_units.get(found.get("value", -1), "")
    if not value_unit:
        above = [forms.table_unit(c) for r in range(i) for c in grid.iloc[r] if _cell_text(c)]
        value_unit = next((u for u in above if u), "")
    return Header(i, found, unknown, value_unit, units_row)


def _units_row(cells: pd.Series, found: dict[str, int]) -> dict[int, str] | None:
    """column -> unit of a units row (every filled cell a unit, `（万吨）` or `万吨`, one under the value
    header), or None."""
    filled = {int(pos): _cell_text(c) for pos, c in cells.items() if _cell_text(c)}
    if not filled or any(found.get(f) in filled for f in _LABEL_FIELDS):
        return None
    out = {}
    for pos, text in filled.items():
        inner = text.strip("（）()[]【】 ")
        unit = forms.table_unit(inner) or (inner if units.is_unit(inner) else "")
        if not unit or isinstance(cells[pos], (int, float)):
            return None
        out[pos] = unit
    return out if found.get("value") in out else None


def _names_row(cells: pd.Series, found: dict[str, int]) -> dict[int, str] | None:
    """column -> unit of a second row of header names (`地区` above `region`), or None: every filled
    cell names the field of the header above it."""
    by_column = {pos: col for col, pos in found.items()}
    out = {}
    for pos, cell in cells.items():
        if not _cell_text(cell):
            continue
        col, unit = header_cell(cell)
        if col is None or by_column.get(int(pos), col) != col:
            return None
        out[int(pos)] = unit
    return out or None


def has_numbers(grid: pd.DataFrame) -> bool:
    """True when any cell holds a number other than a year (a cover sheet's `2023` is no data)."""
    values = pd.Series(grid.to_numpy().ravel())
    values = values[values.notna()]
    if values.empty:
        return False

    def number(v) -> bool:
        if isinstance(v, bool):
            return False
        if isinstance(v, (int, float, np.integer, np.floating)):
            return not (float(v).is_integer() and 1900 <= v <= 2100)
        return isinstance(v, str) and bool(re.fullmatch(forms.NUMBER, forms.normal(v))) \
            and not re.fullmatch(r"(19|20)\d\d|2100", forms.normal(v))
    return bool(map_distinct(values, number).any())


def column_labels(grid: pd.DataFrame, found: dict[str, int], row: int = 0) -> dict[str, str]:
    """`header (letter)` for each found column, as errors show it."""
    header = grid.iloc[row]
    return {col: f"{_cell_text(header[pos])} ({column_letter(pos)})" for col, pos in found.items()}


def read_activity_sheet(grid: pd.DataFrame, file: str, sheet: str,
                        header: Header | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw records (RAW_COLUMNS, cells untouched) of a v1 sheet, one per row below the header,
    and one per title row above it (skip `title`); note rows after the data have skip `note`."""
    header = header or find_header(grid, REQUIRED)
    return sheet_records(grid, file, sheet, FIELDS, header), []


def missing_columns(found: dict[str, int], required: list[str], file: str, sheet: str, row: int = 1) -> list[Problem]:
    """A problem for each required column (v1 column id) that the header row (Excel `row`) lacks, named in
    both languages (data/headers.csv), the required headers listed."""
    names = resources.data_table("headers.csv").set_index("column")
    both = [f"{names.at[c, 'name_zh']}/{names.at[c, 'name_en']}" for c in required]
    return [Problem("missing_column", file=file, sheet=sheet, row=row, expected="expect_headers",
                    params=(("name_zh", names.at[c, "name_zh"]), ("name_en", names.at[c, "name_en"]),
                            ("headers", ", ".join(both))))
            for c in required if c not in found]


def sheet_records(grid: pd.DataFrame, file: str, sheet: str, fields: list[str], header: Header | dict) -> pd.DataFrame:
    """One raw record per row of a sheet read with `header`: file, sheet, row (Excel number), the
    `fields` (cells untouched, None where the column is absent), skip, columns, cell_column,
    header_unit. Rows above the header are records with skip `title`; note rows `note`.

    A plain dict of found columns stands for a header on the first row.
    """
    if isinstance(header, dict):
        header = Header(0, header)
    found = header.found
    body = grid.iloc[header.first_data_row:]
    raw = pd.DataFrame(index=body.index)
    for col in fields:
        raw[col] = body[found[col]] if col in found else None
    raw.insert(0, "row", body.index.to_numpy() + 1)
    raw.insert(0, "sheet", sheet)
    raw.insert(0, "file", file)
    raw["skip"] = np.where(note_rows(body), "note", "")
    labels = column_labels(grid, found, header.row)
    raw["columns"] = [labels] * len(raw)
    raw["cell_column"] = ""
    raw["header_unit"] = header.value_unit
    titles = pd.DataFrame({"file": file, "sheet": sheet, "row": np.arange(1, header.row + 1), "skip": "title",
                           "cell_column": "", "header_unit": ""})
    titles["columns"] = [labels] * len(titles)
    out = pd.concat([titles, raw.reset_index(drop=True)], ignore_index=True) if len(titles) else raw
    return out.reset_index(drop=True)


def note_rows(body: pd.DataFrame) -> pd.Series:
    """True for note rows: a row whose first filled cell starts `注：`, `说明`, `资料来源：` ... and which
    holds no number, and the single-cell text rows that follow it (`1. …`, `2. …`) before any data row."""
    out = pd.Series(False, index=body.index)
    if body.empty:
        return out
    first = first_filled(body)
    candidate = map_distinct(first, lambda v: isinstance(v, str) and forms.is_note(v)).astype(bool)
    if not candidate.any():
        return out
    tail = body.loc[candidate.idxmax():]  # notes come after the data: look at the rows from the first one on
    count = tail.notna().sum(axis=1)
    has_number = tail.apply(lambda col: col.map(_is_number)).any(axis=1)
    marker = candidate.loc[tail.index] & ~has_number
    data_like = ((count > 1) & ~marker) | has_number
    after_marker = marker.groupby(data_like.cumsum()).cummax()
    out.loc[tail.index] = marker | (after_marker & (count == 1) & ~has_number)
    return out


def first_filled(body: pd.DataFrame) -> pd.Series:
    """Each row's first filled cell (missing when the row is empty): `body.bfill(axis=1).iloc[:, 0]`, column by
    column over the rows still empty (no copy of the whole sheet as one block)."""
    if not body.shape[1]:
        return pd.Series(np.nan, index=body.index, dtype=object)
    first = body.iloc[:, 0].to_numpy(dtype=object, copy=True)
    empty = np.flatnonzero(pd.isna(first))
    for j in range(1, body.shape[1]):
        if not len(empty):
            break
        cells = body.iloc[:, j].to_numpy(dtype=object)[empty]
        first[empty] = cells
        empty = empty[pd.isna(cells)]
    return pd.Series(first, index=body.index, dtype=object)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and not pd.isna(v)


def header_problems(grid: pd.DataFrame, file: str, sheet: str, required: list[str]) -> list[Problem]:
    """Errors for a sheet with numbers but no header: the sheet, the rows looked at, the headers
    expected (with the closest row's missing ones), and each unrecognised header of that row with
    its nearest header name."""
    names = _required_names(required)
    best = closest_header(grid, required)
    missing = [names[c] for c in required if c not in best.found] or ["-"]
    rows = min(HEADER_ROWS, len(grid))
    params = (("rows", str(rows)), ("headers", ", ".join(names[c] for c in required)),
              ("best_row", str(best.row + 1)), ("missing", ", ".join(missing)))
    text = " | ".join(_cell_text(c) for c in grid.iloc[best.row] if _cell_text(c)) if len(grid) else ""
    out = [Problem("header_not_found", file=file, sheet=sheet, value=text, expected="header_expected",
                   params=params)]
    lookup = vocabulary.header_lookup()
    absent = [name for f, name in names.items() if f not in best.found]
    for pos, cell in best.unknown.items():
        name = _BRACKETED.match(cell)["name"] if _BRACKETED.match(cell) else cell
        out.append(Problem("unknown_header", file=file, sheet=sheet, row=best.row + 1,
                           column=f"{cell} ({column_letter(pos)})", value=cell, expected="header_names",
                           params=(("headers", ", ".join(absent)),),
                           suggestion=_chinese_name(lookup.suggest(_BLANKS.sub("", name)))))
    return out


def _required_names(required: list[str]) -> dict[str, str]:
    """field -> its Chinese header (data/headers.csv), required ones first, then the others."""
    table = resources.data_table("headers.csv").set_index("column")
    fields = [*required, *(f for f in FIELDS if f not in required)]
    return {f: table.at[f, "name_zh"] for f in fields if f in table.index}


def _chinese_name(spelling: str) -> str:
    """The Chinese header of the field a suggested spelling names (`排放源` -> `排放源类别`)."""
    if not spelling:
        return ""
    col = vocabulary.header_lookup().get(spelling)
    table = resources.data_table("headers.csv").set_index("column")
    return table.at[col, "name_zh"] if col in table.index else spelling
