"""Suggestions for an unknown category, activity or technology that cannot misroute the row (issue 17).

A suggestion stays within the sector of the row's activity (the sectors where the shipped factor
tables have rows for it; for an unknown activity, the sector of the row's category) and is never a
category under which the row's activity would lack a factor for an expected substance
(data/expected_substances.csv) that the tables give for the activity elsewhere in the same part of the
tree (`1.A`, `2.C`, ...): typing 工业 for coke must not land it in 能源工业 (1.A.1), where coke has no
SO2, NOx or PM factors. When the closest name is passed over for that reason, the suggestion says
what the row would have lacked there.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import pandas as pd

from inventory import categories, vocabulary
from inventory.lookup import Lookup, normalise_name

# Method parameters that give a substance without an `ef.<substance>` row (energy: carbon content ->
# CO2, sulfur balance -> SO2; industry: CaO content -> CO2; coal mining: CH4 contents -> CH4).
_GIVES = {"carbon_content": "CO2", "sulfur_content": "SO2", "cao_content": "CO2", "ch4_mining": "CH4",
          "ch4_post_mining": "CH4"}
CUTOFF = 0.6  # difflib similarity a suggestion needs (as Lookup.suggest)


@dataclass(frozen=True)
class Suggestion:
    """name: the spelling to suggest ("" for none); passed: the closest name passed over (its code in
    brackets); lacking: the substances the row would lack under it, joined by `、`."""

    name: str = ""
    passed: str = ""
    lacking: str = ""


@cache
def _rows() -> pd.DataFrame:
    """The shipped factor and parameter rows: name, substance it gives, category, activity, technology."""
    from inventory.factors.load import shipped  # factors.load imports read.validate: import when first used

    t = shipped()[["name", "category", "activity", "technology"]].drop_duplicates()
    gives = t["name"].map(lambda n: n[3:] if n.startswith("ef.") else _GIVES.get(n, ""))
    return t.assign(substance=gives)


def _group(code: str) -> str:
    """The category's node two levels down the tree (`1.A.2.c` -> `1.A`), or its root."""
    chain = categories.ancestors(code)
    return chain[-2] if len(chain) > 1 else chain[-1]


@cache
def activity_sectors(activity: str) -> frozenset[str]:
    """Sectors (data/sectors.csv) of the categories the factor tables name for the activity; empty when none."""
    rows = _rows()
    cats = rows.loc[(rows["activity"] == activity) & (rows["category"] != ""), "category"]
    return frozenset(categories.table()["sector"].reindex(cats.unique()).dropna())


@cache
def lacking(activity: str, category: str, near: str = "group") -> tuple[str, ...]:
    """Expected substances the activity would have no factor for under the category, among those the tables
    give for it nearby: anywhere in the category's part of the tree (`near="group"`: choosing a category
    for an activity) or in a category related to it, ancestor or descendant (`near="related"`: choosing an
    activity for the category the row names)."""
    rows = _rows()
    rows = rows[rows["activity"].isin([activity, ""]) & (rows["substance"] != "")]
    group = _group(category)
    known = categories.table().index
    if near == "group":
        close = rows["category"].map(lambda c: c == "" or (c in known and group in categories.ancestors(c)))
    else:
        close = rows["category"].map(lambda c: c == "" or (c in known and categories.is_related(c, category)))
    nearby = rows[close.astype(bool)]
    applies = nearby[nearby["category"].isin(set(categories.ancestors(category)) | {""})]
    reachable, have = set(nearby["substance"]), set(applies["substance"])
    return tuple(s for s in vocabulary.expected_substances(category, activity) if s in reachable and s not in have)


def _closest(text: str, spellings: dict[str, str]) -> list[str]:
    """Spellings (normalised) close to `text`, best first."""
    return difflib.get_close_matches(normalise_name(text), list(spellings), n=len(spellings), cutoff=CUTOFF)


def _pick(text: str, lookup: Lookup, allowed, lack) -> Suggestion:
    """The closest allowed spelling whose id `lack` finds nothing missing for; the closest allowed one passed
    over, with what it lacks."""
    spellings = {s: i for s, i in lookup.names.items() if allowed(i)}
    passed = None
    for match in _closest(text, spellings):
        missing = lack(spellings[match])
        if not missing:
            return Suggestion(lookup.spellings[match], *(passed or ("", "")))
        if passed is None:
            passed = (f"{lookup.spellings[match]} ({spellings[match]})", "、".join(missing))
    return Suggestion("", *(passed or ("", "")))


@cache
def category(text: str, activity: str | None) -> Suggestion:
    """A category for an unknown category name in a row of `activity` (None when the activity is unknown)."""
    if not activity:
        return Suggestion(categories.lookup().suggest(text))
    sectors = activity_sectors(activity)
    t = categories.table()
    return _pick(text, categories.lookup(), lambda c: not sectors or t.at[c, "sector"] in sectors,
                 lambda c: lacking(activity, c))


@cache
def activity(text: str, category_code: str | None) -> Suggestion:
    """An activity for an unknown activity name in a row of `category_code` (None when unknown)."""
    if not category_code:
        return Suggestion(vocabulary.activity_lookup().suggest(text))
    sector = categories.table().at[category_code, "sector"]
    return _pick(text, vocabulary.activity_lookup(),
                 lambda a: not activity_sectors(a) or sector in activity_sectors(a),
                 lambda a: lacking(a, category_code, "related"))


@cache
def technology(text: str, activity_id: str | None, category_code: str | None) -> Suggestion:
    """A technology id for an unknown one, among those the factor tables name in the row's sector(s)."""
    sectors = activity_sectors(activity_id) if activity_id else frozenset()
    if not sectors and category_code:
        sectors = frozenset([categories.table().at[category_code, "sector"]])
    if not sectors:
        return Suggestion(vocabulary.technology_lookup().suggest(text))
    rows = _rows()
    rows = rows[(rows["technology"] != "") & (rows["category"] != "")]
    in_sector = set(rows.loc[rows["category"].map(categories.table()["sector"]).isin(sectors), "technology"])
    return _pick(text, vocabulary.technology_lookup(), lambda i: i in in_sector, lambda i: ())
