"""The statistics bureau's wide energy balance: sector rows × fuel columns, a unit per column.

Layout (DESIGN 3.3): region and year in the first rows (`地区 | 湖南省`, `年份 | 2019`)
or in the sheet name (`能源平衡表 430000 2019`); a header row whose first cell is
the row-label heading and whose other cells are `fuel(unit)`; then one row per
sector, its first cell the sector's Chinese (or CEADs English) name, mapped to a
category by data/energy_balance_sectors.csv.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from inventory import regions, resources
from inventory.errors import Problem, column_letter
from inventory.lookup import map_distinct, normalise_name
from inventory.read.workbook import RAW_COLUMNS, note_rows

_FUEL_HEADER = re.compile(r"^\s*(?P<fuel>[^()（）]+?)\s*[（(]\s*(?P<unit>[^()（）]+?)\s*[)）]\s*$")
# Roles of balance rows that are read but not combusted, with the skip reason they get.
SKIP_REASONS = {
    "subtotal": "subtotal",
    "non_energy_use": "non_energy_use",
    "transformation": "transformation",
    "loss": "loss",
    "total_consumption": "subtotal",
}
# Rows that are skipped for combustion but whose amounts the reference approach reads
# (data/supply_flows.csv, sign `info`), by role.
INFO_ROLES = {"non_energy_use": "non_energy_use", "loss": "loss", "total_consumption": "total_consumption",
              "transformation": "transformation"}
# How a supply record is marked in `skip` for validation: `<skip reason>@<flow>`; an empty
# reason marks a supply row that is used (by the reference approach), see supply_marks().
SUPPLY_MARK = "@"


@cache
def supply_flows() -> pd.DataFrame:
    """Supply flows of an energy balance: flow, sign (+, -, ±, info), ipcc_term, names, notes."""
    return resources.data_table("supply_flows.csv")


def supply_marks(role: pd.Series) -> pd.Series:
    """The `skip` mark of each balance record by its row role: `@<flow>` for supply rows (used by
    the reference approach), `<reason>@<flow>` for rows skipped for combustion but read by it, else ""."""
    flows = supply_flows()
    used = set(flows.loc[flows["sign"] != "info", "flow"])
    marks = {r: SUPPLY_MARK + r for r in used}
    marks |= {r: SKIP_REASONS[r] + SUPPLY_MARK + flow for r, flow in INFO_ROLES.items()}
    return role.map(marks).fillna("")


@cache
def sector_table() -> pd.DataFrame:
    """The balance-row mapping: row_label_en, row_label_zh, category, role."""
    return resources.data_table("energy_balance_sectors.csv")


@cache
def _sector_index() -> dict[str, dict]:
    index = {}
    for rec in sector_table().to_dict("records"):
        for label in (rec["row_label_zh"], rec["row_label_en"]):
            if label:
                index.setdefault(normalise_name(label), rec)
    return index


def parse_fuel_header(cell: object) -> tuple[str, str] | None:
    """`原煤(万吨)` -> (`原煤`, `万吨`); None when the cell is not `name(unit)`."""
    m = _FUEL_HEADER.match(str(cell)) if not pd.isna(cell) else None
    return (m["fuel"], m["unit"]) if m else None


def _header_row(grid: pd.DataFrame) -> int | None:
    """Index of the first row with at least two `fuel(unit)` cells among its first 12 rows."""
    for i in range(min(12, len(grid))):
        cells = grid.iloc[i, 1:]
        if sum(parse_fuel_header(c) is not None for c in cells) >= 2:
            return i
    return None


def is_energy_balance(grid: pd.DataFrame, sheet: str) -> bool:
    """True for a wide energy-balance sheet."""
    return "能源平衡" in sheet or "energy balance" in sheet.lower() or _header_row(grid) is not None


def _meta(grid: pd.DataFrame, header: int, sheet: str) -> tuple[object, object]:
    """Region and year from the rows above the header, else from the sheet name."""
    region = year = None
    for i in range(header):
        key = normalise_name(grid.iat[i, 0]) if grid.shape[1] else ""
        val = grid.iat[i, 1] if grid.shape[1] > 1 else None
        if key in ("地区", "region"):
            region = val
        elif key in ("年份", "year"):
            year = val
    words = sheet.split()
    if region is None:
        region = next((w for w in words if regions.lookup().get(w)), None)
    if year is None:
        year = next((w for w in words if re.fullmatch(r"\d{4}", w)), None)
    return region, year


def read_balance_sheet(grid: pd.DataFrame, file: str, sheet: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw long records (RAW_COLUMNS) of a wide balance: one per non-empty sector × fuel cell.

    Rows whose role is not combustion carry their skip reason in `skip`; unknown
    row labels and unknown fuel headers are left for validation to reject.
    """
    header = _header_row(grid)
    if header is None:
        return pd.DataFrame(columns=RAW_COLUMNS), [Problem(
            "balance_without_fuel_header", file=file, sheet=sheet, expected="expect_fuel_headers")]
    region, year = _meta(grid, header, sheet)
    fuels = {pos: parse_fuel_header(c) for pos, c in grid.iloc[header].items() if pos > 0}
    fuels = {pos: fu for pos, fu in fuels.items() if fu}
    body = grid.iloc[header + 1:]
    labels = body.iloc[:, 0]
    long = body[list(fuels)].copy()  # by label: empty columns may have been dropped
    long.columns = list(fuels)
    long.insert(0, "label", labels)
    long["row"] = body.index.to_numpy() + 1
    long = long.melt(id_vars=["label", "row"], var_name="pos", value_name="value")
    long = long[long["value"].notna() & (long["value"].astype(str).str.strip() != "")]
    notes = set(body.index[note_rows(body)].to_numpy() + 1)
    empty = set(body.index.to_numpy() + 1) - set(long["row"])
    blank_rows, note_rows_ = sorted(empty - notes), sorted(empty & notes)

    index = _sector_index()
    label_key = map_distinct(long["label"], normalise_name)
    category = label_key.map({k: r["category"] for k, r in index.items()})
    role = label_key.map({k: r["role"] for k, r in index.items()}).fillna("")
    fuel = long["pos"].map({p: fu[0] for p, fu in fuels.items()})
    unit = long["pos"].map({p: fu[1] for p, fu in fuels.items()})
    raw = pd.DataFrame({
        "file": file, "sheet": sheet, "row": long["row"].to_numpy(), "region": region, "year": year,
        # an unknown row label stays as the category so that validation rejects it, located
        "category": category.where(category.notna(), long["label"]).to_numpy(),
        "activity": fuel.to_numpy(), "technology": None, "value": long["value"].to_numpy(),
        "unit": unit.to_numpy(), "parameter": None, "source": f"{file} {sheet}",
        "notes": long["label"].to_numpy(),  # the balance row label: rows mapped to one category stay distinct
        "skip": supply_marks(role).where(lambda m: m != "", role.map(SKIP_REASONS)).fillna("").to_numpy(),
    })
    # Transformation outputs (electricity and heat from power plants) are negative and not burned.
    output = (pd.to_numeric(raw["value"], errors="coerce") < 0).to_numpy() & (role == "transformation_combustion").to_numpy()
    raw.loc[output, "skip"] = "transformation_output"
    first = grid.columns[0]
    sheet_labels = {"category": f"{grid.iat[header, 0]} ({column_letter(first)})", "region": "地区 (B1)",
                    "year": "年份 (B2)"}
    raw["columns"] = [sheet_labels] * len(raw)
    heads = grid.iloc[header]
    raw["cell_column"] = long["pos"].map({p: f"{heads[p]} ({column_letter(p)})" for p in fuels}).to_numpy()
    blanks = pd.DataFrame({"file": file, "sheet": sheet, "row": blank_rows + note_rows_,
                           "skip": ["blank"] * len(blank_rows) + ["note"] * len(note_rows_)})
    raw = pd.concat([raw, blanks], ignore_index=True) if len(blanks) else raw
    return raw.reindex(columns=RAW_COLUMNS), []

