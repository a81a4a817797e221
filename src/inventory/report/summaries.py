"""Summary frames shared by the Excel workbook and the HTML report (DESIGN 3.7).

The numbers are the build's figure tables (`BuildResult.figures`, computed once by
`inventory.figures`): the frames here only select their rows and the columns that hold
a value, and add labels in the report's language, so both renderers show the same
numbers. The vocabulary helpers (`labels`, `vocab_names`, ...) read the data tables
shipped with the package.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

import numpy as np
import pandas as pd

from inventory import categories, units
from inventory.figures import FUEL_GROUPS, REGION_KEYS, ordered_substances  # noqa: F401 - shared with the renderers
from inventory.resources import data_table
from inventory.result import BuildResult

LEDGER_COLUMNS = ["file", "sheet", "row", "status", "reason", "column", "value", "expected"]
# The unit CO2e is shown in by the report's charts and summary tables (labels `unit_co2e_chart`), and how
# many t one of it is (pint): 万吨 in Chinese, kt in English.
CO2E_UNITS = {"zh": "万吨", "en": "kilotonne"}
CO2E_SCALE = {lang: units.factor(unit, "t") for lang, unit in CO2E_UNITS.items()}


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


def ordered_sectors(ids: Iterable[str]) -> list[str]:
    """Sector ids sorted in the order of sectors.csv (unknown ones last, by name)."""
    order = vocab_order("sectors.csv", "sector")
    return sorted(set(ids), key=lambda s: (order.get(s, 10_000), s))


# ---------------------------------------------------------------- summary frames

# The summary frames' columns: those always shown, first, then the value columns (substances), each shown
# where some row holds a value, and these value columns even without one (the comparison's CO2e when it has rows).
SHOWN = {"sector_gas": ([*REGION_KEYS, "row_type", "sector", "item"], {"total"}),
         "pollutants": ([*REGION_KEYS, "row_type", "sector", "item"], set()),
         "tree": ([*REGION_KEYS, "category", "name", "depth", "memo"], {"co2e_t"}),
         "comparison": (["province", "year", "row_type", "region", "region_name"], {"CO2e"})}


def _has_value(column: pd.Series) -> bool:
    """Whether some cell of a column holds a value (float columns by numpy, without a Series of flags)."""
    values = column.to_numpy()
    return not np.isnan(values).all() if values.dtype.kind == "f" else bool(column.notna().any())


def shown_columns(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A summary frame of `kind` (SHOWN) with the value columns it shows: the frame made for a whole build
    and any of its parts (a region's rows) gives the frame made from that part's figures alone."""
    fixed, always = SHOWN[kind]
    if kind == "comparison" and not len(frame):
        always = set()
    values = [c for c in frame.columns if c not in fixed]
    kept = [c for c in values if c in always or _has_value(frame[c])]  # a column at a time: no frame copied
    return frame if kept == values and list(frame.columns[:len(fixed)]) == fixed else frame[[*fixed, *kept]]


def sector_gas_summary(result: BuildResult, lang: str = "zh") -> pd.DataFrame:
    """The build's `sector_gas` figures (t CO2e by region-year x sector x gas, gross, sink, net and memo
    rows) with `item`, the row's label in `lang`, and only the gases that have a value.

    Columns: region, region_name, year, row_type, sector, item, gases..., total.
    """
    table = result.figures["sector_gas"]
    lbl = labels(lang)
    names = vocab_names("sectors.csv", "sector", lang)
    items = {"gross": lbl["row_gross_total"], "sink": lbl["row_sinks"], "net": lbl["row_net_total"],
             "memo": lbl["row_memo"]}
    item = table["row_type"].map(items).where(table["row_type"] != "sector",
                                              table["sector"].map(names).fillna(table["sector"]))
    memo = table["row_type"] == "memo"
    item = item.where(~memo, table["sector"].map(lambda code: lbl["row_memo_item"].format(
        item=lbl["memo_biogenic"] if code == "biogenic" else vocab_names("categories.csv", "code", lang).get(code, code))))
    gases = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "total"}]
    return shown_columns(table.assign(item=item)[[*REGION_KEYS, "row_type", "sector", "item", *gases, "total"]],
                         "sector_gas")


def pollutant_summary(result: BuildResult, lang: str = "zh") -> pd.DataFrame:
    """The build's `pollutants` figures (t by region-year x sector, total row) with `item`, the row's
    label in `lang`, and only the pollutants that have a value.

    Columns: region, region_name, year, row_type, sector, item, pollutants...
    """
    table = result.figures["pollutants"]
    names = vocab_names("sectors.csv", "sector", lang)
    total = labels(lang)["col_total"]
    item = table["sector"].map(names).fillna(table["sector"]).where(table["row_type"] == "sector", total)
    pols = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector"}]
    return shown_columns(table.assign(item=item)[[*REGION_KEYS, "row_type", "sector", "item", *pols]], "pollutants")


def sector_tree(result: BuildResult, sector: str, lang: str = "zh") -> pd.DataFrame:
    """One sector of the build's `sector_trees` figures, with each category's name in `lang` (memo
    categories marked) and only the substances that have a value in the sector.

    Columns: region, region_name, year, category, name, depth, memo, gases (t), co2e_t
    (t CO2e), pollutants (t).
    """
    table = result.figures["sector_trees"]
    tree = table[table["sector"] == sector]
    names = vocab_names("categories.csv", "code", lang)
    suffix = labels(lang)["memo_suffix"]
    name = tree["category"].map(names).fillna(tree["category"]) + tree["memo"].map({True: suffix, False: ""})
    subs = [c for c in tree.columns if c not in {*REGION_KEYS, "sector", "category", "depth", "memo"}]
    # gases, co2e_t, pollutants: the figure table's order
    return shown_columns(tree.assign(name=name)[[*REGION_KEYS, "category", "name", "depth", "memo", *subs]], "tree")


def region_comparison(result: BuildResult, lang: str = "zh") -> pd.DataFrame:
    """The build's `region_comparison` figures as the tables show them: per province and year each
    prefecture, their sum, the province's own part, the province total, the difference (t) and the
    difference in % of the sum (the aggregated part is drawn, not listed); labels in `lang`.

    Columns: province, year, row_type, region, region_name, substances..., CO2e.
    """
    comp = result.figures["region_comparison"]
    comp = comp[comp["row_type"] != "province_aggregated"]
    lbl = labels(lang)
    label = {"prefecture_sum": lbl["row_prefecture_sum"], "province_own": lbl["row_province_own"],
             "province_total": lbl["row_province_total"], "difference": lbl["row_difference"],
             "difference_pct": lbl["row_difference_pct"]}
    name = comp["region_name"].where(comp["row_type"] == "prefecture", comp["row_type"].map(label))
    index = ["province", "year", "row_type", "region", "region_name"]
    subs = [c for c in comp.columns if c not in {*index, "CO2e"}] + (["CO2e"] if "CO2e" in comp else [])
    return shown_columns(comp.assign(region_name=name)[[*index, *subs]], "comparison")


def factor_table(factors: pd.DataFrame | None, lang: str = "zh") -> pd.DataFrame | None:
    """The factors and parameters the emissions used (BuildResult.factors) as the workbook shows them: id,
    name, value and unit as published, the document (title in `lang` where published, else as published) and
    table, and the copy it was read in (转引自) apart: in Chinese the copy's title (sources.copy_title), in
    English the record as written (the full record and the notes of source_detail stay in the factor tables
    and `inventory factors show`). None without factors."""
    from inventory.factors.sources import copy_titles, document_title

    if factors is None or factors.empty:
        return None
    titles = {d: document_title(d, lang) for d in factors["document"].unique()}
    table = factors.assign(document=factors["document"].map(titles), read_in=copy_titles(factors["read_in"], lang))
    return table[["factor_id", "name", "value", "unit", "document", "table", "read_in"]]


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


# ---------------------------------------------------------------- key figures (leaders' summary page)

def factor_set_label(name: str, lang: str) -> str:
    """The factor set a build used, as `name (id)` in `lang` (data/factor_sets.csv); "" when not recorded."""
    from inventory.factors import sets

    return f"{sets.table().at[name, f'name_{lang}']} ({name})" if name in sets.table().index else name


def _change_text(row: dict, lbl: dict) -> str:
    """The sentence on a figure's change on the previous year (label `kf_change_up`/`_down`/`_same`)."""
    change = row["change_pct"]
    if change is None or pd.isna(change):
        return ""
    key = "kf_change_same" if round(change, 1) == 0 else "kf_change_up" if change > 0 else "kf_change_down"
    return lbl[key].format(previous_year=int(row["previous_year"]), change=f"{abs(change):,.1f}")


def _groups(table: pd.DataFrame, keys: list[str]) -> dict[tuple, list[dict]]:
    """The rows of `table` as dicts, grouped by their `keys` values in order of first appearance; rows with a
    missing key belong to no group (as `groupby(keys, sort=False)` groups them; one to_dict for all groups)."""
    groups: dict[tuple, list[dict]] = {}
    for row in table.to_dict("records"):
        key = tuple(row[k] for k in keys)
        if not any(pd.isna(v) for v in key):
            groups.setdefault(key, []).append(row)
    return groups


def key_figure_rows(result: BuildResult, lang: str = "zh") -> pd.DataFrame:
    """The build's `key_figures` as the summary page shows them: per region-year one row per line, with
    `label` (what the figure is), `value` (formatted, with its unit) and `reading` (one plain sentence
    worded from labels.csv `kf_*` with placeholders), in `lang`; the factor set last.

    Columns: region, region_name, year, label, value, reading. Nothing is computed here (STYLE 12):
    the figures are scaled for display only (greenhouse gases in 万吨/kt CO2e)."""
    from inventory.report.svg import fmt_number, fmt_pct

    lbl = labels(lang)
    cats = categories.table()[f"name_{'en' if lang == 'en' else 'zh'}"].to_dict()
    subs = vocab_names("substances.csv", "id", lang)
    scale, co2e = CO2E_SCALE[lang], lbl["unit_co2e_chart"]
    fset = factor_set_label(result.meta.get("factor_set", ""), lang)
    table = result.figures.get("key_figures")
    out = []
    if table is None or table.empty:
        return pd.DataFrame(columns=[*REGION_KEYS, "label", "value", "reading"])
    for (region, name, year), rows in _groups(table, REGION_KEYS).items():
        items = {r["item"]: r for r in rows if r["item"] in {"gross", "net", "per_capita", "per_gdp", "plant_share"}}
        put = lambda label, value, reading: out.append((region, name, year, label, value, reading))  # noqa: E731
        where = {"region": name, "year": year}
        for item in ("gross", "net"):
            if item in items:
                r = items[item]
                value = fmt_number(r["value"], scale)
                put(lbl[f"kf_{item}"], f"{value} {co2e}",
                    lbl[f"kf_{item}_reading"].format(value=value, **where) + _change_text(r, lbl))
        for item, unit in (("per_capita", lbl["kf_unit_per_capita"]), ("per_gdp", lbl["kf_unit_per_gdp"])):
            if item in items:
                r = items[item]
                value = fmt_number(r["value"])
                put(lbl[f"kf_{item}"], f"{value} {unit}",
                    lbl[f"kf_{item}_reading"].format(value=value, **where) + _change_text(r, lbl))
            else:
                put(lbl[f"kf_{item}"], "—", lbl[f"kf_{item}_missing"])
        for r in (r for r in rows if r["item"] == "top_source"):
            value = fmt_number(r["value"], scale)
            put(lbl["kf_top_source"].format(rank=int(r["rank"])),
                f"{r['detail']} {cats.get(r['detail'], '')}: {value} {co2e}",
                lbl["kf_top_source_reading"].format(share=fmt_pct(r["share_pct"]), **where))
        pollutants = [r for r in rows if r["item"] == "pollutant"]
        if pollutants:
            put(lbl["kf_pollutants"], " · ".join(f"{r['detail']}\u00a0{fmt_number(r['value'])}\u00a0t" for r in pollutants),
                lbl["kf_pollutants_reading"].format(
                    names=lbl["kf_list_sep"].join(subs.get(r["detail"], r["detail"]) for r in pollutants), **where))
        if "plant_share" in items:
            share = fmt_pct(items["plant_share"]["value"])
            put(lbl["kf_plant_share"], share, lbl["kf_plant_share_reading"].format(share=share))
        if fset:
            put(lbl["factor_set"], fset, lbl["kf_factor_set_reading"])
    frame = pd.DataFrame(out, columns=[*REGION_KEYS, "label", "value", "reading"])
    return frame.assign(reading=frame["reading"].str.strip())
