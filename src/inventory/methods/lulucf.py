"""Land use change and forestry (3.B): carbon stock change of forests and other woody biomass.

IPCC 2006 Guidelines Vol.4 Ch.2 gain-loss method (China's provincial inventory guideline (2011)
uses the same structure: stock-volume growth × wood density × BEF × carbon fraction, minus
consumption and fuelwood; forest conversion):
- gains (Eq. 2.9, 2.10): ΔC_G = V × BCEF × (1 + R) × CF for the annual growth of growing stock V (m3)
  (G_W = I_V × BCEF_I, Eq. 2.10 note; BCEF = wood density D × BEF, Eq. 2.8), or
  ΔC_G = A × G_W × (1 + R) × CF for a forest area A (ha) with its above-ground growth G_W (t d.m./ha/a);
- losses (Eq. 2.11-2.13): L = H × BCEF_R × (1 + R) × CF for wood removals and fuelwood H (m3);
- forest conversion (Eq. 2.16): ΔC = A × (B_after − B_before) × (1 + R) × CF for the area A (ha)
  converted, B the above-ground biomass (t d.m./ha; B_after 0 when not given: all biomass lost in
  the year of conversion); CH4, N2O and pollutants of burning on site only from a local `ef.X` per ha.
CO2 = −ΔC × 44/12: gains are negative emissions (sinks). Forest land categories (3.B.1) are sink
categories (data/categories.csv role `sink`): their harvest losses reduce the sink rather than add to
the gross total. A local `ef.X` on any row replaces the method for X (E = A × EF).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, vocabulary
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import map_distinct
from inventory.methods import equations as eq
from inventory.methods.agriculture import _finish
from inventory.methods.keys import aggregate_keys, column, join_ids, with_parameters

NAMES = ["bcef", "bef", "wood_density", "root_shoot_ratio", "carbon_fraction", "growth_rate", "biomass_stock",
         "biomass_after", "ef"]
GROWTH, REMOVALS, FUELWOOD, FOREST, CONVERTED = (
    "forest_stock_growth", "wood_removals", "fuelwood_removals", "forest_land", "forest_converted")
_EMPTY_NE = KEY_COLUMNS + ["substance", "reason"]


# Not-estimated reasons of this module (codes of data/messages.csv, worded when rendered).
REASONS = {"volume": "ne_lulucf_volume", "growth_area": "ne_lulucf_growth_area", "conversion": "ne_lulucf_conversion",
           "unit": "ne_lulucf_unit", "no_method": "ne_lulucf_no_method", "carbon": "ne_lulucf_carbon"}


# --- published equations (column functions) -------------------------------------------------------

def volume_to_biomass(volume_m3, bcef, wood_density, bef):
    """Biomass (t d.m.) = V × BCEF, or V × D × BEF where no BCEF is given (IPCC 2006 Vol.4 Eq. 2.8: BCEF = BEF × D).

    volume in m3 of growing stock (growth, removals or fuelwood); BCEF and D in t d.m./m3; BEF dimensionless.
    China's provincial guideline (2011) writes the same product as 蓄积量 × SVD × BEF.
    """
    return volume_m3 * bcef.where(bcef.notna(), wood_density * bef)


def carbon_in_biomass(above_ground_t, root_shoot_ratio, carbon_fraction):
    """Carbon (t C) = B_above × (1 + R) × CF (IPCC 2006 Vol.4 Eq. 2.9, 2.10, 2.12, 2.13).

    above_ground_t: above-ground biomass (t d.m.); R below-/above-ground ratio; CF t C per t d.m.
    """
    return above_ground_t * (1.0 + root_shoot_ratio) * carbon_fraction


def growth_from_area(area_ha, growth_rate):
    """Above-ground biomass growth (t d.m./a) = A × G_W (IPCC 2006 Vol.4 Eq. 2.9, 2.10; G_W in t d.m./ha/a)."""
    return area_ha * growth_rate


def conversion_biomass_loss(area_ha, biomass_before, biomass_after):
    """Above-ground biomass lost (t d.m.) = A × (B_before − B_after) (IPCC 2006 Vol.4 Eq. 2.16, sign as a loss).

    area converted in the year (ha); B in t d.m./ha; B_after 0 when not given.
    """
    return area_ha * (biomass_before - biomass_after.fillna(0.0))


def co2_from_stock_change(delta_c):
    """CO2 (t) = −ΔC × 44/12: a carbon stock gain (t C) is a removal, a loss an emission (IPCC 2006 Vol.4 Ch.2)."""
    return -delta_c * eq.CO2_PER_C


# --- the method ------------------------------------------------------------------------------------

def handles(category: pd.Series) -> pd.Series:
    """True for categories under 3.B (land)."""
    return map_distinct(category, lambda c: "3.B" in categories.ancestors(c)).astype(bool)


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CO2 of forest carbon stock changes and conversion, and the not-estimated list (columns as energy.compute).

    activity: validated rows of 3.B categories: growth, removals and fuelwood in m3 (volume), forest and
    converted areas in ha.
    """
    keys = aggregate_keys(activity)
    if keys.empty:
        return pd.DataFrame(), pd.DataFrame(columns=_EMPTY_NE)
    k = with_parameters(keys, factor_table, NAMES)
    amount, cat, act = k["amount"], k["category"], k["activity"]
    why = REASONS

    def col(name, default=np.nan):
        return column(k, name, default)

    def ids(*names):
        return join_ids(*[col(n + ":id", "") for n in names])

    parts: list[pd.DataFrame] = []

    def add(mask, substance, emission, factor_ids, reason):
        m = mask.to_numpy()
        parts.append(pd.DataFrame({"row": k.index[m], "out_category": cat[m].to_numpy(), "substance": substance,
                                   "emission": emission[m].to_numpy(), "factor_ids": factor_ids[m].to_numpy(),
                                   "reason": reason[m].to_numpy() if isinstance(reason, pd.Series) else reason}))

    def by_factor(substance):
        """A × ef.<substance> where the factor's basis is the amount's quantity (a local factor)."""
        ok = col(f"ef.{substance}:basis", "") == k["quantity"]
        return (amount * col(f"ef.{substance}")).where(ok), col(f"ef.{substance}:id", "").where(ok, "")

    r, cf = col("root_shoot_ratio"), col("carbon_fraction")
    volume = amount.where(k["quantity"] == "volume")
    area = amount.where(k["quantity"] == "area")
    by_volume = volume_to_biomass(volume, col("bcef"), col("wood_density"), col("bef"))
    volume_ids = pd.Series(np.where(col("bcef").notna(), ids("bcef"), ids("wood_density", "bef")), index=k.index)
    carbon_ids = ids("root_shoot_ratio", "carbon_fraction")

    gain = act.isin([GROWTH, FOREST])
    loss = act.isin([REMOVALS, FUELWOOD])
    converted = act == CONVERTED
    # Gains: volume growth (Eq. 2.9, 2.10 with BCEF_I) or area × G_W; losses: removals and fuelwood (Eq. 2.12, 2.13).
    gained = carbon_in_biomass(by_volume.where(act == GROWTH, growth_from_area(area, col("growth_rate"))), r, cf)
    lost = carbon_in_biomass(by_volume, r, cf)
    cleared = carbon_in_biomass(conversion_biomass_loss(area, col("biomass_stock"), col("biomass_after")), r, cf)
    delta_c = gained.where(gain, (-lost).where(loss, -cleared))
    co2 = co2_from_stock_change(delta_c)
    co2_ids = pd.Series(np.select([act == GROWTH, act == FOREST, loss, converted],
                                  [volume_ids, ids("growth_rate"), volume_ids, ids("biomass_stock", "biomass_after")],
                                  ""), index=k.index)
    co2_ids = join_ids(co2_ids, carbon_ids)
    local, local_ids = by_factor("CO2")
    co2, co2_ids = co2.where(local.isna(), local), co2_ids.where(local.isna(), local_ids)
    unit_ok = ((((act == GROWTH) | loss) & (k["quantity"] == "volume"))
               | (act.isin([FOREST, CONVERTED]) & (k["quantity"] == "area")))
    biomass = by_volume.where(~(act == FOREST), area * col("growth_rate")).where(~converted, area * col("biomass_stock"))
    reason = pd.Series(np.select([~unit_ok, biomass.notna() & (r.isna() | cf.isna()), act == FOREST, converted],
                                 [why["unit"], why["carbon"], why["growth_area"], why["conversion"]], why["volume"]),
                       index=k.index)
    known = gain | loss | converted
    add(known, "CO2", co2.where(unit_ok | local.notna()), co2_ids, reason)

    # Any substance with a local ef.X per unit of the row's amount (e.g. CH4 and N2O of burning on converted land).
    any_factor = pd.Series(False, index=k.index)
    for substance in vocabulary.substances().index:
        if substance == "CO2":
            continue
        e, e_ids = by_factor(substance)
        add(e.notna(), substance, e, e_ids, why["no_method"])
        any_factor |= e.notna()
    other = ~known
    add(other & local.notna(), "CO2", local, local_ids, why["no_method"])
    add(other & local.isna() & ~any_factor, "", pd.Series(np.nan, index=k.index), pd.Series("", index=k.index),
        why["no_method"])
    return _finish(k, pd.concat(parts, ignore_index=True))
