"""GB/T 2260 regions from data/regions.csv: codes, names, aliases and parents."""

from __future__ import annotations

from functools import cache

import pandas as pd

from inventory import resources
from inventory.lookup import Lookup


@cache
def table() -> pd.DataFrame:
    """The region table indexed by code: name_zh, name_en, parent, level, aliases."""
    return resources.data_table("regions.csv").set_index("code", drop=False)


@cache
def lookup() -> Lookup:
    """Code, Chinese or English name, or alias -> code."""
    return Lookup.from_table(table(), "code", ["name_zh", "name_en"], "aliases")


def name(code: str, lang: str = "zh") -> str:
    """The region's name in `lang` (zh or en)."""
    return table().at[code, f"name_{lang}"]


def parent(code: str) -> str:
    """The parent region's code ("" for the top)."""
    return table().at[code, "parent"] if code in table().index else ""


def children(code: str) -> list[str]:
    """Codes of the regions whose parent is `code`."""
    t = table()
    return list(t.index[t["parent"] == code])


def chain(code: str) -> list[str]:
    """The region, its parent, its parent's parent... up to the top (e.g. CN)."""
    out = []
    while code:
        out.append(code)
        code = parent(code)
    return out
