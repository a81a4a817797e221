"""The report's trends and analysis sections: time series, targets, co-control, key categories, uncertainty.

Tables come from `report.views` (the workbook shows the same tables in full); the
report shows the headline region (the province when it was built) and charts:
series as lines, each target's value against its straight path, and the co-control
coordinate system.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from markupsafe import Markup

from inventory import vocabulary
from inventory.report.svg import PALETTE, fmt_number, fmt_pct, hbar_svg, line_svg, quadrant_svg
from inventory.report.summaries import vocab_names
from inventory.report.views import COCONTROL_POLLUTANTS, View, analysis_views, qa_views
from inventory.result import BuildResult

MAX_ROWS = 300
STATUS_CLASSES = {"met": "result-pass", "on_track": "result-pass", "off_track": "result-warn",
                  "missed": "result-fail"}


def _cells(values: list, missing: list[bool], fmt: str) -> list[str]:
    """A column's display texts in format `fmt` (View formats: t and ratio as fmt_number, pct as fmt_pct,
    int as a whole number, text as it is); `missing` values as ""."""
    show = fmt_number if fmt in ("t", "ratio") else fmt_pct if fmt == "pct" else (
        (lambda v: str(int(v))) if fmt == "int" else str)
    return ["" if m else show(v) for v, m in zip(values, missing)]


def view_table(view: View, frame: pd.DataFrame | None = None, row_classes=None) -> dict:
    """A view (or some of its rows) as a table for the template's `table` macro (at most MAX_ROWS rows),
    formatted column by column from one object grid of the rows shown (one `isna` over it)."""
    keys = [k for k, _, _ in view.columns]
    data = (view.frame if frame is None else frame).head(MAX_ROWS).reindex(columns=keys)
    grid = data.to_numpy(dtype=object)
    missing = pd.isna(grid)
    columns = [_cells(grid[:, i].tolist(), missing[:, i].tolist(), f) for i, f in enumerate(view.formats)]
    rows = [list(r) for r in zip(*columns)] if columns else [[] for _ in range(len(data))]
    classes = list(row_classes)[:len(rows)] if row_classes is not None else [""] * len(rows)
    return {"headers": view.headers, "numeric": [f != "text" for f in view.formats],
            "rows": [{"cls": c, "cells": r} for r, c in zip(rows, classes)]}


def _series_charts(result: BuildResult, headline: str, lbl: dict, lang: str) -> list[Markup]:
    """The headline region's series (the build's `series` and `series_index` figures): GHG by sector in
    万吨/kt CO2e, CO2 and the pollutants as an index (first year = 100), and the intensities given by
    its statistics."""
    from inventory.report.summaries import CO2E_SCALE, vocab_names

    long = result.figures["series"]
    long = long[long["region"] == headline]
    years = sorted(int(y) for y in long["year"].unique())
    if len(years) < 2:
        return []
    scale = CO2E_SCALE[lang]
    # (group, item) -> year -> value, and each item's first unit: the headline's rows read once
    found: dict[tuple, dict] = {}
    unit_of: dict[str, str] = {}
    for group, item, year, value, unit in zip(*(long[c].tolist() for c in ("group", "item", "year", "value", "unit"))):
        found.setdefault((group, item), {})[int(year)] = value
        unit_of.setdefault(item, unit)

    def values(group: str, item: str, factor: float = 1.0) -> list[float]:
        s = found.get((group, item), {})
        return [s.get(y, np.nan) / factor for y in years]

    sectors = vocab_names("sectors.csv", "sector", lang)
    items = [i for g, i in found if g == "sector" and i not in ("gross", "net")]
    ghg = [(sectors.get(i, i), PALETTE[n % len(PALETTE)], values("sector", i, scale))
           for n, i in enumerate(items)]
    if len(items) > 1:  # with one sector its line is the total
        ghg.append((lbl["series_gross"], "#1d2630", values("sector", "gross", scale)))
    charts = [line_svg(years, ghg, lbl["unit_co2e_chart"], lbl["chart_series_ghg"], width=620)]
    gaps = result.figures.get("series_gaps")
    gaps = gaps[gaps["region"] == headline] if gaps is not None else None
    if gaps is not None and len(gaps):  # incomplete years: named with the sectors they lack
        outer, inner, left, right = ("；", "、", "（", "）") if lang == "zh" else ("; ", ", ", " (", ")")
        text = outer.join(f"{int(y)}{left}{inner.join(sectors.get(s, s) for s in block['sector'])}{right}"
                          for y, block in gaps.groupby("year", sort=True))
        charts.append(Markup('<p class="chart-note">{}</p>').format(lbl["series_incomplete"].format(years=text)))
    index = result.figures["series_index"]
    index = index[index["region"] == headline]
    for item, year, value in zip(index["item"].tolist(), index["year"].tolist(), index["value"].tolist()):
        found.setdefault(("index", item), {})[int(year)] = value
    # colours by place among CO2 and the pollutants of the series, whether or not each has an index
    shown = ["CO2", *(p for p in vocabulary.pollutants() if ("substance", p) in found)]
    lines = [(p, PALETTE[n % len(PALETTE)], values("index", p)) for n, p in enumerate(shown)
             if ("index", p) in found]
    if lines:
        charts.append(line_svg(years, lines, lbl["chart_index_unit"], lbl["chart_series_index"], width=620))
    for item in ("CO2/gdp", "CO2e/population"):
        v = values("intensity", item)
        if any(not pd.isna(x) for x in v):
            unit = unit_of[item]
            charts.append(line_svg(years, [(lbl.get(f"series_{item}", item), PALETTE[0], v)], unit,
                                   lbl.get(f"series_{item}", item), width=620))
    return charts


def _target_charts(view: View, headline: str, lbl: dict) -> list[Markup]:
    """Per indicator of the headline region: its values and the straight path from base to target."""
    t = view.frame
    t = t[t["region"].astype(str) == headline]
    charts = []
    for indicator, block in t.groupby("indicator", sort=False):
        block = block.dropna(subset=["year"]).sort_values("year")
        if block.empty or block["value"].isna().all() or block["base_value"].isna().all():
            continue  # nothing to draw: the table says why (no_data and its reason)
        first = block.iloc[0]
        years = list(range(int(first["base_year"]), int(first["target_year"]) + 1))
        known = dict(zip(block["year"].astype(int), block["value"]))
        path = [first["base_value"] + (first["target_value"] - first["base_value"]) * (y - first["base_year"])
                / (first["target_year"] - first["base_year"]) for y in years]
        unit = str(first["unit"]) if "unit" in block and not pd.isna(first["unit"]) else ""
        charts.append(line_svg(years, [(lbl["col_value"], PALETTE[0], [known.get(y, np.nan) for y in years]),
                                       (lbl["col_path_value"], "#a9b3bd", path)],
                               unit, str(first["indicator_name"]), width=460, height=260))
    return charts


def _cocontrol_charts(view: View, headline: str, lbl: dict) -> list[Markup]:
    """The co-control coordinate system, first to last year: the headline region's pollutants (total),
    then one chart per pollutant with every region's total."""
    used = ["region", "region_name", "category", "substance", "year_from", "year_to", "co2e_change_pct", "change_pct"]
    view = dataclasses.replace(view, frame=view.frame[used])  # the columns the charts read, selected once
    c = view.frame
    c = c[c["category"] == "total"]
    if c.empty:
        return []
    span = (c["year_to"] - c["year_from"]).reset_index(drop=True).sort_values()  # sort_values("span")'s order
    widest = c.iloc[span.index[-1]]
    c = c[(c["year_from"] == widest["year_from"]) & (c["year_to"] == widest["year_to"])]
    names = {k.removeprefix("chart_quadrant_"): v for k, v in lbl.items() if k.startswith("chart_quadrant_")}
    period = f"{int(widest['year_from'])}–{int(widest['year_to'])}"
    mine = c[c["region"].astype(str) == headline]
    points = [(s, x, y, PALETTE[i % len(PALETTE)]) for i, (s, x, y) in
              enumerate(zip(mine["substance"], mine["co2e_change_pct"], mine["change_pct"]))]
    charts = []
    if points:
        title = f"{mine['region_name'].iat[0]} · {period}"
        charts.append(quadrant_svg(points, lbl["chart_cocontrol_x"], lbl["chart_cocontrol_y"], names, title))
    charts += _cocontrol_paths(view, lbl, names)
    if c["region"].nunique() > 1:
        for i, pollutant in enumerate(p for p in COCONTROL_POLLUTANTS if (c["substance"] == p).any()):
            rows = c[c["substance"] == pollutant]
            pts = [(name, x, y, PALETTE[i % len(PALETTE)]) for name, x, y in
                   zip(rows["region_name"], rows["co2e_change_pct"], rows["change_pct"])]
            charts.append(quadrant_svg(pts, lbl["chart_cocontrol_x"], f"{pollutant} {lbl['chart_cocontrol_y']}",
                                       names, f"{pollutant} · {period}"))
    return charts


def _cocontrol_paths(view: View, lbl: dict, names: dict) -> list[Markup]:
    """Per region with three or more years: its path on the co-control coordinate plane, one point per
    consecutive pair of years (labelled with the later year) for SO2 and NOx (the first two of COCONTROL_POLLUTANTS)."""
    c = view.frame
    c = c[(c["category"] == "total") & (c["year_to"] - c["year_from"] == 1)]
    columns = ["region", "region_name", "substance", "year_to", "co2e_change_pct", "change_pct"]
    blocks: dict = {}  # region -> its rows, in the order the regions first come (as groupby sort=False)
    for row in zip(*(c[k].tolist() for k in columns)):
        if not pd.isna(row[0]):
            blocks.setdefault(row[0], []).append(row)
    charts = []
    for block in blocks.values():
        if len({r[3] for r in block if not pd.isna(r[3])}) < 2:
            continue
        points = []
        present = {r[2] for r in block}
        for i, pollutant in enumerate(p for p in COCONTROL_POLLUTANTS[:2] if p in present):
            rows = sorted((r for r in block if r[2] == pollutant), key=lambda r: r[3])
            points += [(f"{pollutant} {int(y)}", x, v, PALETTE[i % len(PALETTE)]) for _, _, _, y, x, v in rows]
        title = f"{block[0][1]} · {lbl['chart_cocontrol_path']}"
        charts.append(quadrant_svg(points, lbl["chart_cocontrol_x"], lbl["chart_cocontrol_y"], names, title,
                                   size=520, path=True))
    return charts


def _external_fuel_charts(view: View, headline: str, lbl: dict) -> list[Markup]:
    """Per year of the headline region: each fuel's CO2, ours beside the external inventory's (Mt CO2)."""
    t = view.frame
    t = t[t["region"].astype(str) == headline]
    series = [(lbl["chart_ours"], PALETTE[0]), (lbl["chart_external"], "#a9b3bd")]
    charts = []
    for year, block in t.groupby("year", sort=True):
        block = block.sort_values("external_t", ascending=False, kind="stable")
        rows = []
        for name, ours, ext in zip(block["activity_name"], block["ours_t"], block["external_t"]):
            rows += [(f"{name} · {series[0][0]}", [ours / 1e6, 0.0]), (f"{name} · {series[1][0]}", [0.0, ext / 1e6])]
        title = f"{block['region_name'].iat[0]} {int(year)} · {lbl['chart_external_fuel']}"
        charts.append(hbar_svg(rows, series, lbl["unit_mt_co2"], title, width=760))
    return charts


def _official_charts(result: BuildResult, headline: str, lbl: dict, lang: str) -> list[Markup]:
    """Per official substance of the headline region: ours beside the official total, year by year (万吨),
    from the figure table `official` (figures.official)."""
    t = result.figures.get("official")
    if t is None or t.empty:
        return []
    t = t[t["region"].astype(str) == headline]
    names = vocab_names("official_substances.csv", "id", lang)
    series = [(lbl["chart_ours"], PALETTE[0]), (lbl["chart_official_series"], "#a9b3bd")]
    charts = []
    for substance, block in t.groupby("substance", sort=False):
        rows = []
        for (year, side), value in zip(zip(block["year"], block["side"]), block["value"]):
            ours = side == "ours"
            label = f"{int(year)} · {series[0 if ours else 1][0]}"
            rows.append((label, [value / 1e4, 0.0] if ours else [0.0, value / 1e4]))
        compared = block["compared_with"].iat[0]
        title = f"{names.get(substance, substance)} ({compared}) · {lbl['chart_official']}"
        charts.append(hbar_svg(rows, series, lbl["unit_wan_t"], title, width=760))
    return charts


def analysis_sections(result: BuildResult, headline: str, lbl: dict, lang: str, qa: bool = False,
                      views: list[View] | None = None) -> list[dict]:
    """One section per analysis the build has (or, with qa, per explanation table of the checks): title,
    note, charts, the headline region's table and the other regions' tables (collapsed). `views`: the
    result's analysis_views (qa_views with qa) when already made; they are read, never changed (the
    targets table's reason column is added to a copy)."""
    out = []
    for view in (qa_views if qa else analysis_views)(result, lang) if views is None else views:
        if view.key == "targets" and "reason" in view.frame:  # status stays last
            view = dataclasses.replace(view, columns=[*view.columns[:-1], ("reason", lbl["col_reason"], "text"),
                                                      *view.columns[-1:]])
        frame = view.frame
        # the headline's rows and the others', found by one comparison; only the rows shown are taken
        mine = (frame["region"].astype(str) == headline).to_numpy() if "region" in frame else np.ones(len(frame), bool)
        here, there = np.flatnonzero(mine), np.flatnonzero(~mine)
        classes = None
        if view.key == "targets":
            classes = [STATUS_CLASSES.get(s, "") for s in frame["status"].to_numpy()[here].tolist()]
        elif view.key == "completeness":
            classes = [f"result-{r}" for r in frame["result"].to_numpy()[here].tolist()]
        charts = {"series": lambda: _series_charts(result, headline, lbl, lang),
                  "targets": lambda: _target_charts(view, headline, lbl),
                  "cocontrol": lambda: _cocontrol_charts(view, headline, lbl),
                  "external_fuel": lambda: _external_fuel_charts(view, headline, lbl),
                  "official": lambda: _official_charts(result, headline, lbl, lang)}.get(view.key, lambda: [])()
        out.append({"key": view.key, "title": view.title, "note": view.note, "charts": charts,
                    "table": view_table(view, frame.iloc[here[:MAX_ROWS]], classes),
                    "cut": len(here) > MAX_ROWS,
                    "others": view_table(view, frame.iloc[there[:MAX_ROWS]]) if len(there) else None,
                    "others_count": int(frame["region"].iloc[there].nunique()) if len(there) else 0})
    return out
