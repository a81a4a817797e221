"""Emission methods, one module per sector (DESIGN 4).

Each method module exposes `handles(category: Series) -> bool Series` (the activity
rows it computes) and `compute(activity, factor_table) -> (emissions, not_estimated)`
with the columns documented in `methods.energy.compute`. `compute_all` hands each
row to the first module that handles it; rows no module handles are not estimated.
"""

from __future__ import annotations

import pandas as pd

from inventory import categories, vocabulary
from inventory.factors.resolve import KEY_COLUMNS
from inventory.methods import agriculture, energy, industry, lulucf, pollutant_sources, waste

# Order matters only where two modules would claim the same category: the first wins.
METHODS = [energy, industry, agriculture, waste, lulucf, pollutant_sources]

EMISSION_FRAME_COLUMNS = KEY_COLUMNS + ["substance", "emission", "activity_amount", "activity_unit", "factor_ids"]


def compute_all(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emissions and not-estimated rows of every method over the validated activity table."""
    emissions, not_estimated = [], []
    remaining = activity
    for method in METHODS:
        if remaining.empty:
            break
        mine = remaining[method.handles(remaining["category"])]
        remaining = remaining.drop(mine.index)
        if len(mine):
            e, ne = method.compute(mine, factor_table)
            emissions.append(e)
            not_estimated.append(ne)
    not_estimated.append(no_method(remaining))
    emissions = [e for e in emissions if len(e)]
    frame = (pd.concat(emissions, ignore_index=True) if emissions
             else pd.DataFrame(columns=EMISSION_FRAME_COLUMNS))
    ne = [n for n in not_estimated if len(n)]
    return frame, (pd.concat(ne, ignore_index=True) if ne else pd.DataFrame(columns=KEY_COLUMNS + ["substance", "reason"]))


def no_method(activity: pd.DataFrame) -> pd.DataFrame:
    """Rows of categories this version has no method for: listed as not estimated (NE).

    Statistics (categories of role `statistic`) and activities that are no source where used
    (statistics, secondary energy: `vocabulary.non_sources`) are not listed.
    """
    if activity.empty:
        return pd.DataFrame(columns=KEY_COLUMNS + ["substance", "reason"])
    rows = activity[~activity["activity"].isin(vocabulary.non_sources())
                    & ~activity["category"].isin(categories.with_role("statistic"))]
    keys = rows[KEY_COLUMNS].drop_duplicates()
    return keys.assign(substance="", reason="no method for this category in this version")
