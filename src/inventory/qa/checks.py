"""The cross-verification checks of a build (DESIGN 3.8 `[checks.<name>]`, issue 5).

Each check is a function `check(ctx: CheckContext) -> DataFrame` with CHECK_COLUMNS
(`result` = pass, warn or fail); its thresholds come from `ctx.thresholds[<name>]`
(the project file's `[checks.<name>]` table) over the check's own defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from inventory.qa.completeness import check_rows as completeness_rows
from inventory.qa.completeness import table_for as completeness_table_for
from inventory.qa.consistency import ghg_pollutant_consistency
from inventory.qa.external import external_checks, external_table, fuel_table
from inventory.qa.facility import facility_vs_estimate
from inventory.qa.reconcile import province_vs_prefectures
from inventory.qa.so2_fuel import so2_implied_fuel
from inventory.qa.year_jump import year_jump
from inventory.qa.reference_approach import reference_approach, reference_approach_table
from inventory.result import CHECK_COLUMNS


@dataclass
class CheckContext:
    """What the checks see: the finished emissions table (EMISSION_COLUMNS + sector, substance_kind),
    the validated inputs, the factor table used, the not-estimated rows and the project's thresholds."""

    emissions: pd.DataFrame
    inputs: object  # inventory.read.Inputs
    factor_table: pd.DataFrame
    not_estimated: pd.DataFrame
    thresholds: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)  # explanation tables the checks leave for the report

    def limits(self, name: str, defaults: dict) -> dict:
        """The check's thresholds: project file values over the defaults."""
        return {**defaults, **(self.thresholds.get(name) or {})}


def _province_vs_prefectures(ctx: CheckContext) -> pd.DataFrame:
    return province_vs_prefectures(ctx.emissions, ctx.thresholds.get("province_vs_prefectures"))


def _facility(ctx: CheckContext) -> pd.DataFrame:
    return facility_vs_estimate(getattr(ctx.inputs, "facility", None), ctx.emissions, ctx.thresholds.get("facility"))


def _ghg_pollutant_consistency(ctx: CheckContext) -> pd.DataFrame:
    return ghg_pollutant_consistency(ctx.emissions, ctx.factor_table, ctx.thresholds.get("ghg_pollutant_consistency"))


def _so2_implied_fuel(ctx: CheckContext) -> pd.DataFrame:
    return so2_implied_fuel(ctx.emissions, ctx.factor_table, getattr(ctx.inputs, "facility", None),
                            ctx.thresholds.get("so2_implied_fuel"))


def _completeness(ctx: CheckContext) -> pd.DataFrame:
    table = completeness_table_for(ctx.emissions, ctx.inputs.notation, ctx.not_estimated,
                                   ctx.thresholds.get("completeness"))
    ctx.tables["completeness"] = table
    return completeness_rows(table)


def _year_jump(ctx: CheckContext) -> pd.DataFrame:
    return year_jump(ctx.emissions, ctx.thresholds.get("year_jump"))


def _province_vs_prefectures_fuel(ctx: CheckContext) -> pd.DataFrame:
    return province_vs_prefectures(ctx.emissions, ctx.thresholds.get("province_vs_prefectures_fuel"), per_fuel=True)


def _reference_approach(ctx: CheckContext) -> pd.DataFrame:
    table = reference_approach_table(ctx)
    ctx.tables["reference_approach"] = table
    return reference_approach(table, ctx.thresholds.get("reference_approach"))


def _external_ceads(ctx: CheckContext) -> pd.DataFrame:
    table = external_table(ctx)
    ctx.tables["external"] = table
    ctx.tables["external_fuel"] = fuel_table(table)
    return external_checks(table, ctx.thresholds.get("external"))


CHECKS = [_province_vs_prefectures, _province_vs_prefectures_fuel, _reference_approach, _external_ceads, _facility,
          _ghg_pollutant_consistency, _so2_implied_fuel, _completeness, _year_jump]


def run_checks(ctx: CheckContext) -> pd.DataFrame:
    """Every check's rows, in CHECK_COLUMNS order."""
    frames = [check(ctx).reindex(columns=CHECK_COLUMNS) for check in CHECKS]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CHECK_COLUMNS)
