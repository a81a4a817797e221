"""What `factors list` and `factors show` print: factor rows and which one wins for a given row, and why."""

from __future__ import annotations

import pandas as pd

from inventory import categories, regions, vocabulary
from inventory.errors import Problem, UsageError
from inventory.factors import sets
from inventory.factors.resolve import candidates
from inventory.lookup import map_distinct

LIST_COLUMNS = ["factor_id", "name", "category", "activity", "technology", "region", "year_from", "year_to",
                "value", "unit", "factor_sets", "source"]


def _code(lookup, text, what):
    if not text:
        return ""
    code = lookup.get(text)
    if code is None:
        raise UsageError(Problem(f"unknown {what}", value=text, suggestion=lookup.suggest(text)))
    return code


def list_factors(table: pd.DataFrame, originals: pd.DataFrame, category: str = "", activity: str = "", substance: str = "",
                 region: str = "", technology: str = "", year: int | None = None,
                 factor_set: str | None = None) -> pd.DataFrame:
    """Factor rows filtered by the options; when category and activity are given, ranked as resolution ranks
    them for that row within `factor_set` (the default set when None), with `applies` = the winner per
    parameter name. `table` holds the rows of every set (load.load_every_set); without a ranking, rows of
    every set are listed unless `factor_set` is named. `factor_sets` lists the sets each row belongs to."""
    if factor_set or (category and activity):
        table = sets.select(table, sets.checked(factor_set))
    category = _code(categories.lookup(), category, "category")
    activity = _code(vocabulary.activity_lookup(), activity, "activity")
    region = _code(regions.lookup(), region, "region")
    sub = _code(vocabulary.substance_lookup(), substance, "substance")
    techs = "+".join(_code(vocabulary.technology_lookup(), t, "technology") for t in technology.split("+") if t)
    out = table
    if category and activity:
        t = table if year is not None else table.assign(year_from=float("nan"), year_to=float("nan"))
        key = pd.DataFrame([{"key_id": 0, "region": region or "CN", "year": year or 0, "category": category,
                             "activity": activity, "technology": techs}])
        cand = candidates(key, t).sort_values(
            ["name", "level", "act_score", "region_score", "tech_score", "cat_score", "year_score"],
            ascending=[True] + [False] * 6, kind="stable")
        cand["applies"] = ~cand.duplicated("name") | cand["name"].str.startswith("removal_efficiency.")
        cand["why"] = _why(cand)
        out = cand.rename(columns={"p_category": "category", "p_activity": "activity", "p_region": "region",
                                   "p_technology": "technology"})
    else:
        if category:
            out = out[out["category"].map(lambda c: c == "" or c in categories.ancestors(category))]
        if activity:
            out = out[out["activity"].isin([activity, ""])]
        if region:
            out = out[out["region"].isin(regions.chain(region) + [""])]
    if sub:
        out = out[out["name"].isin([f"ef.{sub}", f"removal_efficiency.{sub}"])]
    # Show values as published (the loaded table holds canonical values).
    published = originals[["factor_id", "value", "unit"]]
    out = out.drop(columns=["value", "unit"]).merge(published, on="factor_id", how="left")
    return out.assign(factor_sets=membership(out["factor_sets"]))


def membership(cells: pd.Series) -> pd.Series:
    """Each row's sets spelt out (`china;ipcc;ceads` for an empty cell, which means every set)."""
    return map_distinct(cells.fillna(""), lambda c: ";".join(sets.members(c)))


_LEVELS = {1: "shipped", 2: "user folder", 3: "local row"}


def _why(cand: pd.DataFrame) -> pd.Series:
    """How specific each candidate is, in the order resolution compares them (DESIGN 3.4)."""
    region = cand["p_region"].where(cand["p_region"] != "", "IPCC/international default")
    tech = ("technology " + cand["p_technology"]).where(cand["p_technology"] != "", "any technology")
    category = ("category " + cand["p_category"]).where(cand["p_category"] != "", "any category")
    years = cand["year_score"].map({1: "year range", 0: "any year"})
    return cand["level"].map(_LEVELS) + "; region " + region + "; " + tech + "; " + category + "; " + years


def original_rows(directories) -> pd.DataFrame:
    """Factor and parameter rows as written in the CSVs (value and unit as published)."""
    from inventory.factors.load import read_table, table_files

    frames = []
    for d in directories:
        for path in table_files(d):
            frame = read_table(path)
            frame["name"] = ("ef." + frame["substance"]) if "substance" in frame else frame["parameter"]
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def show_factor(rows: pd.DataFrame, factor_id: str) -> dict:
    """Every field of one factor row, as published."""
    hit = rows[rows["factor_id"] == factor_id]
    if hit.empty:
        close = [f for f in rows["factor_id"] if factor_id.lower() in f.lower()][:5]
        raise UsageError(Problem("no factor with this id", value=factor_id,
                                 expected=("one of " + ", ".join(close)) if close else "an id from `inventory factors list`"))
    record = {k: v for k, v in hit.iloc[0].items() if k not in ("line",)}
    record["factor_sets"] = ";".join(sets.members(record.get("factor_sets", "")))
    return record
