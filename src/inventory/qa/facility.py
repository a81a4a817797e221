"""Facility-reported emissions against the factor-based estimate of the same activity (issue 5).

Grading. Reported facilities usually cover part of a category, so the rule is reported ≤
estimate. Per region, year, category (activity where the facility sheet names one) and
substance, with diff = (reported − estimate) / |estimate| (qa.grading):
- coverage `full` (some row of the group says the facilities are the whole category): the two
  should agree; |diff| graded against `warn` and `fail`;
- coverage `partial` (default): only an excess counts; max(diff, 0) graded against `warn` and
  `fail`, so reported below the estimate passes;
- no estimate (0 t or no row) while the facilities report an emission: no difference, warn.
The estimate of a category is the sum over it and its descendants (memo items left out), of
the named activity only when the facility rows name one. Facilities of regions that the build
does not report (e.g. prefectures read only for a province's aggregation) are not compared.

Plant-level data (IPCC Tier 3, DESIGN 3.3): a row with the plant's activity amount is part of the
inventory, its reported emission is the inventory's figure for its activity, so it is not compared
(the report's plant-coverage table says so). Like is compared with like: the rows without amounts
are compared with the factor-based estimate of the activity no plant data covers, i.e. without the
named plants' T3 rows and without the confidential plants' reported emissions folded into the
region's rest row (methods.tier3). A confidential plant is never compared: a check row of it alone
would show its numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories
from inventory.read.facility import PLANT_KEY, plants_with_amounts, region_rows_for
from inventory.qa.keys import key_label
from inventory.qa.grading import difference_pct, grade
from inventory.result import CHECK_COLUMNS

NAME = "facility"
DEFAULT_THRESHOLDS = {"warn": 0.10, "fail": 0.30}
_KEY = ["region", "year", "category", "activity", "substance"]


def in_inventory_or_confidential(facility: pd.DataFrame) -> pd.Series:
    """True for the facility rows no check compares: a plant with an activity amount (part of the inventory,
    IPCC Tier 3) or a confidential one (its numbers appear in no output, DESIGN 3.3)."""
    out = pd.Series(False, index=facility.index)
    if "amount" in facility:
        out |= facility["amount"].notna()
    if "confidential" in facility:
        out |= facility["confidential"].fillna(False).astype(bool)
    return out


def reported_by_key(facility: pd.DataFrame) -> pd.DataFrame:
    """Facility emissions summed per region, year, category, activity ("" = all) and substance:
    `value` (t), `full` (True when some row declares full coverage), `facilities` (count)."""
    return facility.groupby(_KEY, sort=True).agg(
        value=("emission", "sum"), full=("coverage", lambda c: bool((c == "full").any())),
        facilities=("facility", "nunique")).reset_index()


def estimate_under(emissions: pd.DataFrame, wanted: pd.DataFrame, column: str = "emission") -> pd.Series:
    """The estimate (t) for each row of `wanted` (region, year, category, activity, substance):
    the sum of `column` over the category and its descendants, of the activity when one is
    named (memo items left out). Aligned with `wanted`; NaN where nothing is estimated."""
    e = emissions[emissions["kind"] != "memo"]
    if column != "emission":
        e = e.drop(columns="emission", errors="ignore").rename(columns={column: "emission"})
    cats = [(ec, wc) for ec in e["category"].unique() for wc in wanted["category"].unique()
            if wc in categories.ancestors(ec)]
    pairs = pd.DataFrame(cats, columns=["category", "wanted_category"])
    under = e.merge(pairs, on="category").drop(columns="category").rename(columns={"wanted_category": "category"})
    by_activity = under.groupby(_KEY, sort=False)["emission"].sum().rename("by_activity").reset_index()
    whole = under.groupby(["region", "year", "category", "substance"], sort=False)["emission"].sum()
    out = wanted[_KEY].merge(by_activity, on=_KEY, how="left").merge(
        whole.rename("whole").reset_index(), on=["region", "year", "category", "substance"], how="left")
    return pd.Series(np.where(wanted["activity"].to_numpy() == "", out["whole"].to_numpy(), out["by_activity"].to_numpy()),
                     index=wanted.index)


def facility_vs_estimate(facility: pd.DataFrame, emissions: pd.DataFrame,
                         thresholds: dict | None = None, activity: pd.DataFrame | None = None) -> pd.DataFrame:
    """checks.csv rows: value = facility-reported emission (t) of the rows without an activity amount,
    reference = the factor-based estimate of the activity plant data do not cover (t; see the module
    docstring; `activity` = the validated activity rows, to place confidential plants), diff_pct =
    (reported − estimate) / |estimate| × 100; the category cell names the activity when the facility rows
    do (`1.A.1.a/raw_coal`). Grading: see the module docstring."""
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    if facility is None or facility.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    facility = facility[facility["region"].isin(set(emissions["region"]))]  # regions not built are not compared
    tier3 = facility["amount"].notna() if "amount" in facility else pd.Series(False, index=facility.index)
    compared = facility[~in_inventory_or_confidential(facility)]
    if compared.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    rep = reported_by_key(compared)
    factor_based = emissions[emissions["tier"] != "T3"] if "tier" in emissions else emissions
    folded = estimate_under(_confidential_rows(facility[tier3], activity), rep)
    rep["reference"] = estimate_under(factor_based, rep) - folded.fillna(0.0)
    rep["diff_pct"] = difference_pct(rep["value"], rep["reference"])
    rep["result"] = grade(rep["value"], rep["reference"], t["warn"], t["fail"], excess_only=~rep["full"])
    rep["category"] = key_label(rep["category"], rep["activity"])
    rep["check"] = NAME
    return rep[CHECK_COLUMNS]


def _confidential_rows(plants: pd.DataFrame, activity: pd.DataFrame | None) -> pd.DataFrame:
    """The confidential plants' reported emissions (t) as emission rows at the region row's category they
    are folded into (read.facility.region_rows_for): what methods.tier3 added to the factor-based rest."""
    columns = ["region", "year", "category", "activity", "substance", "emission", "kind"]
    conf = plants[plants["confidential"]] if len(plants) else plants
    if conf.empty or activity is None or activity.empty:
        return pd.DataFrame(columns=columns)
    where = region_rows_for(plants_with_amounts(conf), activity).drop_duplicates([*PLANT_KEY, "region_category"])
    rows = conf.merge(where[[*PLANT_KEY, "region_category"]], on=PLANT_KEY)
    return rows.drop(columns="category").rename(columns={"region_category": "category"}).assign(kind="")[columns]
