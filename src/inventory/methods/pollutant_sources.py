"""Pollutant-only sources (`P.` + EMEP/EEA NFR code, DESIGN 3.2): fugitive dust.

Construction dust (P.2.A.5.b), EMEP/EEA Guidebook 2023 2.A.5.b Tier 1:
E = EF × A × d × (1 − η), with A the area under construction (ha; 施工面积), EF per area
per year by construction type (the technology column: `constr_house`, `constr_apartment`,
`constr_nonresidential`, `constr_road`), d the duration of construction in years (local
parameter `construction_duration`; without it the area counts for the whole inventory
year, d = 1) and η the site's dust controls (T/CSES 144-2024 Table A.1, joined by `+`).
PM10 after control is the sum of its PM2.5 and PM2.5–10 parts, each with its own η.
Paved-road dust (P.1.A.3.b.vii), US EPA AP-42 13.2.1 Eq. 1 (01/2011), the equation the China 2014
扬尘源颗粒物排放清单编制技术指南 is reported to use: E = k × sL^0.91 × W^1.02 × VKT × (1 − η), with k the
particle size multiplier (Table 13.2.1-1, g per vehicle-km), sL the road's silt loading (g/m²;
local parameter `silt_loading`, or a default by traffic class in the technology column,
`road_adt_lt500` … `road_adt_gt10000`), W the mean vehicle weight (t; local parameter
`vehicle_weight`, no default) and VKT the vehicle-km travelled (`road_vehicle_km`).
Any other pollutant-only category is computed as E = A × EF × (1 − η) wherever a factor
applies (a local `ef.X` row or a user factor table), and is otherwise not estimated (NE).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import units
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import map_distinct
from inventory.methods import equations as eq
from inventory.methods.keys import aggregate_keys, column, expected_per_key, join_ids, with_parameters

NAMES = ["ef", "removal_efficiency", "construction_duration", "silt_loading", "vehicle_weight"]
# Not-estimated reasons for an expected substance (data/expected_substances.csv) left without an emission,
# by the quantity the key's amount is given in (codes of data/messages.csv, worded when rendered).
REASONS = {
    "area": "ne_construction_dust",
    "distance": "ne_road_dust",
    "": "ne_pollutant_source_factor",
}


def construction_dust(area_ha, ef_t_per_ha_year, duration_years):
    """Construction dust (t) = EF (t/ha/a) × A (ha) × d (a), before control (η applied after).

    EMEP/EEA Guidebook 2023 2.A.5.b Tier 1 (factors per m² of area under construction per
    year, converted to t/ha/a when the factor table is read); d defaults to 1 year.
    """
    return ef_t_per_ha_year * area_ha * duration_years


def paved_road_dust(vkt_km, k_t_per_km, silt_loading_g_m2, vehicle_weight_t):
    """Paved-road resuspended dust (t) = k × sL^0.91 × W^1.02 × VKT, before control (η applied after).

    US EPA AP-42 13.2.1 (01/2011) Eq. 1: k in t per vehicle-km (Table 13.2.1-1 gives g/VKT),
    sL in g/m², W in tonnes (AP-42 uses them as dimensionless numbers in these units).
    """
    return k_t_per_km * silt_loading_g_m2 ** 0.91 * vehicle_weight_t ** 1.02 * vkt_km


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emissions of pollutant-only categories and the not-estimated list (columns as methods.energy.compute).

    activity: validated rows of categories under `P`, amounts in canonical units (area in ha).
    """
    keys = aggregate_keys(activity)
    k = with_parameters(keys, factor_table, NAMES)
    distinct = keys.drop_duplicates("key_id")[["key_id", *KEY_COLUMNS]]
    duration = column(k, "construction_duration").fillna(1.0)
    duration_ids = column(k, "construction_duration:id", "")
    silt, weight = column(k, "silt_loading"), column(k, "vehicle_weight")
    road_ids = join_ids(column(k, "silt_loading:id", ""), column(k, "vehicle_weight:id", ""))

    def uncontrolled(substance: str) -> tuple[pd.Series, pd.Series]:
        """E before control where ef.<substance> is on the key's own basis; per-year factors × d."""
        ef = column(k, f"ef.{substance}").where(column(k, f"ef.{substance}:basis", "") == k["quantity"])
        per_year = k["quantity"] == "area"  # area factors are per year of construction (EMEP/EEA 2.A.5.b)
        road = k["quantity"] == "distance"  # k of AP-42 13.2.1, scaled by sL and W
        e = pd.Series(np.where(per_year, construction_dust(k["amount"], ef, duration),
                               np.where(road, paved_road_dust(k["amount"], ef, silt, weight),
                                        eq.emission_from_factor(k["amount"], ef))), index=k.index)
        ids = join_ids(column(k, f"ef.{substance}:id", ""),
                        pd.Series(np.where(per_year & ef.notna(), duration_ids, ""), index=k.index),
                        pd.Series(np.where(road & e.notna(), road_ids, ""), index=k.index))
        return e, ids

    def eta(substance: str) -> tuple[pd.Series, pd.Series]:
        return (column(k, f"removal_efficiency.{substance}").fillna(0.0),
                column(k, f"removal_efficiency.{substance}:id", ""))

    results = {}
    substances = sorted({c[3:] for c in k.columns if c.startswith("ef.") and ":" not in c})
    for substance in substances:
        unc, ids = uncontrolled(substance)
        e, e_ids = eta(substance)
        results[substance] = (eq.after_control(unc, e), join_ids(ids, e_ids))
    if "PM2.5" in results and "PM10" in results and "removal_efficiency.PM10" not in k:
        # PM10 after control from its PM2.5 and coarse parts (T/CSES 144-2024 Table A.1 gives both η).
        pm25, ids25 = uncontrolled("PM2.5")
        pm10, ids10 = uncontrolled("PM10")
        e25, e25_ids = eta("PM2.5")
        ecoarse, ecoarse_ids = eta("PM2.5-10")
        controlled = pm25.notna() & (join_ids(e25_ids, ecoarse_ids) != "")
        split = eq.pm10_after_control(pm25, pm10, e25, ecoarse)
        results["PM10"] = (split.where(controlled, results["PM10"][0]),
                           join_ids(ids10, pd.Series(np.where(controlled, join_ids(ids25, e25_ids, ecoarse_ids), ""),
                                                      index=k.index)))

    frames = [pd.DataFrame({"key_id": k["key_id"], "substance": s, "emission": e, "activity_amount": k["amount"],
                            "activity_unit": k["quantity"].map(units.canonical_units()),
                            "factor_ids": ids})
              for s, (e, ids) in results.items()]
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["key_id", "substance", "emission", "activity_amount", "activity_unit", "factor_ids"])
    estimated = long[long["emission"].notna()]
    out = estimated.groupby(["key_id", "substance"], sort=False).agg(
        emission=("emission", "sum"), activity_amount=("activity_amount", "sum"),
        activity_unit=("activity_unit", "first"), factor_ids=("factor_ids", "first")).reset_index()
    out = distinct.merge(out, on="key_id").drop(columns="key_id")
    return out, _not_estimated(distinct, estimated, keys)


def _not_estimated(distinct: pd.DataFrame, estimated: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Keys × expected particulate substances without an emission (keys with a zero amount are not listed)."""
    nonzero = keys.groupby("key_id")["amount"].sum().loc[lambda a: a != 0].index
    quantity = keys.drop_duplicates("key_id").set_index("key_id")["quantity"]
    expected = expected_per_key(distinct[distinct["key_id"].isin(nonzero)])
    have = estimated[["key_id", "substance"]].drop_duplicates().assign(_have=True)
    missing = expected.merge(have, on=["key_id", "substance"], how="left")
    missing = missing[missing["_have"].isna()]
    missing["reason"] = missing["key_id"].map(quantity).map(lambda q: REASONS.get(q, REASONS[""]))
    return missing.drop(columns=["_have", "key_id"]).reset_index(drop=True)


def handles(category: pd.Series) -> pd.Series:
    """True for pollutant-only categories (`P` and its descendants)."""
    return map_distinct(category, lambda c: c == "P" or c.startswith("P.")).astype(bool)
