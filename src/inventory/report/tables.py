"""Machine-readable outputs: emissions.csv/.parquet, checks.csv, manifest.json; written atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from inventory.result import CHECK_COLUMNS, EMISSION_COLUMNS


def write_emissions(emissions: pd.DataFrame, folder: Path) -> list[str]:
    """emissions.csv (UTF-8 with BOM, DESIGN 3.7 columns and order) and emissions.parquet (write_parquet)."""
    table = emissions[EMISSION_COLUMNS]
    table.to_csv(folder / "emissions.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    write_parquet(table, folder / "emissions.parquet")
    return ["emissions.csv", "emissions.parquet"]


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """The emissions table (sorted by region and year) as Parquet with one row group per region and year
    (DESIGN 3.7, issue 14), so a reader can take one region (pyarrow filters, row-group statistics) without
    loading the rest."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    keys = table[["region", "year"]]
    starts = [0] if len(table) == 0 else \
        [0, *np.flatnonzero((keys.iloc[1:].to_numpy() != keys.iloc[:-1].to_numpy()).any(axis=1)) + 1]
    ends = [*starts[1:], len(table)]
    with pq.ParquetWriter(path, arrow.schema) as writer:
        for start, end in zip(starts, ends):
            writer.write_table(arrow.slice(start, end - start), row_group_size=max(end - start, 1))


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
