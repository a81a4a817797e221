#!/usr/bin/env python
"""The detail sheet written by report/excel.py's own SpreadsheetML writer, XlsxWriter (constant_memory) and
rustpy-xlsxwriter: seconds, cells/s, bytes, and a round trip through openpyxl (every value and label,
hostile strings included). See bench/README.md ("The xlsx writer").

    python bench/bench_xlsx.py RESULT_PKL [--rows N] [--check-rows N]

RESULT_PKL: a `result.pkl` that bench_build.py leaves in its --keep folder (the compute stage's result).
Writers whose package is not installed are skipped. Times are CPU seconds of this process
(time.process_time), so a loaded machine moves them less than wall-clock time.
"""

from __future__ import annotations

import argparse
import math
import pickle
import re
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

# Labels a workbook must keep as text: formulas, links, markup, control-free XML specials, numbers as text.
HOSTILE = ['=HYPERLINK("http://x","y")', "=1+1", "+SUM(A1)", "-1", "@cmd", "<script>alert(1)</script>",
           "a & b < c > d \" '", "  leading and trailing  ", "0012", "1e5", "TRUE", "#N/A", "湖南省 长沙市",
           "línea\tcon tab", "line\nbreak", "x" * 300, "控制\x01字符\x1f", "_x0041_", "长" * 40_000]
EXCEL_MAX_TEXT = 32_767
# Characters XML 1.0 cannot hold: a cell cannot keep them (Excel itself drops them), so they are not read back.
XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def readable(text: str) -> str:
    """What a text cell can hold of `text`: without XML's forbidden characters, cut at Excel's 32,767."""
    return XML_BAD.sub("", text)[:EXCEL_MAX_TEXT]


def detail(result, lang: str = "zh") -> tuple[pd.DataFrame, list[str]]:
    """The detail sheet's frame (report.excel.detail_frame) and its header labels."""
    from inventory.report import excel
    from inventory.report.summaries import labels
    lbl = labels(lang)
    frame = excel.detail_frame(result.emissions, lbl, lang)
    return frame, [lbl.get(f"col_{c}", c) for c in excel.DETAIL_COLUMNS]


def ours(frame: pd.DataFrame, headers: list[str], path: Path) -> None:
    from inventory.report import excel
    book = excel._Book()
    _, rows = book.sheet("detail")
    excel._header(book, rows, headers)
    rows.add_frame(frame, excel._styles(book, [pd.api.types.is_numeric_dtype(frame[c]) for c in frame]))
    book.save(path)


def xlsxwriter_cm(frame: pd.DataFrame, headers: list[str], path: Path) -> None:
    import xlsxwriter
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False,
                                           "nan_inf_to_errors": False})
    ws = book.add_worksheet("detail")
    ws.write_row(0, 0, headers)
    columns = [frame[c].to_numpy(dtype=object) for c in frame]
    for r, values in enumerate(zip(*columns), start=1):
        for c, v in enumerate(values):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write_number(r, c, float(v))
    book.close()


def rustpy(frame: pd.DataFrame, headers: list[str], path: Path) -> None:
    from rustpy_xlsxwriter import FastExcel
    FastExcel(str(path)).sheet("detail", frame.set_axis(headers, axis=1)).save()


WRITERS = {"ours (report/excel.py)": (ours, None), "XlsxWriter constant_memory": (xlsxwriter_cm, "xlsxwriter"),
           "rustpy-xlsxwriter": (rustpy, "rustpy_xlsxwriter")}


def round_trip(path: Path, frame: pd.DataFrame, headers: list[str]) -> str:
    """'ok', or the first cell openpyxl reads back differently from what was written."""
    import openpyxl
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = ws.iter_rows(values_only=True)
    got = list(next(rows))
    if got[:len(headers)] != headers:
        return f"header {got!r}"
    columns = [frame[c].to_numpy(dtype=object) for c in frame]
    for r, (cells, want) in enumerate(zip(rows, zip(*columns)), start=2):
        for c, (g, w) in enumerate(zip(list(cells) + [None] * len(want), want)):
            missing = w is None or (isinstance(w, float) and math.isnan(w))
            if missing:
                ok = g in (None, "")
            elif isinstance(w, str):
                ok = g == readable(w) or (readable(w) == "" and g is None)
            else:
                ok = isinstance(g, (int, float)) and not isinstance(g, bool) and float(g) == float(w)
            if not ok:
                return f"row {r} column {c + 1}: wrote {w!r}, read {g!r}"
    return "ok"


def rustpy_gaps(tmp: Path) -> list[tuple[str, str]]:
    """What the workbook needs (report/excel.py) tried with rustpy-xlsxwriter's API, each with what came
    back: (need, result)."""
    import openpyxl
    from rustpy_xlsxwriter import FastExcel, Format

    out = []
    number = Format().set_num_format("#,##0.00")
    frame = pd.DataFrame({"code": ["1", "1.A", "1.A.1"], "name": ["能源", "燃料燃烧", "电力"], "CO2": [3.0, 2.0, 1.0]})
    path = tmp / "gaps.xlsx"
    FastExcel(str(path)).freeze(row=1, col=2).sheet(
        "s", frame, column_formats={"CO2": number}, column_widths={"name": 30}, autofilter=True,
        row_formats={1: Format().set_bold(), 2: Format().set_indent(1), 3: Format().set_indent(2)}).save()
    ws = openpyxl.load_workbook(path)["s"]
    out.append(("per-column number format, frozen panes, column widths, filter",
                f"yes: {ws['C2'].number_format}, {ws.freeze_panes}, {ws.column_dimensions['B'].width:g}, "
                f"{ws.auto_filter.ref}"))
    out.append(("a bold total row whose number cells keep their number format (summary, pollutants, regions)",
                f"no: row_formats bold gives C2 bold={ws['C2'].font.b} (a column format wins over the row's)"))
    out.append(("indent by depth in the name column only (sector sheets)",
                f"no: row_formats indent the whole row: A3 indent={ws['A3'].alignment.indent:g}, "
                f"B3 indent={ws['B3'].alignment.indent:g}; no per-cell format"))
    out.append(("several titled tables in one sheet, each with its bold header (QA 5, summary 2, metadata 2)",
                "no: one DataFrame and one header row per sheet (header_row only moves it down; merge_ranges "
                "above it hold text, not tables); later blocks would be data rows, their headers plain text"))
    try:
        FastExcel(str(tmp / "long.xlsx")).sheet("s", pd.DataFrame({"a": ["长" * 40_000]})).save()
        out.append(("text over 32,767 characters cut to Excel's limit", "yes"))
    except Exception as exc:  # noqa: BLE001 - the probe reports what the library does
        out.append(("text over 32,767 characters cut to Excel's limit", f"no: {exc}"))
    try:
        FastExcel(str(tmp / "dup.xlsx")).sheet("s", pd.DataFrame([[1, 2]], columns=["x", "x"])).save()
        out.append(("two columns with the same header", "yes"))
    except Exception as exc:  # noqa: BLE001
        out.append(("two columns with the same header", f"no: {type(exc).__name__}: {exc}"))
    FastExcel(str(tmp / "r1.xlsx")).sheet("s", frame).save()
    FastExcel(str(tmp / "r2.xlsx")).sheet("s", frame).save()
    same = (tmp / "r1.xlsx").read_bytes() == (tmp / "r2.xlsx").read_bytes()
    out.append(("the same inputs give the same bytes (tests/test_report.py)", "yes" if same else "no"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result", type=Path)
    ap.add_argument("--rows", type=int, default=0, help="rows of the detail sheet to write (0 = all)")
    ap.add_argument("--check-rows", type=int, default=3000, help="rows of the round-trip check")
    args = ap.parse_args()
    with open(args.result, "rb") as f:
        result = pickle.load(f)
    frame, headers = detail(result)
    if args.rows:
        frame = frame.iloc[:args.rows]
    small = frame.iloc[:args.check_rows].copy().reset_index(drop=True)
    text = [c for c in small if not pd.api.types.is_numeric_dtype(small[c])]
    for i, h in enumerate(HOSTILE):  # hostile labels in every text column of the first rows
        for c in text:
            small.loc[i, c] = h
    cells = frame.shape[0] * frame.shape[1]
    print(f"# detail sheet: {len(frame):,} rows x {frame.shape[1]} columns = {cells:,} cells;"
          f" round trip on {len(small):,} rows with {len(HOSTILE)} hostile labels per text column")
    print(f"{'writer':30s} {'CPU s':>8s} {'cells/s':>12s} {'MiB':>7s}  round trip")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (write, module) in WRITERS.items():
            if module is not None:
                try:
                    __import__(module)
                except ImportError:
                    print(f"{name:30s} not installed")
                    continue
            path = Path(tmp) / "full.xlsx"
            t0 = time.process_time()
            write(frame, headers, path)
            seconds = time.process_time() - t0
            size = path.stat().st_size / 2**20
            check = Path(tmp) / "small.xlsx"
            try:
                write(small, headers, check)
                trip = round_trip(check, small, headers)
            except Exception as exc:  # noqa: BLE001 - a writer that fails the round trip is reported, not raised
                trip = f"failed: {exc!r}"[:120]
            print(f"{name:30s} {seconds:8.2f} {cells / seconds:12,.0f} {size:7.1f}  {trip}")
            sys.stdout.flush()
        try:
            gaps = rustpy_gaps(Path(tmp))
        except ImportError:
            gaps = []
        for need, answer in gaps:
            print(f"# rustpy-xlsxwriter, {need}: {answer}")


if __name__ == "__main__":
    main()
