"""Emission methods, one module per sector (DESIGN 4).

Each method module exposes `handles(category: Series) -> bool Series` (the activity
rows it computes; a module that picks rows by more than their category exposes
`claims(activity: DataFrame) -> bool Series` instead) and `compute(activity, factor_table)
-> (emissions, not_estimated)` with the columns documented in `methods.energy.compute`.
`compute_all` hands each row to the first module that takes it (asked per distinct category and activity:
`claims` reads only those two columns); rows no module takes are not estimated. A module with `CODED_KEYS`
true gets the rows' region, category and activity as Categoricals (lookup.coded), the others as texts. The activity
may come with them, technology and quantity as Categoricals already (read.Inputs.coded_activity): they are then not
factorised again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, memory, vocabulary
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import as_texts, coded, concat_coded
from inventory.methods import agriculture, energy, indirect, industry, lulucf, pollutant_sources, waste

# Order matters only where two modules would claim the same rows: the first wins (electricity and heat
# at a consuming category go to `indirect` before `energy` sees their category).
METHODS = [indirect, energy, industry, agriculture, waste, lulucf, pollutant_sources]

# The activity columns the methods read (the rows' file, sheet, row and source are not handed to them).
METHOD_COLUMNS = KEY_COLUMNS + ["amount", "quantity", "history"]
EMISSION_FRAME_COLUMNS = KEY_COLUMNS + ["substance", "emission", "activity_amount", "activity_unit", "factor_ids",
                                       "reported_amount", "reported_unit"]


def compute_all(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emissions and not-estimated rows of every method over the validated activity table; the emissions' texts
    (region, category, activity, technology, substance, units, factor ids) as Categoricals (lookup.coded).

    Which module takes a row depends on its category and activity only: each module's `handles`/`claims`
    is asked once per distinct pair, and the rows are split by one integer per row (in their order); a module
    gets the columns of METHOD_COLUMNS only. Region, category, activity, technology and quantity may be Categoricals
    (of texts): the modules that take texts get them as texts (object columns; technology and quantity as `str`,
    as the activity table holds them). Freed memory is reused meanwhile
    (memory.reusing)."""
    with memory.reusing():
        return _compute_all(activity, factor_table)


def _compute_all(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """compute_all's work."""
    emissions, not_estimated = [], []
    columns = activity[[c for c in METHOD_COLUMNS if c in activity]]
    # The region, category and activity as Categoricals (one factorisation each, none where they are already):
    # what a module of CODED_KEYS gets, and the pairs' codes.
    as_codes = coded(columns, ["region", "category", "activity"])
    # Technology and quantity may come as Categoricals too (the read's): the modules that take texts get them as the
    # read's `str` columns, as the activity table holds them.
    to_str = {c: "str" for c in ("technology", "quantity")
              if c in columns and isinstance(columns[c].dtype, pd.CategoricalDtype)}

    def texts(frame: pd.DataFrame) -> pd.DataFrame:
        return as_texts(frame).astype(to_str) if to_str else as_texts(frame)

    # Each row's pair as one small integer (the two vocabularies' codes combined: a few thousand values at most),
    # the distinct pairs found by where each first occurs (no hashing of a million rows).
    pair, span = np.zeros(len(activity), dtype=np.int64), 1
    for column in ("category", "activity"):
        codes, size = as_codes[column].cat.codes.to_numpy(), len(as_codes[column].cat.categories)
        pair *= size + 1
        pair += np.where(codes < 0, size, codes)  # a missing value: a code of its own
        span *= size + 1
    first_of = np.full(span, len(pair), dtype=np.int64)
    first_of[pair[::-1]] = np.arange(len(pair))[::-1]
    present = np.flatnonzero(first_of < len(pair))
    present = present[np.argsort(first_of[present], kind="stable")]  # the pairs in order of first appearance
    pairs = as_texts(activity[["category", "activity"]].take(first_of[present]).reset_index(drop=True))
    taker = np.full(len(pairs), len(METHODS), dtype=np.int8)  # the first module that takes each pair
    for i, method in reversed(list(enumerate(METHODS)) if len(pairs) else []):
        takes = method.claims(pairs) if hasattr(method, "claims") else method.handles(pairs["category"])
        taker[takes.to_numpy(dtype=bool)] = i
    of_pair = np.full(span, len(METHODS), dtype=np.int8)
    of_pair[present] = taker
    taker = of_pair[pair]
    del pair, first_of
    for i, method in enumerate(METHODS):
        if (taker == i).any():  # the rows handed over, not kept here (nor their positions): a module may free them
            e, ne = method.compute(as_codes.take(np.flatnonzero(taker == i)) if getattr(method, "CODED_KEYS", False)
                                   else texts(columns.take(np.flatnonzero(taker == i))), factor_table)
            emissions.append(coded(with_reported(e)))
            not_estimated.append(ne)
    not_estimated.append(no_method(texts(columns.take(np.flatnonzero(taker == len(METHODS))))))
    emissions = [e for e in emissions if len(e)]
    frame = concat_coded(emissions) if emissions else pd.DataFrame(columns=EMISSION_FRAME_COLUMNS)
    ne = [n for n in not_estimated if len(n)]
    return frame, (concat_coded(ne) if ne else pd.DataFrame(columns=KEY_COLUMNS + ["substance", "reason"]))


def with_reported(emissions: pd.DataFrame) -> pd.DataFrame:
    """The amount as the workbook counted it (DESIGN 3.7 `reported_amount`, `reported_unit`): a method that
    applies no calorific value reports its activity amount; energy (methods.energy) sets its own."""
    if emissions.empty or "reported_amount" in emissions:
        return emissions
    return emissions.assign(reported_amount=emissions["activity_amount"], reported_unit=emissions["activity_unit"])


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
    return keys.assign(substance="", reason="ne_no_method")
