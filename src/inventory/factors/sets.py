"""Named factor sets (DESIGN 3.4): `china`, `ipcc`, `ceads`; which rows belong to which set.

A factor row's `factor_sets` cell names the sets it belongs to, joined by `;`; an
empty cell means every set. The sets, their names, the regions they cover and the
default come from data/factor_sets.csv.
"""

from __future__ import annotations

import pandas as pd

from inventory import regions, resources
from inventory.errors import Problem, UsageError
from inventory.lookup import map_distinct


def table() -> pd.DataFrame:
    """The known factor sets (data/factor_sets.csv), indexed by id."""
    return resources.data_table("factor_sets.csv").set_index("id", drop=False)


def names() -> list[str]:
    """The ids of the known sets, in the data file's order."""
    return list(table().index)


def default() -> str:
    """The set a build uses when none is named (the data file's `default = yes` row)."""
    return table().index[table()["default"] == "yes"][0]


def members(cell: str) -> list[str]:
    """The sets one `factor_sets` cell names (every known set when the cell is empty)."""
    named = [s.strip() for s in str(cell).split(";") if s.strip()]
    return named or names()


def unknown(cell: str) -> list[str]:
    """The names in one `factor_sets` cell that are no known set."""
    return [s for s in members(cell) if s not in table().index]


def belongs(cells: pd.Series, name: str) -> pd.Series:
    """Whether each row (its `factor_sets` cell) belongs to the set `name`; one test per distinct cell."""
    return map_distinct(cells.fillna(""), lambda c: name in members(c)).astype(bool)


def select(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows of a factor table that belong to the set `name` (a table without the column: all rows)."""
    if frame.empty or "factor_sets" not in frame:
        return frame
    return frame[belongs(frame["factor_sets"], name)]


def _listing(lang: str = "en") -> str:
    return ", ".join(f"{i} ({n})" for i, n in zip(table().index, table()[f"name_{lang}"]))


def checked(name: str | None, where: str = "--factor-set", file: str = "") -> str:
    """The set's id (the default when `name` is empty); an unknown name is a usage error listing the sets."""
    if name is None or str(name).strip() == "":
        return default()
    key = str(name).strip().lower()
    if key not in table().index:
        raise UsageError(Problem("unknown_factor_set", file=file, column=where, value=str(name),
                                 expected="one_of_the_factor_sets", params=(("sets", _listing()),)))
    return key


def coverage(name: str) -> list[str]:
    """The region codes a set covers with their parts (empty: every region)."""
    return [c for c in table().at[name, "regions"].split(";") if c]


def check_regions(name: str, codes) -> None:
    """A usage error when a region is outside the set's coverage (DESIGN 3.4: `ceads` covers Hunan and its parts)."""
    covered = coverage(name)
    if not covered:
        return
    outside = sorted(c for c in set(codes) if not set(regions.chain(c)) & set(covered))
    if outside:
        where = ", ".join(f"{c} {regions.name(c, 'zh')}" for c in covered)
        raise UsageError([Problem("factor_set_does_not_cover_region", column="--factor-set",
                                  value=f"{c} {regions.name(c, 'zh')}", expected="regions_the_set_covers",
                                  params=(("set", name), ("regions", where))) for c in outside])
