"""Agriculture (3.A livestock, 3.C aggregate sources on land): IPCC 2006 Vol.4 Tier 1 on whole columns.

- 3.A.1 enteric CH4 = N × EF (Eq. 10.19/10.20); 3.A.2 manure CH4 = N × EF (Eq. 10.22).
- 3.A.2 direct manure N2O = N × Nex × EF3 × 44/28 (Eq. 10.25, EF3 weighted over the systems);
  indirect (reported in 3.C.6) = N × Nex × (Frac_GasMS × EF4 + Frac_LeachMS × EF5) × 44/28 (Eq. 10.26–10.29).
- 3.C.7 rice CH4 = A × EF_c × SF_w × SF_p × SF_o × t (Eq. 5.1–5.2), or A × a local per-season ef.CH4.
- 3.C.4 direct soil N2O = F × EF1 × 44/28 (Eq. 11.1); 3.C.5 indirect = (F_SN × Frac_GASF + F_ON × Frac_GASM) × EF4
  + F × Frac_LEACH × EF5, × 44/28 (Eq. 11.9, 11.10); N inputs in t N.
- NH3, NOx, NMVOC and PM of manure management and field-burning pollutants: E = A × EF (EMEP/EEA Tier 1,
  3.B Tables 3-2 to 3-5 per head and year, by manure type where the table splits it).
A local `ef.X` replaces the method for X. Rows that share a key are summed first (keys.aggregate_keys).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, units, vocabulary
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import join_groups, map_distinct
from inventory.methods.keys import (REASON_NO_FACTOR, aggregate_keys, column, is_local, join_ids, unique_ids,
                                    with_parameters)

N2O_PER_N2O_N = 44.0 / 28.0  # IPCC 2006 Vol.4 Eq. 10.25 and 11.1: N2O-N -> N2O
N_INPUTS = ("nitrogen_fertiliser", "organic_n_fertiliser", "crop_residue_n")
# Eq. 11.9 volatilises synthetic (Frac_GASF) and organic (Frac_GASM) N only; crop-residue N has no such term.
NO_VOLATILISATION = ("crop_residue_n",)
# Field burning of crop residues: its substances are those data/expected_substances.csv expects of it.
BURNED = "crop_residue_burned"
BURNING_CATEGORY = "3.C.1"
_NAMES = ["ef", "rice_efc", "rice_days", "sf_w", "sf_p", "sf_o", "nex", "ef3", "frac_gasms", "frac_leachms",
          "ef1", "ef4", "ef5", "frac_gas", "frac_leach"]
_EMPTY_NE = KEY_COLUMNS + ["substance", "reason"]

# Not-estimated reasons of this module (codes of data/messages.csv, worded when rendered).
REASONS = {"manure_ch4": "ne_agri_manure_ch4", "manure_n2o": "ne_agri_manure_n2o",
           "manure_indirect": "ne_agri_manure_indirect", "rice": "ne_agri_rice", "animal_nh3": "ne_agri_animal_nh3",
           "place": "ne_agri_place", "no_method": "ne_agri_no_method"}


# --- published equations (column functions) -------------------------------------------------------

def rice_ch4(area_ha, ef_c, sf_w, sf_p, sf_o, days):
    """CH4 (t) = A × EF_c × SF_w × SF_p × SF_o × t (IPCC 2006 Vol.4 Eq. 5.1 and 5.2).

    area in ha harvested per season; EF_c in t CH4/ha/d; scaling factors dimensionless; days of cultivation.
    """
    return area_ha * ef_c * sf_w * sf_p * sf_o * days


def manure_n2o_direct(heads, nex, ef3):
    """N2O (t) = N × Nex × EF3 × 44/28 (IPCC 2006 Vol.4 Eq. 10.25; Nex in t N/head/a, EF3 weighted over systems)."""
    return heads * nex * ef3 * N2O_PER_N2O_N


def manure_n2o_indirect(heads, nex, frac_gasms, ef4, frac_leachms, ef5):
    """N2O (t) from volatilisation and leaching of managed manure N (IPCC 2006 Vol.4 Eq. 10.26-10.29).

    N × Nex × (Frac_GasMS × EF4 + Frac_LeachMS × EF5) × 44/28; Nex in t N/head/a, fractions and EFs dimensionless.
    """
    return heads * nex * (frac_gasms * ef4 + frac_leachms * ef5) * N2O_PER_N2O_N


def soil_n2o_direct(n_t, ef1):
    """N2O (t) = F × EF1 × 44/28 for N inputs F in t N (IPCC 2006 Vol.4 Eq. 11.1, Tier 1)."""
    return n_t * ef1 * N2O_PER_N2O_N


def soil_n2o_indirect(n_t, frac_gas, ef4, frac_leach, ef5):
    """N2O (t) = (F × Frac_GAS × EF4 + F × Frac_LEACH × EF5) × 44/28 (IPCC 2006 Vol.4 Eq. 11.9 and 11.10).

    F in t N; Frac_GAS is Frac_GASF for synthetic and Frac_GASM for organic N (0 for crop residues).
    """
    return n_t * (frac_gas * ef4 + frac_leach * ef5) * N2O_PER_N2O_N


# --- the method ------------------------------------------------------------------------------------

def _under(category: pd.Series, root: str) -> pd.Series:
    return map_distinct(category, lambda c: root in categories.ancestors(c)).astype(bool)


def handles(category: pd.Series) -> pd.Series:
    """True for categories under 3.A (livestock) and 3.C (aggregate sources on land)."""
    return map_distinct(category, lambda c: bool({"3.A", "3.C"} & set(categories.ancestors(c)))).astype(bool)


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emissions of agriculture and the not-estimated list (columns as methods.energy.compute).

    activity: validated rows of 3.A/3.C categories (animals in head, rice in ha, N inputs and residues in t).
    """
    keys = aggregate_keys(activity)
    if keys.empty:
        return pd.DataFrame(), pd.DataFrame(columns=_EMPTY_NE)
    k = with_parameters(keys, factor_table, _NAMES)

    activity_class = k["activity"].map(vocabulary.activities()["activity_class"]).fillna("")
    amount, cat = k["amount"], k["category"]
    is_animal = activity_class == "animal"
    enteric, manure = is_animal & _under(cat, "3.A.1"), is_animal & _under(cat, "3.A.2")
    is_rice = activity_class == "rice"
    is_n = k["activity"].isin(N_INPUTS)
    is_burned = k["activity"] == BURNED
    in_pair = cat.isin(["3.C.4", "3.C.5"])
    why = REASONS

    def col(name, default=np.nan):
        return column(k, name, default)

    parts: list[pd.DataFrame] = []

    def add(mask, category, substance, emission, ids, reason):
        m = mask.to_numpy()
        category = category if isinstance(category, pd.Series) else pd.Series(category, index=k.index)
        parts.append(pd.DataFrame({"row": k.index[m], "out_category": category[m].to_numpy(),
                                   "substance": substance, "emission": emission[m].to_numpy(),
                                   "factor_ids": ids[m].to_numpy(), "reason": reason}))

    def by_factor(substance):
        """A × ef.<substance> where the factor's basis is the amount's quantity (head, ha, t)."""
        ok = col(f"ef.{substance}:basis", "") == k["quantity"]
        return (amount * col(f"ef.{substance}")).where(ok), col(f"ef.{substance}:id", "").where(ok, "")

    # 3.A.1 enteric and 3.A.2 manure CH4: N × EF (Eq. 10.19, 10.22).
    ch4, ch4_ids = by_factor("CH4")
    add(enteric, cat, "CH4", ch4, ch4_ids, REASON_NO_FACTOR)
    add(manure, cat, "CH4", ch4, ch4_ids, why["manure_ch4"])
    add(is_animal & ~enteric & ~manure, cat, "CH4", pd.Series(np.nan, index=k.index), ch4_ids, why["place"])

    # 3.A.2 manure N2O: ef.N2O per head, else Eq. 10.25; local Nex or EF3 beat a shipped per-head default (a
    # team's own data come first, DESIGN 3.4), a local ef.N2O beats both. Indirect (Eq. 10.26-10.29) in 3.C.6.
    n2o, n2o_ids = by_factor("N2O")
    nex = col("nex").where(k["quantity"] == "head")
    method = manure_n2o_direct(amount, nex, col("ef3"))
    use_method = method.notna() & (is_local(k, "nex") | is_local(k, "ef3")) & ~is_local(k, "ef.N2O")
    use_ef = n2o.notna() & ~use_method
    add(manure, cat, "N2O", n2o.where(use_ef, method),
        n2o_ids.where(use_ef, join_ids(col("nex:id", ""), col("ef3:id", ""))), why["manure_n2o"])
    indirect = manure_n2o_indirect(amount, nex, col("frac_gasms"), col("ef4"), col("frac_leachms"), col("ef5"))
    add(manure, "3.C.6", "N2O", indirect,
        join_ids(col("nex:id", ""), col("frac_gasms:id", ""), col("ef4:id", ""), col("frac_leachms:id", ""),
                  col("ef5:id", "")), why["manure_indirect"])
    nh3, nh3_ids = by_factor("NH3")
    add(manure, cat, "NH3", nh3, nh3_ids, why["animal_nh3"])
    # Other pollutants of manure management (EMEP 3.B Tables 3-3 to 3-5) where a factor exists; not listed as NE.
    for substance in (p for p in vocabulary.pollutants() if p != "NH3"):
        e, ids = by_factor(substance)
        add(manure & e.notna(), cat, substance, e, ids, REASON_NO_FACTOR)

    # 3.C.7 rice CH4: a local per-season ef.CH4 wins, else Eq. 5.1-5.2 (SF_o = 1 without organic amendment).
    area = amount.where(k["quantity"] == "area")
    method = rice_ch4(area, col("rice_efc"), col("sf_w"), col("sf_p"), col("sf_o").fillna(1.0), col("rice_days"))
    add(is_rice, cat, "CH4", ch4.where(ch4.notna(), method),
        ch4_ids.where(ch4.notna(), join_ids(col("rice_efc:id", ""), col("sf_w:id", ""), col("sf_p:id", ""),
                                             col("sf_o:id", ""), col("rice_days:id", ""))), why["rice"])

    # 3.C.4 direct and 3.C.5 indirect soil N2O of N inputs (t N); NH3 of fertiliser (EMEP 3.D Tier 1).
    n_t = amount.where(k["quantity"] == "mass")
    add(is_n, cat.where(~in_pair, "3.C.4"), "N2O", n2o.where(n2o.notna(), soil_n2o_direct(n_t, col("ef1"))),
        n2o_ids.where(n2o.notna(), col("ef1:id", "")), REASON_NO_FACTOR)
    frac_gas = col("frac_gas").where(~k["activity"].isin(NO_VOLATILISATION), 0.0)
    add(is_n, cat.where(~in_pair, "3.C.5"), "N2O",
        soil_n2o_indirect(n_t, frac_gas, col("ef4"), col("frac_leach"), col("ef5")),
        join_ids(col("frac_gas:id", ""), col("ef4:id", ""), col("frac_leach:id", ""), col("ef5:id", "")),
        REASON_NO_FACTOR)
    add(is_n, cat.where(~in_pair, "3.C.4"), "NH3", nh3, nh3_ids, REASON_NO_FACTOR)

    # 3.C.1 field burning of crop residues: E = A × EF for every substance (Vol.4 Eq. 2.27 with M_B × C_f = A).
    for substance in vocabulary.expected_substances(BURNING_CATEGORY, BURNED):
        e, ids = by_factor(substance)
        add(is_burned, cat, substance, e, ids, REASON_NO_FACTOR)

    # Any other activity in these categories: a local ef.X for whichever substance it names.
    other = ~(is_animal | is_rice | is_n | is_burned)
    any_factor = pd.Series(False, index=k.index)
    for substance in vocabulary.substances().index:
        e, ids = by_factor(substance)
        add(other & e.notna(), cat, substance, e, ids, REASON_NO_FACTOR)
        any_factor |= e.notna()
    add(other & ~any_factor, cat, "", pd.Series(np.nan, index=k.index), pd.Series("", index=k.index),
        why["no_method"])
    return _finish(k, pd.concat(parts, ignore_index=True))


def _local(k: pd.DataFrame, name: str) -> pd.Series:
    """Whether each key's parameter `name` came from the user's workbook (factor id `local:...`)."""
    return column(k, f"{name}:id", "").astype(str).str.startswith("local:")


def _finish(k: pd.DataFrame, long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emission rows per output key and substance (summed), and the not-estimated rows."""
    out_key = KEY_COLUMNS + ["substance"]
    rows = k.loc[long["row"], ["region", "year", "activity", "technology", "amount", "quantity"]].reset_index(drop=True)
    long = pd.concat([long.reset_index(drop=True), rows], axis=1).rename(columns={"out_category": "category"})
    long["activity_unit"] = long["quantity"].map(units.canonical_units()).fillna("")
    estimated = long[long["emission"].notna()]
    out = estimated.groupby(out_key, sort=True).agg(
        emission=("emission", "sum"), activity_amount=("amount", "sum"), activity_unit=("activity_unit", "first"),
        factor_ids=("factor_ids", "first")).reset_index()
    several = estimated[estimated.duplicated(out_key, keep=False)]
    if len(several):  # rows of one output key from several activity keys: join their ids
        ids = join_groups(several, list(out_key), "factor_ids").map(unique_ids)
        out = out.set_index(out_key)
        out.loc[ids.index, "factor_ids"] = ids
        out = out.reset_index()
    missing = long[long["emission"].isna() & (long["amount"] != 0)]
    missing = missing.merge(out[out_key].assign(_have=True), on=out_key, how="left")
    ne = missing.loc[missing["_have"].isna(), _EMPTY_NE].drop_duplicates(out_key).reset_index(drop=True)
    return out, ne
