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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories
from inventory.qa.keys import key_label
from inventory.qa.grading import difference_pct, grade
from inventory.result import CHECK_COLUMNS

NAME = "facility"
DEFAULT_THRESHOLDS = {"warn": 0.10, "fail": 0.30}
_KEY = ["region", "year", "category", "activity", "substance"]


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
                         thresholds: dict | None = None) -> pd.DataFrame:
    """checks.csv rows: value = facility-reported emission (t), reference = the inventory's estimate
    (t), diff_pct = (reported − estimate) / |estimate| × 100; the category cell names the activity
    when the facility rows do (`1.A.1.a/raw_coal`). Grading: see the module docstring."""
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    if facility is None or facility.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    facility = facility[facility["region"].isin(set(emissions["region"]))]  # regions not built are not compared
    if facility.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    rep = reported_by_key(facility)
    rep["reference"] = estimate_under(emissions, rep)
    rep["diff_pct"] = difference_pct(rep["value"], rep["reference"])
    rep["result"] = grade(rep["value"], rep["reference"], t["warn"], t["fail"], excess_only=~rep["full"])
    rep["category"] = key_label(rep["category"], rep["activity"])
    rep["check"] = NAME
    return rep[CHECK_COLUMNS]
