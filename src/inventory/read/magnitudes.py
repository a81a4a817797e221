"""Amounts that cannot be true (DESIGN 3.3): not finite or above 1e15 in their canonical unit (an
error), or above a cited national total for their activity (a warning naming the total and its
source, from data/national_totals.csv; an activity without a cited total has no such bound)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from inventory import resources, units
from inventory.read import forms

# The largest amount any input may have in its canonical unit (t, m3, TJ, head, ha, yuan ...).
MAX_AMOUNT = 1e15


@cache
def national_totals() -> pd.DataFrame:
    """data/national_totals.csv with the `quantity` its unit measures and the total in its canonical unit
    (`canonical`, `canonical_unit`).

    `activity` "" is a bound for every activity given in a unit of that quantity (total energy
    consumption for any amount in tce, TJ or kWh).
    """
    table = resources.data_table("national_totals.csv").copy()
    conv = units.to_canonical(table["unit"])
    table["quantity"] = conv["quantity"].to_numpy()
    table["canonical_unit"] = conv["canonical_unit"].to_numpy()
    table["canonical"] = table["total"].astype(float).to_numpy() * conv["factor"].to_numpy()
    return table


def bounds(activity: pd.Series, quantity: pd.Series) -> pd.DataFrame:
    """The national total that bounds each row (the activity's own, else its quantity's), aligned with
    the rows: the columns of national_totals(), NaN where none is cited."""
    found, rows = _pair_bounds(activity, quantity)
    found = found.take(rows)
    found.index = activity.index
    return found


def _pair_bounds(activity: pd.Series, quantity: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """The national total bounding each distinct (activity, quantity) pair of the rows (the columns of
    national_totals(), NaN where none is cited; looked up once per pair) and each row's pair number."""
    table = national_totals()
    own = table[table["activity"] != ""].set_index(["activity", "quantity"])
    every = table[table["activity"] == ""].set_index("quantity")
    (acts, quants), rows = _distinct_pairs(activity, quantity)
    keys = pd.MultiIndex.from_arrays([acts, quants])
    found = own.reindex(keys).reset_index(drop=True)
    general = every.reindex(quants).reset_index(drop=True)
    return found.where(found["canonical"].notna(), general), rows


def _distinct_pairs(first: pd.Series, second: pd.Series) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The distinct (first, second) pairs of two columns (missing as "") and each row's pair number."""
    codes, values = [], []
    for column in (first, second):
        code, uniques = pd.factorize(column)
        codes.append(np.where(code < 0, len(uniques), code).astype(np.int64))
        values.append(np.append(np.asarray(uniques, dtype=object), ""))
    rows, pairs = pd.factorize(codes[0] * len(values[1]) + codes[1])
    return (values[0][pairs // len(values[1])], values[1][pairs % len(values[1])]), rows


def check_amounts(amount: pd.Series, unit: pd.Series, activity: pd.Series | None, quantity: pd.Series | None,
                  rows: pd.Series, c) -> None:
    """Problems for the `rows` whose canonical amount (in `unit`) cannot be true: not finite or above
    MAX_AMOUNT (error `value_too_large`), or above its activity's national total (warning
    `above_national_total`). `c` collects them (validate._Collector); activity None: no totals."""
    rows = rows.fillna(False).astype(bool)
    if not rows.any():
        return
    amount, unit = amount[rows].astype(float), unit[rows]
    activity, quantity = (activity[rows], quantity[rows]) if activity is not None else (None, None)
    too_large = ~np.isfinite(amount) | (amount.abs() > MAX_AMOUNT)
    c.add(_on(rows, too_large), "value", "value_too_large", "plausible_amount",
          params=pd.Series([(("amount", forms.shown(a)), ("unit", u)) for a, u in
                            zip(amount[too_large], unit[too_large].fillna(""))],
                           index=amount.index[too_large], dtype=object))
    if activity is None:
        return
    pairs, pair_of = _pair_bounds(activity, quantity)  # the cited totals taken onto the rows above them only
    canonical = pd.Series(pairs["canonical"].to_numpy(dtype=float)[pair_of], index=amount.index)
    above = ~too_large & canonical.notna() & (amount > canonical)
    cited = pairs.take(pair_of[above.to_numpy()])
    cited.index = amount.index[above.to_numpy()]
    c.add(_on(rows, above), "value", "above_national_total", severity="warning",
          params=pd.Series([(("amount", forms.shown(a)), ("unit", b.canonical_unit), ("total", forms.shown(b.canonical)),
                             ("year", b.year), ("source", b.source), ("measure_zh", b.measure_zh),
                             ("measure_en", b.measure_en))
                            for a, b in zip(amount[above], cited.itertuples())], index=cited.index, dtype=object))


def _on(rows: pd.Series, sub: pd.Series) -> pd.Series:
    """A mask over all of `rows`' index from a mask over its true rows."""
    return sub.reindex(rows.index, fill_value=False).astype(bool)
