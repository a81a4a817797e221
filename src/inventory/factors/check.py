"""Rules behind `inventory factors check DIR`: schema, vocabulary, units, bounds, sources, collisions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from inventory import categories, regions, vocabulary
from inventory.errors import Problem
from inventory.factors import penetration, sets
from inventory.factors.load import FACTOR_COLUMNS, PARAMETER_COLUMNS, read_table, table_files
from inventory.factors.resolve import combined_codes, first_rows
from inventory.read.validate import parameter_canonical

# Plausible ranges of canonical values: per parameter in data/parameters.csv (plausible_low, plausible_high);
# calorific values and emission factors by the quantity they are per.
NCV_BOUNDS = {"mass": (1e-4, 0.06), "volume": (1e-6, 1e-4)}  # TJ/t: 0.1–60 GJ/t; TJ/m3: 1–100 MJ/m3
EF_MAX = {"energy": 400.0, "mass": 5.0, "volume": 0.05, "share": 1.0}  # t/TJ, t/t, t/m3, fraction
METHODS = {"", "ef", "share_of_PM2.5", "n2o_n"}  # n2o_n: kg N2O-N per kg N (× 44/28)
KEY = ["name", "category", "activity", "technology", "region", "year_from", "year_to"]


def _problems(frame: pd.DataFrame, mask: pd.Series, column: str, code: str, expected: str) -> list[Problem]:
    """A problem `code` (expecting `expected`, codes of data/messages.csv) for each masked row of a table."""
    rows = frame[mask.fillna(False).astype(bool)]
    return [Problem(code, file=str(f), row=int(line), column=column, value=str(v), expected=expected)
            for f, line, v in zip(rows["file"], rows["line"], rows[column] if column in rows else [""] * len(rows))]


def check_package(directory: Path) -> list[Problem]:
    """datapackage.json exists, lists every CSV and only existing ones; Frictionless validation of each resource."""
    package = directory / "datapackage.json"
    if not package.is_file():
        return [Problem("no_datapackage", file=str(directory), expected="expect_datapackage")]
    try:
        spec = json.loads(package.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [Problem("datapackage_not_json", file=str(package), params=(("error", str(exc)),))]
    listed = {r.get("path") for r in spec.get("resources", [])}
    present = {p.name for p in directory.glob("*.csv")}
    problems = [Problem("csv_not_in_datapackage", file=str(directory / n), expected="expect_resource_entry")
                for n in sorted(present - listed)]
    problems += [Problem("datapackage_lists_missing_table", file=str(directory / n)) for n in sorted(listed - present)]
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
            out.append(Problem("schema_error", file=Path(task.name or "").name or str(package),
                               row=getattr(err, "row_number", None), column=getattr(err, "field_name", "") or "",
                               value=str(getattr(err, "cell", "") or ""), expected="expect_schema",
                               params=(("type", err.type), ("note", getattr(err, "note", "") or err.message))))
    return out


def check_table(frame: pd.DataFrame) -> list[Problem]:
    """Rules for one factor or parameter table already read as text (load.read_table)."""
    is_factor = "substance" in frame or "parameter" not in frame
    expected_cols = FACTOR_COLUMNS if is_factor else PARAMETER_COLUMNS
    missing = [c for c in expected_cols if c not in frame]
    if missing:
        return [Problem("missing_table_column", file=frame["file"].iat[0] if len(frame) else "", row=1,
                        expected="expect_columns", params=(("column", c), ("columns", ", ".join(expected_cols))))
                for c in missing]
    p: list[Problem] = []
    p += _problems(frame, frame["source"].str.strip() == "", "source", "source_is_empty", "expect_source")
    p += _problems(frame, frame["factor_id"].str.strip() == "", "factor_id", "factor_id_is_empty", "expect_unique_id")
    p += _problems(frame, ~frame["category"].isin(list(categories.table().index) + [""]), "category",
                   "unknown_category", "expect_category_or_empty")
    p += _problems(frame, ~frame["activity"].isin(list(vocabulary.activities().index) + [""]), "activity",
                   "unknown_activity", "expect_activity_or_empty")
    tech_ok = frame["technology"].isin(list(vocabulary.technologies().index) + [""])
    p += _problems(frame, ~tech_ok, "technology", "unknown_technology", "expect_technology_or_empty")
    p += _problems(frame, ~frame["region"].isin(list(regions.table().index) + [""]), "region",
                   "unknown_region", "expect_region_or_empty")
    if is_factor:
        p += _problems(frame, ~frame["substance"].isin(vocabulary.substances().index), "substance",
                       "unknown_substance", "expect_substance_id")
        names = "ef." + frame["substance"]
    else:
        names = frame["parameter"].map(lambda s: vocabulary.parse_parameter(s) if s else None)
        p += _problems(frame, names.isna(), "parameter", "unknown_parameter", "expect_parameter")
    p += _problems(frame, ~frame["method"].isin(METHODS), "method", "unknown_method", "expect_method")
    value = pd.to_numeric(frame["value"], errors="coerce")
    p += _problems(frame, value.isna(), "value", "not_a_number", "expect_number")
    p += _problems(frame, value < 0, "value", "negative_value", "expect_non_negative")
    conv = _conversions(names, frame["unit"])
    p += _problems(frame, names.notna() & conv.isna(), "unit", "unit_does_not_fit_parameter", "expect_factor_unit")
    if is_factor:
        share = frame["method"] == "share_of_PM2.5"
        p += _problems(frame, share & (conv.map(lambda x: x[1] if x else "") != "share"), "unit",
                       "share_factor_not_percent", "expect_percent")
        p += _problems(frame, ~share & (conv.map(lambda x: x[1] if x else "") == "share"), "method",
                       "percent_factor_without_share_method", "expect_share_method")
    canonical = value * conv.map(lambda x: x[0] if x else float("nan"))
    p += _bounds(frame, names, canonical, conv)
    for col in ("uncertainty_low_pct", "uncertainty_high_pct", "year_from", "year_to"):
        num = pd.to_numeric(frame[col], errors="coerce")
        p += _problems(frame, (frame[col] != "") & num.isna(), col, "not_a_number", "expect_number_or_empty")
        p += _problems(frame, num < 0, col, "negative_value", "expect_non_negative")
    yf, yt = pd.to_numeric(frame["year_from"], errors="coerce"), pd.to_numeric(frame["year_to"], errors="coerce")
    p += _problems(frame, yf > yt, "year_to", "year_to_before_year_from", "expect_year_to_after_from")
    return p + _unknown_sets(frame)


def _unknown_sets(frame: pd.DataFrame) -> list[Problem]:
    """A `factor_sets` cell naming a set that does not exist (DESIGN 3.4), by file and row."""
    if "factor_sets" not in frame:
        return []
    bad = frame[frame["factor_sets"].map(lambda c: bool(sets.unknown(c)))]
    listing = ", ".join(sets.names())
    return [Problem("unknown_factor_set", file=str(f), row=int(line), column="factor_sets", value=str(v),
                    expected="known_factor_sets_joined_by", params=(("sets", listing),))
            for f, line, v in zip(bad["file"], bad["line"], bad["factor_sets"])]


def _conversions(names: pd.Series, unit: pd.Series) -> pd.Series:
    """read.validate.parameter_canonical of each row's (name, unit): (factor to the canonical unit, basis) or
    None (no name, or a unit that does not fit), an object Series aligned with `names`; each distinct pair
    converted once and taken onto the rows by its integer code."""
    parts = [(codes, len(values)) for codes, values in (pd.factorize(names), pd.factorize(unit))]
    number, first = first_rows(combined_codes(parts))
    found = np.empty(len(first), dtype=object)
    for i, (n, u) in enumerate(zip(names.to_numpy(dtype=object)[first], unit.to_numpy(dtype=object)[first])):
        found[i] = parameter_canonical(n, u) if isinstance(n, str) else None
    return pd.Series(found[number], index=names.index, dtype=object)


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
    return _problems(frame, bad, "value", "value_out_of_bounds", "expect_within_bounds")


def check_collisions(frames: list[pd.DataFrame]) -> list[Problem]:
    """Two rows equally specific for the same key within one factor set (DESIGN 3.4: rows of different sets
    may share a key) and repeated factor ids, across all tables."""
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
        places = ", ".join(f"{a}:{b}" for a, b in zip(group["file"], group["line"]))
        p.append(Problem("factor_id_not_unique", file=group["file"].iat[0], row=int(group["line"].iat[0]),
                         column="factor_id", value=fid, expected="expect_unique_id_also_at", params=(("places", places),)))
    if "factor_sets" not in allrows:
        allrows["factor_sets"] = ""
    allrows["factor_sets"] = allrows["factor_sets"].fillna("")
    reported: set[tuple] = set()
    for name in sets.names():
        rows = sets.select(allrows, name)
        collide = rows.duplicated(KEY, keep=False)
        for _, group in rows[collide].groupby(KEY, sort=True):
            ids = tuple(group["factor_id"])
            if ids in reported:  # the same rows collide in several sets: reported once, under the first
                continue
            reported.add(ids)
            first = group.iloc[0]
            others = ", ".join(f"{a}:{b} ({c})" for a, b, c in zip(group["file"], group["line"], group["factor_id"]))
            p.append(Problem("factors_collide_within_a_set", file=first["file"], row=int(first["line"]),
                             column="factor_id", value=first["factor_id"], expected="one_row_per_key_colliding_rows",
                             params=(("set", name), ("rows", others))))
    return p


def check_directory(directory: Path) -> list[Problem]:
    """Every problem of a factor directory; empty when it is clean."""
    directory = Path(directory)
    if not directory.is_dir():
        return [Problem("no_such_folder", file=str(directory))]
    problems = check_package(directory)
    frames = []
    for path in table_files(directory):
        if not path.is_file():
            continue
        try:
            frame = read_table(path)
        except Exception as exc:  # pandas raises several error types for malformed CSV
            problems.append(Problem("csv_unreadable_detail", file=path.name, params=(("error", str(exc)),)))
            continue
        frame["file"] = str(path)
        found = check_table(frame)
        problems += found
        if not any(p.code == "missing_table_column" for p in found):
            frames.append(frame)
    problems += check_collisions(frames)
    if (directory / penetration.FILE).is_file():
        frame = penetration.read(directory / penetration.FILE)
        frame["file"] = str(directory / penetration.FILE)
        problems += penetration.check(frame)
    return problems
