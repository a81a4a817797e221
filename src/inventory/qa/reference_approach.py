"""IPCC reference approach against the sectoral approach (IPCC 2006 Vol.2 Ch.6).

The reference approach estimates CO2 from the supply of fuels, without knowing who
burnt them (Vol.2 Ch.6):

    apparent consumption = production + imports − exports − international bunkers − stock change   (Eq. 6.2)
    CO2 = (apparent consumption × NCV × carbon content − excluded carbon) × oxidation × 44/12       (Eq. 6.1)

with excluded carbon = the carbon of non-energy use and feedstocks (the balance's
非能源使用 row) × carbon content. For a province, imports and exports include the
inter-provincial flows (外省调入, 本省调出) and the bunker rows count with the sign of
the balance (data/supply_flows.csv). NCV, carbon content and oxidation rate are the
ones the build resolved for the fuel at category 1.A (the same factor table as the
sectoral approach), so the difference is on the activity side.

Sources read (secondary copies of the IPCC text; the primary PDF was not at hand):
- Eq. 6.2 and the sign of stock change ("an increase in stocks is a positive stock
  change which withdraws supply from consumption"): climate-policy-watcher.org
  `emission-factors/apparent-consumption.html` (IPCC 2006 Vol.2 Ch.6 text);
- the steps (apparent consumption, conversion to energy, carbon content, subtraction
  of carbon stored in non-energy uses, oxidation, × 44/12): UNFCCC/GHG Institute
  course pages `member.ghginstitute.org/ghgcourses/UNFCCC/updated/feb2010/energy/l01_t02_p18..p22`;
- thresholds: "in general the gap between the two approaches is relatively small (5 per
  cent or less)", climate-policy-watcher.org `emissions-sector/reference-approach-vs-sectoral-approach.html`:
  the default fail threshold 5 %; the warn threshold 2 % is our choice.
The check compares the two approaches per fuel type (solid, liquid, gaseous, other), as the UNFCCC
reporting table 1.A(c) does ("aggregate apparent energy consumption of major fuel types (i.e., solid,
liquid, and gaseous), and other fuels": member.ghginstitute.org `.../energy/l01_t05_p34`), with the
sectoral side taking every fuel of the type, because a primary fuel's carbon reaches the sectors as its
products (crude oil as gasoline, raw coal as coke and coke-oven gas). The fuel types are the UN
International Standard Energy Classification's sections (data/reference_fuel_types.csv; the codes read
in a copy of Eurostat's SIEC code list, find_string file id 43500165200): manufactured gases (coke-oven,
blast-furnace, other recovered gases) are coal products, refinery gas, LPG and petroleum coke oil
products.
Not verified in a copy: the number "Eq. 6.1" of the overall equation (taken from the
issue), and whether the 2006 Guidelines exclude all the carbon of non-energy use (as
done here) or a stored fraction; the IPCC default oxidation factor 1 is used only
where the factor tables resolve it (they do for IPCC-layer fuels, Table 1.4).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from inventory import resources, units
from inventory.factors.resolve import resolve
from inventory.methods.equations import CO2_PER_C
from inventory.qa.grading import difference_pct, grade
from inventory.qa.reconcile import fuel_key
from inventory.result import CHECK_COLUMNS

CHECK = "reference_approach"
DEFAULT_THRESHOLDS = {"warn": 0.02, "fail": 0.05}
# The category the parameters are resolved at, and the check rows are reported under.
CATEGORY = "1.A"
_SUPPLY_TERMS = ["production", "imports", "exports", "international_bunkers", "stock_change"]
_INFO = ["non_energy_use", "loss", "total_consumption", "transformation"]

TABLE_COLUMNS = [
    "region", "year", "activity", *_SUPPLY_TERMS, "apparent_consumption", "non_energy_use", "loss",
    "transformation", "total_consumption", "unit", "ncv", "ncv_unit", "energy_tj", "carbon_content_t_per_tj",
    "carbon_t", "excluded_carbon_t", "oxidation_rate", "reference_co2_t", "sectoral_co2_t", "difference_t",
    "diff_pct", "transformation_co2_t", "loss_co2_t", "statistical_difference_co2_t", "factor_ids",
]


@cache
def fuel_types() -> dict[str, str]:
    """Activity id -> fuel type of the comparison (solid, liquid, gas, other; data/reference_fuel_types.csv)."""
    t = resources.data_table("reference_fuel_types.csv")
    return dict(zip(t["activity"], t["fuel_type"]))


def co2_reference_approach(apparent_tj, excluded_tj, carbon_content, oxidation_rate):
    """CO2 (t) = ((apparent consumption − non-energy use) TJ × carbon content tC/TJ) × oxidation × 44/12.

    IPCC 2006 Vol.2 Ch.6 Eq. 6.1: (apparent consumption × conversion factor × carbon
    content − excluded carbon) × fraction oxidised × 44/12, with the excluded carbon
    of non-energy use at the same carbon content.
    """
    return (apparent_tj - excluded_tj) * carbon_content * oxidation_rate * CO2_PER_C


def apparent_consumption(flows: pd.DataFrame) -> pd.Series:
    """Production + imports − exports − international bunkers − stock change (IPCC 2006 Vol.2 Eq. 6.2).

    flows: the supply terms as columns (exports and bunkers as positive amounts
    leaving; stock change positive for a stock increase).
    """
    return (flows["production"] + flows["imports"] - flows["exports"] - flows["international_bunkers"]
            - flows["stock_change"])


def _terms(supply: pd.DataFrame) -> pd.DataFrame:
    """Supply rows (Inputs.supply) -> one row per region, year, activity and quantity with the IPCC terms."""
    from inventory.read.energy_balance import supply_flows

    flows = supply_flows().set_index("flow")
    s = supply.assign(term=supply["flow"].map(flows["ipcc_term"]).fillna(""))
    info = s["flow"].isin(_INFO)
    # Signed contributions to apparent consumption -> IPCC terms: exports, bunkers and stock change subtract.
    subtract = s["term"].isin(["exports", "international_bunkers", "stock_change"])
    # Transformation: inputs only (positive, as the balance reader signs them); outputs are other fuels.
    info_value = s["amount"].where(s["flow"] != "transformation", s["amount"].clip(lower=0))
    s["value"] = np.where(info, info_value, np.where(subtract, -s["amount"], s["amount"]))
    s["column"] = np.where(info, s["flow"], s["term"])
    wide = s.pivot_table(index=["region", "year", "activity", "quantity"], columns="column", values="value",
                         aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=_SUPPLY_TERMS + _INFO, fill_value=0.0).reset_index()
    wide.columns.name = None
    # Fuels with a non-zero supply row only: a fuel with nothing but info rows (or zero bunker rows)
    # is not in the reference approach.
    has_supply = s[~info & (s["amount"] != 0)].groupby(["region", "year", "activity"]).size()
    keep = pd.MultiIndex.from_frame(wide[["region", "year", "activity"]]).isin(has_supply.index)
    return wide[keep].reset_index(drop=True)


def _parameters(keys: pd.DataFrame, factor_table: pd.DataFrame) -> pd.DataFrame:
    """NCV, carbon content and oxidation rate resolved for region, year, activity at category 1.A."""
    k = keys[["region", "year", "activity"]].drop_duplicates().reset_index(drop=True)
    k = k.assign(category=CATEGORY, technology="", key_id=np.arange(len(k)))
    won = resolve(k, factor_table, ["ncv", "carbon_content", "oxidation_rate"])
    wide = won.pivot(index="key_id", columns="name", values="value").astype(float)
    basis = won[won["name"] == "ncv"].set_index("key_id")["basis"].rename("ncv_basis")
    ids = won.groupby("key_id")["factor_id"].agg(";".join).rename("factor_ids")
    out = k.join(wide, on="key_id").join(basis, on="key_id").join(ids, on="key_id")
    for name in ("ncv", "carbon_content", "oxidation_rate"):
        if name not in out:
            out[name] = np.nan
    return out.drop(columns=["category", "technology", "key_id"])


def _sectoral(emissions: pd.DataFrame) -> pd.Series:
    """Sectoral CO2 (t) of fuel combustion per region, year and activity (every basis: the region's inventory)."""
    from inventory.methods.energy import is_combustion

    e = emissions[(emissions["substance"] == "CO2") & (emissions["kind"] == "emission")]
    e = e[is_combustion(e["category"]).to_numpy()] if len(e) else e
    return e.groupby(["region", "year", "activity"])["emission"].sum().rename("sectoral_co2_t")


def _unsupplied(table: pd.DataFrame, emissions: pd.DataFrame) -> pd.DataFrame:
    """Rows for the fuels burnt in a region-year of `table` that have no supply row there (secondary
    fuels whose inflows the balance does not give, e.g. gasoline when only crude oil's supply is given):
    reference CO2 0, sectoral CO2 as built, so the fuel type's comparison holds all its fuels."""
    sectoral = _sectoral(emissions).reset_index()
    sectoral = sectoral[sectoral["sectoral_co2_t"] != 0]
    region_years = table[["region", "year"]].drop_duplicates()
    rows = sectoral.merge(region_years, on=["region", "year"])
    rows = rows.merge(table[["region", "year", "activity"]], how="left", indicator=True)
    rows = rows[rows["_merge"] == "left_only"].drop(columns="_merge")
    return rows.assign(reference_co2_t=0.0, transformation_co2_t=0.0, loss_co2_t=0.0)


def explanation_table(supply: pd.DataFrame, emissions: pd.DataFrame, factor_table: pd.DataFrame) -> pd.DataFrame:
    """The per-fuel explanation table (TABLE_COLUMNS) of the reference approach against the sectoral approach.

    Amounts are in the canonical unit of their quantity (`unit`: t, m3 or TJ). Per fuel:
    the supply terms and apparent consumption (Eq. 6.2); energy (TJ) = amount × NCV;
    carbon (t C) = energy × carbon content; excluded carbon of non-energy use;
    reference CO2 (Eq. 6.1); the build's sectoral CO2 of the same fuel; their
    difference and diff_pct = (reference − sectoral) / |sectoral| × 100 (qa.grading). The
    difference is explained in CO2 at the same factor (IPCC 2006 Vol.2 Ch.6 asks
    for statistical differences, transformation and non-energy use; non-energy use
    is already excluded): transformation = inputs converted to other fuels (coal
    washing, coking, refining: their CO2 is reported under the products); losses
    (counted in supply, burnt nowhere); statistical difference = the rest, supply
    not matched by recorded use (plus any category-specific parameter the sectoral
    approach used where this one uses the fuel's 1.A value). `total_consumption`
    is the balance's own total as printed (definitions differ: CEADs' excludes losses).
    """
    if supply is None or supply.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    t = _terms(supply)
    t["apparent_consumption"] = apparent_consumption(t)
    t = t.merge(_parameters(t, factor_table), on=["region", "year", "activity"], how="left")
    # Amounts in TJ: energy as it is; mass and volume through an NCV of the same basis.
    per_unit = np.where(t["quantity"] == "energy", 1.0, t["ncv"].where(t["ncv_basis"] == t["quantity"]))
    t["unit"] = t["quantity"].map(units.canonical_units())
    t["ncv_unit"] = np.where(t["quantity"] == "energy", "", units.canonical_unit("energy") + "/" + t["unit"])
    t["ncv"] = np.where(t["quantity"] == "energy", np.nan, per_unit)
    co2_per_tj = t["carbon_content"] * t["oxidation_rate"] * CO2_PER_C  # the Eq. 6.1 factor per TJ

    def tj(column):
        return t[column] * per_unit

    t["energy_tj"] = tj("apparent_consumption")
    t["carbon_content_t_per_tj"] = t["carbon_content"]
    t["carbon_t"] = t["energy_tj"] * t["carbon_content"]
    t["excluded_carbon_t"] = tj("non_energy_use") * t["carbon_content"]
    t["reference_co2_t"] = co2_reference_approach(t["energy_tj"], tj("non_energy_use"), t["carbon_content"],
                                                  t["oxidation_rate"])
    t["transformation_co2_t"] = tj("transformation") * co2_per_tj
    t["loss_co2_t"] = tj("loss") * co2_per_tj
    t = t.join(_sectoral(emissions), on=["region", "year", "activity"])
    t["sectoral_co2_t"] = t["sectoral_co2_t"].fillna(0.0)
    t = pd.concat([t, _unsupplied(t, emissions)], ignore_index=True)
    t["difference_t"] = t["reference_co2_t"] - t["sectoral_co2_t"]
    t["diff_pct"] = difference_pct(t["reference_co2_t"], t["sectoral_co2_t"])
    # What transformation and losses do not explain is supply not matched by recorded use.
    t["statistical_difference_co2_t"] = t["difference_t"] - t["transformation_co2_t"] - t["loss_co2_t"]
    return t.sort_values(["region", "year", "activity"]).reset_index(drop=True).reindex(columns=TABLE_COLUMNS)


def reference_approach_table(ctx) -> pd.DataFrame:
    """The per-fuel explanation table of a build's check context (qa.checks.CheckContext), for the
    report and the QA sheet: explanation_table() of its supply rows, emissions and factor table."""
    supply = getattr(ctx.inputs, "supply", None)
    return explanation_table(supply, ctx.emissions, ctx.factor_table)


def reference_approach(table: pd.DataFrame, thresholds: dict | None = None) -> pd.DataFrame:
    """Check rows (CHECK_COLUMNS) from the explanation table: per region and year the total over the
    fuels (category `1.A`), and per fuel type (category `1.A:<type>`: solid, liquid, gas, other,
    fuel_types()); value = reference approach CO2 (t), reference = sectoral
    CO2 (t) of the same fuels, diff_pct = (value − reference) / |reference| × 100, graded by qa.grading.

    The comparison is by fuel type, as the UNFCCC reporting table 1.A(c) sets it ("aggregate apparent
    energy consumption of major fuel types (i.e., solid, liquid, and gaseous), and other fuels"): a
    single fuel is not comparable, because transformation moves its carbon to other fuels of its type
    (crude oil to refined products, raw coal to washed coal and coke). The per-fuel differences stay in
    the explanation table."""
    lim = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    known = table.dropna(subset=["reference_co2_t"])
    if known.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    known = known.assign(group=known["activity"].map(fuel_types()).fillna("other"))
    per_group = known.groupby(["region", "year", "group"], as_index=False)[
        ["reference_co2_t", "sectoral_co2_t"]].sum()
    per_group["category"] = fuel_key(pd.Series(CATEGORY, index=per_group.index), per_group["group"])
    total = known.groupby(["region", "year"], as_index=False)[["reference_co2_t", "sectoral_co2_t"]].sum()
    total["category"] = CATEGORY
    rows = pd.concat([total, per_group.drop(columns="group")], ignore_index=True)
    rows = rows.rename(columns={"reference_co2_t": "value", "sectoral_co2_t": "reference"})
    rows["diff_pct"] = difference_pct(rows["value"], rows["reference"])
    rows["result"] = grade(rows["value"], rows["reference"], lim["warn"], lim["fail"])
    rows["check"], rows["substance"] = CHECK, "CO2"
    return rows.sort_values(["region", "year", "category"]).reset_index(drop=True)[CHECK_COLUMNS]
