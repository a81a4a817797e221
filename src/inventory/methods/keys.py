"""Helpers every method module shares: activity keys, resolved parameters as columns, factor-id lists."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import vocabulary
from inventory.factors.resolve import (KEY_COLUMNS, class_positions, combined_codes, first_rows, key_codes, of_names,
                                      resolve_keys)
from inventory.lookup import categorical, coded

# Not-estimated reasons every method gives (codes of data/messages.csv; each module adds its own).
REASON_NO_FACTOR = "ne_no_default_factor"
REASON_SUBCATEGORY_ONLY = "ne_subcategory_only"
REASON_NO_FACTOR_OR_NCV = "ne_no_default_factor_or_ncv"


def aggregate_keys(activity: pd.DataFrame) -> pd.DataFrame:
    """Sum activity rows per key and quantity of the amount; adds `key_id` (one per distinct key).

    Groups by one integer per key and quantity (sorted codes of each column combined, so the groups come
    in the order of the sorted key values; each group's values read back from its integer); rows with a
    missing key value belong to no group."""
    columns = KEY_COLUMNS + ["quantity"]
    key = np.zeros(len(activity), dtype=np.int64)
    valid = np.ones(len(activity), dtype=bool)
    uniques = []
    for column in columns:
        codes, values = _sorted_codes(activity[column])
        valid &= codes >= 0
        key *= len(values) + 1  # in place: no temporary the size of the rows
        key += codes
        uniques.append(values)
    amounts = activity["amount"].to_numpy()
    if not valid.all():
        key, amounts = key[valid], amounts[valid]
    by = pd.Series(amounts).groupby(key, sort=True)
    amount, size = by.sum(), by.size()
    group = amount.index.to_numpy()
    grouped = {}
    for column, values in reversed(list(zip(columns, uniques))):
        group, code = np.divmod(group, len(values) + 1)
        grouped[column] = _as_group_key(pd.Series(values.take(code)))
    grouped = pd.DataFrame({c: grouped[c] for c in columns})
    grouped["amount"] = amount.to_numpy()
    grouped["rows"] = size.to_numpy()
    per_key = amount.index.to_numpy() // (len(uniques[-1]) + 1)  # the key without its quantity
    grouped["key_id"] = np.cumsum(np.r_[False, per_key[1:] != per_key[:-1]]) if len(per_key) else per_key
    return grouped


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, object]:
    """A column's codes in the order of its sorted values (-1: missing) and the values they index: a Categorical's
    own codes and categories (its categories taken in their order, as sorting it does), whole numbers of a small
    range as their offset from the least, else `pd.factorize(sort=True)`. Equal values, equal codes; codes
    ordered as the values; the values read back by `values.take(code)` as from the factorisation."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Categorical.from_codes(np.arange(len(values.cat.categories)),
                                                                      dtype=values.dtype)
    if values.dtype == np.int64 and len(values):
        numbers = values.to_numpy()
        low, high = int(numbers.min()), int(numbers.max())
        if high - low < max(len(numbers), 1024):
            return numbers - low, np.arange(low, high + 1, dtype=np.int64)
    return pd.factorize(values, sort=True)


def _as_group_key(values: pd.Series) -> pd.Series:
    """Values as a groupby's keys hold them: texts in an object column as `str` (the dtype pandas infers)."""
    values = values.reset_index(drop=True)
    return pd.Series(pd.Index(values.to_numpy())) if values.dtype == object else values


def expected_per_key(keys: pd.DataFrame) -> pd.DataFrame:
    """Keys × the substances expected of their category and activity (data/expected_substances.csv,
    `vocabulary.expected_substances`): one row per key and substance, looked up once per distinct pair."""
    pairs = keys[["category", "activity"]].drop_duplicates()
    table = pd.DataFrame([(c, a, s) for c, a in zip(pairs["category"], pairs["activity"])
                          for s in vocabulary.expected_substances(c, a)], columns=["category", "activity", "substance"])
    return keys.merge(table, on=["category", "activity"])


def resolved_wide(resolved: pd.DataFrame) -> pd.DataFrame:
    """Resolved values as columns `<name>`, `<name>:basis`, `<name>:method`, `<name>:id` and `<name>:level`
    (shipped 1, user folder 2, local row 3) per key_id."""
    parts = []
    for field, suffix in (("value", ""), ("basis", ":basis"), ("method", ":method"), ("factor_id", ":id"),
                          ("level", ":level")):
        p = resolved.pivot(index="key_id", columns="name", values=field)
        p = p.astype(float) if field in ("value", "level") else p
        p.columns = [c + suffix for c in p.columns]
        parts.append(p)
    return pd.concat(parts, axis=1)


def expected_pairs(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`expected_per_key` on integer codes: (position of the key in `keys`, substance code) for every key and
    substance expected of its category and activity, in key order then the vocabulary's order, and the
    substances the codes index (an object array). Each distinct category and activity is looked up once."""
    category, activity = (pd.factorize(keys[c], use_na_sentinel=False) for c in ("category", "activity"))
    width = len(activity[1]) + 1
    pair, pairs = pd.factorize(category[0].astype(np.int64) * width + activity[0])
    lists = [vocabulary.expected_substances(category[1][p // width], activity[1][p % width]) for p in pairs]
    names = list(dict.fromkeys(s for x in lists for s in x))
    number = {s: i for i, s in enumerate(names)}
    count = np.array([len(x) for x in lists], dtype=np.int64)[pair] if len(pairs) else np.zeros(0, dtype=np.int64)
    flat = np.array([number[s] for x in lists for s in x], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)[pair] if len(pairs) \
        else np.zeros(0, dtype=np.int64)
    position = np.repeat(np.arange(len(keys)), count)
    within = np.arange(len(position)) - np.repeat(np.cumsum(count) - count, count)
    return position, flat[np.repeat(start, count) + within] if len(flat) else flat, np.array(names, dtype=object)


def with_parameters(keys: pd.DataFrame, factor_table: pd.DataFrame, names, coded_ids: bool = False,
                    levels=None) -> pd.DataFrame:
    """Aggregated keys with their resolved factors and parameters `names` as columns (see `resolved_wide`;
    bases and methods as Categoricals, levels as float32; factor ids as texts, or as Categoricals with
    `coded_ids`, for a method that works on their codes: methods.energy, which names in `levels` the factors and
    parameters whose `:level` columns it reads: only those are made, None: all).

    Resolution runs once per resolution class of each name (DESIGN 3.4; `resolve.class_positions`
    over the rows of that name only, so a name without local or year-bound rows resolves once per
    category, activity and device, not per region-year), and the winners are looked up by class
    position for every key (array lookups over integer codes), not per activity row.
    """
    distinct = keys.drop_duplicates("key_id")[["key_id", *KEY_COLUMNS]]
    position = pd.Index(distinct["key_id"]).get_indexer(keys["key_id"])
    codes = key_codes(distinct)
    # Every name's classes and rows in one resolution (`group` = the name's number; class numbers offset).
    tables, class_frames, offsets, class_of = [], [], [0], []
    for group, name in enumerate(names):
        table = of_names(factor_table, [name])
        classes, of_key = class_positions(codes, table)
        tables.append(table.assign(group=group))
        class_frames.append(classes.assign(key_id=classes["key_id"] + offsets[-1], group=group))
        offsets.append(offsets[-1] + len(classes))
        class_of.append(of_key)
    won = resolve_keys(pd.concat(class_frames, ignore_index=True), pd.concat(tables, ignore_index=True)) \
        if len(names) else pd.DataFrame()
    parts = []
    for group in range(len(names)):
        mine = won[(won["key_id"] >= offsets[group]) & (won["key_id"] < offsets[group + 1])]
        if mine.empty:
            continue
        if coded_ids:  # the columns made on codes, straight onto the keys (no per-class frame)
            parts.append(_wide_coded(mine, offsets[group], offsets[group + 1] - offsets[group],
                                     class_of[group][position], levels))
            continue
        wide = resolved_wide(mine.assign(key_id=mine["key_id"] - offsets[group]))
        # Per class; taken onto the keys below. Bases and methods (a few distinct texts) as Categoricals, levels
        # (1 to 3) as float32: a key row holds codes for them; ids as objects (taking them copies references).
        wide = coded(wide, [c for c in wide.columns if c.endswith((":basis", ":method", ":id") if coded_ids
                                                                   else (":basis", ":method"))])
        wide = wide.astype({c: object for c in wide.columns if wide[c].dtype == "str"})
        wide = wide.astype({c: np.float32 for c in wide.columns if c.endswith(":level")})
        parts.append(wide.reindex(class_of[group][position]).reset_index(drop=True))
    out = keys.reset_index(drop=True)
    return pd.concat([out, *parts], axis=1) if parts else out


def _wide_coded(won: pd.DataFrame, offset: int, classes: int, class_of_key: np.ndarray, levels=None) -> pd.DataFrame:
    """`with_parameters(coded_ids=True)`'s columns of one resolution (`won`: resolve_keys' winners of classes
    numbered from `offset`, `classes` of them) taken onto the keys (`class_of_key`: each key's class): the
    columns, order, values and dtypes of `resolved_wide` coded (bases, methods and ids as Categoricals of the
    values each column holds over the classes, levels as float32: those of the names in `levels` only, unless
    None) and reindexed by class, made on integer codes: one factorisation per field, a scatter into a class × name matrix, the Categoricals made per class
    and their codes taken onto the keys."""
    name_codes, names = pd.factorize(won["name"], sort=True)  # the pivot's columns: the names sorted
    row = won["key_id"].to_numpy(dtype=np.int64) - offset
    parts = []
    for field, suffix in (("value", ""), ("basis", ":basis"), ("method", ":method"), ("factor_id", ":id"),
                          ("level", ":level")):
        labels = [str(name) + suffix for name in names]
        if field in ("value", "level"):
            matrix = np.full((len(names), classes), np.nan, dtype=np.float32 if field == "level" else float)
            matrix[name_codes, row] = won[field].to_numpy(dtype=float)
            if field == "level" and levels is not None:  # only the levels the caller reads
                wanted = [j for j, name in enumerate(names) if name in levels]
                matrix, labels = matrix[wanted], [labels[j] for j in wanted]
            # One 2-D block of the keys' numbers (a name per row of it: each column contiguous), not a column each.
            parts.append(pd.DataFrame(np.take(matrix, class_of_key, axis=1).T, columns=labels, copy=False))
            continue
        codes, texts = pd.factorize(won[field])
        matrix = np.full((classes, len(names)), -1, dtype=np.int64)
        matrix[row, name_codes] = codes
        columns = {}
        for j, label in enumerate(labels):
            at = matrix[:, j]
            present = np.unique(at[at >= 0])  # a column's categories: the values it holds over the classes
            remap = np.full(len(texts) + 1, -1, dtype=np.int64)  # the last slot: code -1
            remap[present] = np.arange(len(present))
            # Made per class, then its (small-integer) codes taken onto the keys.
            columns[label] = categorical(remap[at], np.asarray(texts, dtype=object)[present]).take(class_of_key)
        parts.append(pd.DataFrame(columns))
    return pd.concat(parts, axis=1)


def tiers(factor_ids: pd.Series, factor_table: pd.DataFrame) -> pd.Series:
    """The IPCC tier of each emission row from the factor ids it used (DESIGN 3.7 `tier`): `T2` where any
    factor or parameter is local (a workbook's `local:` row, a user folder's row) or country- or
    region-specific (a row with a region: the china and ceads sets' Chinese values, T/CSES), else `T1`
    (IPCC or EMEP/EEA defaults only). One test per distinct id list; a Categorical."""
    specific = set(factor_table.loc[(factor_table["region"].fillna("") != "") | (factor_table["level"] > 1),
                                    "factor_id"])

    def tier(ids: str) -> str:
        return "T2" if any(i.startswith("local:") or i in specific for i in ids.split(";") if i) else "T1"

    codes, uniques = pd.factorize(factor_ids)  # missing ids (code -1): none
    found = [tier(str(ids)) for ids in uniques] + [tier("")]
    return pd.Series(categorical(np.where(codes < 0, len(uniques), codes), found), index=factor_ids.index)


def is_local(frame: pd.DataFrame, name: str) -> pd.Series:
    """Whether each key's factor or parameter `name` came from the user's workbook (factor id `local:...`)."""
    return column(frame, f"{name}:id", "").astype(str).str.startswith("local:")


def column(frame: pd.DataFrame, name: str, default=np.nan) -> pd.Series:
    """frame[name], or a column of `default` when the frame has none."""
    if name in frame:
        return frame[name]
    return pd.Series(default, index=frame.index, dtype=object if isinstance(default, str) else float)


def unique_ids(text: str) -> str:
    """`a;b;a;;c` -> `a;b;c`: ids in order, without repeats or empty ones."""
    return ";".join(dict.fromkeys(x for x in text.split(";") if x))


def text(values) -> np.ndarray:
    """A column of texts as an object array, "" where missing."""
    out = np.asarray(values, dtype=object)
    return np.where(pd.isna(out), "", out) if len(out) else out


def join_id_arrays(*arrays) -> np.ndarray:
    """Factor ids of the columns joined by `;`, skipping empty ones, in order, without repeats, as an object
    array. Works on integer codes: the texts are joined once per distinct tuple of ids."""
    return join_texts(*[text(a) for a in arrays])


def join_texts(*columns: np.ndarray) -> np.ndarray:
    """`join_id_arrays` of object arrays without missing values (texts as `text` returns them)."""
    combo = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:  # one code per distinct tuple of ids
        codes, uniques = pd.factorize(c)
        combo = pd.factorize(combo * (len(uniques) + 1) + codes)[0].astype(np.int64)
    if not len(combo):
        return np.array([], dtype=object)
    first = np.zeros(int(combo.max()) + 1, dtype=np.int64)
    first[combo[::-1]] = np.arange(len(combo))[::-1]
    joined = [unique_ids(";".join(map(str, parts))) for parts in zip(*[c[first] for c in columns])]
    return np.array(joined, dtype=object)[combo]


def join_ids(*columns: pd.Series) -> pd.Series:
    """Factor ids of the columns joined by `;`, skipping empty ones, in order, without repeats
    (`join_id_arrays` on whole columns)."""
    index = columns[0].index
    return pd.Series(join_id_arrays(*columns), index=index, dtype="str")


class IdCodes:
    """Factor-id lists (or other texts: bases, methods) as integer codes into one vocabulary of texts (code 0: no
    id, "" or missing), so that ids are chosen
    (`np.where`) and joined on integers: each distinct text is looked up once, each distinct tuple of ids
    joined once (as `join_texts`), and the texts are made only when the table is written (`array`)."""

    def __init__(self) -> None:
        self.texts: list[str] = [""]
        self._code: dict[str, int] = {"": 0}
        self._joined_flags = np.zeros(0, dtype=bool)  # `_as_joined` of the texts so far

    def _intern(self, texts) -> np.ndarray:
        out = np.empty(len(texts), dtype=np.int64)
        for i, value in enumerate(texts):
            code = self._code.get(value)
            if code is None:
                code = self._code[value] = len(self.texts)
                self.texts.append(value)
            out[i] = code
        return out

    def codes(self, values) -> np.ndarray:
        """The codes of a column of id texts (missing: no id, as `text`); a Categorical by its codes."""
        codes, uniques = pd.factorize(values)
        found = np.append(self._intern([str(u) for u in uniques]), 0)
        return found[codes]

    def local(self) -> np.ndarray:
        """Per code, whether its ids start with a workbook's own factor (`local:...`, as `is_local`)."""
        return np.array([t.startswith("local:") for t in self.texts], dtype=bool)

    def join(self, *columns: np.ndarray) -> np.ndarray:
        """`join_texts` on codes: the ids of the columns joined by `;`, skipping empty ones, in order, without
        repeats, as codes; the texts joined once per distinct tuple of codes. A row with one id at most (the
        others empty, code 0) is that id's code when its text is already so joined (no repeats, no empty id)."""
        if not len(columns[0]):
            return np.zeros(0, dtype=np.int64)
        columns = [np.asarray(c) for c in columns]
        ids = np.zeros(len(columns[0]), dtype=np.int8)
        for c in columns:
            ids += c != 0
        several = ids > 1
        alone = np.sum(columns, axis=0, dtype=np.int64) if len(columns) > 1 else columns[0].astype(np.int64)
        alone[several] = 0  # the one id where there is one (the others are 0); rows of several joined below
        rest = np.flatnonzero(several | ~self._as_joined()[alone])
        if not len(rest):
            return alone
        alone[rest] = self._join_rows([c[rest] for c in columns])
        return alone

    def _as_joined(self) -> np.ndarray:
        """Per code, whether its text is as `unique_ids` leaves it (each text tested once)."""
        known = self._joined_flags
        if len(known) < len(self.texts):
            known = np.append(known, [";" not in t or unique_ids(t) == t for t in self.texts[len(known):]])  # one id: as is
            self._joined_flags = known
        return known

    def _join_rows(self, columns: list[np.ndarray]) -> np.ndarray:
        """`join` of every row: the texts joined once per distinct tuple of codes."""
        combo, first = first_rows(combined_codes([(c, len(self.texts)) for c in columns]))
        texts = self.texts
        joined = [unique_ids(";".join(texts[p] for p in parts)) for parts in zip(*[c[first].tolist() for c in columns])]
        return self._intern(joined)[combo]

    def array(self, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The id texts of the codes as a `str` array (what `pd.array(texts, dtype="str")` gives), taken by code."""
        return pd.array(np.array(self.texts, dtype=object), dtype="str").take(codes)
