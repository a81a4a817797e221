"""Plant-level reported emissions in the inventory (DESIGN 3.3 "Facility rows", IPCC Tier 3).

A facility row with the plant's activity amount makes the plant part of the inventory: for each substance
the plant reports, the region's estimate for the key becomes (A − Σ a) × F + Σ E, A the region's activity,
a the plants' amounts, F the key's factor and E their reported emissions, so nothing is counted twice.
The factor-based rest keeps its row (emission scaled by (A − Σ a) / A, activity and reported amount by
(A − Σ a_named) / A); the named plants' part is a row of its own (`tier` T3, factor ids `facility:<name>`);
confidential plants are folded into the rest row (their activity kept in it, their reported emission added
to it) and never named. A substance a plant does
not report stays estimated by factor for its activity. Amounts are compared in the canonical unit of the
quantity both sides are given in (read.facility.check_against_region rejects a mismatch before).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, units
from inventory.lookup import coded, text_dtype
from inventory.read.facility import PLANT_KEY, plants_with_amounts

FACILITY_ID = "facility:"
CONFIDENTIAL_ID = "facility:C"
_KEY = ["region", "year", "region_category", "activity"]


def apply(emissions: pd.DataFrame, facility: pd.DataFrame | None) -> pd.DataFrame:
    """Emissions (methods.compute_all) with the plants' reported emissions in place of the factor estimate
    for their share of each key (see the module docstring); unchanged without plant amounts."""
    plants = plants_with_amounts(facility if facility is not None else pd.DataFrame())
    if plants.empty or emissions.empty:
        return emissions
    # The rows are edited and merged below as texts; the Categoricals are restored at the end (lookup.coded).
    texts = [c for c in emissions.columns if isinstance(emissions[c].dtype, pd.CategoricalDtype)]
    emissions = emissions.astype({c: object for c in texts})
    reported = facility[facility["amount"].notna()].groupby([*PLANT_KEY, "substance"], dropna=False)[
        "emission"].sum().rename("reported").reset_index()
    plants = plants.assign(unit=plants["quantity"].map(units.canonical_units()))
    # Each plant's key at the region: the emission rows of its activity at its category or an ancestor.
    e = emissions.reset_index(drop=True)
    e["row_id"] = e.index
    anc = pd.DataFrame([(c, a) for c in plants["category"].unique() for a in categories.ancestors(c)],
                       columns=["category", "region_category"])
    cand = plants.merge(anc, on="category").merge(
        e.rename(columns={"category": "region_category"})[["row_id", *_KEY, "substance", "reported_amount",
                                                            "reported_unit"]],
        on=["region", "year", "region_category", "activity"])
    cand = cand[cand["reported_unit"] == cand["unit"]].merge(reported, on=[*PLANT_KEY, "substance"])
    if cand.empty:
        return coded(emissions, texts)
    # Per region key and substance: A (the rows' reported amounts), Σ a and the split of Σ E.
    rows = cand.drop_duplicates("row_id")
    region_a = rows.groupby([*_KEY, "substance"])["reported_amount"].sum().rename("A")
    per_plant = cand.drop_duplicates([*_KEY, "substance", "facility", "category"])
    plant_a = per_plant.groupby([*_KEY, "substance"])["amount"].sum().rename("a")
    conf = per_plant[per_plant["confidential"]].groupby([*_KEY, "substance"])
    hidden = pd.concat([conf["reported"].sum().rename("E_conf"), conf["amount"].sum().rename("a_conf")], axis=1)
    keys = pd.concat([region_a, plant_a, hidden], axis=1).fillna({"E_conf": 0.0, "a_conf": 0.0})
    keys["rest"] = (1.0 - keys["a"] / keys["A"].where(keys["A"] != 0)).clip(lower=0.0)
    # The rest row keeps the confidential plants' activity too (folded into the region's figures, DESIGN 3.3).
    keys["rest_activity"] = (1.0 - (keys["a"] - keys["a_conf"]) / keys["A"].where(keys["A"] != 0)).clip(lower=0.0)
    scale = rows.join(keys, on=[*_KEY, "substance"])
    out = e.copy()
    r = scale.set_index("row_id")
    share_of_a = r["reported_amount"] / r["A"].where(r["A"] != 0)  # confidential E spread over the key's rows
    out.loc[r.index, "emission"] = out.loc[r.index, "emission"] * r["rest"]
    for column in ("activity_amount", "reported_amount"):
        out.loc[r.index, column] = out.loc[r.index, column] * r["rest_activity"]
    out.loc[r.index, "emission"] += (r["E_conf"] * share_of_a).fillna(0.0)
    conf = r["E_conf"] > 0
    out.loc[r.index[conf], "factor_ids"] = out.loc[r.index[conf], "factor_ids"].fillna("") + ";" + CONFIDENTIAL_ID
    return coded(pd.concat([out.drop(columns="row_id"), _plant_rows(per_plant[~per_plant["confidential"]], e)],
                           ignore_index=True), texts)


def _plant_rows(per_plant: pd.DataFrame, emissions: pd.DataFrame) -> pd.DataFrame:
    """The named plants' part: one row per region, year, plant category, activity and substance (several
    plants summed, each named in factor_ids), tier set to T3 by the build from the `facility:` ids."""
    if per_plant.empty:
        return pd.DataFrame(columns=emissions.columns.drop("row_id"))
    g = per_plant.groupby(["region", "year", "category", "activity", "substance"], sort=True).agg(
        emission=("reported", "sum"), activity_amount=("amount", "sum"), activity_unit=("unit", "first"),
        factor_ids=("facility", lambda f: ";".join(FACILITY_ID + x for x in dict.fromkeys(f)))).reset_index()
    g["technology"] = ""
    g["reported_amount"], g["reported_unit"] = g["activity_amount"], g["activity_unit"]
    return g.reindex(columns=emissions.columns.drop("row_id"))


def tier(factor_ids: pd.Series, tiers: pd.Series) -> pd.Series:
    """`T3` for the plants' own rows (factor ids `facility:<name>`), the given tier otherwise (a Categorical where
    `tiers` is one). Each distinct id list is tested once."""
    codes, uniques = pd.factorize(factor_ids)
    ids = pd.Series(np.asarray(uniques, dtype=object), dtype=object).fillna("").astype(str)
    own = np.append((ids.str.startswith(FACILITY_ID) & ~ids.eq(CONFIDENTIAL_ID)).to_numpy(dtype=bool), False)[codes]
    if isinstance(tiers.dtype, pd.CategoricalDtype):
        if not own.any():
            return tiers
        return tiers.astype(text_dtype(sorted(set(tiers.cat.categories) | {"T3"}))).mask(own, "T3")
    return pd.Series(np.where(own, "T3", tiers), index=tiers.index)


def split_rows(emissions: pd.DataFrame) -> pd.Series:
    """True for the rows plant data changed (see the module docstring): the plants' own rows (tier T3) and the
    factor-based rows they were taken from (same region, year, activity, substance and reported unit, at the
    plant's category or an ancestor), and the rows a confidential plant was folded into (`facility:C`)."""
    ids = emissions["factor_ids"]
    own = emissions["tier"].eq("T3") if "tier" in emissions else tier(ids, pd.Series("", index=ids.index)).eq("T3")
    # Each distinct id list tested once and taken onto the rows by code: as a text a row, the national
    # table's 45.7M id lists took 5.9 GB and 12.7 s here (issue 14).
    codes, uniques = pd.factorize(ids)
    holds = np.append(pd.Series(np.asarray(uniques, dtype=object), dtype=object).fillna("").astype(str)
                      .str.contains(CONFIDENTIAL_ID, regex=False).to_numpy(dtype=bool), False)
    folded = pd.Series(holds[codes], index=ids.index) & ~own
    if not own.any():
        return folded
    keys = ["region", "year", "activity", "substance", "reported_unit"]
    e = emissions.assign(reported_unit=emissions["reported_unit"].fillna(""), _row=np.arange(len(emissions)))
    plants = e.loc[own.to_numpy(), [*keys, "category"]].drop_duplicates()
    anc = pd.DataFrame([(c, a) for c in plants["category"].unique() for a in categories.ancestors(c)],
                       columns=["category", "region_category"])
    drawn = plants.merge(anc, on="category").drop(columns="category").rename(columns={"region_category": "category"})
    hit = e.loc[~own.to_numpy()].merge(drawn.drop_duplicates(), on=[*keys, "category"])["_row"]
    out = own.to_numpy() | folded.to_numpy()
    out[hit.to_numpy()] = True
    return pd.Series(out, index=emissions.index)
