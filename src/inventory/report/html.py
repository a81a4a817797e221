"""The self-contained HTML report (DESIGN 3.7): inline CSS, inline SVG charts, no network.

Numbers are the build's figure tables (`BuildResult.figures`, computed once by
`inventory.figures`), selected and labelled as for the workbook (`report.summaries`);
nothing is computed here. Greenhouse gases are shown in 万吨 CO2e (zh) or kt CO2e (en)
in charts and the summary tables (converted with pint); pollutants and the region
comparison in tonnes. Every label from
the inputs is escaped: by jinja2's autoescape in the template, by `html.escape`
inside the SVG built here.

The report stays short: long lists (not-estimated categories, skipped rows) are
summarised or cut to a few hundred rows; the full lists are in inventory.xlsx.
"""

from __future__ import annotations

import functools
import itertools
import operator
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from markupsafe import Markup, escape

from inventory import resources
from inventory.errors import word
from inventory.figures import level3_category
from inventory.lookup import map_distinct
from inventory.report.summaries import (
    CO2E_SCALE,
    factor_set_label,
    FUEL_GROUPS,
    LEDGER_COLUMNS,
    REGION_KEYS,
    labels,
    ledger_counts,
    meta_inputs,
    meta_rows,
    not_used_rows,
    ordered_substances,
    pollutant_summary,
    sector_gas_summary,
    vocab_names,
    vocab_order,
)
from inventory.report.html_analysis import analysis_sections
from inventory.report.maps import map_charts
from inventory.report.views import ViewSet, labelled, view_set, worded
from inventory.report.svg import PALETTE, fmt_diff, fmt_number, fmt_numbers, fmt_pct, fmt_share, hbar_svg, legend_svg
from inventory.result import CHECK_COLUMNS, BuildResult

MAX_ROWS = 300  # longest list shown in the report; the workbook has all rows
SUBSECTOR_PALETTE = ["#2f4b7c", "#8a63b8", "#3a9d5d", "#c8413b", "#b5a216", "#1aa3b3", "#d46fb0", "#8c6d46"]
FUEL_COLOURS = {"solid": "#3f3f3f", "liquid": "#e07b22", "gas": "#1f6fb2", "other": "#a9b3bd"}
OWN, AGGREGATED, PREFECTURE = "#1f6fb2", "#8fb8de", "#e07b22"
RESULT_CLASSES = {"pass", "warn", "fail"}
REPORT_ZONE = "Asia/Shanghai"  # the report's times are local (China Standard Time, UTC+08:00)


# ---------------------------------------------------------------- numbers

def fmt_time(value, zone: str | None = None) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM UTC' (or with its UTC offset), converted to the IANA time
    zone `zone` first when given (zoneinfo); other text as it is."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return _text(value)
    if pd.isna(stamp):
        return _text(value)
    if stamp.tzinfo is None:
        return stamp.strftime("%Y-%m-%d %H:%M")
    if zone:
        stamp = stamp.tz_convert(ZoneInfo(zone))
    offset = stamp.strftime("%z")
    return stamp.strftime("%Y-%m-%d %H:%M ") + ("UTC" if offset == "+0000" else f"UTC{offset[:3]}:{offset[3:]}")


def _text(value) -> str:
    """Any cell value as display text (missing as empty)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _table(headers: list[str], rows: list[list[str]], numeric: list[bool], row_classes=None) -> dict:
    """A table for the template's `table` macro: headers, rows of text cells, numeric column flags."""
    row_classes = list(row_classes) if row_classes is not None else [""] * len(rows)
    return {"headers": headers, "numeric": numeric,
            "rows": [{"cls": c, "cells": r} for r, c in zip(rows, row_classes)]}


def _escaped(values: list) -> list[str]:
    """markupsafe.escape of each value, as text: plain strings in one call over them joined by NUL (escaping
    works character by character, so joined or alone gives the same text); anything else (Markup, numbers,
    a string holding NUL) one by one."""
    if values and all(type(v) is str for v in values):
        text = "\x00".join(values)
        if text.count("\x00") == len(values) - 1:
            return str(escape(text)).split("\x00")
    return [str(escape(v)) for v in values]


def table_html(t: dict, cls: str = "", empty: str = "") -> Markup:
    """A `_table` dict as the report's HTML table (the template's `table` macro): a header row, one row
    per entry (its class when it has one), numeric columns classed `num`, and one row saying `empty`
    when there are none. Every header, cell and class is escaped (markupsafe.escape, as jinja's
    autoescape does); the markup is joined once per table, not rendered cell by cell by the template."""
    numeric = t["numeric"]
    heads = "".join([f'<th class="num">{h}</th>' if numeric[i] else f"<th>{h}</th>"
                     for i, h in enumerate(_escaped(list(t["headers"])))])
    opens = ['<td class="num">' if n else "<td>" for n in numeric]
    starts = [*opens[:1], *("</td>" + o for o in opens[1:])]  # what comes before each cell of a row
    rows = t["rows"]
    texts = _escaped([c for row in rows for c in row["cells"]])
    classes = {c: str(escape(c)) for c in {row["cls"] for row in rows} if c}
    lines, at = [], 0
    for row in rows:
        n = len(row["cells"])
        if n > len(starts):
            raise ValueError(f"a table row has {n} cells, its table {len(starts)} columns")
        cells = "".join(map(operator.add, starts, texts[at:at + n])) + "</td>" if n else ""
        at += n
        lines.append(f'    <tr class="{classes[row["cls"]]}">{cells}</tr>\n' if row["cls"] else f"    <tr>{cells}</tr>\n")
    if not lines:
        lines.append(f'    <tr><td colspan="{len(t["headers"])}" class="empty">{escape(empty)}</td></tr>\n')
    return Markup(f'<div class="table-wrap">\n<table class="{escape(cls)}">\n  <thead><tr>{heads}</tr></thead>\n'
                  f'  <tbody>\n{"".join(lines)}  </tbody>\n</table>\n</div>\n')


def _cut_note(shown: int, total: int, lbl: dict) -> str:
    """The note under a list cut to its first `shown` of `total` rows ("" when nothing was cut)."""
    return lbl["rows_shown_of"].format(shown=shown, total=f"{total:,}", sheet=lbl["sheet_qa"]) if total > shown else ""


# ---------------------------------------------------------------- tables

def region_year_title(region: str, name: str, year, lang: str = "zh") -> str:
    """Heading of one region-year: name, code and year (full-width brackets in Chinese)."""
    return f"{name} ({region}) · {year}" if lang == "en" else f"{name}（{region}）· {year}"


def _blocks(table: pd.DataFrame, keys: list[str]) -> list[tuple[tuple, list[dict]]]:
    """The rows of a summary frame (sorted by `keys`) as dicts, grouped by the values of `keys`.

    Summary frames have a few rows per region-year: plain Python on them is quicker
    than a pandas operation per block.
    """
    rows = table.to_dict("records")
    return [(key, list(block)) for key, block in itertools.groupby(rows, key=lambda r: tuple(r[k] for k in keys))]


def _position_blocks(table: pd.DataFrame, keys: list[str]) -> list[tuple[tuple, list[int]]]:
    """The row positions of a summary frame grouped as _blocks groups its rows (runs of equal `keys`), for
    tables formatted column by column."""
    values = zip(*(table[k].tolist() for k in keys))
    return [(key, [i for i, _ in run]) for key, run in itertools.groupby(enumerate(values), key=lambda t: t[1])]


def _zero(value) -> float:
    """A missing value as 0."""
    return 0.0 if value is None or value != value else float(value)


def summary_tables(result: BuildResult, lbl: dict, lang: str, table: pd.DataFrame | None = None) -> list[dict]:
    """Per region-year: CO2e by sector x gas in 万吨/kt CO2e, with gross, sink, net and memo rows.
    `table`: the result's sector_gas_summary when already made."""
    table = sector_gas_summary(result, lang) if table is None else table
    gases = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item", "total"}]
    scale = CO2E_SCALE[lang]
    headers = [lbl["col_item"], *gases, lbl["col_total"]]
    cells = [table["item"].tolist(), *(fmt_numbers(table[c], scale) for c in [*gases, "total"])]
    types = table["row_type"].tolist()
    out = []
    for (region, name, year), at in _position_blocks(table, REGION_KEYS):
        rows = [[column[i] for column in cells] for i in at]
        out.append({"title": region_year_title(region, name, year, lang),
                    "table": _table(headers, rows, [False] + [True] * (len(gases) + 1),
                                    [f"row-{types[i]}" for i in at])})
    return out


def pollutant_tables(result: BuildResult, lbl: dict, lang: str, table: pd.DataFrame | None = None) -> list[dict]:
    """Per region-year: air pollutant emissions by sector in t, with a total row. `table`: the result's
    pollutant_summary when already made."""
    table = pollutant_summary(result, lang) if table is None else table
    pols = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    cells = [table["item"].tolist(), *(fmt_numbers(table[p]) for p in pols)]
    types = table["row_type"].tolist()
    out = []
    for (region, name, year), at in _position_blocks(table, REGION_KEYS):
        rows = [[column[i] for column in cells] for i in at]
        out.append({"title": region_year_title(region, name, year, lang),
                    "table": _table([lbl["col_sector"], *pols], rows, [False] + [True] * len(pols),
                                    [f"row-{types[i]}" for i in at])})
    return out


def _compares(block: list[dict]) -> bool:
    """Whether a province-year of the region comparison compares anything: the province with its
    prefectures, or at least two prefectures (a prefecture's own report has neither)."""
    types = [r["row_type"] for r in block]
    return "province_total" in types or types.count("prefecture") > 1


def region_tables(comp: pd.DataFrame, lbl: dict, lang: str) -> list[dict]:
    """Per province-year: prefectures, their sum, the province and the difference (t; CO2e in t CO2e) (`comp`:
    the result's region_comparison)."""
    subs = [c for c in comp.columns if c not in {"province", "year", "row_type", "region", "region_name"}]
    headers = [lbl["col_region"], lbl["col_region_name"],
               *[f"{s} ({lbl['unit_co2e_t'] if s == 'CO2e' else lbl['unit_t']})" for s in subs]]
    names = vocab_names("regions.csv", "code", lang)
    out = []
    for (province, year), block in _blocks(comp, ["province", "year"]):
        if not _compares(block):
            continue
        rows = [[_text(r["region"]), _text(r["region_name"]),
                 *[(fmt_diff if r["row_type"] == "difference_pct" else fmt_number)(r[c]) for c in subs]]
                for r in block]
        classes = ["" if r["row_type"] == "prefecture" else f"row-{r['row_type']}" for r in block]
        out.append({"title": region_year_title(province, names.get(province, province), year, lang),
                    "table": _table(headers, rows, [False, False] + [True] * len(subs), classes)})
    return out


def check_table(result: BuildResult, lbl: dict, results: set[str]) -> tuple[dict, int]:
    """QA/QC checks whose result is in `results` (at most MAX_ROWS, failed first), each row classed
    by its result, and how many there are in all."""
    checks = result.checks
    if "result" not in checks:
        checks = checks.reindex(columns=CHECK_COLUMNS)
    # On the result column's integer codes, each distinct result tested once (issue 14: 16.6M national check
    # rows as objects took 1.3 GB here); the rows shown: failed first, then warned, then the rest, each in order.
    status = checks["result"]
    if isinstance(status.dtype, pd.CategoricalDtype):
        codes, texts = status.array.codes, list(status.cat.categories)
    else:
        codes, texts = pd.factorize(status)
        texts = list(texts)
    wanted = np.array([t in results for t in texts] + [False], dtype=bool)  # the last slot: code -1 (missing)
    rank = np.array([{"fail": 0, "warn": 1}.get(t, 2) for t in texts] + [2], dtype=np.int8)[codes]
    found = np.flatnonzero(wanted[codes])
    shown_rows = np.concatenate([found[rank[found] == k] for k in (0, 1, 2)])[:MAX_ROWS]
    table = checks.iloc[shown_rows].reindex(columns=CHECK_COLUMNS)  # only the rows shown
    numeric = {"value", "reference"}
    columns = [fmt_numbers(table[c]) if c in numeric else [fmt_diff(v) for v in table[c].tolist()]
               if c == "diff_pct" else [_text(v) for v in table[c].tolist()] for c in CHECK_COLUMNS]
    result_of = table["result"].tolist()
    columns[0] = [lbl.get(f"check_{c}", c) for c in columns[0]]
    columns[-1] = [lbl.get(f"result_{r}", t) for r, t in zip(result_of, columns[-1])]
    rows = [list(r) for r in zip(*columns)]
    classes = [f"result-{r}" if r in RESULT_CLASSES else "" for r in result_of]
    shown = _table([lbl[f"col_{c}"] for c in CHECK_COLUMNS], rows,
                   [c in {*numeric, "diff_pct"} for c in CHECK_COLUMNS], classes)
    return shown, len(found)


def check_counts(result: BuildResult, lbl: dict) -> str:
    """One line: how many checks passed, warned and failed."""
    counts = result.checks["result"].value_counts() if "result" in result.checks else pd.Series(dtype=int)
    return " · ".join(f"{lbl[f'result_{r}']}: {int(counts.get(r, 0)):,}" for r in ("pass", "warn", "fail"))


def checks_by_name(result: BuildResult, lbl: dict) -> dict:
    """One row per check: its name and how many results passed, warned and failed."""
    c = result.checks
    if c.empty:
        return _table([lbl["col_check"]], [], [False])
    counts = c.groupby(["check", "result"]).size().to_dict()  # (check, result) -> how many
    order = c["check"].unique().tolist()
    rows = [[lbl.get(f"check_{name}", name), *(f"{int(counts.get((name, r), 0)):,}" for r in ("pass", "warn", "fail"))]
            for name in order]
    classes = ["result-fail" if counts.get((n, "fail"), 0) else "result-warn" if counts.get((n, "warn"), 0)
               else "result-pass" for n in order]
    return _table([lbl["col_check"], lbl["result_pass"], lbl["result_warn"], lbl["result_fail"]], rows,
                  [False, True, True, True], classes)


def _text_table(df: pd.DataFrame, columns: list[str], lbl: dict) -> dict:
    """A table of text columns with translated headers."""
    rows = [[_text(v) for v in row] for row in df.reindex(columns=columns).astype(object).values.tolist()]
    return _table([lbl.get(f"col_{c}", c) for c in columns], rows, [False] * len(columns))


def ledger_table(result: BuildResult, lbl: dict) -> dict:
    """Row accounting: rows read, used, skipped and rejected."""
    counts = ledger_counts(result.ledger)
    rows = [[lbl[f"status_{k}"], f"{v:,}"] for k, v in counts.items()]
    return _table([lbl["col_status"], lbl["col_count"]], rows, [False, True],
                  [f"status-{k}" if v else "" for k, v in counts.items()])


def _translated_status(rows: pd.DataFrame, lbl: dict, lang: str) -> pd.DataFrame:
    """Ledger rows with their status (used, skipped, rejected) and skip reason in the report's language."""
    return rows.assign(status=labelled(rows["status"], "status_", lbl),
                       reason=worded(rows["reason"], lang))


def meta_table(result: BuildResult, lbl: dict) -> dict:
    """Build metadata as key/value rows."""
    return _table([lbl["col_key"], lbl["col_value"]], meta_rows(result.meta), [False, False])


def _count_matrix(pairs: list, row_label, substances: list[str], first_header: str,
                  lbl: dict, order: dict[str, int] | None = None) -> tuple[dict, str]:
    """Not-estimated entries counted by a key x substance (with a total column), and the cut note; `pairs`:
    ((key, substance), count) in the order of a sorted groupby of the two (_pair_counts)."""
    counts: dict[str, dict[str, int]] = {}
    for (key, substance), n in pairs:
        counts.setdefault(key, {})[substance] = int(n)
    if order:
        counts = dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    rows = [[row_label(key), *[f"{by_sub[s]:,}" if by_sub.get(s) else "" for s in substances],
             f"{sum(by_sub.values()):,}"] for key, by_sub in list(counts.items())[:MAX_ROWS]]
    table = _table([first_header, *substances, lbl["col_total"]], rows, [False] + [True] * (len(substances) + 1))
    return table, _cut_note(len(rows), len(counts), lbl)


def _filled_codes(column: pd.Series, as_text: bool = False) -> tuple[np.ndarray, list]:
    """`column.fillna("")` (then `.astype(str)` when `as_text`) as (a code per row, the values of the codes), the
    codes ordering as a sorted groupby orders the values: a Categorical's by its categories (unless `as_text`),
    anything else by the sorted values; equal values share a code. Made from the column's own codes, not a
    filled copy of it (issue 14: the national not-estimated list has ≈ 29M rows)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        values = column.cat.categories.tolist()
        codes = column.array.codes
        if (codes < 0).any():  # missing: the "" category (or "" after the categories)
            missing = values.index("") if "" in values else len(values)
            values = values if "" in values else [*values, ""]
            codes = np.where(codes < 0, missing, codes)
        if not as_text:
            return codes, values
        values = [str(v) for v in values]
    else:
        codes, values = pd.factorize(column, use_na_sentinel=True)
        values = list(values)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(values), codes)
            values = [*values, ""]
        if as_text:
            values = [str(v) for v in values]
    ranks, texts = pd.factorize(pd.Series(values, dtype=object), sort=True)
    return ranks[codes], list(texts)


def _pair_counts(ne: pd.DataFrame, row_key: str) -> list:
    """`ne.groupby([row_key, "substance"]).size().items()` of the not-estimated list with its key and substance
    filled with "" and the substance as text (not_estimated_summary), counted over codes: the same pairs, counts
    and order."""
    key, keys = _filled_codes(ne[row_key])
    sub, subs = _filled_codes(ne["substance"], as_text=True)
    flat = np.bincount(key.astype(np.int64) * len(subs) + sub, minlength=len(keys) * len(subs))
    found = np.flatnonzero(flat)
    return [((keys[i // len(subs)], subs[i % len(subs)]), int(flat[i])) for i in found.tolist()]


def not_estimated_summary(result: BuildResult, lbl: dict, lang: str) -> dict:
    """The not-estimated list summarised: counts by category x substance, by fuel x substance, by reason."""
    ne = result.not_estimated
    if ne is None or ne.empty:
        return {"total": 0}
    # Counted on the columns' codes, not on a filled copy of the list (issue 14): the same counts and order.
    sub, subs = _filled_codes(ne["substance"], as_text=True)
    substances = ordered_substances([subs[i] for i in np.unique(sub).tolist()])
    cat_names = vocab_names("categories.csv", "code", lang)
    category, categories_ = _filled_codes(ne["category"])
    first = np.unique(category, return_index=True)[1]
    if "category_name" in ne:
        listed = ne["category_name"].iloc[np.sort(first)]
        cat_names = {**dict(zip([categories_[c] for c in category[np.sort(first)].tolist()],
                                listed.fillna(""))), **cat_names}
    fuels = vocab_names("activities.csv", "id", lang)
    by_category, category_note = _count_matrix(_pair_counts(ne, "category"),
                                               lambda c: f"{c} {cat_names.get(c, '')}".strip(),
                                               substances, lbl["col_category_name"], lbl)
    by_fuel, fuel_note = _count_matrix(_pair_counts(ne, "activity"), lambda a: fuels.get(a, a), substances,
                                       lbl["col_fuel"], lbl, vocab_order("activities.csv", "id"))
    reasons = ne["reason"].fillna("").value_counts()
    by_reason = _table([lbl["col_reason"], lbl["col_count"]],
                       [[word(r, lang), f"{n:,}"] for r, n in reasons.items()], [False, True])
    activity, _ = _filled_codes(ne["activity"])
    return {
        "total": len(ne),
        "intro": lbl["ne_intro"].format(n=f"{len(ne):,}", regions=ne["region"].nunique(),
                                        categories=len(first), fuels=len(np.unique(activity))),
        "full_list": lbl["ne_full_list"].format(n=f"{len(ne):,}", sheet=lbl["sheet_qa"]),
        "by_category": by_category, "by_category_note": category_note,
        "by_fuel": by_fuel, "by_fuel_note": fuel_note,
        "by_reason": by_reason,
    }


@functools.cache
def _region_levels() -> dict[str, str]:
    """Each region code's level (province, prefecture, county) from data/regions.csv."""
    table = resources.data_table("regions.csv")
    return dict(zip(table["code"], table["level"]))


def built_regions(emissions: pd.DataFrame) -> pd.DataFrame:
    """The regions of an emissions table: code and name (of its first row), in order of first appearance;
    found once per report (a province's subset holds its prefectures' rows too).

    A region's first row starts a run of equal codes, so only the runs' first rows are looked at (the
    rows of a region mostly lie together): one comparison of each code with the one before it (pyarrow),
    then a dict over the runs."""
    codes = emissions["region"]
    if isinstance(codes.dtype, pd.CategoricalDtype):  # its integer codes compared (not a text a row: issue 14)
        code = codes.array.codes
        starts = np.flatnonzero(np.concatenate([[True], code[1:] != code[:-1]]))
        first = starts[pd.Series(code[starts]).drop_duplicates().index.to_numpy()]
        return emissions.iloc[first][["region", "region_name"]]
    try:
        values = pa.chunked_array(pa.array(codes.array)).combine_chunks()
    except (TypeError, pa.ArrowInvalid, pa.ArrowTypeError):
        values = None
    if values is None or values.null_count or not len(values):
        first = np.flatnonzero(~codes.duplicated().to_numpy())
    else:
        changed = pc.not_equal(values[1:], values[:-1]).to_numpy(zero_copy_only=False)
        starts = np.concatenate([[0], np.flatnonzero(changed) + 1])
        seen: dict = {}
        for position, code in zip(starts.tolist(), values.take(starts).to_pylist()):
            seen.setdefault(code, position)
        first = np.fromiter(seen.values(), dtype=np.int64, count=len(seen))
    return emissions.iloc[first][["region", "region_name"]]


def headline_region(emissions: pd.DataFrame, built: pd.DataFrame | None = None) -> str:
    """The region the detailed charts show: the province if it was built, else the first region.
    `built`: the emissions' built_regions when already found."""
    level = _region_levels()
    regions = sorted((built if built is not None else built_regions(emissions))["region"])
    provinces = [r for r in regions if level.get(r) == "province"]
    return (provinces or regions or [""])[0]


def chart_sector_gas(result: BuildResult, lbl: dict, lang: str, headline: str | None = None,
                     table: pd.DataFrame | None = None) -> list[dict]:
    """Per region-year: CO2e by sector stacked by gas, in 万吨/kt CO2e (gross: no memo, no sinks).

    Each item: {"headline": True for the headline region, "svg": the chart}. Empty
    when every region has one sector only (the energy breakdown tells more then). `headline`: the
    headline_region when already found, `table` the result's sector_gas_summary when already made.
    """
    table = sector_gas_summary(result, lang) if table is None else table
    table = table[table["row_type"] == "sector"]
    if table.empty or table.groupby(["region", "year"])["sector"].nunique().max() <= 1:
        return []
    gases = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item", "total"}]
    series = [(g, PALETTE[i % len(PALETTE)]) for i, g in enumerate(gases)]
    scale = CO2E_SCALE[lang]
    headline = headline_region(result.emissions) if headline is None else headline
    charts = []
    for (region, name, year), block in _blocks(table, REGION_KEYS):
        rows = [(r["item"], [_zero(r[g]) / scale for g in gases]) for r in block]
        svg = hbar_svg(rows, series, lbl["unit_co2e_chart"], region_year_title(region, name, year, lang),
                       totals=[_zero(r["total"]) / scale for r in block])
        charts.append({"headline": region == headline, "svg": svg})
    return charts


def _fuel_series(lbl: dict, shares: dict[str, float] | None = None,
                 present: set[str] | None = None) -> list[tuple[str, str]]:
    """(legend label, colour) per fuel group, with each group's share in % when given.

    Groups not in `present` (default: those with a share above 0, or all) get an
    empty label: they keep their place in the series but leave the legend.
    """
    if present is None:
        present = {g for g, v in shares.items() if v > 0} if shares else set(FUEL_GROUPS)
    return [((lbl[f"fuel_{g}"] + (f" {fmt_share(shares.get(g, 0))}" if shares else "")) if g in present else "",
             FUEL_COLOURS[g]) for g in FUEL_GROUPS]


def _fuels_present(sectors: dict[str, dict[str, list[float]]]) -> set[str]:
    """Fuel groups with a non-zero value in any bar of a region-year."""
    return {g for by_sub in sectors.values() for vals in by_sub.values() for g, v in zip(FUEL_GROUPS, vals) if v}


def energy_cube(result: BuildResult, lang: str) -> dict[tuple, dict[str, dict[str, list[float]]]]:
    """The build's `energy` figures as (region, region_name, year) -> "code name" of a sub-sector ->
    substance -> one value per fuel group (FUEL_GROUPS order, 0 where the group has none).

    Greenhouse gases together as "CO2e" (t CO2e), pollutants in t; sub-sectors in the
    order of categories.csv.
    """
    cube: dict[tuple, dict[str, dict[str, list[float]]]] = {}
    fuel_at = {g: i for i, g in enumerate(FUEL_GROUPS)}
    names = vocab_names("categories.csv", "code", lang)
    table = result.figures["energy"]
    columns = ["region", "region_name", "year", "category", "fuel_group", "substance", "value"]
    for region, name, year, code, fuel, substance, value in zip(*(table[c].tolist() for c in columns)):
        bars = cube.setdefault((region, name, year), {}).setdefault(f"{code} {names.get(code, code)}", {})
        bars.setdefault(substance, [0.0] * len(FUEL_GROUPS))[fuel_at[fuel]] = value
    return cube


def energy_shares(result: BuildResult, headline: str | None = None) -> dict[tuple, dict[str, tuple[float, float]]]:
    """The build's `energy_shares` figures as (region, year, substance, by) -> key (a level-3 category or
    a fuel group) -> (value, share in %), in the figures' order. With `headline`, only what the report
    shows: every substance of the headline region, CO2e of the others."""
    out: dict[tuple, dict[str, tuple[float, float]]] = {}
    table = result.figures["energy_shares"]
    if headline is not None and len(table):
        table = table[((table["substance"] == "CO2e") | (table["region"] == headline)).to_numpy()]
    columns = ["region", "year", "substance", "by", "key", "value", "share_pct"]
    for region, year, substance, by, key, value, share in zip(*(table[c].tolist() for c in columns)):
        out.setdefault((region, year, substance, by), {})[key] = (value, share)
    return out


def _bars(sectors: dict[str, dict[str, list[float]]], substance: str, scale: float = 1.0,
          not_estimated: set[tuple[str, str]] = frozenset()) -> list:
    """Bars of one substance: one per sub-sector, one value per fuel group. A sub-sector without
    this substance gets "NE" when it is listed as not estimated, else "—". Empty when no
    sub-sector has the substance."""
    if not any(substance in by_sub for by_sub in sectors.values()):
        return []
    return [(label, [v / scale for v in by_sub[substance]] if substance in by_sub
             else "NE" if (label.split(" ")[0], substance) in not_estimated else "—")
            for label, by_sub in sectors.items()]


def _bar_figures(bars: list, shares: dict[str, tuple[float, float]], scale: float = 1.0) -> dict:
    """The totals and shares written after sub-sector bars (hbar_svg `totals`, `shares`): each
    sub-sector's total and share of the substance, from the build's `energy_shares` figures; no
    shares when the substance sums to 0."""
    figures = [shares.get(label.split(" ")[0], (None, 0.0)) for label, _ in bars]
    totals = [None if value is None or value != value else value / scale for value, _ in figures]
    share = [s for _, s in figures]
    return {"totals": totals, "shares": share if any(share) else None}


def chart_energy(cube: dict, shares: dict, headline: str, lbl: dict, lang: str) -> list[dict]:
    """Per region-year: energy CO2e by sub-sector (1.A.1 ...) stacked by fuel group, in 万吨/kt CO2e.

    Each item: {"headline": True for the headline region, "svg": the chart}.
    """
    charts = []
    for (region, name, year), sectors in cube.items():
        rows = _bars(sectors, "CO2e", CO2E_SCALE[lang])
        if rows:
            title = f"{region_year_title(region, name, year, lang)} · CO2e"
            fuel = {g: share for g, (_, share) in shares.get((region, year, "CO2e", "fuel_group"), {}).items()}
            charts.append({"headline": region == headline,
                           "svg": hbar_svg(rows, _fuel_series(lbl, fuel if any(fuel.values()) else None),
                                           lbl["unit_co2e_chart"], title, width=680,
                                           **_bar_figures(rows, shares.get((region, year, "CO2e", "category"), {}),
                                                          CO2E_SCALE[lang]))})
    return charts


@functools.cache
def _level3(code: str) -> str:
    """figures.level3_category, remembered per code (the not-estimated pairs of every year ask again)."""
    return level3_category(code)


@functools.cache
def _level3_codes() -> dict[str, int]:
    """Position of each level-3 category (1.A.1, 1.A.2 ...) in categories.csv."""
    codes = [c for c in resources.data_table("categories.csv")["code"] if c.count(".") == 2]
    return {c: i for i, c in enumerate(codes)}


def _subsector_colour(code: str) -> str:
    """The colour of a sub-sector, the same in every report (by its place in categories.csv)."""
    return SUBSECTOR_PALETTE[_level3_codes().get(code, len(_level3_codes())) % len(SUBSECTOR_PALETTE)]


def chart_energy_mix(cube: dict, shares: dict, headline: str, lbl: dict, lang: str) -> list[dict]:
    """Per year of the headline region: the share (%) of each sub-sector and of each fuel group in
    CO2e and in each air pollutant, one bar per substance (the build's `energy_shares` figures)."""
    out = []
    for (region, name, year), sectors in cube.items():
        if region != headline:
            continue
        present = {s for by_sub in sectors.values() for s in by_sub}
        substances = ["CO2e"] * ("CO2e" in present) + ordered_substances(present - {"CO2e"})
        charts = []
        for key, series in (
                ("category", [(label, _subsector_colour(label.split(" ")[0])) for label in sectors]),
                ("fuel_group", _fuel_series(lbl, present=_fuels_present(sectors)))):
            rows = [(s, [share for _, share in shares.get((region, year, s, key), {}).values()]) for s in substances]
            charts.append(hbar_svg(rows, series, "%", lbl[f"chart_mix_{key}"], width=560, percent=True))
        out.append({"title": region_year_title(region, name, year, lang), "charts": charts})
    return out


def chart_regions(result: BuildResult, lbl: dict, lang: str) -> list[Markup]:
    """Per province-year: gross CO2e of the province (own / aggregated part) and each prefecture."""
    comp = result.figures["region_comparison"]
    if "CO2e" not in comp.columns:
        return []
    scale = CO2E_SCALE[lang]
    series = [(lbl["legend_own"], OWN), (lbl["legend_aggregated"], AGGREGATED), (lbl["legend_prefecture"], PREFECTURE)]
    names = vocab_names("regions.csv", "code", lang)
    charts = []
    for (province, year), block in _blocks(comp, ["province", "year"]):
        if not _compares(block):
            continue
        co2e = {r["row_type"]: _zero(r["CO2e"]) / scale for r in block}
        prov_name = names.get(province, province)
        prefs = sorted((r for r in block if r["row_type"] == "prefecture"), key=lambda r: -_zero(r["CO2e"]))
        rows = [(prov_name, [co2e.get("province_own", 0.0), co2e.get("province_aggregated", 0.0), 0.0])] \
            if "province_total" in co2e else []
        totals = [co2e["province_total"]] if "province_total" in co2e else []
        rows += [(_text(r["region_name"]), [0.0, 0.0, _zero(r["CO2e"]) / scale]) for r in prefs]
        totals += [_zero(r["CO2e"]) / scale for r in prefs]
        charts.append(hbar_svg(rows, series, lbl["unit_co2e_chart"], f"{prov_name} · {year}", width=680,
                               totals=totals))
    return charts


def chart_pollutants(result: BuildResult, cube: dict, shares: dict, headline: str, lbl: dict,
                     lang: str, table: pd.DataFrame | None = None) -> list[dict]:
    """Per year of the headline region: one small bar chart per pollutant (t).

    Bars are the energy sub-sectors stacked by fuel group when energy is the only
    sector, else the sectors. Each item: {"title", "legend" (shared, or None), "charts"}. `table`: the
    result's pollutant_summary when already made.
    """
    table = pollutant_summary(result, lang) if table is None else table
    table = table[(table["region"] == headline) & (table["row_type"] == "sector")]
    pols = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    ne = result.not_estimated
    ne = ne[ne["region"] == headline] if ne is not None and len(ne) else pd.DataFrame(columns=["year"])
    pairs = ne.reindex(columns=["year", "category", "substance"])
    # each category's level-3 ancestor found once per distinct category, then the distinct triples only
    pairs = pairs.assign(category=map_distinct(pairs["category"], lambda c: _level3(str(c)), categorical=True)
                         if len(pairs) else pairs["category"]).drop_duplicates()
    missing_in: dict = {}  # year -> (level-3 category, substance) listed as not estimated, found in one pass
    for y, c, s in zip(pairs["year"].tolist(), pairs["category"].tolist(), pairs["substance"].tolist()):
        missing_in.setdefault(y, set()).add((c, s))
    out = []
    for (_, name, year), block in _blocks(table, REGION_KEYS):
        charts = []
        by_fuel = {r["sector"] for r in block} == {"energy"}
        missing = missing_in.get(year, set())
        for i, p in enumerate(pols):
            if by_fuel:
                rows = _bars(cube.get((headline, name, year), {}), p, not_estimated=missing)
                series = _fuel_series(lbl, present=set(FUEL_GROUPS))
                figures = _bar_figures(rows, shares.get((headline, year, p, "category"), {}))
            else:
                kept = [r for r in block if _zero(r[p])]
                rows = [(r["item"], [_zero(r[p])]) for r in kept]
                series = [(p, PALETTE[i % len(PALETTE)])]
                figures = {"totals": [_zero(r[p]) for r in kept]}
            if rows:
                charts.append(hbar_svg(rows, series, lbl["unit_t"], p, width=560, legend=False, **figures))
        fuels = _fuels_present({k: {p: v for p, v in by_sub.items() if p in pols}
                                for k, by_sub in cube.get((headline, name, year), {}).items()})
        out.append({"title": region_year_title(headline, name, year, lang),
                    "legend": legend_svg(_fuel_series(lbl, present=fuels)) if by_fuel else None, "charts": charts})
    return out


def official_structure_table(result: BuildResult, lbl: dict, lang: str) -> dict | None:
    """The `official_structure` figures as one table (万吨/kt CO2e and %) with its note; None without rows."""
    table = result.figures.get("official_structure")
    if table is None or table.empty:
        return None
    scale = CO2E_SCALE[lang]
    names = vocab_names("sectors.csv", "sector", lang)
    headers = [lbl["col_region_name"], lbl["col_sector"], lbl["col_official_year"], lbl["col_official"],
               lbl["col_official_share"], lbl["col_year"], lbl["col_inventory"], lbl["col_inventory_share"]]
    rows = [[r["region_name"], names.get(r["sector"], r["sector"]), str(r["official_year"]),
             fmt_number(r["official_t"], scale), fmt_pct(r["official_share_pct"], 2), str(r["year"]),
             fmt_number(r["inventory_t"], scale) or "NE", fmt_pct(r["inventory_share_pct"], 2)]
            for r in table.to_dict("records")]
    official = resources.data_table("official_inventories.csv")
    note = lbl["official_structure_note"].format(source="、".join(sorted(set(official["document"]))),
                                       official_year="、".join(sorted(set(official["year"]))),
                                       gwp=result.meta.get("gwp_set", ""))
    return {"note": note, "table": _table(headers, rows, [False, False, False, True, True, False, True, True])}


def province_check_coverage(result: BuildResult, lbl: dict, lang: str) -> str:
    """The sentence naming the sectors the province-vs-prefectures check compares ("" when it has no rows)."""
    from inventory.qa.reconcile import covered_sectors

    covered = covered_sectors(result.checks)
    names = vocab_names("sectors.csv", "sector", lang)
    sep = ", " if lang == "en" else "、"
    return lbl["pvp_covers"].format(sectors=sep.join(names[s] for s in covered)) if covered else ""


# ---------------------------------------------------------------- leaders' summary page

def report_title(result: BuildResult, headline: str, years: list[str], lbl: dict,
                 built: pd.DataFrame | None = None) -> str:
    """The report's title: the headline region (and how many regions) and the years (label
    `report_title_for`). `built`: the emissions' built_regions when already found."""
    names = (built if built is not None else built_regions(result.emissions)).set_index("region")["region_name"]
    if headline not in names.index:
        return lbl["report_title"]
    count = len(names)
    region = names[headline] if count == 1 else lbl["report_regions_more"].format(region=names[headline], count=count)
    span = years[0] if len(years) == 1 else f"{years[0]}—{years[-1]}"
    return lbl["report_title_for"].format(region=region, years=span)


def region_names(result: BuildResult, lbl: dict, most: int = 6, built: pd.DataFrame | None = None) -> str:
    """The built regions by name (the first `most`, then how many in all; label `report_regions_more`).
    `built`: the emissions' built_regions when already found."""
    built = built if built is not None else built_regions(result.emissions)
    names = built.sort_values("region")["region_name"].astype(str).tolist()
    if len(names) <= most:
        return lbl["kf_list_sep"].join(names)
    return lbl["report_regions_more"].format(region=lbl["kf_list_sep"].join(names[:most]), count=len(names))


def key_figure_tables(rows: pd.DataFrame, headline: str, lbl: dict, lang: str) -> list[dict]:
    """The summary page's key figures (`rows`: the result's report.summaries.key_figure_rows): the headline
    region's newest year, with its title (the change on the year before is one of its lines; every year's
    figures are in the workbook's summary sheet and the series section), so the summary stays on one or two
    A4 pages."""
    rows = rows[rows["region"].astype(str) == headline]
    out = []
    for (region, name, year), block in reversed(_blocks(rows, REGION_KEYS)[-1:]):
        cells = [[r["label"], r["value"], r["reading"]] for r in block]
        out.append({"title": region_year_title(region, name, year, lang),
                    "table": _table([lbl["kf_col_item"], lbl["kf_col_value"], lbl["kf_col_reading"]], cells,
                                    [False, False, False])})
    return out


# ---------------------------------------------------------------- page

def _context(result: BuildResult, lang: str, views: ViewSet | None = None) -> dict:
    """Everything the template shows, as display-ready text, tables and SVG; `views`: the result's
    view_set in `lang` when already made (views.view_set)."""
    lbl = labels(lang)
    views = view_set(result, lang) if views is None else views
    bad = not_used_rows(result.ledger)
    years = sorted({str(y) for y in result.emissions["year"].unique()})
    problems, n_problems = check_table(result, lbl, {"fail", "warn"})
    passed, n_passed = check_table(result, lbl, {"pass"})
    cube = energy_cube(result, lang)
    built = built_regions(result.emissions)
    headline = headline_region(result.emissions, built)
    shares = energy_shares(result, headline)
    shown = views.summaries
    gases, pollutants = shown["sector_gas"], shown["pollutants"]
    return {
        "lang": lang, "L": lbl,
        "title": report_title(result, headline, years, lbl, built),
        "scope": f"{lbl['scope_regions']}: {region_names(result, lbl, built=built)} · {lbl['scope_years']}: "
                 f"{', '.join(years)}",
        "generated": fmt_time(result.meta.get("build_time", ""), REPORT_ZONE),
        "key_figures": key_figure_tables(shown["key_figures"], headline, lbl, lang),
        "factor_set": factor_set_label(result.meta.get("factor_set", ""), lang),
        "project": result.meta.get("project", ""),
        "summary": summary_tables(result, lbl, lang, gases),
        "chart_sector_gas": chart_sector_gas(result, lbl, lang, headline, gases),
        "chart_energy": chart_energy(cube, shares, headline, lbl, lang),
        "chart_energy_mix": chart_energy_mix(cube, shares, headline, lbl, lang),
        "chart_regions": chart_regions(result, lbl, lang),
        "maps": map_charts(result, lang),
        "analysis": analysis_sections(result, headline, lbl, lang, views=views.analysis),
        "qa_tables": analysis_sections(result, headline, lbl, lang, qa=True, views=views.qa),
        "chart_pollutants": chart_pollutants(result, cube, shares, headline, lbl, lang, pollutants),
        "pollutants": pollutant_tables(result, lbl, lang, pollutants),
        "regions": region_tables(shown["comparison"], lbl, lang),
        "checks": problems, "checks_note": _cut_note(len(problems["rows"]), n_problems, lbl),
        "checks_passed": passed, "checks_passed_count": n_passed,
        "checks_passed_note": _cut_note(len(passed["rows"]), n_passed, lbl),
        "check_counts": check_counts(result, lbl),
        "official_structure": official_structure_table(result, lbl, lang),
        "pvp_covers": province_check_coverage(result, lbl, lang),
        "checks_by_name": checks_by_name(result, lbl),
        "not_estimated": not_estimated_summary(result, lbl, lang),
        "ledger": ledger_table(result, lbl),
        "ledger_rows": _text_table(_translated_status(bad.head(MAX_ROWS), lbl, lang), LEDGER_COLUMNS, lbl),
        "ledger_note": _cut_note(min(len(bad), MAX_ROWS), len(bad), lbl),
        "meta": meta_table(result, lbl),
        "inputs": _text_table(meta_inputs(result.meta), ["path", "sha256"], lbl),
    }


@functools.lru_cache(maxsize=4)
def _template(text: str) -> jinja2.Template:
    """The compiled report template (compiled once per template text)."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.globals["table_html"] = table_html
    return env.from_string(text)


def render_html(result: BuildResult, lang: str = "zh", views: ViewSet | None = None) -> str:
    """The report as one self-contained HTML page in `lang` (zh or en). `views`: the result's
    views.view_set in `lang` when the caller made it already (e.g. for the workbook), read, not changed."""
    return _template(resources.template_text("report.html.j2")).render(**_context(result, lang, views))


def write_html(result: BuildResult, path: Path, lang: str = "zh", views: ViewSet | None = None) -> None:
    """render_html's page written to `path` (UTF-8) as the template makes it, piece by piece: the same text,
    never held whole (issue 14: a national combined report is 220M characters)."""
    stream = _template(resources.template_text("report.html.j2")).stream(**_context(result, lang, views))
    with open(path, "w", encoding="utf-8") as f:
        stream.dump(f)
