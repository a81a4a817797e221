"""Facility-reported emissions: a sheet of plant-level emissions (排污许可执行报告, CEMS, carbon-market
verified CO2) read into `Inputs.facility` for the `facility` cross-check (issue 5).

Sheet format: one header row, Chinese or English headers (data/headers.csv):

| column | 中文 | required | meaning |
|---|---|---|---|
| region | 地区 | yes | code, name or alias |
| year | 年份 | yes | four-digit year |
| facility | 企业名称 | yes | facility name or id (排污单位名称) |
| category | 排放源类别 | yes | category code or name |
| activity | 活动 | no | the fuel or product the facility's emission rests on |
| substance | 污染物 | yes | substance id or name (SO2, 二氧化硫, CO2...) |
| emission | 排放量 | yes | the reported emission, a non-negative number |
| unit | 单位 | yes | a mass unit (t, 万吨, kg) |
| coverage | 覆盖范围 | no | 全部/full: the sheet's facilities are the whole category; else partial (default) |
| value (activity_amount) | 活动水平 | no | the plant's activity amount for `activity` (DESIGN 3.3 Tier 3), the same on each of its rows |
| activity_unit | 活动水平单位 | with an amount | the amount's unit (t, 万吨, 万立方米, TJ...) |
| confidential | 保密 | no | 是/yes: the plant is folded into its region's figures and never named |
| source | 数据来源 | no | permit report, CEMS, verified carbon-market report... |
| notes | 备注 | no | free text |

A sheet is of this kind when a row within its first 20 holds the facility, substance and
emission headers (title rows above it skipped as `title`, notes after the data as `note`). Every row ends used, skipped (blank, not selected) or rejected (a Problem
naming file, sheet, row, column, value and what was expected).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from inventory import categories, regions, resources, units, vocabulary
from inventory.errors import Problem
from inventory.lookup import Lookup
from inventory.read.forms import is_example, is_nil_marker
from inventory.read.validate import _Collector, _selected, _text, parse_numbers, read_regions, read_years
from inventory.read.workbook import Header, find_header, missing_columns, sheet_records

FACILITY_FIELDS = ["region", "year", "facility", "category", "activity", "substance", "emission", "unit",
                   "coverage", "value", "activity_unit", "confidential", "source", "notes"]
FACILITY_REQUIRED = ["region", "year", "facility", "category", "substance", "emission", "unit"]
# Headers that tell a facility sheet from an activity sheet.
DISTINCT = ["facility", "substance", "emission"]
FACILITY_COLUMNS = ["region", "year", "facility", "category", "activity", "substance", "emission", "coverage",
                    "file", "sheet", "row", "source", "amount", "quantity", "confidential", "amount_cell",
                    "amount_column"]
# The plant and key a Tier 3 amount belongs to: its rows must agree on the amount.
PLANT_KEY = ["region", "year", "facility", "category", "activity"]
SHEET_FORMAT = "facility"


@cache
def confidential_lookup() -> Lookup:
    """Confidentiality spellings (是, 否, yes, no, 保密...) -> `yes` or `no` (data/facility_confidential.csv)."""
    return Lookup.from_table(resources.data_table("facility_confidential.csv"), "id", ["name_zh", "name_en"], "aliases")


@cache
def coverage_lookup() -> Lookup:
    """Coverage spellings (全部, full, 部分, partial...) -> `full` or `partial` (data/facility_coverage.csv)."""
    return Lookup.from_table(resources.data_table("facility_coverage.csv"), "id", ["name_zh", "name_en"], "aliases")


def read_facility_sheet(grid: pd.DataFrame, file: str, sheet: str,
                        header: Header | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw records of a facility sheet, one per data row, cells untouched (title rows above the
    header and note rows after the data marked as workbook.sheet_records marks them).

    Shaped like the activity reader's records (file, sheet, row, the fields, skip,
    columns, cell_column) with `sheet_format` = "facility"; the reported emission is in
    `emission`.
    """
    header = header or find_header(grid, DISTINCT) or Header(0, {})
    found = header.found
    problems = missing_columns(found, FACILITY_REQUIRED, file, sheet, header.row + 1)
    raw = sheet_records(grid, file, sheet, FACILITY_FIELDS, header)
    raw["sheet_format"] = SHEET_FORMAT
    return raw, problems


def validate_facility(raw: pd.DataFrame, select_regions: set[str] | None = None,
                      select_years: set[int] | None = None, warn_not_selected: bool = False
                      ) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Check and convert facility records: (facility table, ledger rows, problems).

    Rows outside select_regions / select_years are skipped as `not_selected` (with a warning
    each under warn_not_selected, as a project's `validate` asks).

    facility table: FACILITY_COLUMNS, emission in t, activity "" when not given,
    coverage `full` or `partial`. Ledger: file, sheet, row, status, reason, region.
    """
    raw = raw.reset_index(drop=True)
    c = _Collector(raw)
    t = {col: _text(raw[col]) for col in FACILITY_FIELDS}
    marked = raw["skip"].fillna("").astype(str) if "skip" in raw else pd.Series("", index=raw.index)
    blank = pd.concat([t[col] == "" for col in FACILITY_FIELDS], axis=1).all(axis=1) & (marked == "")
    marked = marked.mask(blank, "blank").mask((marked == "") & is_nil_marker(t["emission"]), "nil_marker")
    marked = marked.mask((marked == "") & is_example(t["notes"]), "example")  # a template's example row, copied
    live = marked == ""
    for col in FACILITY_REQUIRED:
        c.add(live & (t[col] == ""), col, _EMPTY[col], _EXPECTED[col])

    region, nested = read_regions(t["region"], live, c)
    c.add(live & (t["region"] != "") & region.isna() & ~nested, "region", "unknown_region", _EXPECTED["region"],
          suggest=regions.lookup().suggest)
    year, year_text = parse_numbers(raw["year"])
    year = read_years(t["year"], year, live, c)
    year_ok = year.notna() & (year == year.round()) & year.between(1900, 2100)
    c.add(live & (t["year"] != "") & ~year_ok, "year", "not_a_year", _EXPECTED["year"])
    category = categories.lookup().resolve(t["category"])
    c.add(live & (t["category"] != "") & category.isna(), "category", "unknown_category", _EXPECTED["category"],
          suggest=categories.lookup().suggest)
    activity = vocabulary.activity_lookup().resolve(t["activity"])
    c.add(live & (t["activity"] != "") & activity.isna(), "activity", "unknown_activity", _EXPECTED["activity"],
          suggest=vocabulary.activity_lookup().suggest)
    substance = vocabulary.substance_lookup().resolve(t["substance"])
    c.add(live & (t["substance"] != "") & substance.isna(), "substance", "unknown_substance",
          _EXPECTED["substance"], suggest=vocabulary.substance_lookup().suggest)
    value, value_text = parse_numbers(raw["emission"])
    c.add(live & (t["emission"] != "") & value.isna(), "emission", "not_a_number", _EXPECTED["emission"])
    c.add(live & (value < 0), "emission", "negative_emission", _EXPECTED["emission"])
    c.add(live & value_text, "emission", "number_stored_as_text", severity="warning")
    c.add(live & year_text, "year", "number_stored_as_text", severity="warning")
    conv = units.to_canonical(t["unit"])
    c.add(live & (t["unit"] != "") & (conv["quantity"] != "mass"), "unit", "unit_not_a_mass", _EXPECTED["unit"])
    coverage = coverage_lookup().resolve(t["coverage"])
    c.add(live & (t["coverage"] != "") & coverage.isna(), "coverage", "unknown_coverage", _EXPECTED["coverage"])

    amount, amount_text = parse_numbers(raw["value"])
    has_amount = live & (t["value"] != "")
    c.add(has_amount & amount.isna(), "value", "not_a_number", "expect_non_negative")
    c.add(has_amount & (amount < 0), "value", "negative_amount", "expect_non_negative")
    c.add(has_amount & amount_text, "value", "number_stored_as_text", severity="warning")
    c.add(has_amount & (t["activity"] == ""), "activity", "activity_is_empty", "expect_facility_activity")
    c.add(has_amount & (t["activity_unit"] == ""), "activity_unit", "unit_is_empty", "expect_unit")
    aconv = units.to_canonical(t["activity_unit"])
    c.add(has_amount & (t["activity_unit"] != "") & ~aconv["quantity"].isin(["mass", "volume", "energy", "count"]),
          "activity_unit", "unknown_unit", "expect_unit")
    confidential = confidential_lookup().resolve(t["confidential"])
    c.add(live & (t["confidential"] != "") & confidential.isna(), "confidential", "unknown_confidential",
          "expect_yes_or_no")
    canonical = amount * aconv["factor"]
    _differing_amounts(raw, t, region, year, category, activity, canonical, has_amount & ~c.rejected, c)

    ok = live & ~c.rejected
    selected = ok & _selected(region, year, select_regions, select_years)
    skip = marked.mask(ok & ~selected, "not_selected")
    if warn_not_selected:
        outside_year = ok & ~selected & ~year.isin(select_years or set(year))
        c.add(outside_year, "year", "year_not_selected", "expect_project_years", severity="warning",
              params=(("years", ", ".join(str(y) for y in sorted(select_years or []))),))
        c.add(ok & ~selected & ~outside_year, "region", "region_not_selected", "expect_project_regions",
              severity="warning", params=(("regions", ", ".join(sorted(select_regions or []))),))
    table = pd.DataFrame({
        "region": region, "year": year, "facility": t["facility"], "category": category,
        "activity": activity.fillna(""), "substance": substance, "emission": value * conv["factor"],
        "coverage": coverage.fillna("partial"), "file": raw["file"], "sheet": raw["sheet"], "row": raw["row"],
        "source": t["source"], "amount": canonical.where(has_amount), "quantity": aconv["quantity"].where(has_amount),
        "confidential": confidential.fillna("no").eq("yes"),
        # The amount as typed and its column's header, for errors found against the region's rows.
        "amount_cell": (t["value"] + " " + t["activity_unit"]).str.strip(),
        "amount_column": raw["columns"].map(lambda c: (c or {}).get("value", "value"))})[selected].reset_index(
        drop=True)
    table["year"] = table["year"].astype(int)
    table["emission"] = table["emission"].astype(float)
    status = pd.Series("used", index=raw.index).mask(skip != "", "skipped").mask(c.rejected, "rejected")
    ledger = pd.DataFrame({"file": raw["file"], "sheet": raw["sheet"], "row": raw["row"].astype(int),
                           "status": status, "reason": skip.where(status == "skipped", ""),
                           "region": region.fillna("").astype(str)})
    return table[FACILITY_COLUMNS], ledger, c.problems


def _differing_amounts(raw, t, region, year, category, activity, amount, mask, c) -> None:
    """Rows of one plant, year, category and activity that give different amounts: each an error naming the
    first row of the plant's other amount (DESIGN 3.3: the amount is repeated on each of its rows)."""
    if not mask.any():
        return
    key = pd.DataFrame({"region": region, "year": year, "facility": t["facility"], "category": category,
                        "activity": activity, "amount": amount.round(9), "row": raw["row"]})[mask]
    first = key.groupby(PLANT_KEY, dropna=False)["amount"].transform("first")
    first_row = key.groupby(PLANT_KEY, dropna=False)["row"].transform("first")
    bad = key.index[key["amount"] != first]
    flag = pd.Series(False, index=raw.index)
    flag[bad] = True
    other = pd.Series("", index=raw.index, dtype=object)
    other[bad] = first_row[bad].astype(int).astype(str)
    c.add(flag, "value", "facility_amounts_differ", "expect_same_amount_per_plant",
          params=other.map(lambda r: (("row", r),)))


def empty_facility() -> pd.DataFrame:
    """An empty facility table (no facility sheet in the inputs)."""
    return pd.DataFrame(columns=FACILITY_COLUMNS)


# What each column of a facility sheet takes, and the problem of an empty required cell (codes of data/messages.csv).
_EXPECTED = {
    "region": "expect_region_from_list",
    "year": "expect_year",
    "facility": "expect_facility",
    "category": "expect_category",
    "activity": "expect_activity",
    "substance": "expect_substance",
    "emission": "expect_non_negative",
    "unit": "expect_mass_unit",
    "coverage": "expect_coverage",
    "value": "expect_non_negative",
}
_EMPTY = {"region": "region_is_empty", "year": "year_is_empty", "facility": "facility_is_empty",
          "category": "category_is_empty", "substance": "substance_is_empty", "emission": "emission_is_empty",
          "unit": "unit_is_empty"}


def plants_with_amounts(facility: pd.DataFrame) -> pd.DataFrame:
    """One row per plant and key with an activity amount (DESIGN 3.3 Tier 3): PLANT_KEY, amount, quantity,
    confidential, and the file, sheet and row of its first row."""
    if facility.empty or "amount" not in facility:
        return pd.DataFrame(columns=[*PLANT_KEY, "amount", "quantity", "confidential", "file", "sheet", "row",
                                     "amount_cell", "amount_column"])
    rows = facility[facility["amount"].notna()]
    return rows.drop_duplicates(PLANT_KEY).reindex(columns=[
        *PLANT_KEY, "amount", "quantity", "confidential", "file", "sheet", "row", "amount_cell", "amount_column"]
    ).reset_index(drop=True)


def region_rows_for(plants: pd.DataFrame, activity: pd.DataFrame) -> pd.DataFrame:
    """The region's activity rows each plant draws on: same region, year and activity, at the plant's
    category or an ancestor of it (a plant at 1.A.1.a draws on a region row at 1.A.1). Returns the plant
    columns with the activity rows' category (`region_category`), technology, amount (`region_amount`),
    quantity (`region_quantity`) and location (`region_file`, `region_sheet`, `region_row`)."""
    anc = pd.DataFrame([(c, a) for c in plants["category"].unique() for a in categories.ancestors(c)],
                       columns=["category", "region_category"])
    act = activity.rename(columns={"category": "region_category", "amount": "region_amount",
                                   "quantity": "region_quantity", "file": "region_file", "sheet": "region_sheet",
                                   "row": "region_row"})
    cols = ["region", "year", "region_category", "activity", "technology", "region_amount", "region_quantity",
            "region_file", "region_sheet", "region_row"]
    return plants.merge(anc, on="category").merge(act[cols], on=["region", "year", "region_category", "activity"])


def check_against_region(facility: pd.DataFrame, activity: pd.DataFrame) -> list[Problem]:
    """Plant amounts against their region's activity (DESIGN 3.3): a plant's amount measured otherwise than
    the region's, or plants' total above the region's amount, is an error naming the plant row and the
    region's rows."""
    plants = plants_with_amounts(facility)
    if plants.empty:
        return []
    m = region_rows_for(plants, activity)
    problems = []
    other = m[m["quantity"] != m["region_quantity"]].drop_duplicates(["file", "sheet", "row"])
    problems += [Problem("facility_quantity_differs", file=str(f), sheet=str(s), row=int(r),
                         column=str(col if isinstance(col, str) else "value"), value=str(cell if isinstance(cell, str)
                                                                                          else ""),
                         expected="expect_same_quantity_as_region", params=(("plant", q), ("region", rq)))
                 for f, s, r, q, rq, col, cell in zip(other["file"], other["sheet"], other["row"], other["quantity"],
                                                      other["region_quantity"], other["amount_column"],
                                                      other["amount_cell"])]
    same = m[m["quantity"] == m["region_quantity"]]
    key = ["region", "year", "region_category", "activity"]
    region_total = same.drop_duplicates([*key, "region_file", "region_sheet", "region_row"]).groupby(key)[
        "region_amount"].sum().rename("region_total")
    plant_total = same.drop_duplicates([*key, "facility", "category"]).groupby(key)["amount"].sum().rename(
        "plant_total")
    totals = pd.concat([region_total, plant_total], axis=1).reset_index()
    over = totals[totals["plant_total"] > totals["region_total"] * (1 + 1e-9)]
    for o in over.itertuples():
        rows = same[(same["region"] == o.region) & (same["year"] == o.year)
                    & (same["region_category"] == o.region_category) & (same["activity"] == o.activity)]
        where = ", ".join(dict.fromkeys(f"{f} {s} {int(r)}" for f, s, r in
                                        zip(rows["region_file"], rows["region_sheet"], rows["region_row"])))
        unit = units.canonical_unit(rows["quantity"].iat[0])
        first = rows.iloc[0]
        column = first["amount_column"] if isinstance(first["amount_column"], str) else "value"
        problems.append(Problem("facility_activity_above_region", file=str(first["file"]), sheet=str(first["sheet"]),
                                row=int(first["row"]), column=column,
                                value=str(first["amount_cell"]) if isinstance(first["amount_cell"], str) else "",
                                expected="expect_plant_within_region",
                                params=(("plants", f"{o.plant_total:g} {unit}"),
                                        ("region_amount", f"{o.region_total:g} {unit}"), ("region_rows", where))))
    return problems
