#!/usr/bin/env python
"""Reading workbooks: python-calamine's own API (`inventory.read.files.read_grids`) against
`pandas.read_excel(engine="calamine")` with the reader's options, in CPU seconds, and whether both give
equal frames. See bench/README.md ("Reading").

    PYTHONPATH=src python bench/bench_read.py WORKBOOK_OR_FOLDER... [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from inventory.read.cells import MAX_ROWS_PER_SHEET
from inventory.read.files import read_grids


def pandas_read(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet as the reader read it before: pandas' calamine adapter and its text parser."""
    return pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object,
                         nrows=MAX_ROWS_PER_SHEET, keep_default_na=False, na_values=[""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", type=Path, nargs="+")
    ap.add_argument("--repeat", type=int, default=2, help="best of N runs")
    args = ap.parse_args()
    files = [q for p in args.paths for q in (sorted(p.rglob("*.xlsx")) if p.is_dir() else [p])]
    totals = {"pandas.read_excel(engine='calamine')": 0.0, "CalamineWorkbook (read_grids)": 0.0}
    for path in files:
        best = {}
        for _ in range(args.repeat):
            t0 = time.process_time()
            theirs = pandas_read(path)
            t1 = time.process_time()
            ours = read_grids(path, list(theirs), MAX_ROWS_PER_SHEET)
            t2 = time.process_time()
            for name, seconds in zip(totals, (t1 - t0, t2 - t1)):
                best[name] = min(best.get(name, seconds), seconds)
        for sheet, frame in theirs.items():
            pd.testing.assert_frame_equal(frame, ours[sheet])
        cells = sum(f.size for f in theirs.values())
        print(f"{path.name}: {cells:,} cells; " + ", ".join(f"{k} {v:.2f} CPU s" for k, v in best.items())
              + "; frames equal")
        for name in totals:
            totals[name] += best[name]
    print("total: " + ", ".join(f"{k} {v:.2f} CPU s" for k, v in totals.items()))


if __name__ == "__main__":
    main()
