"""Name -> id lookups shared by every vocabulary (regions, categories, activities...).

Inputs may name a thing by its id, its Chinese or English name or an alias; the
lookup is case-insensitive and ignores full-width/half-width differences and
surrounding blanks. Resolution works on whole columns: each distinct name is
looked up once.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd


def normalise_name(text: object) -> str:
    """The form names are compared in: NFKC, blanks inside collapsed to one space, stripped, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


@dataclass(frozen=True)
class Lookup:
    """Maps every accepted spelling of a vocabulary entry to its id."""

    names: dict[str, str]
    ids: tuple[str, ...]
    spellings: dict[str, str]

    @classmethod
    def from_table(cls, table: pd.DataFrame, id_col: str, name_cols: list[str], alias_col: str | None = None):
        """Build a lookup from a vocabulary table; aliases are `;`-separated."""
        names: dict[str, str] = {}
        shown: dict[str, str] = {}
        for record in table.to_dict("records"):
            key = record[id_col]
            spellings = [key] + [record[c] for c in name_cols]
            if alias_col and record.get(alias_col):
                spellings += record[alias_col].split(";")
            for s in spellings:
                if s:
                    names.setdefault(normalise_name(s), key)
                    shown.setdefault(normalise_name(s), s.strip())
        return cls(names, tuple(table[id_col]), shown)

    def get(self, name: object) -> str | None:
        """The id for one name, or None."""
        return self.names.get(normalise_name(name))

    def resolve(self, column: pd.Series) -> pd.Series:
        """Ids for a whole column (None where unknown); each distinct value looked up once."""
        return map_distinct(column, self.get)

    def suggest(self, name: object) -> str:
        """The closest known spelling, or "" when nothing is close."""
        match = closest(normalise_name(name), list(self.names))
        return self.spellings[match] if match else ""


def closest(name: str, known) -> str:
    """The entry of `known` nearest to `name` (difflib ratio ≥ 0.6), or "" when nothing is close."""
    match = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return match[0] if match else ""


def map_distinct(column: pd.Series, func) -> pd.Series:
    """`func` applied once per distinct value of a column, mapped back onto the whole column by integer
    codes (an object Series with the column's index).

    Missing cells (None/NaN) are passed to `func` as None. Mapped back by the column's factorised codes
    (an array take, not a per-row dictionary lookup: a detail table of 500k rows felt it).
    """
    codes, uniques = pd.factorize(column)
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        results[i] = func(value)
    if (codes < 0).any():
        results[-1] = func(None)
    return pd.Series(results[codes], index=column.index, name=column.name, dtype=object)


def map_codes(column: pd.Series, mapping: pd.Series, factorized: tuple | None = None) -> pd.Series:
    """`column.map(mapping)` by integer codes: each distinct value looked up once, the results taken onto
    the whole column (missing where the mapping has no entry), in the mapping's dtype. `factorized`: the
    column's `pd.factorize`, when several mappings are taken onto one column."""
    codes, uniques = pd.factorize(column) if factorized is None else factorized
    found = pd.Series(mapping.reindex(uniques).array)
    found = pd.concat([found, pd.Series(mapping.iloc[:0].array.take([-1], allow_fill=True))], ignore_index=True)
    return pd.Series(found.array.take(codes), index=column.index, name=column.name)


def sort_order(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The row order of `frame.sort_values(columns, kind="stable")` (missing values last), from sorted
    integer codes of each column, combined into as few int64 keys as fit (one stable sort when they all do)."""
    keys, key, span = [], None, 1
    for column in columns:
        codes, uniques = pd.factorize(frame[column], sort=True)
        size = len(uniques) + 1
        codes = np.where(codes < 0, len(uniques), codes).astype(np.int64)
        if key is not None and span * size < 2 ** 62:
            key, span = key * size + codes, span * size
        else:
            if key is not None:
                keys.append(key)
            key, span = codes, size
    if key is None:
        return np.arange(len(frame))
    keys.append(key)
    return np.argsort(keys[0], kind="stable") if len(keys) == 1 else np.lexsort(keys[::-1])


def join_groups(frame: pd.DataFrame, by: list[str], column: str, sep: str = ";") -> pd.Series:
    """`frame.groupby(by, sort=False)[column].agg(sep.join)` on whole columns: the texts of each group
    joined in row order, indexed by the groups' `by` values (no Python call per group)."""
    frame = frame[frame[by].notna().all(axis=1)]  # as groupby: rows with a missing key belong to no group
    group = frame.groupby(by, sort=False)
    nth = group.cumcount().to_numpy()
    code = group.ngroup().to_numpy()
    values = frame[column].to_numpy(dtype=object)
    first = nth == 0
    out = np.empty(int(first.sum()), dtype=object)
    out[code[first]] = values[first]
    for j in range(1, int(nth.max()) + 1 if len(nth) else 0):
        at = nth == j
        out[code[at]] = out[code[at]] + sep + values[at]
    index = pd.MultiIndex.from_frame(frame.loc[first, by]) if len(by) > 1 else pd.Index(frame.loc[first, by[0]])
    return pd.Series(out, index=index, name=column)
