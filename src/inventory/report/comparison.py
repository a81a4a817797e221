"""Renderers of a build comparison (`inventory compare`, DESIGN 3.9): comparison.csv, comparison.xlsx,
comparison.html and the terminal tables.

The numbers come from `inventory.compare` (the comparison table and its summaries);
this module only lays them out. Labels are in data/labels.csv (zh by default, en on
request); the HTML page is self-contained (inline CSS and SVG, no network) and every
label from the builds is escaped (jinja2 autoescape; `hbar_svg` escapes its text).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rich.markup import escape as rich_escape
from rich.table import Table

from inventory import resources
from inventory.compare import (
    ALL_COLUMNS,
    explained,
    factor_changes,
    factor_set_of,
    status_counts,
    summarise,
    top_changes,
)
from inventory.report.excel import FMT_COUNT, FMT_PCT, _Book, _header, _styles
from inventory.report.html import CO2E_SCALE, MAX_ROWS, _template
from inventory.report.summaries import labels, ordered_substances, vocab_names
from inventory.report.svg import fmt_number, fmt_pct, hbar_svg
from inventory.report.tables import staged

NUMBER_COLUMNS = {"old", "new", "change", "activity_effect", "factor_effect", "old_factor", "new_factor",
                  "old_activity", "new_activity", "old_co2e_t", "new_co2e_t", "co2e_change", "co2e_activity_effect",
                  "co2e_factor_effect", "co2e_gwp_effect", "gwp_effect", "new_sources", "dropped_sources",
                  "not_split", "change_pct", "rows"}
EFFECT_COLOURS = ["#1f6fb2", "#e07b22", "#8a63b8", "#a9b3bd"]  # activity, factor, GWP set, other
TOP = 15  # rows in the charts of largest changes
# Column -> its label key where it is not `col_<column>`.
HEADER_KEYS = {"change_pct": "cmp_change_pct", "activity_effect": "cmp_activity_effect",
               "factor_effect": "cmp_factor_effect", "activity_name": "col_fuel"}


# ---------------------------------------------------------------- shared pieces

def heading(column: str, lbl: dict) -> str:
    """The header of a comparison column in the labels' language."""
    return lbl.get(HEADER_KEYS.get(column, f"col_{column}"), column)


def _with_pct(summary: pd.DataFrame) -> pd.DataFrame:
    """A summary with `change_pct` = change / old × 100 (NaN where old is 0 or missing)."""
    old = summary["old"].where(summary["old"] != 0)
    return summary.assign(change_pct=summary["change"] / old * 100)


def region_summary(comparison: pd.DataFrame) -> pd.DataFrame:
    """Gross CO2e (t CO2e) per region and year: old, new, change, change %, and its parts."""
    names = comparison[["region", "region_name"]].drop_duplicates("region")
    table = summarise(comparison, ["region", "year"], "co2e").merge(names, on="region", how="left")
    return _with_pct(table)


def pollutant_summary(comparison: pd.DataFrame) -> pd.DataFrame:
    """Gross emission (t) of each air pollutant per region and year, with its parts."""
    pollutants = comparison[comparison["co2e_change"].isna()]
    names = comparison[["region", "region_name"]].drop_duplicates("region")
    table = summarise(pollutants, ["region", "year", "substance"]).merge(names, on="region", how="left")
    order = {s: i for i, s in enumerate(ordered_substances(table["substance"]))}
    table = table.assign(_o=table["substance"].map(order)).sort_values(["region", "year", "_o"]).drop(columns="_o")
    return _with_pct(table.drop(columns=["gwp_effect"]).reset_index(drop=True))


def category_summary(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per region, year and category: CO2e (substance `CO2e`, t CO2e) and each air pollutant (t),
    only where something changed."""
    co2e = summarise(comparison, ["region", "year", "category"], "co2e").assign(substance="CO2e")
    pol = summarise(comparison[comparison["co2e_change"].isna()], ["region", "year", "category", "substance"])
    table = pd.concat([co2e, pol], ignore_index=True)
    names = comparison[["category", "category_name"]].drop_duplicates("category")
    table = table.merge(names, on="category", how="left")
    order = {s: i for i, s in enumerate(["CO2e", *ordered_substances(pol["substance"])])}
    table = table.assign(_o=table["substance"].map(order)).sort_values(["region", "year", "category", "_o"])
    table = table[table["change"].fillna(0) != 0].drop(columns=["_o"]).reset_index(drop=True)
    return _with_pct(table)


def _effects(rows: pd.DataFrame, measure: str) -> list[list[float]]:
    """Per row: [activity, factor, GWP set, other] parts of its change (other: new, dropped or not split)."""
    change = "co2e_change" if measure == "co2e" else "change"
    act = "co2e_activity_effect" if measure == "co2e" else "activity_effect"
    fac = "co2e_factor_effect" if measure == "co2e" else "factor_effect"
    split = rows[act].notna()
    gwp = rows["co2e_gwp_effect"].fillna(0.0) if measure == "co2e" else pd.Series(0.0, index=rows.index)
    parts = np.column_stack([rows[act].fillna(0.0), rows[fac].fillna(0.0), gwp.where(split, 0.0),
                             rows[change].where(~split, 0.0)])
    return parts.tolist()


def row_label(rows: pd.DataFrame, lang: str) -> pd.Series:
    """A short label per comparison row: region name, category, activity name, technology, substance."""
    acts = rows["activity"].map(vocab_names("activities.csv", "id", lang)).fillna(rows["activity"])
    tech = rows["technology"].where(rows["technology"] == "", " (" + rows["technology"] + ")")
    return rows["region_name"] + " · " + rows["category"] + " " + acts + tech + " · " + rows["substance"]


def _published():
    """Factor rows as written in the installed tables, and the factor set's version."""
    from inventory import __version__
    from inventory.factors.explain import original_rows
    from inventory.factors.load import factor_set_version

    return original_rows([resources.factors_dir()]), factor_set_version() or f"inventory {__version__}"


def _translated(comparison: pd.DataFrame, lbl: dict) -> pd.DataFrame:
    """status, note and basis in the labels' language (for the workbook and the page)."""

    def label(column: str, prefix: str) -> pd.Series:
        codes = comparison[column]
        names = {c: lbl.get(f"{prefix}{c}", c) for c in codes.unique() if c}  # a handful of codes
        return codes.map(names).astype(object).fillna("")

    return comparison.assign(status=label("status", "cmp_status_"), note=label("note", "cmp_note_"),
                             basis=label("basis", "basis_"))


# ---------------------------------------------------------------- csv and workbook

def write_csv(comparison: pd.DataFrame, path: Path) -> None:
    """comparison.csv: ALL_COLUMNS (DESIGN 3.9 columns first), UTF-8 with BOM, codes untranslated."""
    comparison[ALL_COLUMNS].to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def _add_table(book: _Book, rows, title: str, table: pd.DataFrame, lbl: dict) -> None:
    """A titled table (headers from labels, numbers as #,##0.00, % columns as 0.00) and an empty row."""
    rows.add_row([title], book.style(bold=True), widths=False)
    _header(book, rows, [heading(c, lbl) for c in table.columns])
    styles = _styles(book, [c in NUMBER_COLUMNS and c not in ("change_pct", "rows") for c in table.columns])
    for i, c in enumerate(table.columns):
        if c == "change_pct":
            styles[i] = book.style(FMT_PCT)
        elif c == "rows":
            styles[i] = book.style(FMT_COUNT)
    rows.add_frame(table, styles)
    rows.skip()


SUMMARY_COLUMNS = ["region", "region_name", "year", "old", "new", "change", "change_pct", "activity_effect",
                   "factor_effect", "gwp_effect", "new_sources", "dropped_sources", "not_split"]
POLLUTANT_COLUMNS = ["region", "region_name", "year", "substance", "old", "new", "change", "change_pct",
                     "activity_effect", "factor_effect", "new_sources", "dropped_sources", "not_split"]
CATEGORY_COLUMNS = ["region", "year", "category", "category_name", "substance", "old", "new", "change",
                    "change_pct", "activity_effect", "factor_effect", "gwp_effect", "new_sources", "dropped_sources",
                    "not_split"]
FACTOR_COLUMNS = ["factor_id", "factor_change", "rows", "value", "unit", "source", "source_detail"]
EXPLAINED_COLUMNS = ["old", "new", "change", "change_pct", "activity_effect", "factor_effect", "new_sources",
                     "dropped_sources", "not_split", "old_factor_ids", "new_factor_ids"]
FUEL_COLUMNS = ["region", "region_name", "year", "activity_name", "substance", *EXPLAINED_COLUMNS]
CATEGORY_ID_COLUMNS = ["region", "region_name", "year", "category", "category_name", "substance", *EXPLAINED_COLUMNS]


def fuel_summary(comparison: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per region, year, fuel and substance (t): the change, its parts and the factor ids of each build."""
    table = explained(comparison, ["region", "year", "activity", "substance"])
    names = comparison[["region", "region_name"]].drop_duplicates("region")
    acts = vocab_names("activities.csv", "id", lang)
    table = table.merge(names, on="region", how="left").assign(
        activity_name=table["activity"].map(lambda a: acts.get(a, a)))
    return _with_pct(table)


def category_id_summary(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per region, year, category and substance (t): the change, its parts and the factor ids of each build."""
    table = explained(comparison, ["region", "year", "category", "substance"])
    names = comparison[["region", "region_name"]].drop_duplicates("region")
    cats = comparison[["category", "category_name"]].drop_duplicates("category")
    return _with_pct(table.merge(names, on="region", how="left").merge(cats, on="category", how="left"))


def write_workbook(comparison: pd.DataFrame, factors: pd.DataFrame, path: Path, lang: str = "zh") -> None:
    """comparison.xlsx: summary (CO2e by region, pollutants by region, by category), every compared
    row, and the factor changes; labels in `lang`. Uses the inventory workbook writer."""
    lbl = labels(lang)
    book = _Book()
    ws, rows = book.sheet(lbl["cmp_sheet_summary"])
    ws.freeze_panes = "A2"
    _add_table(book, rows, lbl["cmp_section_regions"] + f" ({lbl['unit_co2e_t']})",
               region_summary(comparison)[SUMMARY_COLUMNS], lbl)
    _add_table(book, rows, lbl["cmp_section_pollutants"] + f" ({lbl['unit_t']})",
               pollutant_summary(comparison)[POLLUTANT_COLUMNS], lbl)
    _add_table(book, rows, lbl["cmp_section_categories"], category_summary(comparison)[CATEGORY_COLUMNS], lbl)
    _add_table(book, rows, lbl["cmp_section_fuels"], fuel_summary(comparison, lang)[FUEL_COLUMNS], lbl)
    _add_table(book, rows, lbl["cmp_section_categories_ids"], category_id_summary(comparison)[CATEGORY_ID_COLUMNS], lbl)
    rows.add_row([lbl["cmp_aggregated_note"]], widths=False)
    rows.add_row([lbl["cmp_method_note"]], widths=False)
    ws, rows = book.sheet(lbl["cmp_sheet_rows"])
    ws.freeze_panes = "G2"
    ws.autofilter = f"A1:{_column_letter(len(ALL_COLUMNS))}{len(comparison) + 1}"
    _header(book, rows, [heading(c, lbl) for c in ALL_COLUMNS])
    rows.add_frame(_translated(comparison, lbl)[ALL_COLUMNS],
                   _styles(book, [c in NUMBER_COLUMNS for c in ALL_COLUMNS]))
    ws, rows = book.sheet(lbl["cmp_sheet_factors"])
    ws.freeze_panes = "A2"
    table = factors.rename(columns={"change": "factor_change"})
    table["factor_change"] = table["factor_change"].map({c: lbl[f"cmp_factor_{c}"] for c in ("added", "removed")})
    _header(book, rows, [heading(c, lbl) for c in FACTOR_COLUMNS])
    rows.add_frame(table[FACTOR_COLUMNS], [0, 0, book.style(FMT_COUNT), 0, 0, 0, 0])
    book.save(Path(path))


def _column_letter(n: int) -> str:
    """Excel letter of the n-th column (1-based)."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(n)


# ---------------------------------------------------------------- html

def _cells(table: pd.DataFrame, columns: list[str]) -> list[list[str]]:
    """Display text of `columns` of each row: numbers formatted, percentages with %, text as it is."""
    out = []
    for record in table.reindex(columns=columns).to_dict("records"):
        out.append([fmt_pct(record[c], 2) if c == "change_pct" else f"{record[c]:,}" if c == "rows"
                    else fmt_number(record[c]) if c in NUMBER_COLUMNS
                    else ("" if record[c] is None or record[c] != record[c] else str(record[c])) for c in columns])
    return out


def _html_table(table: pd.DataFrame, columns: list[str], lbl: dict) -> dict:
    """A table for the template's `table` macro (headers from labels, numeric columns right-aligned)."""
    return {"headers": [heading(c, lbl) for c in columns], "numeric": [c in NUMBER_COLUMNS for c in columns],
            "rows": [{"cls": "", "cells": r} for r in _cells(table, columns)]}


def _chart(rows: pd.DataFrame, measure: str, title: str, unit: str, scale: float, lbl: dict, lang: str):
    """Horizontal bars of the largest changes, each split into activity, factor, GWP set and other parts."""
    parts = _effects(rows, measure)
    gwp = any(p[2] for p in parts)
    series = [(lbl["cmp_chart_activity"], EFFECT_COLOURS[0]), (lbl["cmp_chart_factor"], EFFECT_COLOURS[1]),
              (lbl["cmp_chart_gwp"] if gwp else "", EFFECT_COLOURS[2]), (lbl["cmp_chart_other"], EFFECT_COLOURS[3])]
    bars = [(label, [v / scale for v in p]) for label, p in zip(row_label(rows, lang), parts)]
    change = rows["co2e_change" if measure == "co2e" else "change"] / scale
    return hbar_svg(bars, series, unit, title, width=760, totals=change.tolist())


def _context(comparison: pd.DataFrame, factors: pd.DataFrame, version: str, old: str, new: str, lang: str) -> dict:
    """Everything comparison.html.j2 shows, as display-ready text, tables and SVG."""
    lbl = labels(lang)
    counts = status_counts(comparison)
    regions = region_summary(comparison)
    gwp_used = bool(regions["gwp_effect"].abs().sum()) if len(regions) else False
    summary_cols = [c for c in SUMMARY_COLUMNS if gwp_used or c != "gwp_effect"]
    scale = CO2E_SCALE[lang]
    top = top_changes(comparison, TOP, "co2e")
    chart_top = _chart(top, "co2e", lbl["cmp_section_top"] + " · CO2e", lbl["unit_co2e_chart"], scale, lbl,
                       lang) if len(top) else None
    pollutants = pollutant_summary(comparison)
    pollutant_charts = []
    for substance in ordered_substances(pollutants["substance"]):
        rows = top_changes(comparison, 10, "t", substance)
        if len(rows):
            pollutant_charts.append(_chart(rows, "t", substance, lbl["unit_t"], 1.0, lbl, lang))
    changed = _translated(comparison[comparison["status"] != "unchanged"], lbl)
    row_cols = ["region", "region_name", "year", "category", "activity", "technology", "substance", "status", "old",
                "new", "change", "activity_effect", "factor_effect", "old_factor", "new_factor",
                "old_activity_unit", "new_activity_unit", "note", "factor_ids_removed", "factor_ids_added"]
    cats = category_summary(comparison)
    fuels = fuel_summary(comparison, lang)
    cat_ids = category_id_summary(comparison)
    ftable = factors.rename(columns={"change": "factor_change"})
    ftable["factor_change"] = ftable["factor_change"].map({c: lbl[f"cmp_factor_{c}"] for c in ("added", "removed")})

    def cut(n: int) -> str:
        return lbl["cmp_rows_cut"].format(shown=MAX_ROWS, total=f"{n:,}") if n > MAX_ROWS else ""

    return {
        "lang": lang, "L": lbl, "old": old, "new": new,
        "counts": lbl["cmp_counts"].format(**{k: f"{v:,}" for k, v in counts.items()}),
        "no_changes": counts["changed"] + counts["new"] + counts["dropped"] == 0,
        "regions": _html_table(regions, summary_cols, lbl),
        "chart_top": chart_top,
        "pollutants": _html_table(pollutants[pollutants["change"] != 0], POLLUTANT_COLUMNS, lbl),
        "pollutant_charts": pollutant_charts,
        "categories": _html_table(cats.head(MAX_ROWS), [c for c in CATEGORY_COLUMNS if gwp_used or c != "gwp_effect"],
                                  lbl),
        "categories_note": cut(len(cats)),
        "fuels": _html_table(fuels.head(MAX_ROWS), FUEL_COLUMNS, lbl), "fuels_note": cut(len(fuels)),
        "category_ids": _html_table(cat_ids.head(MAX_ROWS), CATEGORY_ID_COLUMNS, lbl),
        "category_ids_note": cut(len(cat_ids)),
        "factors": _html_table(ftable.head(MAX_ROWS), FACTOR_COLUMNS, lbl), "factors_note": cut(len(ftable)),
        "factor_note": lbl["cmp_factor_note"].format(version=version),
        "rows": _html_table(changed.head(MAX_ROWS), row_cols, lbl), "rows_note": cut(len(changed)),
    }


def render_html(comparison: pd.DataFrame, factors: pd.DataFrame, version: str, old: str, new: str,
                lang: str = "zh") -> str:
    """comparison.html: one self-contained page in `lang` (zh or en)."""
    return _template(resources.template_text("comparison.html.j2")).render(
        **_context(comparison, factors, version, old, new, lang))


# ---------------------------------------------------------------- all files

def write_comparison(comparison: pd.DataFrame, out: Path, old: str = "", new: str = "", lang: str = "zh") -> list[str]:
    """comparison.csv, comparison.xlsx and comparison.html in folder `out` (written atomically).

    old, new: how the two builds are named on the page (their paths).
    """
    published, version = _published()
    factors = factor_changes(comparison, published)
    old, new = (f"{path} ({labels(lang)['cmp_factor_set']}: {factor_set_of(path)})" if factor_set_of(path) else path
                for path in (old, new))
    with staged(Path(out)) as stage:
        write_csv(comparison, stage / "comparison.csv")
        write_workbook(comparison, factors, stage / "comparison.xlsx", lang)
        (stage / "comparison.html").write_text(render_html(comparison, factors, version, old, new, lang),
                                               encoding="utf-8")
    return ["comparison.csv", "comparison.xlsx", "comparison.html"]


# ---------------------------------------------------------------- terminal

def terminal_tables(comparison: pd.DataFrame, lang: str = "zh", top: int = 10) -> list[Table]:
    """Rich tables for the terminal: gross CO2e per region (with its parts), the `top` rows by |CO2e
    change|, air pollutant changes per region, and the largest rows of each pollutant."""
    lbl = labels(lang)

    def h(key: str) -> str:
        return heading(key, lbl)

    tables = []
    regions = region_summary(comparison)
    same = regions["change"].fillna(0).eq(0) & regions["old"].notna() & regions["new"].notna()
    if same.any() and not same.all():  # the terminal lists the region-years that changed; files hold all
        regions = regions[~same]
    unchanged_note = lbl["cmp_unchanged_regions"].format(n=int(same.sum())) if same.any() and len(regions) else ""
    t = Table(h("region_name"), h("year"), h("old"), h("new"), h("change"), h("change_pct"), h("activity_effect"),
              h("factor_effect"), h("gwp_effect"), h("new_sources"), h("dropped_sources"), h("not_split"),
              title=f"{lbl['cmp_section_regions']} ({lbl['unit_co2e_t']})",
              caption=" ".join(x for x in (unchanged_note, lbl["cmp_aggregated_note"]) if x))
    for r in regions.to_dict("records"):
        t.add_row(rich_escape(f"{r['region']} {r['region_name']}"), str(r["year"]),
                  *(fmt_number(r[c]) for c in ("old", "new", "change")), fmt_pct(r["change_pct"], 2),
                  *(fmt_number(r[c]) for c in ("activity_effect", "factor_effect", "gwp_effect", "new_sources",
                                       "dropped_sources", "not_split")))
    tables.append(t)
    rows = top_changes(comparison, top, "co2e")
    if len(rows):
        effects = ["co2e_activity_effect", "co2e_factor_effect"]
        effects += ["co2e_gwp_effect"] * bool(rows["co2e_gwp_effect"].fillna(0).any())
        t = Table("", h("status"), h("old_co2e_t"), h("new_co2e_t"), h("co2e_change"), *(h(c) for c in effects),
                  h("note"), title=f"{lbl['cmp_section_top']} (CO2e, {lbl['unit_co2e_t']})")
        for label, r in zip(row_label(rows, lang), _translated(rows, lbl).to_dict("records")):
            t.add_row(rich_escape(label), r["status"], *(fmt_number(r[c]) for c in ("old_co2e_t", "new_co2e_t",
                                                                                    "co2e_change", *effects)),
                      r["note"])
        tables.append(t)
    fuels = fuel_summary(comparison, lang)
    fuels = fuels[(fuels["substance"] == "CO2") & (fuels["change"] != 0)]
    if len(fuels):
        fuels = fuels.loc[fuels["change"].abs().sort_values(ascending=False, kind="stable").index[:top]]
        t = Table(h("region_name"), h("year"), h("activity_name"), h("old"), h("new"), h("change"),
                  h("activity_effect"), h("factor_effect"), h("old_factor_ids"), h("new_factor_ids"),
                  title=f"{lbl['cmp_section_fuels']} (CO2, {lbl['unit_t']})")
        for r in fuels.to_dict("records"):
            t.add_row(rich_escape(f"{r['region']} {r['region_name']}"), str(r["year"]), rich_escape(r["activity_name"]),
                      *(fmt_number(r[c]) for c in ("old", "new", "change", "activity_effect", "factor_effect")),
                      rich_escape(r["old_factor_ids"]), rich_escape(r["new_factor_ids"]))
        tables.append(t)
    pollutants = pollutant_summary(comparison)
    pollutants = pollutants[pollutants["change"] != 0]
    if len(pollutants):
        t = Table(h("region_name"), h("year"), h("substance"), h("old"), h("new"), h("change"), h("change_pct"),
                  h("activity_effect"), h("factor_effect"), h("new_sources"), h("dropped_sources"), h("not_split"),
                  title=f"{lbl['cmp_section_pollutants']} ({lbl['unit_t']})")
        for r in pollutants.to_dict("records"):
            t.add_row(rich_escape(f"{r['region']} {r['region_name']}"), str(r["year"]), r["substance"],
                      *(fmt_number(r[c]) for c in ("old", "new", "change")), fmt_pct(r["change_pct"], 2),
                      *(fmt_number(r[c]) for c in ("activity_effect", "factor_effect", "new_sources", "dropped_sources",
                                           "not_split")))
        tables.append(t)
        t = Table(h("substance"), "", h("status"), h("old"), h("new"), h("change"), h("activity_effect"),
                  h("factor_effect"), h("note"), title=f"{lbl['cmp_section_top_pollutant']} ({lbl['unit_t']})")
        for substance in ordered_substances(pollutants["substance"]):
            rows = top_changes(comparison, min(top, 3), "t", substance)
            for label, r in zip(row_label(rows, lang), _translated(rows, lbl).to_dict("records")):
                t.add_row(substance, rich_escape(label), r["status"], fmt_number(r["old"]), fmt_number(r["new"]), fmt_number(r["change"]),
                          fmt_number(r["activity_effect"]), fmt_number(r["factor_effect"]), r["note"])
        tables.append(t)
    return tables
