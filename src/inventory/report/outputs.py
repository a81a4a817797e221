"""A build's output folder (DESIGN 3.7): the combined set, one set per region-year, the manifest.

Region-year sets are written by worker processes when asked; one that fails is reported in
the status table (exit code 3) and the others still finish. In a project build a failed
region-year's folder holds only its manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from inventory import __version__, regions
from inventory.read import Inputs
from inventory.report import tables
from inventory.result import BuildResult

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


def write_build(result: BuildResult, inputs: Inputs, files: list[dict], failed: dict[tuple[str, int], int],
                out: Path, lang: str, jobs: int = 1, progress: Callable[..., None] = lambda stage, *a: None
                ) -> tuple[dict, pd.DataFrame]:
    """Every output of a build into `out` (staged, then moved in place): the outputs of the result
    (write_outputs), a manifest for each failed region-year (`failed`: region-year -> rows rejected),
    and manifest.json with the status of every region-year. Returns the manifest and the status table."""
    with tables.staged(out) as stage:
        outputs, status = write_outputs(result, stage, lang, jobs, progress)
        status = pd.concat([status, failed_status(failed, inputs, files, result.meta, stage)], ignore_index=True)
        status = status.sort_values(["region", "year"], kind="stable").reset_index(drop=True)
        outputs += [f"{r}/{y}/manifest.json" for r, y in failed]
        manifest = manifest_for(inputs, files, "ok" if not failed else "partial", outputs + ["manifest.json"],
                                result.meta)
        manifest["region_years"] = status.to_dict("records")
        tables.write_manifest(manifest, stage)
    return manifest, status


def failed_status(failed: dict, inputs: Inputs, files: list[dict], meta: dict, folder: Path) -> pd.DataFrame:
    """Write the manifest of each failed region-year into its folder; their rows of the status table."""
    rows = []
    by_pair = _errors_by_region_year(inputs)
    for (region, year), n in sorted(failed.items()):
        sub = folder / str(region) / str(year)
        sub.mkdir(parents=True, exist_ok=True)
        mine = by_pair.get((region, year), [])
        manifest = manifest_for(inputs, files, "failed", ["manifest.json"], {**meta, "regions": [region],
                                                                             "years": [year]})
        manifest["rejected"] = [p.to_dict(meta.get("lang", "zh")) for p in mine]
        manifest["reason"] = "region_year_rows_rejected" if n else "region_year_prefecture_failed"
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
        progress("stage_writing_region_years", i, len(pairs))
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
    from inventory.report import excel, html  # renderers load only when writing

    written = tables.write_emissions(result.emissions, folder)
    written += tables.write_checks(result.checks, folder)
    written += tables.write_analysis(result.analysis, folder)
    excel.write_workbook(result, folder / "inventory.xlsx", lang)
    (folder / "report.html").write_text(html.render_html(result, lang), encoding="utf-8")
    return written + ["inventory.xlsx", "report.html"]


def _subset(result: BuildResult, region: str, year: int) -> BuildResult:
    """The part of a result that belongs to one region-year (its prefectures kept for comparison).

    Every table is selected from the whole result's, never recomputed: a figure shows the same
    number in the region-year's files as in the combined ones. The province/prefecture comparison
    is the region's own when it is a province (a prefecture compares with nothing on its own).
    """
    kids = set(regions.children(region))
    keep = result.emissions["year"].eq(year) & (result.emissions["region"].eq(region)
                                                | result.emissions["region"].isin(kids))
    checks = result.checks[(result.checks["region"] == region) & (result.checks["year"] == year)]
    ne = result.not_estimated
    ne = ne[(ne["region"] == region) & (ne["year"] == year)] if len(ne) else ne
    # The region's own rows, and rows whose region could not be read (they concern every region).
    ledger = result.ledger[result.ledger["region"].isin({region, ""})]
    mine = set(zip(ledger["file"], ledger["sheet"], ledger["row"]))
    warnings = [w for w in result.warnings if (w.file, w.sheet, w.row) in mine or w.row is None]
    analysis = {name: t[(t["region"] == region) & (t["year" if "year" in t else "year_to"] == year)]
                for name, t in result.analysis.items()}
    qa_tables = {name: t[(t["region"] == region) & (t["year"] == year)] for name, t in result.qa_tables.items()}
    stats = result.statistics
    if stats is not None and len(stats):
        stats = stats[(stats["region"] == region) & (stats["year"] == year)]
    figures = {name: t[(t["province"] == region if "province" in t else t["region"].isin({region, *kids}))
                       & (t["year" if "year" in t else "year_to"] == year)]
               for name, t in result.figures.items()}
    factors = result.factors
    if factors is not None:
        used = {i for cell in result.emissions.loc[keep, "factor_ids"].dropna().unique() for i in str(cell).split(";")}
        factors = factors[factors["factor_id"].isin(used)]
    return BuildResult(result.emissions[keep], checks, ne, ledger, warnings,
                       {**result.meta, "regions": [region], "years": [year]}, analysis, stats, qa_tables, figures,
                       factors)
