"""The IPCC/NFR category tree from data/categories.csv, with zh/en names and sectors."""

from __future__ import annotations

from functools import cache

import pandas as pd

from inventory import resources
from inventory.lookup import Lookup


@cache
def table() -> pd.DataFrame:
    """Category table indexed by code: parent, name_zh, name_en, sector, role, activity_class, depth.

    role: `emission` (a source), `sink`, `memo` (reported for information, never in a gross total)
    or `statistic` (`stat`: indicators, no source); activity_class: the class of activity the
    category takes where it has one (`fuel` under 1.A).
    """
    t = resources.data_table("categories.csv").set_index("code", drop=False)
    parents = dict(zip(t["code"], t["parent"]))  # made once, not once per category (ancestors' `t`)
    t["depth"] = [len(_chain(c, parents)) for c in t.index]
    return t


def ancestors(code: str, t: pd.DataFrame | None = None) -> list[str]:
    """The category and its ancestors, nearest first (`1.A.1.a` -> [`1.A.1.a`, `1.A.1`, `1.A`, `1`])."""
    return _chain(code, _parents() if t is None else dict(zip(t["code"], t["parent"])))


def _chain(code: str, parents: dict[str, str]) -> list[str]:
    """`code` and its ancestors by the child -> parent map `parents`, nearest first."""
    out = []
    while code:
        out.append(code)
        code = parents.get(code, "")
    return out


@cache
def _parents() -> dict[str, str]:
    t = resources.data_table("categories.csv")
    return dict(zip(t["code"], t["parent"]))


def labelled(code: str, lang: str) -> str:
    """`code name` as the template's category drop-down shows it (`1.A.1.a 电力和热力生产`), name in `lang`."""
    return f"{code} {table().at[code, 'name_en' if lang == 'en' else 'name_zh']}"


@cache
def with_role(*roles: str) -> frozenset[str]:
    """Codes of the categories whose role is one of `roles` (`statistic` -> {`stat`})."""
    t = table()
    return frozenset(t.index[t["role"].isin(roles)])


def statistics_code() -> str:
    """The code of the category of statistics rows (the one category of role `statistic`: `stat`)."""
    (code,) = with_role("statistic")
    return code


@cache
def lookup() -> Lookup:
    """Code, Chinese or English name, or `code name` (the template's drop-down form, either language) -> code."""
    t = table()
    forms = t.assign(aliases=[f"{labelled(c, 'zh')};{labelled(c, 'en')}" for c in t["code"]])
    return Lookup.from_table(forms, "code", ["name_zh", "name_en"], "aliases")


def is_related(a: str, b: str) -> bool:
    """True when a is b, an ancestor of b or a descendant of b."""
    return a in ancestors(b) or b in ancestors(a)


@cache
def sectors() -> pd.DataFrame:
    """Report groups (the guideline's five sectors + other pollutant sources), in order."""
    return resources.data_table("sectors.csv").set_index("sector", drop=False)
