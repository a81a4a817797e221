"""Name -> id lookups shared by every vocabulary (regions, categories, activities...).

Inputs may name a thing by its id, its Chinese or English name or an alias; the
lookup is case-insensitive and ignores full-width/half-width differences and
surrounding blanks. Resolution works on whole columns: each distinct name is
looked up once.

The emissions table carries its texts (region, category, activity, units, factor ids...) as ordered
Categoricals of sorted categories (`categorical`, `coded`, `concat_coded`): a code of 1 to 4 bytes per row
instead of a text, sorting and grouping as the texts do.
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


def map_distinct(column: pd.Series, func, categorical: bool = False) -> pd.Series:
    """`func` applied once per distinct value of a column, mapped back onto the whole column by integer
    codes (an object Series with the column's index; with `categorical`, a Categorical column gives a
    Categorical of the results, made from its codes without a value per row).

    Missing cells (None/NaN) are passed to `func` as None. Mapped back by the column's factorised codes
    (an array take, not a per-row dictionary lookup: a detail table of 500k rows felt it).
    """
    if categorical and isinstance(column.dtype, pd.CategoricalDtype):
        results = [func(value) for value in column.cat.categories.tolist()] + [func(None)]
        found, uniques = pd.factorize(np.array(results, dtype=object))  # results repeated or missing: once
        codes = found[column.cat.codes.to_numpy()]  # code -1 (missing) takes the last result, func(None)'s
        return pd.Series(pd.Categorical.from_codes(codes, categories=uniques), index=column.index, name=column.name)
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
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.is_monotonic_increasing:
            # A Categorical of sorted categories (lookup.categorical): its codes sort as its values, no factorisation.
            codes, size = values.cat.codes.to_numpy(), len(values.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(values, sort=True)
            size = len(uniques) + 1
        codes = np.where(codes < 0, size - 1, codes).astype(np.int64)
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


def categorical(codes: np.ndarray, texts) -> pd.Categorical:
    """The texts a column of integer codes stands for (`texts[codes]`; code -1 or a missing text: missing) as an
    ordered pandas Categorical whose categories are the distinct texts and "" in sorted order, so that sorting,
    grouping, min and max by its codes go as by the texts, and "" fills a gap as in a column of texts (`text_dtype`).
    `texts` may repeat a value; nothing is made per row but the codes."""
    texts = np.asarray(texts, dtype=object)
    valid = ~pd.isna(texts) if len(texts) else np.zeros(0, dtype=bool)
    ranks, uniques = pd.factorize(np.append(texts[valid], ""), sort=True)
    dtype = text_dtype(uniques)
    # The remap in the Categorical's own code dtype (int8 for up to 127 categories), so the codes are made in one
    # take, and not checked again (every remapped code is -1 or a category's).
    remap = np.full(len(texts) + 1, -1, dtype=pd.Categorical([], dtype=dtype).codes.dtype)  # the last slot: code -1
    remap[np.flatnonzero(valid)] = ranks[:-1]
    codes = np.asarray(codes)
    return pd.Categorical.from_codes(remap[codes if codes.dtype.kind in "iu" else codes.astype(np.int64)],
                                     dtype=dtype, validate=False)


def text_dtype(values) -> pd.CategoricalDtype:
    """The dtype of a Categorical of texts (`categorical`): ordered, its categories the values (sorted, with "")."""
    return pd.CategoricalDtype(pd.Index(np.asarray(values, dtype=object), dtype="str"), ordered=True)


def constant(value: str, length: int) -> pd.Categorical:
    """A column of `length` rows all holding `value`, as a Categorical of one category (a code per row)."""
    return categorical(np.zeros(length, dtype=np.int64), [value])


def coded(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """The frame with its text columns (`columns`, default every column of texts) as Categoricals of sorted
    categories (`categorical`): one factorisation per column."""
    out = frame.copy(deep=False)
    for column in frame.columns if columns is None else columns:
        values = frame[column]
        if column in frame and (values.dtype == object or values.dtype == "str"):
            codes, uniques = pd.factorize(values)
            out[column] = pd.Series(categorical(codes, uniques), index=frame.index)
    return out


def concat_coded(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """`pd.concat(frames, ignore_index=True)` that keeps Categorical columns Categorical: where a column is a
    Categorical in any frame, every frame's column is recoded onto the sorted union of the categories (the
    values of a text column counted in), so the concatenation moves codes, not texts."""
    frames = list(frames)
    for column in dict.fromkeys(c for f in frames for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)):
        present = [f[column] for f in frames if column in f]
        values = [s.cat.categories.to_numpy(dtype=object) if isinstance(s.dtype, pd.CategoricalDtype)
                  else pd.unique(s.dropna().to_numpy(dtype=object)) for s in present]
        dtype = text_dtype(np.unique(np.concatenate([*values, [""]]).astype(object)))
        frames = [f.assign(**{column: f[column].astype(dtype)}) if column in f else f for f in frames]
    return pd.concat(frames, ignore_index=True)


def map_categorical(column: pd.Series, mapping: pd.Series, factorized: tuple | None = None) -> pd.Series:
    """`map_codes` as a Categorical: the mapping looked up once per distinct value, the rows holding codes."""
    codes, uniques = pd.factorize(column) if factorized is None else factorized
    found = mapping.reindex(uniques).to_numpy(dtype=object)
    return pd.Series(categorical(codes, found), index=column.index, name=column.name)



def as_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each Categorical column turned back into a column of its texts (object dtype), so that two
    tables coded apart (their categories differ) compare and merge value by value."""
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype({c: object for c in cats}) if cats else frame


def observed_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each Categorical of texts holding as categories only the values present and "" (the dtype
    `categorical` gives), so that one table has one dtype however it was put together (one engine or another)."""
    out = frame.copy(deep=False)
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy().astype(np.int64)
            texts = values.cat.categories.to_numpy(dtype=object)
            used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(texts)))
            remap = np.full(len(texts) + 1, -1, dtype=np.int64)  # the last slot: code -1
            remap[used] = np.arange(len(used))
            out[column] = pd.Series(categorical(remap[codes], texts[used]), index=frame.index)
    return out
