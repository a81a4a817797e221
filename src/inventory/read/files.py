"""Finding input files and opening workbooks safely."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from inventory.errors import Problem
from inventory.read.cells import MAX_PART_BYTES, MAX_ROWS_PER_SHEET, SheetFacts, UnsafeWorkbook, scan_workbook

# Caps that keep a hostile workbook from exhausting memory (DESIGN 5); more in cells.py.
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024   # all parts together
MAX_RATIO = 100                                # uncompressed / compressed of a part over RATIO_FROM bytes
RATIO_FROM = 16 * 1024 * 1024
MAX_MEMBERS = 10_000


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Every `.xlsx` named or inside a named folder (recursively, sorted), skipping `~$` lock files."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.xlsx") if not p.name.startswith("~$"))
            if not found:
                problems.append(Problem("folder_without_workbooks", file=str(path), expected="expect_activity_workbooks"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem("no_such_file_or_folder", file=str(path)))
    return files, problems


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _looks_like_text(head: bytes) -> bool:
    """True for bytes that look like a text file (CSV, TSV, HTML...) in any 8-bit or UTF encoding."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True  # UTF-16 text
    if not head or b"\0" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls <= len(head) // 100


def _is_encrypted_ooxml(path: Path) -> bool:
    """True when an OLE compound file holds an encrypted OOXML package (a password-protected .xlsx)."""
    needle = "EncryptedPackage".encode("utf-16-le")
    tail = b""
    with path.open("rb") as fh:
        for _ in range(64):  # the first 64 MB are plenty for the directory of a small OLE file
            block = fh.read(1 << 20)
            if not block:
                return False
            if needle in tail + block:
                return True
            tail = block[-len(needle):]
    return False


def check_xlsx(path: Path) -> Problem | None:
    """A Problem when `path` is not a safe, readable .xlsx (wrong type, corrupt, encrypted, zip bomb)."""
    name = str(path)
    if path.suffix.lower() != ".xlsx":
        return Problem("not_an_xlsx_file", file=name, value=path.suffix, expected="expect_xlsx_save_as")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return Problem("file_cannot_be_opened", file=name, params=(("error", exc.strerror or str(exc)),))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if _is_encrypted_ooxml(path):
            return Problem("workbook_password_protected", file=name, expected="expect_password_removed")
        return Problem("workbook_protected_or_xls", file=name, expected="expect_unprotected_xlsx")
    if not head.startswith(b"PK") and _looks_like_text(head):
        return Problem("text_file_named_xlsx", file=name, expected="expect_text_saved_as_xlsx")
    if not zipfile.is_zipfile(path):
        return Problem("file_not_a_zip", file=name, expected="expect_xlsx_from_excel")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                return Problem("too_many_parts", file=name, expected="expect_ordinary_size",
                               params=(("parts", f"{len(infos):,}"), ("limit", f"{MAX_MEMBERS:,}")))
            total = sum(info.file_size for info in infos)
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                return Problem("archive_not_a_workbook", file=name, expected="expect_xlsx_from_excel")
            for info in infos:
                if info.flag_bits & 0x1:
                    return Problem("part_encrypted", file=name, expected="expect_unprotected_xlsx",
                                   params=(("part", info.filename),))
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FROM and ratio > MAX_RATIO):
                    return Problem("zip_bomb", file=name, expected="expect_ordinary_size",
                                   params=(("part", info.filename), ("mb", f"{info.file_size / 1e6:,.0f}"),
                                           ("ratio", f"{ratio:,.0f}")))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return Problem("file_corrupt", file=name, expected="expect_valid_xlsx")
    if total > MAX_UNCOMPRESSED_BYTES:
        return Problem("workbook_too_large", file=name, expected="expect_ordinary_size",
                       params=(("mb", f"{total / 1e6:,.0f}"), ("limit", f"{MAX_UNCOMPRESSED_BYTES / 1e6:,.0f}")))
    return None


@dataclass
class Workbook:
    """A workbook as read: raw grids of the sheets that may be read, the cell facts, and problems.

    problems: file-level (the workbook is not read at all) or sheet-level (that sheet is not read).
    """

    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)
    facts: dict[str, SheetFacts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def open_workbook(path: Path) -> Workbook:
    """Check, scan (cells.py) and read a workbook with calamine, sheets over a cap left out.

    Values only, never formulas: calamine returns each formula cell's saved value.
    """
    name = str(path)
    problem = check_xlsx(path)
    if problem:
        return Workbook(problems=[problem])
    try:
        facts = scan_workbook(path)
    except UnsafeWorkbook as exc:
        return Workbook(problems=[Problem(exc.code, file=name, expected=exc.expected, params=exc.params)])
    book = Workbook(facts={f.name: f for f in facts})
    readable = []
    for f in facts:
        if f.over_cap:
            book.problems.append(Problem(f.over_cap, file=name, sheet=f.name, expected="expect_ordinary_sheet",
                                         params=f.over_cap_params))
        elif f.max_row:
            readable.append(f.name)
    if not readable:
        return book
    try:
        # Only empty cells are missing: `NA` is a notation key (DESIGN 3.3), never pandas' "not available".
        book.sheets = read_grids(path, readable, MAX_ROWS_PER_SHEET)
    except Exception as exc:  # calamine raises its own error types for broken files
        book.problems.append(Problem("workbook_unreadable", file=name, expected="expect_valid_xlsx",
                                     params=(("error", str(exc)),)))
    return book


def read_grids(path: Path, sheets: list[str], nrows: int) -> dict[str, pd.DataFrame]:
    """The cell values of `sheets` (at most `nrows` rows each) as object grids, row i = Excel row i + 1,
    read with python-calamine's own API: the same frames `pandas.read_excel(engine="calamine", header=None,
    dtype=object, keep_default_na=False, na_values=[""])` gives (whole floats as int, dates as datetime,
    empty cells NaN, no other text taken as missing: `NA` is a notation key, DESIGN 3.3), without pandas'
    text parser (bench/README.md, "Reading": 3.6 s -> 2.2 s CPU for 200k rows)."""
    book = CalamineWorkbook.from_path(str(path))
    grids = {}
    for name in sheets:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
        grid = np.array(rows, dtype=object) if rows else np.empty((0, 0), dtype=object)  # calamine's rows
        width = grid.shape[1]                                                             # are all as wide
        grids[name] = pd.DataFrame({j: _cells(grid[:, j]) for j in range(width)}, index=pd.RangeIndex(len(rows)),
                                   columns=pd.RangeIndex(width), dtype=object)
    return grids


# Cells looked at to tell a column of a few distinct values (names, units, years) from one of mostly
# distinct numbers, which is converted cell by cell (the same result, without a factorisation first).
SAMPLE = 1000


def _cells(column: np.ndarray) -> np.ndarray:
    """One column of calamine values as pandas' calamine reader gives them: a float holding a whole number
    as int, a date as datetime, an empty text as NaN. Each distinct value converted once (_values) and
    taken onto the cells by its code, so equal texts are one object (_shared); the cells of values that
    equal True or False (factorising merges True, 1 and 1.0) converted one by one."""
    if len(pd.unique(column[:SAMPLE])) > SAMPLE // 2:  # mostly distinct (a value column): cell by cell
        return _values(column)
    codes, uniques = pd.factorize(column)
    if (codes < 0).any():  # None or NaN (calamine gives "" for an empty cell): cell by cell
        return _values(column)
    uniques = np.asarray(uniques, dtype=object)
    out = _values(uniques)[codes]
    types = _types(uniques)
    numbers = np.flatnonzero((types == bool) | (types == int) | (types == float))
    merged = numbers[np.isin(uniques[numbers].astype(float), (0.0, 1.0))]
    if len(merged):
        at = np.flatnonzero(np.isin(codes, merged))
        out[at] = _values(column[at])
    return out


def _types(values: np.ndarray) -> np.ndarray:
    """The Python type of each value (an object array)."""
    return np.frompyfunc(type, 1, 1)(values) if len(values) else np.empty(0, dtype=object)


def _values(column: np.ndarray) -> np.ndarray:
    """_cells of a column cell by cell, each kind found with whole-column operations."""
    kind = pd.api.types.infer_dtype(column, skipna=False)
    column = column.copy()
    if kind in ("integer", "boolean"):
        return column
    if kind == "string":
        column[:] = _shared(column)
        column[column == ""] = np.nan
        return column
    types = _types(column)
    texts = np.flatnonzero(types == str)
    column[texts] = _shared(column[texts])
    floats = np.flatnonzero(types == float)
    if len(floats):
        values = column[floats].astype(float)
        whole = np.isfinite(values) & (values == np.trunc(values))
        distinct, codes = np.unique(values[whole], return_inverse=True)  # a year column: ten ints, one object each
        column[floats[whole]] = np.array([int(v) for v in distinct.tolist()], dtype=object)[codes.ravel()]
    column[texts[column[texts] == ""]] = np.nan
    for i in np.flatnonzero(types == date):
        day = column[i]
        column[i] = datetime(day.year, day.month, day.day)
    return column


def _shared(texts: np.ndarray) -> np.ndarray:
    """The same texts with each distinct one a single object (calamine makes one per cell): a county-level
    sheet repeats a few hundred names over 250,000 rows, so the grid holds pointers, not copies (issue 14:
    a national read of 5.7M rows), and later hashing and comparing of the column is cheaper."""
    codes, uniques = pd.factorize(texts)
    return np.asarray(uniques, dtype=object)[codes]
