"""What `factors list` and `factors show` print: factor rows and which one wins for a given row, and why."""

from __future__ import annotations

import pandas as pd

from inventory import categories, regions, vocabulary
from inventory.errors import Problem, UsageError, word
from inventory.factors import sets
from inventory.factors.resolve import candidates
from inventory.lookup import map_distinct

LIST_COLUMNS = ["factor_id", "name", "category", "activity", "technology", "region", "year_from", "year_to",
                "value", "unit", "factor_sets", "source"]


def _code(lookup, text: str, unknown: str) -> str:
    """The id of `text` in `lookup` ("" for no text); `unknown` (a message code) names the problem otherwise."""
    if not text:
        return ""
    code = lookup.get(text)
    if code is None:
        raise UsageError(Problem(unknown, value=text, suggestion=lookup.suggest(text)))
    return code


def list_factors(table: pd.DataFrame, originals: pd.DataFrame, category: str = "", activity: str = "", substance: str = "",
                 region: str = "", technology: str = "", year: int | None = None, lang: str = "zh",
                 factor_set: str | None = None) -> pd.DataFrame:
    """Factor rows filtered by the options; when category and activity are given, ranked as resolution ranks
    them for that row within `factor_set` (the default set when None), with `applies` = the winner per
    parameter name and `why` worded in `lang`. `table` holds the rows of every set (load.load_every_set);
    without a ranking, rows of every set are listed unless `factor_set` is named. `factor_sets` lists the
    sets each row belongs to."""
    if factor_set or (category and activity):
        table = sets.select(table, sets.checked(factor_set))
    category = _code(categories.lookup(), category, "unknown_category")
    activity = _code(vocabulary.activity_lookup(), activity, "unknown_activity")
    region = _code(regions.lookup(), region, "unknown_region")
    sub = _code(vocabulary.substance_lookup(), substance, "unknown_substance")
    techs = "+".join(_code(vocabulary.technology_lookup(), t, "unknown_technology") for t in technology.split("+") if t)
    out = table
    if category and activity:
        t = table if year is not None else table.assign(year_from=float("nan"), year_to=float("nan"))
        key = pd.DataFrame([{"key_id": 0, "region": region or "CN", "year": year or 0, "category": category,
                             "activity": activity, "technology": techs}])
        cand = candidates(key, t).sort_values(
            ["name", "level", "act_score", "region_score", "tech_score", "cat_score", "year_score"],
            ascending=[True] + [False] * 6, kind="stable")
        cand["applies"] = ~cand.duplicated("name") | cand["name"].str.startswith("removal_efficiency.")
        cand["why"] = _why(cand, lang)
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


# Where a candidate comes from, by its level in resolution (codes of data/messages.csv).
_LEVELS = {1: "why_shipped", 2: "why_user_folder", 3: "why_local_row"}


def _why(cand: pd.DataFrame, lang: str) -> pd.Series:
    """How specific each candidate is, in the order resolution compares them (DESIGN 3.4), worded in `lang`."""
    parts = cand[["level", "p_region", "p_technology", "p_category", "year_score"]].astype(str)
    key = parts["level"].str.cat([parts[c] for c in parts.columns[1:]], sep="|")
    return map_distinct(key, lambda k: _why_text(k, lang))


def _why_text(key: str, lang: str) -> str:
    """One `level|region|technology|category|year_score` combination worded (see _why)."""
    level, region, tech, category, years = key.split("|")
    texts = [word(_LEVELS[int(float(level))], lang),
             word("why_region", lang, {"region": region}) if region else word("why_any_region", lang),
             word("why_technology", lang, {"technology": tech}) if tech else word("why_any_technology", lang),
             word("why_category", lang, {"category": category}) if category else word("why_any_category", lang),
             word("why_year_range" if years.startswith("1") else "why_any_year", lang)]
    return word("list_separator", lang).join(texts)


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
        raise UsageError(Problem("unknown_factor_id", value=factor_id,
                                 expected="expect_one_of" if close else "expect_factor_id",
                                 params=(("names", ", ".join(close)),)))
    record = {k: v for k, v in hit.iloc[0].items() if k not in ("line",)}
    record["factor_sets"] = ";".join(sets.members(record.get("factor_sets", "")))
    return record
