"""Rules behind `inventory factors check DIR`: schema, vocabulary, units, bounds, sources, collisions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from inventory import categories, regions, vocabulary
from inventory.errors import Problem
from inventory.factors.load import FACTOR_COLUMNS, PARAMETER_COLUMNS, read_table, table_files
from inventory.read.validate import parameter_canonical

# Plausible ranges of canonical values: per parameter in data/parameters.csv (plausible_low, plausible_high);
# calorific values and emission factors by the quantity they are per.
NCV_BOUNDS = {"mass": (1e-4, 0.06), "volume": (1e-6, 1e-4)}  # TJ/t: 0.1–60 GJ/t; TJ/m3: 1–100 MJ/m3
EF_MAX = {"energy": 400.0, "mass": 5.0, "volume": 0.05, "share": 1.0}  # t/TJ, t/t, t/m3, fraction
METHODS = {"", "ef", "share_of_PM2.5", "n2o_n"}  # n2o_n: kg N2O-N per kg N (× 44/28)
KEY = ["name", "category", "activity", "technology", "region", "year_from", "year_to"]


def _problems(frame: pd.DataFrame, mask: pd.Series, column: str, message: str, expected: str) -> list[Problem]:
    rows = frame[mask.fillna(False).astype(bool)]
    return [Problem(message, file=str(f), row=int(line), column=column, value=str(v), expected=expected)
            for f, line, v in zip(rows["file"], rows["line"], rows[column] if column in rows else [""] * len(rows))]


def check_package(directory: Path) -> list[Problem]:
    """datapackage.json exists, lists every CSV and only existing ones; Frictionless validation of each resource."""
    package = directory / "datapackage.json"
    if not package.is_file():
        return [Problem("no datapackage.json describing the tables", file=str(directory),
                        expected="a Frictionless data package with one resource per CSV")]
    try:
        spec = json.loads(package.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [Problem(f"datapackage.json is not valid JSON: {exc}", file=str(package))]
    listed = {r.get("path") for r in spec.get("resources", [])}
    present = {p.name for p in directory.glob("*.csv")}
    problems = [Problem("CSV not described in datapackage.json", file=str(directory / n),
                        expected="a resource entry for it") for n in sorted(present - listed)]
    problems += [Problem("datapackage.json lists a table that does not exist", file=str(directory / n))
                 for n in sorted(listed - present)]
    problems += _frictionless(package)
    return problems


def _frictionless(package: Path) -> list[Problem]:
    """Validate the data package with Frictionless (local schemas only, nothing fetched)."""
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(package)).validate()
    out = []
    for task in report.tasks:
        for err in task.errors:
            out.append(Problem(f"schema: {err.message}", file=Path(task.name or "").name or str(package),
                               row=getattr(err, "row_number", None), column=getattr(err, "field_name", "") or "",
                               value=str(getattr(err, "cell", "") or ""), expected="the datapackage.json schema"))
    return out


def check_table(frame: pd.DataFrame) -> list[Problem]:
    """Rules for one factor or parameter table already read as text (load.read_table)."""
    is_factor = "substance" in frame or "parameter" not in frame
    expected_cols = FACTOR_COLUMNS if is_factor else PARAMETER_COLUMNS
    missing = [c for c in expected_cols if c not in frame]
    if missing:
        return [Problem(f"missing column {c!r}", file=frame["file"].iat[0] if len(frame) else "", row=1,
                        expected=", ".join(expected_cols)) for c in missing]
    p: list[Problem] = []
    p += _problems(frame, frame["source"].str.strip() == "", "source", "source is empty",
                   "the document and table the value comes from")
    p += _problems(frame, frame["factor_id"].str.strip() == "", "factor_id", "factor_id is empty", "a unique id")
    p += _problems(frame, ~frame["category"].isin(list(categories.table().index) + [""]), "category",
                   "unknown category", "an IPCC category code from the category list, or empty")
    p += _problems(frame, ~frame["activity"].isin(list(vocabulary.activities().index) + [""]), "activity",
                   "unknown activity", "an activity id, or empty")
    tech_ok = frame["technology"].isin(list(vocabulary.technologies().index) + [""])
    p += _problems(frame, ~tech_ok, "technology", "unknown technology", "one technology id, or empty")
    p += _problems(frame, ~frame["region"].isin(list(regions.table().index) + [""]), "region",
                   "unknown region", "a region code, CN, or empty")
    if is_factor:
        p += _problems(frame, ~frame["substance"].isin(vocabulary.substances().index), "substance",
                       "unknown substance", "a substance id such as CO2, CH4, SO2, PM2.5")
        names = "ef." + frame["substance"]
    else:
        names = frame["parameter"].map(lambda s: vocabulary.parse_parameter(s) if s else None)
        p += _problems(frame, names.isna(), "parameter", "unknown parameter", "ncv, carbon_content, oxidation_rate, "
                       "sulfur_retention, removal_efficiency.<substance>, ...")
    p += _problems(frame, ~frame["method"].isin(METHODS), "method", "unknown method", "ef, share_of_PM2.5, n2o_n or empty")
    value = pd.to_numeric(frame["value"], errors="coerce")
    p += _problems(frame, value.isna(), "value", "value is not a number", "a number")
    p += _problems(frame, value < 0, "value", "negative value", "a non-negative number")
    conv = pd.Series([parameter_canonical(n, u) if isinstance(n, str) else None for n, u in zip(names, frame["unit"])],
                     index=frame.index, dtype=object)
    p += _problems(frame, names.notna() & conv.isna(), "unit", "unit does not parse or does not fit the parameter",
                   "e.g. kg/TJ, g/kg, g/m3 for factors; kJ/kg or kJ/m3 for ncv; tC/TJ; % for rates")
    if is_factor:
        share = frame["method"] == "share_of_PM2.5"
        p += _problems(frame, share & (conv.map(lambda x: x[1] if x else "") != "share"), "unit",
                       "a share_of_PM2.5 factor must be a percentage", "%")
        p += _problems(frame, ~share & (conv.map(lambda x: x[1] if x else "") == "share"), "method",
                       "a factor in % must have method share_of_PM2.5", "share_of_PM2.5")
    canonical = value * conv.map(lambda x: x[0] if x else float("nan"))
    p += _bounds(frame, names, canonical, conv)
    for col in ("uncertainty_low_pct", "uncertainty_high_pct", "year_from", "year_to"):
        num = pd.to_numeric(frame[col], errors="coerce")
        p += _problems(frame, (frame[col] != "") & num.isna(), col, "not a number", "a number or empty")
        p += _problems(frame, num < 0, col, "negative", "a non-negative magnitude")
    yf, yt = pd.to_numeric(frame["year_from"], errors="coerce"), pd.to_numeric(frame["year_to"], errors="coerce")
    p += _problems(frame, yf > yt, "year_to", "year_to is before year_from", "year_to >= year_from")
    return p


def _bounds(frame, names, canonical, conv) -> list[Problem]:
    entry = names.fillna("").map(vocabulary.parameter_entry)
    plausible = vocabulary.parameters()[["plausible_low", "plausible_high"]].apply(pd.to_numeric, errors="coerce")
    lo = entry.map(plausible["plausible_low"])
    hi = entry.map(plausible["plausible_high"])
    ef_hi = conv.map(lambda x: EF_MAX.get(x[1]) if x else None)
    hi = hi.where(entry != "ef", ef_hi)
    ncv = conv.map(lambda x: NCV_BOUNDS.get(x[1], (None, None)) if x else (None, None))
    lo = lo.where(entry != "ncv", ncv.str[0])
    hi = hi.where(entry != "ncv", ncv.str[1])
    bad = (canonical < lo.astype(float)) | (canonical > hi.astype(float))
    return _problems(frame, bad, "value", "value outside the plausible range for its parameter",
                     "a value within the plausible bounds (data/parameters.csv plausible_low/high; "
                     "inventory.factors.check NCV_BOUNDS, EF_MAX)")


def check_collisions(frames: list[pd.DataFrame]) -> list[Problem]:
    """Two rows equally specific for the same key (DESIGN 3.4) and repeated factor ids, across all tables."""
    rows = []
    for f in frames:
        name = ("ef." + f["substance"]) if "substance" in f else f["parameter"]
        rows.append(f.assign(name=name))
    allrows = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if allrows.empty:
        return []
    p = []
    dup_id = allrows["factor_id"].duplicated(keep=False) & (allrows["factor_id"] != "")
    for fid, group in allrows[dup_id].groupby("factor_id"):
        places = ", ".join(f"{a} line {b}" for a, b in zip(group["file"], group["line"]))
        p.append(Problem("factor_id is not unique", file=group["file"].iat[0], row=int(group["line"].iat[0]),
                         column="factor_id", value=fid, expected=f"a unique id (also at {places})"))
    collide = allrows.duplicated(KEY, keep=False)
    for _, group in allrows[collide].groupby(KEY, sort=True):
        first = group.iloc[0]
        others = ", ".join(f"{a} line {b} ({c})" for a, b, c in zip(group["file"], group["line"], group["factor_id"]))
        p.append(Problem("factors collide: equally specific rows for the same key", file=first["file"],
                         row=int(first["line"]), column="factor_id", value=first["factor_id"],
                         expected=f"one row per key; colliding rows: {others}"))
    return p


def check_directory(directory: Path) -> list[Problem]:
    """Every problem of a factor directory; empty when it is clean."""
    directory = Path(directory)
    if not directory.is_dir():
        return [Problem("no such folder", file=str(directory))]
    problems = check_package(directory)
    frames = []
    for path in table_files(directory):
        if not path.is_file():
            continue
        try:
            frame = read_table(path)
        except Exception as exc:  # pandas raises several error types for malformed CSV
            problems.append(Problem(f"table cannot be read as CSV: {exc}", file=path.name))
            continue
        frame["file"] = str(path)
        found = check_table(frame)
        problems += found
        if not any(p.message.startswith("missing column") for p in found):
            frames.append(frame)
    return problems + check_collisions(frames)
