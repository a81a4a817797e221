"""Finding input files and opening workbooks safely."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pandas as pd

from inventory.errors import Problem

# Caps that keep a hostile workbook from exhausting memory (DESIGN 5).
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_ROWS_PER_SHEET = 2_000_000


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


def check_xlsx(path: Path) -> Problem | None:
    """A Problem when `path` is not a safe, readable .xlsx (wrong type, corrupt, encrypted, zip bomb)."""
    name = str(path)
    if path.suffix.lower() != ".xlsx":
        return Problem(f"not an .xlsx workbook (a {path.suffix or 'file without extension'})", file=name,
                       expected="an Excel .xlsx file; save .xls/.csv files as .xlsx first")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Problem("workbook is password-protected or in the old .xls format", file=name,
                       expected="an unprotected .xlsx file")
    if not zipfile.is_zipfile(path):
        return Problem("file is corrupt or truncated: not a valid .xlsx (zip) archive", file=name,
                       expected="an .xlsx file saved by Excel or WPS")
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if "xl/workbook.xml" not in zf.namelist():
                return Problem("archive is not an Excel workbook (no xl/workbook.xml)", file=name)
    except zipfile.BadZipFile:
        return Problem("file is corrupt or truncated", file=name, expected="a valid .xlsx file")
    if total > MAX_UNCOMPRESSED_BYTES:
        return Problem(f"workbook expands to {total / 1e6:.0f} MB, over the {MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB limit",
                       file=name, expected="a workbook of ordinary size")
    return None


def read_sheets(path: Path) -> tuple[dict[str, pd.DataFrame], Problem | None]:
    """All sheets of a workbook as raw cell grids (no header parsing), read with calamine."""
    problem = check_xlsx(path)
    if problem:
        return {}, problem
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object,
                               nrows=MAX_ROWS_PER_SHEET)
    except Exception as exc:  # calamine raises its own error types for broken files
        return {}, Problem(f"workbook cannot be read: {exc}", file=str(path), expected="a valid .xlsx file")
    return sheets, None
