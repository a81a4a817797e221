"""Substances an activity has default factors for only below the category it is given at.

A row keeps the level it is given at (DESIGN 3.2): fuel for transport as a whole (1.A.3, the energy
balance's 交通运输 row) takes no factor of 1.A.3.b, 1.A.3.c or 1.A.3.d, for want of a citable split of the
fuel over them. This module finds, per activity key, the substances that factor rows give the activity at
a sub-category while no row applies at the key's own level, so that `validate` and `build` warn about the
row and the not-estimated list says why those substances are missing. Work is done on integer codes of
the keys and joins over their distinct (category, activity) pairs and the factor table, never per
activity row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, regions, vocabulary
from inventory.errors import Problem
from inventory.factors.resolve import KEY_COLUMNS, candidates, combined_codes, first_rows, local_to_long
from inventory.lookup import map_distinct

CODE = "subcategory_factors_only"  # data/messages.csv: the warning on a row given above its factors
GAP_COLUMNS = KEY_COLUMNS + ["substance", "subcategories"]


def subcategory_only(keys: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Substances of each key that factor rows give only at sub-categories of the key's category.

    keys: KEY_COLUMNS (region, year, category, activity, technology), any number of rows.
    table: the long factor table (factors.load.load_all, local rows from resolve.local_to_long included).
    A substance counts when an `ef.X` row for the key's activity (or for any activity) lies at a strict
    descendant of the key's category, in the key's region, its parents, CN or every region, while no
    `ef.X` row applies to the key itself (resolve.candidates: the key's category or an ancestor, its
    technology or none). Returns GAP_COLUMNS, one row per distinct key and substance; `subcategories`
    names the highest such sub-categories, joined by ", ".
    """
    codes = {column: pd.factorize(keys[column]) for column in KEY_COLUMNS}
    first = first_rows(combined_codes([(codes[c][0], len(codes[c][1])) for c in KEY_COLUMNS]))[1]
    distinct = keys[KEY_COLUMNS].take(first).reset_index(drop=True)  # as drop_duplicates
    ef = table[table["name"].str.startswith("ef.") & (table["category"] != "")
               & table["activity"].isin(set(pd.unique(distinct["activity"])) | {""})]
    if distinct.empty or ef.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    distinct["key_id"] = distinct.index
    below = _rows_below(distinct, ef, combined_codes([(codes[c][0][first], len(codes[c][1]))
                                                 for c in ("category", "activity")]))
    if below.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    at = candidates(distinct[distinct["key_id"].isin(set(below["key_id"]))], table, ["ef"])
    applied = at[["key_id", "name"]].drop_duplicates().assign(_at=True)
    gaps = below.merge(applied, on=["key_id", "name"], how="left")
    gaps = gaps[gaps["_at"].isna()]
    if gaps.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    named = gaps.groupby(["key_id", "name"], sort=False)["subcategory"].agg(_highest).rename("subcategories")
    out = named.reset_index().merge(distinct, on="key_id")
    out["substance"] = out["name"].str.removeprefix("ef.")
    return out.sort_values(["key_id", "substance"], key=_substance_order).reset_index(drop=True)[GAP_COLUMNS]


def _rows_below(keys: pd.DataFrame, ef: pd.DataFrame, pair: np.ndarray) -> pd.DataFrame:
    """(key_id, name, subcategory) for every ef row at a strict descendant of the key's category that
    names the key's activity (or none) and applies in the key's region (pair: one integer per key for
    its category and activity).

    The rows are found once per distinct (category, activity) of the keys, and the regions checked only
    for the keys of a pair that has some (most have none), so the keys themselves are never joined whole."""
    rows = ef[["category", "activity", "region", "name"]].drop_duplicates()
    rows = rows.assign(key_category=map_distinct(rows["category"], lambda c: categories.ancestors(c)[1:]))
    rows = rows.explode("key_category").dropna(subset=["key_category"]).rename(
        columns={"category": "subcategory", "activity": "p_activity", "region": "p_region"})
    first = first_rows(pair)[1]
    pairs = keys[["category", "activity"]].take(first).reset_index(drop=True).assign(pair=pair[first])
    by_activity = pd.concat([pairs.assign(p_activity=pairs["activity"]), pairs.assign(p_activity="")])
    found = by_activity.merge(rows, left_on=["category", "p_activity"], right_on=["key_category", "p_activity"])
    if found.empty:
        return pd.DataFrame(columns=["key_id", "name", "subcategory"])
    at = np.flatnonzero(np.isin(pair, found["pair"].to_numpy()))
    mine = keys.take(at).assign(pair=pair[at])
    found = mine[["key_id", "region", "pair"]].merge(found[["pair", "p_region", "name", "subcategory"]], on="pair")
    allowed = pd.DataFrame([(r, p) for r in found["region"].unique() for p in [*regions.chain(r), ""]],
                           columns=["region", "p_region"])
    found = found.merge(allowed, on=["region", "p_region"])
    return found[["key_id", "name", "subcategory"]].drop_duplicates()


def _highest(codes) -> str:
    """The category codes that have no ancestor among the others, sorted, joined by ", "."""
    present = set(codes)
    return ", ".join(sorted(c for c in present if not set(categories.ancestors(c)[1:]) & present))


def _substance_order(column: pd.Series) -> pd.Series:
    """Sort key: substances in the vocabulary's order (CO2, CH4, N2O, ..., SO2, NOx, ...), other columns as they are."""
    if column.name != "substance":
        return column
    return column.map(_substance_rank)


def level_warnings(activity: pd.DataFrame, table: pd.DataFrame) -> list[Problem]:
    """Warnings (code `subcategory_factors_only`) on the input rows whose category lacks factors its
    sub-categories have: one per file and category, placed at the category's first row, naming the
    activities, the substances, the sub-categories and how many rows it covers.

    activity: validated activity rows (read.validate Inputs.activity: KEY_COLUMNS, file, sheet, row).
    """
    if activity.empty:
        return []
    gaps = subcategory_only(activity, table)
    if gaps.empty:
        return []
    per_key = gaps.groupby(KEY_COLUMNS, sort=False).agg(
        substances=("substance", lambda s: ", ".join(dict.fromkeys(s))),
        subcategories=("subcategories", lambda s: _highest(c for x in s for c in x.split(", ")))).reset_index()
    rows = activity.merge(per_key, on=KEY_COLUMNS).sort_values(["file", "sheet", "row"], kind="stable")
    problems = []
    for (file, category), group in rows.groupby(["file", "category"], sort=True):
        first = group.iloc[0]
        substances = dict.fromkeys(s for x in group["substances"] for s in x.split(", "))
        problems.append(Problem(
            CODE, file=file, sheet=first["sheet"], row=int(first["row"]),
            value=", ".join(dict.fromkeys(group["activity"])), severity="warning",
            params=(("category", category), ("rows", str(len(group))),
                    ("substances", ", ".join(sorted(substances, key=_substance_rank))),
                    ("subcategories", _highest(c for x in group["subcategories"] for c in x.split(", "))))))
    return problems


def _substance_rank(substance: str) -> int:
    """A substance's place in the vocabulary's order (unknown ones last)."""
    order = vocabulary.substances().index
    return order.get_loc(substance) if substance in order else len(order)


def add_level_warnings(inputs, factor_table: pd.DataFrame) -> None:
    """Append `level_warnings` of the inputs' activity rows to inputs.problems, in place (the list may be
    shared with a copy of the inputs), keeping problems in file, sheet and row order.

    inputs: read.Inputs; factor_table: shipped and user tables (load.load_all); the inputs' own local
    parameter rows are added here, as the build adds them.
    """
    table = pd.concat([factor_table, local_to_long(inputs.params)], ignore_index=True)
    inputs.problems.extend(level_warnings(inputs.activity, table))
    inputs.problems.sort(key=lambda p: (p.file, p.sheet, p.row or 0))
