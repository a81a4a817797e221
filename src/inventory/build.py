"""The build pipeline: read -> validate -> resolve factors -> compute -> aggregate -> check -> write."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from inventory import __version__, aggregate, categories, regions
from inventory.factors import load
from inventory.factors.coverage import add_level_warnings
from inventory.factors.resolve import local_to_long
from inventory import methods
from inventory.province import add_aggregated
from inventory.qa.checks import CheckContext, run_checks
from inventory.read import Inputs, read_inputs
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


@dataclass
class BuildOutcome:
    """What a build did: its result (None when nothing was built), manifest and exit code."""

    result: BuildResult | None
    manifest: dict
    exit_code: int
    inputs: Inputs
    region_years: pd.DataFrame | None = None  # region, year, status, exit_code, rejected, message


def _selection(options: BuildOptions) -> set[str] | None:
    """Regions to read: the named ones and, for a named province, its prefectures (for aggregation)."""
    if options.regions is None:
        return None
    selected = set(options.regions)
    for code in options.regions:
        selected |= set(regions.children(code))
    return selected


def compile_inventory(inputs: Inputs, factor_table: pd.DataFrame, gwp: str = "AR5", lang: str = "zh",
                      built: set[str] | None = None, thresholds: dict | None = None, draws: int = 10000,
                      seed: int = 0, targets: pd.DataFrame | None = None) -> BuildResult:
    """Emissions, checks and not-estimated list from validated inputs (no files written).

    built: the regions to report (None = every region with rows of its own; a province
    without rows of its own is built only when named, DESIGN 3.6).
    """
    activity = inputs.activity
    if built is None:
        built = set(activity["region"])
    table = pd.concat([factor_table, local_to_long(inputs.params)], ignore_index=True)
    emissions, not_estimated = methods.compute_all(activity, table)
    emissions = add_aggregated(emissions, activity, built)
    emissions = emissions[emissions["region"].isin(built)]
    emissions = _finish(emissions, gwp, lang)
    context = CheckContext(emissions=emissions, inputs=inputs, factor_table=table, not_estimated=not_estimated,
                           thresholds=thresholds or {})
    checks = run_checks(context)
    not_estimated = _label_not_estimated(not_estimated, lang)
    stats = statistics(activity, built)
    return BuildResult(emissions=emissions, checks=checks,
                       not_estimated=not_estimated, ledger=inputs.ledger,
                       warnings=[p.to_dict() for p in inputs.warnings],
                       analysis=analyse(emissions, table, inputs.params, draws, seed, _with_summed(activity, stats),
                                        targets),
                       statistics=stats, qa_tables={k: v for k, v in context.tables.items() if len(v)})


def statistics(activity: pd.DataFrame, built: set[str]) -> pd.DataFrame:
    """The statistics rows (category `stat`: GDP in 元, population in 人) of the built regions, summed
    per region, year and activity."""
    stat = activity[activity["category"] == "stat"] if len(activity) else activity
    if stat.empty:
        return pd.DataFrame(columns=["region", "year", "activity", "amount"])
    own = stat.groupby(["region", "year", "activity"], as_index=False)["amount"].sum()
    # A built province without statistics of its own gets its prefectures' sum (as its emissions do).
    parent = own["region"].map(regions.parent)
    summed = own.assign(region=parent)[parent.isin(built)].groupby(["region", "year", "activity"],
                                                                    as_index=False)["amount"].sum()
    have = set(zip(own["region"], own["year"], own["activity"]))
    summed = summed[[k not in have for k in zip(summed["region"], summed["year"], summed["activity"])]]
    out = pd.concat([own, summed], ignore_index=True)
    return out[out["region"].isin(built)].reset_index(drop=True)


def _with_summed(activity: pd.DataFrame, stats: pd.DataFrame) -> pd.DataFrame:
    """The activity rows plus the statistics summed for provinces without their own (see `statistics`)."""
    own = activity[activity["category"] == "stat"] if len(activity) else activity
    have = set(zip(own["region"], own["year"], own["activity"])) if len(own) else set()
    extra = stats[[k not in have for k in zip(stats["region"], stats["year"], stats["activity"])]]
    return pd.concat([activity, extra.assign(category="stat", technology="")], ignore_index=True) if len(extra) \
        else activity


def analyse(emissions: pd.DataFrame, factor_table: pd.DataFrame, params: pd.DataFrame, draws: int,
            seed: int, activity: pd.DataFrame | None = None, targets: pd.DataFrame | None = None
            ) -> dict[str, pd.DataFrame]:
    """The analyses whose inputs the build has (DESIGN 3.9): key categories always; uncertainty
    (Approach 1 and Monte Carlo) when any row's activity and factor uncertainty are known;
    co-control indicators when a region has two years; target tracking when a targets file is given."""
    from inventory.analysis.cocontrol import cocontrol
    from inventory.analysis.key_categories import key_categories
    from inventory.analysis.targets import track_targets
    from inventory.analysis.uncertainty import analyse_uncertainty, row_uncertainties

    # Activity uncertainty comes only from `uncertainty.activity` rows: without them nothing is known.
    has_activity_uncertainty = len(params) > 0 and params["name"].eq("uncertainty.activity").any()
    uncertainty = (analyse_uncertainty(emissions, factor_table, params, draws=draws, seed=seed).table
                   if has_activity_uncertainty else pd.DataFrame())
    rows = row_uncertainties(emissions, factor_table, params, kinds=("emission", "sink")) if len(uncertainty) else None
    out = {"key_categories": key_categories(emissions, rows)}
    if len(uncertainty):
        out["uncertainty"] = uncertainty
    if len(emissions) and emissions.groupby("region")["year"].nunique().max() > 1:
        out["cocontrol"] = cocontrol(emissions)
    if targets is not None:
        stat = activity if activity is not None else pd.DataFrame(columns=["region", "year", "category", "activity",
                                                                          "amount"])
        out["targets"] = track_targets(targets, emissions, stat)
    return out


def _finish(emissions: pd.DataFrame, gwp: str, lang: str) -> pd.DataFrame:
    """Names, CO2e, kind and implied factor; DESIGN 3.7 column order; sorted."""
    out = aggregate.label_categories(aggregate.add_co2e(emissions, gwp), lang)
    out["region_name"] = out["region"].map(regions.table()[f"name_{lang}"])
    out["unit"] = "t"
    with np.errstate(divide="ignore", invalid="ignore"):
        out["implied_factor"] = out["emission"] / out["activity_amount"].where(out["activity_amount"] != 0)
    out["year"] = out["year"].astype(int)
    for column in ("emission", "co2e_t", "activity_amount", "implied_factor"):
        out[column] = out[column].astype(float)
    out = out.sort_values(SORT, kind="stable").reset_index(drop=True)
    return out[EMISSION_COLUMNS + ["sector", "substance_kind"]]


def _label_not_estimated(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["region", "year", "category", "category_name", "activity", "substance", "reason"])
    frame = frame.assign(category_name=frame["category"].map(categories.table()[f"name_{lang}"]))
    return frame.sort_values(["region", "year", "category", "activity", "substance"]).reset_index(drop=True)[
        ["region", "year", "category", "category_name", "activity", "substance", "reason"]]


def manifest_for(inputs: Inputs, files: list[dict], status: str, outputs: list[str], meta: dict) -> dict:
    """manifest.json content (DESIGN 3.7): status, inputs, outputs, row counts, skipped, rejected, warnings."""
    ledger = inputs.ledger
    skipped = ledger[ledger["status"] == "skipped"][["file", "sheet", "row", "reason"]].to_dict("records")
    rejected = [p.to_dict() for p in inputs.errors]
    return {"status": status, "program_version": __version__, "factor_set_version": meta.get("factor_set_version"),
            "gwp_set": meta.get("gwp_set"), "inputs": files, "outputs": outputs, "rows": inputs.counts(),
            "skipped": skipped, "rejected": rejected, "warnings": [p.to_dict() for p in inputs.warnings]}


def build_inventory(options: BuildOptions, progress: Callable[..., None] = lambda stage, *a: None) -> BuildOutcome:
    """Run a whole build and write its outputs into options.out (DESIGN 3.7, 3.8).

    Exit code: 0 built; 1 built but rows were rejected (--keep-going) or checks failed
    (--strict); 2 rejected rows without --keep-going (only the manifest is written).
    In a project build (options.project) each region-year succeeds or fails on its own:
    a region-year with a rejected row is not built (its folder holds only its manifest),
    the others are, and the exit code is the highest of theirs.
    progress(stage) names a stage; progress(stage, done, total) counts written region-years.
    """
    from inventory.report import tables

    targets = None
    if options.targets is not None:
        from inventory.analysis.targets import load_targets
        targets = load_targets(options.targets)  # a bad targets file is a usage error, before any work
    progress("reading workbooks")
    inputs, files = read_inputs(options.paths, _selection(options), options.years, options.base)
    meta = {"program_version": __version__, "factor_set_version": load.factor_set_version(),
            "gwp_set": options.gwp, "gwp_data_version": aggregate.gwp_version(), "lang": options.lang,
            "build_time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "inputs": files}
    failed = failed_region_years(inputs) if options.project and not options.keep_going else {}
    whole = any(p.row is None for p in inputs.errors) or (
        inputs.errors and not options.keep_going and (failed is None or not options.project))
    if whole:
        manifest = manifest_for(inputs, files, "failed", ["manifest.json"], meta)
        with tables.staged(options.out) as stage:
            tables.write_manifest(manifest, stage)
        return BuildOutcome(None, manifest, 2, inputs)
    failed = failed or {}
    built_inputs = without_region_years(inputs, set(failed)) if failed else inputs

    progress("resolving factors and computing emissions")
    factor_table = load.load_all(options.factor_dirs)
    add_level_warnings(inputs, factor_table)  # rows given above the level of their factors (DESIGN 3.2)
    result = compile_inventory(built_inputs, factor_table, options.gwp, options.lang, options.regions,
                               options.checks, options.draws, options.seed, targets)
    meta["regions"] = sorted(set(result.emissions["region"]))
    meta["years"] = sorted(int(y) for y in set(result.emissions["year"]))
    result.meta = meta

    progress("writing outputs")
    with tables.staged(options.out) as stage:
        outputs, status = write_outputs(result, stage, options.lang, options.jobs, progress)
        status = pd.concat([status, _failed_status(failed, inputs, files, meta, stage)], ignore_index=True)
        status = status.sort_values(["region", "year"], kind="stable").reset_index(drop=True)
        outputs += [f"{r}/{y}/manifest.json" for r, y in failed]
        manifest = manifest_for(inputs, files, "ok" if not failed else "partial", outputs + ["manifest.json"], meta)
        manifest["region_years"] = status.to_dict("records")
        tables.write_manifest(manifest, stage)
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
        key = pd.Series(list(zip(frame["region"], frame["year"])), index=frame.index, dtype=object)
        return frame[~key.isin(pairs)]
    return dataclasses.replace(inputs, activity=keep(inputs.activity), params=keep(inputs.params),
                               notation=keep(inputs.notation), facility=keep(inputs.facility),
                               supply=keep(inputs.supply))


def _failed_status(failed: dict, inputs: Inputs, files: list[dict], meta: dict, folder: Path) -> pd.DataFrame:
    """Write the manifest of each failed region-year into its folder; their rows of the status table."""
    from inventory.report import tables

    rows = []
    by_pair = _errors_by_region_year(inputs)
    for (region, year), n in sorted(failed.items()):
        sub = folder / str(region) / str(year)
        sub.mkdir(parents=True, exist_ok=True)
        mine = by_pair.get((region, year), [])
        manifest = manifest_for(inputs, files, "failed", ["manifest.json"], {**meta, "regions": [region],
                                                                             "years": [year]})
        manifest["rejected"] = [p.to_dict() for p in mine]
        manifest["reason"] = ("rows rejected" if n else "a prefecture of this region failed")
        tables.write_manifest(manifest, sub)
        rows.append({"region": region, "year": year, "status": "failed", "exit_code": 2, "rejected": n,
                     "message": manifest["reason"]})
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _errors_by_region_year(inputs: Inputs) -> dict[tuple[str, int], list]:
    """The rejecting problems grouped by the region-year of their row (looked up once in the ledger)."""
    ledger = inputs.ledger
    rejected = ledger[(ledger["status"] == "rejected") & ledger["year"].notna()]
    where = {(f, s, r): (reg, int(y)) for f, s, r, reg, y in
             rejected[["file", "sheet", "row", "region", "year"]].itertuples(index=False)}
    out: dict[tuple[str, int], list] = {}
    for p in inputs.errors:
        pair = where.get((p.file, p.sheet, p.row))
        if pair is not None:
            out.setdefault(pair, []).append(p)
    return out


STATUS_COLUMNS = ["region", "year", "status", "exit_code", "rejected", "message"]


def write_outputs(result: BuildResult, folder: Path, lang: str, jobs: int = 1,
                  progress: Callable[..., None] = lambda stage, *a: None) -> tuple[list[str], pd.DataFrame]:
    """The combined outputs, and one folder OUT/<region>/<year>/ per region-year when there are several.

    Region-year sets are written by `jobs` processes; one that fails is reported in the
    status table (exit code 3) and the others still finish.
    Returns the files written (relative to folder) and the status per region-year.
    """
    written = _write_set(result, folder, lang)
    pairs = sorted(set(zip(result.emissions["region"], result.emissions["year"].astype(int))))
    if len(pairs) <= 1:
        return written, pd.DataFrame([{"region": r, "year": y, "status": "ok", "exit_code": 0, "rejected": 0,
                                       "message": ""} for r, y in pairs], columns=STATUS_COLUMNS)
    parts = [(_subset(result, r, y), folder / str(r) / str(y), lang) for r, y in pairs]
    rows = []
    for i, ((region, year), outcome) in enumerate(zip(pairs, _run_parts(parts, jobs)), start=1):
        progress("writing region-years", i, len(pairs))
        if isinstance(outcome, list):
            written += [f"{region}/{year}/{name}" for name in outcome]
            rows.append({"region": region, "year": year, "status": "ok", "exit_code": 0, "rejected": 0,
                         "message": ""})
        else:
            rows.append({"region": region, "year": year, "status": "failed", "exit_code": 3, "rejected": 0,
                         "message": outcome})
    return written, pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _run_parts(parts: list[tuple], jobs: int):
    """Write each part (in order), in `jobs` worker processes when jobs > 1; yields file lists or error texts."""
    if jobs <= 1 or len(parts) < 2:
        yield from map(_write_part, parts)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=min(jobs, len(parts)), mp_context=context) as pool:
        yield from pool.map(_write_part, parts)


def _write_part(part: tuple) -> list[str] | str:
    """One region-year's set; an error becomes its message (the other region-years carry on)."""
    result, sub, lang = part
    try:
        sub.mkdir(parents=True, exist_ok=True)
        return _write_set(result, sub, lang)
    except Exception as exc:  # noqa: BLE001 - reported per region-year, never lost
        return f"{type(exc).__name__}: {exc}"


def _write_set(result: BuildResult, folder: Path, lang: str) -> list[str]:
    from inventory.report import excel, html, tables  # renderers load only when writing

    written = tables.write_emissions(result.emissions, folder)
    written += tables.write_checks(result.checks, folder)
    written += tables.write_analysis(result.analysis, folder)
    excel.write_workbook(result, folder / "inventory.xlsx", lang)
    (folder / "report.html").write_text(html.render_html(result, lang), encoding="utf-8")
    return written + ["inventory.xlsx", "report.html"]


def _subset(result: BuildResult, region: str, year: int) -> BuildResult:
    """The part of a result that belongs to one region-year (its prefectures kept for comparison)."""
    kids = set(regions.children(region))
    keep = result.emissions["year"].eq(year) & (result.emissions["region"].eq(region)
                                                | result.emissions["region"].isin(kids))
    checks = result.checks[(result.checks["region"] == region) & (result.checks["year"] == year)]
    ne = result.not_estimated
    ne = ne[(ne["region"] == region) & (ne["year"] == year)] if len(ne) else ne
    # The region's own rows, and rows whose region could not be read (they concern every region).
    ledger = result.ledger[result.ledger["region"].isin({region, ""})]
    mine = set(zip(ledger["file"], ledger["sheet"], ledger["row"]))
    warnings = [w for w in result.warnings if (w["file"], w["sheet"], w["row"]) in mine or w["row"] is None]
    analysis = {name: t[(t["region"] == region) & (t["year" if "year" in t else "year_to"] == year)]
                for name, t in result.analysis.items()}
    qa_tables = {name: t[(t["region"] == region) & (t["year"] == year)] for name, t in result.qa_tables.items()}
    stats = result.statistics
    if stats is not None and len(stats):
        stats = stats[(stats["region"] == region) & (stats["year"] == year)]
    return BuildResult(result.emissions[keep], checks, ne, ledger, warnings,
                       {**result.meta, "regions": [region], "years": [year]}, analysis, stats, qa_tables)
