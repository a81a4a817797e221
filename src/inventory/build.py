"""The build pipeline: read -> validate -> resolve factors -> compute -> aggregate -> check -> write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from inventory import __version__, aggregate, categories, regions
from inventory.factors import load
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


@dataclass
class BuildOutcome:
    """What a build did: its result (None when nothing was built), manifest and exit code."""

    result: BuildResult | None
    manifest: dict
    exit_code: int
    inputs: Inputs


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
                      seed: int = 0) -> BuildResult:
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
    checks = run_checks(CheckContext(emissions=emissions, inputs=inputs, factor_table=table,
                                     not_estimated=not_estimated, thresholds=thresholds or {}))
    not_estimated = _label_not_estimated(not_estimated, lang)
    return BuildResult(emissions=emissions, checks=checks,
                       not_estimated=not_estimated, ledger=inputs.ledger,
                       warnings=[p.to_dict() for p in inputs.warnings],
                       analysis=analyse(emissions, table, inputs.params, draws, seed))


def analyse(emissions: pd.DataFrame, factor_table: pd.DataFrame, params: pd.DataFrame, draws: int,
            seed: int) -> dict[str, pd.DataFrame]:
    """The analyses whose inputs the build has (DESIGN 3.9): key categories always; uncertainty
    (Approach 1 and Monte Carlo) when any row's activity and factor uncertainty are known."""
    from inventory.analysis.key_categories import key_categories
    from inventory.analysis.uncertainty import analyse_uncertainty, row_uncertainties

    # Activity uncertainty comes only from `uncertainty.activity` rows: without them nothing is known.
    has_activity_uncertainty = len(params) > 0 and params["name"].eq("uncertainty.activity").any()
    uncertainty = (analyse_uncertainty(emissions, factor_table, params, draws=draws, seed=seed).table
                   if has_activity_uncertainty else pd.DataFrame())
    rows = row_uncertainties(emissions, factor_table, params, kinds=("emission", "sink")) if len(uncertainty) else None
    out = {"key_categories": key_categories(emissions, rows)}
    if len(uncertainty):
        out["uncertainty"] = uncertainty
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


def build_inventory(options: BuildOptions, progress: Callable[[str], None] = lambda stage: None) -> BuildOutcome:
    """Run a whole build and write its outputs into options.out (DESIGN 3.7, 3.8).

    Exit code: 0 built; 1 built but rows were rejected (--keep-going) or checks failed
    (--strict); 2 rejected rows without --keep-going (only the manifest is written).
    """
    from inventory.report import excel, html, tables  # renderers load only when writing

    progress("reading workbooks")
    inputs, files = read_inputs(options.paths, _selection(options), options.years, options.base)
    meta = {"program_version": __version__, "factor_set_version": load.factor_set_version(),
            "gwp_set": options.gwp, "gwp_data_version": aggregate.gwp_version(), "lang": options.lang,
            "build_time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "inputs": files}
    file_errors = [p for p in inputs.errors if p.row is None]
    if (inputs.errors and not options.keep_going) or file_errors:
        with tables.staged(options.out) as stage:
            tables.write_manifest(manifest_for(inputs, files, "failed", ["manifest.json"], meta), stage)
        return BuildOutcome(None, manifest_for(inputs, files, "failed", ["manifest.json"], meta), 2, inputs)

    progress("resolving factors and computing emissions")
    factor_table = load.load_all(options.factor_dirs)
    result = compile_inventory(inputs, factor_table, options.gwp, options.lang, options.regions, options.checks,
                               options.draws, options.seed)
    meta["regions"] = sorted(set(result.emissions["region"]))
    meta["years"] = sorted(int(y) for y in set(result.emissions["year"]))
    result.meta = meta

    progress("writing outputs")
    with tables.staged(options.out) as stage:
        outputs = write_outputs(result, stage, options.lang, excel, html, tables)
        manifest = manifest_for(inputs, files, "ok", outputs + ["manifest.json"], meta)
        tables.write_manifest(manifest, stage)
    code = 1 if inputs.errors else 0
    if options.strict and (result.checks["result"] == "fail").any():
        code = 1
    return BuildOutcome(result, manifest, code, inputs)


def write_outputs(result: BuildResult, folder: Path, lang: str, excel, html, tables) -> list[str]:
    """The combined outputs, and per region-year folders when there is more than one region-year."""
    written = _write_set(result, folder, lang, excel, html, tables)
    pairs = result.emissions[["region", "year"]].drop_duplicates().itertuples(index=False)
    pairs = list(pairs)
    if len(pairs) > 1:
        for region, year in pairs:
            sub = folder / str(region) / str(year)
            sub.mkdir(parents=True, exist_ok=True)
            part = _subset(result, region, year)
            written += [f"{region}/{year}/{name}" for name in _write_set(part, sub, lang, excel, html, tables)]
    return written


def _write_set(result: BuildResult, folder: Path, lang: str, excel, html, tables) -> list[str]:
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
    analysis = {name: t[(t["region"] == region) & (t["year"] == year)] for name, t in result.analysis.items()}
    return BuildResult(result.emissions[keep], checks, ne, ledger, warnings,
                       {**result.meta, "regions": [region], "years": [year]}, analysis)
