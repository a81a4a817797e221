"""A table's columns as integer codes, each coded once per table, and group sums over the codes.

The figures and the analyses filter and sum the same emissions table (millions of rows with text key
columns) many times; masking the whole frame copies every text column and grouping by text factorises it
again each time. `coded(frame)` codes each column on first use (pandas' sorted factorisation, so codes
order as the texts do) and keeps the codes as long as the frame lives; masks and group keys are then
integer arrays, and only the few result rows are turned back into texts. Sums are pandas' groupby sums
over the same rows in the same order as a groupby of the texts, so every figure is bit for bit the same.
The frame must not change once coded.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

_CACHE: dict[int, Coded] = {}
CHUNK_ROWS = 4_000_000  # rows a group sum sums at a time (Coded.region_chunks)
KEEP_KEYS = 1  # combined group keys a Coded keeps (9 bytes a row each: 411 MiB for the national table's
# 45.7M rows; four of them were 1.6 GiB kept to the end of the build, issue 14)


def coded(frame: pd.DataFrame) -> Coded:
    """The Coded view of `frame`, made once per frame object (kept while the frame lives)."""
    found = _CACHE.get(id(frame))
    if found is not None and found.frame is frame and found.n == len(frame):
        return found
    out = Coded(frame)
    _CACHE[id(frame)] = out
    weakref.finalize(frame, _CACHE.pop, id(frame), None)
    return out


def release(frame: pd.DataFrame) -> None:
    """Forget `frame`'s Coded view (its codes and group key: bytes a row for each coded column, issue 14), e.g.
    once the build's last reader is done; a later `coded(frame)` codes it again (the same codes)."""
    _CACHE.pop(id(frame), None)


class Coded:
    """`frame`'s columns as integer codes (missing: -1) and sorted distinct values, coded on first use."""

    def __init__(self, frame: pd.DataFrame):
        self._frame = weakref.ref(frame)
        self._codes: dict[str, tuple[np.ndarray, pd.Index]] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._keys: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}  # the last few group keys (KEEP_KEYS)
        self.n = len(frame)

    @property
    def frame(self) -> pd.DataFrame | None:
        return self._frame()

    def code(self, column: str) -> tuple[np.ndarray, pd.Index]:
        """(codes, uniques) of a column: uniques sorted as pandas sorts them, codes -1 where missing."""
        if column not in self._codes:
            values = self.frame[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                codes, uniques = _observed(values.array)
            else:
                codes, uniques = pd.factorize(values, sort=True)
            self._codes[column] = (codes.astype(_code_type(len(uniques)), copy=False), uniques)
        return self._codes[column]

    def number(self, column: str) -> np.ndarray:
        """A numeric column as a float array."""
        if column not in self._numbers:
            self._numbers[column] = pd.to_numeric(self.frame[column], errors="coerce").to_numpy(dtype=float)
        return self._numbers[column]

    def values_of(self, column: str, func) -> np.ndarray:
        """`func(value)` for every row's value of `column`, computed once per distinct value (func(None) for
        missing cells): an object array."""
        codes, uniques = self.code(column)
        results = np.empty(len(uniques) + 1, dtype=object)
        for i, value in enumerate(uniques):
            results[i] = func(value)
        results[-1] = func(None)
        return results[codes]

    def flags(self, column: str, predicate) -> np.ndarray:
        """`bool(predicate(value))` for every row's value of `column` (predicate(None) for missing cells), computed
        once per distinct value: a bool array (values_of's object array of Python bools was 8 bytes a row)."""
        codes, uniques = self.code(column)
        results = np.array([bool(predicate(value)) for value in uniques] + [bool(predicate(None))], dtype=bool)
        return results[codes]

    def isin(self, column: str, values) -> np.ndarray:
        """True where the row's value of `column` is one of `values` (never for a missing cell)."""
        codes, uniques = self.code(column)  # a mask per call, not kept: a byte a row each (issue 14)
        return np.append(np.asarray(uniques.isin(list(values)), dtype=bool), False)[codes]

    def eq(self, column: str, value) -> np.ndarray:
        """True where the row's value of `column` equals `value`."""
        return self.isin(column, [value])

    def take(self, column: str, rows: np.ndarray | None = None) -> pd.Series:
        """The column's values (in its own dtype) of `rows` (a bool mask or positions; None: all)."""
        codes, uniques = self.code(column)
        picked = codes if rows is None else codes[rows]
        return pd.Series(uniques.take(picked, allow_fill=True, fill_value=None))

    def derived(self, column: str, func, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
        """(codes, uniques) of `func(value)` over a column, computed once per distinct value (an object column
        as map_distinct gives; missing cells stay missing)."""
        codes, uniques = self.code(column)
        results = pd.Series([func(v) for v in uniques], dtype=object)
        result_codes, result_uniques = pd.factorize(results, sort=sort)
        kind = _code_type(len(result_uniques))  # a byte a row for a few hundred values, not four (issue 14)
        return np.append(result_codes, -1).astype(kind)[codes], pd.Index(result_uniques, dtype=object)

    def group_sum(self, by: list, values, mask: np.ndarray | None = None, sort: bool = True, min_count: int = 0,
                  fill: dict[str, str] | None = None, together: bool = True, decode: bool = True):
        """`frame[mask].groupby(by, sort=sort)[values].sum(min_count=min_count).reset_index()`, grouped by the
        columns' codes (the same rows summed in the same order, so the same sums).

        by: column names, or (name, codes, uniques) for a key computed from the columns (`derived`).
        values: column names, or {name: float array over every row}.
        fill: {column: text}, a fillna of that key column before grouping (missing cells grouped with that
        text); otherwise rows with a missing key are left out, as groupby does.
        together: the values summed as one frame (as `groupby(...)[[a, b]].sum()`), else each on its own (as
        `groupby(...).agg(a=(a, "sum"), ...)`): pandas' sums of the two can differ in the last bit, so the
        caller says which one it replaces.
        decode: False returns ({name: (codes, uniques)} of the groups, the sums) instead of one decoded frame.
        """
        fill = fill or {}
        names, keys, texts, radix = [], [], [], []
        for item in by:
            if isinstance(item, str):
                codes, uniques = self.code(item)
                if item in fill:
                    codes, uniques = _filled(codes, uniques, fill[item], sort)
                item = (item, codes, uniques)
            names.append(item[0])
            keys.append(item[1])
            texts.append(item[2])
            radix.append(len(item[2]) + 1)
        rows = np.ones(self.n, dtype=bool) if mask is None else np.array(mask, dtype=bool)
        arrays = values if isinstance(values, dict) else {v: self.number(v) for v in values}
        chunks = self.region_chunks() if self._by_region(names, keys) else None
        if chunks is not None:  # a few million rows at a time, whole regions each (issue 14)
            parts = []
            for start, end in chunks:
                part = slice(start, end)
                ks = [k[part] for k in keys]
                picked = rows[part] & _known(ks)
                every = bool(picked.all())
                key = combine(ks, radix) if every else combine(ks, radix)[picked]
                parts.append(_sums(_numbers({v: a[part] for v, a in arrays.items()}, picked, every, len(key)),
                                   key, sort, min_count, together))
            sums = pd.concat([p for p in parts if len(p)] or parts[:1])
            if sort:
                sums = sums.sort_index()
            return self._decoded(names, texts, radix, sums, arrays, decode)
        named = tuple((b, fill.get(b)) for b in by) if all(isinstance(b, str) for b in by) else None
        if named is not None and (named, sort) in self._keys:
            full, known = self._keys[(named, sort)]
        else:
            if named is not None:  # the oldest keys let go before the new one is made, not after (issue 14)
                kept = list(self._keys.items())
                self._keys = dict(kept[max(0, len(kept) - (KEEP_KEYS - 1)):])
            full, known = combine(keys, radix), _known(keys)
            if named is not None:
                self._keys[(named, sort)] = (full, known)
        rows &= known
        everything = bool(rows.all())
        key = full if everything else full[rows]
        numbers = _numbers(arrays, rows, everything, len(key))
        return self._decoded(names, texts, radix, _sums(numbers, key, sort, min_count, together), arrays, decode)

    @staticmethod
    def _decoded(names: list, texts: list, radix: list, sums: pd.DataFrame, arrays: dict, decode: bool):
        """group_sum's result from the sums indexed by the combined key."""
        groups = {name: (part, uniques) for name, uniques, part in zip(names, texts, split_key(sums.index, radix))}
        if not decode:
            return groups, sums.reset_index(drop=True)
        frame = pd.DataFrame({name: uniques.take(part).array for name, (part, uniques) in groups.items()})
        for v in arrays:
            frame[v] = sums[v].to_numpy()
        return frame

    def _by_region(self, names: list[str], keys: list[np.ndarray]) -> bool:
        """True when the key codes include the frame's own region codes (a group then never spans two regions)."""
        if "region" not in self.frame:
            return False
        own = self.code("region")[0]
        return any(name == "region" and k is own for name, k in zip(names, keys))

    def region_chunks(self) -> list[tuple[int, int]] | None:
        """Row ranges [start, end) of about CHUNK_ROWS rows each, cut where the region changes, so that each
        region's rows lie in one range; None for a frame of at most CHUNK_ROWS rows or whose regions' rows are
        not each contiguous (then summed at once). Summed range by range, each group has the same rows in the
        same order, so the same sums, in the same order of first appearance (issue 14: a group sum's
        temporaries, ≈ 30 bytes a row, were GBs over the national table's 45.7M rows)."""
        if self.n <= CHUNK_ROWS or "region" not in self.frame:
            return None
        if not hasattr(self, "_chunks"):
            codes, _ = self.code("region")
            starts = np.r_[0, np.flatnonzero(codes[1:] != codes[:-1]) + 1]
            if len(starts) != np.count_nonzero(np.bincount(codes.astype(np.int64) + 1)):  # a region in two runs
                self._chunks = None
            else:
                cuts = starts[np.searchsorted(starts, np.arange(CHUNK_ROWS, self.n, CHUNK_ROWS))
                              .clip(max=len(starts) - 1)]
                bounds = np.unique(np.r_[0, cuts, self.n])
                self._chunks = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
        return self._chunks

    def first_rows(self, by: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """Positions of the first row of each distinct combination of `by` (rows with a missing key
        included), in order of appearance: `frame[mask].drop_duplicates(by)`'s rows."""
        chunks = self.region_chunks() if "region" in by else None
        if chunks is not None:  # whole regions at a time (issue 14): the same rows, in the same order
            return np.concatenate([start + self._first_rows(by, mask, slice(start, end)) for start, end in chunks])
        return self._first_rows(by, mask, slice(0, self.n))

    def _first_rows(self, by: list[str], mask: np.ndarray | None, part: slice) -> np.ndarray:
        """first_rows within the rows of `part`, as positions from its start."""
        key = None
        for column in by:
            codes, uniques = self.code(column)
            codes = codes[part].astype(np.int64) + 1
            if key is None:
                key = codes
            else:
                key *= len(uniques) + 1
                key += codes
        if key is None:
            key = np.zeros(part.stop - part.start, dtype=np.int64)
        if mask is not None:
            positions = np.flatnonzero(mask[part])
            key = key[positions]
            return positions[pd.Series(key).drop_duplicates().index.to_numpy()]
        return pd.Series(key).drop_duplicates().index.to_numpy()


def _sums(numbers: pd.DataFrame, key: np.ndarray, sort: bool, min_count: int, together: bool) -> pd.DataFrame:
    """The sums of the columns of `numbers` by `key` (group_sum's pandas step)."""
    if numbers.shape[1] == 1:  # one column: summed as a Series (the same loop as a frame of one column)
        (v,) = numbers.columns
        return numbers[v].groupby(key, sort=sort).sum(min_count=min_count).to_frame(v)
    if together:
        return numbers.groupby(key, sort=sort).sum(min_count=min_count)
    return pd.DataFrame({v: numbers[v].groupby(key, sort=sort).sum(min_count=min_count) for v in numbers})


def _numbers(arrays: dict, rows: np.ndarray, everything: bool, n: int) -> pd.DataFrame:
    """The float arrays' `rows` as one frame, each picked straight into the frame's one block (not a column
    each and then a block: a copy less, 8 bytes a row per column, issue 14); `everything`: all rows."""
    block = np.empty((len(arrays), n))
    for i, a in enumerate(arrays.values()):
        if everything:
            block[i] = np.asarray(a, dtype=float)
        else:
            np.compress(rows, np.asarray(a, dtype=float), out=block[i])
    return pd.DataFrame(block.T, columns=list(arrays), copy=False)


def _code_type(count: int) -> type:
    """The smallest signed integer type holding codes 0..count-1, -1 and count (issue 14: a byte or two a row
    instead of four for the few hundred regions or categories of a table of tens of millions of rows)."""
    return np.int8 if count < 127 else np.int16 if count < 32767 else np.int32


def _observed(values: pd.Categorical) -> tuple[np.ndarray, pd.Index]:
    """`pd.factorize(values, sort=True)` of a Categorical from its own codes (no factorisation of the rows):
    codes of the categories present, in category order, -1 where missing; the uniques as texts (as a text
    column's)."""
    codes = values.codes
    present = np.bincount(codes[codes >= 0], minlength=len(values.categories)) > 0
    remap = np.append(np.cumsum(present) - 1, -1).astype(_code_type(int(present.sum())))
    uniques = values.categories[present]
    return remap[codes], pd.Index(uniques.to_numpy(dtype=object), dtype="str")


def combine(keys: list[np.ndarray], radix: list[int]) -> np.ndarray:
    """One int64 key of several code arrays (each < its radix), ordered as the codes are, column by column."""
    key = np.zeros(len(keys[0]) if keys else 0, dtype=np.int64)
    for codes, r in zip(keys, radix):
        key *= r  # in place: no temporary of 8 bytes a row per column (issue 14)
        key += codes
    return key


def _known(keys: list[np.ndarray]) -> np.ndarray:
    """True where every code array's code is known (≥ 0), one mask built in place."""
    known = np.ones(len(keys[0]) if keys else 0, dtype=bool)
    for codes in keys:
        known &= codes >= 0
    return known


def split_key(key, radix: list[int]) -> list[np.ndarray]:
    """The code arrays a `combine`d key was made of."""
    rest = np.asarray(key, dtype=np.int64)
    parts = []
    for r in reversed(radix):
        rest, part = np.divmod(rest, r)
        parts.append(part)
    return parts[::-1]


def _filled(codes: np.ndarray, uniques: pd.Index, text: str, sort: bool) -> tuple[np.ndarray, pd.Index]:
    """Codes and uniques with missing cells read as `text` (kept sorted when `sort`)."""
    if not (codes < 0).any():
        return codes, uniques
    if text in uniques:
        return np.where(codes < 0, uniques.get_loc(text), codes).astype(np.int32), uniques
    extended = uniques.append(pd.Index([text], dtype=uniques.dtype))
    codes = np.where(codes < 0, len(uniques), codes).astype(np.int32)
    if not sort:
        return codes, extended
    order = np.argsort(extended.to_numpy(dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank[codes], extended.take(order)
