#!/usr/bin/env python
"""Benchmark of `inventory build` on synthetic energy activity workbooks (DESIGN 3.3, 5).

    python bench/bench_build.py [--sizes 10000 100000 1000000] [--keep DIR]

For each size it writes deterministic v1 workbooks (numpy RNG, fixed seed) and
measures, each stage in a fresh subprocess so that peak memory belongs to that
stage alone:

    read      read_raw + validate (calamine, header mapping, vocabularies, units, ledger)
    compute   compile_inventory on already-read Inputs (factor loading timed apart)
    write     write_outputs as the build does it (emissions.csv/.parquet, checks.csv,
              inventory.xlsx, report.html, per-region sets) + manifest.json
    baseline  pandas.read_excel(engine="calamine") of every sheet + to_csv/to_parquet
              of the same emissions table: the floor a build is compared with
    build     build_inventory(BuildOptions(...)), the whole thing, from files to files

and prints one table: size, stage, seconds, rows/s (activity rows of the size per
second), peak RSS in MiB, and the ratio build / baseline. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

GENERATOR_VERSION = 3
HEADERS = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]
STAGES = ["read", "compute", "write", "baseline", "build"]
COMPUTE_PART = "emissions (inventory.engine: methods, province sums)"
NEEDS = {"compute": "read", "write": "compute", "baseline": "compute"}
YEARS = list(range(2015, 2025))
LANG = "zh"
GWP = "AR5"

# Fuels: (id, Chinese name, weight, units with their weights, log-normal mu per unit).
_MASS = (("万吨", 0.6, 0.5), ("吨", 0.3, 8.5), ("吨标准煤", 0.1, 8.0))
_VOLUME = (("亿立方米", 0.5, -1.0), ("万立方米", 0.5, 6.0))
FUELS = [
    ("raw_coal", "原煤", 0.22, _MASS), ("cleaned_coal", "洗精煤", 0.06, _MASS), ("briquettes", "型煤", 0.03, _MASS),
    ("coke", "焦炭", 0.06, _MASS), ("coke_oven_gas", "焦炉煤气", 0.04, _VOLUME),
    ("natural_gas", "天然气", 0.12, _VOLUME), ("diesel_oil", "柴油", 0.12, _MASS), ("gasoline", "汽油", 0.10, _MASS),
    ("fuel_oil", "燃料油", 0.05, _MASS), ("kerosene", "煤油", 0.04, _MASS), ("lpg", "液化石油气", 0.06, _MASS),
    ("petroleum_coke", "石油焦", 0.02, _MASS), ("other_energy", "其他能源", 0.03, (("吨标准煤", 1.0, 7.0),)),
    ("electricity", "电力", 0.03, (("万千瓦时", 1.0, 7.0),)), ("heat", "热力", 0.02, (("GJ", 1.0, 11.0),)),
]
TRANSPORT_FUELS = ["diesel_oil", "gasoline", "kerosene", "fuel_oil", "lpg", "natural_gas"]
COAL = {"raw_coal", "cleaned_coal", "briquettes", "coke", "petroleum_coke"}
COAL_TECH = ["", "", "pc_boiler+scr+fgd+esp", "cfb_boiler+sncr+fgd_cfb+bag", "pc_boiler+lnb_scr+fgd+esp_high",
             "stoker_auto+wet_scrubber", "pc_boiler", "cfb_boiler+fgd_furnace_injection+esp_bag"]
GAS_TECH = ["", "gas_boiler+lnb"]
NOTES = [""] * 18 + ["合成数据（基准测试）", "企业填报，已核对"]


# ---------------------------------------------------------------- synthetic data

def leaf_categories() -> list[str]:
    """Leaf categories under 1.A from the shipped category tree."""
    from inventory import categories
    t = categories.table()
    codes = [c for c in t.index if c.startswith("1.A")]
    parents = set(t["parent"])
    return [c for c in codes if c not in parents]


SCENARIOS = ("prefecture", "county", "national")


def scenario_regions(scenario: str) -> tuple[list[str], set[str] | None]:
    """(regions the rows name, regions the build names; None = those with rows) of a scenario, from the
    shipped region list: `prefecture` = Hunan and its 14 prefectures, each with rows of its own; `county` =
    Hunan's 122 county-level units carry the rows and the build names all 137 regions, so the 14
    prefectures are the sums of their counties and the province the sum of its prefectures (DESIGN 3.1);
    `national` = the same over China's 2,846 county-level units and all their prefectures and provinces."""
    from inventory import regions
    reg = regions.table()
    hunan = [c for c in reg.index if str(c).startswith("43")]
    if scenario == "county":
        return [c for c in hunan if reg.at[c, "level"] == "county"], set(hunan)
    if scenario == "national":
        built = [c for c in reg.index if reg.at[c, "level"] in ("province", "prefecture", "county")]
        return [c for c in built if reg.at[c, "level"] == "county"], set(built)
    return [c for c in hunan if reg.at[c, "level"] in ("province", "prefecture")], None


def synthetic_rows(n: int, seed: int, scenario: str = "prefecture") -> dict[str, list]:
    """Column-wise cell values of n activity rows and one sulfur-content row per region-year
    (regions: scenario_regions)."""
    from inventory import categories, regions
    rng = np.random.default_rng([seed, n])
    reg = regions.table()
    codes = scenario_regions(scenario)[0]
    # A name several regions bear (永定区 in Hunan and Fujian) is written as its code: it would be rejected.
    names = [c if regions.ambiguous(reg.at[c, "name_zh"]) else reg.at[c, "name_zh"] for c in codes]
    cats = leaf_categories()
    cat_names = [categories.table().at[c, "name_zh"] for c in cats]

    r = rng.integers(0, len(codes), n)
    region = np.where(rng.random(n) < 0.3, np.array(names, dtype=object)[r], np.array(codes, dtype=object)[r])
    year = rng.integers(YEARS[0], YEARS[-1] + 1, n)
    c = rng.integers(0, len(cats), n)
    cat_code = np.array(cats, dtype=object)[c]
    category = np.where(rng.random(n) < 0.2, np.array(cat_names, dtype=object)[c], cat_code)

    fuel_ids = [f[0] for f in FUELS]
    weights = np.array([f[2] for f in FUELS])
    f = rng.choice(len(FUELS), n, p=weights / weights.sum())
    transport = np.array([code.startswith("1.A.3") for code in cats])[c]
    tf = np.array([fuel_ids.index(x) for x in TRANSPORT_FUELS])
    f = np.where(transport, tf[rng.integers(0, len(tf), n)], f)
    fuel = np.array(fuel_ids, dtype=object)[f]
    activity = np.where(rng.random(n) < 0.4, np.array([x[1] for x in FUELS], dtype=object)[f], fuel)

    stationary = np.array([code.startswith(("1.A.1", "1.A.2")) for code in cats])[c]
    is_coal = np.isin(fuel, list(COAL))
    is_gas = np.isin(fuel, ["natural_gas", "coke_oven_gas"])
    technology = np.full(n, "", dtype=object)
    technology = np.where(stationary & is_coal, np.array(COAL_TECH, dtype=object)[rng.integers(0, len(COAL_TECH), n)],
                          technology)
    technology = np.where(stationary & is_gas, np.array(GAS_TECH, dtype=object)[rng.integers(0, len(GAS_TECH), n)],
                          technology)

    unit = np.full(n, "", dtype=object)
    mu = np.zeros(n)
    u = rng.random(n)
    for i, (_fid, _zh, _w, units) in enumerate(FUELS):
        m = f == i
        edges = np.cumsum([w for _u, w, _m in units])
        pick = np.searchsorted(edges, u[m] * edges[-1], side="right").clip(0, len(units) - 1)
        unit[m] = np.array([x[0] for x in units], dtype=object)[pick]
        mu[m] = np.array([x[2] for x in units])[pick]
    value = np.round(rng.lognormal(mu, 1.2), 4)

    source = np.where(rng.random(n) < 0.7, np.char.add("湖南统计年鉴", (year + 1).astype(str)).astype(object),
                      np.array(["企业填报", "能源平衡表推算", "行业协会"], dtype=object)[rng.integers(0, 3, n)])
    notes = np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), n)]

    cols = {"region": region.tolist(), "year": year.tolist(), "category": category.tolist(),
            "activity": activity.tolist(), "technology": technology.tolist(), "value": value.tolist(),
            "unit": unit.tolist(), "parameter": [""] * n, "source": source.tolist(), "notes": notes.tolist()}
    # Local parameters: one sulfur content of raw coal per region-year (applies to every category).
    for code in codes:
        for y in YEARS:
            for key, v in (("region", code), ("year", y), ("category", ""), ("activity", "raw_coal"),
                           ("technology", ""), ("value", float(np.round(rng.uniform(0.6, 1.6), 2))),
                           ("unit", "%"), ("parameter", "含硫率"), ("source", "煤质检测报告"), ("notes", "")):
                cols[key].append(v)
    return cols


def layout(total: int, rows_per_sheet: int, sheets_per_file: int) -> list[list[tuple[int, int]]]:
    """Row ranges [start, stop) per sheet, grouped per file; each sheet ≤ rows_per_sheet data rows."""
    sheets = [(s, min(s + rows_per_sheet, total)) for s in range(0, total, rows_per_sheet)]
    return [sheets[i:i + sheets_per_file] for i in range(0, len(sheets), sheets_per_file)]


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_NS}">'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_LETTERS = "ABCDEFGHIJ"
_STRING_COLS = {0, 2, 3, 4, 6, 7, 8, 9}


def write_xlsx_xml(path: Path, cols: dict[str, list], sheets: list[tuple[int, int]], names: list[str]) -> None:
    """A minimal but valid .xlsx written directly (shared strings, as Excel writes them); fast for 1M rows."""
    keys = list(cols)
    strings: dict[str, int] = {}
    for h in HEADERS:
        strings.setdefault(h, len(strings))
    for j in _STRING_COLS:
        for s in set(cols[keys[j]][sheets[0][0]:sheets[-1][1]]):
            if s != "":
                strings.setdefault(s, len(strings))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        ct = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{_CT}.worksheet+xml"/>'
                     for i in range(len(sheets)))
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    '<Default Extension="xml" ContentType="application/xml"/>'
                    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>{ct}'
                    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
                    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>')
        zf.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                    f'xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
                    'Target="xl/workbook.xml"/></Relationships>')
        sheet_xml = "".join(f'<sheet name="{escape(nm)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                            for i, nm in enumerate(names))
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheet_xml}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                       for i in range(len(sheets)))
        k = len(sheets)
        zf.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{_PKG}">{rels}'
                    f'<Relationship Id="rId{k + 1}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                    f'<Relationship Id="rId{k + 2}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
        zf.writestr("xl/styles.xml", _STYLES)
        for i, (start, stop) in enumerate(sheets):
            with zf.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as fh:
                last = stop - start + 1
                head = "".join(f'<c r="{_LETTERS[j]}1" t="s"><v>{strings[h]}</v></c>' for j, h in enumerate(HEADERS))
                fh.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}">'
                          f'<dimension ref="A1:J{last}"/><sheetData><row r="1">{head}</row>').encode())
                columns = [cols[key][start:stop] for key in keys]
                buf = []
                for off, row in enumerate(zip(*columns)):
                    rn = off + 2
                    cells = []
                    for j, v in enumerate(row):
                        if j in _STRING_COLS:
                            if v != "":
                                cells.append(f'<c r="{_LETTERS[j]}{rn}" t="s"><v>{strings[v]}</v></c>')
                        else:
                            cells.append(f'<c r="{_LETTERS[j]}{rn}"><v>{v!r}</v></c>')
                    buf.append(f'<row r="{rn}">{"".join(cells)}</row>')
                    if len(buf) == 20000:
                        fh.write("".join(buf).encode())
                        buf = []
                fh.write(("".join(buf) + "</sheetData></worksheet>").encode())
        sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        zf.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>')


def write_xlsx_openpyxl(path: Path, cols: dict[str, list], sheets: list[tuple[int, int]], names: list[str]) -> None:
    """The same workbook through openpyxl's write-only mode (slower; a cross-check of the XML writer)."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    keys = list(cols)
    for (start, stop), nm in zip(sheets, names):
        ws = wb.create_sheet(nm)
        ws.append(HEADERS)
        for row in zip(*[cols[k][start:stop] for k in keys]):
            ws.append([None if v == "" else v for v in row])
    wb.save(path)


def generate(folder: Path, n: int, seed: int, rows_per_sheet: int, sheets_per_file: int, writer: str,
             scenario: str = "prefecture") -> dict:
    """Write the workbooks of one size into folder (reused when the stamp matches); returns the stamp."""
    stamp = {"generator": GENERATOR_VERSION, "rows": n, "seed": seed, "rows_per_sheet": rows_per_sheet,
             "sheets_per_file": sheets_per_file, "writer": writer, "scenario": scenario}
    stamp_file = folder / "stamp.json"
    if stamp_file.is_file() and {k: v for k, v in json.loads(stamp_file.read_text()).items() if k in stamp} == stamp:
        return json.loads(stamp_file.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    cols = synthetic_rows(n, seed, scenario)
    total = len(cols["region"])
    write = write_xlsx_xml if writer == "xml" else write_xlsx_openpyxl
    files = []
    for i, sheets in enumerate(layout(total, rows_per_sheet, sheets_per_file)):
        path = folder / f"能源活动_{i + 1:02d}.xlsx"
        write(path, cols, sheets, [f"能源活动{i * sheets_per_file + j + 1}" for j in range(len(sheets))])
        files.append({"file": path.name, "sheets": len(sheets), "bytes": path.stat().st_size})
    stamp |= {"activity_rows": n, "parameter_rows": total - n, "files": files,
              "seconds": round(time.perf_counter() - t0, 2)}
    stamp_file.write_text(json.dumps(stamp, ensure_ascii=False, indent=1))
    return stamp


# ---------------------------------------------------------------- stages (each runs in its own process)

def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _load(path: Path):
    with path.open("rb") as fh:
        return pickle.load(fh)


def _dump(obj, path: Path) -> None:
    with path.open("wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)


_T0 = time.perf_counter()


def _progress(message: str) -> None:
    """A progress mark on stderr; the driver shows the last one when it stops a stage."""
    print(f"PROGRESS {time.perf_counter() - _T0:.1f} s: {message}", file=sys.stderr, flush=True)


class _Timer:
    """Accumulates seconds per part name."""

    def __init__(self):
        self.parts: dict[str, float] = {}

    def wrap(self, name, fn, first_name=None):
        state = {"calls": 0}

        def timed(*args, **kwargs):
            label = first_name if first_name and state["calls"] == 0 else name
            state["calls"] += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.parts[label] = self.parts.get(label, 0.0) + time.perf_counter() - t0
                _progress(f"{label} done" + (f" (set {state['calls'] - 1})" if first_name and label == name else ""))
        return timed


def stage_read(work: Path) -> dict:
    from inventory.read import read_raw, validate
    before = _rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    raw, files, problems = read_raw([work / "data"], work / "data")
    t1, c1 = time.perf_counter(), time.process_time()
    inputs = validate(raw, None, None)
    inputs.problems = problems + inputs.problems
    t2, c2 = time.perf_counter(), time.process_time()
    counts = inputs.counts()
    _dump((inputs, files), work / "inputs.pkl")
    return {"seconds": t2 - t0, "before_mib": before,
            "parts": {"read_raw (calamine + sheet parsing)": t1 - t0, "validate": t2 - t1},
            # CPU seconds: on a shared machine wall-clock time mostly measures the load
            "shown": {"CPU seconds: read_raw, validate": f"{c1 - c0:.2f}, {c2 - c1:.2f}",
                      "inputs.pkl (MiB)": f"{(work / 'inputs.pkl').stat().st_size / 2**20:,.0f}"},
            "info": {**counts, "errors": len(inputs.errors), "warnings": len(inputs.warnings),
                     "activity_rows_valid": len(inputs.activity)}}


def _meta(files) -> dict:
    from datetime import datetime, timezone
    from inventory import __version__, aggregate
    from inventory.factors import load
    return {"program_version": __version__, "factor_set_version": load.factor_set_version(), "gwp_set": GWP,
            "gwp_data_version": aggregate.gwp_version(), "lang": LANG,
            "build_time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "inputs": files}


def _built() -> set[str] | None:
    """The regions the scenario's build names (BENCH_SCENARIO, set by main for the stage processes)."""
    return scenario_regions(os.environ.get("BENCH_SCENARIO", "prefecture"))[1]


def stage_compute(work: Path) -> dict:
    from inventory import engine
    from inventory.build import compile_inventory
    from inventory.factors import load
    inputs, files = _load(work / "inputs.pkl")
    before = _rss_mib()
    t0 = time.perf_counter()
    factor_table = load.load_all([])
    t1 = time.perf_counter()
    tm = _Timer()  # compute as issue 14 defines it: the emissions table, without checks and analyses
    original = engine.emission_rows
    engine.emission_rows = tm.wrap(COMPUTE_PART, original)
    cpu = time.process_time()
    try:
        result = compile_inventory(inputs, factor_table, GWP, LANG, _built(), {})
    finally:
        engine.emission_rows = original
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu
    meta = _meta(files)
    meta["regions"] = sorted(set(result.emissions["region"]))
    meta["years"] = sorted(int(y) for y in set(result.emissions["year"]))
    result.meta = meta
    _dump(result, work / "result.pkl")
    em = result.emissions
    return {"seconds": t2 - t1, "before_mib": before,
            "parts": {"load_all (factor tables)": t1 - t0, **tm.parts,
                      "checks, analyses, figures": t2 - t1 - tm.parts.get(COMPUTE_PART, 0.0),
                      "CPU seconds of the stage": cpu},
            "info": {"activity_rows": len(inputs.activity), "emission_rows": len(em),
                     "compute_seconds": tm.parts.get(COMPUTE_PART),
                     "distinct_keys": int(len(inputs.activity[["region", "year", "category", "activity",
                                                               "technology"]].drop_duplicates())),
                     "substances": sorted(set(em["substance"])), "not_estimated_rows": len(result.not_estimated),
                     "region_years": int(len(em[["region", "year"]].drop_duplicates()))}}


def stage_write(work: Path) -> dict:
    from inventory.report import excel, html, outputs as report_outputs, tables
    inputs, files = _load(work / "inputs.pkl")
    result = _load(work / "result.pkl")
    out = work / "out_write"
    shutil.rmtree(out, ignore_errors=True)
    tm = _Timer()
    wrapped = [(tables, "write_emissions", tm.wrap("per region: csv+parquet", tables.write_emissions,
                                                   "emissions.csv+parquet")),
               (tables, "write_checks", tm.wrap("per region: checks.csv", tables.write_checks, "checks.csv")),
               (tables, "write_analysis", tm.wrap("per region: analysis csv", tables.write_analysis,
                                                  "analysis csv")),
               (excel, "write_workbook", tm.wrap("per region: inventory.xlsx", excel.write_workbook,
                                                 "inventory.xlsx")),
               (html, "render_html", tm.wrap("per region: report.html (render)", html.render_html,
                                             "report.html (render)"))]
    originals = [(module, name, getattr(module, name)) for module, name, _ in wrapped]
    for module, name, fn in wrapped:  # time each renderer as write_outputs calls it (one process)
        setattr(module, name, fn)
    before = _rss_mib()
    t0 = time.perf_counter()
    with tables.staged(out) as stage:
        try:
            outputs, _ = report_outputs.write_outputs(result, stage, LANG, jobs=1)
        finally:
            for module, name, fn in originals:
                setattr(module, name, fn)
        t1 = time.perf_counter()
        manifest = report_outputs.manifest_for(inputs, files, "ok", outputs + ["manifest.json"], result.meta)
        tables.write_manifest(manifest, stage)
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    parts = dict(tm.parts)
    parts["per region: rest (subset, write_text)"] = (t1 - t0) - sum(parts.values())
    parts["manifest.json"] = t2 - t1
    parts["staged move"] = t3 - t2
    return {"seconds": t3 - t0, "before_mib": before, "parts": parts,
            "info": {"files_written": len(outputs) + 1, "emission_rows": len(result.emissions),
                     "bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file())}}


def stage_baseline(work: Path) -> dict:
    import pandas as pd
    from inventory.result import EMISSION_COLUMNS
    emissions = _load(work / "result.pkl").emissions[EMISSION_COLUMNS]
    out = work / "out_baseline"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    before = _rss_mib()
    t0 = time.perf_counter()
    rows = 0
    for path in sorted((work / "data").glob("*.xlsx")):
        sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
        rows += sum(len(s) for s in sheets.values())
        del sheets
    t1 = time.perf_counter()
    emissions.to_csv(out / "emissions.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    emissions.to_parquet(out / "emissions.parquet", index=False)
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "before_mib": before,
            "parts": {"read_excel calamine": t1 - t0, "to_csv + to_parquet": t2 - t1}, "info": {"rows_read": rows}}


def stage_build(work: Path) -> dict:
    from inventory.build import BuildOptions, build_inventory
    out = work / "out_build"
    shutil.rmtree(out, ignore_errors=True)
    marks: list[tuple[str, float]] = []
    before = _rss_mib()
    t0 = time.perf_counter()
    jobs = int(os.environ.get("BENCH_JOBS", "1"))
    engine = os.environ.get("BENCH_ENGINE", "local")

    cpu_marks: list[float] = []

    def mark(stage: str, *count) -> None:
        if not count:  # a new stage (counts of written region-years are not stages)
            marks.append((stage, time.perf_counter()))
            cpu_marks.append(time.process_time())
            _progress(stage)

    def cpu_children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # writer processes, once they have ended
        return usage.ru_utime + usage.ru_stime

    children = cpu_children()
    outcome = build_inventory(BuildOptions(paths=[work / "data"], out=out, gwp=GWP, lang=LANG, base=work / "data",
                                           jobs=jobs, regions=_built(), engine=engine), progress=mark)
    t1 = time.perf_counter()
    marks.append(("end", t1))
    cpu_marks.append(time.process_time())
    parts = {name: marks[i + 1][1] - t for i, (name, t) in enumerate(marks[:-1])}
    cpu = {name: cpu_marks[i + 1] - cpu_marks[i] for i, (name, _) in enumerate(marks[:-1])}
    shown = {"CPU seconds of the build process by stage": ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()),
             "CPU seconds of the writer processes": f"{cpu_children() - children:.1f}"}
    return {"seconds": t1 - t0, "before_mib": before, "parts": parts, "shown": shown,
            "info": {"exit_code": outcome.exit_code, "rows": outcome.manifest.get("rows"), "jobs": jobs,
                     "engine": engine}}


STAGE_FUNCS = {"read": stage_read, "compute": stage_compute, "write": stage_write, "baseline": stage_baseline,
               "build": stage_build}


def run_stage_here(name: str, work: Path, profile: bool) -> None:
    """Entry point of a stage subprocess: run it, print one JSON line on stdout."""
    func = STAGE_FUNCS[name]
    if profile:
        import cProfile
        import io
        import pstats
        prof = cProfile.Profile()
        res = prof.runcall(func, work)
        prof.dump_stats(str(work / f"profile_{name}.prof"))
        text = io.StringIO()
        stats = pstats.Stats(prof, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)
        (work / f"profile_{name}.txt").write_text(text.getvalue())
        res["profile"] = str(work / f"profile_{name}.txt")
    else:
        res = func(work)
    res["peak_mib"] = _peak_mib()
    print("BENCH " + json.dumps(res, ensure_ascii=False, default=str), flush=True)


# ---------------------------------------------------------------- driver

def _child_rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _child_pss_mib(pid: int) -> float:
    """Proportional set size (MiB) of one process: its own pages, and each page it shares (a forked writer's
    pages of its parent) divided by the processes sharing it, so a tree's sum counts shared pages once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _child_rss_mib(pid)


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants (the writer processes, a local Dask cluster's workers and nannies)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    stat = fh.read()
                children.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(entry))
            except (OSError, ValueError):
                continue
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def _tree_rss_mib(pid: int) -> tuple[float, float]:
    """Summed RSS and summed PSS (MiB) of `pid` and all its descendants, from /proc. The RSS sum counts
    the pages forked writers share with the build process once per process; the PSS sum counts them once."""
    tree = _tree(pid)
    return sum(_child_rss_mib(p) for p in tree), sum(_child_pss_mib(p) for p in tree)


def run_stage(name: str, work: Path, timeout: float | None, profile: bool = False,
              max_rss: float | None = None) -> dict:
    """Run one stage in a fresh interpreter; stop it after `timeout` s or above `max_rss` MiB."""
    cmd = [sys.executable, os.path.abspath(__file__), "--_stage", name, "--_work", str(work)]
    if profile:
        cmd.append("--_profile")
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        stopped, tree_peak, pss_peak, polls = "", 0.0, 0.0, 0
        while proc.poll() is None:
            time.sleep(0.25)
            polls += 1
            if polls % 4 == 0:  # the tree once a second
                rss, tree = _tree_rss_mib(proc.pid)
                tree_peak = max(tree_peak, rss)
            else:
                tree = _child_pss_mib(proc.pid)
            pss_peak = max(pss_peak, tree)
            if timeout and time.perf_counter() - t0 > timeout:
                stopped = f"stopped after {timeout:.0f} s (timeout)"
            elif max_rss and tree > max_rss:
                stopped = f"stopped at {time.perf_counter() - t0:.0f} s: PSS of the process tree over {max_rss:.0f} MiB"
            if stopped:
                proc.kill()
                proc.wait()
                err.seek(0)
                marks = [ln for ln in err.read().splitlines() if ln.startswith("PROGRESS ")]
                if marks:
                    stopped += f"; last progress mark at {marks[-1][9:]}"
                return {"status": stopped}
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    wall = time.perf_counter() - t0
    lines = [ln for ln in stdout.splitlines() if ln.startswith("BENCH ")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        return {"status": f"failed (exit {proc.returncode})", "stderr": tail}
    res = json.loads(lines[-1][6:])
    res["status"] = "ok"
    res["process_seconds"] = wall
    res["tree_peak_mib"] = tree_peak
    res["tree_pss_peak_mib"] = pss_peak
    return res


def fmt_row(cells, widths) -> str:
    return "  ".join(str(c).rjust(w) if i not in (1,) else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))


WIDTHS = [9, 44, 9, 12, 9, 9]


def print_result(size: int, name: str, res: dict, detail: bool) -> None:
    if res.get("status") != "ok":
        print(fmt_row([size, name, "-", "-", "-", "-"], WIDTHS) + "  " + res.get("status", "?"), flush=True)
        if res.get("stderr"):
            print("    " + res["stderr"].replace("\n", "\n    "), flush=True)
        return
    sec = res["seconds"]
    rate = f"{size / sec:,.0f}" if sec > 0 else "-"
    print(fmt_row([size, name, f"{sec:.2f}", rate, f"{res['peak_mib']:.0f}",
                   f"{res['peak_mib'] - res['before_mib']:.0f}"], WIDTHS)
          + f"  (process tree, sampled each second: RSS sum {res.get('tree_peak_mib', 0):,.0f} MiB, "
            f"PSS sum {res.get('tree_pss_peak_mib', 0):,.0f} MiB)", flush=True)
    if detail:
        for part, s in res.get("parts", {}).items():
            print(fmt_row(["", "  " + part, f"{s:.2f}", "", "", ""], WIDTHS), flush=True)
        for label, text in res.get("shown", {}).items():
            print(f"#   {name}: {label}: {text}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                    help="activity rows per data set (default 10000 100000 1000000)")
    ap.add_argument("--keep", type=Path, help="work in DIR and keep data, outputs, pickles and profiles "
                                              "(generated data is reused when it matches)")
    ap.add_argument("--stages", nargs="+", choices=STAGES, default=STAGES)
    ap.add_argument("--profile", nargs="*", choices=STAGES, default=[],
                    help="after the timed run, run these stages again under cProfile (see profile_<stage>.txt)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--rows-per-sheet", type=int, default=250_000, help="≤ 1,048,575 (Excel's limit)")
    ap.add_argument("--sheets-per-file", type=int, default=2)
    ap.add_argument("--writer", choices=["xml", "openpyxl"], default="xml",
                    help="how the input workbooks are written (xml: direct, fast; openpyxl: write-only mode)")
    ap.add_argument("--timeout", type=float, default=None, help="stop a stage subprocess after this many seconds")
    ap.add_argument("--max-rss", type=float, default=None, metavar="MIB",
                    help="stop a stage subprocess whose memory (the PSS sum of its process tree: writers, Dask workers; shared pages counted once) exceeds this many MiB")
    ap.add_argument("--scenario", choices=SCENARIOS, default="prefecture",
                    help="prefecture: rows of Hunan and its 14 prefectures; county: rows of Hunan's 122 "
                         "county-level units, the build naming all 137 regions (prefectures and province summed); "
                         "national: rows of China's 2,846 county-level units, the build naming every province, "
                         "prefecture and county (folders for provinces and prefectures only, DESIGN 3.7)")
    ap.add_argument("--jobs", type=int, default=1, help="processes writing region folders in the build stage")
    ap.add_argument("--engine", choices=["local", "dask"], default="local",
                    help="the build stage's compute engine (dask: a new two-worker local cluster)")
    ap.add_argument("--no-detail", action="store_true", help="do not print the parts of each stage")
    ap.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    ap.add_argument("--_stage", choices=STAGES, help=argparse.SUPPRESS)
    ap.add_argument("--_work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--_profile", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("BENCH_JOBS", str(args.jobs))  # read by the build stage's subprocess
    os.environ.setdefault("BENCH_ENGINE", args.engine)  # read by the build stage's subprocess
    os.environ.setdefault("BENCH_SCENARIO", args.scenario)  # read by the compute and build stages' subprocesses
    if args._stage:
        run_stage_here(args._stage, args._work, args._profile)
        return 0
    if not 0 < args.rows_per_sheet <= 1_048_575:
        ap.error("--rows-per-sheet must be between 1 and 1,048,575")

    root = args.keep or Path(tempfile.mkdtemp(prefix="inventory-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    import platform
    import inventory
    print(f"# inventory {inventory.__version__} from {Path(inventory.__file__).parent}  python "
          f"{platform.python_version()}  {os.cpu_count()} CPUs  work dir {root}")
    print("# rows/s = activity rows of the size / seconds;  peak = max RSS of the stage's process (MiB);"
          "  +MiB = peak - RSS before the timed work;  --max-rss applies to the PSS sum of the stage's process tree")
    print(fmt_row(["size", "stage", "seconds", "rows/s", "peak", "+MiB"], WIDTHS))
    all_results: dict = {}
    try:
        for size in args.sizes:
            work = root / (f"size_{size}" if args.scenario == "prefecture" else f"{args.scenario}_{size}")
            t0 = time.perf_counter()
            stamp = generate(work / "data", size, args.seed, args.rows_per_sheet, args.sheets_per_file, args.writer,
                             args.scenario)
            files = stamp["files"]
            print(f"# {size:,} activity rows + {stamp['parameter_rows']} parameter rows in {len(files)} file(s), "
                  f"{sum(f['sheets'] for f in files)} sheet(s), {sum(f['bytes'] for f in files) / 2**20:.1f} MiB "
                  f"(generated in {stamp['seconds']} s, this run {time.perf_counter() - t0:.1f} s)", flush=True)
            results: dict = {"inputs": stamp}
            for name in [s for s in STAGES if s in args.stages]:
                need = NEEDS.get(name)
                pickle_file = work / ("inputs.pkl" if need == "read" else "result.pkl")
                if need and (results[need]["status"] != "ok" if need in results else not pickle_file.exists()):
                    results[name] = {"status": f"not run ({need} did not finish)"}
                    print_result(size, name, results[name], False)
                    continue
                results[name] = run_stage(name, work, args.timeout, max_rss=args.max_rss)
                print_result(size, name, results[name], not args.no_detail)
            b, base = results.get("build", {}), results.get("baseline", {})
            if b.get("status") == "ok" and base.get("status") == "ok":
                results["ratio"] = b["seconds"] / base["seconds"]
                print(f"# {size:,}: whole build / baseline = {b['seconds']:.2f} / {base['seconds']:.2f} s "
                      f"= {results['ratio']:.2f}x  (issue 14: ≤ 3x, aim 2x)", flush=True)
            c = results.get("compute", {})
            if c.get("status") == "ok" and c["info"].get("compute_seconds"):
                print(f"# {size:,}: compute (emissions table, {c['info']['distinct_keys']:,} distinct keys) "
                      f"{size / c['info']['compute_seconds']:,.0f} activity rows/s (target ≥ 1,000,000)", flush=True)
            if c.get("status") == "ok":
                print(f"# {size:,}: compile_inventory (with checks and analyses) {size / c['seconds']:,.0f} "
                      "activity rows/s; "
                      f"{c['info']['emission_rows']:,} emission rows, substances {', '.join(c['info']['substances'])}",
                      flush=True)
            for name in args.profile:
                res = run_stage(name, work, args.timeout, profile=True, max_rss=args.max_rss)
                print(f"# profile of {name} ({size:,}): {res.get('profile', res.get('status'))}", flush=True)
                if not args.keep and res.get("profile"):
                    print(Path(res["profile"]).read_text(), flush=True)
            all_results[size] = results
    finally:
        if args.json:
            args.json.write_text(json.dumps(all_results, ensure_ascii=False, indent=1, default=str))
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
