"""Display tables of the time series and the analyses, shared by the workbook and the report.

A `View` is a labelled table: its frame holds display values (names translated,
numbers as numbers) and each column has a display format that both renderers apply the same
way: `text`, `t` (tonnes or another amount), `pct` (a percentage), `ratio` (a
plain number such as an elasticity) or `int`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from inventory import categories, regions, resources
from inventory.errors import word
from inventory.lookup import map_distinct
from inventory.report.summaries import (factor_table, key_figure_rows, labels, ordered_sectors, pollutant_summary,
                                        region_comparison, sector_gas_summary, sector_tree, vocab_names,
                                        vocab_order)
from inventory.result import BuildResult

COCONTROL_POLLUTANTS = ["SO2", "NOx", "PM2.5", "NMVOC"]


@dataclass
class View:
    """A table to show: title, column keys with their headers and display formats, and the frame (columns = keys)."""

    key: str  # series, targets, cocontrol, key_categories, uncertainty
    title: str
    columns: list[tuple[str, str, str]]  # (key, header, display format)
    frame: pd.DataFrame
    note: str = ""

    @property
    def headers(self) -> list[str]:
        return [h for _, h, _ in self.columns]

    @property
    def formats(self) -> list[str]:
        return [f for _, _, f in self.columns]

    def data(self) -> pd.DataFrame:
        return self.frame.reindex(columns=[k for k, _, _ in self.columns])


@cache
def _view_columns() -> pd.DataFrame:
    """Column specifications of every view (data/view_columns.csv): view, column, label key, format, optional."""
    return resources.data_table("view_columns.csv")


@cache
def _view_spec(view: str) -> tuple[tuple[str, str, str, str], ...]:
    """(column, label key, format, optional) of each column of a view in data/view_columns.csv, in order."""
    t = _view_columns()
    t = t[t["view"] == view]
    return tuple(zip(t["column"], t["label"], t["format"], t["optional"]))


def _columns(view: str, lbl: dict, frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(key, header, format) of a view's columns, in order; an optional column only when the frame has it."""
    return [(c, lbl[label], fmt) for c, label, fmt, optional in _view_spec(view) if not optional or c in frame]


def _region_names(codes: pd.Series, lang: str) -> pd.Series:
    names = regions.table()[f"name_{lang}"]
    return codes.map(names).fillna(codes)


def _category_names(codes: pd.Series, lang: str) -> pd.Series:
    """Category names; `total` and sector ids (co-control and uncertainty keys) get their labels."""
    lbl = labels(lang)
    sectors = vocab_names("sectors.csv", "sector", lang)
    names = categories.table()[f"name_{lang}"]
    return map_distinct(codes, lambda c: lbl["col_total"] if c == "total" else sectors.get(c, names.get(c, c)))


def named(ids: pd.Series, vocabulary: str, lang: str, key: str = "id", categorical: bool = False) -> pd.Series:
    """Names in `lang` of the ids of a column from a vocabulary CSV (`a+b` ids: names joined by +); an id
    without a name stays as it is, empty cells stay empty (`categorical`: as lookup.map_distinct)."""
    names = vocab_names(vocabulary, key, lang)
    return map_distinct(ids, lambda v: "" if not isinstance(v, str) or not v else
                        "+".join(names.get(part, part) for part in v.split("+")), categorical)


def worded(codes: pd.Series, lang: str) -> pd.Series:
    """Each message code of a column (data/messages.csv) worded in `lang`; empty cells stay empty."""
    return map_distinct(codes, lambda c: word(c, lang) if isinstance(c, str) and c else "")


def labelled(column: pd.Series, prefix: str, lbl: dict, categorical: bool = False) -> pd.Series:
    """Each value's label `<prefix><value>` (the value itself without one; empty cells stay empty;
    `categorical`: as lookup.map_distinct)."""
    return map_distinct(column, lambda v: "" if v is None else lbl.get(f"{prefix}{v}", v), categorical)


# ---------------------------------------------------------------- time series

def _item_order(group: str, item: str) -> tuple:
    """Rows of a region's series: sectors (then gross and net totals), substances, intensities (in the
    order of data/intensities.csv)."""
    if group == "sector":
        rank = {"gross": 900, "net": 901}.get(item, vocab_order("sectors.csv", "sector").get(item, 500))
        return (0, rank, item)
    if group == "substance":
        return (1, vocab_order("substances.csv", "id").get(item, 500), item)
    return (2, vocab_order("intensities.csv", "item").get(item, 500), item)


def series_view(result: BuildResult, lang: str) -> View | None:
    """Sheet/section 时间序列: one row per region and item, one column per year and the change from the
    first to the last (the build's `series` and `series_change` figures; None for one year)."""
    long = result.figures["series"]
    years = sorted(int(y) for y in long["year"].unique())
    if len(years) < 2:
        return None
    lbl = labels(lang)
    keys = ["region", "group", "item", "unit"]
    # the pivot table of the sums per key and year (as pivot_table makes it: keys sorted, a year's column
    # only when it has a value), by one groupby
    wide = long.groupby([*keys, "year"], sort=True)["value"].sum().unstack("year")
    wide = wide.dropna(how="all", axis=1).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    groups, items = wide["group"].tolist(), wide["item"].tolist()
    order = pd.Series([_item_order(g, i) for g, i in zip(groups, items)], index=wide.index)
    wide = wide.iloc[np.lexsort((pd.factorize(order, sort=True)[0], pd.factorize(wide["region"], sort=True)[0]))]
    sectors = vocab_names("sectors.csv", "sector", lang)
    names = {"gross": lbl["series_gross"], "net": lbl["series_net"]}
    wide["item_name"] = [names.get(i) or sectors.get(i) or lbl.get(f"series_{i}", i) for i in wide["item"].tolist()]
    wide["region_name"] = _region_names(wide["region"], lang)
    first, last = str(years[0]), str(years[-1])
    change = result.figures["series_change"]
    found = dict(zip(zip(*(change[k].tolist() for k in keys)), change["change_pct"].tolist()))
    wide["change"] = np.array([found.get(k, np.nan) for k in zip(*(wide[k].tolist() for k in keys))], dtype=float)
    columns = [*_columns("series", lbl, wide), *[(str(y), str(y), "t") for y in years],
               ("change", lbl["series_change"].format(first=first, last=last), "pct")]
    return View("series", lbl["section_series"], columns, wide, lbl["series_note"])


# ---------------------------------------------------------------- analyses

def key_category_view(result: BuildResult, lang: str) -> View | None:
    """The key categories (Approach 1 and 2, level and trend, with LULUCF) of every region-year."""
    kc = result.analysis.get("key_categories")
    if kc is not None:
        kc = kc[kc["key"].astype(bool) & kc["with_lulucf"].astype(bool)].sort_values(
            ["region", "year", "approach", "assessment", "cumulative"], kind="stable")
    return _table_view("key_categories", kc, lang, lambda k, lbl: {
        "category_name": _category_names(k["category"].astype(str), lang),
        "assessment_name": labelled(k["assessment"], "assessment_", lbl),
        "share_pct": k["share"] * 100, "cumulative_pct": k["cumulative"] * 100})


def uncertainty_view(result: BuildResult, lang: str) -> View | None:
    """Uncertainty of totals and sectors (Approach 1 and Monte Carlo): estimate, 95 % interval, ± %."""
    u = result.analysis.get("uncertainty")
    keys = ["region", "year", "level", "key", "substance", "approach"]
    if u is not None:
        u = u[u["level"].isin(["total", "sector", "trend"])]
        order = u["level"].map({"total": 0, "sector": 1, "trend": 2})
        u = u.assign(_o=order).sort_values(["region", "year", "_o", "key", "substance", "approach"], kind="stable")
    half = result.figures["uncertainty_half_width"]
    return _table_view("uncertainty", u, lang, lambda u, lbl: {
        "key_name": _category_names(u["key"].astype(str), lang),
        "level_name": labelled(u["level"], "level_", lbl),
        "half_pct": half.set_index(keys)["half_width_pct"].reindex(pd.MultiIndex.from_frame(u[keys])).to_numpy()})


def cocontrol_view(result: BuildResult, lang: str) -> View | None:
    """Co-control indicators (DESIGN 3.9 cocontrol.csv) with translated names and quadrants."""
    return _table_view("cocontrol", result.analysis.get("cocontrol"), lang, lambda c, lbl: {
        "category_name": _category_names(c["category"].astype(str), lang),
        "quadrant_name": labelled(c["quadrant"].where(c["quadrant"] != ""), "quadrant_", lbl),
        "elasticity_band_name": labelled(c["elasticity_band"].where(c["elasticity_band"] != ""), "band_", lbl)})


def ccd_view(result: BuildResult, lang: str) -> View | None:
    """Coupling coordination degree (DESIGN 3.9 ccd.csv) with its scope and bands named."""
    return _table_view("ccd", result.analysis.get("ccd"), lang, lambda c, lbl: {
        "scope_name": labelled(c["scope"], "ccd_scope_", lbl),
        "band_name": labelled(c["band"].where(c["band"] != ""), "ccd_", lbl),
        "c_band_name": labelled(c["c_band"].where(c["c_band"] != ""), "ccd_", lbl)})


def targets_view(result: BuildResult, lang: str) -> View | None:
    """Target tracking (DESIGN 3.9 targets.csv): value, linear path and status per indicator and year."""
    t = result.analysis.get("targets")
    if t is None or t.empty:
        return None
    lbl = labels(lang)
    t = t.copy()
    name_col = f"name_{lang}"
    t["indicator_name"] = t[name_col] if name_col in t else t["indicator"]
    t["region_name"] = _region_names(t["region"].astype(str), lang)
    t["direction_name"] = labelled(t["direction"], "direction_", lbl)
    t["status_name"] = labelled(t["status"].where(t["status"] != ""), "target_status_", lbl)
    if "reason" in t:
        values = t["reason_value"] if "reason_value" in t else pd.Series("", index=t.index)
        t["reason"] = map_distinct(t["reason"].fillna("").astype(str) + "|" + values.fillna("").astype(str),
                                   lambda r: _target_reason(r, lang))
    columns = _columns("targets", lbl, t)
    return View("targets", lbl["section_targets"], columns, t, lbl["targets_note"])


def _target_reason(reason: str, lang: str) -> str:
    """A `code|value` reason of analysis/targets.py worded in the report's language ("" for none)."""
    code, _, value = reason.partition("|")
    return word(code, lang, {"x": value}) if code else ""


def analysis_views(result: BuildResult, lang: str) -> list[View]:
    """Every analysis view the result has, in report order."""
    makers = (series_view, targets_view, cocontrol_view, ccd_view, key_category_view, uncertainty_view)
    return [v for v in (m(result, lang) for m in makers) if v is not None]


# ---------------------------------------------------------------- QA explanation tables

def _activity_names(ids: pd.Series, lang: str) -> pd.Series:
    names = vocab_names("activities.csv", "id", lang)
    return map_distinct(ids, lambda a: "" if a is None else names.get(a, a))


def _table_view(name: str, t: pd.DataFrame | None, lang: str, names=None) -> View | None:
    """The View of table `t` (None when it is missing or empty) with its section title and note
    (labels `section_<name>`, `<name>_note`), the region's name in `lang`, and the further name
    columns `names(t, lbl)` returns."""
    if t is None or t.empty:
        return None
    lbl = labels(lang)
    t = t.assign(region_name=_region_names(t["region"].astype(str), lang), **(names(t, lbl) if names else {}))
    return View(name, lbl[f"section_{name}"], _columns(name, lbl, t), t, lbl[f"{name}_note"])


def _fuel_names(t: pd.DataFrame, lang: str) -> dict:
    return {"activity_name": _activity_names(t["activity"], lang)}


def reference_approach_view(result: BuildResult, lang: str) -> View | None:
    """IPCC reference approach against the sectoral approach per fuel, with the explanation of the gap."""
    return _table_view("reference_approach", result.qa_tables.get("reference_approach"), lang,
                       lambda t, lbl: _fuel_names(t, lang))


def external_view(result: BuildResult, lang: str) -> View | None:
    """The build against an external inventory (CEADs), each difference split into activity and factor."""
    return _table_view("external", result.qa_tables.get("external"), lang, lambda t, lbl: {
        "category_name": _category_names(t["category"].astype(str), lang), **_fuel_names(t, lang)})


def external_fuel_view(result: BuildResult, lang: str) -> View | None:
    """The build against an external inventory (CEADs) fuel by fuel, with each side's factor per t or 10^4 m3."""
    return _table_view("external_fuel", result.qa_tables.get("external_fuel"), lang,
                       lambda t, lbl: _fuel_names(t, lang))


def completeness_view(result: BuildResult, lang: str) -> View | None:
    """Each guideline category per region-year: estimated, or the notation key given, or missing."""
    return _table_view("completeness", result.qa_tables.get("completeness"), lang, lambda t, lbl: {
        "category_name": _category_names(t["category"].astype(str), lang),
        "status_name": labelled(t["status"], "completeness_", lbl),
        "result_name": labelled(t["result"], "result_", lbl)})


def official_view(result: BuildResult, lang: str) -> View | None:
    """Official pollutant statistics beside this inventory over 1.A, 1.B and 2 (check external_official)."""
    names = vocab_names("official_substances.csv", "id", lang)
    return _table_view("official", result.qa_tables.get("official"), lang, lambda t, lbl: {
        "substance_name": map_distinct(t["substance"], lambda s: names.get(s, s)),
        "result_name": labelled(t["result"], "result_", lbl)})


def penetration_view(result: BuildResult, lang: str) -> View | None:
    """Each key's default control split (figures.control_penetration), with the assumptions in its note."""
    techs = vocab_names("technologies.csv", "id", lang)
    return _table_view("penetration", result.figures.get("control_penetration"), lang, lambda t, lbl: {
        "category_name": _category_names(t["category"].astype(str), lang), **_fuel_names(t, lang),
        "technology_name": map_distinct(t["technology"], lambda x: techs.get(x, x)),
        "share_pct": t["share"] * 100, "derivation_name": labelled(t["derivation"], "derivation_", lbl)})


def plant_coverage_view(result: BuildResult, lang: str) -> View | None:
    """The share of activity and emission covered by plant data per key (figures.plant_coverage), confidential
    plants marked `C` and never given a number."""
    return _table_view("plant_coverage", result.figures.get("plant_coverage"), lang, lambda t, lbl: {
        "category_name": _category_names(t["category"].astype(str), lang), **_fuel_names(t, lang),
        "confidential_mark": t["confidential"].map({True: "C", False: ""})})


def qa_views(result: BuildResult, lang: str) -> list[View]:
    """The checks' explanation tables the result has."""
    makers = (official_view, penetration_view, plant_coverage_view, reference_approach_view, external_fuel_view, external_view,
              completeness_view)
    return [v for v in (m(result, lang) for m in makers) if v is not None]


class ViewSet(NamedTuple):
    """Every view and summary frame of a result in one language, made once for the renderers that show them
    (the workbook and the report show the same tables: a set makes them once and hands them to both).
    A renderer reads them and never changes them."""

    analysis: list[View]  # analysis_views
    qa: list[View]  # qa_views
    summaries: dict  # summary_frames


def summary_frames(result: BuildResult, lang: str) -> dict:
    """The result's summary frames in `lang` (report.summaries): `key_figures` (key_figure_rows), `factors`
    (factor_table), `sector_gas`,
    `pollutants`, `comparison` (region_comparison) and `trees` (sector -> sector_tree, for every sector of
    the emissions)."""
    sectors = ordered_sectors(result.emissions["sector"].dropna().unique()) if "sector" in result.emissions else []
    return {"key_figures": key_figure_rows(result, lang), "factors": factor_table(result.factors, lang),
            "sector_gas": sector_gas_summary(result, lang),
            "pollutants": pollutant_summary(result, lang), "comparison": region_comparison(result, lang),
            "trees": {sector: sector_tree(result, sector, lang) for sector in sectors}}


def view_set(result: BuildResult, lang: str) -> ViewSet:
    """analysis_views, qa_views and summary_frames of `result` in `lang`, made once."""
    return ViewSet(analysis_views(result, lang), qa_views(result, lang), summary_frames(result, lang))
