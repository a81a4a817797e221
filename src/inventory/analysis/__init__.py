"""Analyses over a built inventory (DESIGN 3.9): uncertainty, key categories, co-control and targets;
run_analyses runs those whose inputs a build has."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory.analysis.ccd import ccd
from inventory.analysis.cocontrol import COCONTROL_COLUMNS, cocontrol
from inventory.analysis.key_categories import KEY_CATEGORY_COLUMNS, key_categories
from inventory.analysis.targets import TARGET_COLUMNS, load_targets, track_targets
from inventory.analysis.uncertainty import (
    UNCERTAINTY_COLUMNS, UncertaintyResult, analyse_uncertainty, approach1, approach1_trend, monte_carlo,
    row_uncertainties,
)
from inventory import memory
from inventory.grouped import coded

__all__ = [
    "COCONTROL_COLUMNS", "KEY_CATEGORY_COLUMNS", "TARGET_COLUMNS", "UNCERTAINTY_COLUMNS", "UncertaintyResult",
    "analyse_uncertainty", "approach1", "approach1_trend", "cocontrol", "key_categories", "load_targets",
    "monte_carlo", "row_uncertainties", "run_analyses", "track_targets",
]


def run_analyses(emissions: pd.DataFrame, factor_table: pd.DataFrame, params: pd.DataFrame, draws: int,
                 seed: int, activity: pd.DataFrame | None = None, targets: pd.DataFrame | None = None,
                 indicator_table: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The analyses whose inputs the build has (DESIGN 3.9), by name: key categories always; uncertainty
    (Approach 1 and Monte Carlo, `draws` draws from `seed`) when any row's activity and factor uncertainty
    are known; co-control indicators when a region has two years; target tracking when targets are given
    (activity: the activity rows with the statistics, for the targets' denominators; indicator_table: the
    build's `indicators` figure table, read by targets of kind `indicator`)."""
    # Activity uncertainty comes only from `uncertainty.activity` rows: without them nothing is known.
    has_activity_uncertainty = len(params) > 0 and params["name"].eq("uncertainty.activity").any()
    uncertainty = (analyse_uncertainty(emissions, factor_table, params, draws=draws, seed=seed).table
                   if has_activity_uncertainty else pd.DataFrame())
    rows = row_uncertainties(emissions, factor_table, params, kinds=("emission", "sink")) if len(uncertainty) else None
    out = {"key_categories": key_categories(emissions, rows)}
    memory.give_back()  # each analysis's freed temporaries returned before the next one (issue 14)
    if len(uncertainty):
        out["uncertainty"] = uncertainty
    if len(emissions) and _several_years(emissions):
        out["cocontrol"] = cocontrol(emissions)
        memory.give_back()
        table = ccd(emissions, indicator_table)
        if len(table):
            out["ccd"] = table
    if targets is not None:
        stat = activity if activity is not None else pd.DataFrame(columns=["region", "year", "category", "activity",
                                                                          "amount"])
        out["targets"] = track_targets(targets, emissions, stat, indicator_table)
    return out


def _several_years(emissions: pd.DataFrame) -> bool:
    """True when some region has more than one year (by the coded columns, inventory.grouped)."""
    c = coded(emissions)
    region, _ = c.code("region")
    year, _ = c.code("year")
    known = (region >= 0) & (year >= 0)
    pairs = np.unique(region[known].astype(np.int64) * (int(year.max()) + 1) + year[known])
    return bool(len(pairs)) and np.bincount(pairs // (int(year.max()) + 1)).max() > 1
