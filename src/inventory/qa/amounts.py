"""Activity amounts of emission rows on a common basis, for the consistency checks (issue 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import units
from inventory.factors.resolve import KEY_COLUMNS, resolve


def resolved_parameters(keys: pd.DataFrame, factor_table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The winning parameters of each key (KEY_COLUMNS), resolved as a build resolves them
    (factors.resolve); one row per key in `keys` order with columns `<name>`, `<name>:basis`
    and `<name>:id` for every name found (`ef.SO2`, `ncv`, `removal_efficiency.SO2`...)."""
    keys = keys[KEY_COLUMNS].reset_index(drop=True)
    out = pd.DataFrame(index=keys.index)
    if keys.empty or factor_table.empty:
        return out
    won = resolve(keys.assign(key_id=keys.index), factor_table, names)
    for field, suffix in (("value", ""), ("basis", ":basis"), ("factor_id", ":id")):
        wide = won.pivot(index="key_id", columns="name", values=field)
        wide.columns = [c + suffix for c in wide.columns]
        out = out.join(wide.astype(float) if field == "value" else wide)
    return out


def key_amounts(emissions: pd.DataFrame, factor_table: pd.DataFrame) -> pd.DataFrame:
    """Every emission row with an activity amount, with that amount as energy and as mass.

    Returns the rows' KEY_COLUMNS, substance, substance_kind, emission, activity_amount,
    activity_unit, plus `key_id` (one per key), `tj` (TJ) and `t` (t of fuel): an amount in TJ
    is energy; in t or m3 it is converted with the key's resolved calorific value (TJ/t or
    TJ/m3, DESIGN 3.5: physical amount -> energy by the NCV); NaN where no NCV applies.
    """
    e = emissions[emissions["activity_amount"].notna()].reset_index(drop=True)
    keys = e[KEY_COLUMNS].drop_duplicates().reset_index(drop=True)
    keys["key_id"] = keys.index
    e = e.merge(keys, on=KEY_COLUMNS, how="left")
    params = resolved_parameters(keys, factor_table, ["ncv"])
    ncv = params["ncv"] if "ncv" in params else pd.Series(np.nan, index=keys.index)
    basis = params["ncv:basis"] if "ncv:basis" in params else pd.Series("", index=keys.index)
    ncv, basis = e["key_id"].map(ncv), e["key_id"].map(basis).fillna("")
    quantity = e["activity_unit"].map({u: q for q, u in units.canonical_units().items()})
    amount = e["activity_amount"].astype(float)
    by_ncv = (quantity == basis) & basis.isin(["mass", "volume"])
    e["tj"] = np.where(quantity == "energy", amount, np.where(by_ncv, amount * ncv, np.nan))
    energy_of_mass = (quantity == "energy") & (basis == "mass")
    e["t"] = np.where(quantity == "mass", amount, np.where(energy_of_mass, amount / ncv, np.nan))
    return e
