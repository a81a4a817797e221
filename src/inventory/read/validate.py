"""Validation shared by `validate` and `build`: raw records -> typed tables, every row accounted for.

Every row read ends as exactly one of used, skipped (with a reason) or rejected
(with its problems) (DESIGN 3.3). Checks run on whole columns; Problems are made
only for the rows at fault.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from inventory import categories, regions, resources, units, vocabulary
from inventory.errors import Problem
from inventory.lookup import categorical, map_distinct, observed_categories, sort_order
from inventory.read import forms, magnitudes, suggest
from inventory.read.workbook import FIELDS

SUPPLY_COLUMNS = ["region", "year", "activity", "flow", "amount", "quantity", "file", "sheet", "row"]


@dataclass
class Inputs:
    """Validated inputs of a build.

    activity: region, year, category, activity, technology, amount (canonical unit),
        quantity (what the amount measures: mass, volume, energy... of data/quantities.csv), file, sheet, row, source, history (True for rows before
        the selected years that a multi-year method needs: landfill deposits, DESIGN 3.3).
    params: local parameter rows: region, year (NA = every year), category ("" = every),
        activity, technology ("" = any), name, value (canonical), basis, unit, factor_id, source.
    notation: region, year, category, activity, key (NO, NE, NA, IE, C).
    ledger: file, sheet, row, status (used, skipped, rejected), reason, region (code, "" when unknown),
        year (<NA> when unknown); the text columns are categoricals (compact_ledger).
    facility: facility-reported emissions (read/facility.py FACILITY_COLUMNS; emission in t).
    supply: supply-side rows of energy balances (data/supply_flows.csv): region, year, activity,
        flow, amount (canonical unit, signed as it adds to apparent consumption; `info` flows as
        printed), quantity, file, sheet, row.
    external: the files the checks' settings name, read before any compute (qa.checks.read_check_files):
        check name -> its tables.
    """

    activity: pd.DataFrame
    params: pd.DataFrame
    notation: pd.DataFrame
    ledger: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    facility: pd.DataFrame = field(default_factory=pd.DataFrame)
    supply: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SUPPLY_COLUMNS))
    external: dict = field(default_factory=dict)
    # The activity table's region, category, activity, technology and quantity as Categoricals (lookup.categorical:
    # the values present and ""), made by `validate` from the codes it resolved them by, with the table they belong
    # to: the methods take them instead of factorising a million texts again (`coded_activity`; issue 14).
    activity_codes: tuple = ()

    def coded_activity(self) -> pd.DataFrame:
        """The activity table with region, category, activity, technology and quantity as Categoricals where
        `validate` made them for this very table (values as in the table); the table as it is otherwise (one
        replaced or filtered since)."""
        if len(self.activity_codes) == 2 and self.activity_codes[0] is self.activity:
            return self.activity.assign(**self.activity_codes[1])
        return self.activity

    @property
    def errors(self) -> list[Problem]:
        """Problems that reject rows."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that leave rows used."""
        return [p for p in self.problems if p.severity == "warning"]

    def counts(self) -> dict[str, int]:
        """Rows read, used, skipped and rejected."""
        status = self.ledger["status"].value_counts()
        return {"read": int(len(self.ledger)), **{k: int(status.get(k, 0)) for k in ("used", "skipped", "rejected")}}

    def skipped_by_reason(self) -> dict[str, int]:
        """Skipped rows per reason (blank, title, note, nil_marker, example, not_selected ...), most first."""
        reasons = self.ledger.loc[self.ledger["status"] == "skipped", "reason"].astype(str).value_counts(sort=True)
        return {str(k): int(v) for k, v in reasons.items()}


@cache
def parameter_canonical(name: str, unit: str) -> tuple[float, str] | None:
    """(factor to the canonical unit, basis) for a parameter value in `unit`, or None if it does not fit.

    The dimensionality and canonical unit are the parameter's in data/parameters.csv
    (carbon_content -> t/TJ, fractions -> 1, basis ""). A value per unit of activity names the
    quantity it is per (`{basis}`, one of the row's `bases`): ncv -> TJ per t or m3, ef.X -> t per
    TJ, t, m3, head, ha or km of activity, or per year of it; an ef.X in % is a share (basis `share`).
    """
    row = vocabulary.parameters().loc[vocabulary.parameter_entry(name)].to_dict()
    try:
        q = units.parse(unit)
    except ValueError:
        return None
    dim, target = row["dimensionality"], row["canonical_unit"]
    if "{basis}" not in dim:
        return (units.factor(unit, target), "") if q.check(dim) else None
    is_factor = row["name"] == "ef"
    if is_factor and unit.strip() in ("%", "", "1", "percent"):
        return units.factor(unit, ""), "share"
    for basis in row["bases"].split(";"):
        per_dim = dim.format(basis=f"({units.dimensionality(basis)})")
        per_unit = target.format(basis=f"({units.canonical_unit(basis)})")
        if q.check(per_dim):
            return units.factor(unit, per_unit), basis
        if is_factor and q.check(f"{per_dim} / [time]"):  # per head and year (EMEP/EEA 3.B), per ha and year
            return units.factor(unit, f"{per_unit} / year"), basis
    return None


def parameter_conversions(names: pd.Series, unit: pd.Series) -> pd.DataFrame:
    """parameter_canonical on whole columns: `factor` (float, NaN where the unit does not fit the parameter
    or the name is empty or missing) and `basis` (text, "" there), aligned with `names`; each distinct
    (name, unit) pair is converted once and taken onto the rows by its integer code."""
    codes, pairs = pd.factorize(names.fillna("").astype(str) + "\x1f" + unit.fillna("").astype(str))
    found = [_conversion_of_pair(pair) for pair in pairs]
    factor = np.array([f[0] if f else np.nan for f in found] + [np.nan], dtype=float)
    basis = np.array([f[1] if f else "" for f in found] + [""], dtype=object)
    return pd.DataFrame({"factor": factor[codes], "basis": basis[codes]}, index=names.index)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 430100.0 from a numeric cell is the code 430100
    return str(value).strip()


def _text(series: pd.Series) -> pd.Series:
    """Cells as stripped text; empty cells as "" (each distinct value converted once)."""
    return _per_distinct(series, _texts, "")


class _Distinct:
    """A column factorised once: its distinct values and each row's code, for several conversions."""

    def __init__(self, series: pd.Series):
        self.index, self.name = series.index, series.name
        codes, uniques = pd.factorize(series)
        self.codes = codes.astype(np.int32) if len(uniques) < 2**31 - 1 else codes
        self.uniques = np.asarray(uniques, dtype=object)

    def map(self, convert, missing) -> pd.Series:
        """`convert` (a function of an object array of the distinct values) applied once to them, taken back
        onto the rows by their codes; missing cells get `missing`. An object Series."""
        done = np.append(convert(self.uniques), np.array([missing], dtype=object))
        return pd.Series(done[self.codes], index=self.index, name=self.name, dtype=object)

    def text_and_blank(self) -> tuple[pd.Series, pd.Series, np.ndarray]:
        """The cells as stripped text (_text), the mask of those that are "" (compared once per value) and
        each row's code of its text (equal texts, equal codes, missing cells as ""; the texts factorised, not
        the rows)."""
        done = self.texts = np.append(_texts(self.uniques), np.array([""], dtype=object))
        blank = done == ""
        return (pd.Series(done[self.codes], index=self.index, name=self.name, dtype=object),
                pd.Series(blank[self.codes], index=self.index), pd.factorize(done)[0][self.codes])


    def resolved(self, get) -> tuple[pd.Series, np.ndarray]:
        """`get` of the cells' texts (after text_and_blank), as `Lookup.resolve` of the text column gives it (an
        object Series), called once per distinct cell; with the results per code (an object array, a missing
        cell's last: `codes_of`), so the results can be a Categorical without factorising the rows again."""
        found = np.array([get(text) for text in self.texts.tolist()], dtype=object)
        return pd.Series(found[self.codes], index=self.index, name=self.name, dtype=object), found  # -1: the last

    def codes_of(self, rows: np.ndarray) -> np.ndarray:
        """The codes of the rows (a mask) into `resolved`'s results (a missing cell's: the last)."""
        codes = self.codes[rows]
        return np.where(codes < 0, len(self.texts) - 1, codes)

    def nil_blank_and_codes(self) -> tuple[pd.Series, pd.Series, np.ndarray]:
        """For a column of mostly distinct numbers (the values): the masks of cells that are a nil marker
        (forms.is_nil_marker of their text) and of blank cells, and each row's code of its text, as from
        text_and_blank, without writing each number as text (_text_keys)."""
        done = np.append(_text_keys(self.uniques), np.array([""], dtype=object))
        blank = done == ""
        nil = forms.is_nil_marker(pd.Series(done, dtype=object)).to_numpy(dtype=bool)
        return (pd.Series(nil[self.codes], index=self.index), pd.Series(blank[self.codes], index=self.index),
                pd.factorize(done)[0][self.codes])


def _text_keys(values: np.ndarray) -> np.ndarray:
    """One key per value, equal exactly where the values' texts (_texts) are equal: the text itself, except
    for a float that is not a whole number, keyed by the float (its text is its repr, one per float: no
    Python call per number), and a text that is such a float's repr, keyed by that float."""
    out = np.empty(len(values), dtype=object)
    types = _types(values)
    floats = np.flatnonzero(types == float)
    number = values[floats].astype(float)
    whole = np.isfinite(number) & (number == np.trunc(number))
    out[floats[whole]] = [str(int(v)) for v in number[whole].tolist()]
    out[floats[~whole]] = number[~whole].tolist()
    others = np.flatnonzero(types != float)
    out[others] = [_float_key(text) for text in _texts(values[others])]
    return out


def _float_key(text: str):
    """The float a text is the repr of when that float is not a whole number (`2.5`, `1e-05`, `inf`), else
    the text (`2`, `2.0`, `1,234`, `NE`)."""
    try:
        x = float(text)
    except ValueError:
        return text
    if x != x or repr(x) != text or (math.isfinite(x) and x == math.trunc(x)):
        return text
    return x


def _per_distinct(series: pd.Series, convert, missing) -> pd.Series:
    """`convert` (a function of an object array of distinct values) applied once to the distinct values of a
    column, taken back onto the rows by their codes; missing cells get `missing`. An object Series."""
    return _Distinct(series).map(convert, missing)


def _notations(values: np.ndarray) -> np.ndarray:
    """The notation key (NO, NE, NA, IE, C) each value is as upper-case text, else "" (never a number)."""
    out = np.full(len(values), "", dtype=object)
    types = _types(values)
    at = np.flatnonzero((types != int) & (types != float))
    upper = [_cell_text(v).upper() for v in values[at]]
    out[at] = [u if u in vocabulary.NOTATION_KEYS else "" for u in upper]
    return out


def _types(values: np.ndarray) -> np.ndarray:
    """The Python type of each value (an object array)."""
    return np.frompyfunc(type, 1, 1)(values) if len(values) else np.empty(0, dtype=object)


def _texts(values: np.ndarray) -> np.ndarray:
    """_cell_text of each value, the numbers converted without a Python call each (a value column has about
    as many distinct numbers as rows): a whole float as its int, other floats and ints as `str` gives them."""
    out = np.empty(len(values), dtype=object)
    types = _types(values)
    floats = np.flatnonzero(types == float)
    number = values[floats].astype(float)
    whole = np.isfinite(number) & (number == np.trunc(number))
    out[floats[whole]] = [str(int(v)) for v in number[whole].tolist()]
    out[floats[~whole]] = list(map(str, number[~whole].tolist()))
    ints = np.flatnonzero(types == int)
    out[ints] = list(map(str, values[ints].tolist()))
    rest = np.flatnonzero((types != float) & (types != int))
    out[rest] = [_cell_text(v) for v in values[rest]]
    return out


_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$")


def parse_numbers(cells: pd.Series, distinct: _Distinct | None = None) -> tuple[pd.Series, pd.Series]:
    """Numeric values of a column and a mask of cells that were numbers stored as text.

    Text numbers with thousands separators or full-width digits (`１２３`, `1,234.5`)
    are converted; anything else that is not a number gives NaN. distinct: the column already factorised.
    """
    distinct = distinct or _Distinct(cells)
    values = distinct.uniques  # each distinct value converted once, taken onto the rows by its code
    cell_type = _cell_types(values)
    number = np.full(len(values) + 1, np.nan)  # the last slot: missing cells
    is_num = np.flatnonzero(cell_type == "num")
    number[is_num] = pd.to_numeric(pd.Series(values[is_num], dtype=object), errors="coerce").to_numpy(dtype=float)
    is_str = np.flatnonzero(cell_type == "str")
    from_text = np.array([_text_number(v) for v in values[is_str]], dtype=float)
    number[is_str] = from_text
    was_text = np.zeros(len(values) + 1, dtype=bool)
    was_text[is_str] = ~np.isnan(from_text)
    return (pd.Series(number[distinct.codes], index=cells.index, name=cells.name),
            pd.Series(was_text[distinct.codes], index=cells.index, name=cells.name))


def _cell_types(values: np.ndarray) -> np.ndarray:
    """_cell_type of each value, ints, floats and texts found by their type without a Python call each."""
    types = _types(values)
    out = np.full(len(values), "", dtype=object)
    out[(types == int) | (types == float)] = "num"
    out[types == str] = "str"
    rest = np.flatnonzero((types != int) & (types != float) & (types != str))
    out[rest] = [_cell_type(v) for v in values[rest]]
    return out


def _cell_type(value) -> str:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return "num"
    return "str" if isinstance(value, str) else ""


def _text_number(value) -> float:
    """A number written as text (`1,234`, `１２３`), or NaN."""
    if not isinstance(value, str):
        return np.nan
    norm = unicodedata.normalize("NFKC", value).strip()
    return float(norm.replace(",", "")) if _NUMBER_TEXT.match(norm) else np.nan


# Fields that a wide balance takes from the value's own cell (its column header holds fuel and unit).
CELL_FIELDS = ("value", "unit", "activity")


class _Collector:
    """Collects Problems for masked rows of the raw table, and which rows are rejected."""

    def __init__(self, raw: pd.DataFrame):
        self.raw = raw
        self.rejected = pd.Series(False, index=raw.index)
        self.problems: list[Problem] = []

    def add(self, mask: pd.Series, column: str, code: str, expected: str = "", severity: str = "error",
            suggest=None, value: pd.Series | None = None, params: tuple | pd.Series = ()) -> None:
        """One Problem per row in `mask` (`code`, `expected`: codes of data/messages.csv); errors mark the
        row rejected.

        suggest: a function of the cell's text, or per row the suggestion itself (a Series).
        params: the wording's placeholder values, one tuple for every row or a Series of tuples per row.
        """
        mask = pd.Series(mask, index=self.raw.index).fillna(False).astype(bool)
        if not mask.any():
            return
        if severity == "error":
            self.rejected |= mask
        sub = self.raw.loc[mask]
        values = (value if value is not None else sub[column] if column in sub else pd.Series("", index=sub.index))
        cells = sub["cell_column"] if "cell_column" in sub else pd.Series("", index=sub.index)
        for idx, rec, cell in zip(sub.index, sub[["file", "sheet", "row", "columns"]].itertuples(index=False), cells):
            val = values.get(idx, "")
            val = "" if val is None or (isinstance(val, float) and np.isnan(val)) else str(val)
            label = cell if isinstance(cell, str) and cell and column in CELL_FIELDS else \
                (rec.columns or {}).get(column, column)
            self.problems.append(Problem(
                code, file=rec.file, sheet=rec.sheet, row=int(rec.row),
                column=label, value=val, expected=expected,
                severity=severity,
                suggestion=suggest.get(idx, "") if isinstance(suggest, pd.Series)
                else (suggest(val) or "") if suggest and val else "",
                params=params.get(idx, ()) if isinstance(params, pd.Series) else params))


def validate(raw: pd.DataFrame, select_regions: set[str] | None = None,
             select_years: set[int] | None = None, warn_not_selected: bool = False) -> Inputs:
    """Check and convert raw records; return typed tables, the row ledger and all problems.

    select_regions / select_years: rows outside them are skipped as `not_selected`
    (None = everything); with warn_not_selected each such row is also a warning (a
    project's `validate`). Parameter rows with an empty year apply to every year.
    """
    raw = raw.reset_index(drop=True)
    c = _Collector(raw)
    t, empty, cells = {}, {}, {}  # the cells as text, where that text is "", the number columns factorised
    text_codes = []  # each row's code of its text, per column but the unit (a header may fill it in below)
    distincts = {}  # those of region, category and activity, kept for `activity_codes`
    for col in FIELDS:
        distinct = _Distinct(raw[col])  # each column factorised once
        if col in ("region", "category", "activity"):
            distincts[col] = distinct
            if len(distinct.uniques) < 2 ** 15 - 1:  # kept to the end: a few thousand names at most, 2 bytes a row
                distinct.codes = distinct.codes.astype(np.int16)
        if col == "value":  # mostly distinct numbers: compared by key, not each written as text
            nil_value, empty[col], codes = distinct.nil_blank_and_codes()
        else:
            t[col], empty[col], codes = distinct.text_and_blank()
        if col != "unit":
            text_codes.append(codes)
        if col in ("year", "value"):
            cells[col] = distinct
    same_texts = row_groups(text_codes)  # one number per row: equal numbers, equal texts (for _duplicates)
    del text_codes, codes
    skip = raw["skip"].fillna("").astype(str)
    skip, supply_flow = _supply_marks(skip)
    blank = pd.Series(np.logical_and.reduce([empty[col].to_numpy() for col in FIELDS]), index=raw.index) \
        & (skip == "")
    skip = skip.mask(blank, "blank")
    skip = skip.mask((skip == "") & nil_value, "nil_marker")
    skip = skip.mask((skip == "") & forms.is_example(t["notes"]), "example")
    live = skip == ""
    is_supply = live & (supply_flow != "")  # supply rows of a balance: used by the reference approach
    is_param = live & ~empty["parameter"] & ~is_supply
    is_act = live & ~is_param & ~is_supply

    # Region, category and activity resolved once per distinct cell, with each row's code (for `activity_codes`).
    resolved = {col: distincts[col].resolved(get) for col, get in (
        ("region", regions.lookup().get), ("category", categories.lookup().get),
        ("activity", vocabulary.activity_lookup().get))}
    region, nested = read_regions(t["region"], live, c, resolved["region"][0])
    c.add(live & empty["region"], "region", "region_is_empty", "expect_region")
    c.add(live & ~empty["region"] & region.isna() & ~nested, "region", "unknown_region", "expect_region_from_list",
          suggest=regions.lookup().suggest)

    year_num, year_text = parse_numbers(raw["year"], cells["year"])
    year_num = read_years(t["year"], year_num, live, c)
    year_ok = year_num.notna() & (year_num == year_num.round()) & year_num.between(1900, 2100)
    c.add(live & ~empty["year"] & ~year_ok, "year", "not_a_year", "expect_year")
    c.add((is_act | is_supply) & empty["year"], "year", "year_is_empty", "expect_year")

    category, activity = resolved["category"][0], resolved["activity"][0]
    c.add(is_act & empty["category"], "category", "category_is_empty", "expect_category")
    # Suggestions that stay in the sector of the row's other names and cannot misroute it (read/suggest.py).
    _unknown(c, live & ~empty["category"] & category.isna(), "category", "unknown_category", "expect_category",
             t["category"], activity, suggest.category)
    _unknown(c, live & ~empty["activity"] & activity.isna(), "activity", "unknown_activity", "expect_activity",
             t["activity"], category, suggest.activity)
    # A notation key for a whole category needs no activity (DESIGN 3.3: value NO, NE, NA, IE or C, unit empty).
    notation = cells["value"].map(_notations, "")
    category_key = is_act & (notation != "") & empty["activity"]
    c.add(live & empty["activity"] & ~category_key, "activity", "activity_is_empty", "expect_activity")

    technology, bad_tech, technology_codes = _technologies(t["technology"])
    if (live & bad_tech).any():  # the rows' activity and category as one text only where a suggestion needs them
        _unknown(c, live & bad_tech, "technology", "unknown_technology", "expect_technologies",
                 t["technology"], activity.fillna("") + "\x1f" + category.fillna(""),
                 lambda text, other: suggest.technology(text, *(other.split("\x1f") if other else ("", ""))))

    parameter = map_distinct(t["parameter"], lambda s: vocabulary.parse_parameter(s) if s else "")
    c.add(is_param & parameter.isna(), "parameter", "unknown_parameter", "expect_parameter",
          suggest=vocabulary.parameter_lookup().suggest)

    value, value_text = parse_numbers(raw["value"], cells["value"])
    is_notation = is_act & (notation != "")
    header_unit = _text(raw["header_unit"]) if "header_unit" in raw else pd.Series("", index=raw.index)
    t["unit"] = units_with_header(t["unit"], header_unit, is_act & ~is_notation & ~empty["value"], c)
    empty["unit"] = t["unit"] == ""
    value, shaped = read_value_forms(raw["value"], value, t["unit"], live, c)
    c.add(live & empty["value"], "value", "value_is_empty", "expect_number_or_key")
    c.add(live & ~empty["value"] & value.isna() & ~is_notation & ~shaped, "value", "not_a_number",
          "expect_number_or_key")
    signed = category.isin(set(resources.data_table("signed_categories.csv")["category"]))  # net imports
    c.add(is_act & (value < 0) & ~signed, "value", "negative_amount", "expect_non_negative")
    c.add(live & value_text, "value", "number_stored_as_text", severity="warning")

    unit_table, unit_codes = units.canonical_of(t["unit"])  # as units.to_canonical, with each row's code
    unit_conv = unit_table.take(unit_codes)
    unit_conv.index = t["unit"].index
    quantity_of = vocabulary.activities()["quantity"].dropna().to_dict()
    act_quantity = map_distinct(activity, lambda a: quantity_of.get(a, ""))
    fits = _pairs_in(unit_conv["quantity"].fillna(""), act_quantity,
                     {(given, q) for q in units.quantities().index for given in units.accepted_quantities(q)})
    num_act = (is_act & ~is_notation) | is_supply
    c.add(num_act & empty["unit"], "unit", "unit_is_empty", "expect_unit")
    c.add(num_act & ~empty["unit"] & unit_conv["quantity"].isna(), "unit", "unknown_unit", "expect_unit")
    mismatch = num_act & unit_conv["quantity"].notna() & activity.notna() & ~fits
    if mismatch.any():
        for quantity in units.quantities().index:  # expected: message code `unit_of_<quantity>`
            c.add(mismatch & (act_quantity == quantity), "unit", "unit_does_not_fit_activity", f"unit_of_{quantity}")

    param_conv = pd.Series(np.full(len(raw), None, dtype=object), index=raw.index)  # None: no parameter row
    if is_param.any():
        pair = parameter[is_param].fillna("").astype(str) + "\x1f" + t["unit"][is_param].astype(str)
        param_conv[is_param] = map_distinct(pair, _conversion_of_pair).to_numpy()
    c.add(is_param & parameter.notna() & param_conv.isna(), "unit", "unit_does_not_fit_parameter",
          "expect_parameter_unit")

    magnitudes.check_amounts(value * unit_conv["factor"], unit_conv["canonical_unit"], activity,
                             unit_conv["quantity"], num_act & value.notna() & unit_conv["quantity"].notna(), c)
    magnitudes.check_amounts(value * param_conv.str[0], pd.Series("", index=raw.index), None, None,
                             is_param & value.notna() & param_conv.notna(), c)
    _duplicates(raw, same_texts, t["unit"], live, c)

    ok = live & ~c.rejected
    selected = ok & _selected(region, year_num, select_regions, select_years)
    # Rows of multi-year methods (landfill deposits) before the build's years are in scope (DESIGN 3.3).
    history = ok & ~selected & _history(region, year_num, category, select_regions, select_years)
    selected |= history
    skip = skip.mask(ok & ~selected, "not_selected")
    if warn_not_selected:
        outside_year = ok & ~selected & (year_num.notna()) & ~year_num.isin(select_years or set(year_num))
        c.add(outside_year, "year", "year_not_selected", "expect_project_years", severity="warning",
              params=(("years", ", ".join(str(y) for y in sorted(select_years or []))),))
        if select_regions is not None:
            c.add(ok & ~selected & ~outside_year, "region", "region_not_selected", "expect_project_regions",
                  severity="warning", params=(("regions", ", ".join(sorted(select_regions))),))

    act_rows = selected & is_act & ~is_notation
    activity_table = pd.DataFrame({
        "region": region[act_rows], "year": year_num[act_rows].astype(int), "category": category[act_rows],
        "activity": activity[act_rows], "technology": technology[act_rows],
        "amount": (value * unit_conv["factor"])[act_rows], "quantity": unit_conv["quantity"][act_rows],
        "file": raw["file"][act_rows], "sheet": raw["sheet"][act_rows], "row": raw["row"][act_rows],
        "source": t["source"][act_rows], "history": history[act_rows],
    }).reset_index(drop=True)
    # The same columns as Categoricals of the values present (what `lookup.coded` makes of the table's texts),
    # from the codes they were resolved by; the region only where no cell was read otherwise (read_regions).
    rows = act_rows.to_numpy()
    activity_codes = {col: categorical(distincts[col].codes_of(rows), found) for col, (values, found) in resolved.items()
                      if col != "region" or values is region}
    # Technology and quantity likewise, from the codes their distinct cells and units were read by.
    activity_codes["technology"] = categorical(technology_codes[0][rows], technology_codes[1])
    activity_codes["quantity"] = categorical(unit_codes[rows], unit_table["quantity"].to_numpy(dtype=object))
    activity_codes = observed_categories(pd.DataFrame(activity_codes))
    activity_codes = {col: activity_codes[col].array for col in activity_codes}
    del resolved, distincts, technology_codes, unit_codes

    nk = selected & is_notation
    notation_table = pd.DataFrame({"region": region[nk], "year": year_num[nk].astype(int),
                                   "category": category[nk], "activity": activity[nk].fillna(""),
                                   "key": notation[nk]}).reset_index(drop=True)

    pr = selected & is_param
    conv = param_conv[pr]
    params = pd.DataFrame({
        "region": region[pr], "year": year_num[pr].astype("Int64"), "category": category[pr].fillna(""),
        "activity": activity[pr], "technology": technology[pr], "name": parameter[pr],
        "value": value[pr] * conv.str[0], "basis": conv.str[1],
        "unit": t["unit"][pr],
        "factor_id": "local:" + raw["file"][pr].map(_short) + ":" + raw["sheet"][pr] + ":" + raw["row"][pr].astype(str),
        "source": t["source"][pr],
    }).reset_index(drop=True)
    _unused_parameters(params, activity_table, raw[pr].reset_index(drop=True), c)

    info = (skip != "") & (supply_flow != "") & value.notna() & unit_conv["quantity"].notna() & ~c.rejected
    supply = _supply_table(raw, region, year_num, activity, supply_flow, value * unit_conv["factor"],
                           unit_conv["quantity"],
                           (selected & is_supply) | (info & _selected(region, year_num, select_regions, select_years)
                                                     & region.notna() & year_ok & activity.notna()))

    status = pd.Series("used", index=raw.index).mask(skip != "", "skipped").mask(c.rejected, "rejected")
    ledger = pd.DataFrame({"file": raw["file"], "sheet": raw["sheet"], "row": raw["row"].astype(int),
                           "status": status, "reason": skip.where(status == "skipped", ""),
                           "region": region.fillna("").astype(str), "year": year_num.where(year_ok).astype("Int64")})
    ledger = _one_status_per_row(compact_ledger(ledger))  # the records' texts as codes before the sort and take
    problems = sorted(c.problems, key=lambda p: (p.file, p.sheet, p.row or 0))
    return Inputs(activity_table, params, notation_table, ledger, problems, supply=supply,
                  activity_codes=(activity_table, activity_codes))


def _unknown(c: _Collector, mask: pd.Series, column: str, code: str, expected: str,
             text: pd.Series, other: pd.Series, pick) -> None:
    """Problems for unknown names with the suggestion `pick(text, other)` of each distinct pair (read/suggest.py);
    where the closest name was passed over because the row would lack substances there, the expectation
    says so (message code suggestion_passed_over)."""
    if not mask.any():
        return
    pair = text[mask] + "\x1f" + other[mask].fillna("").astype(str)
    found = map_distinct(pair, lambda p: pick(*p.split("\x1f", 1)))
    names = found.map(lambda s: s.name)
    passed = found.map(lambda s: bool(s.passed))
    c.add(mask & ~passed.reindex(mask.index, fill_value=False), column, code, expected, suggest=names)
    params = found.map(lambda s: (("passed", s.passed), ("lacking", s.lacking)))
    c.add(mask & passed.reindex(mask.index, fill_value=False), column, code, "suggestion_passed_over",
          suggest=names, params=params)


def _supply_marks(skip: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split the balance reader's `<reason>@<flow>` marks: (skip reason, supply flow)."""
    from inventory.read.energy_balance import SUPPLY_MARK

    if skip.empty:
        return skip, skip.copy()
    codes, marks = pd.factorize(skip)  # a handful of distinct marks, split once each
    if not any(SUPPLY_MARK in m for m in marks):  # no balance sheet: the reasons as they are, no flows
        return skip, pd.Series("", index=skip.index, dtype=skip.dtype)
    parts = pd.Series(marks).str.partition(SUPPLY_MARK)
    reason = np.where(parts[1] != "", parts[0], marks).astype(object)
    flow = np.where(parts[1] != "", parts[2], "").astype(object)
    return (pd.Series(reason[codes], index=skip.index, name=skip.name, dtype=skip.dtype),
            pd.Series(flow[codes], index=skip.index, dtype=skip.dtype))


def _supply_table(raw: pd.DataFrame, region: pd.Series, year: pd.Series, activity: pd.Series, flow: pd.Series,
                  amount: pd.Series, quantity: pd.Series, rows: pd.Series) -> pd.DataFrame:
    """Inputs.supply: supply rows signed by their flow (`-` flows subtract whatever sign is printed,
    `±` flows keep it), and the `info` flows (non-energy use, loss, total consumption) as printed."""
    from inventory.read.energy_balance import supply_flows

    sign = flow[rows].map(supply_flows().set_index("flow")["sign"])
    value = amount[rows].astype(float)
    signed = np.select([sign == "+", sign == "-"], [value.abs(), -value.abs()], value)
    return pd.DataFrame({
        "region": region[rows], "year": year[rows].astype(int), "activity": activity[rows], "flow": flow[rows],
        "amount": signed, "quantity": quantity[rows], "file": raw["file"][rows], "sheet": raw["sheet"][rows],
        "row": raw["row"][rows].astype(int),
    }).reset_index(drop=True)[SUPPLY_COLUMNS]


def _conversion_of_pair(pair: str):
    name, _, unit = (pair or "").partition("\x1f")
    return parameter_canonical(name, unit) if name else None


def _short(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _technologies(cells: pd.Series) -> tuple[pd.Series, pd.Series, tuple[np.ndarray, np.ndarray]]:
    """Normalised `a+b+c` technology strings, a mask of cells with an unknown id (cells: texts, none missing) and
    (each cell's code, the normalised string of each code); each distinct text read once and taken onto the rows by
    its code."""
    lookup = vocabulary.technology_lookup()
    codes, uniques = pd.factorize(cells)
    out, bad = np.empty(len(uniques), dtype=object), np.zeros(len(uniques), dtype=bool)
    for k, s in enumerate(uniques):
        ids = [lookup.get(tok) for tok in s.replace("＋", "+").split("+") if tok.strip()] if s else []
        bad[k] = any(i is None for i in ids)
        out[k] = "+".join(i for i in ids if i)
    if not len(cells):  # as Series.map types them
        return cells.map(dict(zip(uniques, out))), cells.map(dict(zip(uniques, bad))), (codes, out)
    return (pd.Series(out[codes], index=cells.index, name=cells.name),  # all texts: str, as Series.map gives
            pd.Series(bad[codes], index=cells.index, name=cells.name), (codes, out))


def _pairs_in(left: pd.Series, right: pd.Series, pairs: set[tuple]) -> pd.Series:
    """True where the row's (left, right) is one of `pairs` (each distinct pair looked up once, by codes)."""
    left_codes, left_values = pd.factorize(left, use_na_sentinel=False)
    right_codes, right_values = pd.factorize(right, use_na_sentinel=False)
    table = np.array([[(a, b) in pairs for b in right_values] for a in left_values], dtype=bool)
    if not table.size:
        return pd.Series(False, index=left.index)
    return pd.Series(table[left_codes, right_codes], index=left.index)


def _selected(region: pd.Series, year: pd.Series, select_regions, select_years) -> pd.Series:
    keep = pd.Series(True, index=region.index)
    if select_regions is not None:
        keep &= region.isin(select_regions)
    if select_years is not None:
        keep &= year.isin(select_years) | year.isna()
    return keep


def _history(region: pd.Series, year: pd.Series, category: pd.Series, select_regions, select_years) -> pd.Series:
    """Rows before the selected years whose category needs past years (data/multi_year_categories.csv).

    They reach their method as history (activity column `history`); only the selected
    years are reported. Without a year selection every year is reported and no row is history.
    """
    if not select_years:
        return pd.Series(False, index=region.index)
    multi = set(resources.data_table("multi_year_categories.csv")["category"])
    needs_past = map_distinct(category.fillna(""), lambda c: bool(c) and bool(multi & set(categories.ancestors(c))))
    keep = needs_past.astype(bool) & (year < min(select_years))
    if select_regions is not None:
        keep &= region.isin(select_regions)
    return keep


def _duplicates(raw: pd.DataFrame, same_texts: np.ndarray, unit: pd.Series, live: pd.Series, c: _Collector) -> None:
    """Warn about rows identical in every column, in the same sheet or in another sheet or workbook,
    naming the first place each was read (file, sheet, row): DESIGN 3.3 row accounting.

    same_texts: one number per row, equal where the rows' texts of every column but the unit are equal;
    unit: the rows' units as read. Rows compared as integer keys (no copy of the text columns as a frame,
    no group-by of the texts)."""
    rows = np.flatnonzero((live & (raw["skip"].fillna("") == "")).to_numpy())
    group = row_groups([pd.factorize(same_texts[rows])[0],
                        pd.factorize(unit.to_numpy()[rows], use_na_sentinel=False)[0]])
    seen = np.maximum.accumulate(group) if len(group) else group  # numbered in order of appearance
    is_first = np.ones(len(group), dtype=bool)
    is_first[1:] = group[1:] > seen[:-1]
    if is_first.all():
        return
    first_of = np.empty(len(group), dtype=np.int64)  # the position (in raw) of each group's first row
    first_of[group[is_first]] = rows[is_first]
    later = rows[~is_first]
    first = first_of[group[~is_first]]
    params = pd.Series([(("file", f), ("sheet", s), ("row", str(int(r)))) for f, s, r in
                        zip(raw["file"].take(first), raw["sheet"].take(first), raw["row"].take(first))],
                       index=raw.index[later], dtype=object)
    c.add(np.isin(np.arange(len(raw)), later), "value", "duplicate_row", severity="warning", params=params)


def row_groups(codes: list[np.ndarray]) -> np.ndarray:
    """One group number per row for the rows' tuples of integer codes (each >= 0), numbered 0, 1, ... in
    order of first appearance (as pandas' factorize numbers them): equal tuples, equal numbers."""
    group = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    span = 1
    for column in codes:
        size = int(column.max()) + 1 if len(column) else 1
        if span * size >= 2 ** 62:  # renumber what is combined so far before it overflows
            group, uniques = pd.factorize(group)
            span = len(uniques)
        group = group * size + column
        span *= size
    return pd.factorize(group)[0]


def _unused_parameters(params: pd.DataFrame, activity: pd.DataFrame, raw: pd.DataFrame, c: _Collector) -> None:
    """Warn about parameter rows that match no activity row (same region and activity)."""
    if params.empty:
        return
    have = set(activity[["region", "activity"]].drop_duplicates().itertuples(index=False, name=None))
    unused = pd.Series([(r, a) not in have for r, a in zip(params["region"], params["activity"])])
    if unused.any():
        sub = _Collector(raw)
        sub.add(unused, "parameter", "unused_parameter_row", severity="warning")
        c.problems += sub.problems


# The ledger's text columns: a few distinct values each (files, sheets, statuses, reasons, regions).
LEDGER_TEXTS = ("file", "sheet", "status", "reason", "region")


def compact_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger with its text columns (LEDGER_TEXTS) as categoricals: one small integer code per row
    instead of a string per row (the national read's 5.7M-row ledger: 550 MiB of strings). The values and
    their order are unchanged; `.astype(str)` gives the text columns back."""
    return ledger.assign(**{c: pd.Categorical(ledger[c]) for c in LEDGER_TEXTS if c in ledger})


def _one_status_per_row(ledger: pd.DataFrame) -> pd.DataFrame:
    """Collapse records of one Excel row (wide balances) into one ledger row: rejected > used > skipped.
    Sorted by file, sheet and row; only the kept rows are taken from the ledger (one copy, not two), best
    with its text columns already categoricals (compact_ledger: codes copied, not texts)."""
    if _in_row_order(ledger):
        return ledger.reset_index(drop=True)
    codes, statuses = pd.factorize(ledger["status"])  # a few statuses: each ranked once, not per row
    rank = np.append(pd.Series(np.asarray(statuses, dtype=object)).map({"rejected": 0, "used": 1, "skipped": 2})
                     .to_numpy(dtype=float), np.nan)[codes]
    order = sort_order(ledger.assign(_rank=rank), ["file", "sheet", "row", "_rank"])  # one lexsort of codes
    place = row_groups([pd.factorize(ledger[k], use_na_sentinel=False)[0] for k in ("file", "sheet", "row")])[order]
    first = np.ones(len(ledger), dtype=bool)  # the first record of each (file, sheet, row) in sorted order
    first[1:] = place[1:] != place[:-1]
    ledger = ledger.take(order[first]).reset_index(drop=True)
    if first.all():
        return ledger
    # categoricals (compact_ledger) keep only the values of the rows kept, as if made from those rows
    return ledger.assign(**{c: ledger[c].cat.remove_unused_categories() for c in ledger
                            if isinstance(ledger[c].dtype, pd.CategoricalDtype)})


def _in_row_order(ledger: pd.DataFrame) -> bool:
    """True when the ledger is sorted by file, sheet and row with one record per row (as a read of sheets
    named in sorted order gives it): its file and sheet categoricals' codes (their categories sorted) and
    rows, combined into one integer key per record, strictly increase."""
    if not len(ledger) or not all(isinstance(ledger[c].dtype, pd.CategoricalDtype) for c in ("file", "sheet")):
        return False
    files, sheets = (ledger[c].cat.codes.to_numpy(dtype=np.int64) for c in ("file", "sheet"))
    row = ledger["row"].to_numpy()
    if row.dtype.kind not in "iu" or files.min() < 0 or sheets.min() < 0 or row.min() < 0:
        return False
    span = int(row.max()) + 1
    if (len(ledger["file"].cat.categories) * len(ledger["sheet"].cat.categories) + 1) * span >= 2 ** 62:
        return False
    key = (files * len(ledger["sheet"].cat.categories) + sheets) * span + row
    return bool(np.all(key[1:] > key[:-1]))


def read_regions(cells: pd.Series, live: pd.Series, c: _Collector, region: pd.Series | None = None
                 ) -> tuple[pd.Series, pd.Series]:
    """Region codes of a column (None where unknown) and a mask of cells already reported (named parents
    that disagree, a name several regions bear).

    A retired code is read as its successor with a warning (data/code_changes.csv). A cell naming the region's parents in front (`湖南省长沙市`, `湖南长沙`) is read as the last
    region, with a warning showing the reading; when the regions named do not nest it is an
    error suggesting the last one (DESIGN 3.1, 3.3).
    """
    region = regions.lookup().resolve(cells) if region is None else region  # region: that resolution, made already
    unknown = live & (cells != "") & region.isna()
    nested = pd.Series(False, index=cells.index)
    if not unknown.any():
        return region, nested
    region, unknown = _read_changed_codes(cells, region, unknown, c)
    several = map_distinct(cells[unknown], regions.ambiguous)
    several = several[several.map(len) > 0]
    named_by_several = pd.Series(cells.index.isin(several.index), index=cells.index)
    if len(several):
        c.add(named_by_several, "region", "region_name_ambiguous", "expect_region_with_parents",
              params=several.map(lambda codes: (("regions", "、".join(
                  f"{k} {regions.name(k)}（{regions.name(regions.parent(k))}）" for k in codes)),)))
        unknown &= ~named_by_several
    readings = map_distinct(cells[unknown], regions.read_with_parents)
    code = readings.map(lambda r: r.code if r is not None and r.code else None)
    read = code.notna()
    region = region.where(~read.reindex(cells.index, fill_value=False), code.reindex(cells.index))
    c.add(read.reindex(cells.index, fill_value=False), "region", "region_read_with_parents", severity="warning", params=code[read].map(lambda k: (("code", k), ("name", regions.name(k)))))
    bad = readings.map(lambda r: r is not None and not r.code).astype(bool)
    nested.loc[bad[bad].index] = True
    names = dict(zip(cells[nested], readings[bad].map(lambda r: r.name)))
    c.add(nested, "region", "region_parents_disagree", "expect_region_from_list",
          params=readings[bad].map(lambda r: (("parent", r.parent), ("name", r.name))), suggest=names.get)
    return region, nested | named_by_several


def _read_changed_codes(cells: pd.Series, region: pd.Series, unknown: pd.Series, c: _Collector
                        ) -> tuple[pd.Series, pd.Series]:
    """Retired codes (data/code_changes.csv) read as their successors, with a warning naming both (DESIGN 3.1).
    Returns the region column and the mask of cells still unknown."""
    new = map_distinct(cells[unknown], regions.successor).dropna()
    if new.empty:
        return region, unknown
    changes = regions.code_changes()
    region = region.copy()
    region.loc[new.index] = new
    old = cells[new.index].map(lambda v: str(v).strip())
    params = pd.Series([(("old", o), ("old_name", changes.at[o, "old_name"]), ("new", n), ("new_name", regions.name(n)),
                         ("year", changes.at[o, "year"])) for o, n in zip(old, new)], index=new.index, dtype=object)
    c.add(cells.index.isin(new.index), "region", "region_code_changed", severity="warning", params=params)
    return region, unknown & ~cells.index.isin(new.index)


def read_years(cells: pd.Series, year: pd.Series, live: pd.Series, c: _Collector) -> pd.Series:
    """Years with those written `2023年` or `2023 年` read (a warning showing the reading)."""
    typed = forms.years(cells.where(year.isna(), ""))
    read = live & typed.notna()
    c.add(read, "year", "year_read_from_text", severity="warning",
          params=typed[read].map(lambda v: (("year", f"{v:.0f}"),)))
    return year.where(~read, typed)


def units_with_header(unit: pd.Series, header_unit: pd.Series, rows: pd.Series, c: _Collector) -> pd.Series:
    """Units of `rows` with the header's unit (`活动水平（万吨）`, a units row, `单位：万吨`) where the unit
    cell is empty; a unit cell that disagrees with the header is an error naming both."""
    given = rows & (header_unit != "")
    both = given & (unit != "")
    if both.any():
        pairs = pd.Series(list(zip(unit[both], header_unit[both])), index=unit.index[both], dtype=object)
        differ = map_distinct(pairs, lambda p: not _same_unit(*p)).astype(bool)
        c.add(differ.reindex(unit.index, fill_value=False), "unit", "unit_disagrees_with_header", "unit_as_header",
              params=pairs[differ].map(lambda p: (("unit", p[0]), ("header_unit", p[1]))))
    return unit.where(~(given & (unit == "")), header_unit)


def _same_unit(a: str, b: str) -> bool:
    """True when two unit strings are one unit (`万吨` and `万 吨`, `t` and `吨`)."""
    if re.sub(r"\s+", "", forms.normal(a)).casefold() == re.sub(r"\s+", "", forms.normal(b)).casefold():
        return True
    try:
        return abs(units.factor(a, b) - 1) < 1e-9
    except Exception:  # unknown or of different dimensions: they differ (an unknown unit is its own error)
        return False


def read_value_forms(cells: pd.Series, value: pd.Series, unit: pd.Series, live: pd.Series,
                     c: _Collector) -> tuple[pd.Series, pd.Series]:
    """Values with `3.5万` read where the unit has no 万/亿 of its own (warning); and a mask of the
    cells a form explains (read, or rejected here: `3.5万` + `万吨`, `约50`, `50左右`, `<0.5`, `3.5万吨`)."""
    candidates = live & value.isna() & cells.notna()
    explained = pd.Series(False, index=cells.index)
    if not candidates.any():
        return value, explained
    typed = forms.value_forms(cells[candidates])
    typed = typed[typed["form"] != ""]
    if typed.empty:
        return value, explained
    explained.loc[typed.index] = True
    u = unit[typed.index]
    number = typed["number"].map(forms.shown)
    magnitude = typed["form"] == "magnitude"
    twice = magnitude & u.map(forms.has_magnitude).astype(bool)
    read = magnitude & ~twice
    reading = typed["number"] * typed["factor"]
    on = lambda mask: mask.reindex(cells.index, fill_value=False)  # noqa: E731
    c.add(on(twice), "value", "magnitude_twice", "number_without_suffix",
          params=pd.Series([(("suffix", x), ("unit", v), ("number", n)) for x, v, n in
                            zip(typed["suffix"][twice], u[twice], number[twice])], index=u.index[twice], dtype=object))
    c.add(on(read), "value", "magnitude_suffix_read", severity="warning",
          params=pd.Series([(("number", n), ("factor", forms.shown(f)), ("reading", forms.shown(r)), ("unit", v))
                            for n, f, r, v in zip(number[read], typed["factor"][read], reading[read], u[read])],
                           index=u.index[read], dtype=object))
    c.add(on(typed["form"] == "approximate"), "value", "approximate_value", "exact_number")
    in_value = typed["form"] == "unit_in_value"
    hint = dict(zip(cells[in_value[in_value].index].astype(str), number[in_value] + " " + typed["unit"][in_value]))
    c.add(on(in_value), "value", "unit_in_value", "expect_number_or_key",
          suggest=hint.get)
    return value.where(~on(read), reading.reindex(cells.index)), explained
