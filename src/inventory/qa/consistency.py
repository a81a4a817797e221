"""GHG–pollutant consistency: the greenhouse gases and the air pollutants of one activity key rest
on the same activity amount (issue 5, synergy plan measure 20: cross-verify GHG and pollutant data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, vocabulary
from inventory.factors.resolve import KEY_COLUMNS
from inventory.methods import tier3
from inventory.qa.amounts import key_amounts
from inventory.qa.keys import key_label
from inventory.qa.grading import grade, relative_difference
from inventory.result import CHECK_COLUMNS

NAME = "ghg_pollutant_consistency"
# diff is a rounding tolerance: both figures come from one amount unless something is wrong.
# `missing`: the result for a key with greenhouse gases and no pollutant, or the reverse.
DEFAULT_THRESHOLDS = {"warn": 0.001, "fail": 0.01, "missing": "warn"}


def ghg_pollutant_consistency(emissions: pd.DataFrame, factor_table: pd.DataFrame,
                              thresholds: dict | None = None) -> pd.DataFrame:
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
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    # The indirect CO2 of electricity and heat (M. memo items, DESIGN 3.2) has no pollutant to compare with.
    emissions = emissions[~emissions["category"].astype(str).str.startswith("M.")]
    split = emissions.loc[tier3.split_rows(emissions), KEY_COLUMNS].drop_duplicates()
    if len(split):
        keyed = emissions[KEY_COLUMNS].merge(split.assign(_split=True), on=KEY_COLUMNS, how="left")["_split"]
        emissions = emissions[~keyed.fillna(False).astype(bool).to_numpy()]
    a = key_amounts(emissions, factor_table)
    if a.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    single_unit = a.groupby("key_id")["activity_unit"].transform("nunique") == 1
    a["basis_amount"] = a["activity_amount"].where(single_unit, a["tj"])
    order = a["substance"].map(vocabulary.substances()["order"].astype(int))
    a = a.assign(_order=order).sort_values(["key_id", "_order"], kind="stable")
    ghg = a[a["substance_kind"] == "ghg"].drop_duplicates("key_id").set_index("key_id")
    pol = a[a["substance_kind"] == "pollutant"].copy()
    pol["reference"] = pol["key_id"].map(ghg["basis_amount"])
    has_ghg = pol["key_id"].isin(ghg.index)
    diff = relative_difference(pol["basis_amount"], pol["reference"])
    pol["result"] = grade(pol["basis_amount"], pol["reference"], t["warn"], t["fail"])
    pol["diff"] = diff
    # The pollutant that differs most; one without a difference counts as the worst unless it passes.
    pol["_score"] = diff.abs().where(diff.notna(), np.where(pol["result"] == "pass", 0.0, np.inf)).where(has_ghg, -1.0)
    worst = pol.sort_values(["key_id", "_score"], ascending=[True, False], kind="stable").drop_duplicates("key_id")
    paired = worst[worst["key_id"].isin(ghg.index)]
    rows = paired.assign(value=paired["basis_amount"], diff_pct=paired["diff"] * 100)
    pol_only = worst[~worst["key_id"].isin(ghg.index)]
    # Pollutant-only sources (sector other_pollutant, DESIGN 3.2) have no greenhouse gas to compare with.
    pol_only = pol_only[pol_only["category"].map(categories.table()["sector"]) != "other_pollutant"]
    ghg_only = ghg[~ghg.index.isin(pol["key_id"])].reset_index()
    lonely = pd.concat([pol_only, ghg_only], ignore_index=True)
    lonely = lonely.assign(value=lonely["basis_amount"], reference=np.nan, diff_pct=np.nan,
                           result=np.where(lonely["basis_amount"] == 0, "pass", t["missing"]))
    out = pd.concat([rows, lonely], ignore_index=True).sort_values(KEY_COLUMNS, kind="stable")
    out["category"] = key_label(out["category"], out["activity"], out["technology"])
    out["check"] = NAME
    return out.reset_index(drop=True)[CHECK_COLUMNS]
