"""Readers: activity workbooks (v1 long format and wide energy balances) -> one validated long table."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from inventory import resources

from inventory.errors import Problem
from inventory.qa.completeness import year_gaps
from inventory.read.energy_balance import is_energy_balance, read_balance_sheet
from inventory.read.cells import MAX_LISTED, SheetFacts, range_rows, split_ref
from inventory.read.facility import DISTINCT, SHEET_FORMAT, check_against_region, empty_facility, read_facility_sheet, \
    validate_facility
from inventory.read.files import expand_paths, open_workbook, sha256
from inventory.read.validate import Inputs, compact_ledger, validate
from inventory.read.workbook import HEADER_ROWS, LISTS_SHEET, RAW_COLUMNS, REQUIRED, find_header, has_numbers, \
    header_problems, read_activity_sheet

__all__ = ["Inputs", "read_raw", "read_inputs"]


def read_raw(paths: list[Path], base: Path | None = None) -> tuple[pd.DataFrame, list[dict], list[Problem]]:
    """Raw records of every sheet of every workbook, the input files with checksums, and file-level problems.

    base: file names in records and messages are shown relative to it when possible.
    """
    files, problems = expand_paths(paths)
    frames, inputs = [], []
    for path in files:
        shown = _relative(path, base)
        inputs.append({"path": shown, "sha256": sha256(path)})
        book = open_workbook(path)
        problems += [replace(p, file=shown) for p in book.problems]
        for sheet, grid in book.sheets.items():
            grid = grid.loc[:, [_filled(grid[j]) for j in grid.columns]]  # no empty columns
            if grid.empty or sheet in _template_sheets():
                continue  # the templates' instructions and drop-down lists hold no activity rows
            frame, found = read_sheet(grid, shown, sheet)
            if frame is None:
                problems += found
                continue
            facts = book.facts.get(sheet)
            data_rows = set(frame.loc[~frame["skip"].isin(NOT_DATA), "row"]) if facts and facts.merged else set()
            found += cell_problems(facts, data_rows, shown, sheet, _text_letters(frame))
            problems += found
            frames.append(frame)
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RAW_COLUMNS)
    return raw, inputs, problems


def _filled(column: pd.Series) -> bool:
    """True when any cell of the column is filled (its first rows looked at first: they mostly hold its header)."""
    return bool(column.iloc[:100].notna().any()) or bool(column.notna().any())


def read_sheet(grid: pd.DataFrame, file: str, sheet: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Raw records of one sheet as its header says it is (facility, v1 activity, energy balance),
    and the reader's problems. A sheet with numbers but no header is an error and its filled rows
    are records to reject (DESIGN 3.3: never a silent skip); a sheet without numbers (a cover or
    notes sheet) is skipped with a warning (records None)."""
    facility = find_header(grid, DISTINCT)
    if facility is not None:
        return read_facility_sheet(grid, file, sheet, facility)
    activity = find_header(grid, REQUIRED)
    if activity is not None:
        return read_activity_sheet(grid, file, sheet, activity)
    if is_energy_balance(grid, sheet):
        return read_balance_sheet(grid, file, sheet)
    if not has_numbers(grid):
        rows = str(min(HEADER_ROWS, len(grid)))
        return None, [Problem("sheet_without_data", file=file, sheet=sheet, severity="warning",
                              expected="headers_required",
                              params=(("rows", rows), ("headers", ", ".join(_HEADERS_ZH))))]
    filled = grid.index[grid.notna().any(axis=1)]
    frame = pd.DataFrame({"file": file, "sheet": sheet, "row": filled.to_numpy() + 1, "skip": ""})
    return frame.reindex(columns=RAW_COLUMNS), header_problems(grid, file, sheet, REQUIRED)


# Chinese headers of the required v1 columns, as messages list them.
_HEADERS_ZH = ("地区", "年份", "排放源类别", "活动", "活动水平", "单位")
# Skip reasons of rows that are no data (a merge across a title or a note is no error).
NOT_DATA = ("title", "note")


@cache
def _template_sheets() -> set[str]:
    """Names of the helper sheets that `inventory template` writes beside the data sheets."""
    labels = resources.data_table("labels.csv").set_index("key")
    return {LISTS_SHEET, *labels.loc["tpl_instructions", ["zh", "en"]]}


def read_inputs(paths: list[Path], regions: set[str] | None = None, years: set[int] | None = None,
                base: Path | None = None, warn_not_selected: bool = False) -> tuple[Inputs, list[dict]]:
    """Read and validate every workbook under `paths`; returns the Inputs and the input file list.

    Rows the reader already rejects (merged cells, formulas without a saved value)
    are not validated further; they enter the ledger as rejected.
    """
    raw, files, problems = read_raw(paths, base)
    bad = {(p.file, p.sheet, p.row) for p in problems if p.code in READER_ROW_ERRORS and p.row is not None}
    bad_sheets = {(p.file, p.sheet) for p in problems if p.code in READER_SHEET_ERRORS}
    rejected = named_records(raw, bad, bad_sheets)
    is_facility = raw["sheet_format"].eq(SHEET_FORMAT) if "sheet_format" in raw else pd.Series(False, index=raw.index)
    inputs = validate(raw[~rejected & ~is_facility].reindex(columns=RAW_COLUMNS), regions, years, warn_not_selected)
    inputs.facility = empty_facility()
    if is_facility.any():
        inputs.facility, ledger, found = validate_facility(raw[~rejected & is_facility], regions, years,
                                                             warn_not_selected)
        ledger = pd.concat([inputs.ledger, ledger], ignore_index=True)
        inputs.ledger = compact_ledger(ledger.sort_values(["file", "sheet", "row"], kind="stable")
                                       .reset_index(drop=True))
        found += check_against_region(inputs.facility, inputs.activity)
        inputs.problems = sorted(inputs.problems + found, key=lambda p: (p.file, p.sheet, p.row or 0))
    if rejected.any():
        extra = raw.loc[rejected, ["file", "sheet", "row"]].drop_duplicates().assign(status="rejected", reason="", region="")
        extra["row"] = extra["row"].astype(int)
        ledger = pd.concat([inputs.ledger, extra], ignore_index=True)
        inputs.ledger = compact_ledger(ledger.sort_values(["file", "sheet", "row"], kind="stable")
                                       .reset_index(drop=True))
    inputs.problems = problems + inputs.problems + year_gaps(inputs.activity)
    return inputs, files


def named_records(raw: pd.DataFrame, rows: set[tuple[str, str, int]], sheets: set[tuple[str, str]]) -> pd.Series:
    """Mask of the raw records on the named rows (file, sheet, Excel row) or in the named sheets (file, sheet).

    Compared as integer keys made from the codes of the distinct files and sheets (no tuple per record)."""
    out = np.zeros(len(raw), dtype=bool)
    if not rows and not sheets:
        return pd.Series(out, index=raw.index)
    file_codes, files = pd.factorize(raw["file"])
    sheet_codes, sheet_names = pd.factorize(raw["sheet"])
    file_at = {f: i for i, f in enumerate(files)}
    sheet_at = {s: i for i, s in enumerate(sheet_names)}
    place = file_codes.astype(np.int64) * max(len(sheet_names), 1) + sheet_codes  # -1 (missing) never named

    def key(file, sheet) -> int:
        if file not in file_at or sheet not in sheet_at:
            return -1
        return file_at[file] * max(len(sheet_names), 1) + sheet_at[sheet]

    if sheets:
        wanted = [k for k in (key(f, s) for f, s in sheets) if k >= 0]
        out |= np.isin(place, wanted) & (file_codes >= 0) & (sheet_codes >= 0)
    if rows:
        row = raw["row"].to_numpy(dtype=np.int64)
        span = int(max(row.max(initial=0), max(r for _, _, r in rows))) + 1
        wanted = [k * span + r for (f, s, r), k in ((n, key(n[0], n[1])) for n in rows) if k >= 0 and r >= 0]
        out |= np.isin(place * span + row, wanted) & (file_codes >= 0) & (sheet_codes >= 0)
    return pd.Series(out, index=raw.index)


# Problem codes of the reader that reject the row they name, and every row of the sheet they name.
READER_ROW_ERRORS = {"merged_cells", "formula_without_value"}
READER_SHEET_ERRORS = {"header_not_found"}


# Free-text columns: a formula without a saved value there loses no number (issue 12).
TEXT_FIELDS = ("source", "notes")


def _text_letters(frame: pd.DataFrame) -> set[str]:
    """Column letters of the sheet's free-text columns (source, notes), from the records' header labels."""
    if frame.empty or "columns" not in frame or not isinstance(frame["columns"].iat[0], dict):
        return set()
    labels = frame["columns"].iat[0]
    return {labels[f].rsplit("(", 1)[-1].rstrip(")") for f in TEXT_FIELDS if f in labels}


def cell_problems(facts: SheetFacts | None, rows: set[int], file: str, sheet: str,
                  text_letters: set[str] = frozenset()) -> list[Problem]:
    """Problems from the cell facts of a sheet: merged cells on data rows, formulas without a saved value.

    rows: the sheet's data rows (Excel numbers) as read; a merge touching any of them
    is an error on each of them; a formula without a value is an error on its row, except in a
    free-text column (`text_letters`: source, notes), where it is a warning and the row is used
    (the cell is read as empty; nothing is ever written as a formula).
    """
    if facts is None:
        return []
    out = []
    for ref in facts.merged:
        span = range_rows(ref)
        if span is None:
            continue
        first, last = span[0], span[1]
        span_rows = range(first, last + 1) if last - first < len(rows) else sorted(rows)
        for row in (r for r in span_rows if r in rows and first <= r <= last):
            out.append(Problem("merged_cells", file=file, sheet=sheet, row=int(row), column=ref,
                               expected="expect_unmerged_cells", params=(("range", ref),)))
    for ref in facts.formulas:
        pos = split_ref(ref)
        if "".join(ch for ch in ref if ch.isalpha()) in text_letters:
            out.append(Problem("formula_in_text_column", file=file, sheet=sheet,
                               row=pos[0] if pos else None, column=ref, expected="expect_text_or_saved_value",
                               severity="warning"))
            continue
        out.append(Problem("formula_without_value", file=file, sheet=sheet, row=pos[0] if pos else None, column=ref,
                           expected="expect_computed_value"))
    if facts.merged_count > len(facts.merged) or facts.formula_count > len(facts.formulas):
        out.append(Problem("too_many_cell_problems", file=file, sheet=sheet,
                           params=(("merged", f"{facts.merged_count:,}"), ("formulas", f"{facts.formula_count:,}"),
                                   ("listed", f"{MAX_LISTED:,}"))))
    return out


def _relative(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
