"""GB/T 2260 regions from data/regions.csv: codes, names, aliases and parents; retired codes and their
successors from data/code_changes.csv (DESIGN 3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from inventory import resources
from inventory.lookup import Lookup, normalise_name


@cache
def table() -> pd.DataFrame:
    """The region table indexed by code: name_zh, name_en, parent, level, aliases."""
    return resources.data_table("regions.csv").set_index("code", drop=False)


@cache
def lookup() -> Lookup:
    """Code, Chinese or English name, or alias -> code; a name that several regions bear (鼓楼区) names none
    (see ambiguous)."""
    whole = Lookup.from_table(table(), "code", ["name_zh", "name_en"], "aliases")
    several = {s for s, codes in _by_spelling().items() if len(codes) > 1}
    return Lookup({k: v for k, v in whole.names.items() if k not in several}, whole.ids,
                  {k: v for k, v in whole.spellings.items() if k not in several})


@cache
def _by_spelling() -> dict[str, tuple[str, ...]]:
    """Every spelling (normalised) -> the codes that bear it."""
    out: dict[str, list[str]] = {}
    for rec in table()[["code", "name_zh", "name_en", "aliases"]].itertuples(index=False):
        for s in {normalise_name(n) for n in (rec.code, rec.name_zh, rec.name_en, *str(rec.aliases).split(";")) if n}:
            out.setdefault(s, []).append(rec.code)
    return {k: tuple(v) for k, v in out.items()}


def ambiguous(text: object) -> tuple[str, ...]:
    """The codes of the regions that bear the name `text` when there are several (鼓楼区), else ()."""
    codes = _by_spelling().get(normalise_name(text), ())
    return codes if len(codes) > 1 else ()


@cache
def code_changes() -> pd.DataFrame:
    """The code-change table indexed by old code: old_name, new_code, new_name, year, source (DESIGN 3.1)."""
    return resources.data_table("code_changes.csv").set_index("old_code", drop=False)


def successor(text: object) -> str | None:
    """The current code a retired code (`430122`) was changed into, or None when `text` is no retired code."""
    key = normalise_name(text)
    changes = code_changes()
    return changes.at[key, "new_code"] if key in changes.index else None


def name(code: str, lang: str = "zh") -> str:
    """The region's name in `lang` (zh or en)."""
    return table().at[code, f"name_{lang}"]


def parent(code: str) -> str:
    """The parent region's code ("" for the top)."""
    return _parents().get(code, "")


@cache
def _parents() -> dict[str, str]:
    """Code -> parent code, read once from the region table (a dictionary lookup, not a frame lookup per call)."""
    return dict(zip(table()["code"], table()["parent"]))


def children(code: str) -> list[str]:
    """Codes of the regions whose parent is `code`."""
    t = table()
    return list(t.index[t["parent"] == code])


def descendants(codes) -> set[str]:
    """Codes of every region below any of `codes` (children, their children...)."""
    t = table()
    out: set[str] = set()
    level = set(codes)
    while level:
        level = set(t.index[t["parent"].isin(level)]) - out
        out |= level
    return out


def chain(code: str) -> list[str]:
    """The region, its parent, its parent's parent... up to the top (e.g. CN)."""
    out = []
    while code:
        out.append(code)
        code = parent(code)
    return out


# Longest region cell read as several names (a province, prefecture and county name fit well within it).
MAX_NAMED_CHARS = 40
# Characters people put between the regions they name (`湖南省 长沙市`, `湖南省·长沙市`, `湖南省/长沙市`).
_SEPARATORS = re.compile(r"[\s·•・/\\|,，、\-–—]+")


def _compact(text: object) -> str:
    return _SEPARATORS.sub("", normalise_name(text))


@cache
def _spellings() -> dict[str, tuple[str, ...]]:
    """Every spelling (normalised, separators removed) -> the codes it names (a county name may name several)."""
    out: dict[str, list[str]] = {}
    for rec in table().to_dict("records"):
        names = [rec["code"], rec["name_zh"], rec["name_en"], *str(rec["aliases"] or "").split(";")]
        for s in {_compact(n) for n in names if n}:
            if s and rec["code"] not in out.setdefault(s, []):
                out[s].append(rec["code"])
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Reading:
    """How a region cell naming its parents in front (`湖南省长沙市`) reads.

    code: the last region named, when every region named before it is its ancestor ("" otherwise).
    parent, name: when the names do not nest, the Chinese names of the first pair that does not.
    """

    code: str = ""
    parent: str = ""
    name: str = ""


@cache
def read_with_parents(text: str) -> Reading | None:
    """`湖南省长沙市`, `湖南长沙`, `长沙市芙蓉区` -> the last region named, if its parents agree (DESIGN 3.1, 3.3).

    The cell must split wholly into two or more names, codes or aliases of the region list.
    Returns None when it does not split so; a Reading with `code` when some split nests (each
    region inside the one before it), else a Reading naming the first pair that does not nest.
    """
    compact = _compact(text)
    if len(compact) > MAX_NAMED_CHARS:
        return None
    splits = [parts for parts in _splits(compact) if len(parts) >= 2]
    if not splits:
        return None
    ends = {chain[-1] for parts in splits for chain in _nested(parts)}
    if len(ends) == 1:
        return Reading(code=ends.pop())
    if ends:
        return None  # the names fit more than one region: not read, the row is rejected as unknown
    parts = splits[0]
    for (_, codes_a), (_, codes_b) in zip(parts, parts[1:]):
        if not any(a in chain(b)[1:] for a in codes_a for b in codes_b):
            return Reading(parent=name(codes_a[0]), name=name(codes_b[0]))
    return None


def _splits(compact: str, start: int = 0) -> list[list[tuple[str, tuple[str, ...]]]]:
    """Ways to cut `compact[start:]` wholly into known spellings: lists of (spelling, codes)."""
    names = _spellings()
    out = []
    for end in range(start + 1, len(compact) + 1):
        codes = names.get(compact[start:end])
        if not codes:
            continue
        first = (compact[start:end], codes)
        out += [[first]] if end == len(compact) else [[first, *rest] for rest in _splits(compact, end)]
    return out


def _nested(parts: list[tuple[str, tuple[str, ...]]]) -> list[list[str]]:
    """Code chains, one code per part, each inside the one before it."""
    chains = [[c] for c in parts[0][1]]
    for _, codes in parts[1:]:
        chains = [[*ch, c] for ch in chains for c in codes if ch[-1] in chain(c)[1:]]
    return chains
