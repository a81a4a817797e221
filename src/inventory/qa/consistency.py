"""GHG–pollutant consistency: the greenhouse gases and the air pollutants of one activity key rest
on the same activity amount (issue 5, synergy plan measure 20: cross-verify GHG and pollutant data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, vocabulary
from inventory.factors.resolve import KEY_COLUMNS
from inventory.grouped import coded
from inventory.methods import tier3
from inventory.lookup import sort_order
from inventory.qa.amounts import KeyAmounts, key_amounts
from inventory.qa.keys import key_label
from inventory.qa.grading import grade, relative_difference
from inventory.result import CHECK_COLUMNS

NAME = "ghg_pollutant_consistency"
# diff is a rounding tolerance: both figures come from one amount unless something is wrong.
# `missing`: the result for a key with greenhouse gases and no pollutant, or the reverse.
DEFAULT_THRESHOLDS = {"warn": 0.001, "fail": 0.01, "missing": "warn"}


def ghg_pollutant_consistency(emissions: pd.DataFrame, factor_table: pd.DataFrame,
                              thresholds: dict | None = None, amounts: KeyAmounts | None = None) -> pd.DataFrame:
    """One checks.csv row per activity key (region, year, category, activity, technology).

    The key's greenhouse-gas amount (CO2's, else the first GHG's) is the reference; each
    pollutant's amount is compared with it on one basis: the amounts as they are when every
    row of the key is in the same unit, else in TJ (t and m3 converted with the key's resolved
    calorific value). value = the amount of the pollutant that differs most (substance
    column), reference = the GHG amount, diff_pct = (value − reference) / |reference| × 100,
    graded against `warn`/`fail` by qa.grading; a pair that cannot be put on one basis (no NCV) or
    whose reference is 0 is a warn with diff_pct empty (pass when both amounts are 0). A key with
    greenhouse gases and no pollutant (or the reverse) gets the `missing` result with reference
    empty (pass when its amount is 0: nothing is emitted); keys of pollutant-only categories
    (sector other_pollutant) are not checked. The category cell is `category/activity/technology`.
    A key plant data split (methods.tier3, IPCC Tier 3) is not checked: the pollutants a plant reports rest
    on the activity no plant covers, the greenhouse gases on the whole, by design.
    amounts: the build's key_amounts (computed here when not given). Works on the rows' positions and key
    numbers; only the compared rows are taken from the emissions table.
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    a = key_amounts(emissions, factor_table) if amounts is None else amounts
    # The indirect CO2 of electricity and heat (M. memo items, DESIGN 3.2) has no pollutant to compare with.
    table = coded(emissions)  # the table's codes (inventory.grouped, made once per table; missing: -1)
    category, category_values = table.code("category")
    memo = np.append(pd.Series(category_values, dtype=object).astype(str).str.startswith("M.").to_numpy(),
                     False)[category]
    dropped = np.zeros(len(a.keys) + 1, dtype=bool)
    split = tier3.split_rows(emissions).to_numpy() & ~memo
    if split.any():
        keys = a.keys[KEY_COLUMNS].assign(_key=np.arange(len(a.keys)))
        dropped[keys.merge(emissions.loc[split, KEY_COLUMNS].drop_duplicates(), on=KEY_COLUMNS)["_key"]] = True
    on = ~memo[a.rows] & ~dropped[a.key]
    rows, key, n = a.rows[on], a.key[on], len(a.keys)
    if not len(rows):
        return pd.DataFrame(columns=CHECK_COLUMNS)
    # A key is in one unit when all its rows with a unit have the same one (per key lowest = highest code).
    unit = table.code("activity_unit")[0][rows]
    known = unit >= 0
    low, high = np.full(n, np.iinfo(np.int32).max, dtype=np.int32), np.full(n, -1, dtype=np.int32)
    np.minimum.at(low, key[known], unit[known])
    np.maximum.at(high, key[known], unit[known])
    single = (high >= 0) & (low == high)
    del unit, known, low, high
    # As its rows' amounts where the key is in one unit, else in TJ (filled in place: one array over the rows).
    amount = a.tj[on]
    one = single[key]
    amount[one] = emissions["activity_amount"].to_numpy(dtype=float)[rows[one]]
    del one, on, memo, split
    substance, substance_values = table.code("substance")
    order = pd.Series(substance_values).map(vocabulary.substances()["order"].astype(int)).to_numpy(dtype=float)
    order = np.append(np.where(np.isnan(order), np.inf, order), np.inf)  # by substance code (last: missing)
    rank = np.unique(order, return_inverse=True)[1].astype(np.int64)  # equal orders, equal ranks
    last = np.iinfo(np.int64).max

    def first_per_key(o):
        """Of the positions `o` (in `rows`), the first per key by the substance's order, then position;
        in key order. Per-key minima of order rank × len(rows) + position, no sort (memory: issue 14)."""
        best = np.full(n, last)
        np.minimum.at(best, key[o], rank[substance[rows[o]]] * len(rows) + o)
        return best[best != last] % len(rows)

    # Arrays over the greenhouse-gas or the pollutant rows only, not over every row.
    ghg = first_per_key(np.flatnonzero(table.eq("substance_kind", "ghg")[rows]))
    reference = np.full(n, np.nan)
    reference[key[ghg]] = amount[ghg]
    has_ghg = np.zeros(n, dtype=bool)
    has_ghg[key[ghg]] = True
    pol = np.flatnonzero(table.eq("substance_kind", "pollutant")[rows])
    ref = reference[key[pol]]
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = (amount[pol] - ref) / np.where(np.abs(ref) != 0, np.abs(ref), np.nan)
    both_zero = (amount[pol] == 0) & (np.nan_to_num(ref, nan=0.0) == 0)
    # The pollutant that differs most; one without a difference counts as the worst unless it passes.
    score = np.where(has_ghg[key[pol]], np.where(np.isnan(diff), np.where(both_zero, 0.0, np.inf), np.abs(diff)),
                     -1.0)
    del ref, diff, both_zero
    top = np.full(n, -np.inf)
    np.maximum.at(top, key[pol], score)
    worst = first_per_key(pol[score == top[key[pol]]])
    del pol, score, top
    has_pol = np.zeros(n, dtype=bool)
    has_pol[key[worst]] = True
    paired = worst[has_ghg[key[worst]]]
    # Pollutant-only sources (sector other_pollutant, DESIGN 3.2) have no greenhouse gas to compare with.
    sector = pd.Series(category_values, dtype=object).map(categories.table()["sector"]).to_numpy(dtype=object)
    sector = np.append(sector, None)  # the last slot: rows without a category (code -1)
    pol_only = worst[~has_ghg[key[worst]]]
    pol_only = pol_only[sector[category[rows[pol_only]]] != "other_pollutant"]
    ghg_only = ghg[~has_pol[key[ghg]]]
    lonely = np.concatenate([pol_only, ghg_only])
    value = pd.Series(amount[paired])
    ref = reference[key[paired]]
    result = grade(value, pd.Series(ref), t["warn"], t["fail"])
    out = emissions[KEY_COLUMNS + ["substance"]].take(rows[np.concatenate([paired, lonely])]).reset_index(drop=True)
    out["value"] = amount[np.concatenate([paired, lonely])]
    out["reference"] = np.concatenate([ref, np.full(len(lonely), np.nan)])
    out["diff_pct"] = np.concatenate([relative_difference(value, pd.Series(ref)).to_numpy() * 100,
                                      np.full(len(lonely), np.nan)])
    out["result"] = pd.concat([result, pd.Series(np.where(amount[lonely] == 0, "pass", t["missing"]))],
                              ignore_index=True)
    out = out.iloc[sort_order(out, KEY_COLUMNS)].reset_index(drop=True)
    out["category"] = key_label(out["category"], out["activity"], out["technology"])
    out["check"] = NAME
    return out[CHECK_COLUMNS]
