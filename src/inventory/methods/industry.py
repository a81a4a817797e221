"""Industrial processes (2.*) and fugitive emissions (1.B.*): product amount × factor, and the
published equations that need more than one factor.

Every activity row is a production amount in tonnes (clinker, lime, nitric acid, raw coal
mined...) or, for gas handled in 1.B.2, a volume in m3 (factors per m3). Rows sharing a key are summed, factors and parameters are resolved per key by
`factors.resolve.resolve_by_class` (local rows > user directories > shipped tables, most
specific first), and each substance is computed on whole columns:

- any substance with a factor `ef.X` (t per t of product, or t per m3 of gas): E = A × EF × (1 − η)
  (IPCC 2006 Vol.3 Tier 1 equations; T/CSES 144-2024 Eq. 2 for air pollutants);
- cement clinker CO2 (IPCC 2006 Vol.3 Eq. 2.2): E = M_cl × (CaO × 0.785) × CF_ckd;
- glass CO2 (IPCC 2006 Vol.3 Eq. 2.10): E = M_g × EF × (1 − CR);
- coal mining CH4 (IPCC 2006 Vol.2 Eq. 4.1.3/4.1.4, 4.1.7/4.1.8): E = A × EF_m3/t × ρ_CH4,
  mining and post-mining reported in the sub-categories `.1` and `.2` of the mine type.

A local `ef.X` replaces every method for X (DESIGN 3.3). Substances with a shipped or
user factor for a related category and activity, but none that applies to a key (no
technology given, say), are listed as not estimated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, units, vocabulary
from inventory.factors import penetration
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import map_distinct
from inventory.methods import equations as eq
from inventory.methods.keys import REASON_NO_FACTOR, aggregate_keys, column, is_local, join_ids, with_parameters

# Stoichiometric CO2/CaO mass ratio of IPCC 2006 Vol.3 Ch.2 (Eq. 2.2, p.2.11; the same 0.785 is
# printed in IPCC EFDB EF ID 23028 for lime).
CO2_PER_CAO = 0.785
_NAMES = ["ef", "removal_efficiency", "cao_content", "ckd_correction", "cullet_ratio", "ch4_mining",
          "ch4_post_mining", "ch4_density"]
# Parameters that make a substance computable without an ef.X row.
_PARAMETER_SUBSTANCE = {"cao_content": "CO2", "ch4_mining": "CH4", "ch4_post_mining": "CH4"}
_MINING_PARTS = (("ch4_mining", ".1"), ("ch4_post_mining", ".2"))
# Quantities of amount a plain `ef.X` factor can apply to (products by mass, gas handled in 1.B.2 by volume).
_EF_QUANTITIES = ("mass", "volume")
_FRAME = KEY_COLUMNS + ["substance", "emission", "activity_amount", "activity_unit", "factor_ids"]
# Not-estimated reasons of this module (codes of data/messages.csv, worded when rendered).
REASON_NOT_MASS = "ne_activity_not_mass"
REASON_NO_TECHNOLOGY_FACTOR = "ne_no_technology_factor"


def clinker_co2(clinker_t, cao_content, ckd_correction):
    """CO2 (t) of clinker production, IPCC 2006 Vol.3 Ch.2 Eq. 2.2.

    CO2 = M_cl × EF_cl × CF_ckd with EF_cl = CaO × 0.785 (t CO2 per t clinker);
    clinker_t in t, cao_content a mass fraction of clinker, ckd_correction dimensionless (1.02 default).
    """
    return clinker_t * cao_content * CO2_PER_CAO * ckd_correction


def glass_co2(glass_t, factor, cullet_ratio):
    """CO2 (t) of glass production, IPCC 2006 Vol.3 Ch.2 Eq. 2.10: CO2 = M_g × EF × (1 − CR).

    glass_t in t, factor in t CO2 per t glass, cullet_ratio a fraction of the melt.
    """
    return glass_t * factor * (1.0 - cullet_ratio)


def coal_mining_ch4(coal_t, ch4_m3_per_t, ch4_density_t_per_m3):
    """CH4 (t) of coal mining or post-mining, IPCC 2006 Vol.2 Ch.4 Eq. 4.1.3/4.1.4 (underground),
    4.1.7/4.1.8 (surface): CH4 = EF (m3/t) × coal production (t) × conversion factor (CH4 density, t/m3)."""
    return coal_t * ch4_m3_per_t * ch4_density_t_per_m3


def handles(category: pd.Series) -> pd.Series:
    """True for categories under 2 (industrial processes) or 1.B (fugitive emissions)."""
    return map_distinct(category, lambda c: bool({"2", "1.B"} & set(categories.ancestors(c)))).astype(bool)


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Process and fugitive emissions and the not-estimated list.

    activity: validated activity rows of 2.* and 1.B.* categories (amounts in t for products, m3 for gas).
    factor_table: shipped + user + local factors (factors.load / resolve.local_to_long).
    Returns (emissions, not_estimated) with the columns of `methods.energy.compute`.
    """
    keys = aggregate_keys(activity)
    if keys.empty:
        return pd.DataFrame(columns=_FRAME), pd.DataFrame(columns=KEY_COLUMNS + ["substance", "reason"])
    # A process technology alone (nsp_kiln) is no control: the control penetration applies (DESIGN 3.4).
    k = penetration.apply(with_parameters(keys, factor_table, _NAMES), factor_table)
    distinct = keys.drop_duplicates("key_id")[["key_id", *KEY_COLUMNS]]
    mass = k["quantity"] == "mass"
    amount = k["amount"].where(mass)
    # Amount in the key's own basis (t or m3) for plain factors, whose basis must match it.
    by_factor = k["quantity"].isin(_EF_QUANTITIES)
    ef_amount = k["amount"].where(by_factor)
    ef_unit = k["quantity"].map(units.canonical_units()).where(by_factor, units.canonical_unit("mass"))

    substances = sorted({c[3:] for c in k.columns if c.startswith("ef.") and ":" not in c})
    frames = []

    def add(substance, emission, ids, category=None):
        frames.append(pd.DataFrame({"key_id": k["key_id"], "category_out": k["category"] if category is None else category,
                                    "substance": substance, "emission": emission, "activity_amount": ef_amount,
                                    "activity_unit": ef_unit, "factor_ids": ids}))

    results = {}
    for s in substances:
        ef = column(k, f"ef.{s}").where(column(k, f"ef.{s}:basis", "") == k["quantity"])
        results[s] = (eq.emission_from_factor(ef_amount, ef), column(k, f"ef.{s}:id", ""))
    local_co2 = is_local(k, "ef.CO2")
    co2, co2_ids = results.get("CO2", (pd.Series(np.nan, index=k.index), pd.Series("", index=k.index)))
    # Glass: the Tier 1 factor applies to the melt less its cullet (a local ef.CO2 is taken as is).
    cullet = column(k, "cullet_ratio")
    use_cullet = co2.notna() & cullet.notna() & ~local_co2
    co2 = co2.where(~use_cullet, glass_co2(amount, column(k, "ef.CO2"), cullet))
    co2_ids = co2_ids.where(~use_cullet, join_ids(co2_ids, column(k, "cullet_ratio:id", "")))
    # Cement clinker: CaO content × 0.785 × CKD correction where no factor applies.
    clinker = clinker_co2(amount, column(k, "cao_content"), column(k, "ckd_correction"))
    use_clinker = co2.isna() & clinker.notna()
    co2 = co2.where(~use_clinker, clinker)
    co2_ids = co2_ids.where(~use_clinker, join_ids(column(k, "cao_content:id", ""), column(k, "ckd_correction:id", "")))
    if co2.notna().any():
        results["CO2"] = (co2, co2_ids)

    # Removal efficiencies (control devices in the technology, or local rows) on every substance.
    pm25_unc = results.get("PM2.5", (None,))[0]
    for s, (unc, ids) in results.items():
        eta = column(k, f"removal_efficiency.{s}")
        eta_ids = column(k, f"removal_efficiency.{s}:id", "")
        if s == "PM10" and pm25_unc is not None:
            # PM10 after control from its PM2.5 and coarse parts (T/CSES 144-2024 Table A.1), as for combustion.
            split = eq.pm10_after_control(pm25_unc, unc, column(k, "removal_efficiency.PM2.5").fillna(0.0),
                                          column(k, "removal_efficiency.PM2.5-10").fillna(0.0))
            whole = eq.after_control(unc, eta)
            use_whole = eta.notna() | pm25_unc.isna()
            add(s, whole.where(use_whole, split),
                join_ids(ids, pd.Series(np.where(use_whole, eta_ids, join_ids(
                    column(k, "removal_efficiency.PM2.5:id", ""), column(k, "removal_efficiency.PM2.5-10:id", ""))),
                    index=k.index)))
        else:
            add(s, eq.after_control(unc, eta), join_ids(ids, eta_ids))

    # Coal mining and post-mining CH4 where no ef.CH4 applies: one row per part, in the part's sub-category.
    no_ef_ch4 = results.get("CH4", (pd.Series(np.nan, index=k.index),))[0].isna()
    density = column(k, "ch4_density")
    parts = [coal_mining_ch4(amount, column(k, name), density).where(no_ef_ch4) for name, _ in _MINING_PARTS]
    some_part = parts[0].notna() | parts[1].notna()
    part_ne = []
    for (name, suffix), part in zip(_MINING_PARTS, parts):
        sub = map_distinct(k["category"], lambda c, s=suffix: c + s if c + s in categories.table().index else c)
        add("CH4", part, join_ids(column(k, f"{name}:id", ""), column(k, "ch4_density:id", "")), category=sub)
        # The other part of a mine type with one part estimated is not estimated, in its own sub-category.
        gap = some_part & part.isna() & (sub != k["category"])
        part_ne.append(k.loc[gap, KEY_COLUMNS].assign(category=sub[gap], substance="CH4",
                                                      reason=REASON_NO_FACTOR))

    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    estimated = long[long["emission"].notna()] if len(long) else long
    if len(estimated):
        out = estimated.groupby(["key_id", "category_out", "substance"], sort=False).agg(
            emission=("emission", "sum"), activity_amount=("activity_amount", "sum"),
            activity_unit=("activity_unit", "first"), factor_ids=("factor_ids", "first")).reset_index()
        out = distinct.merge(out, on="key_id").drop(columns=["key_id", "category"]).rename(
            columns={"category_out": "category"})[_FRAME]
    else:
        out = pd.DataFrame(columns=_FRAME)
    ne = pd.concat([_not_estimated(distinct, keys, estimated, factor_table), *part_ne], ignore_index=True)
    return out, ne


def _expected(category: str, activity: str, table: pd.DataFrame) -> dict[str, bool]:
    """Substances expected of an activity in a category -> whether some factor table row could give it.

    Expected are the greenhouse gases the IPCC source category covers (data/expected_substances.csv,
    `vocabulary.expected_substances`) and every substance the factor tables give for the activity in a
    related category (own, ancestor or descendant: a row for another technology or sub-category counts).
    """
    expected = set(vocabulary.expected_substances(category, activity))
    rows = table[table["activity"] == activity]
    related = map_distinct(rows["category"], lambda c: c == "" or categories.is_related(c, category)).astype(bool)
    names = set(rows.loc[related, "name"])
    tabled = {n[3:] for n in names if n.startswith("ef.")} | {s for n, s in _PARAMETER_SUBSTANCE.items() if n in names}
    return {s: s in tabled for s in expected | tabled}


def _not_estimated(distinct: pd.DataFrame, keys: pd.DataFrame, estimated: pd.DataFrame,
                   table: pd.DataFrame) -> pd.DataFrame:
    """Keys × expected substances with no emission, and keys with no emission at all: NE with the reason.

    The expected substances are found once per distinct (category, activity) pair. Keys whose
    amounts are all zero emit nothing whatever the factor and are not listed.
    """
    nonzero = keys.groupby("key_id")["amount"].sum().loc[lambda a: a != 0].index
    distinct = distinct[distinct["key_id"].isin(nonzero)]
    table = table[table["activity"].isin(set(distinct["activity"]))]
    pairs = distinct[["category", "activity"]].drop_duplicates()
    expect = pd.DataFrame([(c, a, s, t) for c, a in zip(pairs["category"], pairs["activity"])
                           for s, t in sorted(_expected(c, a, table).items())],
                          columns=["category", "activity", "substance", "tabled"])
    have = (estimated[["key_id", "substance"]].drop_duplicates() if len(estimated)
            else pd.DataFrame(columns=["key_id", "substance"])).assign(_have=True)
    expected = distinct.merge(expect, on=["category", "activity"], how="left")
    missing = expected.merge(have, on=["key_id", "substance"], how="left")
    missing = missing[missing["_have"].isna()].drop(columns="_have")
    # A key with nothing expected is listed once (substance ""), unless it emitted something.
    missing = missing[missing["substance"].notna() | ~missing["key_id"].isin(have["key_id"])]
    not_mass = keys.loc[~keys["quantity"].isin(_EF_QUANTITIES), "key_id"]
    reason = np.where(missing["key_id"].isin(not_mass), REASON_NOT_MASS,
                      np.where(missing["tabled"].fillna(False).astype(bool), REASON_NO_TECHNOLOGY_FACTOR,
                               REASON_NO_FACTOR))
    return missing.assign(substance=missing["substance"].fillna(""), reason=reason)[
        KEY_COLUMNS + ["substance", "reason"]].reset_index(drop=True)
