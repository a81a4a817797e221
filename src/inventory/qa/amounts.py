"""Activity amounts of emission rows on a common basis, for the consistency checks (issue 5).

Computed once per build for every check that needs them (qa.checks.CheckContext.amounts): the keys of the
emission rows as integer numbers, their resolved parameters once per key, the amounts as arrays over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from inventory import units
from inventory.factors.resolve import KEY_COLUMNS, resolve_by_class
from inventory.grouped import coded


def resolved_parameters(keys: pd.DataFrame, factor_table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The winning parameters of each key (KEY_COLUMNS), resolved as a build resolves them
    (factors.resolve, once per resolution class); one row per key in `keys` order with columns `<name>`,
    `<name>:basis` and `<name>:id` for every name found (`ef.SO2`, `ncv`, `removal_efficiency.SO2`...)."""
    keys = keys[KEY_COLUMNS].reset_index(drop=True)
    out = pd.DataFrame(index=keys.index)
    if keys.empty or factor_table.empty:
        return out
    won, key_class = resolve_by_class(keys.assign(key_id=keys.index), factor_table, names)
    of_key = key_class["class_id"].to_numpy()
    classes = np.arange(of_key.max() + 1)
    for field, suffix in (("value", ""), ("basis", ":basis"), ("factor_id", ":id")):
        wide = won.pivot(index="key_id", columns="name", values=field).reindex(classes)
        wide = (wide.astype(float) if field == "value" else wide).take(of_key)
        wide.columns = [c + suffix for c in wide.columns]
        wide.index = keys.index
        out = out.join(wide)
    return out


@dataclass
class KeyAmounts:
    """The emission rows with an activity amount, by key.

    rows: their positions in the emissions table (int32); key: each such row's key number (int32); keys: one
    row per key number (KEY_COLUMNS, in order of first appearance) with its resolved calorific value
    (resolved_parameters' columns `ncv`, `ncv:basis`, `ncv:id`) and `first`, the position of its first row;
    tj: each row's amount as energy (TJ), NaN where it cannot be put so; t_max: per key number the largest of
    its rows' amounts as mass (t of fuel; NaN where none can be put so) (see key_amounts). Four bytes a row
    for positions and keys and no per-row mass: the national table has 45 million rows (issue 14)."""

    rows: np.ndarray
    key: np.ndarray
    keys: pd.DataFrame
    tj: np.ndarray
    t_max: np.ndarray


def key_amounts(emissions: pd.DataFrame, factor_table: pd.DataFrame) -> KeyAmounts:
    """Every emission row with an activity amount, with that amount as energy and as mass.

    An amount in TJ is energy; in t or m3 it is converted with the key's resolved calorific value (TJ/t
    or TJ/m3, DESIGN 3.5: physical amount -> energy by the NCV); NaN where no NCV applies.
    """
    rows = np.flatnonzero(emissions["activity_amount"].notna().to_numpy())
    combined = np.zeros(len(rows), dtype=np.int64)
    for column in KEY_COLUMNS:  # the table's codes (inventory.grouped, made once per table; missing: -1)
        codes, uniques = coded(emissions).code(column)
        combined = combined * (len(uniques) + 1) + (codes[rows].astype(np.int64) + 1)
    key = pd.factorize(combined)[0]  # numbered in order of appearance: a key's first row is where it is new
    new = np.ones(len(key), dtype=bool)
    new[1:] = key[1:] > np.maximum.accumulate(key)[:-1]
    first = rows[new]
    del combined, new  # the per-row temporaries are not kept while the amounts are computed (issue 14)
    keys = emissions[KEY_COLUMNS].take(first).reset_index(drop=True)
    params = resolved_parameters(keys, factor_table, ["ncv"])
    keys = pd.concat([keys, params], axis=1).assign(first=first)
    ncv = keys["ncv"].to_numpy(dtype=float) if "ncv" in keys else np.full(len(keys), np.nan)
    basis = keys["ncv:basis"].fillna("") if "ncv:basis" in keys else pd.Series("", index=keys.index)
    unit_codes, unit_values = pd.factorize(emissions["activity_unit"].take(rows))
    quantity = pd.Series(unit_values).map({u: q for q, u in units.canonical_units().items()}).to_numpy(object)
    quantity = np.append(quantity, None)  # by unit code (last: no unit); compared per code, then per row

    def of(what: str) -> np.ndarray:
        return (quantity == what)[unit_codes]

    amount = emissions["activity_amount"].to_numpy(dtype=float)[rows]
    ncv = ncv[key]
    mass, volume = (basis == "mass").to_numpy()[key], (basis == "volume").to_numpy()[key]
    energy, in_mass = of("energy"), of("mass")
    by_ncv = (in_mass & mass) | (of("volume") & volume)
    tj = np.where(energy, amount, np.where(by_ncv, amount * ncv, np.nan))
    del by_ncv, volume
    t = np.where(in_mass, amount, np.where(energy & mass, amount / ncv, np.nan))
    del amount, ncv, mass, energy, in_mass
    t_max = pd.Series(t).groupby(key).max().reindex(np.arange(len(keys))).to_numpy()
    return KeyAmounts(rows=rows.astype(np.int32), key=key.astype(np.int32), keys=keys, tj=tj, t_max=t_max)
