"""The write stage taken apart: wall and CPU seconds of every part of `write_outputs`, in one process.

    PYTHONPATH=src python bench/bench_write.py /tmp/bench/county_400000 [--regions N] [--out DIR]

Loads the size folder's `result.pkl` (bench_build.py --keep, compute stage) and writes its outputs with
one process (jobs=1), so that every part runs where it can be timed: the combined set at the top (its CSV,
Parquet, checks and analysis CSVs, views, workbook, report), the index of region rows, each region's part
(the subset, with --pickle what pickling it to a worker would cost) and each region's set (its CSV copy, Parquet, views,
workbook, report). `--regions N` writes only the first N region folders (the per-region figures are then
scaled by the printed count). Prints one table: part, calls, wall s, CPU s, and the bytes a pickled part
takes. Nothing here changes what is written.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


class Parts:
    """Wall and CPU seconds and calls per part name."""

    def __init__(self) -> None:
        self.rows: dict[str, list[float]] = {}
        self.scope = "combined"

    def add(self, name: str, wall: float, cpu: float) -> None:
        row = self.rows.setdefault(f"{self.scope}: {name}", [0, 0.0, 0.0])
        row[0] += 1
        row[1] += wall
        row[2] += cpu

    def wrap(self, module, attr: str, name: str) -> None:
        if not hasattr(module, attr):  # a part an older commit does not have
            return
        fn = getattr(module, attr)

        def timed(*args, **kwargs):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t0, time.process_time() - c0)
        setattr(module, attr, timed)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work", type=Path, help="a size folder of bench_build.py --keep (holds result.pkl)")
    ap.add_argument("--regions", type=int, default=0, help="write only the first N region folders (0: all)")
    ap.add_argument("--out", type=Path, help="output folder (default: WORK/out_write_parts)")
    ap.add_argument("--lang", default="zh")
    ap.add_argument("--pickle", action="store_true", help="also time pickling each region's part (what sending "
                    "it to a worker process would cost)")
    args = ap.parse_args(argv)

    from inventory.report import excel, html, outputs, tables, views

    with (args.work / "result.pkl").open("rb") as fh:
        result = pickle.load(fh)
    out = args.out or args.work / "out_write_parts"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    parts = Parts()
    csv = tables.write_csv

    def timed_csv(table, path, rows=None):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return csv(table, path, rows)
        finally:
            whose = path.name if path.parent == out else "regions' " + path.name
            how = "formatted" if rows is None else "rows copied"
            parts.add(f"{whose} ({how})", time.perf_counter() - t0, time.process_time() - c0)
    tables.write_csv = timed_csv
    parts.wrap(tables, "write_parquet", "emissions.parquet")
    parts.wrap(views, "view_set", "views (view_set)")
    parts.wrap(excel, "write_workbook", "inventory.xlsx")
    parts.wrap(html, "render_html", "report.html (render)")
    parts.wrap(outputs, "RegionRows", "index of region rows (RegionRows)")
    parts.wrap(outputs, "_region_views", "views taken from the whole build's (_region_views)")
    subset = outputs._subset
    sizes, regions = [], []

    def timed_subset(*a, **k):
        parts.scope = "worker, per region"
        t0, c0 = time.perf_counter(), time.process_time()
        found = subset(*a, **k)
        parts.add("subset (_subset)", time.perf_counter() - t0, time.process_time() - c0)
        if args.pickle:
            t0, c0 = time.perf_counter(), time.process_time()
            size = len(pickle.dumps(found[0], protocol=pickle.HIGHEST_PROTOCOL))
            parts.add("pickle the part (not done since the fork hand-off)", time.perf_counter() - t0,
                      time.process_time() - c0)
            sizes.append(size)
        regions.append(a[1])
        parts.scope = "worker, per region"
        return found
    outputs._subset = timed_subset
    if args.regions:
        chosen = outputs.folder_regions
        outputs.folder_regions = lambda *a, **k: chosen(*a, **k)[:args.regions]
    t0, c0 = time.perf_counter(), time.process_time()
    written, _ = outputs.write_outputs(result, out, args.lang, jobs=1)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = len(regions)
    print(f"# {args.work}: {len(result.emissions):,} emission rows, {n} region folders, "
          f"{len(written)} files; pickled parts {sum(sizes) / 2**20:,.1f} MiB in all")
    print(f"{'part':58s} {'calls':>6s} {'wall s':>9s} {'CPU s':>9s}")
    for name, (calls, w, c) in parts.rows.items():
        print(f"{name:58s} {calls:6d} {w:9.2f} {c:9.2f}")
    known = sum(c for _, _, c in parts.rows.values())
    print(f"{'write_outputs in all':58s} {'':6s} {wall:9.2f} {cpu:9.2f}")
    print(f"{'rest (mkdir, html write_text, status rows, ...) CPU':58s} {'':6s} {'':9s} {cpu - known:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
