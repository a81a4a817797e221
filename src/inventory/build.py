"""The build pipeline: read -> validate -> resolve factors -> compute -> aggregate -> check -> analyse -> write.

Orchestration only: each stage is a call into the module that does it (read/, factors/, methods/,
province.py, qa/, analysis/, report/outputs.py).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from inventory import __version__, aggregate, categories, grouped, memory, regions
from inventory import engine as _engine
from inventory.analysis import run_analyses
from inventory.errors import Problem, UsageError
from inventory.factors import load, sets
from inventory.factors.coverage import add_level_warnings
from inventory.factors.resolve import local_to_long
from inventory.factors.sources import used_factors
from inventory.figures import compute as compute_figures
from inventory.figures import indicators as figure_indicators
from inventory.lookup import constant, map_categorical, sort_order
from inventory.methods import indirect, tier3
from inventory.methods.keys import tiers
from inventory.project import Project, parse_gwp, parse_regions, parse_years, with_scope
from inventory.province import add_aggregated, statistics, with_statistics
from inventory.qa.checks import CheckContext, read_check_files, run_checks
from inventory.read import Inputs, read_inputs
from inventory.report.outputs import start_emission_files, write_build, write_failed_build
from inventory.result import EMISSION_COLUMNS, BuildResult

SORT = ["region", "year", "category", "activity", "technology", "substance"]


@dataclass
class BuildOptions:
    """Options of one build (DESIGN 3.8); regions/years None = all in the inputs."""

    paths: list[Path]
    out: Path
    regions: set[str] | None = None
    years: set[int] | None = None
    gwp: str = "AR5"
    lang: str = "zh"
    factor_dirs: list[Path] = field(default_factory=list)
    keep_going: bool = False
    strict: bool = False
    checks: dict = field(default_factory=dict)
    base: Path | None = None
    draws: int = 10000
    seed: int = 0
    jobs: int = 1
    targets: Path | None = None  # a targets file (DESIGN 3.8 `targets`, 3.9 targets.csv)
    project: bool = False  # a project build: each region-year succeeds or fails on its own (DESIGN 3.8)
    warnings: list[Problem] = field(default_factory=list)  # the project file's (listed with the inputs')
    factor_set: str = "china"  # the shipped factor set (DESIGN 3.4: china, ipcc, ceads)
    name: str = ""  # the project's name (shown in the report's header)
    per_region: str = ""  # "all": a folder for every region even above 200 regions (DESIGN 3.7)
    maps: bool = True  # the report's schematic maps (`--no-maps`, [report] maps = false: left out)
    engine: str = "local"  # where emissions are computed (inventory.engine: local or dask)
    scheduler: str | None = None  # a Dask scheduler's address (engine dask; None: a local cluster)

    @classmethod
    def from_project(cls, project: Project | None = None, paths: list[Path] | None = None, out: Path = Path("out"),
                     *, regions=None, years=None, gwp: str = "", lang: str = "zh", factor_dirs=(),
                     keep_going: bool = False, strict: bool = False, draws: int = 10000, seed: int = 0,
                     jobs: int = 0, targets: Path | None = None, factor_set: str = "",
                     per_region: str = "", maps: bool | None = None, engine: str = "local",
                     scheduler: str | None = None) -> "BuildOptions":
        """The options of a build: a project's settings (None: no project file) merged with overrides
        (the command line's options; None or empty = not given), all validated: every problem in one
        UsageError (exit 2).

        paths: the inputs (default: the project's). regions: codes or names, years: years or ranges
        ("2019-2021"): each replaces the project's. gwp: replaces the project's (default AR5). factor_dirs:
        searched after the project's `factors` (each must be a folder). targets: replaces the project's.
        jobs: processes writing region-year folders (0 = one per CPU). draws ≥ 100 Monte Carlo draws.
        factor_set: china, ipcc or ceads (DESIGN 3.4); replaces the project's (default: china).
        per_region: "all" (a folder for every region above 200 regions too, DESIGN 3.7) or empty.
        maps: the report's maps on or off (None: the project's [report] maps, default on).
        engine: `local` or `dask`; scheduler: a Dask scheduler's address (dask only; None: a local cluster).
        """
        problems: list[Problem] = []

        def checked(read, value):
            try:
                return read(value)
            except UsageError as exc:
                problems.extend(exc.problems)

        inputs = list(paths) if paths else (list(project.inputs) if project else [])
        if not inputs:
            problems.append(Problem("no_inputs_given", expected="expect_inputs"))
        if lang not in ("zh", "en"):
            problems.append(Problem("unknown_language", value=str(lang), expected="expect_language"))
        dirs = (list(project.factors) if project else []) + [Path(d) for d in factor_dirs or []]
        problems += [Problem("folder_not_found", file=str(d), expected="expect_factor_folder") for d in dirs if not d.is_dir()]
        targets = Path(targets) if targets else (project.targets if project else None)
        if targets is not None and not targets.is_file():
            problems.append(Problem("file_not_found", file=str(targets), column="targets",
                                    expected="expect_targets_file"))
        if per_region not in ("", "all"):
            problems.append(Problem("invalid_setting", column="per_region", value=str(per_region),
                                    expected="expect_per_region"))
        for name, value, least in (("draws", draws, 100), ("seed", seed, 0), ("jobs", jobs, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                problems.append(Problem("invalid_setting", column=name, value=str(value),
                                        expected="expect_whole_number_at_least", params=(("min", str(least)),)))
        compute_engine = checked(lambda e: _engine.checked(e, scheduler), engine)
        options = cls(
            paths=inputs, out=Path(out), lang=lang, factor_dirs=dirs, keep_going=keep_going, strict=strict,
            gwp=checked(parse_gwp, gwp or (project.gwp if project else "AR5")),
            regions=checked(parse_regions, regions) if regions else (project.regions if project else None),
            years=checked(parse_years, years) if years else (project.years if project else None),
            checks=with_scope(project.checks, project.scope) if project else {},
            base=project.base if project else Path.cwd(),
            draws=draws, seed=seed, jobs=jobs or _cpus(), targets=targets, project=project is not None,
            warnings=list(project.warnings) if project else [],
            factor_set=checked(sets.checked, factor_set or (project.factor_set if project else "")),
            name=project.name if project else "", per_region=per_region,
            maps=maps if maps is not None else (project.maps if project else True),
            engine=compute_engine or "local", scheduler=scheduler or None)
        if problems:
            raise UsageError(problems)
        return options


def _cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class BuildOutcome:
    """What a build did: its result (None when nothing was built), manifest and exit code; `inputs` are the
    validated inputs (of a build that computed, without their activity rows: dropped once computed)."""

    result: BuildResult | None
    manifest: dict
    exit_code: int
    inputs: Inputs
    region_years: pd.DataFrame | None = None  # region, year, status, exit_code, rejected, message


def _selection(options: BuildOptions) -> set[str] | None:
    """Regions to read: the named ones and every region below them (a named province's prefectures and
    counties, for its sums at every level)."""
    if options.regions is None:
        return None
    return set(options.regions) | regions.descendants(options.regions)


def compile_inventory(inputs: Inputs, factor_table: pd.DataFrame, gwp: str = "AR5", lang: str = "zh",
                      built: set[str] | None = None, thresholds: dict | None = None, draws: int = 10000,
                      seed: int = 0, targets: pd.DataFrame | None = None, compute_engine: str = "local",
                      scheduler: str | None = None,
                      emissions_made: Callable[[pd.DataFrame], None] = lambda emissions: None) -> BuildResult:
    """Emissions, checks, not-estimated list, analyses and figures (inventory.figures) from validated
    inputs (no files written).

    built: the regions to report (None = every region with rows of its own; a province
    without rows of its own is built only when named, DESIGN 3.6). compute_engine, scheduler: where the
    emissions are computed (inventory.engine: `local`, or `dask` on the cluster at `scheduler`).
    emissions_made(emissions) is called with the emissions table as soon as it is made (it does not change
    afterwards).
    """
    memory.give_back()  # the read stage's freed temporaries returned before the compute (issue 14)
    # Net electricity imports from the balances' supply rows where a region-year gives none of its own. Without
    # any, the activity table is taken as it is: a concatenation would copy it, and the copy lives through the
    # whole compile beside the Inputs (≈ 1 GB nationally, issue 14).
    imports = indirect.net_imports(inputs.supply, inputs.activity)
    activity = (inputs.activity.reset_index(drop=True) if imports.empty
                else pd.concat([inputs.activity, imports], ignore_index=True))
    # The methods take region, category and activity as Categoricals where the read made them (issue 14).
    coded = getattr(inputs, "coded_activity", None)
    rows = coded().reset_index(drop=True) if coded and imports.empty else activity
    if built is None:
        built = regions_of(rows)
    table = pd.concat([factor_table, local_to_long(inputs.params)], ignore_index=True)
    emissions, not_estimated = _engine.emission_rows(
        rows, table,
        partial(reduce_emissions, activity=activity, table=table, built=built, gwp=gwp, lang=lang,
                facility=getattr(inputs, "facility", None)),
        compute_engine, scheduler)
    del rows  # the read's Categoricals are the Inputs' own; the table made of them is not kept
    memory.give_back()  # each stage's freed temporaries returned before the next one (issue 14)
    emissions_made(emissions)
    context = CheckContext(emissions=emissions, inputs=inputs, factor_table=table, not_estimated=not_estimated,
                           thresholds=thresholds or {})
    checks = run_checks(context)
    context.not_estimated = None  # read by the checks only: not kept beside its labelled copy (issue 14)
    not_estimated = _label_not_estimated(not_estimated, lang)
    memory.give_back()
    stats = statistics(activity, built)
    indicator_table = figure_indicators(emissions, stats)  # once: targets.csv and every output read it
    memory.give_back()
    analysis = run_analyses(emissions, table, inputs.params, draws, seed, with_statistics(activity, stats), targets,
                            indicator_table)
    memory.give_back()
    figures = compute_figures(emissions, stats, analysis, context.tables, indicator_table, table)
    grouped.release(emissions)  # the emissions' codes, read by the checks, analyses and figures only (issue 14)
    memory.give_back()
    return BuildResult(emissions=emissions, checks=checks,
                       not_estimated=not_estimated, ledger=inputs.ledger,
                       warnings=list(inputs.warnings), analysis=analysis,
                       statistics=stats, qa_tables={k: v for k, v in context.tables.items() if len(v)},
                       figures=figures, factors=used_factors(emissions["factor_ids"], table))


def regions_of(activity: pd.DataFrame) -> set:
    """The regions of the activity rows, `set(activity["region"])`: read off a Categorical's codes where the region
    is one (the read's, read.Inputs.coded_activity), without a value per row."""
    region = activity["region"]
    if isinstance(region.dtype, pd.CategoricalDtype):
        codes = region.array.codes  # the Categorical's own (Series.cat.codes.to_numpy() copies them)
        if len(codes) and codes.min() >= 0:
            used = np.zeros(len(region.cat.categories), dtype=bool)
            used[codes] = True
            return set(region.cat.categories[used])
    return set(region)


def reduce_emissions(emissions: pd.DataFrame, activity: pd.DataFrame, table: pd.DataFrame, built: set[str],
                     gwp: str, lang: str, facility: pd.DataFrame | None = None) -> pd.DataFrame:
    """The emissions table from the methods' rows: plants' reported emissions in place of the factor estimate
    for their activity (methods.tier3, IPCC Tier 3), provinces without rows of their own as the sum of their
    prefectures (province.add_aggregated), built regions only, tiers, then `_finish`."""
    emissions = tier3.apply(emissions, facility)
    emissions = add_aggregated(emissions, activity, built)
    emissions = emissions[emissions["region"].isin(built)]
    emissions = emissions.assign(tier=tier3.tier(emissions["factor_ids"], tiers(emissions["factor_ids"], table)))
    # Sorted here, so that the unsorted rows are freed before the labels are added (one copy of the table).
    emissions = emissions.take(sort_order(emissions, SORT)).reset_index(drop=True)
    return _finish(emissions, gwp, lang, is_sorted=True)


def _finish(emissions: pd.DataFrame, gwp: str, lang: str, is_sorted: bool = False) -> pd.DataFrame:
    """Names, CO2e, kind and implied factor; DESIGN 3.7 column order; sorted (before the labels are added,
    so that the sort moves only the computed columns; `is_sorted`: the caller sorted them by SORT).
    Text columns are Categoricals (a code per row)."""
    if not is_sorted:
        emissions = emissions.take(sort_order(emissions, SORT)).reset_index(drop=True)
    out = aggregate.label_categories(aggregate.add_co2e(emissions, gwp), lang)
    out["region_name"] = map_categorical(out["region"], regions.table()[f"name_{lang}"])
    out["unit"] = pd.Series(constant("t", len(out)), index=out.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["implied_factor"] = out["emission"] / out["activity_amount"].where(out["activity_amount"] != 0)
    out["year"] = out["year"].astype(int)
    for column in ("emission", "co2e_t", "activity_amount", "implied_factor", "reported_amount"):
        out[column] = out[column].astype(float)
    return out[EMISSION_COLUMNS + ["sector", "substance_kind"]]


def _label_not_estimated(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["region", "year", "category", "category_name", "activity", "substance", "reason"])
    frame = frame.take(sort_order(frame, ["region", "year", "category", "activity", "substance"])).reset_index(drop=True)
    frame = frame.assign(category_name=map_categorical(frame["category"], categories.table()[f"name_{lang}"]))
    # The reason as texts (a few distinct ones): the report counts them (`value_counts`, ties in row order). An
    # object column of a pointer a row to each distinct text made once: a `str` column holds a text a row, and
    # `to_numpy(dtype=object)` makes a Python str a row (issue 14: 16M national rows).
    codes, texts = pd.factorize(frame["reason"])
    texts = np.append(np.asarray(texts, dtype=object), np.nan)  # the last slot: code -1 (missing)
    frame["reason"] = pd.Series(texts[codes], index=frame.index, dtype=object)
    return frame[["region", "year", "category", "category_name", "activity", "substance", "reason"]]


def build_inventory(options: BuildOptions, progress: Callable[..., None] = lambda stage, *a: None) -> BuildOutcome:
    """Run a whole build and write its outputs into options.out (DESIGN 3.7, 3.8).

    Exit code: 0 built; 1 built but rows were rejected (--keep-going) or checks failed
    (--strict); 2 rejected rows without --keep-going (only the manifest is written).
    In a project build (options.project) each region-year succeeds or fails on its own:
    a region-year with a rejected row is not built (its folder holds only its manifest),
    the others are, and the exit code is the highest of theirs.
    progress(stage) names a stage (a code of data/messages.csv); progress(stage, done, total) counts
    written region-years.
    """
    targets = None
    if options.targets is not None:
        from inventory.analysis.targets import load_targets
        targets = load_targets(options.targets)  # a bad targets file is a usage error, before any work
    factor_set = sets.checked(options.factor_set)
    if options.regions:
        sets.check_regions(factor_set, options.regions)
    progress("stage_reading")
    check_files = read_check_files(options.checks)  # the checks' files too: a bad one stops before any compute
    inputs, files = read_inputs(options.paths, _selection(options), options.years, options.base)
    inputs.external = check_files
    inputs.problems = list(options.warnings) + inputs.problems
    sets.check_regions(factor_set, set(inputs.activity["region"]) if len(inputs.activity) else set())
    meta = {"project": options.name, "program_version": __version__, "factor_set": factor_set,
            "factor_set_version": load.factor_set_version(),
            "gwp_set": options.gwp, "gwp_data_version": aggregate.gwp_version(), "lang": options.lang,
            "maps": options.maps, "build_time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "inputs": files}
    failed = failed_region_years(inputs) if options.project and not options.keep_going else {}
    whole = any(p.row is None for p in inputs.errors) or (
        inputs.errors and not options.keep_going and (failed is None or not options.project))
    if whole:
        return BuildOutcome(None, write_failed_build(inputs, files, meta, options.out), 2, inputs)
    failed = failed or {}
    built_inputs = without_region_years(inputs, set(failed)) if failed else inputs

    progress("stage_computing")
    factor_table = load.load_all(options.factor_dirs, factor_set)
    add_level_warnings(inputs, factor_table)  # rows given above the level of their factors (DESIGN 3.2)
    early = []  # the emissions files, written by another process while the checks and analyses are computed

    def emissions_made(emissions: pd.DataFrame) -> None:
        early.append(start_emission_files(emissions, options.out, failed, options.jobs, options.per_region))

    try:
        result = compile_inventory(built_inputs, factor_table, options.gwp, options.lang, options.regions,
                                   options.checks, options.draws, options.seed, targets, options.engine,
                                   options.scheduler, emissions_made)
    except BaseException:
        for started in early:
            if started is not None:
                started.cancel()
        raise
    # The activity rows are read by the compile only: not kept through the write stage (issue 14: 0.7 GB nationally).
    inputs, built_inputs = dataclasses.replace(inputs, activity=inputs.activity.iloc[:0], activity_codes=()), None
    memory.give_back()
    meta["regions"] = sorted(str(r) for r in result.emissions["region"].unique())  # distinct values, not every row
    meta["years"] = sorted(int(y) for y in result.emissions["year"].unique())
    result.meta = meta

    progress("stage_writing")
    manifest, status = write_build(result, inputs, files, failed, options.out, options.lang, options.jobs, progress,
                                   options.per_region, early[0] if early else None)
    codes = [int(c) for c in status["exit_code"]] + [1 if inputs.errors else 0]
    if options.strict and (result.checks["result"] == "fail").any():
        codes.append(1)
    return BuildOutcome(result, manifest, max(codes), inputs, status)


def failed_region_years(inputs: Inputs) -> dict[tuple[str, int], int] | None:
    """Region-years with rejected rows -> their number of rejected rows; None when a rejected row's
    region or year is unknown (it could belong to any region-year). A province-year fails with any of
    its prefectures' (its totals and checks rest on them)."""
    rejected = inputs.ledger[inputs.ledger["status"] == "rejected"]
    if rejected.empty:
        return {}
    if "year" not in rejected or rejected["year"].isna().any() or (rejected["region"] == "").any():
        return None
    counts = rejected.groupby(["region", "year"]).size()
    failed: dict[tuple[str, int], int] = {}
    for (region, year), n in counts.items():
        for code in [c for c in regions.chain(region) if regions.table().at[c, "level"] != "country"]:
            failed[(code, int(year))] = failed.get((code, int(year)), 0) + (int(n) if code == region else 0)
    return failed


def without_region_years(inputs: Inputs, pairs: set[tuple[str, int]]) -> Inputs:
    """The inputs without the rows of the given region-years (parameter rows for every year stay)."""
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty or "region" not in frame or "year" not in frame:
            return frame
        return frame[~pd.MultiIndex.from_arrays([frame["region"], frame["year"]]).isin(list(pairs))]
    return dataclasses.replace(inputs, activity=keep(inputs.activity), params=keep(inputs.params),
                               notation=keep(inputs.notation), facility=keep(inputs.facility),
                               supply=keep(inputs.supply), activity_codes=())
