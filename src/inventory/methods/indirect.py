"""Indirect CO2 of electricity and heat: the memo items M.EL.import, M.EL.use and M.HEAT (DESIGN 3.2).

An electricity row at a consuming category (1.A.2, 1.A.4.b, ...) is reported at `M.EL.use`
under that consumer (`M.EL.use.1.A.2`, data/categories.csv; the parent `M.EL.use` where no
such child exists); a heat row likewise at `M.HEAT`. Rows given at an `M.` category stay
there. Net electricity imports (`M.EL.import`: brought in minus sent out) come from the
workbook or, where a region-year has none, from its energy balance's supply rows (imports
and inflows from other regions minus exports and outflows, data/supply_flows.csv).

CO2 = electricity × the grid's average CO2 factor, resolved as any factor is (DESIGN 3.4:
a local `ef.CO2` row first, the region's own grid value over the national one), for the
row's year or, where no factor is cited for it, the nearest cited year within
MAX_YEARS_AWAY (marked `derived:nearest_year=YYYY` in the factor ids); further away it is NE
with the reason. Every row is kind `memo` (aggregate.label_categories): never in a gross total.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from inventory import categories, resources, units
from inventory.factors.resolve import KEY_COLUMNS, candidates
from inventory.lookup import map_distinct
from inventory.methods.keys import aggregate_keys

ACTIVITIES = ("electricity", "heat")
ROOTS = {"electricity": "M.EL.use", "heat": "M.HEAT"}
IMPORT = "M.EL.import"
# The activity each memo item takes.
ROOT_ACTIVITY = {IMPORT: "electricity", "M.EL.use": "electricity", "M.HEAT": "heat"}
MAX_YEARS_AWAY = 5
# Display unit of the activity: the implied factor of electricity reads as t CO2/MWh = kg CO2/kWh.
ACTIVITY_UNIT = {"electricity": "MWh", "heat": "GJ"}
# Reasons of NE rows: message codes (data/messages.csv).
NO_FACTOR_NEAR = "ne_indirect_no_factor_near"
NO_HEAT_FACTOR = "ne_indirect_no_heat_factor"
WRONG_ACTIVITY = "ne_indirect_wrong_activity"
_FRAME = KEY_COLUMNS + ["substance", "emission", "activity_amount", "activity_unit", "factor_ids"]


@cache
def _memo_roots() -> frozenset[str]:
    return frozenset(c for c in categories.with_role("memo") if c.startswith("M."))


def is_memo_item(category: pd.Series) -> pd.Series:
    """True for the categories of the `M.` memo items (M.EL.import, M.EL.use and its children, M.HEAT)."""
    roots = _memo_roots()
    return map_distinct(category, lambda c: bool(c) and any(a in roots for a in categories.ancestors(c))).astype(bool)


def claims(activity: pd.DataFrame) -> pd.Series:
    """The activity rows this module computes: electricity and heat anywhere but statistics, and any row of
    an `M.` category."""
    energy = activity["activity"].isin(ACTIVITIES) & ~activity["category"].isin(categories.with_role("statistic"))
    return energy | is_memo_item(activity["category"])


handles = is_memo_item  # the method registry's name (methods/__init__.py); `claims` adds electricity rows


def memo_category(category: str, activity: str) -> str:
    """The memo category of an electricity or heat row: the row's own `M.` category, else the root's child
    named after the nearest consuming ancestor (`1.A.2.a` -> `M.EL.use.1.A.2`), else the root."""
    if _memo_roots() & set(categories.ancestors(category)):
        return category
    root = ROOTS.get(activity, "")
    known = set(categories.table().index)
    return next((f"{root}.{a}" for a in categories.ancestors(category) if f"{root}.{a}" in known), root)


def net_imports(supply: pd.DataFrame, activity: pd.DataFrame) -> pd.DataFrame:
    """Activity rows of `M.EL.import` from energy-balance supply rows: per region-year, electricity brought in
    (imports, inflows from other regions) minus sent out (exports, outflows), in TJ, signed as the balance
    adds it to supply (data/supply_flows.csv `ipcc_term` imports/exports). Region-years with M.EL.import rows
    of their own get none."""
    flows = resources.data_table("supply_flows.csv")
    trade = set(flows.loc[flows["ipcc_term"].isin(["imports", "exports"]), "flow"])
    rows = supply[(supply["activity"] == "electricity") & supply["flow"].isin(trade)] if len(supply) else supply
    if rows.empty:
        return activity.iloc[0:0]
    own = activity.loc[activity["category"] == IMPORT, ["region", "year"]].drop_duplicates()
    rows = rows.merge(own.assign(_own=True), on=["region", "year"], how="left")
    rows = rows[rows["_own"].isna()]
    if rows.empty:
        return activity.iloc[0:0]
    net = rows.groupby(["region", "year"], as_index=False).agg(
        amount=("amount", "sum"), quantity=("quantity", "first"), file=("file", "first"), sheet=("sheet", "first"),
        row=("row", "first"))
    net = net.assign(category=IMPORT, activity="electricity", technology="", source="", history=False)
    return net.reindex(columns=activity.columns)


def _nearest_year_factors(keys: pd.DataFrame, factor_table: pd.DataFrame) -> pd.DataFrame:
    """Per key_id the winning `ef.CO2` row of the key's year or the nearest year within MAX_YEARS_AWAY.

    Candidates are found (factors.resolve.candidates) for the key at each year year ± d, d = 0..5; the
    most specific row wins as in resolution (level, activity, region, technology, category), and among
    equally specific rows the nearest year, the earlier on a tie. Returns key_id, value (t per TJ),
    factor_id, offset (factor year − key year).
    """
    offsets = [0] + [d for k in range(1, MAX_YEARS_AWAY + 1) for d in (-k, k)]
    shifted = pd.concat([keys.assign(year=keys["year"] + d, offset=d) for d in offsets], ignore_index=True)
    shifted["orig"] = shifted["key_id"]
    shifted["key_id"] = shifted.index
    cand = candidates(shifted[["key_id", *KEY_COLUMNS]], factor_table, ["ef.CO2"])
    cand = cand[(cand["name"] == "ef.CO2") & (cand["basis"] == "energy")]
    if cand.empty:
        return pd.DataFrame(columns=["key_id", "value", "factor_id", "offset"])
    cand = cand.merge(shifted[["key_id", "orig", "offset"]], on="key_id")
    cand = cand.assign(distance=cand["offset"].abs()).sort_values(
        ["orig", "level", "act_score", "region_score", "tech_score", "cat_score", "distance", "year_score", "offset"],
        ascending=[True, False, False, False, False, False, True, False, True], kind="stable")
    best = cand.drop_duplicates("orig")
    return best[["orig", "value", "factor_id", "offset"]].rename(columns={"orig": "key_id"})


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indirect CO2 (t) of the electricity and heat rows at their memo categories, and the not-estimated list.

    activity: validated rows (amount in TJ) claimed by `claims`; factor_table as in methods.energy.compute.
    Returns (emissions, not_estimated) with the columns of methods.energy.compute; activity_amount is in
    MWh (electricity) or GJ (heat), so the implied factor reads t CO2/MWh (= kg CO2/kWh) or t CO2/GJ.
    """
    pair = activity["category"].astype(str) + "\x1f" + activity["activity"].astype(str)
    rows = activity.assign(category=map_distinct(pair, lambda p: memo_category(*p.split("\x1f"))))
    root = map_distinct(rows["category"], lambda c: categories.ancestors(c)[-1])
    fits = root.map(ROOT_ACTIVITY) == rows["activity"]
    wrong = rows.loc[~fits, KEY_COLUMNS].drop_duplicates().assign(substance="", reason=WRONG_ACTIVITY)
    keys = aggregate_keys(rows[fits])
    if keys.empty:
        return pd.DataFrame(columns=_FRAME), wrong.reset_index(drop=True)
    k = keys.merge(_nearest_year_factors(keys.drop_duplicates("key_id")[["key_id", *KEY_COLUMNS]], factor_table),
                   on="key_id", how="left")
    factor_year = (k["year"] + k["offset"].fillna(0)).astype(int).astype(str)
    derived = np.where(k["offset"].fillna(0) != 0, ";derived:nearest_year=" + factor_year, "")
    to_unit = k["activity"].map({a: units.factor("TJ", u) for a, u in ACTIVITY_UNIT.items()})
    frame = pd.DataFrame({
        **{c: k[c] for c in KEY_COLUMNS}, "substance": "CO2", "emission": k["amount"] * k["value"],
        "activity_amount": k["amount"] * to_unit, "activity_unit": k["activity"].map(ACTIVITY_UNIT),
        "factor_ids": k["factor_id"].fillna("") + derived})
    estimated = frame[frame["emission"].notna()]
    out = estimated.groupby(KEY_COLUMNS, sort=False, as_index=False).agg(
        substance=("substance", "first"), emission=("emission", "sum"), activity_amount=("activity_amount", "sum"),
        activity_unit=("activity_unit", "first"), factor_ids=("factor_ids", "first"))[_FRAME]
    missing = frame[frame["emission"].isna()].groupby(KEY_COLUMNS, sort=False, as_index=False)["activity_amount"].sum()
    missing = missing[missing["activity_amount"] != 0]
    ne = missing.assign(substance="CO2", reason=np.where(missing["activity"] == "heat", NO_HEAT_FACTOR,
                                                         NO_FACTOR_NEAR))[KEY_COLUMNS + ["substance", "reason"]]
    return out.reset_index(drop=True), pd.concat([ne, wrong], ignore_index=True)
