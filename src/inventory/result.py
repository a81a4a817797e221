"""The result of a build: plain DataFrames and dicts that the renderers read."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Column order of the long emissions table (DESIGN 3.7).
EMISSION_COLUMNS = [
    "region", "region_name", "year", "category", "category_name", "activity",
    "technology", "substance", "emission", "unit", "co2e_t", "gwp_set",
    "activity_amount", "activity_unit", "implied_factor", "factor_ids", "kind", "basis",
    "reported_amount", "reported_unit", "tier",
]

CHECK_COLUMNS = [
    "check", "region", "year", "category", "substance", "value", "reference", "diff_pct", "result",
]


@dataclass
class BuildResult:
    """Everything one build produced.

    emissions: the long table of EMISSION_COLUMNS (emission in t; co2e_t in t CO2e,
        empty for pollutants), with extra helper columns `sector` (sector id of the
        category, see data/sectors.csv) and `substance_kind` (`ghg` or `pollutant`).
    checks: QA/QC results, CHECK_COLUMNS.
    not_estimated: region, year, category, category_name, activity, substance, reason
        (categories that had activity but no citable factor: notation key NE).
    ledger: one row per input row read: file, sheet, row, status (used, skipped,
        rejected), reason, column, value, expected.
    warnings: the inputs' warnings (errors.Problem: code, location, value, expected), worded when rendered.
    meta: program version, factor-set version, gwp set, lang, build time, inputs
        (path, sha256), regions and years built.
    analysis: analysis tables by name (`key_categories`, `uncertainty`, `cocontrol`, `targets`;
        DESIGN 3.9 columns).
    statistics: region, year, activity (`gdp` in 元, `population` in 人), amount: the
        statistics rows of the inputs (category `stat`), for intensities and targets.
    qa_tables: the checks' explanation tables by name (`reference_approach`: the IPCC reference
        approach per fuel; `external`: the external inventory compared with activity and factor
        effects; `completeness`: each category's status and notation key).
    figures: every figure the outputs show, computed once by `inventory.figures.compute` (totals by
        sector and gas, pollutants, sector trees, the energy breakdown and its shares, the
        province/prefecture comparison, series, intensities, changes, the key figures of a summary page): the workbook, the report
        and the CSVs select, format and translate these tables and never recompute them. A
        result made by hand gets them from `inventory.figures.compute(emissions, statistics,
        analysis)`.
    factors: the factor and parameter rows the emissions used (inventory.factors.sources.used_factors:
        factor_id, name, value, unit, document, table, read_in, source_detail), for the workbook's factor sheet.
    """

    emissions: pd.DataFrame
    checks: pd.DataFrame
    not_estimated: pd.DataFrame
    ledger: pd.DataFrame
    warnings: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    analysis: dict[str, pd.DataFrame] = field(default_factory=dict)
    statistics: pd.DataFrame | None = None
    qa_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, pd.DataFrame] = field(default_factory=dict)
    factors: pd.DataFrame | None = None
