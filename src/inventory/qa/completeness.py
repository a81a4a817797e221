"""Completeness: every category of the guideline is estimated or carries an IPCC notation key
(issue 5; IPCC 2006 Vol.1 Ch.8 Table 8.2 notation keys NO, NE, NA, IE, C).

Per region and year built, each checked category (default: the leaf categories of
data/categories.csv that are emission sources, i.e. the categories of China's provincial
guideline and the pollutant-only sources; memo items and statistics left out) gets a status:
- `estimated`: it or a descendant has emission rows (one of `1.A.1.a.i` covers `1.A.1.a`); result
  pass. A row at an ancestor does not make it estimated (DESIGN 3.8: gasoline at 1.A.3 says nothing
  of aviation or navigation): such a category is `in_parent`, result as `not_estimated` (default warn);
- `keyed`: a notation key NO, NA, IE or C for it (or a related category) from a workbook row
  (value cell = the key) or the project file; result pass;
- `not_estimated`: key NE from a workbook or the project file, or listed by the build as not
  estimated (activity without a citable factor or method), or (key source `year`) a category the
  region estimates in another year of the build but not in this one (a year without a sector
  shows it NE, never a silently lower total); result `not_estimated` (default warn);
- `not_reported`: outside the project's `scope` (project key `scope`: the sectors or categories the
  inventory covers; settings key `scope`), with no key of its own from a workbook or the project
  file: listed in the completeness table, never a check result (not failed);
- `missing`: none of these; result `missing` (default fail).
Precedence in that order, except that a key a workbook row or the project file gives for the
checked category itself wins over an estimate, and a category outside the scope is `not_reported`
rather than NE or missing (DESIGN 3.8: notation-key row > scope > NE).
Project file (DESIGN 3.8 style):

    [checks.completeness]
    missing = "fail"            # result of a category neither estimated nor keyed
    not_estimated = "warn"      # result of NE
    categories = ["1.A", "2"]   # optional: the categories to check instead of the leaves
    [checks.completeness.keys]
    "2.B.3" = "NO"              # every region and year
    [checks.completeness.keys."430100"]
    "2.C.3" = "NO"              # this region only
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, lookup
from inventory.errors import Problem, UsageError
from inventory.grouped import Coded, coded
from inventory.result import CHECK_COLUMNS

NAME = "completeness"
DEFAULT_THRESHOLDS = {"missing": "fail", "not_estimated": "warn"}
TABLE_COLUMNS = ["region", "year", "category", "status", "key", "key_source", "substances", "result"]
_KEY_ORDER = {"NO": 0, "NA": 1, "IE": 2, "C": 3, "NE": 4}


def default_categories() -> list[str]:
    """The leaf categories of data/categories.csv that are emission sources or sinks (role `emission`, `sink`)."""
    t = categories.table()
    return list(t.loc[t["role"].isin(["emission", "sink"]) & ~t["code"].isin(set(t["parent"])), "code"])


def _related(codes, checked: list[str]) -> pd.DataFrame:
    """(category, checked) for every given category related (itself, ancestor, descendant) to a checked one."""
    pairs = [(c, k) for c in pd.Series(codes).unique() for k in checked if categories.is_related(c, k)]
    return pd.DataFrame(pairs, columns=["category", "checked"])


def _keys_on(frame: pd.DataFrame, checked: list[str], source: str) -> pd.DataFrame:
    """The best key per region, year and checked category from rows region, year, category, key:
    a key given for the checked category itself first (`own`), then NO, NA, IE, C before NE."""
    if frame.empty:
        return pd.DataFrame(columns=["region", "year", "checked", "key", "key_source", "own"])
    # Rows repeating a region, year, category and key give nothing more: the first of each is enough.
    frame = frame.take(Coded(frame).first_rows(["region", "year", "category", "key"]))
    on = frame.merge(_related(frame["category"], checked), on="category")
    on = on.assign(_o=on["key"].map(_KEY_ORDER), own=on["category"] == on["checked"])
    on = on.sort_values(["region", "year", "checked", "own", "_o"], ascending=[True, True, True, False, True],
                        kind="stable")
    return on.drop_duplicates(["region", "year", "checked"])[["region", "year", "checked", "key", "own"]].assign(
        key_source=source)


def completeness_table(emissions: pd.DataFrame, notation: pd.DataFrame, not_estimated: pd.DataFrame,
                       project_keys: list[dict] | None = None, checked: list[str] | None = None,
                       thresholds: dict | None = None) -> pd.DataFrame:
    """Each region, year and checked category with its status (estimated, keyed, not_estimated,
    missing), its notation key and where the key came from (workbook, project, build), the
    number of substances estimated, and the result (see the module docstring). For the report.

    project_keys: [{"region": code or "" (every region), "category": code, "key": NO|NE|NA|IE|C}].
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    checked = list(checked or default_categories())
    ne = not_estimated if not_estimated is not None else pd.DataFrame(columns=["region", "year", "category"])
    region_years = pd.concat([f[["region", "year"]].take((coded(f) if f is emissions else Coded(f)).first_rows(
                              ["region", "year"])) for f in (emissions, notation, ne) if len(f)]
                             or [pd.DataFrame(columns=["region", "year"])]).drop_duplicates()
    region_years["year"] = region_years["year"].astype(int)
    grid = region_years.merge(pd.DataFrame({"checked": checked}), how="cross")
    if grid.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)

    # The substances of each region, year and category estimated (the first row of each: counts and
    # presence are all that is read), not a copy of the emissions table.
    est = emissions[["region", "year", "category", "substance"]].take(coded(emissions).first_rows(
        ["region", "year", "category", "substance"], emissions["emission"].notna().to_numpy()))
    related = _related(est["category"], checked)
    below = [c == k or k in categories.ancestors(c) for c, k in zip(related["category"], related["checked"])]
    parents = est.merge(related[~pd.Series(below, dtype=bool, index=related.index)], on="category")
    parents = parents[["region", "year", "checked"]].drop_duplicates().assign(parent=True)
    est = est.merge(related[pd.Series(below, dtype=bool, index=related.index)], on="category")
    count = est.groupby(["region", "year", "checked"])["substance"].nunique().rename("substances").reset_index()
    grid = grid.merge(count, on=["region", "year", "checked"], how="left").fillna({"substances": 0})
    parents["year"] = parents["year"].astype(int)
    grid = grid.merge(parents, on=["region", "year", "checked"], how="left")
    grid["parent"] = grid["parent"].astype("boolean").fillna(False).astype(bool)

    book = _keys_on(notation[["region", "year", "category", "key"]] if len(notation)
                    else pd.DataFrame(), checked, "workbook")
    proj = pd.DataFrame(project_keys or [], columns=["region", "category", "key"])
    every = proj[proj["region"] == ""].drop(columns="region").merge(region_years, how="cross")
    own = proj[proj["region"] != ""].merge(region_years, on="region")
    proj = _keys_on(pd.concat([every, own], ignore_index=True), checked, "project")
    build = _keys_on(ne[["region", "year", "category"]].assign(key="NE") if len(ne) else pd.DataFrame(),
                     checked, "build")
    other_years = est[["region", "checked"]].drop_duplicates().merge(region_years, on="region")
    other_years = other_years.merge(count[["region", "year", "checked"]], how="left", indicator=True)
    other_years = other_years[other_years["_merge"] == "left_only"].assign(key="NE", own=False, key_source="year")
    keyed = pd.concat([book, proj, build, other_years[["region", "year", "checked", "key", "own", "key_source"]]],
                      ignore_index=True).drop_duplicates(["region", "year", "checked"])
    keyed["year"] = keyed["year"].astype(int)
    grid = grid.merge(keyed, on=["region", "year", "checked"], how="left").fillna(
        {"key": "", "key_source": "", "own": False})

    # A notation key given for the category itself (workbook or project) wins over an estimate (DESIGN 3.8).
    own_key = grid["own"].astype(bool) & grid["key_source"].isin(["workbook", "project"])
    estimated = (grid["substances"] > 0) & ~own_key
    scope = [str(c) for c in (t.get("scope") or [])]
    outside = (~grid["checked"].map({c: any(c == k or k in categories.ancestors(c) for k in scope)
                                     for c in grid["checked"].unique()}).astype(bool)
               if scope else pd.Series(False, index=grid.index))
    user_key = grid["key_source"].isin(["workbook", "project"])
    grid["status"] = np.select(
        [estimated, grid["key"].isin(["NO", "NA", "IE", "C"]) & (user_key | ~outside),
         user_key & (grid["key"] == "NE"), outside, grid["key"] == "NE", grid["parent"]],
        ["estimated", "keyed", "not_estimated", "not_reported", "not_estimated", "in_parent"], "missing")
    grid.loc[estimated | (grid["status"] == "not_reported"), ["key", "key_source"]] = ""
    grid["result"] = grid["status"].map({"estimated": "pass", "keyed": "pass", "not_reported": "",
                                         "not_estimated": t["not_estimated"], "in_parent": t["not_estimated"],
                                         "missing": t["missing"]})
    grid["substances"] = grid["substances"].astype(int)
    grid = grid.rename(columns={"checked": "category"}).sort_values(["region", "year", "category"], kind="stable")
    # Texts as Categoricals (a code a row, not a pointer or a text a row): nationally 2.4M rows, 644 -> 85 MiB
    # kept from the checks to the end of the write stage (issue 14).
    return lookup.coded(grid.reset_index(drop=True)[TABLE_COLUMNS])


def completeness(emissions: pd.DataFrame, notation: pd.DataFrame, not_estimated: pd.DataFrame,
                 settings: dict | None = None) -> pd.DataFrame:
    """checks.csv rows of the completeness table (see check_rows)."""
    return check_rows(table_for(emissions, notation, not_estimated, settings))


def table_for(emissions: pd.DataFrame, notation: pd.DataFrame, not_estimated: pd.DataFrame,
              settings: dict | None = None) -> pd.DataFrame:
    """completeness_table with the `[checks.completeness]` settings (keys, categories, results)."""
    settings = settings or {}
    keys = settings.get("keys")
    if isinstance(keys, dict):  # as written in a project file, not yet through qa.settings.parse_checks
        from inventory.qa.settings import parse_completeness_keys

        keys, problems = parse_completeness_keys(keys)
        if problems:
            raise UsageError(problems)
    return completeness_table(emissions, notation, not_estimated, keys, settings.get("categories"), settings)


def check_rows(table: pd.DataFrame) -> pd.DataFrame:
    """checks.csv rows of a completeness table: value = the number of substances estimated for
    the category (0 when none), reference and diff_pct empty; the status and key are in the table.
    Categories outside the project's scope (`not_reported`) are left out: not reported is not failed."""
    table = table[table["status"] != "not_reported"]   # listed in the table, never a check result
    return table.rename(columns={"substances": "value"}).assign(
        check=NAME, substance="", reference=np.nan, diff_pct=np.nan)[CHECK_COLUMNS]


def year_gaps(activity: pd.DataFrame) -> list[Problem]:
    """Warnings of a region whose sectors cover different years (issue 19): per region, year and sector that has
    rows in another year of the region but none in this one, while another sector has rows in this year. Each
    names both: the sector missing and the sectors present (code `year_missing_in_sector`). Emission-source
    categories only (statistics and memo items left out). Warnings: the rows are used as they are."""
    if activity.empty:
        return []
    table = categories.table()
    source = table.index[table["role"].isin(["emission", "sink"])]
    a = activity[activity["category"].isin(source)]
    if a.empty:
        return []
    have = a.assign(sector=a["category"].map(table["sector"]))[["region", "year", "sector"]].drop_duplicates()
    grid = have.pivot_table(index=["region", "year"], columns="sector", aggfunc="size", fill_value=0) > 0
    grid = grid.reindex(columns=[s for s in categories.sectors().sort_values("order")["sector"] if s in grid.columns])
    ever = grid.groupby(level="region").transform("any")  # the sectors a region has in some year
    gaps = (~grid & ever).stack()
    gaps = gaps[gaps]
    if gaps.empty:
        return []
    names = categories.sectors()
    out = []
    for region, year, sector in gaps.index:
        present = [s for s in grid.columns if grid.at[(region, year), s]]
        out.append(Problem("year_missing_in_sector", severity="warning", value=str(year), params=(
            ("region", region), ("year", year), ("missing_zh", names.at[sector, "name_zh"]),
            ("missing_en", names.at[sector, "name_en"]),
            ("present_zh", "、".join(names.at[s, "name_zh"] for s in present)),
            ("present_en", ", ".join(names.at[s, "name_en"] for s in present)))))
    return out
