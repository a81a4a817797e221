"""Time-series consistency: year-to-year jumps per region, category and substance (issue 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory.grouped import coded
from inventory.qa.grading import difference_pct, grade
from inventory.result import CHECK_COLUMNS

NAME = "year_jump"
DEFAULT_THRESHOLDS = {"warn": 0.10, "fail": 0.30, "min_share": 0.01}
_GROUP = ["region", "category", "substance"]


def year_jump(emissions: pd.DataFrame, thresholds: dict | None = None) -> pd.DataFrame:
    """Relative change of each region's emission per category and substance between consecutive years.

    Years are those the region has in the build, so 2017 -> 2019 are consecutive when 2018 is
    absent; a category missing in one of them counts as 0 t. diff_pct = (E_y − E_prev) / |E_prev|
    × 100 (value = E_y, reference = E_prev, t); graded on |diff| against `warn` and `fail`
    (fractions) by qa.grading. A source that appears from 0 t has no difference: diff_pct empty,
    result warn.
    A category smaller than `min_share` (a fraction) of its region's total of the substance in both
    years is graded warn at most: a small source swings by large shares without moving the inventory.
    Memo items are left out.
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    counted = (emissions["kind"] != "memo").to_numpy()
    if not counted.any():
        return pd.DataFrame(columns=CHECK_COLUMNS)
    # Sums on the table's integer codes (inventory.grouped, shared with the figures), not on a copy of the
    # table: the same rows in the same order, grouped by one integer key of the codes (given as codes, so the
    # key is not kept with the table's), not by a frame of four code columns that pandas would factorise again
    # (issue 14: 711 of the check's 750 MiB at 1/8 of the national scenario).
    table = coded(emissions)
    by = [(c, *table.code(c)) for c in _GROUP + ["year"]]
    sums = table.group_sum(by, {"emission": emissions["emission"].to_numpy()}, counted, sort=False)
    region_years = emissions[["region", "year"]].take(coded(emissions).first_rows(["region", "year"], counted))
    grid = (sums[_GROUP].drop_duplicates().merge(region_years, on="region")
            .merge(sums, on=_GROUP + ["year"], how="left").fillna({"emission": 0.0}))
    grid = grid.sort_values(_GROUP + ["year"], kind="stable")
    grid["reference"] = grid.groupby(_GROUP, sort=False)["emission"].shift()
    grid["prev_year"] = grid.groupby(_GROUP, sort=False)["year"].shift()
    grid = grid.dropna(subset=["reference"]).rename(columns={"emission": "value"})
    grid["prev_year"] = grid["prev_year"].astype(int)
    grid["diff_pct"] = difference_pct(grid["value"], grid["reference"])
    grid["result"] = grade(grid["value"], grid["reference"], t["warn"], t["fail"])
    totals = sums.assign(emission=sums["emission"].abs()).groupby(["region", "substance", "year"])["emission"].sum()
    now = grid.join(totals.rename("total"), on=["region", "substance", "year"])["total"]
    before = grid.join(totals.rename("total"), on=["region", "substance", "prev_year"])["total"]
    small = (grid["value"].abs() < t["min_share"] * now) & (grid["reference"].abs() < t["min_share"] * before)
    grid["result"] = grid["result"].where(~(small & (grid["result"] == "fail")), "warn")
    grid["check"] = NAME
    return grid.reset_index(drop=True)[CHECK_COLUMNS]
