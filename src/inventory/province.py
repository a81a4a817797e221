"""Regions and their parts (DESIGN 3.1, 3.6): a region's own rows, or the sum of its parts, at every level."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from inventory import categories, regions
from inventory.lookup import categorical, concat_coded, constant

GROUP = ["year", "category", "activity", "technology", "substance"]


def parents_bottom_up(present: set[str]) -> list[list[str]]:
    """The regions above those `present` (country excluded), grouped by level, deepest first: the order in
    which each is its own rows or the sum of its parts (DESIGN 3.1, 3.6)."""
    depth: dict[str, int] = {}
    for code in present:
        line = regions.chain(code) if code in regions.table().index else [code]
        for i, above in enumerate(line[1:], start=1):
            if regions.table().at[above, "level"] != "country":
                depth[above] = len(line) - i
    levels: dict[int, list[str]] = {}
    for code, d in depth.items():
        levels.setdefault(d, []).append(code)
    return [sorted(levels[d]) for d in sorted(levels, reverse=True)]


def roll_up(rows: pd.DataFrame, has_own: Callable[[list[str], np.ndarray, pd.DataFrame], np.ndarray],
            combine: Callable[[pd.DataFrame], pd.DataFrame], reads: list[str] | None = None) -> pd.DataFrame:
    """Every region above the rows' regions as the sum of its parts where it has no rows of its own, level by
    level from the bottom up, so a prefecture without its own rows is the sum of its counties and the province
    the sum of its prefectures and the county-level units directly under it (DESIGN 3.1, 3.6).

    has_own(regions of the level, each row's region among them (positions), rows of their parts) marks, for
    a whole level at once, the rows its regions' own figures cover (never added on top of them): a bool array;
    it sees only the columns `reads` (all when None). combine(parts relabelled with the region's code) sums
    them. Returns the summed rows of every level.
    """
    done = []
    current = rows
    for level in parents_bottom_up(set(pd.unique(rows["region"]))):
        wanted = sorted(level)
        codes, present = pd.factorize(current["region"])
        # Each row's parent as its position in `wanted` (len(wanted) where it is not wanted): the rows of each
        # region above are taken in code order by one stable sort, each region's rows in their order.
        slot = {code: i for i, code in enumerate(wanted)}
        parent = np.array([slot.get(regions.parent(c), len(wanted)) for c in present], dtype=np.int64)[codes]
        order = np.argsort(parent, kind="stable")
        order = order[parent[order] < len(wanted)]
        probe = (current if reads is None else current[reads]).take(order).reset_index(drop=True)
        keep = ~np.asarray(has_own(wanted, parent[order], probe), dtype=bool)
        if keep.any():
            # The parents' codes as the region column (a Categorical where the rows' regions are one).
            label = (pd.Series(categorical(parent[order][keep], wanted))
                     if isinstance(current["region"].dtype, pd.CategoricalDtype)
                     else pd.array(np.array(wanted, dtype=object)[parent[order][keep]], dtype="str"))
            summed = combine(current.take(order[keep]).reset_index(drop=True).assign(region=label))
            done.append(summed)
            # The rows of this level's parts are done (a region has one parent, in one level): the next
            # levels see the rest and the sums, in the same order.
            current = concat_coded([current[parent == len(wanted)], summed])
    return concat_coded(done) if done else rows.iloc[:0]


def _own_categories(activity: pd.DataFrame, emissions: pd.DataFrame, present: set[str]
                    ) -> dict[str, dict[int, set[str]]]:
    """Per region above those `present` (parents_bottom_up): per year the categories of its own activity
    rows and of its own emission rows."""
    above = {code for level in parents_bottom_up(present) for code in level}
    columns = ["region", "year", "category"]
    rows = pd.concat([frame.loc[frame["region"].isin(above), columns] for frame in (activity, emissions)
                      if len(frame)] or [pd.DataFrame(columns=columns)], ignore_index=True)
    rows = rows[rows["year"].notna()].drop_duplicates()
    owned: dict[str, dict[int, set[str]]] = {}
    for region, year, category in zip(rows["region"], rows["year"], rows["category"]):
        owned.setdefault(region, {}).setdefault(int(year), set()).add(category)
    return owned


def group_codes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One integer per distinct combination of the columns' values (missing values a value of their own),
    numbered in order of first appearance, as `groupby(columns, sort=False, dropna=False).ngroup()`."""
    combined, span = np.zeros(len(frame), dtype=np.int64), 1
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):  # its own codes (missing: -1 -> 0): no factorisation
            codes, uniques = values.array.codes.astype(np.int64) + 1, range(len(values.dtype.categories) + 1)
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
        if span * (len(uniques) + 1) >= 2 ** 62:  # renumber only when the next column would not fit
            combined = pd.factorize(combined)[0].astype(np.int64)
            span = int(combined.max(initial=0)) + 1
        combined, span = combined * (len(uniques) + 1) + codes, span * (len(uniques) + 1)
    return pd.factorize(combined)[0].astype(np.int64)


def _joined_ids(rows: pd.DataFrame, group: np.ndarray, count: int) -> np.ndarray:
    """Per group (codes 0..count-1) the union of the rows' factor ids, `;`-joined and sorted, as a Categorical
    (lookup.categorical); a group whose parts all used one id list keeps that list as it is. Works on integer codes: each
    distinct list is split once, the (group, id) pairs made unique by one sort, and only the groups whose
    parts differ are joined in Python (one join each)."""
    ids, texts = pd.factorize(rows["factor_ids"], use_na_sentinel=False)
    texts = np.asarray(texts, dtype=object)
    width = len(texts) + 1
    pairs = pd.unique(group.astype(np.int64) * width + ids)
    pair_group, pair_ids = pairs // width, pairs % width
    out = np.full(count, -1, dtype=np.int64)  # codes into `texts`, then the joined texts after them
    out[pair_group] = pair_ids
    several = np.bincount(pair_group, minlength=count) > 1
    if not several.any():
        return categorical(out, texts)
    multi = several[pair_group]
    pair_group, pair_ids = pair_group[multi], pair_ids[multi]
    lists = [[x for x in t.split(";") if x] if isinstance(t, str) else [] for t in texts]
    length = np.array([len(x) for x in lists], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64)
    tokens, names = pd.factorize(np.array([x for lst in lists for x in lst], dtype=object))
    names = np.asarray(names, dtype=object)
    order = np.argsort(names, kind="stable")  # the ids' text order (Python's `sorted`)
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    per_pair = length[pair_ids]
    within = np.arange(int(per_pair.sum())) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    token_rank = rank[tokens[np.repeat(start[pair_ids], per_pair) + within]]
    combined = np.unique(np.repeat(pair_group, per_pair) * (len(names) + 1) + token_rank)
    owner, ranked = combined // (len(names) + 1), combined % (len(names) + 1)
    texts_sorted = names[order][ranked].tolist()
    bounds = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1], True]) if len(owner) else np.zeros(1, np.int64)
    joined = np.full(count, "", dtype=object)
    joined[owner[bounds[:-1]]] = [";".join(texts_sorted[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    out[several] = len(texts) + np.arange(int(several.sum()))
    return categorical(out, np.concatenate([texts, joined[several]]))


def add_aggregated(emissions: pd.DataFrame, activity: pd.DataFrame, built: set[str]) -> pd.DataFrame:
    """Mark every row `basis = own` and add, for each region above the computed ones (prefecture, province),
    the sum of its parts (`basis = aggregated`) for the categories in which it has no rows of its own, level
    by level (roll_up). `built` is kept for the caller's selection: regions not built are summed too, so a
    province sums its prefectures even when only their counties have rows.

    A region "has" a category in a year when it has activity rows at that category,
    an ancestor or a descendant. Rows of the parts are never added on top of own rows.
    """
    emissions = emissions.assign(basis=constant("own", len(emissions)))
    # A method may report a row in another category than the row's (indirect N2O of fertiliser in 3.C.5):
    # the categories of a region's own emissions are its own too. Found once for every region above.
    owned = _own_categories(activity, emissions, set(pd.unique(emissions["region"])))

    def has_own(wanted: list[str], parent: np.ndarray, sub: pd.DataFrame) -> np.ndarray:
        # Per distinct (region above, year, category) of the parts' rows, not per row nor per region: whether the
        # region has the category in the year (categories.is_related(c, o) for one of its own o: c is o or an
        # ancestor of one, or o is an ancestor of c).
        years, year_values = pd.factorize(sub["year"], use_na_sentinel=False)
        cats, cat_values = pd.factorize(sub["category"], use_na_sentinel=False)
        triple = (parent.astype(np.int64) * (len(year_values) + 1) + years) * (len(cat_values) + 1) + cats
        span = (len(wanted) + 1) * (len(year_values) + 1) * (len(cat_values) + 1)
        if span <= 4 * len(triple) + 4096:  # np.unique's result by marking a small span (no sort of the rows)
            present = np.zeros(span, dtype=bool)
            present[triple] = True
            distinct = np.flatnonzero(present)
            which = (np.cumsum(present) - 1)[triple]
        else:
            distinct, which = np.unique(triple, return_inverse=True)
        rest, cat = np.divmod(distinct, len(cat_values) + 1)
        region, year = np.divmod(rest, len(year_values) + 1)
        up: dict[tuple[str, int], set[str]] = {}

        def related(code: str, y: int, category: str) -> bool:
            mine = owned.get(code, {}).get(y, ())
            if not mine:
                return False
            if (code, y) not in up:
                up[(code, y)] = {a for o in mine for a in categories.ancestors(o)}
            return category in up[(code, y)] or any(a in mine for a in categories.ancestors(category))

        year_list, cat_list = list(year_values), [str(c) for c in np.asarray(cat_values, dtype=object)]
        flags = np.array([related(wanted[r], int(year_list[y]), cat_list[c])
                          for r, y, c in zip(region.tolist(), year.tolist(), cat.tolist())], dtype=bool)
        return flags[which] if len(which) else np.zeros(0, dtype=bool)

    def combine(parts: pd.DataFrame) -> pd.DataFrame:
        group = ["region", *GROUP]
        code = group_codes(parts, group)  # groups numbered in order of first appearance
        first = np.zeros(int(code.max(initial=-1)) + 1, dtype=np.int64)
        first[code[::-1]] = np.arange(len(code))[::-1]
        units, unit_texts = pd.factorize(parts["reported_unit"])
        agg = parts[group].iloc[first].reset_index(drop=True)
        # One groupby per aggregation: the amounts summed, the units' first value (as one groupby per column).
        sums = parts[["emission", "activity_amount", "reported_amount"]].groupby(code, sort=False).sum()
        for column in ("emission", "activity_amount", "activity_unit", "reported_amount", "reported_unit"):
            if column in sums:
                agg[column] = sums[column].reset_index(drop=True)
            elif parts[column].isna().any():  # a groupby's first: the first value that is not missing
                agg[column] = parts[column].groupby(code, sort=False).first().reset_index(drop=True)
            else:
                agg[column] = parts[column].iloc[first].reset_index(drop=True)
        # Mixed units: a group with a unit other than its first one (a groupby's nunique > 1, missing ones left out).
        valid = units >= 0
        reference = np.full(len(first), -1, dtype=np.int64)
        reference[code[valid][::-1]] = units[valid][::-1]
        mixed = np.bincount(code[valid & (units != reference[code])], minlength=len(first)) > 0
        if mixed.any():  # "" is a category of every Categorical of texts (lookup.categorical)
            agg["reported_amount"] = agg["reported_amount"].mask(mixed)
            agg["reported_unit"] = agg["reported_unit"].mask(mixed, "")
        agg["factor_ids"] = _joined_ids(parts, code, len(first))
        return agg.assign(basis=constant("aggregated", len(agg)))

    summed = roll_up(emissions, has_own, combine, ["year", "category"])
    return concat_coded([emissions, summed]) if len(summed) else emissions


STAT_COLUMNS = ["region", "year", "activity", "amount"]


def statistics(activity: pd.DataFrame, built: set[str]) -> pd.DataFrame:
    """The statistics rows (category `stat`: GDP in 元, population in 人) of the built regions, summed per
    region, year and activity; a built region without a statistic of its own in a year gets the sum of
    its parts' (the rule of add_aggregated at every level, each statistic standing for a category)."""
    stat = activity[activity["category"].isin(categories.with_role("statistic"))] if len(activity) else activity
    if stat.empty:
        return pd.DataFrame(columns=STAT_COLUMNS)
    own = stat.groupby(["region", "year", "activity"], as_index=False)["amount"].sum()

    def has_own(wanted: list[str], parent: np.ndarray, sub: pd.DataFrame) -> np.ndarray:
        mine = pd.MultiIndex.from_frame(own[["region", "year", "activity"]])
        above = np.asarray(wanted, dtype=object)[parent]
        return pd.MultiIndex.from_arrays([above, sub["year"], sub["activity"]]).isin(mine)

    summed = roll_up(own, has_own,
                     lambda parts: parts.groupby(["region", "year", "activity"], as_index=False)["amount"].sum())
    out = pd.concat([own, summed], ignore_index=True)
    return out[out["region"].isin(built)].reset_index(drop=True)


def with_statistics(activity: pd.DataFrame, stats: pd.DataFrame) -> pd.DataFrame:
    """The activity rows plus the statistics `statistics` summed for provinces without their own."""
    keys = ["region", "year", "activity"]
    own = (activity.loc[activity["category"].isin(categories.with_role("statistic")), keys] if len(activity)
           else pd.DataFrame(columns=keys))
    extra = stats[~pd.MultiIndex.from_frame(stats[keys]).isin(pd.MultiIndex.from_frame(own))]
    return pd.concat([activity, extra.assign(category=categories.statistics_code(), technology="")],
                     ignore_index=True) if len(extra) \
        else activity
