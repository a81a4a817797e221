"""Control penetration (DESIGN 3.4): the share of a key's activity behind each control technology.

Default pollutant factors are uncontrolled. For a key whose workbook names no control device (a combustion
or process technology alone counts as none) and that has no removal efficiency of its own, each pollutant's
factor becomes the share-weighted mean over its control group's technologies of factor × (1 − η), the rest
of the activity uncontrolled: EF_eff = EF × (1 − Σ_t s_t η_t) (T/CSES 144-2024 eq. 2 per technology). The
groups (SO2, NOx, PM) combine independently. Between sourced years a share is interpolated linearly, after
the last one carried forward; before the first none applies. The key stays one row; its factor ids name the
penetration rows and removal efficiencies used. Everything works on whole columns.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from inventory import categories, regions, resources, vocabulary
from inventory.lookup import categorical, join_groups, map_distinct

FILE = "control_penetration.csv"
COLUMNS = ["penetration_id", "region", "category", "activity", "year", "control_group", "technology", "share",
           "unit", "source", "source_detail", "read_in", "notes"]
# The substances whose removal efficiency each control group sets (PM: the T/CSES Table A.1 columns).
GROUPS = {"SO2": ("SO2",), "NOx": ("NOx",), "PM": ("PM2.5", "PM2.5-10", "BC", "OC")}
SOURCED, INTERPOLATED, CARRIED = "sourced", "interpolated", "carried_forward"


def read(path: Traversable | Path) -> pd.DataFrame:
    """A penetration table as text columns with its file name and 1-based CSV line number."""
    frame = pd.read_csv(io.StringIO(path.read_text(encoding="utf-8-sig")), dtype=str, keep_default_na=False)
    frame["file"] = path.name
    frame["line"] = frame.index + 2
    return frame


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Text table -> year as int and share as a fraction (unit `%` or `1`/empty); rows that do not parse
    are left out (`factors check` names them)."""
    year = pd.to_numeric(frame["year"], errors="coerce")
    share = pd.to_numeric(frame["share"], errors="coerce") * np.where(frame["unit"].str.strip() == "%", 0.01, 1.0)
    ok = year.notna() & share.notna()
    return frame[ok].assign(year=year[ok].astype(int), share=share[ok]).reset_index(drop=True)


def to_long(frame: pd.DataFrame, level: int) -> pd.DataFrame:
    """A penetration table read as text (`read`) -> rows of the long factor table (factors.load.to_long
    shape): name `penetration.<group>`, value the share as a fraction, year_from = year_to = the row's year,
    at resolution `level` (shipped 1, user 2). Rows that do not parse are left out (`factors check`)."""
    t = typed(frame)
    return pd.DataFrame({
        "factor_id": t["penetration_id"], "name": "penetration." + t["control_group"], "category": t["category"],
        "activity": t["activity"], "technology": t["technology"], "region": t["region"],
        "year_from": t["year"].astype(float), "year_to": t["year"].astype(float), "value": t["share"],
        "basis": "", "published_value": pd.to_numeric(t["share"], errors="coerce")
        * np.where(t["unit"].str.strip() == "%", 100.0, 1.0),
        "unit": t["unit"].where(t["unit"].str.strip() != "", "1"), "method": "", "source": t["source"],
        "source_detail": t["source_detail"], "uncertainty_low_pct": np.nan, "uncertainty_high_pct": np.nan,
        "level": level, "file": t["file"], "line": t["line"], "factor_sets": "", "read_in": t["read_in"],
    })


def from_table(factor_table: pd.DataFrame) -> pd.DataFrame:
    """The penetration rows of a long factor table (`to_long`) back in the penetration shape, typed, with
    their resolution `level`."""
    if factor_table.empty or "name" not in factor_table:
        return pd.DataFrame(columns=COLUMNS + ["level"])
    rows = factor_table[factor_table["name"].astype(str).str.startswith("penetration.")]
    return pd.DataFrame({
        "penetration_id": rows["factor_id"], "region": rows["region"], "category": rows["category"],
        "activity": rows["activity"], "year": rows["year_from"].astype(int),
        "control_group": rows["name"].str.removeprefix("penetration."), "technology": rows["technology"],
        "share": rows["value"].astype(float), "unit": "1", "source": rows["source"],
        "source_detail": rows["source_detail"], "read_in": rows["read_in"], "notes": "",
        "level": rows["level"]}).reset_index(drop=True)


@cache
def shipped() -> pd.DataFrame:
    """The shipped penetration table (emission_factors/control_penetration.csv), typed."""
    path = resources.factors_dir() / FILE
    return typed(read(path)) if path.is_file() else pd.DataFrame(columns=COLUMNS)


def has_control_device(technology: pd.Series) -> pd.Series:
    """Whether a key's technology (`pc_boiler+scr`) names a device of class `control` (data/technologies.csv)."""
    control = set(vocabulary.technologies().query("technology_class == 'control'").index)
    return map_distinct(technology.fillna("").astype(str),
                        lambda t: any(x in control for x in t.split("+") if x)).astype(bool)


def shares(keys: pd.DataFrame, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The share of each key's activity behind each control technology, per control group.

    keys: key_id, region, year, category, activity. table: penetration rows (`typed` or `from_table`; a
    `level` column ranks user rows over shipped ones, default the shipped table). Per key and group the
    series of the highest level wins, then the most specific one (the key's region, then its parent, then
    CN; then the own category over an ancestor's); within it each
    technology's share is the sourced value of the key's year, interpolated linearly between the sourced
    years around it, or the last sourced value after them. Returns key_id, control_group, technology,
    share (fraction), derivation (sourced, interpolated, carried_forward), penetration_ids (`;`-joined):
    the rows of each key together, keys in their order. The shares depend on a key's region, year,
    category and activity only, so they are found once per distinct tuple of those (`tuple_shares`) and
    taken onto the keys by array position.
    """
    table = shipped() if table is None else table
    k = keys[["key_id", "region", "year", "category", "activity"]].drop_duplicates("key_id")
    tuples, of_key = distinct_tuples(k, table)
    split = tuple_shares(tuples, table)
    if split.empty:
        return split
    at = _rows_of(split["key_id"].to_numpy(), len(tuples), of_key)
    out = split.take(at[1]).reset_index(drop=True)
    out["key_id"] = k["key_id"].to_numpy()[at[0]]
    return out


def distinct_tuples(keys: pd.DataFrame, table: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Keys that must get the same shares, grouped: (one representative key per group, key_id = group
    number in order of first appearance; the group number of each row of `keys`, -1 where its activity has
    no penetration row).

    A key's shares depend on its year and activity, and on its region and category only through the
    members of their chains the table names (a member's score is its depth, the same in every chain that
    holds it): keys alike in those four share a group, each rule applied once per distinct value.
    """
    from inventory.factors import resolve  # not at the top: factors.load imports this module, resolve imports load

    named = keys["activity"].isin(set(table["activity"])).to_numpy() if len(table) else np.zeros(len(keys), bool)
    at = np.flatnonzero(named)
    named_regions, named_categories = set(table["region"]), set(table["category"])
    rules = {"region": lambda r: ">".join(c for c in regions.chain(r) if c in named_regions),
             "category": lambda c: ">".join(a for a in categories.ancestors(c) if a in named_categories),
             "year": None, "activity": None}
    parts = []
    for column, rule in rules.items():
        codes, uniques = pd.factorize(keys[column].take(at))
        if rule is not None:
            codes, uniques = pd.factorize(np.array([rule(v) for v in uniques] + [""], dtype=object)[codes])
        parts.append((codes, len(uniques)))
    number, first = resolve.first_rows(resolve.combined_codes(parts))
    of_key = np.full(len(keys), -1, dtype=np.int64)
    of_key[at] = number
    first = at[first]
    tuples = pd.DataFrame({c: keys[c].take(first).reset_index(drop=True) for c in rules})
    tuples.insert(0, "key_id", np.arange(len(first)))
    return tuples, of_key


def _rows_of(tuple_of_row: np.ndarray, tuples: int, of_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each key with every row of its tuple: (key position, row position) pairs, keys in their order and
    each key's rows in their order in the tuple table (`tuple_of_row`: the tuple number of each row)."""
    order = np.argsort(tuple_of_row, kind="stable")
    count = np.bincount(tuple_of_row, minlength=tuples + 1)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    key_count = np.where(of_key >= 0, count[np.where(of_key >= 0, of_key, tuples)], 0)
    key = np.repeat(np.arange(len(of_key)), key_count)
    within = np.arange(len(key)) - np.repeat(np.cumsum(key_count) - key_count, key_count)
    return key, order[start[of_key[key]] + within]


def tuple_shares(keys: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """`shares` of keys as they are (key_id, region, year, category, activity: `distinct_tuples`), each
    key's rows in the order of its series' years, then table order."""
    out_columns = ["key_id", "control_group", "technology", "share", "derivation", "penetration_ids"]
    if table.empty or keys.empty:
        return pd.DataFrame(columns=out_columns)
    rows = table.rename(columns={"region": "p_region", "category": "p_category", "year": "p_year"})
    rows = rows.assign(level=rows["level"] if "level" in rows else 1)
    # Only keys of an activity, and options of a region or category, that the table names can match: the
    # joins below start from those (the same candidates, in the same order, as joins over every key).
    k = keys[["key_id", "region", "year", "category", "activity"]].drop_duplicates("key_id")
    k = k[k["activity"].isin(set(rows["activity"]))]
    named_regions, named_categories = set(rows["p_region"]), set(rows["p_category"])
    reg = {r: regions.chain(r) for r in k["region"].unique()}
    cat = {c: categories.ancestors(c) for c in k["category"].unique()}
    reg_opts = pd.DataFrame([(r, p, len(ch) - i) for r, ch in reg.items() for i, p in enumerate(ch)
                             if p in named_regions], columns=["region", "p_region", "region_score"])
    cat_opts = pd.DataFrame([(c, p, len(an) - i) for c, an in cat.items() for i, p in enumerate(an)
                             if p in named_categories], columns=["category", "p_category", "cat_score"])
    cand = (k.merge(reg_opts, on="region").merge(cat_opts, on="category")
            .merge(rows, on=["p_region", "p_category", "activity"]))
    if cand.empty:
        return pd.DataFrame(columns=out_columns)
    # The winning series per key and group: the highest level, then the most specific region, then category.
    series_of = ["key_id", "control_group", "level", "p_region", "p_category"]
    best = (cand.sort_values(["key_id", "control_group", "level", "region_score", "cat_score"],
                             ascending=[True, True, False, False, False], kind="stable")
            .drop_duplicates(["key_id", "control_group"])[series_of])
    cand = cand.merge(best, on=series_of)
    series = ["key_id", "control_group", "technology"]
    before = (cand[cand["p_year"] <= cand["year"]].sort_values("p_year", kind="stable")
              .drop_duplicates(series, keep="last"))
    after = (cand[cand["p_year"] >= cand["year"]].sort_values("p_year", kind="stable")
             .drop_duplicates(series, keep="first"))
    both = before[series + ["year", "p_year", "share", "penetration_id"]].merge(
        after[series + ["p_year", "share", "penetration_id"]], on=series, how="left", suffixes=("", "_next"))
    span = (both["p_year_next"] - both["p_year"]).to_numpy(dtype=float)
    weight = np.divide(both["year"] - both["p_year"], span, out=np.zeros(len(both)), where=span > 0)
    exact = both["p_year"] == both["year"]
    has_next = both["p_year_next"].notna()
    both["share"] = np.where(exact | ~has_next, both["share"],
                             both["share"] + weight * (both["share_next"] - both["share"]))
    both["derivation"] = np.select([exact, has_next], [SOURCED, INTERPOLATED], CARRIED)
    both["penetration_ids"] = np.where(both["derivation"] == INTERPOLATED,
                                       both["penetration_id"] + ";" + both["penetration_id_next"].fillna(""),
                                       both["penetration_id"])
    return both[out_columns].reset_index(drop=True)


def efficiencies(factor_table: pd.DataFrame) -> pd.DataFrame:
    """Each control technology's removal efficiency per substance: the device rows of the factor tables
    (`removal_efficiency.<substance>` with a technology and no category or activity, e.g. T/CSES 144-2024
    Table A.1), the highest level winning. Returns technology, substance, eta (fraction), eta_id."""
    rows = factor_table[factor_table["name"].str.startswith("removal_efficiency.")
                        & (factor_table["technology"] != "") & (factor_table["category"] == "")
                        & (factor_table["activity"] == "")]
    rows = rows.sort_values("level", ascending=False).drop_duplicates(["name", "technology"])
    return pd.DataFrame({"technology": rows["technology"], "substance": rows["name"].str.split(".", n=1).str[1],
                         "eta": rows["value"].astype(float), "eta_id": rows["factor_id"]}).reset_index(drop=True)


def apply(k: pd.DataFrame, factor_table: pd.DataFrame, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Keys with their resolved parameters (methods.keys.with_parameters) -> the same with the penetration
    of the factor table (`from_table`: shipped and user rows; `table` replaces it) applied as removal
    efficiencies.

    For each control group, keys with no control device and no removal efficiency of the group's
    substances (and, per substance, no factor from the workbook's own `ef.<s>` row) get
    `removal_efficiency.<s>` = Σ_t share_t × η_t(s) (a technology without an η for s
    removes none of it) and `removal_efficiency.<s>:id` naming the penetration rows and the η rows.
    With EF × (1 − Σ s_t η_t) = Σ s_t EF (1 − η_t) + (1 − Σ s_t) EF this is the share-weighted mean.
    """
    table = from_table(factor_table) if table is None else table
    tuples, of_key = distinct_tuples(k, table)
    split = tuple_shares(tuples, table)
    if split.empty:
        return k
    eta = efficiencies(factor_table)
    free = ~has_control_device(k["technology"]).to_numpy()
    k = k.copy(deep=False)  # copy on write: the caller's frame keeps its columns
    none = len(tuples)  # the tuple number of keys without one (of_key -1), indexing False/NaN below
    tuple_of_key = np.where(of_key >= 0, of_key, none)
    for group, substances in GROUPS.items():
        g = split[split["control_group"] == group]
        in_group = np.zeros(none + 1, dtype=bool)
        in_group[g["key_id"].to_numpy()] = True
        takes = free & in_group[tuple_of_key]
        own = [f"removal_efficiency.{s}" for s in substances if f"removal_efficiency.{s}" in k]
        if own:
            takes &= ~k[own].notna().any(axis=1).to_numpy()
        if not takes.any():
            continue
        for s in substances:
            # A workbook's own factor (`local:` id) is the key's own: the table does not apply to it.
            mine = takes.copy()
            if f"ef.{s}:id" in k:
                mine[takes] = ~_is_local(k[f"ef.{s}:id"].take(np.flatnonzero(takes)))
            value, ids = _removed(g, eta[eta["substance"] == s], tuple_of_key, mine, none)
            col = f"removal_efficiency.{s}"
            value, ids = pd.Series(value, index=k.index), pd.Series(ids, index=k.index)
            k[col] = value if col not in k else k[col].where(value.isna(), value)
            k[col + ":id"] = ids if col + ":id" not in k else _filled(k[col + ":id"], ids)
    return k


def _filled(ids: pd.Series, new: pd.Series) -> pd.Series:
    """`ids.where(new.isna(), new)`: the new ids where there are some; ids as Categoricals (`with_parameters`
    with `coded_ids`) stay Categoricals, the new texts added to their categories (lookup.categorical)."""
    if not isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.where(new.isna(), new)
    codes, uniques = pd.factorize(new)
    old = ids.cat.categories.to_numpy(dtype=object)
    texts = np.concatenate([old, np.asarray(uniques, dtype=object)])
    return pd.Series(categorical(np.where(codes >= 0, len(old) + codes, ids.cat.codes), texts), index=ids.index)


def _removed(g: pd.DataFrame, eta: pd.DataFrame, tuple_of_key: np.ndarray, takes: np.ndarray, none: int
             ) -> tuple[np.ndarray, pd.Series]:
    """Σ_t share_t × η_t of one substance per key (NaN where the key does not take the table: `takes`
    false), with the `;`-joined penetration and η ids. g: `tuple_shares` rows of one control group;
    eta: `efficiencies` rows of the substance. Summed once per tuple, taken onto the keys by tuple number."""
    value = np.full(len(takes), np.nan)
    if not takes.any():
        return value, pd.array(value)  # as a map onto no key: float, all missing
    m = g[np.isin(g["key_id"].to_numpy(), np.unique(tuple_of_key[takes]))].merge(eta, on="technology", how="left")
    m["removed"] = m["share"] * m["eta"].fillna(0.0)
    m["ids"] = m["penetration_ids"] + ";" + m["eta_id"].fillna("")
    per_tuple = m.groupby("key_id")[["removed"]].sum()
    per_tuple["ids"] = join_groups(m, ["key_id"], "ids").reindex(per_tuple.index).map(
        lambda t: ";".join(dict.fromkeys(x for x in t.split(";") if x)))
    at = np.full(none + 1, -1, dtype=np.int64)
    at[per_tuple.index.to_numpy()] = np.arange(len(per_tuple))
    row = np.where(takes, at[tuple_of_key], -1)
    hit = row >= 0
    value[hit] = per_tuple["removed"].to_numpy()[row[hit]]
    return value, per_tuple["ids"].array.take(row, allow_fill=True)


def _is_local(ids: pd.Series) -> np.ndarray:
    """Whether each id cell names a workbook's own factor (`local:...`), decided once per distinct cell."""
    codes, uniques = pd.factorize(ids)
    local = np.array([isinstance(u, str) and u.startswith("local:") for u in uniques] + [False], dtype=bool)
    return local[codes]


def check(frame: pd.DataFrame) -> list:
    """Rules of `factors check` for a penetration table read as text (`read`): known region, category,
    activity, control technology and group; a year; a share between 0 and 1; a source; shares of one key,
    year and group summing to at most 1."""
    from inventory.errors import Problem

    def located(mask, code, column, expected):
        rows = frame[mask.fillna(False).astype(bool)]
        return [Problem(code, file=str(f), row=int(line), column=column, value=str(v), expected=expected)
                for f, line, v in zip(rows["file"], rows["line"], rows[column])]

    missing = [c for c in COLUMNS if c not in frame]
    if missing:
        return [Problem("missing_table_column", file=str(frame["file"].iat[0]) if len(frame) else FILE, row=1,
                        expected="expect_columns", params=(("column", c), ("columns", ", ".join(COLUMNS))))
                for c in missing]
    control = set(vocabulary.technologies().query("technology_class == 'control'").index)
    p = located(frame["source"].str.strip() == "", "source_is_empty", "source", "expect_source")
    p += located(frame["penetration_id"].str.strip() == "", "factor_id_is_empty", "penetration_id",
                 "expect_unique_id")
    p += located(frame["penetration_id"].duplicated(keep=False) & (frame["penetration_id"] != ""),
                 "factor_id_not_unique", "penetration_id", "expect_unique_id")
    p += located(~frame["region"].isin(list(regions.table().index)), "unknown_region", "region", "expect_region")
    p += located(~frame["category"].isin(list(categories.table().index)), "unknown_category", "category",
                  "expect_category")
    p += located(~frame["activity"].isin(list(vocabulary.activities().index)), "unknown_activity", "activity",
                  "expect_activity")
    p += located(~frame["technology"].isin(control), "not_a_control_technology", "technology",
                  "expect_control_technology")
    p += located(~frame["control_group"].isin(list(GROUPS)), "unknown_control_group", "control_group",
                  "expect_control_group")
    year = pd.to_numeric(frame["year"], errors="coerce")
    p += located(year.isna(), "not_a_number", "year", "expect_year")
    share = pd.to_numeric(frame["share"], errors="coerce")
    p += located(share.isna(), "not_a_number", "share", "expect_number")
    p += located(~frame["unit"].str.strip().isin(["", "1", "%"]), "unit_does_not_fit_parameter", "unit",
                  "expect_share_unit")
    fraction = share * np.where(frame["unit"].str.strip() == "%", 0.01, 1.0)
    p += located(share.notna() & ((fraction < 0) | (fraction > 1)), "value_out_of_bounds", "share",
                  "expect_share_between_0_and_1")
    good = typed(frame)
    key = ["region", "category", "activity", "year", "control_group"]
    total = good.groupby(key)["share"].transform("sum")
    over = good[total > 1 + 1e-9]
    for _, group in over.groupby(key, sort=True):
        first = group.iloc[0]
        rows = ", ".join(f"{a}:{b}" for a, b in zip(group["file"], group["line"]))
        p.append(Problem("penetration_shares_above_one", file=str(first["file"]), row=int(first["line"]),
                         column="share", value=f"{group['share'].sum():g}", expected="expect_shares_at_most_one",
                         params=(("group", first["control_group"]), ("rows", rows))))
    return p
