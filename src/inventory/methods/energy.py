"""Fuel combustion (1.A): CO2 by carbon content or factor, CH4/N2O and air pollutants by factor.

Works on activity keys (region, year, category, activity, technology): rows that
share a key are summed first, then every substance is computed on whole columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, units, vocabulary
from inventory.factors import penetration
from inventory.factors.coverage import subcategory_only
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import join_groups, map_distinct
from inventory.methods import equations as eq
from inventory.methods.keys import (REASON_NO_FACTOR, REASON_NO_FACTOR_OR_NCV, REASON_SUBCATEGORY_ONLY,
                                    aggregate_keys, column, expected_per_key, is_local, join_ids, unique_ids, with_parameters)

# The quantities a fuel amount is given in (t, m3 or TJ): each factor applies to the amount of its basis.
_BASES = ("energy", "mass", "volume")
_NAMES = ["ncv", "carbon_content", "oxidation_rate", "sulfur_content", "sulfur_retention", "ef",
          "removal_efficiency"]


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emissions of fuel combustion and the not-estimated list.

    activity: validated activity rows of 1.A categories (amount in t, m3 or TJ).
    factor_table: shipped + user + local factors (factors.load / resolve.local_to_long).
    Returns (emissions, not_estimated): emissions has KEY_COLUMNS, substance, emission (t),
    activity_amount, activity_unit, factor_ids, reported_amount, reported_unit (the amount as
    given: t, m3, or TJ for an amount in tce, before any calorific value); not_estimated has
    KEY_COLUMNS, substance, reason.
    """
    fuels = vocabulary.activities()
    is_fuel = activity["activity"].map(fuels["activity_class"]) == "fuel"
    keys = aggregate_keys(activity[is_fuel])
    if keys.empty:
        return pd.DataFrame(), pd.DataFrame()
    k = penetration.apply(with_parameters(keys, factor_table, _NAMES), factor_table)
    distinct = keys.drop_duplicates("key_id")[["key_id", *KEY_COLUMNS]]

    ncv = column(k, "ncv")
    given = k["quantity"]
    ncv_ok = column(k, "ncv:basis", "") == given
    energy = np.where(given == "energy", k["amount"], np.where(ncv_ok, k["amount"] * ncv, np.nan))
    ncv_id = pd.Series(np.where(ncv_ok, column(k, "ncv:id", ""), ""), index=k.index)
    physical_quantity = np.where(given == "energy", column(k, "ncv:basis", ""), given)
    physical = np.where(given == "energy", k["amount"] / ncv, k["amount"])
    amounts = {"energy": pd.Series(energy, index=k.index)}
    for quantity in ("mass", "volume"):
        amounts[quantity] = pd.Series(np.where(physical_quantity == quantity, physical, np.nan), index=k.index)
    # Converting an amount to another basis uses the calorific value: record it.
    basis_ids = {b: pd.Series(np.where(given == b, "", ncv_id), index=k.index) for b in _BASES}

    def by_factor(substance: str):
        """(uncontrolled emission, activity amount, activity unit, ids) of ef.<substance>."""
        ef = column(k, f"ef.{substance}")
        basis = column(k, f"ef.{substance}:basis", "")
        amount = pd.Series(np.nan, index=k.index)
        unit = pd.Series("", index=k.index, dtype=object)
        ids = pd.Series("", index=k.index, dtype=object)
        for b in _BASES:
            m = basis == b
            amount = amount.mask(m, amounts[b])
            unit = unit.mask(m, units.canonical_unit(b))
            ids = ids.mask(m, basis_ids[b])
        return eq.emission_from_factor(amount, ef), amount, unit, join_ids(ids, column(k, f"ef.{substance}:id", ""))

    def eta(substance: str):
        return column(k, f"removal_efficiency.{substance}").fillna(0.0), column(k, f"removal_efficiency.{substance}:id", "")

    results = {}
    # CO2: a factor where one applies (a local ef.CO2 replaces the carbon method), else carbon content. A carbon
    # content or oxidation rate of a higher level (a workbook's over a shipped set's ef.CO2) keeps the carbon method.
    unc, amount, unit, ids = by_factor("CO2")
    carbon = eq.co2_from_carbon(amounts["energy"], column(k, "carbon_content"), column(k, "oxidation_rate"))
    carbon_level = np.fmax(column(k, "carbon_content:level"), column(k, "oxidation_rate:level"))
    use_carbon = unc.isna() | (carbon.notna() & (carbon_level > column(k, "ef.CO2:level")))
    results["CO2"] = (unc.where(~use_carbon, carbon), amount.where(~use_carbon, amounts["energy"]),
                      unit.where(~use_carbon, units.canonical_unit("energy")),
                      ids.where(~use_carbon, join_ids(basis_ids["energy"], column(k, "carbon_content:id", ""),
                                                       column(k, "oxidation_rate:id", ""))))
    for substance in ("CH4", "N2O", "NOx", "CO", "NMVOC", "NH3"):
        unc, amount, unit, ids = by_factor(substance)
        e, e_ids = eta(substance)
        results[substance] = (eq.after_control(unc, e), amount, unit, join_ids(ids, e_ids))

    # SO2: a local ef.SO2 wins; else the sulfur balance where a sulfur content is given; else the factor.
    unc, amount, unit, ids = by_factor("SO2")
    local_ef = is_local(k, "ef.SO2")
    balance = eq.so2_from_sulfur(amounts["mass"], column(k, "sulfur_content"), column(k, "sulfur_retention").fillna(0.0))
    use_balance = balance.notna() & ~local_ef
    e, e_ids = eta("SO2")
    results["SO2"] = (eq.after_control(unc.where(~use_balance, balance), e),
                      amount.where(~use_balance, amounts["mass"]), unit.where(~use_balance, units.canonical_unit("mass")),
                      join_ids(ids.where(~use_balance, join_ids(basis_ids["mass"], column(k, "sulfur_content:id", ""),
                                                                  column(k, "sulfur_retention:id", ""))), e_ids))

    # Particulate matter: PM10 after control from its PM2.5 and coarse parts (T/CSES Table A.1).
    pm25, a25, u25, ids25 = by_factor("PM2.5")
    pm10, a10, u10, ids10 = by_factor("PM10")
    e25, e25_ids = eta("PM2.5")
    results["PM2.5"] = (eq.after_control(pm25, e25), a25, u25, join_ids(ids25, e25_ids))
    e10 = column(k, "removal_efficiency.PM10")
    ecoarse, ecoarse_ids = eta("PM2.5-10")
    split = eq.pm10_after_control(pm25, pm10, e25, ecoarse)
    whole = eq.after_control(pm10, e10)
    results["PM10"] = (whole.where(e10.notna() | pm25.isna(), split), a10, u10,
                       join_ids(ids10, pd.Series(np.where(e10.notna(), column(k, "removal_efficiency.PM10:id", ""),
                                                           join_ids(ids25, e25_ids, ecoarse_ids)), index=k.index)))
    # BC and OC: a share of uncontrolled PM2.5 where the factor is a share, else their own factor.
    for substance in ("BC", "OC"):
        unc, amount, unit, ids = by_factor(substance)
        share = column(k, f"ef.{substance}:method", "") == "share_of_PM2.5"
        share_unc = pm25 * column(k, f"ef.{substance}")
        e, e_ids = eta(substance)
        results[substance] = (eq.after_control(unc.where(~share, share_unc), e),
                              amount.where(~share, a25), unit.where(~share, u25),
                              join_ids(ids.where(~share, join_ids(ids25, column(k, f"ef.{substance}:id", ""))), e_ids))

    frames = []
    for substance, (emission, amount, unit, ids) in results.items():
        frames.append(pd.DataFrame({"key_id": k["key_id"], "substance": substance, "emission": emission,
                                    "activity_amount": amount, "activity_unit": unit, "factor_ids": ids,
                                    "reported_amount": k["amount"], "reported_unit": given.map(units.canonical_units())}))
    long = pd.concat(frames, ignore_index=True)
    estimated = long[long["emission"].notna()]
    group = estimated.groupby(["key_id", "substance"], sort=False)
    out = group.agg(emission=("emission", "sum"), activity_amount=("activity_amount", "sum"),
                    activity_unit=("activity_unit", "first"), factor_ids=("factor_ids", "first"),
                    reported_amount=("reported_amount", "sum"), reported_unit=("reported_unit", "first"),
                    reported_units=("reported_unit", "nunique")).reset_index()
    # A key given partly in t and partly in tce has no one reported amount (adding them needs the NCV).
    mixed = out.pop("reported_units") > 1
    out.loc[mixed, "reported_amount"], out.loc[mixed, "reported_unit"] = np.nan, ""
    # A key with amounts in two quantities (t and tce) may have used different ids: join them.
    several = estimated[estimated.duplicated(["key_id", "substance"], keep=False)]
    if len(several):
        ids = join_groups(several, ["key_id", "substance"], "factor_ids").map(unique_ids)
        out = out.set_index(["key_id", "substance"])
        out.loc[ids.index, "factor_ids"] = ids
        out = out.reset_index()
    out = distinct.merge(out, on="key_id").drop(columns="key_id")
    return out, _not_estimated(distinct, estimated, keys, factor_table)


def _not_estimated(distinct: pd.DataFrame, estimated: pd.DataFrame, keys: pd.DataFrame,
                   factor_table: pd.DataFrame) -> pd.DataFrame:
    """Keys × expected substances with no emission: notation key NE, with the reason (a code of
    data/messages.csv).

    Expected are the substances of data/expected_substances.csv and every substance the factor tables
    give the key's activity only at a sub-category of its category (factors.coverage); those get the
    reason that the row was given for the category as a whole. A category and substance listed in
    data/ne_reasons.csv take the more precise reason given there. Keys whose amounts are all zero emit
    nothing whatever the factor and are not listed.
    """
    nonzero = keys.groupby("key_id")["amount"].sum().loc[lambda a: a != 0].index
    distinct = distinct[distinct["key_id"].isin(nonzero)]
    expected = expected_per_key(distinct)
    below = distinct.merge(subcategory_only(distinct, factor_table)[KEY_COLUMNS + ["substance"]], on=KEY_COLUMNS)
    expected = pd.concat([expected, below], ignore_index=True).drop_duplicates(["key_id", "substance"])
    have = estimated[["key_id", "substance"]].drop_duplicates().assign(_have=True)
    missing = expected.merge(have, on=["key_id", "substance"], how="left")
    missing = missing[missing["_have"].isna()].drop(columns="_have")
    no_ncv = set(keys.loc[keys["quantity"] != "energy", "activity"])
    only_below = missing.set_index(["key_id", "substance"]).index.isin(below.set_index(["key_id", "substance"]).index)
    missing["reason"] = np.select(
        [only_below, missing["activity"].isin(no_ncv) & (missing["substance"] == "CO2")],
        [REASON_SUBCATEGORY_ONLY, REASON_NO_FACTOR_OR_NCV], REASON_NO_FACTOR)
    specific = missing[["category", "substance"]].merge(vocabulary.ne_reasons(), how="left")["reason"].to_numpy()
    missing["reason"] = np.where(pd.isna(specific), missing["reason"], specific)
    return missing.drop(columns="key_id").reset_index(drop=True)


def is_combustion(category: pd.Series) -> pd.Series:
    """True for categories under 1.A (fuel combustion)."""
    return map_distinct(category, lambda c: "1.A" in categories.ancestors(c)).astype(bool)


handles = is_combustion  # the method registry's name (methods/__init__.py)
