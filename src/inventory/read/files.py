"""Finding input files and opening workbooks safely."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

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
                problems.append(Problem("folder holds no .xlsx workbook", file=str(path), expected="activity workbooks (.xlsx)"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem("no such file or folder", file=str(path)))
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
        return Problem(f"not an .xlsx workbook (a {path.suffix or 'file without extension'})", file=name,
                       expected="an Excel .xlsx file; save .xls/.csv files as .xlsx first")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return Problem(f"file cannot be opened ({exc.strerror or exc})", file=name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if _is_encrypted_ooxml(path):
            return Problem("workbook is password-protected", file=name,
                           expected="an unprotected .xlsx file: open it in Excel/WPS, remove the password, save")
        return Problem("workbook is password-protected or in the old .xls format", file=name,
                       expected="an unprotected .xlsx file; save .xls files as .xlsx first")
    if not head.startswith(b"PK") and _looks_like_text(head):
        return Problem("file is text (CSV or similar) named .xlsx, not an Excel workbook", file=name,
                       expected="an .xlsx file: open the text file in Excel/WPS and save it as Excel Workbook (.xlsx)")
    if not zipfile.is_zipfile(path):
        return Problem("file is corrupt or truncated: not a valid .xlsx (zip) archive", file=name,
                       expected="an .xlsx file saved by Excel or WPS")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                return Problem(f"archive holds {len(infos):,} parts, over the limit of {MAX_MEMBERS:,}", file=name,
                               expected="a workbook of ordinary size")
            total = sum(info.file_size for info in infos)
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                return Problem("archive is not an Excel workbook (no xl/workbook.xml)", file=name,
                               expected="an .xlsx file saved by Excel or WPS")
            for info in infos:
                if info.flag_bits & 0x1:
                    return Problem(f"part {info.filename} is encrypted", file=name,
                                   expected="an unprotected .xlsx file")
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FROM and ratio > MAX_RATIO):
                    return Problem(f"part {info.filename} expands to {info.file_size / 1e6:,.0f} MB "
                                   f"({ratio:,.0f} times its compressed size): a possible zip bomb; refused",
                                   file=name, expected="a workbook of ordinary size")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return Problem("file is corrupt or truncated", file=name, expected="a valid .xlsx file")
    if total > MAX_UNCOMPRESSED_BYTES:
        return Problem(f"workbook expands to {total / 1e6:,.0f} MB, over the {MAX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB "
                       "limit", file=name, expected="a workbook of ordinary size")
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
        return Workbook(problems=[Problem(str(exc), file=name, expected=exc.expected)])
    book = Workbook(facts={f.name: f for f in facts})
    readable = []
    for f in facts:
        if f.over_cap:
            book.problems.append(Problem(f"sheet not read: {f.over_cap}", file=name, sheet=f.name,
                                         expected="a sheet of ordinary size: delete empty rows and columns "
                                                  "past the data", code="sheet_too_large"))
        elif f.max_row:
            readable.append(f.name)
    if not readable:
        return book
    try:
        # Only empty cells are missing: `NA` is a notation key (DESIGN 3.3), never pandas' "not available".
        book.sheets = pd.read_excel(path, sheet_name=readable, header=None, engine="calamine", dtype=object,
                                    nrows=MAX_ROWS_PER_SHEET, keep_default_na=False, na_values=[""])
    except Exception as exc:  # calamine raises its own error types for broken files
        book.problems.append(Problem(f"workbook cannot be read: {exc}", file=name, expected="a valid .xlsx file"))
    return book
