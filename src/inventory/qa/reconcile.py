"""Cross-verification at every level: a region's own figures against the sum of its parts."""

from __future__ import annotations

import pandas as pd

from inventory import categories, regions
from inventory.qa.grading import difference_pct, grade
from inventory.result import CHECK_COLUMNS

DEFAULT_THRESHOLDS = {"warn": 0.02, "fail": 0.05}


def fuel_key(category: pd.Series, activity: pd.Series) -> pd.Series:
    """The `category` cell of a per-fuel check row: `<category>:<activity>` (checks.csv has no activity column)."""
    return category.astype(str) + ":" + activity.astype(str)


def parts_present(present: set[str]) -> dict[str, list[str]]:
    """Region -> its parts among `present`: the present regions whose nearest present ancestor it is (its
    child regions, or their children where those are not built), so the check runs at every level."""
    out: dict[str, list[str]] = {}
    for code in sorted(present):
        above = next((a for a in regions.chain(code)[1:] if a in present), None) \
            if code in regions.table().index else None
        if above:
            out.setdefault(above, []).append(code)
    return out


def province_vs_prefectures(emissions: pd.DataFrame, thresholds: dict | None = None,
                            per_fuel: bool = False) -> pd.DataFrame:
    """Per region (province, prefecture...), year, category and substance: own emission vs the sum of its
    parts (parts_present: prefectures and county-level units directly under the province, counties of a
    prefecture; a part's rows of either basis).

    The parts' rows are rolled up to the province's own category (their own or an
    ancestor of it); value = the province's own emission, reference = the sum (t), diff_pct =
    (own − sum) / |sum| × 100, graded by qa.grading (a zero sum: no difference, warn). A province's
    category is compared in the years its parts have rows in the category's sector: a sector the province
    estimates from its own statistics but no part has (agriculture of the Hunan example, issue 19), or a year
    the parts have no rows in, is not a gap between them (`covered_sectors` names what a check covers); a
    category of a covered sector that no part has is compared with 0 (warn).
    per_fuel: also per activity (fuel), check `province_vs_prefectures_fuel`, category cell `<category>:<activity>` (fuel_key);
    a fuel only the prefectures burn in a category the province has is listed with value 0.
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    keys = ["year", "category", "activity", "substance"] if per_fuel else ["year", "category", "substance"]
    name = "province_vs_prefectures_fuel" if per_fuel else "province_vs_prefectures"
    own = emissions[emissions["basis"] == "own"]
    sector = categories.table()["sector"]
    frames = []
    parts_of = parts_present(set(emissions["region"]))
    for province in sorted(set(own["region"])):
        kids = parts_of.get(province, [])
        mine = own[own["region"] == province]
        if not kids or mine.empty:
            continue
        mine_cats = set(mine["category"])
        sub = emissions[emissions["region"].isin(kids)]
        covered = pd.MultiIndex.from_arrays([sub["year"], sub["category"].map(sector)]).unique()
        roll = {c: next((a for a in categories.ancestors(c) if a in mine_cats), None) for c in set(sub["category"])}
        sub = sub.assign(category=sub["category"].map(roll)).dropna(subset=["category"])
        mine = mine[pd.MultiIndex.from_arrays([mine["year"], mine["category"].map(sector)]).isin(covered)]
        value = mine.groupby(keys)["emission"].sum()
        ref = sub.groupby(keys)["emission"].sum()
        both = pd.concat({"value": value, "reference": ref}, axis=1)
        if per_fuel:  # keep fuels of the province's categories that only one side burns
            have = value.index.droplevel(["activity", "substance"]).unique()
            both = both[both.index.droplevel(["activity", "substance"]).isin(have)].fillna(0)
        else:
            both = both.dropna(subset=["value"]).fillna({"reference": 0})
        both = both.reset_index()
        if per_fuel:
            both["category"] = fuel_key(both["category"], both["activity"])
        both["diff_pct"] = difference_pct(both["value"], both["reference"])
        both["result"] = grade(both["value"], both["reference"], t["warn"], t["fail"])
        both["check"], both["region"] = name, province
        frames.append(both)
    if not frames:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    return pd.concat(frames, ignore_index=True)[CHECK_COLUMNS]


def covered_sectors(checks: pd.DataFrame) -> list[str]:
    """The report sectors (data/sectors.csv ids, in tree order) of the categories the province-vs-prefectures
    rows compare: what the check covers, for a sentence beside its table."""
    cats = set(checks.loc[checks["check"] == "province_vs_prefectures", "category"])
    sector = categories.table()["sector"]
    have = {sector[c] for c in cats if c in sector.index}
    return [s for s in categories.sectors().sort_values("order")["sector"] if s in have]
