"""CO2-equivalents from published GWP-100 sets, and totals by sector and gas."""

from __future__ import annotations

from functools import cache

import globalwarmingpotentials
import numpy as np
import pandas as pd

from inventory import categories, vocabulary
from inventory.lookup import categorical, constant, map_categorical, map_codes

GWP_SETS = {"SAR": "SARGWP100", "AR4": "AR4GWP100", "AR5": "AR5GWP100", "AR6": "AR6GWP100"}


@cache
def gwp_table(gwp_set: str) -> pd.Series:
    """GWP-100 per substance id (kg CO2e/kg) of one IPCC assessment report.

    Values come from the `globalwarmingpotentials` data package (IPCC SAR/AR4/AR5
    via the GHG Protocol table; AR6 WG1 Table 7.SM.7), never retyped; a substance's row there is its
    `gwp_name` in data/substances.csv. CO2 = 1.
    """
    frame = globalwarmingpotentials.as_frame()
    column = frame[GWP_SETS[gwp_set]]
    names = vocabulary.substances()["gwp_name"]
    values = {s: float(column.get(names[s], np.nan)) for s in vocabulary.greenhouse_gases() if s != "CO2"}
    values["CO2"] = 1.0
    return pd.Series(values)


def gwp_version() -> str:
    """Version of the GWP data package used."""
    return globalwarmingpotentials.__version__


def add_co2e(emissions: pd.DataFrame, gwp_set: str) -> pd.DataFrame:
    """Add `co2e_t` (t CO2e = t × GWP-100; empty for pollutants) and `gwp_set` (a Categorical)."""
    gwp = gwp_table(gwp_set)
    out = emissions.copy(deep=False)  # copy on write: the caller's frame keeps its columns
    out["co2e_t"] = out["emission"] * map_codes(out["substance"], gwp)
    out["gwp_set"] = pd.Series(constant(gwp_set, len(out)), index=out.index)
    return out


def label_categories(emissions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Add category_name (in `lang`), sector and kind: memo for memo categories (bunkers, the indirect CO2
    of electricity and heat, `M.`) and for the biogenic CO2 of biomass fuels (`is_biogenic_co2`); sink for
    sink categories (forest stock change, 3.B.1, whose harvest losses stay out of the gross total too) and
    for any other negative emission; else emission. The added texts are Categoricals (a code per row)."""
    cats = categories.table()
    out = emissions.copy(deep=False)  # copy on write: the caller's frame keeps its columns
    category = pd.factorize(out["category"])  # once for the three mappings
    out["category_name"] = map_categorical(out["category"], cats[f"name_{lang}"], category)
    out["sector"] = map_categorical(out["category"], cats["sector"], category)
    # The kind as a code per row (emission, memo, sink), from the role of each distinct category.
    role = cats["role"].reindex(category[1]).to_numpy(dtype=object)
    kind = np.append(np.select([role == "memo", role == "sink"], [1, 2], 0), 0)[category[0]]
    kind[is_biogenic_co2(out).to_numpy(dtype=bool)] = 1
    kind[(out["emission"] < 0).to_numpy(dtype=bool) & (kind != 1)] = 2  # a net exporter's M.EL.import stays memo
    used = np.unique(kind)  # only the kinds present are categories
    remap = np.zeros(3, dtype=np.int64)
    remap[used] = np.arange(len(used))
    out["kind"] = pd.Series(categorical(remap[kind], np.array(["emission", "memo", "sink"], dtype=object)[used]),
                            index=out.index)
    out["substance_kind"] = map_categorical(out["substance"], vocabulary.substances()["group"])
    return out


def is_biogenic_co2(emissions: pd.DataFrame) -> pd.Series:
    """True for CO2 rows of biomass fuels (activities.csv fuel_group `biomass`): biogenic CO2 is a memo
    item (DESIGN 3.7; IPCC 2006 Vol.2 reports it for information, outside the energy total)."""
    biomass = vocabulary.activities()["fuel_group"].eq("biomass")
    return (emissions["substance"] == "CO2") & emissions["activity"].isin(biomass[biomass].index)


def totals(emissions: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Gross totals (memo items and sinks excluded) of emission and co2e_t grouped by `by`."""
    gross = emissions[emissions["kind"] == "emission"]
    return gross.groupby(by, sort=True, observed=True)[["emission", "co2e_t"]].sum(min_count=1).reset_index()
