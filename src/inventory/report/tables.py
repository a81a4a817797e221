"""Machine-readable outputs: emissions.csv/.parquet, checks.csv, manifest.json; written atomically."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from inventory.result import EMISSION_COLUMNS


BOM = "\ufeff".encode()
_CSV_CHUNK_ROWS = 100_000
_PARQUET_BATCH_ROWS = 1_000_000  # rows made Arrow at a time for Parquet (whole row groups)


@dataclass(frozen=True)
class CsvRows:
    """Where each row of a written emissions.csv lies: `path` and the byte offset of each row's start,
    then the file's end (`offsets`, one more than the rows; the header ends at offsets[0])."""

    path: Path
    offsets: np.ndarray

    def take(self, positions: np.ndarray) -> CsvSlice:
        """The rows at `positions` (ascending) as byte ranges, neighbouring rows as one range."""
        if not len(positions):
            return CsvSlice(self.path, int(self.offsets[0]), [])
        breaks = np.flatnonzero(np.diff(positions) != 1) + 1
        firsts = positions[np.r_[0, breaks]]
        lasts = positions[np.r_[breaks - 1, len(positions) - 1]]
        return CsvSlice(self.path, int(self.offsets[0]),
                        list(zip(self.offsets[firsts].tolist(), self.offsets[lasts + 1].tolist())))


@dataclass(frozen=True)
class CsvSlice:
    """Some rows of a written emissions.csv: its `path`, where its header ends, the rows' byte `ranges`."""

    path: Path
    header: int
    ranges: list[tuple[int, int]]


def write_emissions(emissions: pd.DataFrame, folder: Path, rows: CsvSlice | None = None,
                    ) -> tuple[list[str], CsvRows | None]:
    """emissions.csv (write_csv of the DESIGN 3.7 columns) and emissions.parquet (write_parquet); returns the
    names written and where each CSV row lies (CsvRows; None when the rows were copied or a text cell holds a
    line break).

    rows: where `emissions`' rows lie in a bigger emissions.csv already written (write_csv)."""
    table = emissions[EMISSION_COLUMNS]
    found = write_csv(table, folder / "emissions.csv", rows)
    write_parquet(table, folder / "emissions.parquet")
    return ["emissions.csv", "emissions.parquet"], found


def write_csv(table: pd.DataFrame | None, path: Path, rows: CsvSlice | None = None) -> CsvRows | None:
    """`table` as a CSV at `path` (the bytes to_csv writes, UTF-8 with BOM, _write_csv); returns where each
    row lies (CsvRows; None when a text cell holds a line break, so rows are not lines, or when copied).

    rows: where the rows lie in a bigger CSV of the same columns already written (a region's rows in the
    combined file): the CSV is then their bytes copied, the same text to_csv gives for them (every cell is
    formatted on its own), without formatting them again; `table` is then not read (may be None)."""
    if rows is None:
        return _write_csv(table, path)
    with open(rows.path, "rb") as src, open(path, "wb") as dst:
        dst.write(src.read(rows.header))
        for start, end in rows.ranges:
            src.seek(start)
            dst.write(src.read(end - start))
    return None


def _write_csv(table: pd.DataFrame, path: Path) -> CsvRows | None:
    """`table` as pandas' to_csv writes it (no index, UTF-8 with BOM, "\\n" line ends), noting where each row starts:
    the cells formatted a column at a time (_csv_cells) and joined with Arrow, or, for a column of a kind
    _csv_cells does not cover, with to_csv a chunk of rows at a time (None when a text cell then holds a
    line break, so rows are not lines). The cells are made a chunk of rows at a time (issue 14: a whole
    column's distinct numbers as texts were GBs at national scale), the same texts as for the whole column."""
    cells = [_csv_column(column, last=i == table.shape[1] - 1) for i, (_, column) in enumerate(table.items())]
    fast = len(table.columns) > 0 and all(c is not None for c in cells)
    with open(path, "wb") as f:
        f.write(BOM + table.iloc[:0].to_csv(index=False, lineterminator="\n").encode())
        starts = [np.array([f.tell()])]
        lines = True
        for start in range(0, len(table), _CSV_CHUNK_ROWS):
            end = min(start + _CSV_CHUNK_ROWS, len(table))
            parts = [c(start, end) for c in cells] if fast else []
            if fast and all(p is not None for p in parts):
                taken = [uniques.take(pa.array(codes)) for uniques, codes in parts]
                del parts
                joined = pc.binary_join_element_wise(*taken, ",")
                ends = np.cumsum(pc.binary_length(joined).to_numpy(zero_copy_only=False)) + f.tell()
                f.write(joined_bytes(joined))
            else:  # a kind of column _csv_cells does not cover, or a text Arrow cannot hold (to_csv raises then)
                chunk = table.iloc[start:end]
                text = chunk.to_csv(index=False, header=False, lineterminator="\n").encode()
                ends = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 10) + 1 + f.tell()
                lines = lines and len(ends) == len(chunk)
                f.write(text)
            starts.append(ends)
    return CsvRows(path, np.concatenate(starts)) if lines else None


def _csv_column(column: pd.Series, last: bool = False) -> Callable[[int, int], tuple | None] | None:
    """The cells of rows start:end of one column (_csv_cells) as a function of (start, end); None for a kind of
    column _csv_cells does not cover. A Categorical's texts are made once, its rows' codes taken per chunk."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        whole = _csv_cells(column.iloc[:0], last)
        if whole is None:
            return None
        texts, _ = whole
        codes = column.array.codes  # the Categorical's own codes: `.cat.codes.to_numpy()` copies them (issue 14)
        n = len(texts) - 1  # -1 (missing) -> the empty text, last

        def categorical(start: int, end: int) -> tuple[pa.Array, np.ndarray]:
            part = codes[start:end]
            return texts, np.where(part < 0, n, part).astype(np.int32)
        return categorical
    if dtype == object:  # the kind of the whole column (a chunk of it could hold only missing cells)
        if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
            return None
    elif _csv_cells(column.iloc[:0], last) is None:
        return None
    return lambda start, end: _csv_cells(column.iloc[start:end], last)


def _csv_cells(column: pd.Series, last: bool = False) -> tuple[pa.Array, np.ndarray] | None:
    """The cells of one column as to_csv writes them: each distinct cell text once (an Arrow string array,
    the empty text last, for missing values) and each row's position in it; `last`: the row's line end
    follows each text. Float64 cells as numpy's str (Python's repr, which pandas uses), int64, Int64 and
    bool as str,
    text (a column of texts or a Categorical of texts) quoted by the csv module as to_csv's writer quotes it;
    None for any other kind of column (other nullable kinds, mixed objects, dates), which to_csv then writes."""
    end = "\n" if last else ""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype == np.float64:
        values = column.to_numpy()
        bits = values.view(np.int64)  # by bit pattern: 0.0 and -0.0 stay apart
        codes, uniques = pd.factorize(bits)
        codes[np.isnan(values)] = -1
        texts = [repr(v) + end for v in uniques.view(np.float64).tolist()]
    elif (isinstance(dtype, np.dtype) and dtype in (np.int64, np.bool_)) or isinstance(dtype, pd.Int64Dtype):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)  # a nullable Int64's missing cells: ""
        texts = [str(v) + end for v in uniques.tolist()]
    elif isinstance(dtype, pd.StringDtype) or (dtype == object and pd.api.types.infer_dtype(column, skipna=True)
                                                in ("string", "empty")):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        texts = _quoted(uniques.tolist(), end)
    elif isinstance(dtype, pd.CategoricalDtype) and pd.api.types.infer_dtype(dtype.categories, skipna=True) \
            in ("string", "empty"):  # a column of texts carried as codes (lookup.categorical): -1 is missing
        codes = column.cat.codes.to_numpy().astype(np.int64)
        texts = _quoted(dtype.categories.tolist(), end)
    else:
        return None
    codes = np.where(codes < 0, len(texts), codes).astype(np.int32)  # half the memory of intp codes (issue 14)
    try:
        return pa.array(texts + [end], type=pa.string()), codes
    except (UnicodeEncodeError, pa.ArrowException):  # e.g. a lone surrogate: to_csv raises on it as before
        return None


def _quoted(values: list[str], end: str) -> list[str]:
    """Each text as one CSV cell, quoted by the csv module as to_csv's writer quotes it, followed by `end`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=",", quoting=csv.QUOTE_MINIMAL,
                        doublequote=True, escapechar=None, quotechar='"')
    texts = []
    for value in values:
        writer.writerow([value, ""])  # a second, empty field: a lone empty field would be quoted
        texts.append(buffer.getvalue()[:-2] + end)
        buffer.seek(0)
        buffer.truncate()
    return texts


def joined_bytes(strings: pa.Array) -> pa.Buffer:
    """The UTF-8 bytes of all strings of a null-free string array, one after the other: a slice of the array's
    own data buffer (not copied; a bytes-like object for file and zip writes and bytes.join)."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[strings.offset:strings.offset + len(strings) + 1]
    return strings.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def arrow_table(table: pd.DataFrame) -> pa.Table:
    """`table` as Arrow for Parquet, each Categorical of texts written as the column of texts it stands for
    (Arrow large_string, pandas metadata of a str column), so the file is the one a table of texts gives: a
    dictionary column would repeat its whole dictionary in every row group (one per region and year)."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    coded = [i for i, field in enumerate(arrow.schema) if pa.types.is_dictionary(field.type)
             and (pa.types.is_string(field.type.value_type) or pa.types.is_large_string(field.type.value_type))]
    if not coded:
        return arrow
    meta = json.loads(arrow.schema.metadata[b"pandas"])
    names = {arrow.schema.field(i).name for i in coded}
    for column in meta["columns"]:
        if column["name"] in names:
            column.update(pandas_type="object", numpy_type="str", metadata=None)
    for i in coded:
        arrow = arrow.set_column(i, arrow.schema.field(i).name, arrow.column(i).cast(pa.large_string()))
    return arrow.replace_schema_metadata({**arrow.schema.metadata, b"pandas": json.dumps(meta).encode()})


def write_parquet(table: pd.DataFrame, path: Path, arrow: pa.Table | None = None) -> None:
    """The emissions table (sorted by region and year) as Parquet with one row group per region and year
    (DESIGN 3.7, issue 14), so a reader can take one region (pyarrow filters, row-group statistics) without
    loading the rest. arrow: `table` as Arrow already (arrow_table, or rows taken from a bigger
    table made so: a region's from the combined one); `table` is then read for its region and year only.
    Without it, the rows are made Arrow a batch of whole row groups at a time (issue 14: the national table's
    texts as Arrow strings at once were over 10 GB), the same row groups and bytes."""
    import pyarrow.parquet as pq

    starts = [0] if len(table) == 0 else \
        [0, *np.flatnonzero(_changes(table["region"]) | _changes(table["year"])) + 1]
    ends = [*starts[1:], len(table)]
    writer = None
    try:
        first = 0
        while first < len(starts):
            last = first  # the row groups first..last, at least one, up to _PARQUET_BATCH_ROWS rows
            while last + 1 < len(starts) and ends[last + 1] - starts[first] <= _PARQUET_BATCH_ROWS:
                last += 1
            offset = starts[first]
            part = arrow.slice(offset, ends[last] - offset) if arrow is not None \
                else arrow_table(table.iloc[offset:ends[last]])
            if writer is None:
                writer = pq.ParquetWriter(path, part.schema)
            for start, end in zip(starts[first:last + 1], ends[first:last + 1]):
                writer.write_table(part.slice(start - offset, end - start), row_group_size=max(end - start, 1))
            first = last + 1
    finally:
        if writer is not None:
            writer.close()


def _changes(column: pd.Series) -> np.ndarray:
    """True where a row's value differs from the previous row's (`values[1:] != values[:-1]`; a missing cell
    differs from every cell, as NaN does). A Categorical by its codes (issue 14: the region and year of the
    national table's rows as one object array, twice, were over 4 GB)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.array.codes
        return (codes[1:] != codes[:-1]) | (codes[1:] < 0) | (codes[:-1] < 0)
    values = column.to_numpy()
    return np.asarray(values[1:] != values[:-1], dtype=bool)


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
