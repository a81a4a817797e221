"""Compare two builds (editions, recalculations): what changed, row by row, and why (DESIGN 3.9).

Pure functions on DataFrames: `read_build` reads a build's `emissions.csv`,
`compare_builds` keys the rows of two builds by region, year, category, activity,
technology and substance and splits each change into an activity and a factor
effect, `summarise` adds them up per region, category or substance (in t, and in
t CO2e for greenhouse gases), `top_changes` picks the largest, and
`factor_changes` lists the factor ids that came or went.

Decomposition (DESIGN 3.9), with A = the amount as the workbook counted it
(`reported_amount`: t, m3, head..., before any calorific value; DESIGN 3.7) and F =
emission / A of each build, so that a changed calorific value, carbon content or
oxidation rate is a factor effect and only a changed amount in t or m3 an activity
effect (builds without `reported_amount`, or whose reported units differ, fall back to
`activity_amount` and `implied_factor`):

    activity_effect = (A_new − A_old) × F_old
    factor_effect   = A_new × (F_new − F_old)
    activity_effect + factor_effect = A_new·F_new − A_old·F_old = new − old

This is the two-factor chain-linked split used for inventory recalculations (the
activity change valued at the old factor, the factor change at the new activity).
Where A or F is missing on either side (no activity amount, no implied factor),
or the activity unit differs between the builds (TJ before, t after a local
`ef.X`), the effects are NaN and only `change` is given; `note` says why.

Technology is part of the key and is written as an extra column after `activity`
(two technologies of one fuel are two sources). Rows are compared as they are:
a province's `basis = aggregated` rows are sums of its prefectures' rows, so
totals are given per region, never across regions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from inventory import lookup
from inventory.aggregate import GWP_SETS, gwp_table
from inventory.errors import InputError, Problem

KEY = ["region", "year", "category", "activity", "technology", "substance"]
# Columns of comparison.csv: DESIGN 3.9's, technology after activity, then the explanation columns.
COMPARISON_COLUMNS = [
    "region", "year", "category", "activity", "technology", "substance", "old", "new", "change",
    "activity_effect", "factor_effect", "status", "old_factor_ids", "new_factor_ids", "old_factor", "new_factor",
]
EXTRA_COLUMNS = [
    "region_name", "category_name", "kind", "basis", "unit", "old_activity", "new_activity", "old_activity_unit",
    "new_activity_unit", "note", "factor_ids_removed", "factor_ids_added", "old_co2e_t", "new_co2e_t",
    "co2e_change", "co2e_activity_effect", "co2e_factor_effect", "co2e_gwp_effect",
]
ALL_COLUMNS = COMPARISON_COLUMNS + EXTRA_COLUMNS
STATUSES = ["changed", "unchanged", "new", "dropped"]
# Columns an emissions.csv must have for a comparison (DESIGN 3.7); the others are optional.
REQUIRED = [*KEY, "emission", "activity_amount", "activity_unit", "implied_factor", "factor_ids"]
OPTIONAL = ["region_name", "category_name", "unit", "co2e_t", "gwp_set", "kind", "basis", "reported_amount",
            "reported_unit", "tier"]
NUMERIC = ["emission", "activity_amount", "implied_factor", "co2e_t", "reported_amount"]
# Relative tolerance under which two numbers of the two builds count as equal (CSV round trip).
RTOL = 1e-9


# ---------------------------------------------------------------- reading

def emissions_path(path: Path) -> Path:
    """The emissions.csv of a build: `path` itself, or `path`/emissions.csv for an output folder.

    Raises InputError (a Problem naming the path) when there is no such file.
    """
    path = Path(path)
    if path.is_dir():
        found = path / "emissions.csv"
        if not found.is_file():
            raise InputError(Problem("folder_without_emissions", file=str(path), expected="expect_build_output"))
        return found
    if not path.exists():
        raise InputError(Problem("no_such_file_or_folder", file=str(path), expected="expect_build_output"))
    return path


def read_build(path: Path) -> pd.DataFrame:
    """The emission rows of one build (its folder or emissions.csv) as a DataFrame.

    Text columns as text (empty cells as ""), `year` as an integer, `emission`,
    `activity_amount`, `implied_factor`, `co2e_t` as floats (t, the canonical
    activity unit, t per activity unit, t CO2e). Raises InputError listing every
    problem (file, CSV row, column, value, what was expected): not a CSV, missing
    columns, numbers that are not numbers, a key given twice.
    """
    file = emissions_path(path)
    name = str(file)
    try:
        table = pd.read_csv(file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(Problem("csv_unreadable", file=name, value=type(exc).__name__,
                                 expected="expect_emissions_csv")) from None
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise InputError(Problem("emissions_columns_missing", file=name, value=", ".join(missing),
                                 expected="expect_emissions_columns", params=(("columns", ", ".join(REQUIRED)),)))
    table = table.reindex(columns=[*REQUIRED, *OPTIONAL], fill_value="")
    problems = []
    for column in ["year", *NUMERIC]:
        text = table[column].str.strip()
        number = pd.to_numeric(text, errors="coerce")
        bad = (text != "") & number.isna() & ~text.str.lower().isin(["nan", "inf", "-inf"])
        if column in ("year", "emission"):
            bad |= text == ""
        if column == "year":
            bad |= number.notna() & (number != number.round())
        problems += [Problem("not_a_number" if column != "year" else "not_a_year", file=name, row=int(i) + 2,
                             column=column, value=str(v), expected="expect_number" if column != "year" else "expect_year")
                     for i, v in table.loc[bad, column].items()]
        table[column] = number
    duplicated = table.duplicated(KEY, keep=False)
    problems += [Problem("row_given_twice", file=name, row=int(i) + 2, column="substance", value=str(v),
                         expected="expect_one_row_per_key")
                 for i, v in table.loc[duplicated, "substance"].items()]
    if problems:
        raise InputError(problems)
    table["year"] = table["year"].astype("int64")
    return table


# ---------------------------------------------------------------- comparing

def _close(a: pd.Series, b: pd.Series) -> pd.Series:
    """Whether two float columns are equal within RTOL (both missing counts as equal)."""
    both_missing = a.isna() & b.isna()
    return both_missing | pd.Series(np.isclose(a, b, rtol=RTOL, atol=0.0), index=a.index)


def _id_differences(old_ids: pd.Series, new_ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per row: the factor ids of the old build missing in the new one, and the new ones, joined by ';'.

    Vectorised: the ';'-joined id lists are exploded to (row, id) pairs and merged.
    """
    differ = old_ids != new_ids
    if not differ.any():
        return pd.Series("", index=old_ids.index), pd.Series("", index=old_ids.index)

    def pairs(ids: pd.Series) -> pd.DataFrame:
        long = ids[differ].str.split(";").explode()
        long = long[long.notna() & (long != "")]
        return pd.DataFrame({"row": long.index, "id": long.to_numpy()}).drop_duplicates()

    merged = pairs(old_ids).merge(pairs(new_ids), on=["row", "id"], how="outer", indicator=True, sort=False)

    def joined(side: str) -> pd.Series:
        part = merged[merged["_merge"] == side]
        return part.groupby("row", sort=False)["id"].agg(";".join).reindex(old_ids.index, fill_value="")

    return joined("left_only"), joined("right_only")


def _gwp(substance: pd.Series, gwp_set: pd.Series) -> pd.Series:
    """GWP-100 of each row's substance in its row's GWP set (NaN for pollutants or an unknown set)."""
    out = pd.Series(np.nan, index=substance.index)
    for name in gwp_set[gwp_set.isin(list(GWP_SETS))].unique():  # a handful of sets
        rows = gwp_set == name
        out[rows] = substance[rows].map(gwp_table(name))
    return out


def _split_basis(m: pd.DataFrame, both: pd.Series) -> tuple[pd.Series, ...]:
    """The amounts, factors and units the split uses, old and new: the reported amount (DESIGN 3.7) and
    emission / reported amount where both builds give it in the same unit, else activity_amount and
    implied_factor."""
    r_o, r_n = m["reported_amount_o"], m["reported_amount_n"]
    ru_o, ru_n = (m[c].astype(object).where(m[c].notna(), "") for c in ("reported_unit_o", "reported_unit_n"))
    given_o, given_n = r_o.notna() & (ru_o != ""), r_n.notna() & (ru_n != "")
    agree = ~both | (given_o & given_n & (ru_o == ru_n))  # a row of one build only uses its own
    use_o, use_n = agree & given_o, agree & given_n
    with np.errstate(divide="ignore", invalid="ignore"):
        rf_o = m["emission_o"] / r_o.where(r_o != 0)
        rf_n = m["emission_n"] / r_n.where(r_n != 0)
    return (r_o.where(use_o, m["activity_amount_o"]), r_n.where(use_n, m["activity_amount_n"]),
            rf_o.where(use_o, m["implied_factor_o"]), rf_n.where(use_n, m["implied_factor_n"]),
            ru_o.where(use_o, m["activity_unit_o"].fillna("")), ru_n.where(use_n, m["activity_unit_n"].fillna("")))


def compare_builds(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Row by row comparison of two builds' emission tables (as `read_build` returns them).

    Returns ALL_COLUMNS, one row per key of either build, sorted by KEY. Emissions
    in t: old, new, change = new − old (a missing side counts as 0: a new source's
    change is its emission). activity_effect = (A_new − A_old) × F_old and
    factor_effect = A_new × (F_new − F_old) in t (DESIGN 3.9), A the reported amount
    (see the module docstring; old_activity, new_activity and their units say which
    amount was used, old_factor and new_factor the factor per that unit), NaN where A or F is
    missing on a side or the activity unit changed (`note`: `no_activity`,
    `no_factor`, `activity_unit_changed`). status: `new`, `dropped`, `unchanged`
    (emission, activity amount and unit, factor ids and, for a greenhouse gas, the GWP set all equal),
    else `changed`. For greenhouse gases the CO2e change (t CO2e) is split the same
    way at the old GWP, plus `co2e_gwp_effect` = new × (GWP_new − GWP_old) when the
    builds used different GWP sets, so the three add up to `co2e_change`.
    """
    cols = [*KEY, "emission", "activity_amount", "activity_unit", "implied_factor", "factor_ids", *OPTIONAL]
    old, new = lookup.as_texts(old), lookup.as_texts(new)  # tables from two builds are coded apart
    m = old.reindex(columns=cols).merge(new.reindex(columns=cols), on=KEY, how="outer", suffixes=("_o", "_n"),
                                        indicator=True, sort=False)
    both, only_old, only_new = (m["_merge"] == s for s in ("both", "left_only", "right_only"))
    out = m[KEY].copy()
    out["old"], out["new"] = m["emission_o"], m["emission_n"]
    out["change"] = m["emission_n"].where(~only_old, 0.0) - m["emission_o"].where(~only_new, 0.0)
    a_o, a_n, f_o, f_n, unit_o, unit_n = _split_basis(m, both)
    unit_changed = both & (unit_o != unit_n) & (unit_o != "") & (unit_n != "")
    no_activity = both & (a_o.isna() | a_n.isna())
    no_factor = both & ~no_activity & (f_o.isna() | f_n.isna())
    split = both & ~unit_changed & ~no_activity & ~no_factor
    # A difference within RTOL (a CSV round trip) is no difference: no spurious 1e-16 effects.
    d_a = (a_n - a_o).where(~_close(a_o, a_n), 0.0)
    d_f = (f_n - f_o).where(~_close(f_o, f_n), 0.0)
    out["activity_effect"] = (d_a * f_o).where(split)
    out["factor_effect"] = (a_n * d_f).where(split)
    ids_o, ids_n = m["factor_ids_o"].fillna(""), m["factor_ids_n"].fillna("")
    gwp_o, gwp_n = m["gwp_set_o"].fillna(""), m["gwp_set_n"].fillna("")
    g_o, g_n = _gwp(out["substance"], gwp_o), _gwp(out["substance"], gwp_n)
    ghg = g_o.notna() | g_n.notna()
    same = (_close(m["emission_o"], m["emission_n"]) & _close(a_o, a_n) & (unit_o == unit_n)
            & (ids_o == ids_n) & (~ghg | (gwp_o == gwp_n)))
    out["status"] = np.select([only_new, only_old, both & same], ["new", "dropped", "unchanged"], "changed")
    out["old_factor_ids"], out["new_factor_ids"] = ids_o, ids_n
    out["old_factor"], out["new_factor"] = f_o, f_n
    for c in ("region_name", "category_name", "kind", "basis", "unit"):  # the new build's labels, else the old's
        out[c] = m[f"{c}_n"].where(~only_old, m[f"{c}_o"]).fillna("")
    out["old_activity"], out["new_activity"] = a_o, a_n
    out["old_activity_unit"], out["new_activity_unit"] = unit_o, unit_n
    out["note"] = np.select([unit_changed, no_activity, no_factor], ["activity_unit_changed", "no_activity",
                                                                    "no_factor"], "")
    out.loc[out["status"] == "unchanged", "note"] = ""
    out["factor_ids_removed"], out["factor_ids_added"] = _id_differences(ids_o, ids_n)
    # CO2e (t CO2e): the same split valued at the old GWP, plus the effect of a change of GWP set.
    out["old_co2e_t"] = m["co2e_t_o"].where(m["co2e_t_o"].notna(), m["emission_o"] * g_o)
    out["new_co2e_t"] = m["co2e_t_n"].where(m["co2e_t_n"].notna(), m["emission_n"] * g_n)
    out["co2e_change"] = (out["new_co2e_t"].where(~only_old, 0.0) - out["old_co2e_t"].where(~only_new, 0.0)).where(ghg)
    out["co2e_activity_effect"] = out["activity_effect"] * g_o
    out["co2e_factor_effect"] = out["factor_effect"] * g_o
    out["co2e_gwp_effect"] = (m["emission_n"] * (g_n - g_o)).where(split)
    return out[ALL_COLUMNS].sort_values(KEY, kind="stable", ignore_index=True)


def factor_set_of(path) -> str:
    """The factor set a build used, from the manifest.json beside its emissions.csv ("" when none says)."""
    import json

    path = Path(path)
    manifest = (path if path.is_dir() else path.parent) / "manifest.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8")).get("factor_set") or "")
    except (OSError, ValueError):
        return ""


def compare_paths(old: Path, new: Path) -> pd.DataFrame:
    """Read two builds (folders or emissions.csv) and compare them (`compare_builds`); problems of
    both files are raised together."""
    tables, problems = [], []
    for path in (old, new):
        try:
            tables.append(read_build(path))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return compare_builds(*tables)


# ---------------------------------------------------------------- summaries

MEASURES = {
    # measure -> (old, new, change, activity effect, factor effect, gwp effect or None)
    "t": ("old", "new", "change", "activity_effect", "factor_effect", None),
    "co2e": ("old_co2e_t", "new_co2e_t", "co2e_change", "co2e_activity_effect", "co2e_factor_effect",
             "co2e_gwp_effect"),
}
SUMMARY_VALUES = ["old", "new", "change", "activity_effect", "factor_effect", "gwp_effect", "new_sources",
                  "dropped_sources", "not_split"]


def summarise(comparison: pd.DataFrame, by: list[str], measure: str = "t") -> pd.DataFrame:
    """Gross totals (kind `emission`: memo items and sinks excluded) of a comparison grouped by `by`.

    measure: `t` (emissions in t; sum only within one substance) or `co2e` (t CO2e,
    greenhouse gases only). Columns `by` + SUMMARY_VALUES: old, new, change, and the
    change split into activity_effect, factor_effect, gwp_effect (CO2e only: GWP set
    changed), new_sources (rows only in the new build), dropped_sources (rows only in
    the old build; negative) and not_split (changed rows without a split: unit changed,
    no activity or factor), so that change = the sum of the six parts. Group by region
    (never sum across regions: a province's aggregated rows repeat its prefectures).
    """
    old, new, change, act, fac, gwp = MEASURES[measure]
    rows = comparison[comparison["kind"] == "emission"]
    if measure == "co2e":
        rows = rows[rows["co2e_change"].notna()]
    status = rows["status"]
    split = rows[act].notna()
    parts = pd.DataFrame({
        **{c: rows[c] for c in by},
        "old": rows[old], "new": rows[new], "change": rows[change],
        "activity_effect": rows[act], "factor_effect": rows[fac],
        "gwp_effect": rows[gwp] if gwp else np.nan,
        "new_sources": rows[change].where(status == "new"),
        "dropped_sources": rows[change].where(status == "dropped"),
        "not_split": rows[change].where(status.isin(["changed", "unchanged"]) & ~split),
    })
    out = parts.groupby(by, sort=True, observed=True)[SUMMARY_VALUES].sum(min_count=1).reset_index()
    fill = ["activity_effect", "factor_effect", "new_sources", "dropped_sources", "not_split"]
    out[fill] = out[fill].fillna(0.0)
    if gwp:
        out["gwp_effect"] = out["gwp_effect"].fillna(0.0)
    return out


def _ids_per_group(rows: pd.DataFrame, by: list[str], column: str) -> pd.Series:
    """The factor ids of `column` over each group's rows: distinct, sorted, joined by `;` (exploded, not looped)."""
    ids = rows[[*by, column]].assign(**{column: rows[column].fillna("").str.split(";")}).explode(column)
    ids = ids[ids[column].notna() & (ids[column] != "")].drop_duplicates()
    return ids.sort_values(column).groupby(by, sort=True, observed=True)[column].agg(";".join)


def explained(comparison: pd.DataFrame, by: list[str], measure: str = "t") -> pd.DataFrame:
    """`summarise` by `by` with the factor ids each build used in the group (`old_factor_ids`,
    `new_factor_ids`), only groups whose total changed: the table that explains a difference between
    two builds fuel by fuel or category by category (e.g. two factor sets on the same activity, where
    the whole change is factor effect)."""
    out = summarise(comparison, by, measure)
    rows = comparison[comparison["kind"] == "emission"]
    if measure == "co2e":
        rows = rows[rows["co2e_change"].notna()]
    for column in ("old_factor_ids", "new_factor_ids"):
        out = out.join(_ids_per_group(rows, by, column), on=by)
        out[column] = out[column].fillna("")
    return out[out["change"].fillna(0) != 0].reset_index(drop=True)


def top_changes(comparison: pd.DataFrame, n: int = 10, measure: str = "co2e",
                substance: str | None = None) -> pd.DataFrame:
    """The `n` rows with the largest |change| (t CO2e for `co2e`, else t of `substance`), changed,
    new or dropped. A province's aggregated rows are left out: they repeat its prefectures' rows."""
    change = MEASURES[measure][2]
    rows = comparison[(comparison["basis"] != "aggregated") & (comparison["status"] != "unchanged")
                      & comparison[change].notna() & (comparison[change] != 0)]
    if substance is not None:
        rows = rows[rows["substance"] == substance]
    return rows.loc[rows[change].abs().sort_values(ascending=False, kind="stable").index[:n]]


def factor_changes(comparison: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Factor ids that one build used and the other did not: id, change (`removed`, `added`), rows
    (how many comparison rows), and where `published` (factor rows as written in the tables,
    `factors.explain.original_rows`) has the id, its value, unit and source.

    The values are those of the tables given (the installed factor set); an id that a
    local parameter row supplied (`local:...`) has none.
    """
    frames = []
    for column, change in (("factor_ids_removed", "removed"), ("factor_ids_added", "added")):
        ids = comparison[column].str.split(";").explode()
        ids = ids[ids.notna() & (ids != "")]
        frames.append(pd.DataFrame({"factor_id": ids.to_numpy(), "change": change}))
    table = pd.concat(frames, ignore_index=True)
    out = table.groupby(["change", "factor_id"], sort=True).size().rename("rows").reset_index()
    out = out.sort_values(["change", "factor_id"], ascending=[False, True], ignore_index=True)
    info = ["value", "unit", "source", "source_detail"]
    if published is not None and len(out):
        first = published.drop_duplicates("factor_id").set_index("factor_id").reindex(columns=info)
        out = out.join(first, on="factor_id")
    return out.reindex(columns=["factor_id", "change", "rows", *info]).fillna({c: "" for c in info})


def status_counts(comparison: pd.DataFrame) -> dict[str, int]:
    """How many comparison rows are changed, unchanged, new and dropped."""
    counts = comparison["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}
