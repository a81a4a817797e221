"""A build's output folder (DESIGN 3.7): the combined set, one set per region (all its years), the manifests.

Region sets are written by worker processes when asked; one that fails is reported in the
status table (exit code 3) and the others still finish. In a project build a failed
region-year is left out of its region's files and listed in the region's manifest; a region
whose every year failed has a folder holding only its manifest.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd


from inventory import __version__, memory, regions
from inventory.grouped import coded, release
from inventory.read import Inputs
from inventory.report import tables
from inventory.result import CHECK_COLUMNS, EMISSION_COLUMNS, BuildResult

STATUS_COLUMNS = ["region", "year", "status", "exit_code", "rejected", "message"]


def manifest_for(inputs: Inputs, files: list[dict], status: str, outputs: list[str], meta: dict) -> dict:
    """manifest.json content (DESIGN 3.7): status, inputs, outputs, row counts, skipped, rejected, warnings
    (problems with their codes, worded in the build's language `meta["lang"]`)."""
    lang = meta.get("lang", "zh")
    ledger = inputs.ledger
    skipped = ledger[ledger["status"] == "skipped"][["file", "sheet", "row", "reason"]].to_dict("records")
    rejected = [p.to_dict(lang) for p in inputs.errors]
    return {"status": status, "program_version": __version__, "factor_set": meta.get("factor_set"),
            "factor_set_version": meta.get("factor_set_version"),
            "gwp_set": meta.get("gwp_set"), "inputs": files, "outputs": outputs, "rows": inputs.counts(),
            "skipped": skipped, "rejected": rejected, "warnings": [p.to_dict(lang) for p in inputs.warnings]}


def write_failed_build(inputs: Inputs, files: list[dict], meta: dict, out: Path) -> dict:
    """A build that wrote no inventory: only its manifest (status `failed`) in `out`; returns the manifest."""
    manifest = manifest_for(inputs, files, "failed", ["manifest.json"], meta)
    with tables.staged(out) as stage:
        tables.write_manifest(manifest, stage)
    return manifest


# Above this many regions only provinces and prefectures get folders of their own, unless asked for all (DESIGN 3.7).
MAX_REGION_FOLDERS = 200
FOLDER_LEVELS = ("province", "prefecture")


def write_build(result: BuildResult, inputs: Inputs, files: list[dict], failed: dict[tuple[str, int], int],
                out: Path, lang: str, jobs: int = 1, progress: Callable[..., None] = lambda stage, *a: None,
                per_region: str = "", early: EmissionFiles | None = None) -> tuple[dict, pd.DataFrame]:
    """Every output of a build into `out` (staged, then moved in place): the combined outputs, a folder per
    region (write_outputs; `failed`: region-year -> rows rejected, left out of the region's files) with its
    manifest listing each of its years' status, and manifest.json with the status of every region-year.
    per_region: "all" gives every region a folder whatever their number. early: the emissions files being
    written already (start_emission_files), moved in place. Returns the manifest and the
    status table (region, year, status, exit_code, rejected, message)."""
    with tables.staged(out) as stage:
        try:
            outputs, status = write_outputs(result, stage, lang, jobs, progress, set(failed), per_region, early)
        finally:
            if early is not None:
                early.cancel()
        status = pd.concat([status, failed_status(failed)], ignore_index=True)
        status = status.sort_values(["region", "year"], kind="stable").reset_index(drop=True)
        folders = folder_regions(result, failed, per_region)
        if folders:
            outputs += write_region_manifests(status, folders, outputs, inputs, files, result.meta, stage)
        manifest = manifest_for(inputs, files, "ok" if not failed else "partial", outputs + ["manifest.json"],
                                result.meta)
        manifest["region_years"] = status.to_dict("records")
        tables.write_manifest(manifest, stage)
    return manifest, status


def failed_status(failed: dict[tuple[str, int], int]) -> pd.DataFrame:
    """The status table's rows of the failed region-years (`failed`: region-year -> rows rejected)."""
    rows = [{"region": region, "year": year, "status": "failed", "exit_code": 2, "rejected": n,
             "message": "region_year_rows_rejected" if n else "region_year_prefecture_failed"}
            for (region, year), n in sorted(failed.items())]
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _region_sets(emissions: pd.DataFrame, failed: set, per_region: str
                 ) -> tuple[list[tuple[str, int]], dict[str, list[int]], list[str]]:
    """The region-years written (every one of `emissions` but the `failed`), each region's years, and the regions
    that get a folder of their own (folder_regions), in the order of their codes."""
    pairs = sorted(set(region_years(emissions)) - failed)
    folders = set(_folder_codes(emissions, failed, per_region))
    by_region: dict[str, list[int]] = {}
    for region, year in pairs:
        by_region.setdefault(region, []).append(year)
    return pairs, by_region, [r for r in by_region if r in folders]


def write_emission_files(emissions: pd.DataFrame, folder: Path, positions: dict[str, np.ndarray]) -> None:
    """emissions.csv and emissions.parquet (DESIGN 3.7 columns) in `folder`, and in each region's folder
    `folder/<region>/` the rows at its `positions` (ascending): the CSV rows' bytes copied from the combined
    file, the Parquet rows made Arrow from the region's rows."""
    table = emissions[EMISSION_COLUMNS]
    found = tables.write_csv(table, folder / "emissions.csv")
    for region, rows in positions.items():
        (folder / region).mkdir(parents=True, exist_ok=True)
        tables.write_csv(table.iloc[rows] if found is None else None, folder / region / "emissions.csv",
                         found.take(rows) if found is not None else None)
    tables.write_parquet(table, folder / "emissions.parquet")  # made Arrow a batch of rows at a time (issue 14)
    for region, rows in positions.items():
        tables.write_parquet(table.iloc[rows], folder / region / "emissions.parquet")


def _emission_files_child(emissions: pd.DataFrame, folder: Path, positions: dict[str, np.ndarray]) -> None:
    """A forked process's work (start_emission_files): the files, then a mark that they are all written."""
    write_emission_files(emissions, folder, positions)
    (folder / ".done").touch()


class EmissionFiles:
    """The emissions files of a build (write_emission_files) being written by a forked process into a folder of
    their own beside the output folder, from the emissions table as it was when the process started (issue 14:
    the compute stage's checks, analyses and figures run on one core; the other writes these meanwhile)."""

    def __init__(self, emissions: pd.DataFrame, out: Path, positions: dict[str, np.ndarray]) -> None:
        import multiprocessing
        import tempfile

        self.out, self.made_out = out, not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        self.emissions, self.positions = emissions, positions
        self.folder = Path(tempfile.mkdtemp(prefix=".inventory-emissions-", dir=out))
        self.process = multiprocessing.get_context("fork").Process(
            target=_emission_files_child, args=(emissions, self.folder, positions), daemon=True)
        self.process.start()

    def finish(self, folder: Path) -> None:
        """Wait for the files and move them into `folder` (its region folders made as needed); written here
        instead when the process failed."""
        self.process.join()
        if not (self.folder / ".done").exists():  # the process failed: written in this one
            write_emission_files(self.emissions, folder, self.positions)
        else:
            for name in ("emissions.csv", "emissions.parquet"):
                os.replace(self.folder / name, folder / name)
            for region in self.positions:
                (folder / region).mkdir(parents=True, exist_ok=True)
                for name in ("emissions.csv", "emissions.parquet"):
                    os.replace(self.folder / region / name, folder / region / name)
        self.cancel()

    def cancel(self) -> None:
        """Stop the process if it still runs and remove its folder, and the output folder if it made it and
        nothing else is in it (a build that failed before writing leaves no empty folder)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.made_out and not any(self.out.iterdir()):
            self.out.rmdir()


# Above this many emission rows the emissions files are written in the write stage, not beside the checks: the
# writing process's own memory (the CSV cells' codes, the Arrow table of texts: ≈ 0.3 KiB a row, 800 MiB at
# county scale, 2.7M rows) would add to the compute stage's peak, which at national scale (45.7M rows) is the
# build's.
EARLY_MAX_ROWS = 10_000_000


def start_emission_files(emissions: pd.DataFrame, out: Path, failed: dict | set, jobs: int,
                         per_region: str = "") -> EmissionFiles | None:
    """Start writing a build's emissions files (the combined and every region folder's emissions.csv and
    .parquet, as write_outputs would) in a forked process, as soon as the emissions table is made; None (they
    are then written by write_outputs) with jobs 1, where processes are not forked or above EARLY_MAX_ROWS
    emission rows. `emissions` must not change afterwards."""
    if jobs <= 1 or START_METHOD != "fork" or len(emissions) > EARLY_MAX_ROWS:
        return None
    _, by_region, chosen = _region_sets(emissions, set(failed), per_region)
    groups = emissions.groupby("region", sort=False, dropna=False).indices if len(emissions) else {}
    positions = {r: _rows_of(emissions, groups, [r], set(by_region[r])) for r in chosen}
    return EmissionFiles(emissions, out, positions)


def region_years(emissions: pd.DataFrame) -> list[tuple[str, int]]:
    """The distinct (region, year) pairs of an emissions table, sorted: the first row of each pair found on the
    columns' integer codes, whole regions at a time (grouped.Coded.first_rows; a drop_duplicates of the two
    columns hashed every row: 1.4 GB over 45.7M national rows, issue 14). The codes are not kept."""
    if not len(emissions):
        return []
    rows = coded(emissions).first_rows(["region", "year"])
    release(emissions)
    keys = emissions[["region", "year"]].take(rows)
    return sorted(zip(keys["region"].astype(str).tolist(), keys["year"].astype(int).tolist()))


def folder_regions(result: BuildResult, failed: dict | set, per_region: str = "") -> list[str]:
    """The regions that get a folder OUT/<code>/ (DESIGN 3.7): none when the build has one region-year;
    every region up to MAX_REGION_FOLDERS regions or with per_region "all"; above, provinces and
    prefectures only."""
    return _folder_codes(result.emissions, failed, per_region)


def _folder_codes(emissions: pd.DataFrame, failed: dict | set, per_region: str = "") -> list[str]:
    """folder_regions of a result with these emissions."""
    pairs = set(region_years(emissions)) | set(failed)
    codes = sorted({r for r, _ in pairs})
    if len(pairs) <= 1:
        return []
    if per_region == "all" or len(codes) <= MAX_REGION_FOLDERS:
        return codes
    level = regions.table()["level"]
    return [c for c in codes if level.get(c, "") in FOLDER_LEVELS]


def write_region_manifests(status: pd.DataFrame, folders: list[str], outputs: list[str], inputs: Inputs,
                           files: list[dict], meta: dict, folder: Path) -> list[str]:
    """OUT/<code>/manifest.json for each region with a folder: `status` (ok, partial or failed), `years` (each
    year's status, exit code, rows rejected and reason), the region's `outputs`, and the rejected rows and
    warnings of its own input rows. Returns the files written (relative to folder)."""
    lang = meta.get("lang", "zh")
    by_region = {r: g for r, g in status.groupby("region", sort=False)}
    ledger = inputs.ledger
    wanted = set(folders)
    named = {p.row for p in (*inputs.errors, *inputs.warnings)}  # only the rows a problem names are looked up
    mine = ledger[ledger["region"].isin(wanted) & ledger["row"].isin(named)] if named else ledger.iloc[:0]
    region_of = dict(zip(zip(mine["file"], mine["sheet"], mine["row"]), mine["region"]))
    problems: dict[tuple[str, str], list[dict]] = {}
    for kind, found in (("rejected", inputs.errors), ("warnings", inputs.warnings)):
        for p in found:
            region = region_of.get((p.file, p.sheet, p.row))
            if region is not None:
                problems.setdefault((region, kind), []).append(p.to_dict(lang))
    written = []
    for region in folders:
        years = by_region.get(region, status.iloc[:0])
        ok = years["status"].eq("ok")
        state = "ok" if ok.all() else ("failed" if not ok.any() else "partial")
        prefix = f"{region}/"
        manifest = {"status": state, "region": region, "region_name": regions.name(region, lang),
                    "program_version": __version__, "factor_set": meta.get("factor_set"),
                    "factor_set_version": meta.get("factor_set_version"), "gwp_set": meta.get("gwp_set"),
                    "inputs": files,
                    "outputs": [o[len(prefix):] for o in outputs if o.startswith(prefix)] + ["manifest.json"],
                    "years": years.drop(columns="region").to_dict("records"),
                    "rejected": problems.get((region, "rejected"), []),
                    "warnings": problems.get((region, "warnings"), [])}
        (folder / region).mkdir(parents=True, exist_ok=True)
        tables.write_manifest(manifest, folder / region)
        written.append(f"{region}/manifest.json")
    return written


def write_outputs(result: BuildResult, folder: Path, lang: str, jobs: int = 1,
                  progress: Callable[..., None] = lambda stage, *a: None, failed: set | None = None,
                  per_region: str = "", early: EmissionFiles | None = None) -> tuple[list[str], pd.DataFrame]:
    """The combined outputs, and one folder OUT/<region>/ per region (folder_regions) holding the region's
    files for all its years except the `failed` region-years.

    Region sets are written by `jobs` processes while this one writes the combined set (the workers are
    forked where the system can: they share the result and are sent only region codes); one that fails is
    reported in the status table (exit code 3 for each of its years) and the others still finish. Each
    region's CSVs (emissions, checks, analyses) are its rows' bytes copied from the combined files, and its
    emissions.parquet its rows taken from the combined Arrow table, by this process, or, given `early`
    (start_emission_files), the emissions files by the process it started, their files moved in place here.
    Without `early` the emissions files are written first, before the views are made and the region writers
    start, so that their temporaries and the views are not held at once (issue 14: 1.2 GB nationally).
    Returns the files written (relative to folder) and the status per region-year.
    """
    failed = failed or set()
    pairs, by_region, chosen = _region_sets(result.emissions, failed, per_region)
    parts = RegionParts(result, folder, lang, by_region)
    if early is None:  # before the views are made: the files' temporaries and the views are not held at once
        write_emission_files(result.emissions, folder, {r: parts.positions(r) for r in chosen})
        memory.give_back()  # the files' freed temporaries returned before the next table (issue 14)
    parts.make_views()  # once, before any writer process starts (forked writers share them)
    with _region_writers(parts, chosen, jobs) as outcomes:
        for name, table in csv_tables(result)[1:]:  # each combined CSV, then each region's rows copied from it
            found = tables.write_csv(table, folder / name)
            for region in chosen:
                positions = parts.positions(region, name)
                (folder / region).mkdir(parents=True, exist_ok=True)
                tables.write_csv(table.iloc[positions] if found is None else None, folder / region / name,
                                 found.take(positions) if found is not None else None)
            del found
            memory.give_back()
        written = _write_set(result, folder, lang, parts.views)
        memory.give_back()  # the combined report's freed temporaries, before the regions' sets (issue 14)
        if early is not None:
            early.finish(folder)
        outcomes = dict(zip(chosen, outcomes()))
    rows = []
    for i, (region, outcome) in enumerate(outcomes.items(), start=1):
        progress("stage_writing_regions", i, len(outcomes))
        if isinstance(outcome, list):
            written += [f"{region}/{name}" for name in outcome]
    for region, year in pairs:
        outcome = outcomes.get(region, [])
        ok = isinstance(outcome, list)
        rows.append({"region": region, "year": year, "status": "ok" if ok else "failed", "exit_code": 0 if ok else 3,
                     "rejected": 0, "message": "" if ok else outcome})
    return written, pd.DataFrame(rows, columns=STATUS_COLUMNS)


class RegionParts:
    """What a region's set is written from: the whole result, its RegionRows index, its views (views.view_set:
    made once for the combined set and every region's share of them taken from it, by make_views), the output
    folder, the language and each region's years. Worker processes get it once (forked: shared, not copied)
    and are then sent region codes only."""

    def __init__(self, result: BuildResult, folder: Path, lang: str, years: dict[str, list[int]]) -> None:
        self.result, self.folder, self.lang, self.years = result, folder, lang, years
        self.index = RegionRows(result)  # one groupby per table for all the regions
        self.views = None

    def make_views(self) -> None:
        """Make the result's views (views.view_set) once; the regions' sets take their shares of them."""
        from inventory.report.views import view_set

        if self.views is None:
            self.views = view_set(self.result, self.lang)

    def positions(self, region: str, name: str = "emissions.csv") -> np.ndarray:
        """Positions (ascending) of the region's own rows over its years in the whole result's table that
        CSV `name` holds (csv_tables), as _subset selects them."""
        result, years = self.result, set(self.years[region])
        if name == "emissions.csv":
            return self.index.positions(result.emissions, "region", [region], years)
        if name == "checks.csv":
            return self.index.positions(result.checks, "region", [region], years)
        table = result.analysis[name.removesuffix(".csv")]
        return self.index.positions(table, "region", [region], years, _year_column(table))

    def size(self, region: str) -> int:
        """The number of the region's emission rows (the biggest parts are handed out first)."""
        return len(self.positions(region))

    def write(self, region: str) -> list[str] | str:
        """The region's set but its CSVs and Parquet (written by the parent, write_outputs); its files, or the
        error's text (the other regions carry on)."""
        try:
            sub = self.folder / str(region)
            sub.mkdir(parents=True, exist_ok=True)
            part, keep = _subset(self.result, region, self.years[region], self.index)
            self.make_views()
            return _write_set(part, sub, self.lang, _region_views(self.views, part, keep, region, self.years[region],
                                                                  self.index, self.lang))
        except Exception as exc:  # noqa: BLE001 - reported per region, never lost
            return f"{type(exc).__name__}: {exc}"


# How region writers start: forked on Linux (the result shared, not pickled); elsewhere spawned and sent the
# result once (fork is unsafe on macOS and missing on Windows).
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"
_PARTS: RegionParts | None = None  # a worker process's RegionParts (set once by _adopt)


def _adopt(parts: RegionParts) -> None:
    """A worker process's start: keep the parts it writes from."""
    global _PARTS
    _PARTS = parts


def _write_adopted(region: str) -> list[str] | str:
    """One region's set, in a worker process (from the RegionParts it adopted)."""
    return _PARTS.write(region)


@contextmanager
def _region_writers(parts: RegionParts, regions: list[str], jobs: int):
    """Start writing the regions' sets and give a function that waits for them: their outcomes (file lists
    or error texts) in the order of `regions`. With jobs > 1 and two regions or more, `jobs` worker
    processes write them (forked on Linux, so the result is shared, not pickled; elsewhere each worker is
    sent it once), the biggest first, while the caller goes on; otherwise they are written
    in this process when the function is called."""
    if jobs <= 1 or len(regions) < 2:
        yield lambda: [parts.write(r) for r in regions]
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(regions)),
                               mp_context=multiprocessing.get_context(START_METHOD),
                               initializer=_adopt, initargs=(parts,))
    try:
        futures = {r: pool.submit(_write_adopted, r) for r in sorted(regions, key=parts.size, reverse=True)}
        yield lambda: [futures[r].result() for r in regions]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def csv_tables(result: BuildResult) -> list[tuple[str, pd.DataFrame]]:
    """The CSV files of a set and the tables they hold, in the order they are written: emissions.csv
    (DESIGN 3.7 columns), checks.csv (CHECK_COLUMNS), one per analysis table (key_categories.csv, ...)."""
    return [("emissions.csv", result.emissions[EMISSION_COLUMNS]),
            ("checks.csv", result.checks.reindex(columns=CHECK_COLUMNS)),
            *[(f"{name}.csv", table) for name, table in sorted(result.analysis.items())]]


def _write_set(result: BuildResult, folder: Path, lang: str, views=None) -> list[str]:
    """One set of outputs but its CSVs and Parquet (written by write_outputs): workbook and report from
    `result` into `folder` (`views`: the result's views.view_set when already made). Returns the set's files,
    the CSVs and Parquet among them."""
    from inventory.report import excel, html  # renderers load only when writing
    from inventory.report.views import view_set

    names = ["emissions.csv", "checks.csv", *(f"{name}.csv" for name in sorted(result.analysis))]  # csv_tables'
    views = views or view_set(result, lang)  # the workbook and the report show the same views: made once
    excel.write_workbook(result, folder / "inventory.xlsx", lang, views)
    html.write_html(result, folder / "report.html", lang, views)
    return [names[0], "emissions.parquet", *names[1:], "inventory.xlsx", "report.html"]


class RegionRows:
    """The row positions of each region in each table of a result, found once per table (one groupby) and
    used for every region's subset: a region's part then costs its own rows, not a scan of every table."""

    def __init__(self, result: BuildResult) -> None:
        self._groups: dict[tuple[int, str], tuple[pd.DataFrame, dict]] = {}
        warned: dict[tuple, list[int]] = {}
        for i, w in enumerate(result.warnings):
            warned.setdefault((w.file, w.sheet, w.row), []).append(i)
        self.warned = warned  # (file, sheet, row) -> positions in result.warnings
        self.everywhere = [i for i, w in enumerate(result.warnings) if w.row is None]
        # Each emission row's factor_ids as a code into its distinct values, each split once into its ids.
        column = result.emissions["factor_ids"]
        if isinstance(column.dtype, pd.CategoricalDtype):  # its own codes (issue 14: no int64 code a row)
            self.factor_codes, cells = column.array.codes, column.cat.categories
        else:
            self.factor_codes, cells = pd.factorize(column, use_na_sentinel=True)
        self.factor_ids = [str(cell).split(";") for cell in cells.tolist()]
        factors = result.factors  # each factor id's rows in the factor table
        self.factor_rows = factors.groupby("factor_id", sort=False).indices \
            if factors is not None and len(factors) else {}

    def __getstate__(self) -> dict:
        """Pickled (sent to a spawned worker) without the groups found so far: they are keyed by the tables'
        ids, which are not theirs in another process."""
        return {**self.__dict__, "_groups": {}}

    def factors_used(self, rows: np.ndarray) -> set[str]:
        """The factor ids the emission rows at `rows` name."""
        codes = np.unique(self.factor_codes[rows])
        return {i for c in codes[codes >= 0].tolist() for i in self.factor_ids[c]}

    def factor_positions(self, rows: np.ndarray) -> np.ndarray:
        """Positions (ascending) of the rows of the result's factor table that the emission rows at `rows` use."""
        found = [self.factor_rows[i] for i in self.factors_used(rows) if i in self.factor_rows]
        return np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.intp)

    def positions(self, table: pd.DataFrame, column: str, codes, years: set[int] | None = None,
                  year_column: str = "year") -> np.ndarray:
        """Positions (ascending) of the rows of `table` whose `column` is one of `codes` and, when `years`
        is given, whose `year_column` is one of them."""
        key = (id(table), column)
        if key not in self._groups:  # the table is kept with its groups, so its id stays its own
            self._groups[key] = (table, table.groupby(column, sort=False, dropna=False).indices if len(table) else {})
        return _rows_of(table, self._groups[key][1], codes, years, year_column)

    def take(self, table: pd.DataFrame, column: str, codes, years: set[int] | None = None,
             year_column: str = "year") -> pd.DataFrame:
        """The rows `positions` finds, in the table's order and with its index (as a boolean mask selects them)."""
        return table.iloc[self.positions(table, column, codes, years, year_column)]


def _rows_of(table: pd.DataFrame, groups: dict, codes, years: set[int] | None = None,
             year_column: str = "year") -> np.ndarray:
    """RegionRows.positions from the table's groups (its groupby indices, by the column of `codes`)."""
    found = [groups[c] for c in codes if c in groups]
    rows = np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.intp)
    if years is not None and len(rows):
        rows = rows[np.isin(table[year_column].to_numpy()[rows].astype(int), list(years))]
    return rows


def _year_column(table: pd.DataFrame) -> str:
    """The column that holds a table's year (`year_to` in tables of changes from one year to another)."""
    return "year" if "year" in table else "year_to"


class _Taken(Mapping):
    """Tables by name, each one's rows taken from the whole result's table when first asked for (`take`), so a
    region's part costs only the tables its outputs read (its views and summaries are taken already made)."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], take: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        self._tables, self._take, self._taken = tables, take, {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._taken:
            self._taken[name] = self._take(self._tables[name])
        return self._taken[name]

    def __iter__(self):
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


def _subset(result: BuildResult, region: str, years: list[int], index: RegionRows | None = None,
            ) -> tuple[BuildResult, np.ndarray]:
    """The part of a result that belongs to one region over `years`, and the positions of its emission rows
    in the whole result's. `index`: the result's RegionRows, shared by all regions' subsets.

    The region's emission rows are its own only (DESIGN 3.7: a region's folder holds its own files; own
    and aggregated basis rows alike), so its detail sheet and emissions.csv/.parquet never repeat its child
    regions' rows, which are in their own folders. Its figures keep the child regions' summed tables (the
    comparison with its parts: region_comparison, maps, summaries), already computed for the whole build.
    Every table is selected from the whole result's, never recomputed: a figure shows the same number in
    the region's files as in the combined ones.
    """
    index = index or RegionRows(result)
    kids = list(regions.children(region))
    chosen = set(years)

    e = result.emissions
    keep = index.positions(e, "region", [region], chosen)
    checks = index.take(result.checks, "region", [region], chosen)
    ne = result.not_estimated
    ne = index.take(ne, "region", [region], chosen) if len(ne) else ne
    # The region's own rows, and rows whose region could not be read (they concern every region).
    ledger = index.take(result.ledger, "region", [region, ""])
    warned = index.everywhere
    if index.warned:  # warnings that name a row: those of the region's rows
        mine = zip(ledger["file"], ledger["sheet"], ledger["row"])
        warned = sorted({i for key in mine for i in index.warned.get(key, ())}.union(index.everywhere))
    warnings = [result.warnings[i] for i in warned]
    analysis = _Taken(result.analysis, lambda t: index.take(t, "region", [region], chosen, _year_column(t)))
    qa_tables = _Taken(result.qa_tables, lambda t: index.take(t, "region", [region], chosen))
    stats = result.statistics
    if stats is not None and len(stats):
        stats = index.take(stats, "region", [region], chosen)
    figures = _Taken(result.figures, lambda t: index.take(t, "province", [region], chosen, _year_column(t))
                     if "province" in t else index.take(t, "region", [region, *kids], chosen, _year_column(t)))
    factors = result.factors
    if factors is not None:
        factors = factors.iloc[index.factor_positions(keep)]
    return BuildResult(e.iloc[keep], checks, ne, ledger, warnings,
                       {**result.meta, "regions": [region], "years": sorted(chosen)}, analysis, stats, qa_tables,
                       figures, factors), keep


# Views made from the figure tables (a region's part holds its child regions' rows of these, as _subset takes
# them); the other views are made from analysis and QA tables (the region's own rows).
_FIGURE_VIEWS = {"series", "penetration", "plant_coverage"}


def _region_views(views, part: BuildResult, keep: np.ndarray, region: str, years: list[int], index: RegionRows,
                  lang: str):
    """A region's views.view_set, taken from the whole result's `views`: each table's rows that _subset gives
    the region's `part` (its own rows, and its child regions' rows of the figure tables; its years; the factors
    its emission rows at `keep` use), with the
    value columns its rows show (summaries.shown_columns). It equals view_set(part, lang) (the frames' index
    aside), without making the views again for each region. The series view, a pivot over the years, is taken
    only when the part keeps every year of it; otherwise, as for any view without a year column, it is made
    from the part."""
    from inventory.report import views as made
    from inventory.report.summaries import shown_columns

    chosen = set(years)
    mine = [region, *regions.children(region)]

    def take(frame: pd.DataFrame, codes: list[str], column: str = "region") -> pd.DataFrame:
        return index.take(frame, column, codes, chosen, _year_column(frame))

    shown = views.summaries
    factors = shown["factors"]
    summaries = {"key_figures": take(shown["key_figures"], mine),
                 "factors": None if factors is None else factors.iloc[index.factor_positions(keep)],
                 "sector_gas": shown_columns(take(shown["sector_gas"], mine), "sector_gas"),
                 "pollutants": shown_columns(take(shown["pollutants"], mine), "pollutants"),
                 "comparison": shown_columns(take(shown["comparison"], [region], "province"), "comparison"),
                 "trees": {sector: shown_columns(take(tree, mine), "tree") for sector, tree in shown["trees"].items()}}

    def share(view):
        frame = view.frame
        codes = mine if view.key in _FIGURE_VIEWS else [region]
        if view.key == "series":
            years_shown = [k for k, _, f in view.columns if k.isdigit()]
            if not chosen.issuperset(int(y) for y in years_shown):
                return made.series_view(part, lang)
            frame = index.take(frame, "region", codes)
            if not frame[years_shown].notna().any().all():  # a year the part has no value for
                return made.series_view(part, lang)
        elif "year" in frame or "year_to" in frame:
            frame = take(frame, codes)
        else:
            makers = {**{m.__name__.removesuffix("_view"): m for m in (
                made.targets_view, made.cocontrol_view, made.ccd_view, made.uncertainty_view, made.official_view,
                made.penetration_view, made.plant_coverage_view, made.reference_approach_view, made.external_view,
                made.external_fuel_view, made.completeness_view)}, "key_categories": made.key_category_view}
            return makers[view.key](part, lang)
        return dataclasses.replace(view, frame=frame) if len(frame) else None

    return made.ViewSet([v for v in map(share, views.analysis) if v is not None],
                        [v for v in map(share, views.qa) if v is not None], summaries)
