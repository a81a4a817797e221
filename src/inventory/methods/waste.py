"""Waste (4): solid waste disposal by first-order decay, biological treatment, incineration, wastewater.

IPCC 2006 Guidelines Vol.5 (2019 Refinement values where the factor rows say so):
- 4.A solid waste disposal, CH4: first-order decay (Ch.3 Eq. 3.1, 3.2, 3.4-3.6) over the
  disposal history of each waste stream (region, category, activity, technology);
- 4.B biological treatment, CH4 and N2O: Ch.4 Eq. 4.1, 4.2;
- 4.C incineration and open burning: fossil CO2 by Ch.5 Eq. 5.1, CH4 and N2O by factor (Eq. 5.4, 5.5);
- 4.D wastewater: CH4 = (TOW − S) × Bo × MCF − R (Ch.6 Eq. 6.1 with 6.2, Eq. 6.4 for industry),
  N2O from the nitrogen in wastewater × EF (kg N2O-N/kg N) × 44/28 (Eq. 6.7 form).
Any substance with a factor (shipped, user or a local `ef.X` row) is also computed as
amount × factor × (1 − removal efficiency); a local `ef.X` replaces the equations above for X.
Activity amounts are in tonnes: waste deposited/treated/incinerated (wet weight), the organic
load TOW of wastewater (t BOD for domestic, t COD for industrial wastewater), nitrogen (t N).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, units
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import map_distinct
from inventory.methods import equations as eq
from inventory.methods.keys import (REASON_NO_FACTOR, aggregate_keys, column, expected_per_key, join_ids,
                                    with_parameters)

CH4_PER_C = 16.0 / 12.0
N2O_PER_N2O_N = 44.0 / 28.0
NAMES = ["doc", "docf", "mcf", "f", "k", "ox", "recovery", "bo", "sludge", "dm", "cf", "fcf", "of", "ef",
         "removal_efficiency"]
# Method groups: the categories whose subtrees share a method. Substances each key is expected to
# have (a missing one is NE) are data (data/expected_substances.csv).
GROUPS = ("4.A", "4.B", "4.C", "4.D")
# Not-estimated reasons by method group and substance (codes of data/messages.csv, worded when rendered).
REASONS = {
    ("", ""): "ne_waste_no_method",
    ("4.A", "CH4"): "ne_waste_landfill_ch4",
    ("4.C", "CO2"): "ne_waste_incineration_co2",
    ("4.D", "CH4"): "ne_waste_wastewater_ch4",
}
REASON_NOT_MASS = "ne_waste_not_mass"


def ddocm_deposited(waste_t, doc, docf, mcf):
    """DDOCm (t C) = W × DOC × DOCf × MCF (IPCC 2006 Vol.5 Ch.3 Eq. 3.2).

    waste_t: wet waste deposited (t); DOC (t C/t wet waste), DOCf and MCF fractions.
    """
    return waste_t * doc * docf * mcf


def ddocm_decomposed(deposited: np.ndarray, k: np.ndarray) -> np.ndarray:
    """DDOCm decomposed (t C) per stream (rows) and year (columns) by first-order decay.

    IPCC 2006 Vol.5 Ch.3 Eq. 3.4: DDOCma_T = DDOCmd_T + DDOCma_(T−1) × e^(−k);
    Eq. 3.5: DDOCm decomp_T = DDOCma_(T−1) × (1 − e^(−k)). As these equations are
    written, waste deposited in year T adds to the stock at the end of T and starts
    decaying in T+1: the IPCC Waste Model's default reaction start of 1 January of the
    year after deposition (an average delay of six months; Vol.5 Ch.3 §3.2.2, that
    wording not checked against the PDF). deposited and k: arrays (streams ×
    consecutive years), k in 1/a for the year of decay. Loops over years only.
    """
    accumulated = np.zeros(deposited.shape[0])
    decomposed = np.zeros_like(deposited, dtype=float)
    for j in range(deposited.shape[1]):
        keep = np.exp(-k[:, j])
        decomposed[:, j] = accumulated * (1.0 - keep)
        accumulated = deposited[:, j] + accumulated * keep
    return decomposed


def ch4_generated(decomposed_c, f):
    """CH4 generated (t) = DDOCm decomposed (t C) × F × 16/12 (IPCC 2006 Vol.5 Ch.3 Eq. 3.6)."""
    return decomposed_c * f * CH4_PER_C


def ch4_emitted(generated, recovered, ox):
    """CH4 emitted (t) = (CH4 generated − R) × (1 − OX) (IPCC 2006 Vol.5 Ch.3 Eq. 3.1); R in t CH4."""
    return (generated - recovered) * (1.0 - ox)


def co2_incineration(waste_t, dm, cf, fcf, of):
    """Fossil CO2 (t) = W × dm × CF × FCF × OF × 44/12 (IPCC 2006 Vol.5 Ch.5 Eq. 5.1, one waste type).

    waste_t: wet waste incinerated or burned (t); dm, CF (of dry matter), FCF, OF as fractions.
    """
    return waste_t * dm * cf * fcf * of * eq.CO2_PER_C


def ch4_wastewater(tow_t, sludge_t, bo, mcf, recovered_t):
    """CH4 (t) = (TOW − S) × Bo × MCF − R (IPCC 2006 Vol.5 Ch.6 Eq. 6.1 with EF = Bo × MCF, Eq. 6.2;
    Eq. 6.4 for industrial wastewater with COD).

    tow_t: organic load to the system (t BOD or t COD); sludge_t: organic load removed as sludge (t);
    bo: kg CH4 per kg BOD/COD; mcf: fraction; recovered_t: t CH4.
    """
    return (tow_t - sludge_t) * bo * mcf - recovered_t


def n2o_from_nitrogen(nitrogen_t, ef_n2o_n):
    """N2O (t) = N (t) × EF (kg N2O-N per kg N) × 44/28 (IPCC 2006 Vol.5 Ch.6 Eq. 6.7; 2019 Refinement Eq. 6.9/6.11)."""
    return nitrogen_t * ef_n2o_n * N2O_PER_N2O_N


def method_group(category: pd.Series) -> pd.Series:
    """4.A, 4.B, 4.C or 4.D for each key; "" for the sector as a whole."""
    return map_distinct(category, lambda c: next((a for a in categories.ancestors(c) if a in GROUPS), ""))


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emissions of waste categories (4) and the not-estimated list (columns as methods.energy.compute).

    activity: validated rows of categories under 4, amounts in t; rows with `history` True
    (earlier years of a 4.A stream, DESIGN 3.3) feed the decay model but are not reported.
    """
    history = activity["history"] if "history" in activity else pd.Series(False, index=activity.index)
    past = activity.assign(history=history.astype(bool)).groupby(KEY_COLUMNS, sort=False, observed=True)["history"].all()
    keys = aggregate_keys(activity[activity["quantity"] == "mass"])
    if keys.empty:
        return pd.DataFrame(), _not_mass(activity)
    k = with_parameters(keys, factor_table, NAMES)
    distinct = keys.drop_duplicates("key_id")[["key_id", *KEY_COLUMNS]]
    k["group"] = method_group(k["category"])
    k = k.merge(past.rename("history").reset_index(), on=KEY_COLUMNS, how="left")
    k["history"] = k["history"].fillna(False).astype(bool)
    amount = k["amount"]

    results = {}
    pm25 = eq.emission_from_factor(amount, column(k, "ef.PM2.5").where(column(k, "ef.PM2.5:basis", "") == "mass"))
    for name in [c for c in k.columns if c.startswith("ef.") and ":" not in c]:
        substance = name[3:]
        basis, method = column(k, name + ":basis", ""), column(k, name + ":method", "")
        ef = column(k, name).where(basis == "mass")
        ef = ef.where(method != "n2o_n", ef * N2O_PER_N2O_N)  # kg N2O-N per kg N -> N2O
        uncontrolled = eq.emission_from_factor(amount, ef)
        # BC as a share of uncontrolled PM2.5 (EMEP/EEA Tier 1 tables give it so).
        share = method == "share_of_PM2.5"
        uncontrolled = uncontrolled.where(~share, pm25 * column(k, name))
        share_ids = pd.Series(np.where(share, column(k, "ef.PM2.5:id", ""), ""), index=k.index)
        eta = column(k, f"removal_efficiency.{substance}").fillna(0.0)
        results[substance] = (eq.after_control(uncontrolled, eta),
                              join_ids(share_ids, column(k, name + ":id", ""),
                                        column(k, f"removal_efficiency.{substance}:id", "")))

    def ids(*names):
        return join_ids(*[column(k, n + ":id", "") for n in names])

    def use(substance, mask, values, value_ids):
        """Equation values where mask holds and no factor (shipped, user or local ef.X) gave one."""
        base, base_ids = results.get(substance, (pd.Series(np.nan, index=k.index), pd.Series("", index=k.index)))
        take = mask & base.isna()
        results[substance] = (base.where(~take, values), base_ids.where(~take, value_ids))

    recovered = column(k, "recovery").fillna(0.0)
    g = k["group"]
    # 4.A: first-order decay over each stream's history.
    use("CH4", g == "4.A", _first_order_decay(k), ids("doc", "docf", "mcf", "k", "f", "ox", "recovery"))
    # 4.B: a factor per treatment (Eq. 4.1), less recovered CH4.
    if "CH4" in results:
        ch4, ch4_ids = results["CH4"]
        is_b = g == "4.B"
        results["CH4"] = (ch4.where(~is_b, ch4 - recovered), ch4_ids.where(~is_b, join_ids(ch4_ids, ids("recovery"))))
    # 4.C: fossil CO2 from the carbon of the waste (Eq. 5.1).
    use("CO2", g == "4.C", co2_incineration(amount, column(k, "dm"), column(k, "cf"), column(k, "fcf"), column(k, "of")),
        ids("dm", "cf", "fcf", "of"))
    # 4.D: wastewater CH4 (Eq. 6.1/6.4).
    use("CH4", g == "4.D", ch4_wastewater(amount, column(k, "sludge").fillna(0.0), column(k, "bo"), column(k, "mcf"),
                                          recovered), ids("bo", "mcf", "sludge", "recovery"))

    # Recovery cannot exceed what is generated (Eq. 3.1, 4.1, 6.1): a larger R gives 0, never a sink.
    if "CH4" in results:
        ch4, ch4_ids = results["CH4"]
        results["CH4"] = (ch4.clip(lower=0.0), ch4_ids)
    frames = [pd.DataFrame({"key_id": k["key_id"], "substance": s, "emission": e, "factor_ids": i,
                            "activity_amount": amount, "activity_unit": units.canonical_unit("mass")})
              for s, (e, i) in results.items()]
    long = pd.concat(frames, ignore_index=True)
    reported = set(k.loc[~k["history"], "key_id"])
    long = long[long["emission"].notna() & long["key_id"].isin(reported)]
    out = distinct.merge(long, on="key_id")
    ne = _not_estimated(k[~k["history"]], long)
    return out.drop(columns="key_id")[KEY_COLUMNS + ["substance", "emission", "activity_amount", "activity_unit",
                                                     "factor_ids"]], pd.concat([ne, _not_mass(activity)],
                                                                               ignore_index=True)


def _first_order_decay(k: pd.DataFrame) -> pd.Series:
    """CH4 emitted (t) of each 4.A key's year from the deposits of its stream up to that year.

    A stream is (region, category, activity, technology); years without a row deposit
    nothing; a year with deposits but no DOC, DOCf, MCF or k leaves the whole stream NaN.
    Parameters of years without a row are carried from the nearest year with one.
    """
    rows = k[k["group"] == "4.A"]
    out = pd.Series(np.nan, index=k.index)
    if rows.empty:
        return out
    stream = rows.groupby(["region", "category", "activity", "technology"], sort=False).ngroup()
    years = np.arange(int(rows["year"].min()), int(rows["year"].max()) + 1)
    deposited = ddocm_deposited(rows["amount"], column(rows, "doc"), column(rows, "docf"), column(rows, "mcf"))

    def grid(values: pd.Series, fill: str) -> np.ndarray:
        g = pd.DataFrame({"s": stream, "y": rows["year"].astype(int), "v": values.astype(float)}).pivot(
            index="s", columns="y", values="v").reindex(index=range(stream.max() + 1), columns=years)
        return (g.fillna(0.0) if fill == "zero" else g.ffill(axis=1).bfill(axis=1)).to_numpy(dtype=float)

    incomplete = (deposited.isna() | column(rows, "k").isna()) & (rows["amount"] != 0)
    bad = set(stream[incomplete])
    decomposed = ddocm_decomposed(grid(deposited.fillna(0.0), "zero"), grid(column(rows, "k"), "carry"))
    generated = ch4_generated(decomposed, grid(column(rows, "f"), "carry"))
    emitted = ch4_emitted(generated, grid(column(rows, "recovery").fillna(0.0), "zero"),
                          np.nan_to_num(grid(column(rows, "ox"), "carry"), nan=0.0))
    value = emitted[stream.to_numpy(), rows["year"].astype(int).to_numpy() - years[0]]
    out.loc[rows.index] = np.where(stream.isin(bad), np.nan, value)
    return out


def _not_estimated(k: pd.DataFrame, estimated: pd.DataFrame) -> pd.DataFrame:
    """Reported keys × expected substances with no emission, with the reason (notation key NE).

    Keys of the sector as a whole (group "") have no method: each is listed once, substance "".
    """
    columns = KEY_COLUMNS + ["substance", "reason"]
    nonzero = k[k["amount"] != 0][["key_id", *KEY_COLUMNS, "group"]]
    nonzero = nonzero.assign(_order=np.arange(len(nonzero)))
    whole = nonzero[nonzero["group"] == ""].assign(substance="")
    expected = pd.concat([expected_per_key(nonzero[nonzero["group"] != ""]), whole],
                         ignore_index=True).sort_values("_order", kind="stable")
    have = estimated[["key_id", "substance"]].drop_duplicates().assign(_have=True)
    missing = expected.merge(have, on=["key_id", "substance"], how="left")
    missing = missing[missing["_have"].isna()]
    if missing.empty:
        return pd.DataFrame(columns=columns)
    reasons = {f"{grp}|{s}": code for (grp, s), code in REASONS.items()}
    pair = missing["group"] + "|" + missing["substance"]
    return missing.assign(reason=pair.map(reasons).fillna(REASON_NO_FACTOR))[columns].reset_index(drop=True)


def _not_mass(activity: pd.DataFrame) -> pd.DataFrame:
    """Rows given in a unit that is not a mass: waste methods work on tonnes."""
    rows = activity[activity["quantity"] != "mass"]
    return rows[KEY_COLUMNS].drop_duplicates().assign(
        substance="", reason=REASON_NOT_MASS).reset_index(drop=True)


def is_waste(category: pd.Series) -> pd.Series:
    """True for categories under 4 (waste)."""
    return map_distinct(category, lambda c: "4" in categories.ancestors(c)).astype(bool)


handles = is_waste  # the method registry's name (methods/__init__.py)
