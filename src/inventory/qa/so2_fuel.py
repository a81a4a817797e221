"""Fuel implied by SO2: the fuel amount that an SO2 emission stands for by the sulfur balance,
against the fuel use the inventory holds (issue 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory.factors import penetration
from inventory.factors.load import LOCAL
from inventory.factors.resolve import KEY_COLUMNS
from inventory.grouped import coded
from inventory.methods import equations as eq
from inventory.qa.amounts import KeyAmounts, key_amounts, resolved_parameters
from inventory.qa.facility import estimate_under, in_inventory_or_confidential, reported_by_key
from inventory.qa.keys import key_label
from inventory.qa.grading import grade, relative_difference
from inventory.result import CHECK_COLUMNS

NAME = "so2_implied_fuel"
DEFAULT_THRESHOLDS = {"warn": 0.10, "fail": 0.30}
_NAMES = ["ef", "sulfur_content", "sulfur_retention", "removal_efficiency"]  # a facility key's (penetration)
PARAMETERS = ["ef.SO2", "sulfur_content", "sulfur_retention", "removal_efficiency.SO2"]  # what a key's row reads


def so2_per_tonne_fuel(params: pd.DataFrame) -> pd.Series:
    """SO2 (t) emitted per t of fuel by the sulfur balance after control: 2 × S × (1 − sr) × (1 − η)
    (T/CSES 144-2024 Eq. 3 with Eq. 2, as methods.equations); NaN where no sulfur content applies,
    sr and η 0 where none applies."""
    def col(name):
        return params[name] if name in params else pd.Series(np.nan, index=params.index)
    uncontrolled = eq.so2_from_sulfur(1.0, col("sulfur_content"), col("sulfur_retention").fillna(0.0))
    return eq.after_control(uncontrolled, col("removal_efficiency.SO2").fillna(0.0))


def local_so2_factor(keys: pd.DataFrame, factor_table: pd.DataFrame) -> np.ndarray:
    """True for each key (KEY_COLUMNS) whose winning `ef.SO2` is a workbook's own (`local:` id). Local rows
    win over every other level (factors.resolve), so they alone are resolved, unless a row of another level
    bears a `local:` id too."""
    ef = factor_table[factor_table["name"] == "ef.SO2"]
    local_id = ef["factor_id"].fillna("").astype(str).str.startswith("local:")
    if not (local_id & (ef["level"] < LOCAL)).any():
        ef = ef[ef["level"] == LOCAL]
    won = resolved_parameters(keys, ef, ["ef.SO2"])
    if "ef.SO2:id" not in won:
        return np.zeros(len(keys), dtype=bool)
    return won["ef.SO2:id"].fillna("").astype(str).str.startswith("local:").to_numpy()


def implied_fuel(so2_t, per_tonne):
    """Fuel (t) implied by an SO2 emission: E_SO2 / (2 × S × (1 − sr) × (1 − η)) (the sulfur balance
    of T/CSES 144-2024 Eq. 3 solved for the fuel amount)."""
    return so2_t / per_tonne.where(per_tonne != 0)


def so2_implied_fuel(emissions: pd.DataFrame, factor_table: pd.DataFrame, facility: pd.DataFrame | None,
                     thresholds: dict | None = None, amounts: KeyAmounts | None = None) -> pd.DataFrame:
    """checks.csv rows: value = fuel implied by SO2 (t), reference = the fuel use in the inventory (t),
    diff_pct = (implied − reported) / |reported| × 100, graded by qa.grading.

    - Keys whose SO2 comes from a local `ef.SO2` and that have a sulfur content: the fuel implied
      by the key's SO2 against the key's own fuel amount; |diff| graded against `warn`/`fail`.
      Category cell `category/activity/technology`. A key whose fuel cannot be put in t (no NCV):
      warn, diff_pct empty.
    - Facility-reported SO2 naming an activity, with a sulfur content for the region, category and
      activity (removal efficiency only from a parameter without technology): the fuel the
      facilities' SO2 implies against the inventory's fuel of that category and activity; where no such
      removal efficiency is given, the control penetration of the region's key applies (factors.penetration,
      the controlled factor the inventory uses for that fuel). Full
      coverage: |diff| graded; partial (default): only an excess counts; no such fuel in the
      inventory: warn, diff_pct empty. Category cell `category/activity`. Plants with an activity amount
      (part of the inventory, IPCC Tier 3) and confidential plants (named and numbered in no output) are left
      out, as in the facility check.
    amounts: the build's key_amounts (computed here when not given); the SO2 parameters are resolved only for
    the keys with a local `ef.SO2` (local_so2_factor).
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    a = key_amounts(emissions, factor_table) if amounts is None else amounts
    frames = []
    if len(a.rows):
        fuel = a.t_max
        so2 = coded(emissions).eq("substance", "SO2")[a.rows]
        with_so2 = np.unique(a.key[so2])
        local = with_so2[local_so2_factor(a.keys.iloc[with_so2], factor_table)]
        per_tonne = np.full(len(a.keys), np.nan)
        per_tonne[local] = so2_per_tonne_fuel(resolved_parameters(a.keys.iloc[local], factor_table, PARAMETERS))
        pick = so2 & ~np.isnan(per_tonne[a.key])
        key = a.key[pick]
        rows = emissions[KEY_COLUMNS + ["emission"]].take(a.rows[pick]).reset_index(drop=True)
        rows["value"] = implied_fuel(rows["emission"], pd.Series(per_tonne[key]))
        rows["reference"] = fuel[key]
        rows["diff"] = relative_difference(rows["value"], rows["reference"])
        rows["result"] = grade(rows["value"], rows["reference"], t["warn"], t["fail"])
        rows["category"] = key_label(rows["category"], rows["activity"], rows["technology"])
        frames.append(rows)
        if facility is not None and len(facility):
            frames.append(_facility_rows(facility, a, fuel, emissions, factor_table, t))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["diff_pct"] = out["diff"] * 100
    out["check"], out["substance"] = NAME, "SO2"
    return out[CHECK_COLUMNS]


def _facility_rows(facility: pd.DataFrame, amounts: KeyAmounts, fuel: np.ndarray, emissions: pd.DataFrame,
                   factor_table: pd.DataFrame, t: dict):
    """Rows for facility-reported SO2 that names an activity (see so2_implied_fuel); fuel: t of fuel per key."""
    fac = facility[(facility["substance"] == "SO2") & (facility["activity"] != "")
                   & facility["region"].isin(set(amounts.keys["region"]))  # regions not built are not compared
                   & ~in_inventory_or_confidential(facility)]
    if fac.empty:
        return pd.DataFrame()
    rep = reported_by_key(fac).reset_index(drop=True)
    keys = rep.assign(technology="")[KEY_COLUMNS].assign(key_id=rep.index)
    params = penetration.apply(pd.concat([keys, resolved_parameters(keys, factor_table, _NAMES)], axis=1),
                               factor_table)
    per_tonne = so2_per_tonne_fuel(params)
    rep["value"] = implied_fuel(rep.pop("value"), per_tonne)
    rep = rep[per_tonne.notna()].reset_index(drop=True)
    if rep.empty:
        return rep
    keys = amounts.keys[KEY_COLUMNS].assign(kind=emissions["kind"].take(amounts.keys["first"]).to_numpy(),
                                            key_id=np.arange(len(amounts.keys)), substance="SO2", t=fuel)
    rep["reference"] = estimate_under(keys, rep, column="t")
    rep["diff"] = relative_difference(rep["value"], rep["reference"])
    rep["result"] = grade(rep["value"], rep["reference"], t["warn"], t["fail"], excess_only=~rep["full"])
    rep["category"] = key_label(rep["category"], rep["activity"])
    return rep
