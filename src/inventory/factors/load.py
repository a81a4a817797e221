"""Read factor and parameter CSVs (DESIGN 3.4) into one long table of canonical values.

A factor row for substance S is the parameter `ef.S`; parameter tables name theirs
(`ncv`, `carbon_content`, `removal_efficiency.SO2`...). Values are converted once
to canonical units (t per TJ/t/m3 of activity, TJ per t or m3, fractions).
"""

from __future__ import annotations

import io
import json
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import pandas as pd

from inventory import resources
from inventory.factors import penetration, sets
from inventory.read.validate import parameter_conversions

FACTOR_COLUMNS = ["factor_id", "category", "activity", "technology", "substance", "value", "unit", "region",
                  "year_from", "year_to", "tier", "method", "source", "source_detail",
                  "uncertainty_low_pct", "uncertainty_high_pct", "notes"]
# DESIGN 3.4's last two columns: the sets a row belongs to (`;`-joined, empty = every set) and the copy a value
# was read in. A table without them is read as if they were empty.
OPTIONAL_COLUMNS = ["factor_sets", "read_in"]
PARAMETER_COLUMNS = [c if c != "substance" else "parameter" for c in FACTOR_COLUMNS]
# The table of the documents factor rows cite (DESIGN 3.4); listed in datapackage.json but not a factor table.
SOURCE_DOCUMENTS = "source_documents.csv"
# The Chinese titles of the copies values were read in (factors.sources.copy_title); not a factor table either.
READ_IN_COPIES = "read_in_copies.csv"
# Resolution levels: local parameter rows beat user directories beat shipped tables (DESIGN 3.3).
SHIPPED, USER, LOCAL = 1, 2, 3
# The control-penetration table (factors.penetration) shares the folder but not the factor shape.
PENETRATION_FILE = penetration.FILE
NOT_FACTOR_TABLES = (SOURCE_DOCUMENTS, READ_IN_COPIES, PENETRATION_FILE)


def table_files(directory: Traversable | Path) -> list[Traversable | Path]:
    """The factor and parameter CSV tables of a factor directory: those its datapackage.json lists, else
    every *.csv; the control-penetration table is not one of them."""
    package = directory / "datapackage.json"
    if package.is_file():
        spec = json.loads(package.read_text(encoding="utf-8"))
        return [directory / r["path"] for r in spec.get("resources", [])
                if r["path"] not in NOT_FACTOR_TABLES]
    return sorted((p for p in directory.iterdir() if p.name.endswith(".csv") and p.name not in NOT_FACTOR_TABLES),
                  key=lambda p: p.name)


def read_table(path: Traversable | Path) -> pd.DataFrame:
    """One factor or parameter CSV as text columns, with its file name and 1-based CSV line number."""
    text = path.read_text(encoding="utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in OPTIONAL_COLUMNS:
        if column not in frame:
            frame[column] = ""
    frame["file"] = path.name
    frame["line"] = frame.index + 2
    return frame


def to_long(frame: pd.DataFrame, level: int) -> pd.DataFrame:
    """A raw table (factor or parameter shape) -> the long resolution table.

    Rows whose unit does not fit their parameter are dropped here; `factors check`
    reports them.
    """
    if "substance" in frame:
        name = "ef." + frame["substance"]
    else:
        name = frame["parameter"]
    value = pd.to_numeric(frame["value"], errors="coerce")
    conv = parameter_conversions(name, frame["unit"])  # each distinct (parameter, unit) converted once
    ok = conv["factor"].notna() & value.notna()
    conv = conv[ok]
    return pd.DataFrame({
        "factor_id": frame["factor_id"][ok], "name": name[ok], "category": frame["category"][ok],
        "activity": frame["activity"][ok], "technology": frame["technology"][ok],
        "region": frame["region"][ok],
        "year_from": pd.to_numeric(frame["year_from"][ok], errors="coerce"),
        "year_to": pd.to_numeric(frame["year_to"][ok], errors="coerce"),
        "value": value[ok] * conv["factor"], "basis": conv["basis"],
        "published_value": value[ok],
        "unit": frame["unit"][ok], "method": frame["method"][ok], "source": frame["source"][ok],
        "source_detail": frame["source_detail"][ok],
        "uncertainty_low_pct": pd.to_numeric(frame["uncertainty_low_pct"][ok], errors="coerce"),
        "uncertainty_high_pct": pd.to_numeric(frame["uncertainty_high_pct"][ok], errors="coerce"),
        "level": level, "file": frame["file"][ok], "line": frame["line"][ok],
        "factor_sets": frame["factor_sets"][ok] if "factor_sets" in frame else "",
        "read_in": frame["read_in"][ok] if "read_in" in frame else "",
    })


def load_directory(directory: Traversable | Path, level: int) -> pd.DataFrame:
    """Every table of one factor directory as one long table, its control-penetration table
    (factors.penetration) included as `penetration.<group>` rows."""
    frames = [to_long(read_table(p), level) for p in table_files(directory)]
    if (directory / PENETRATION_FILE).is_file():
        frames.append(penetration.to_long(penetration.read(directory / PENETRATION_FILE), level))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@cache
def shipped() -> pd.DataFrame:
    """The shipped default tables (emission_factors/ of the repository)."""
    return load_directory(resources.factors_dir(), SHIPPED)


def factor_set_version() -> str:
    """The shipped factor set's version (datapackage.json `version`)."""
    spec = json.loads((resources.factors_dir() / "datapackage.json").read_text(encoding="utf-8"))
    return str(spec.get("version", ""))


def load_every_set(user_dirs: list[Path] | None = None) -> pd.DataFrame:
    """Shipped tables plus user directories, the rows of every factor set."""
    frames = [shipped()] + [load_directory(d, USER) for d in (user_dirs or [])]
    return pd.concat([f for f in frames if not f.empty], ignore_index=True)


def load_all(user_dirs: list[Path] | None = None, factor_set: str | None = None) -> pd.DataFrame:
    """Shipped tables plus user directories (user rows win over shipped ones), keeping the rows of
    `factor_set` (DESIGN 3.4; None = the default set): rows naming other sets only are left out."""
    table = load_every_set(user_dirs)
    return sets.select(table, sets.checked(factor_set)).reset_index(drop=True)
