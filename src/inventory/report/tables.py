"""Machine-readable outputs: emissions.csv/.parquet, checks.csv, manifest.json; written atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from inventory.result import CHECK_COLUMNS, EMISSION_COLUMNS


def write_emissions(emissions: pd.DataFrame, folder: Path) -> list[str]:
    """emissions.csv (UTF-8 with BOM, DESIGN 3.7 columns and order) and emissions.parquet."""
    table = emissions[EMISSION_COLUMNS]
    table.to_csv(folder / "emissions.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    table.to_parquet(folder / "emissions.parquet", index=False)
    return ["emissions.csv", "emissions.parquet"]


def write_checks(checks: pd.DataFrame, folder: Path) -> list[str]:
    """checks.csv: one row per cross-verification or QA check."""
    checks.reindex(columns=CHECK_COLUMNS).to_csv(folder / "checks.csv", index=False, encoding="utf-8-sig",
                                                 lineterminator="\n")
    return ["checks.csv"]


def write_analysis(analysis: dict[str, pd.DataFrame], folder: Path) -> list[str]:
    """One CSV per analysis table (key_categories.csv, uncertainty.csv; DESIGN 3.9)."""
    names = []
    for name, table in sorted(analysis.items()):
        table.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
        names.append(f"{name}.csv")
    return names


def write_manifest(manifest: dict, folder: Path) -> str:
    """manifest.json, written by every build, failed ones too."""
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
                                          encoding="utf-8")
    return "manifest.json"


@contextmanager
def staged(out: Path):
    """A staging folder beside `out`; on success its contents replace those of `out`, on failure nothing changes."""
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".inventory-", dir=out))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    for item in sorted(stage.iterdir()):
        target = out / item.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(item, target)
    shutil.rmtree(stage, ignore_errors=True)
