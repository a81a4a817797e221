"""Inline SVG charts and the number formats they share with the report (no scripts, no fonts, no network).

Every text drawn is escaped with `html.escape`; the functions return `Markup`,
which the report template inserts as it is.
"""

from __future__ import annotations

import math
from functools import lru_cache
from html import escape as _html_escape

import pandas as pd
from markupsafe import Markup

PALETTE = ["#1f6fb2", "#e07b22", "#3a9d5d", "#c8413b", "#8a63b8", "#8c6d46", "#d46fb0", "#6b7a8f",
           "#b5a216", "#1aa3b3", "#4d4d4d", "#9fbf3b", "#f2a7a1", "#2f4b7c"]


# ---------------------------------------------------------------- numbers

escape = lru_cache(maxsize=16384)(_html_escape)  # html.escape, remembered: the same labels come back in every chart


def _missing(value) -> bool:
    """Whether a value is missing (pd.isna of a scalar; a float is checked without pandas)."""
    return value != value if type(value) is float else value is None or bool(pd.isna(value))


def fmt_number(value, scale: float = 1.0) -> str:
    """A number divided by `scale`, with thousands separators; empty for missing values."""
    if _missing(value):
        return ""
    return _fmt_present(float(value) / scale)


def fmt_numbers(values: pd.Series, scale: float = 1.0) -> list[str]:
    """fmt_number of each value of a column (missing ones found by one `isna` over the column)."""
    missing = values.isna().tolist()
    return ["" if m else _fmt_present(float(v) / scale) for v, m in zip(values.tolist(), missing)]


def _fmt_present(x: float) -> str:
    """fmt_number's text of a number present (already divided by its scale)."""
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:,.{max(2, 2 - math.floor(math.log10(abs(x))))}f}"


def fmt_pct(value, decimals: int = 1) -> str:
    """A percentage with `decimals` decimals and a % sign; empty for missing values."""
    return "" if _missing(value) else f"{float(value):,.{decimals}f}%"


def fmt_diff(value) -> str:
    """A relative difference in % with its sign and two decimals (+5.26%, 0.00% for none); empty for
    missing values (as the workbook's format +0.00;-0.00;0.00 shows it)."""
    if _missing(value):
        return ""
    return f"{float(value):+,.2f}%" if value else "0.00%"


def fmt_share(value: float) -> str:
    """A share in % without decimals; '<1%' for a small share above zero."""
    return "<1%" if 0 < value < 0.5 else fmt_pct(value, 0)


def fmt_tick(value: float, step: float) -> str:
    """An axis tick with as many decimals as the step needs, thousands separated."""
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:,.{decimals}f}"


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round axis step (1, 2 or 5 x 10^n) giving about `ticks` intervals over `span`."""
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


@lru_cache(maxsize=16384)
def _label_width(text: str, size: float) -> float:
    """Approximate rendered width in px of `text` at font size `size` (CJK glyphs are full width)."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.58 for ch in text)


@lru_cache(maxsize=4096)
def _fit(text: str, size: float, width: float) -> str:
    """`text`, cut with an ellipsis to fit `width` px at font size `size`."""
    if _label_width(text, size) <= width:
        return text
    while text and _label_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


@lru_cache(maxsize=4096)
def _wrap(text: str, size: float, width: float) -> tuple[str, ...]:
    """`text` on one line if it fits `width` px, else on two, split at the space (or, in text without
    spaces, the character) that balances the lines best; the second line is cut if still too long.
    Remembered per text, size and width (the same labels come back in every chart of a report)."""
    if _label_width(text, size) <= width:
        return (text,)
    cuts = [i for i, ch in enumerate(text) if ch == " "] or range(1, len(text))
    best = None
    for i in cuts:
        first, rest = text[:i].rstrip(), text[i:].lstrip()
        if first and rest and _label_width(first, size) <= width:
            balance = abs(_label_width(first, size) - _label_width(rest, size))
            if best is None or balance < best[0]:
                best = (balance, first, rest)
    return (best[1], _fit(best[2], size, width)) if best else (_fit(text, size, width),)


def _svg_text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, cls: str = "",
              fill: str = "") -> str:
    """An escaped SVG <text> element."""
    c = f' class="{cls}"' if cls else ""
    f = f' style="fill:{fill}"' if fill else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{c}{f}>'
            f"{escape(text)}</text>")


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (#rrggbb)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#1d2630" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def _legend(series: list[tuple[str, str]], x: float, y: float, right: float) -> tuple[list[str], float]:
    """Legend swatches in rows from (x, y) up to x = `right`; returns the elements and the y below them."""
    parts, cx = [], x
    for name, colour in series:
        if not name:
            continue
        w = 18 + _label_width(name, 12)
        if cx + w > right and cx > x:
            cx, y = x, y + 18
        parts.append(f'<rect x="{cx:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        parts.append(_svg_text(cx + 16, y, name))
        cx += w + 14
    return parts, y + 14


def legend_svg(series: list[tuple[str, str]], width: int = 640) -> Markup:
    """A legend on its own (shared by a grid of charts)."""
    parts, y = _legend(series, 0, 16, width)
    return Markup(f'<svg class="chart legend" viewBox="0 0 {width} {y:.0f}" width="{width}" height="{y:.0f}" '
                  f'role="img">{"".join(parts)}</svg>')


def hbar_svg(rows: list[tuple[str, list[float]]], series: list[tuple[str, str]], unit: str,
             title: str = "", width: int = 560, legend: bool = True, totals: list | None = None,
             shares: list | None = None, percent: bool = False) -> Markup:
    """Horizontal stacked bars: one bar per row, one segment per series (values in `unit`).

    Positive segments stack to the right of zero, negative ones to the left. totals: the
    figure written after each bar (its total, as the build computed it; None: none).
    shares: each bar's share of all bars in %, written after its total. percent: the
    values are shares in % (axis 0-100, segments labelled with their share, no totals).
    A row whose values are a text (e.g. "NE") has no bar and that text in place of its
    total. The chart draws the figures it is given and computes none.
    """
    absent = [vals if isinstance(vals, str) else "" for _, vals in rows]
    rows = [(label, [0.0] * len(series) if isinstance(vals, str) else vals) for label, vals in rows]
    size, bar, gap = 12, 16, 8
    labels = [_wrap(r[0], size, max(150, width * 0.42)) for r in rows]
    label_w = max((_label_width(line, size) for lines in labels for line in lines), default=30) + 10
    row_h = 26 if any(len(lines) > 1 for lines in labels) else bar
    left, right = label_w + 8, 16 if percent else (110 if shares is not None else 70)
    plot_w = width - left - right
    parts, y = [], 18
    if title:
        parts.append(_svg_text(0, y, _fit(title, 13, width), size=13, cls="chart-title"))
        y += 20
    if legend and sum(1 for name, _ in series if name) > 1:
        lp, y = _legend(series, left, y + 4, width - 10)
        parts += lp
    pos = [sum(v for v in vals if v > 0) for _, vals in rows]
    neg = [sum(v for v in vals if v < 0) for _, vals in rows]
    if percent:
        lo, hi, step = 0.0, 100.0, 25.0
    else:
        lo, hi = min([0.0, *neg]), max([0.0, *pos])
        step = _nice_step(hi - lo)
        lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step or step
    span = hi - lo
    sx = lambda v: left + (v - lo) / span * plot_w  # noqa: E731 - the axis scale, px per unit
    top = y + 6
    bottom = top + len(rows) * (row_h + gap)
    height = bottom + 36
    ticks = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
    for t in ticks:
        parts.append(f'<line x1="{sx(t):.1f}" y1="{top - 4}" x2="{sx(t):.1f}" y2="{bottom}" class="grid"/>')
        parts.append(_svg_text(sx(t), bottom + 14, fmt_tick(t, step), "middle", 11))
    parts.append(_svg_text(left + plot_w, height - 4, unit, "end", 11, "unit"))
    for i, ((label, vals), lines) in enumerate(zip(rows, labels)):
        yy = top + i * (row_h + gap) + (row_h - bar) / 2  # top of the bar
        for j, line in enumerate(lines):
            base = yy + bar - 4 if len(lines) == 1 else yy + bar / 2 - 2 + 13 * j
            parts.append(_svg_text(left - 8, base, line, "end", size))
        p_end = n_end = 0.0
        tip = escape(label)
        for (name, colour), v in zip(series, vals):
            if not v:
                continue
            start = p_end if v > 0 else n_end + v
            if v > 0:
                p_end += v
            else:
                n_end += v
            x0 = sx(start)
            w = max(sx(start + abs(v)) - x0, 0.5)
            shown = fmt_share(v) if percent else f"{fmt_number(v)} {unit}"
            parts.append(f'<rect x="{x0:.1f}" y="{yy:.1f}" width="{w:.1f}" height="{bar}" fill="{colour}">'
                         f"<title>{tip} · {escape(name)}: {escape(shown)}</title></rect>")
            if percent and w >= 30:
                parts.append(_svg_text(x0 + w / 2, yy + bar - 4, fmt_share(v), "middle", 10, fill=_ink(colour)))
        if absent[i]:
            parts.append(_svg_text(sx(0) + 4, yy + bar - 4, absent[i], size=11, cls="unit"))
        elif not percent and totals is not None:
            text = fmt_number(totals[i]) + (f" ({fmt_share(shares[i])})" if shares is not None else "")
            parts.append(_svg_text(sx(max(p_end, 0)) + 4, yy + bar - 4, text, size=11))
    body = "\n".join(parts)
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img" aria-label="{escape(title)}">{body}</svg>')




def line_svg(years: list[int], series: list[tuple[str, str, list[float]]], unit: str, title: str = "",
             width: int = 560, height: int = 300) -> Markup:
    """A line chart over years: one line per series (name, colour, one value per year; NaN = gap)."""
    parts, y = [], 18
    if title:
        parts.append(_svg_text(0, y, _fit(title, 13, width), size=13, cls="chart-title"))
        y += 12
    lp, y = _legend([(n, c) for n, c, _ in series], 0, y + 16, width - 10)
    parts += lp
    values = [v for _, _, vals in series for v in vals if v is not None and not pd.isna(v)] or [0.0, 1.0]
    # A line chart shows change: the axis spans the data (with a margin), not necessarily zero.
    lo, hi = min(values), max(values)
    margin = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1.0
    lo, hi = (lo - margin if lo - margin > 0 or lo < 0 else 0.0), hi + margin
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    ticks = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
    left = max(_label_width(fmt_tick(t, step), 11) for t in ticks) + 12
    top, bottom, right = y + 4, height - 34, width - 16
    sx = (lambda i: left + (right - left) * (i / (len(years) - 1) if len(years) > 1 else 0.5))  # noqa: E731
    sy = (lambda v: bottom - (v - lo) / (hi - lo) * (bottom - top))  # noqa: E731
    for t in ticks:
        parts.append(f'<line x1="{left}" y1="{sy(t):.1f}" x2="{right}" y2="{sy(t):.1f}" class="grid"/>')
        parts.append(_svg_text(left - 6, sy(t) + 4, fmt_tick(t, step), "end", 11))
    for i, year in enumerate(years):
        parts.append(_svg_text(sx(i), bottom + 16, str(year), "middle", 11))
    parts.append(_svg_text(right, height - 4, unit, "end", 11, "unit"))
    for name, colour, vals in series:
        points = [(sx(i), sy(v)) for i, v in enumerate(vals) if v is not None and not pd.isna(v)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, v in enumerate(vals):
            if v is not None and not pd.isna(v):
                parts.append(f'<circle cx="{sx(i):.1f}" cy="{sy(v):.1f}" r="3" fill="{colour}">'
                             f"<title>{escape(name)} · {years[i]}: {escape(fmt_number(v))} {escape(unit)}</title>"
                             "</circle>")
    body = "\n".join(parts)
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img" aria-label="{escape(title)}">{body}</svg>')


def quadrant_svg(points: list[tuple[str, float, float, str]], x_label: str, y_label: str,
                 quadrant_names: dict[str, str], title: str = "", size: int = 420, path: bool = False) -> Markup:
    """The co-control coordinate system: x = change of CO2e (%), y = change of a pollutant (%).

    points: (label, x, y, colour). Quadrants are shaded and named (quadrant_names keys
    `both_down`, `co2e_down_only`, `pollutant_down_only`, `both_up`); the axes are
    symmetric around zero so the quadrants have equal areas. path: join the points of each
    colour in their order with a line (a region's path over the years).
    """
    pad_top = 28 if title else 8
    left, top, plot = 48, pad_top + 8, size - 70
    finite = [abs(v) for _, x, y, _ in points for v in (x, y) if v is not None and not pd.isna(v)]
    reach = max(finite, default=10.0) * 1.1 or 10.0
    step = _nice_step(reach, 2)
    reach = math.ceil(reach / step) * step
    sx = (lambda v: left + (v + reach) / (2 * reach) * plot)  # noqa: E731
    sy = (lambda v: top + (reach - v) / (2 * reach) * plot)  # noqa: E731
    parts = [_svg_text(0, 18, _fit(title, 13, size), size=13, cls="chart-title")] if title else []
    shades = {"both_down": ("#e3f4e8", -1, -1), "co2e_down_only": ("#fff3d6", -1, 1),
              "pollutant_down_only": ("#fff3d6", 1, -1), "both_up": ("#fbe2e0", 1, 1)}
    for key, (fill, xs, ys) in shades.items():
        x0 = sx(0) if xs > 0 else sx(-reach)
        y0 = sy(reach) if ys > 0 else sy(0)
        parts.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{plot / 2:.1f}" height="{plot / 2:.1f}" '
                     f'fill="{fill}"/>')
        tx = x0 + 6 if xs < 0 else x0 + plot / 2 - 6
        parts.append(_svg_text(tx, y0 + 16 if ys > 0 else y0 + plot / 2 - 8, quadrant_names.get(key, key),
                               "start" if xs < 0 else "end", 11, "unit"))
    ticks = [i * step for i in range(-int(round(reach / step)), int(round(reach / step)) + 1)]
    for t in ticks:
        parts.append(_svg_text(sx(t), top + plot + 14, fmt_tick(t, step), "middle", 10))
        parts.append(_svg_text(left - 4, sy(t) + 3, fmt_tick(t, step), "end", 10))
    parts.append(f'<line x1="{sx(0):.1f}" y1="{top}" x2="{sx(0):.1f}" y2="{top + plot}" stroke="#5b6773"/>')
    parts.append(f'<line x1="{left}" y1="{sy(0):.1f}" x2="{left + plot}" y2="{sy(0):.1f}" stroke="#5b6773"/>')
    parts.append(_svg_text(left + plot, top + plot + 30, x_label, "end", 11, "unit"))
    parts.append(f'<text x="12" y="{top + plot / 2:.1f}" font-size="11" class="unit" text-anchor="middle" '
                 f'transform="rotate(-90 12 {top + plot / 2:.1f})">{escape(y_label)}</text>')
    if path:
        by_colour: dict[str, list[str]] = {}
        for _, x, y, colour in points:
            if x is not None and y is not None and not pd.isna(x) and not pd.isna(y):
                by_colour.setdefault(colour, []).append(
                    f"{sx(max(-reach, min(reach, x))):.1f},{sy(max(-reach, min(reach, y))):.1f}")
        parts += [f'<polyline points="{" ".join(p)}" fill="none" stroke="{c}" stroke-width="1.2" '
                  f'stroke-opacity="0.6"/>' for c, p in by_colour.items() if len(p) > 1]
    for label, x, y, colour in points:
        if x is None or y is None or pd.isna(x) or pd.isna(y):
            continue
        cx, cy = sx(max(-reach, min(reach, x))), sy(max(-reach, min(reach, y)))
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colour}" fill-opacity="0.85">'
                     f"<title>{escape(label)}: {x:+.1f}%, {y:+.1f}%</title></circle>")
        parts.append(_svg_text(cx + 7, cy - 6, label, size=10))
    height = top + plot + 38
    body = "\n".join(parts)
    return Markup(f'<svg class="chart" viewBox="0 0 {size} {height}" width="{size}" height="{height}" '
                  f'role="img" aria-label="{escape(title)}">{body}</svg>')
