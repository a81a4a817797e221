"""The self-contained HTML report (DESIGN 3.7): inline CSS, inline SVG charts, no network.

Numbers come from the same summary frames as the workbook (`report.excel`).
Greenhouse gases are shown in 万吨 CO2e (zh) or kt CO2e (en) in charts and the
summary tables; pollutants and the region comparison in tonnes. Every label from
the inputs is escaped: by jinja2's autoescape in the template, by `html.escape`
inside the SVG built here.
"""

from __future__ import annotations

import math
from html import escape

import jinja2
import pandas as pd
from markupsafe import Markup

from inventory import resources
from inventory.report.excel import (
    LEDGER_COLUMNS,
    NE_COLUMNS,
    REGION_KEYS,
    labels,
    ledger_counts,
    meta_inputs,
    meta_rows,
    not_used_rows,
    pollutant_summary,
    region_comparison,
    sector_gas_summary,
    vocab_names,
)
from inventory.result import CHECK_COLUMNS, BuildResult

CO2E_SCALE = {"zh": 1e4, "en": 1e3}  # t per displayed unit: 万吨 (zh), kt (en)
MAX_LEDGER_ROWS = 500
PALETTE = ["#1f6fb2", "#e07b22", "#3a9d5d", "#c8413b", "#8a63b8", "#8c6d46", "#d46fb0", "#6b7a8f",
           "#b5a216", "#1aa3b3", "#4d4d4d", "#9fbf3b", "#f2a7a1", "#2f4b7c"]
OWN, AGGREGATED, PREFECTURE = "#1f6fb2", "#8fb8de", "#e07b22"
RESULT_CLASSES = {"pass", "warn", "fail"}


# ---------------------------------------------------------------- numbers

def fmt_number(value, scale: float = 1.0) -> str:
    """A number divided by `scale`, with thousands separators; empty for missing values."""
    if value is None or pd.isna(value):
        return ""
    x = float(value) / scale
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:,.{max(2, 2 - math.floor(math.log10(abs(x))))}f}"


def fmt_pct(value) -> str:
    """A percentage with one decimal and a % sign; empty for missing values."""
    return "" if value is None or pd.isna(value) else f"{float(value):,.1f}%"


def fmt_tick(value: float, step: float) -> str:
    """An axis tick with as many decimals as the step needs, thousands separated."""
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:,.{decimals}f}"


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


# ---------------------------------------------------------------- tables

def region_year_title(region: str, name: str, year, lang: str = "zh") -> str:
    """Heading of one region-year: name, code and year (full-width brackets in Chinese)."""
    return f"{name} ({region}) · {year}" if lang == "en" else f"{name}（{region}）· {year}"


def summary_tables(result: BuildResult, lbl: dict, lang: str) -> list[dict]:
    """Per region-year: CO2e by sector x gas in 万吨/kt CO2e, with gross, sink, net and memo rows."""
    table = sector_gas_summary(result.emissions, lang)
    gases = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item", "total"}]
    scale = CO2E_SCALE[lang]
    headers = [lbl["col_item"], *gases, lbl["col_total"]]
    out = []
    for (region, name, year), block in table.groupby(REGION_KEYS, sort=False):
        cells = block[gases + ["total"]].map(lambda v: fmt_number(v, scale))
        rows = [[item, *vals] for item, vals in zip(block["item"], cells.values.tolist())]
        out.append({"title": region_year_title(region, name, year, lang),
                    "table": _table(headers, rows, [False] + [True] * (len(gases) + 1),
                                    block["row_type"].map(lambda t: f"row-{t}"))})
    return out


def pollutant_tables(result: BuildResult, lbl: dict, lang: str) -> list[dict]:
    """Per region-year: air pollutant emissions by sector in t, with a total row."""
    table = pollutant_summary(result.emissions, lang)
    pols = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    out = []
    for (region, name, year), block in table.groupby(REGION_KEYS, sort=False):
        cells = block[pols].map(fmt_number).values.tolist()
        rows = [[item, *vals] for item, vals in zip(block["item"], cells)]
        out.append({"title": region_year_title(region, name, year, lang),
                    "table": _table([lbl["col_sector"], *pols], rows, [False] + [True] * len(pols),
                                    block["row_type"].map(lambda t: f"row-{t}"))})
    return out


def region_tables(result: BuildResult, lbl: dict, lang: str) -> list[dict]:
    """Per province-year: prefectures, their sum, the province and the difference (t; CO2e in t CO2e)."""
    comp = region_comparison(result.emissions, lang)
    subs = [c for c in comp.columns if c not in {"province", "year", "row_type", "region", "region_name"}]
    headers = [lbl["col_region"], lbl["col_region_name"],
               *[f"{s} ({lbl['unit_co2e_t'] if s == 'CO2e' else lbl['unit_t']})" for s in subs]]
    names = vocab_names("regions.csv", "code", lang)
    out = []
    for (province, year), block in comp.groupby(["province", "year"], sort=False):
        pct = block["row_type"].eq("difference_pct").to_numpy()
        values = block[subs]
        cells = [[fmt_pct(v) if p else fmt_number(v) for v in row] for row, p in zip(values.values.tolist(), pct)]
        rows = [[_text(r), _text(n), *c] for r, n, c in zip(block["region"], block["region_name"], cells)]
        classes = block["row_type"].map(lambda t: "" if t == "prefecture" else f"row-{t}")
        out.append({"title": region_year_title(province, names.get(province, province), year, lang),
                    "table": _table(headers, rows, [False, False] + [True] * len(subs), classes)})
    return out


def check_table(result: BuildResult, lbl: dict) -> dict:
    """QA/QC checks, each row classed by its result (pass, warn, fail)."""
    checks = result.checks.reindex(columns=CHECK_COLUMNS)
    numeric = {"value", "reference"}
    rows = [[fmt_number(v) if c in numeric else fmt_pct(v) if c == "diff_pct" else _text(v)
             for c, v in zip(CHECK_COLUMNS, row)] for row in checks.astype(object).values.tolist()]
    results = checks["result"].astype(str)
    for row, res in zip(rows, results):
        row[-1] = lbl.get(f"result_{res}", res)
    classes = results.map(lambda r: f"result-{r}" if r in RESULT_CLASSES else "")
    return _table([lbl[f"col_{c}"] for c in CHECK_COLUMNS], rows,
                  [c in {*numeric, "diff_pct"} for c in CHECK_COLUMNS], classes)


def _text_table(df: pd.DataFrame, columns: list[str], lbl: dict) -> dict:
    """A table of text columns with translated headers."""
    rows = [[_text(v) for v in row] for row in df.reindex(columns=columns).astype(object).values.tolist()]
    return _table([lbl.get(f"col_{c}", c) for c in columns], rows, [False] * len(columns))


def ledger_table(result: BuildResult, lbl: dict) -> dict:
    """Row accounting: rows read, used, skipped and rejected."""
    counts = ledger_counts(result.ledger)
    rows = [[lbl[f"status_{k}"], f"{v:,}"] for k, v in counts.items()]
    return _table([lbl["col_status"], lbl["col_count"]], rows, [False, True],
                  [f"status-{k}" for k in counts])


def _translated_status(rows: pd.DataFrame, lbl: dict) -> pd.DataFrame:
    """Ledger rows with their status (used, skipped, rejected) in the report's language."""
    return rows.assign(status=rows["status"].map(lambda s: lbl.get(f"status_{s}", s)))


def meta_table(result: BuildResult, lbl: dict) -> dict:
    """Build metadata as key/value rows."""
    return _table([lbl["col_key"], lbl["col_value"]], meta_rows(result.meta), [False, False])


# ---------------------------------------------------------------- SVG charts

def _nice_step(span: float, ticks: int = 4) -> float:
    """A round axis step (1, 2 or 5 x 10^n) giving about `ticks` intervals over `span`."""
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _label_width(text: str, size: float) -> float:
    """Approximate rendered width in px of `text` at font size `size` (CJK glyphs are full width)."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.58 for ch in text)


def _svg_text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, cls: str = "") -> str:
    """An escaped SVG <text> element."""
    c = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{c}>'
            f"{escape(text)}</text>")


def _legend(series: list[tuple[str, str]], x: float, y: float) -> tuple[list[str], float]:
    """Legend swatches in rows from (x, y); returns the elements and the y below them."""
    parts, cx = [], x
    for name, colour in series:
        w = 18 + _label_width(name, 12)
        if cx + w > 540 and cx > x:
            cx, y = x, y + 18
        parts.append(f'<rect x="{cx:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        parts.append(_svg_text(cx + 16, y, name))
        cx += w + 14
    return parts, y + 14


def hbar_svg(rows: list[tuple[str, list[float]]], series: list[tuple[str, str]], unit: str,
             title: str = "", width: int = 560, legend: bool = True) -> Markup:
    """Horizontal stacked bars: one bar per row, one segment per series (values in `unit`).

    Positive segments stack to the right of zero, negative ones to the left.
    """
    size, bar, gap = 12, 16, 8
    label_w = min(220, max((_label_width(r[0], size) for r in rows), default=40) + 10)
    left, right = label_w + 8, 70
    parts, y = [], 18
    if title:
        parts.append(_svg_text(0, y, title, size=13, cls="chart-title"))
        y += 20
    if legend and len(series) > 1:
        lp, y = _legend(series, left, y + 4)
        parts += lp
    pos = [sum(v for v in vals if v > 0) for _, vals in rows]
    neg = [sum(v for v in vals if v < 0) for _, vals in rows]
    lo, hi = min([0.0, *neg]), max([0.0, *pos])
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step or step
    plot_w = width - left - right
    sx = lambda v: left + (v - lo) / (hi - lo) * plot_w  # noqa: E731 - the axis scale, px per unit
    top = y + 6
    height = top + len(rows) * (bar + gap) + 36
    ticks = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
    for t in ticks:
        parts.append(f'<line x1="{sx(t):.1f}" y1="{top - 4}" x2="{sx(t):.1f}" '
                     f'y2="{top + len(rows) * (bar + gap)}" class="grid"/>')
        parts.append(_svg_text(sx(t), top + len(rows) * (bar + gap) + 14, fmt_tick(t, step), "middle", 11))
    parts.append(_svg_text(left + plot_w, height - 4, unit, "end", 11, "unit"))
    for i, (label, vals) in enumerate(rows):
        yy = top + i * (bar + gap)
        parts.append(_svg_text(left - 8, yy + bar - 4, label, "end", size))
        p_end = n_end = 0.0
        for (name, colour), v in zip(series, vals):
            if not v:
                continue
            start = p_end if v > 0 else n_end + v
            if v > 0:
                p_end += v
            else:
                n_end += v
            parts.append(f'<rect x="{sx(start):.1f}" y="{yy}" width="{max(sx(start + abs(v)) - sx(start), 0.5):.1f}"'
                         f' height="{bar}" fill="{colour}"><title>{escape(label)} · {escape(name)}: '
                         f"{escape(fmt_number(v))} {escape(unit)}</title></rect>")
        total = sum(vals)
        parts.append(_svg_text(sx(max(p_end, 0)) + 4, yy + bar - 4, fmt_number(total), size=11))
    body = "\n".join(parts)
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img" aria-label="{escape(title)}">{body}</svg>')


def chart_sector_gas(result: BuildResult, lbl: dict, lang: str) -> list[dict]:
    """Per region-year: CO2e by sector stacked by gas, in 万吨/kt CO2e (gross: no memo, no sinks).

    Each item: {"headline": True for the headline region, "svg": the chart}.
    """
    table = sector_gas_summary(result.emissions, lang)
    table = table[table["row_type"] == "sector"]
    gases = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item", "total"}]
    series = [(g, PALETTE[i % len(PALETTE)]) for i, g in enumerate(gases)]
    scale = CO2E_SCALE[lang]
    headline = headline_region(result.emissions)
    charts = []
    for (region, name, year), block in table.groupby(REGION_KEYS, sort=False):
        values = (block[gases].fillna(0) / scale).values.tolist()
        rows = list(zip(block["item"], values))
        svg = hbar_svg(rows, series, lbl["unit_co2e_chart"], region_year_title(region, name, year, lang))
        charts.append({"headline": region == headline, "svg": svg})
    return charts


def chart_regions(result: BuildResult, lbl: dict, lang: str) -> list[Markup]:
    """Per province-year: gross CO2e of the province (own / aggregated part) and each prefecture."""
    comp = region_comparison(result.emissions, lang)
    if "CO2e" not in comp.columns:
        return []
    scale = CO2E_SCALE[lang]
    series = [(lbl["legend_own"], OWN), (lbl["legend_aggregated"], AGGREGATED), (lbl["legend_prefecture"], PREFECTURE)]
    charts = []
    for (province, year), block in comp.groupby(["province", "year"], sort=False):
        co2e = block.set_index("row_type")["CO2e"].fillna(0) / scale
        own = float(co2e.get("province_own", 0.0))
        total = float(co2e.get("province_total", 0.0))
        prov_name = vocab_names("regions.csv", "code", lang).get(province, province)
        rows = [(prov_name, [own, total - own, 0.0])]
        prefs = block[block["row_type"] == "prefecture"].sort_values("CO2e", ascending=False)
        rows += [(n, [0.0, 0.0, v / scale]) for n, v in zip(prefs["region_name"], prefs["CO2e"].fillna(0))]
        charts.append(hbar_svg(rows, series, lbl["unit_co2e_chart"], f"{prov_name} · {year}", width=640))
    return charts


def headline_region(emissions: pd.DataFrame) -> str:
    """The region the pollutant charts show: the province if it was built, else the first region."""
    level = dict(zip(resources.data_table("regions.csv")["code"], resources.data_table("regions.csv")["level"]))
    regions = sorted(emissions["region"].unique())
    provinces = [r for r in regions if level.get(r) == "province"]
    return (provinces or regions or [""])[0]


def chart_pollutants(result: BuildResult, lbl: dict, lang: str) -> list[dict]:
    """Per year of the headline region: one small bar chart per pollutant, sectors as bars (t)."""
    table = pollutant_summary(result.emissions, lang)
    region = headline_region(result.emissions)
    table = table[(table["region"] == region) & (table["row_type"] == "sector")]
    pols = [c for c in table.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    out = []
    for (_, name, year), block in table.groupby(REGION_KEYS, sort=False):
        charts = []
        for i, p in enumerate(pols):
            rows = [(item, [v]) for item, v in zip(block["item"], block[p].fillna(0)) if v]
            if rows:
                charts.append(hbar_svg(rows, [(p, PALETTE[i % len(PALETTE)])], lbl["unit_t"], p, width=420))
        out.append({"title": region_year_title(region, name, year, lang), "charts": charts})
    return out


# ---------------------------------------------------------------- page

def _context(result: BuildResult, lang: str) -> dict:
    """Everything the template shows, as display-ready text, tables and SVG."""
    lbl = labels(lang)
    bad = not_used_rows(result.ledger)
    years = sorted({str(y) for y in result.emissions["year"].unique()})
    regions = result.emissions["region"].nunique()
    return {
        "lang": lang, "L": lbl,
        "scope": f"{lbl['scope_regions']}: {regions} · {lbl['scope_years']}: {', '.join(years)}",
        "generated": _text(result.meta.get("build_time", "")),
        "summary": summary_tables(result, lbl, lang),
        "chart_sector_gas": chart_sector_gas(result, lbl, lang),
        "chart_regions": chart_regions(result, lbl, lang),
        "chart_pollutants": chart_pollutants(result, lbl, lang),
        "pollutants": pollutant_tables(result, lbl, lang),
        "regions": region_tables(result, lbl, lang),
        "checks": check_table(result, lbl),
        "not_estimated": _text_table(result.not_estimated, NE_COLUMNS, lbl),
        "ledger": ledger_table(result, lbl),
        "ledger_rows": _text_table(_translated_status(bad.head(MAX_LEDGER_ROWS), lbl), LEDGER_COLUMNS, lbl),
        "ledger_truncated": lbl["rows_not_shown"].format(n=MAX_LEDGER_ROWS) if len(bad) > MAX_LEDGER_ROWS else "",
        "meta": meta_table(result, lbl),
        "inputs": _text_table(meta_inputs(result.meta), ["path", "sha256"], lbl),
    }


def render_html(result: BuildResult, lang: str = "zh") -> str:
    """The report as one self-contained HTML page in `lang` (zh or en)."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    template = env.from_string(resources.template_text("report.html.j2"))
    return template.render(**_context(result, lang))
