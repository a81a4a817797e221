"""Summary frames shared by the Excel workbook and the HTML report (DESIGN 3.7).

`sector_gas_summary`, `pollutant_summary`, `sector_tree`, `region_comparison`,
`energy_breakdown`, `ledger_counts` and the metadata tables are computed here so
both renderers show the same numbers; each frame is computed once per emissions
table (see `_shared`). The vocabulary helpers (`labels`, `vocab_names`, ...) read
the data tables shipped with the package.
"""

from __future__ import annotations

import functools
import inspect
import json
import weakref
from collections.abc import Iterable

import numpy as np
import pandas as pd

from inventory.resources import data_table

REGION_KEYS = ["region", "region_name", "year"]
LEDGER_COLUMNS = ["file", "sheet", "row", "status", "reason", "column", "value", "expected"]
FUEL_GROUPS = ["solid", "liquid", "gas", "other"]


# ---------------------------------------------------------------- vocabulary

@functools.cache
def labels(lang: str) -> dict[str, str]:
    """UI strings of `data/labels.csv` in language `lang` (zh or en), keyed by label key (do not modify)."""
    table = data_table("labels.csv")
    column = "en" if lang == "en" else "zh"
    return dict(zip(table["key"], table[column]))


@functools.cache
def vocab_names(name: str, key: str, lang: str) -> dict[str, str]:
    """Id -> name in `lang` from vocabulary `name` (e.g. sectors.csv keyed by `sector`); do not modify."""
    table = data_table(name)
    return dict(zip(table[key], table["name_en" if lang == "en" else "name_zh"]))


@functools.cache
def vocab_order(name: str, key: str) -> dict[str, int]:
    """Id -> position of a vocabulary row: its `order` column if present, else its row number."""
    table = data_table(name)
    order = table["order"].astype(int) if "order" in table else range(len(table))
    return dict(zip(table[key], order))


def ordered_substances(ids: Iterable[str]) -> list[str]:
    """Substance ids sorted in the order of substances.csv (unknown ones last, by name)."""
    order = vocab_order("substances.csv", "id")
    return sorted(set(ids), key=lambda s: (order.get(s, 10_000), s))


def ordered_sectors(ids: Iterable[str]) -> list[str]:
    """Sector ids sorted in the order of sectors.csv (unknown ones last, by name)."""
    order = vocab_order("sectors.csv", "sector")
    return sorted(set(ids), key=lambda s: (order.get(s, 10_000), s))


@functools.cache
def _category_parents() -> dict[str, str]:
    """Category code -> parent code (categories.csv)."""
    cats = data_table("categories.csv")
    return dict(zip(cats["code"], cats["parent"]))


def level3_category(code: str) -> str:
    """The level-3 ancestor of a category (1.A.1.a.i -> 1.A.1); codes of level 3 or above stay themselves.

    Follows the parents of categories.csv; a code not listed there is cut to its
    first three parts.
    """
    parents = _category_parents()
    seen = set()
    while code.count(".") > 2 and code in parents and code not in seen:
        seen.add(code)
        code = parents[code] or code
    return ".".join(code.split(".")[:3])


@functools.cache
def fuel_groups() -> dict[str, str]:
    """Activity id -> fuel group (solid, liquid, gas, other) from activities.csv; non-fuels are 'other'."""
    acts = data_table("activities.csv")
    return {a: g if g in FUEL_GROUPS else "other" for a, g in zip(acts["id"], acts["fuel_group"])}


# ---------------------------------------------------------------- shared frames

_SHARED: dict[tuple, tuple[weakref.ref, object]] = {}


def _shared(fn):
    """Compute fn(emissions, ...) once per emissions table and arguments.

    The workbook and the report of one build read the same summary frames; the cache
    holds them while the emissions table lives. The table must not be changed in
    place between calls. Callers get a shallow copy (copy-on-write) of a cached frame.
    """
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(emissions: pd.DataFrame, *args, **kwargs):
        bound = signature.bind(emissions, *args, **kwargs)
        bound.apply_defaults()
        key = (fn.__qualname__, id(emissions), *list(bound.arguments.values())[1:])
        hit = _SHARED.get(key)
        if hit is None or hit[0]() is not emissions:
            value = fn(emissions, *args, **kwargs)
            _SHARED[key] = (weakref.ref(emissions, lambda _, k=key: _SHARED.pop(k, None)), value)
        else:
            value = hit[1]
        return value.copy(deep=False) if isinstance(value, pd.DataFrame) else value

    return wrapper


@_shared
def _amounts(emissions: pd.DataFrame) -> dict[str, np.ndarray]:
    """emission and co2e_t of every row as floats (missing or not a number: NaN)."""
    return {c: pd.to_numeric(emissions[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if c in emissions else np.full(len(emissions), np.nan) for c in ("emission", "co2e_t")}


def _key_codes(frame: pd.DataFrame, column: str, mask: np.ndarray | None, derive=None):
    """Codes (of the rows in `mask`) and distinct values of a key column; missing values as "".

    derive: a function applied to each distinct value (e.g. category -> its level-3
    ancestor); values it maps together share a code.
    """
    if column not in frame:
        n = len(frame) if mask is None else int(mask.sum())
        return np.zeros(n, dtype=np.intp), np.array([""], dtype=object)
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
    codes = codes if mask is None else codes[mask]
    values = ["" if u is None or u != u else u for u in np.asarray(uniques, dtype=object).tolist()]
    if derive is not None:
        values = [derive(v) for v in values]
    array = np.empty(len(values), dtype=object)
    array[:] = values
    if derive is None and len(set(values)) == len(values):
        return codes, array
    merged_codes, merged = pd.factorize(array)  # e.g. missing and "" both became ""
    return merged_codes[codes], np.asarray(merged, dtype=object)


def _sums(frame: pd.DataFrame, keys: list[str], mask: np.ndarray | None = None,
          derived: dict | None = None) -> list[tuple]:
    """Sum of emission and co2e_t of the rows in `mask` (default all) by `keys` (all missing: NaN),
    as tuples (*keys, emission, co2e_t).

    derived: key -> (column, function) for a key made from another column's values.
    Grouped with numpy on the codes of each key (a pandas groupby on eight text keys
    costs more than the rest of a small report); missing keys group as "".
    """
    n = len(frame) if mask is None else int(mask.sum())
    if n == 0:
        return []
    derived = derived or {}
    group = np.zeros(n, dtype=np.int64)
    labels = []
    for key in keys:
        column, derive = derived.get(key, (key, None))
        codes, values = _key_codes(frame, column, mask, derive)
        group = pd.factorize(group * (len(values) + 1) + codes)[0]
        labels.append((codes, values))
    _, first, inverse = np.unique(group, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    columns = [values[codes[first]].tolist() for codes, values in labels]
    for amount in _amounts(frame).values():
        amount = amount if mask is None else amount[mask]
        present = ~np.isnan(amount)
        total = np.bincount(inverse, weights=np.where(present, amount, 0.0), minlength=len(first))
        total[np.bincount(inverse, weights=present, minlength=len(first)) == 0] = np.nan
        columns.append(total.tolist())
    return list(zip(*columns))


TOTAL_KEYS = [*REGION_KEYS, "sector", "kind", "basis", "substance", "substance_kind"]


@_shared
def _totals(emissions: pd.DataFrame) -> list[tuple]:
    """Emission (t) and CO2e (t CO2e) summed by region-year, sector, kind, basis and substance.

    One tuple per group: (*TOTAL_KEYS, emission, co2e_t). The summary frames below
    are assembled from these few hundred sums in plain Python: a pandas operation
    costs about a millisecond, more than all the sums together.
    """
    return _sums(emissions, TOTAL_KEYS)


def _add(table: dict, key: tuple, column: str, value: float) -> None:
    """Add `value` to cell table[key][column]; a missing value (NaN) makes the row but leaves the cell empty."""
    row = table.setdefault(key, {})
    if value == value:
        row[column] = row.get(column, 0.0) + value


def _cells(row: dict, columns: list[str]) -> list[float]:
    """The row's values in `columns` order, NaN where missing."""
    return [row.get(c, np.nan) for c in columns]


def _row_total(values: list[float]) -> float:
    """Sum of the values present (NaN when none is)."""
    present = [v for v in values if v == v]
    return sum(present) if present else np.nan


# ---------------------------------------------------------------- summary frames

@_shared
def sector_gas_summary(emissions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """CO2e in t by region-year x sector x gas, with gross total, sinks, net total and memo rows.

    Columns: region, region_name, year, row_type (sector, gross, sink, net, memo),
    sector ("" on total rows), item (display label), one column per gas present,
    total. The gross total holds kind == emission only: memo items and sinks are
    rows of their own; the net rows (gross + sinks) only when there are sinks.
    """
    lbl = labels(lang)
    table: dict[tuple, dict] = {}
    for region, name, year, sector, kind, _, gas, substance_kind, _, co2e in _totals(emissions):
        if substance_kind != "ghg":
            continue
        base = (region, name, year)
        if kind == "emission":
            _add(table, (*base, "sector", sector), gas, co2e)
            _add(table, (*base, "gross", ""), gas, co2e)
        if kind in ("sink", "memo"):
            _add(table, (*base, kind, ""), gas, co2e)
        if kind in ("emission", "sink"):
            _add(table, (*base, "net", ""), gas, co2e)
    if not any(key[3] == "sink" for key in table):
        table = {key: row for key, row in table.items() if key[3] != "net"}
    gases = ordered_substances(g for row in table.values() for g in row)
    names = vocab_names("sectors.csv", "sector", lang)
    items = {"gross": lbl["row_gross_total"], "sink": lbl["row_sinks"], "net": lbl["row_net_total"],
             "memo": lbl["row_memo"]}
    rank = {"sector": 0, "gross": 1, "sink": 2, "net": 3, "memo": 4}
    order = vocab_order("sectors.csv", "sector")
    rows = []
    for (region, name, year, row_type, sector), row in sorted(
            table.items(), key=lambda kv: (kv[0][0], kv[0][2], rank[kv[0][3]], order.get(kv[0][4], 0), kv[0][4])):
        values = _cells(row, gases)
        item = names.get(sector, sector) if row_type == "sector" else items[row_type]
        rows.append([region, name, year, row_type, sector, item, *values, _row_total(values)])
    return pd.DataFrame(rows, columns=[*REGION_KEYS, "row_type", "sector", "item", *gases, "total"])


@_shared
def pollutant_summary(emissions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Air pollutant emissions in t by region-year x sector (pollutants as columns), plus a total row.

    Columns: region, region_name, year, row_type (sector, total), sector ("" on the
    total row), item, one column per pollutant. Memo rows (international bunkers)
    are left out.
    """
    table: dict[tuple, dict] = {}
    for region, name, year, sector, kind, _, pollutant, substance_kind, emission, _ in _totals(emissions):
        if substance_kind == "pollutant" and kind == "emission":
            _add(table, (region, name, year, "sector", sector), pollutant, emission)
            _add(table, (region, name, year, "total", ""), pollutant, emission)
    pollutants = ordered_substances(p for row in table.values() for p in row)
    names = vocab_names("sectors.csv", "sector", lang)
    total = labels(lang)["col_total"]
    order = vocab_order("sectors.csv", "sector")
    rows = [[region, name, year, row_type, sector, names.get(sector, sector) if row_type == "sector" else total,
             *_cells(row, pollutants)]
            for (region, name, year, row_type, sector), row in sorted(
                table.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][3] == "total", order.get(kv[0][4], 0),
                                               kv[0][4]))]
    return pd.DataFrame(rows, columns=[*REGION_KEYS, "row_type", "sector", "item", *pollutants])


def category_nodes(sector: str) -> pd.DataFrame:
    """Categories of `sector` with their ancestors inside the same sector and their depth (0 = top)."""
    cats = data_table("categories.csv")
    parent = dict(zip(cats["code"], cats["parent"]))
    in_sector = set(cats.loc[cats["sector"] == sector, "code"])

    def chain(code: str) -> list[str]:
        """The code and its ancestors that belong to `sector`, nearest first."""
        out = []
        while code and code not in out:
            if code in in_sector:
                out.append(code)
            code = parent.get(code, "")
        return out

    nodes = cats[cats["sector"] == sector].copy()
    nodes["chain"] = nodes["code"].map(chain)
    nodes["depth"] = nodes["chain"].map(len) - 1
    nodes["order"] = nodes.index
    return nodes


@functools.cache
def _category_info(sector: str) -> dict[str, tuple]:
    """Code -> (chain, depth, order, name_zh, name_en, role) of the categories of `sector`."""
    nodes = category_nodes(sector)
    return {code: rest for code, *rest in zip(nodes["code"], nodes["chain"], nodes["depth"], nodes["order"],
                                              nodes["name_zh"], nodes["name_en"], nodes["role"])}


@_shared
def sector_tree(emissions: pd.DataFrame, sector: str, lang: str = "zh") -> pd.DataFrame:
    """Emissions of one sector in the guideline's layout: each category with its descendants' sum.

    Columns: region, region_name, year, category, name, depth, memo, then one column
    per gas (t), co2e_t (t CO2e), one column per pollutant (t). Memo rows count only
    at their own category, never in a parent's sum; sinks count (negative).
    """
    mask = (emissions["sector"] == sector).to_numpy(dtype=bool, na_value=False)
    keys = [*REGION_KEYS, "category", "category_name", "kind", "substance", "substance_kind"]
    info = _category_info(sector)
    table: dict[tuple, dict] = {}
    fallback: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for region, name, year, category, category_name, kind, substance, substance_kind, emission, co2e in \
            _sums(emissions, keys, mask):
        if kind == "memo" and info.get(category, ("",) * 6)[5] != "memo":
            continue  # biogenic CO2 of an emission category: in the summary's memo row, not in this tree
        fallback.setdefault(category, category_name)
        kinds[substance] = substance_kind
        nodes = [category] if kind == "memo" else (info[category][0] if category in info else [category])
        for node in nodes:
            _add(table, (region, name, year, node), substance, emission)
            _add(table, (region, name, year, node), "co2e_t", co2e)
    subs = ordered_substances(kinds)
    columns = [s for s in subs if kinds[s] == "ghg"] + ["co2e_t"] + [s for s in subs if kinds[s] != "ghg"]
    suffix = labels(lang)["memo_suffix"]
    out = []
    for region, name, year, node in sorted(table, key=lambda k: (k[0], k[2], info[k[3]][2] if k[3] in info
                                                                 else len(info), k[3])):
        _, depth, _, name_zh, name_en, kind = info.get(node, ([node], 0, 0, "", "", ""))
        label = (name_en if lang == "en" else name_zh) if node in info else fallback.get(node, "")
        out.append([region, name, year, node, label + (suffix if kind == "memo" else ""), depth, kind == "memo",
                    *_cells(table[(region, name, year, node)], columns)])
    return pd.DataFrame(out, columns=[*REGION_KEYS, "category", "name", "depth", "memo", *columns])


@_shared
def energy_breakdown(emissions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Gross energy-sector emissions by region-year x level-3 category (1.A.1 ...) x fuel group x substance.

    Columns: region, region_name, year, category (level 3), name, fuel_group (solid,
    liquid, gas, other: activities.csv), substance, substance_kind, emission (t),
    co2e_t (t CO2e). Memo items and sinks are left out.
    """
    mask = ((emissions["sector"] == "energy") & (emissions["kind"] == "emission")).to_numpy(dtype=bool, na_value=False)
    keys = [*REGION_KEYS, "category", "fuel_group", "substance", "substance_kind"]
    columns = [*keys[:4], "name", *keys[4:], "emission", "co2e_t"]
    groups = fuel_groups()
    derived = {"category": ("category", lambda c: level3_category(str(c))),
               "fuel_group": ("activity", lambda a: groups.get(a, "other"))}
    names = vocab_names("categories.csv", "code", lang)
    order = vocab_order("categories.csv", "code")
    rank = {g: i for i, g in enumerate(FUEL_GROUPS)}
    sums = sorted(_sums(emissions, keys, mask, derived),
                  key=lambda r: (r[0], r[2], order.get(r[3], len(order)), r[3], rank[r[4]]))
    return pd.DataFrame([[*r[:4], names.get(r[3], r[3]), *r[4:]] for r in sums], columns=columns)


@functools.cache
def _region_tree() -> tuple[dict[str, str], dict[str, str]]:
    """Region code -> parent code, and code -> level (regions.csv)."""
    regions = data_table("regions.csv")
    return dict(zip(regions["code"], regions["parent"])), dict(zip(regions["code"], regions["level"]))


@_shared
def region_comparison(emissions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Each prefecture beside the province: gross emission in t per substance (CO2e in t CO2e).

    Rows per province and year: one per prefecture, then the prefectures' sum, the
    province's own-basis rows, the province total (own + aggregated), their
    difference (province total - prefecture sum, t) and that difference in % of the sum.
    Columns: province, year, row_type, region, region_name, substances..., CO2e.
    """
    lbl = labels(lang)
    parent, level = _region_tree()
    names = dict(vocab_names("regions.csv", "code", lang))
    table: dict[tuple, dict] = {}
    for region, name, year, _, kind, basis, substance, substance_kind, emission, co2e in _totals(emissions):
        province = region if level.get(region) == "province" else parent.get(region, "")
        if kind != "emission" or level.get(province) != "province":
            continue
        names[region] = name or names.get(region, "")
        values = [(substance, emission)] + ([("CO2e", co2e)] if substance_kind == "ghg" else [])
        for column, value in values:
            if region == province:
                _add(table, (province, year, "province_total", ""), column, value)
                if basis == "own":
                    _add(table, (province, year, "province_own", ""), column, value)
            else:
                _add(table, (province, year, "prefecture", region), column, value)
                _add(table, (province, year, "prefecture_sum", ""), column, value)
    subs = ordered_substances({s for row in table.values() for s in row} - {"CO2e"}) + ["CO2e"]
    for (province, year, row_type, _), total in list(table.items()):
        summed = table.get((province, year, "prefecture_sum", ""))
        if row_type != "province_total" or summed is None:
            continue
        diff = {s: total.get(s, 0.0) - summed.get(s, 0.0) for s in subs if s in total or s in summed}
        table[(province, year, "difference", "")] = diff
        table[(province, year, "difference_pct", "")] = {s: d / summed[s] * 100 for s, d in diff.items()
                                                         if summed.get(s)}
    label = {"prefecture_sum": lbl["row_prefecture_sum"], "province_own": lbl["row_province_own"],
             "province_total": lbl["row_province_total"], "difference": lbl["row_difference"],
             "difference_pct": lbl["row_difference_pct"]}
    rank = {"prefecture": 0, "prefecture_sum": 1, "province_own": 2, "province_total": 3,
            "difference": 4, "difference_pct": 5}
    rows = [[province, year, row_type, region, names.get(region) if row_type == "prefecture" else label[row_type],
             *_cells(row, subs)]
            for (province, year, row_type, region), row in sorted(
                table.items(), key=lambda kv: (kv[0][0], kv[0][1], rank[kv[0][2]], kv[0][3]))]
    if not rows:
        return pd.DataFrame(columns=["province", "year", "row_type", "region", "region_name"])
    return pd.DataFrame(rows, columns=["province", "year", "row_type", "region", "region_name", *subs])


def ledger_counts(ledger: pd.DataFrame) -> dict[str, int]:
    """Number of input rows read, used, skipped and rejected (DESIGN 3.3 row accounting)."""
    status = ledger["status"] if "status" in ledger else pd.Series(dtype=str)
    counts = status.value_counts()
    out = {"read": int(len(ledger))}
    out |= {s: int(counts.get(s, 0)) for s in ("used", "skipped", "rejected")}
    return out


def not_used_rows(ledger: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows that were skipped or rejected, in LEDGER_COLUMNS order."""
    if "status" not in ledger:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    return ledger[ledger["status"] != "used"].reindex(columns=LEDGER_COLUMNS)


def meta_rows(meta: dict) -> list[list[str]]:
    """The metadata as key/value text pairs; nested values as JSON, `inputs` left out (own table)."""
    def text(value) -> str:
        """A metadata value as display text."""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return [[str(k), text(v)] for k, v in meta.items() if k != "inputs"]


def meta_inputs(meta: dict) -> pd.DataFrame:
    """The `inputs` entry of the metadata as a table of path and sha256."""
    inputs = meta.get("inputs") or []
    if isinstance(inputs, dict):
        inputs = [{"path": k, "sha256": v} for k, v in inputs.items()]
    return pd.DataFrame(inputs).reindex(columns=["path", "sha256"])
