"""Most-specific-wins resolution of factors and parameters for activity keys (DESIGN 3.4).

For each key (region, year, category, activity, technology) and parameter name the
candidates are compared by: level (local rows > user directories > shipped tables),
activity (named over any), region (own, parent, CN, empty), technology (matching
one of the row's ids over none), category (own over an ancestor's), year (a range
containing the year over an open one). Work is done on whole columns: array lookups over integer codes
of the keys' distinct values and the table's columns (no Python loop per key).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, regions
from inventory.factors.load import LOCAL
from inventory.lookup import join_groups, map_distinct

KEY_COLUMNS = ["region", "year", "category", "activity", "technology"]
_ORDER = ["level", "act_score", "region_score", "tech_score", "cat_score", "year_score"]


def local_to_long(params: pd.DataFrame) -> pd.DataFrame:
    """Local parameter rows (Inputs.params) in the shape of the loaded factor table, at level LOCAL."""
    if params.empty:
        return pd.DataFrame()
    year = params["year"].astype("Float64").astype(float)
    return pd.DataFrame({
        "factor_id": params["factor_id"], "name": params["name"], "category": params["category"],
        "activity": params["activity"], "technology": params["technology"], "region": params["region"],
        "year_from": year, "year_to": year, "value": params["value"], "basis": params["basis"],
        "unit": params["unit"], "method": np.where(params["basis"] == "share", "share_of_PM2.5", "ef"),
        "source": params["source"], "source_detail": "local parameter row",
        "uncertainty_low_pct": np.nan, "uncertainty_high_pct": np.nan, "level": LOCAL, "file": "", "line": 0,
    })


def _chain(region: str) -> list[str]:
    """A region's chain; a class region (`~>430000>CN`, see class_positions) is its own chain."""
    return region.split(">") if ">" in region or region.startswith("~") else regions.chain(region)


def _region_options(code: str):
    chain = _chain(code)
    return [(c, len(chain) - i + 1) for i, c in enumerate(chain) if c != "~"] + [("", 1)]


def _category_options(code: str):
    anc = categories.ancestors(code)
    return [(c, len(anc) - i) for i, c in enumerate(anc)] + [("", 0)]


def _technology_options(tech: str):
    return [(t, 1) for t in tech.split("+") if t] + [("", 0)]


_MATCH = ["name", "activity", "region", "category", "technology", "year_from", "year_to", "level"]


def candidates(keys: pd.DataFrame, table: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """Every factor/parameter row that applies to each key, with its specificity scores.

    keys: KEY_COLUMNS plus `key_id` (one row per key_id). table: the long factor table (load.load_all plus
    local_to_long). Returns one row per (key_id, candidate) with the table's columns: key_id, p_activity,
    act_score, p_category, cat_score, name, p_region, p_technology, year_from, year_to, level, tid (the
    row's position in the table of `names`), region_score, tech_score, year_score and the table's other
    columns; keys in their order, each key's rows by activity option (own, then any), category option
    (own, then ancestors, then none), then table order: the rows and order of joins of the keys' options
    with the table, found by array lookups over integer codes (`_options`, `_pairs`).
    When keys and table both have a column `group`, a key takes only the rows of its own group (the
    resolution of several parameter names, each over its own classes, in one pass: `with_parameters`).
    A local row (level LOCAL) applies only in the key's own region (`_chain(region)[0]`).
    """
    table = of_names(table, names)
    table = table[table["activity"].isin(set(pd.unique(keys["activity"])) | {""})].reset_index(drop=True)
    key, tid, act_score, cat_score = _activity_category_rows(keys, table)
    if "group" in keys and "group" in table:
        same = keys["group"].to_numpy()[key] == table["group"].to_numpy()[tid]
        key, tid, act_score, cat_score = key[same], tid[same], act_score[same], cat_score[same]
    scores = {}
    for column, options in (("region", _region_options), ("technology", _technology_options)):
        at, score = _option_join(keys[column], table[column], options, key, tid)
        key, tid, act_score, cat_score = key[at], tid[at], act_score[at], cat_score[at]
        scores = {c: v[at] for c, v in scores.items()}
        scores[column] = score
    year = keys["year"].to_numpy()[key]
    year_from, year_to = table["year_from"].to_numpy(dtype=float)[tid], table["year_to"].to_numpy(dtype=float)[tid]
    in_years = (np.isnan(year_from) | (year_from <= year)) & (np.isnan(year_to) | (year_to >= year))
    level = table["level"].to_numpy()[tid]
    own = map_distinct(keys["region"], lambda r: _chain(r)[0]).to_numpy(dtype=object)[key]
    own_region_only = (level < LOCAL) | (table["region"].to_numpy(dtype=object)[tid] == own)
    keep = in_years & own_region_only
    key, tid = key[keep], tid[keep]
    match = table[_MATCH].take(tid).reset_index(drop=True)
    cand = pd.DataFrame({"key_id": keys["key_id"].to_numpy()[key], "p_activity": match["activity"],
                         "act_score": act_score[keep], "p_category": match["category"], "cat_score": cat_score[keep],
                         "name": match["name"], "p_region": match["region"], "p_technology": match["technology"],
                         "year_from": match["year_from"], "year_to": match["year_to"], "level": match["level"],
                         "tid": tid.astype(np.int64), "region_score": scores["region"][keep],
                         "tech_score": scores["technology"][keep]})
    cand["year_score"] = (cand["year_from"].notna() | cand["year_to"].notna()).astype(int)
    rest = table.drop(columns=[c for c in _MATCH if c not in ("name", "level")] + ["name", "level"]
                      + (["group"] if "group" in table else []))
    return pd.concat([cand, rest.take(tid).reset_index(drop=True)], axis=1)


def _options(values: pd.Series, vocabulary: pd.Series, options) -> tuple[np.ndarray, tuple]:
    """The options of each distinct value of a key column as codes into the table column's values.

    Returns (code of each key's value, (start, count) of each distinct value's options in the flat arrays,
    flat option codes into `vocabulary`'s distinct values (-1: not in the table), flat scores).
    `options(value)` gives [(option, score), ...] in order of preference, once per distinct value."""
    codes, uniques = pd.factorize(values)
    lists = [options(v) for v in uniques]
    count = np.array([len(o) for o in lists], dtype=np.int64)
    flat = [o for opts in lists for o, _ in opts]
    score = np.array([sc for opts in lists for _, sc in opts], dtype=np.int64)
    where = pd.Index(pd.unique(vocabulary.dropna())).get_indexer(pd.Index(flat, dtype=object))
    return codes, (np.cumsum(count) - count, count), where.astype(np.int64), score


def combined_codes(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One integer per row for its tuple of codes (parts: each column's codes from pd.factorize, -1 for a
    missing cell, and its number of values): equal tuples, equal integers."""
    combined, size = np.zeros(len(parts[0][0]) if parts else 0, dtype=np.int64), 1
    for codes, n in parts:
        if size * (n + 1) >= 2 ** 62:  # renumber before the product could overflow
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
        combined, size = combined * (n + 1) + codes + 1, size * (n + 1)
    return combined


def first_rows(combined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(number of each row's value, numbered in order of first appearance; the position of the first row
    of each number): `drop_duplicates` on integer codes."""
    number, uniques = pd.factorize(combined)
    first = np.empty(len(uniques), dtype=np.int64)
    first[number[::-1]] = np.arange(len(number))[::-1]
    return number, first


def _pairs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with left[i] == right[j]: i ascending, each i's j in order (an inner join of two integer
    code columns, the order of a merge keeping the left order)."""
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    low, high = np.searchsorted(ordered, left, "left"), np.searchsorted(ordered, left, "right")
    count = high - low
    i = np.repeat(np.arange(len(left)), count)
    within = np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count)
    return i, order[np.repeat(low, count) + within]


def _activity_category_rows(keys: pd.DataFrame, table: pd.DataFrame):
    """(key position, table row, act_score, cat_score) of the table rows each key's activity and category
    options select, keys in order, then activity option, category option, table row. A local row is
    matched on the key's own region as well: matched on activity and category alone, every key class would
    meet every region's local rows (national scale: 3,916 classes x 28,460 local rows)."""
    a_codes, (a_start, a_count), a_flat, a_score = _options(keys["activity"], table["activity"],
                                                            lambda a: [(a, 1), ("", 0)])
    c_codes, (c_start, c_count), c_flat, c_score = _options(keys["category"], table["category"], _category_options)
    na, nc = a_count[a_codes], c_count[c_codes]
    n = na * nc
    key = np.repeat(np.arange(len(keys)), n)
    within = np.arange(len(key)) - np.repeat(np.cumsum(n) - n, n)
    a_at = a_start[a_codes][key] + within // nc[key]
    c_at = c_start[c_codes][key] + within % nc[key]
    act, cat = a_flat[a_at], c_flat[c_at]
    ok = (act >= 0) & (cat >= 0)
    key, act, cat, a_at, c_at = key[ok], act[ok], cat[ok], a_at[ok], c_at[ok]
    t_act = _codes_in(table["activity"])
    t_cat = _codes_in(table["category"])
    n_cat = int(t_cat.max()) + 2 if len(t_cat) else 1
    local = table["level"].to_numpy() == LOCAL
    shared_rows = np.flatnonzero(~local & (t_act >= 0) & (t_cat >= 0))
    option, at = _pairs(act * n_cat + cat, t_act[shared_rows] * n_cat + t_cat[shared_rows])
    tid = shared_rows[at]
    if local.any():
        t_reg = _codes_in(table["region"])
        own = pd.Index(pd.unique(table["region"].dropna())).get_indexer(
            map_distinct(keys["region"], lambda r: _chain(r)[0]).to_numpy(dtype=object))[key]
        local_rows = np.flatnonzero(local & (t_act >= 0) & (t_cat >= 0) & (t_reg >= 0))
        n_reg = int(t_reg.max()) + 2
        mine, at = _pairs(np.where(own >= 0, (act * n_cat + cat) * n_reg + own, -1),
                          (t_act[local_rows] * n_cat + t_cat[local_rows]) * n_reg + t_reg[local_rows])
        option, tid = np.concatenate([option, mine]), np.concatenate([tid, local_rows[at]])
        order = np.lexsort((tid, option))
        option, tid = option[order], tid[order]
    return key[option], tid, a_score[a_at[option]], c_score[c_at[option]]


def _codes_in(column: pd.Series) -> np.ndarray:
    """Codes of a table column into its distinct values (in order of appearance; -1 for a missing cell)."""
    return pd.factorize(column)[0].astype(np.int64)


def _option_join(values: pd.Series, column: pd.Series, options, key: np.ndarray, tid: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The (key, table row) pairs whose table value is one of the key's options, with its score: (positions
    into the pairs, each as often as the option occurs, in order; the scores)."""
    codes, (start, count), flat, score = _options(values, column, options)
    table_codes = _codes_in(column)
    width = int(table_codes.max()) + 2 if len(table_codes) else 1
    owner = np.repeat(np.arange(len(count)), count)
    table_code = table_codes[tid]
    left = np.where(table_code >= 0, codes[key] * width + table_code, -1)
    right = np.where(flat >= 0, owner * width + flat, -2)
    at, option = _pairs(left, right)
    return at, score[option]


def key_codes(keys: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per KEY_COLUMNS column of `keys`: (integer code of each row, the distinct values the codes index),
    so that resolution works on array lookups over codes, each distinct value handled once."""
    out = {}
    for column in KEY_COLUMNS:
        codes, uniques = pd.factorize(keys[column], use_na_sentinel=False)
        out[column] = (codes.astype(np.int64), np.asarray(uniques, dtype=object))
    return out


def class_positions(codes: dict[str, tuple[np.ndarray, np.ndarray]], table: pd.DataFrame
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    """Group keys that must resolve alike, so that resolution costs per class, not per activity row.

    codes: `key_codes` of the keys. A key's region matters only through the members of its chain that the
    table names (own region, parent, CN): the class region is that chain, `~` standing first when the own
    region has no rows of its own. The year matters only when a row is year-bound. The category matters only
    through its nearest ancestor the table names (the candidates and their scores are those of that
    ancestor), the technology only through the device ids the table names. Each rule is applied once per
    distinct value and mapped onto the keys by code. Returns (classes: KEY_COLUMNS and `key_id` = class
    number, numbered in order of first appearance; the class number of each key).
    """
    named_categories = set(table["category"]) - {""}
    named_devices = {d for t in set(table["technology"].fillna("")) for d in t.split("+") if d}
    present = set(table["region"])
    rules = {
        "category": lambda c: next((a for a in categories.ancestors(c or "") if a in named_categories), ""),
        "technology": lambda t: "+".join(d for d in (t or "").split("+") if d in named_devices),
        "region": lambda r: ">".join(([] if r in present else ["~"]) + [c for c in regions.chain(r) if c in present]),
    }
    columns = {}
    for column, rule in rules.items():
        row_codes, uniques = codes[column]
        class_codes, class_values = pd.factorize(np.array([rule(v) for v in uniques], dtype=object))
        columns[column] = (class_codes[row_codes], np.asarray(class_values, dtype=object))
    columns["activity"] = codes["activity"]
    region_codes, region_values = codes["region"]
    activity_codes, activity_values = codes["activity"]
    bound = table[table["year_from"].notna() | table["year_to"].notna()]
    local = bound["level"] == LOCAL
    every_region = set(bound.loc[~local, "activity"])  # shipped/user year-bound rows apply in every region
    pairs = set(zip(bound.loc[local, "region"], bound.loc[local, "activity"]))
    any_activity = {r for r, a in pairs if a == ""}
    needs = _needs_year(pd.Index(region_values, dtype=object), pd.Index(activity_values, dtype=object),
                        every_region, pairs, any_activity)
    year_codes, year_values = codes["year"]
    year = np.where(needs[region_codes, activity_codes], year_values.astype(np.int64)[year_codes], 0)
    columns["year"] = pd.factorize(year)
    combined = np.zeros(len(year), dtype=np.int64)
    for column in KEY_COLUMNS:
        combined = combined * (len(columns[column][1]) + 1) + columns[column][0]
    position, first = pd.factorize(combined)
    first_row = np.zeros(len(first), dtype=np.int64)
    first_row[position[::-1]] = np.arange(len(position))[::-1]
    classes = pd.DataFrame({column: np.asarray(columns[column][1], dtype=object)[columns[column][0][first_row]]
                            for column in KEY_COLUMNS})
    classes["year"] = classes["year"].astype(np.int64)
    classes.insert(0, "key_id", np.arange(len(first)))
    return classes, position


def _needs_year(regions_: pd.Index, activities: pd.Index, every_region: set, pairs: set, any_activity: set
                ) -> np.ndarray:
    """Whether a key's year matters, per (region, activity) of the distinct values (a boolean matrix): a
    year-bound shipped/user row for the activity or for any (`every_region`), or a year-bound local row of
    the region for the activity (`pairs`) or for any activity (`any_activity`). Set by whole rows, columns
    and cells, not per pair."""
    needs = np.full((len(regions_), len(activities)), "" in every_region, dtype=bool)
    needs[:, activities.isin(list(every_region))] = True
    needs[regions_.isin(list(any_activity)), :] = True
    if pairs:
        r_at = regions_.get_indexer([r for r, _ in pairs])
        a_at = activities.get_indexer([a for _, a in pairs])
        known = (r_at >= 0) & (a_at >= 0)
        needs[r_at[known], a_at[known]] = True
    return needs


def resolve_by_class(keys: pd.DataFrame, table: pd.DataFrame, names: list[str] | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """resolve() on resolution classes: (winners with key_id = class_id, key_id -> class_id)."""
    table = of_names(table, names)
    classes, position = class_positions(key_codes(keys), table)
    return resolve_keys(classes, table), pd.DataFrame({"key_id": keys["key_id"].to_numpy(), "class_id": position})


def of_names(table: pd.DataFrame, names: list[str] | None) -> pd.DataFrame:
    """The rows of the table for the parameter names (a name `ef` takes `ef.CO2`, `ef.SO2`...); all when None.
    Each distinct name is tested once and the answer taken onto the rows by code."""
    if names is None:
        return table
    codes, uniques = pd.factorize(table["name"])
    prefixes = tuple(n + "." for n in names)
    wanted = np.array([u in names or u.startswith(prefixes) for u in uniques] + [False], dtype=bool)
    return table[wanted[codes]]


def resolve(keys: pd.DataFrame, table: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """The winning value per key and parameter name (see resolve_keys), computed once per resolution class."""
    won, key_class = resolve_by_class(keys, table, names)
    return key_class.merge(won.rename(columns={"key_id": "class_id"}), on="class_id").drop(columns="class_id")


def resolve_keys(keys: pd.DataFrame, table: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """The winning value per key and parameter name.

    Returns key_id, name, value, basis, method, factor_id, level, uncertainty_low_pct,
    uncertainty_high_pct. Removal efficiencies of several control devices on one
    substance combine as 1 - prod(1 - eta_i); a removal-efficiency row without a
    technology replaces the devices' combination.
    """
    cand = candidates(keys, table, names)
    # sort_values(["key_id", "name", *_ORDER], descending scores, stable) as one lexsort over integer codes
    name_codes, name_values = pd.factorize(cand["name"], sort=True)
    key = cand["key_id"].to_numpy()
    order = np.lexsort([-cand[c].to_numpy() for c in reversed(_ORDER)] + [name_codes, key])
    cand, key, name_codes = cand.take(order), key[order], name_codes[order]
    is_re = np.array([str(n).startswith("removal_efficiency.") for n in name_values], dtype=bool)[name_codes]
    first = np.ones(len(cand), dtype=bool)  # the first row of each (key_id, name): the winner
    first[1:] = (key[1:] != key[:-1]) | (name_codes[1:] != name_codes[:-1])
    best = cand[~is_re & first]
    columns = ["key_id", "name", "value", "basis", "method", "factor_id", "level",
               "uncertainty_low_pct", "uncertainty_high_pct"]
    return pd.concat([best[columns], _combine_removal(cand[is_re])[columns]], ignore_index=True)


def _combine_removal(cand: pd.DataFrame) -> pd.DataFrame:
    """One removal efficiency per key and substance from the best row per control device."""
    if cand.empty:
        return pd.DataFrame(columns=["key_id", "name", "value", "basis", "method", "factor_id", "level",
                                     "uncertainty_low_pct", "uncertainty_high_pct"])
    per_device = cand.drop_duplicates(["key_id", "name", "p_technology"])
    override = per_device[per_device["p_technology"] == ""].drop_duplicates(["key_id", "name"])
    devices = per_device[per_device["p_technology"] != ""]
    devices = devices.merge(override[["key_id", "name"]], on=["key_id", "name"], how="left", indicator=True)
    devices = devices[devices["_merge"] == "left_only"].assign(keep=lambda d: 1 - d["value"])
    group = devices.groupby(["key_id", "name"], sort=False)
    combined = group.agg(keep=("keep", "prod"), factor_id=("factor_id", "first"), level=("level", "max"),
                         devices=("factor_id", "size")).reset_index()
    several = combined["devices"] > 1  # join ids in Python only where several devices act on one substance
    if several.any():
        multi = devices.merge(combined.loc[several, ["key_id", "name"]], on=["key_id", "name"])
        joined = join_groups(multi, ["key_id", "name"], "factor_id")
        combined = combined.set_index(["key_id", "name"])
        combined.loc[joined.index, "factor_id"] = joined
        combined = combined.reset_index()
    combined["value"] = 1 - combined["keep"]
    combined["basis"], combined["method"] = "", ""
    combined["uncertainty_low_pct"] = combined["uncertainty_high_pct"] = np.nan
    return pd.concat([override, combined], ignore_index=True)
