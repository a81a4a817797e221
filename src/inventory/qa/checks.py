"""The registry of a build's checks (DESIGN 3.8 `[checks.<name>]`; STYLE 8, primap2's `ensure_*`).

Each check is registered with its name (checks.csv `check`, the project file's
`[checks.<name>]`), the function computing its rows (CHECK_COLUMNS; `result` = pass,
warn or fail) from a CheckContext and its settings, its default settings, the settings
it accepts with their kinds (qa/settings.py validates a project file against them), the
former names still accepted, and for a check that reads files, the reader run in the
read stage of a build, before any compute (read_check_files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from inventory.errors import Problem, UsageError
from inventory.lookup import closest, coded, concat_coded
from inventory.qa import amounts, completeness, consistency, external, facility, official, reconcile, \
    reference_approach, so2_fuel, year_jump
from inventory.result import CHECK_COLUMNS


@dataclass
class CheckContext:
    """What the checks see: the finished emissions table (EMISSION_COLUMNS + sector, substance_kind),
    the validated inputs, the factor table used, the not-estimated rows and the project's settings
    per check (`thresholds`, the `[checks.<name>]` tables)."""

    emissions: pd.DataFrame
    inputs: object  # inventory.read.Inputs
    factor_table: pd.DataFrame
    not_estimated: pd.DataFrame
    thresholds: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)  # explanation tables the checks leave for the report
    _amounts: amounts.KeyAmounts | None = field(default=None, repr=False)

    def amounts(self) -> amounts.KeyAmounts:
        """The emission rows' activity amounts by key (qa.amounts.key_amounts), computed once for every check
        that needs them."""
        if self._amounts is None:
            self._amounts = amounts.key_amounts(self.emissions, self.factor_table)
        return self._amounts

    def settings(self, name: str) -> dict:
        """The check's settings: the project file's values over the registered defaults."""
        return {**CHECKS[name].defaults, **(self.thresholds.get(name) or {})}


@dataclass(frozen=True)
class Check:
    """A registered check. settings: setting name -> kind (qa/settings.py KINDS); read: settings ->
    the tables of the files they name (run before any compute; None when the check reads no file)."""

    name: str
    run: Callable[[CheckContext, dict], pd.DataFrame]
    defaults: dict
    settings: dict[str, str]
    former_names: tuple[str, ...] = ()
    read: Callable[[dict], dict] | None = None


THRESHOLDS = {"warn": "fraction", "fail": "fraction"}


def _province_vs_prefectures(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    return reconcile.province_vs_prefectures(ctx.emissions, settings)


def _province_vs_prefectures_fuel(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    return reconcile.province_vs_prefectures(ctx.emissions, settings, per_fuel=True)


def _reference_approach(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    table = reference_approach.reference_approach_table(ctx)
    ctx.tables["reference_approach"] = table
    return reference_approach.reference_approach(table, settings)


def _external_ceads(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    files = getattr(ctx.inputs, "external", {}).get(external.CHECK)
    files = external.read_files(ctx.thresholds.get(external.CHECK) or {}) if files is None else files
    table = external.external_table(ctx, files)
    ctx.tables["external"] = table
    ctx.tables["external_fuel"] = external.fuel_table(table)
    fuel = external.external_checks(table, settings)
    if "external" not in files:
        return fuel
    process = external.process_checks(files["external"], ctx.emissions, settings)
    return pd.concat([f for f in (fuel, process) if not f.empty] or [fuel], ignore_index=True)


def _external_official(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    table = official.comparison(getattr(ctx.inputs, "external", {}).get(official.NAME, {}).get("official"),
                                ctx.emissions, settings)
    ctx.tables["official"] = table
    return official.check_rows(table)


def _facility(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    return facility.facility_vs_estimate(getattr(ctx.inputs, "facility", None), ctx.emissions, settings,
                                         getattr(ctx.inputs, "activity", None))


def _ghg_pollutant_consistency(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    return consistency.ghg_pollutant_consistency(ctx.emissions, ctx.factor_table, settings, ctx.amounts())


def _so2_implied_fuel(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    return so2_fuel.so2_implied_fuel(ctx.emissions, ctx.factor_table, getattr(ctx.inputs, "facility", None), settings,
                                     ctx.amounts())


def _completeness(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    table = completeness.table_for(ctx.emissions, ctx.inputs.notation, ctx.not_estimated, settings)
    ctx.tables["completeness"] = table
    return completeness.check_rows(table)


def _year_jump(ctx: CheckContext, settings: dict) -> pd.DataFrame:
    return year_jump.year_jump(ctx.emissions, settings)


# The checks that read CheckContext.amounts().
AMOUNTS_READERS = {consistency.NAME, so2_fuel.NAME}

# In the order of checks.csv.
CHECKS: dict[str, Check] = {c.name: c for c in [
    Check("province_vs_prefectures", _province_vs_prefectures, reconcile.DEFAULT_THRESHOLDS, THRESHOLDS),
    Check("province_vs_prefectures_fuel", _province_vs_prefectures_fuel, reconcile.DEFAULT_THRESHOLDS, THRESHOLDS),
    Check("reference_approach", _reference_approach, reference_approach.DEFAULT_THRESHOLDS, THRESHOLDS),
    Check(external.CHECK, _external_ceads, external.DEFAULT_THRESHOLDS,
          {**THRESHOLDS, "path": "path", "activity_path": "path", "region": "region"},
          former_names=("external",), read=external.read_files),
    Check(official.NAME, _external_official, official.DEFAULT_THRESHOLDS, {**THRESHOLDS, "path": "path"},
          read=official.read_files),
    Check(facility.NAME, _facility, facility.DEFAULT_THRESHOLDS, THRESHOLDS),
    Check(consistency.NAME, _ghg_pollutant_consistency, consistency.DEFAULT_THRESHOLDS,
          {**THRESHOLDS, "missing": "result"}),
    Check(so2_fuel.NAME, _so2_implied_fuel, so2_fuel.DEFAULT_THRESHOLDS, THRESHOLDS),
    Check(completeness.NAME, _completeness, completeness.DEFAULT_THRESHOLDS,
          {"missing": "result", "not_estimated": "result", "categories": "categories", "keys": "keys"}),
    Check(year_jump.NAME, _year_jump, year_jump.DEFAULT_THRESHOLDS, {**THRESHOLDS, "min_share": "share"}),
]}


def unknown_checks(thresholds: dict) -> list[Problem]:
    """A problem for each name of `thresholds` that is no registered check (with the nearest name)."""
    return [Problem("unknown_check", column=f"checks.{name}", value=str(name), expected="expect_one_of",
                    params=(("names", ", ".join(CHECKS)),), suggestion=closest(str(name), CHECKS))
            for name in thresholds if name not in CHECKS]


def read_check_files(thresholds: dict) -> dict[str, dict]:
    """The files the checks' settings name, read and validated (the read stage of a build): check name ->
    its reader's tables. Every problem of every file in one UsageError."""
    out, problems = {}, unknown_checks(thresholds)
    for name, check in CHECKS.items():
        if check.read is not None and name in thresholds:
            try:
                out[name] = check.read({**check.defaults, **(thresholds[name] or {})})
            except UsageError as exc:
                problems += exc.problems
    if problems:
        raise UsageError(problems)
    return out


CHECK_TEXTS = ["check", "region", "category", "substance", "result"]  # the reference may be a text


def run_checks(ctx: CheckContext) -> pd.DataFrame:
    """Every registered check's rows with its settings, in CHECK_COLUMNS order; a settings table naming
    no registered check is a usage error."""
    problems = unknown_checks(ctx.thresholds)
    if problems:
        raise UsageError(problems)
    frames, names = [], list(CHECKS)
    for i, (name, check) in enumerate(CHECKS.items()):
        # Each check's texts coded as soon as it is made: nationally the checks make 16.6M rows, whose texts
        # held a row each until the concatenation took run_checks 6.3 GB over its start (issue 14).
        frames.append(coded(check.run(ctx, ctx.settings(name)).reindex(columns=CHECK_COLUMNS), CHECK_TEXTS))
        if not AMOUNTS_READERS & set(names[i + 1:]):
            ctx._amounts = None  # arrays over every emission row: freed once no check left reads them (issue 14)
    frames = [f for f in frames if len(f)]
    return _shared_texts(concat_coded(frames)) if frames else pd.DataFrame(columns=CHECK_COLUMNS)


def _shared_texts(checks: pd.DataFrame) -> pd.DataFrame:
    """The checks with each text column (check, region, category, substance, result) as a Categorical of its
    sorted distinct texts, missing cells missing: the same values and CSV bytes, a code a row instead of a
    text or a pointer a row (issue 14: 16.6M check rows nationally, ≈ 0.9 GB less)."""
    for column in checks.columns:
        if isinstance(checks[column].dtype, pd.CategoricalDtype):  # coded per check: the texts present, unordered
            checks[column] = checks[column].cat.remove_unused_categories().cat.as_unordered()
        elif checks[column].dtype == object or isinstance(checks[column].dtype, pd.StringDtype):
            codes, uniques = pd.factorize(checks[column], sort=True)
            checks[column] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques))
    return checks
