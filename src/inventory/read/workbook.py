"""The v1 activity sheet (DESIGN 3.3): one header row, one activity or parameter row per line."""

from __future__ import annotations

import pandas as pd

from inventory import resources, vocabulary
from inventory.errors import Problem, column_letter

# Columns of the v1 format, in the order of DESIGN 3.3.
FIELDS = ["region", "year", "category", "activity", "technology", "value", "unit", "parameter", "source", "notes"]
REQUIRED = ["region", "year", "category", "activity", "value", "unit"]
# The hidden sheet of drop-down sources that `inventory template` writes (not activity data).
LISTS_SHEET = "_lists"
# `columns`: header label (with letter) per field for the sheet; `cell_column`: the label of the
# record's own value cell where it differs per record (wide balances), else "".
RAW_COLUMNS = ["file", "sheet", "row", *FIELDS, "skip", "columns", "cell_column"]


def header_map(header: pd.Series) -> tuple[dict[str, int], list[str]]:
    """Map v1 column ids to column labels (the 0-based sheet column numbers) from a header row;
    also the unknown headers. Empty columns may have been dropped: always select by label."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    lookup = vocabulary.header_lookup()
    for pos, cell in header.items():
        if pd.isna(cell) or str(cell).strip() == "":
            continue
        col = lookup.get(cell)
        if col and col not in found:
            found[col] = int(pos)
        else:
            unknown.append(str(cell))
    return found, unknown


def is_activity_sheet(grid: pd.DataFrame) -> bool:
    """True when the first row holds at least the required v1 headers."""
    if grid.empty:
        return False
    found, _ = header_map(grid.iloc[0])
    return all(c in found for c in REQUIRED)


def column_labels(grid: pd.DataFrame, found: dict[str, int]) -> dict[str, str]:
    """`header (letter)` for each found column, as errors show it."""
    header = grid.iloc[0]
    return {col: f"{header[pos]} ({column_letter(pos)})" for col, pos in found.items()}


def read_activity_sheet(grid: pd.DataFrame, file: str, sheet: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw records (RAW_COLUMNS, cells untouched) of a v1 sheet, one per data row."""
    found, _unknown = header_map(grid.iloc[0])
    return sheet_records(grid, file, sheet, FIELDS, found), missing_columns(found, REQUIRED, file, sheet)


def missing_columns(found: dict[str, int], required: list[str], file: str, sheet: str) -> list[Problem]:
    """A problem for each required column (v1 column id) that the header row lacks, named in both
    languages (data/headers.csv), the required headers listed."""
    names = resources.data_table("headers.csv").set_index("column")
    both = [f"{names.at[c, 'name_zh']}/{names.at[c, 'name_en']}" for c in required]
    return [Problem("missing_column", file=file, sheet=sheet, row=1, expected="expect_headers",
                    params=(("name_zh", names.at[c, "name_zh"]), ("name_en", names.at[c, "name_en"]),
                            ("headers", ", ".join(both))))
            for c in required if c not in found]


def sheet_records(grid: pd.DataFrame, file: str, sheet: str, fields: list[str], found: dict[str, int]) -> pd.DataFrame:
    """One raw record per data row of a one-header-row sheet: file, sheet, row (Excel number), the
    `fields` (cells untouched, None where the column is absent), skip, columns, cell_column."""
    body = grid.iloc[1:]
    raw = pd.DataFrame(index=body.index)
    for col in fields:
        raw[col] = body[found[col]] if col in found else None
    raw.insert(0, "row", body.index.to_numpy() + 1)
    raw.insert(0, "sheet", sheet)
    raw.insert(0, "file", file)
    raw["skip"] = ""
    labels = column_labels(grid, found)
    raw["columns"] = [labels] * len(raw)
    raw["cell_column"] = ""
    return raw.reset_index(drop=True)
