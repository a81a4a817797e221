"""Province and prefectures (DESIGN 3.6): the province's own rows, or the sum of its prefectures."""

from __future__ import annotations

from typing import Callable

import pandas as pd

from inventory import categories, regions
from inventory.lookup import map_distinct

GROUP = ["year", "category", "activity", "technology", "substance"]


def provinces_to_aggregate(emission_regions: set[str], built: set[str]) -> dict[str, list[str]]:
    """Built regions that have child regions among the computed ones -> those children."""
    out = {}
    for code in sorted(built):
        kids = [c for c in regions.children(code) if c in emission_regions]
        if kids:
            out[code] = kids
    return out


def prefecture_rows(rows: pd.DataFrame, built: set[str],
                    has_own: Callable[[str, pd.DataFrame], pd.Series]) -> pd.DataFrame:
    """The rows of each built province's prefectures that the province's own rows do not cover,
    relabelled with the province's code (column `region`), to be summed (DESIGN 3.6).

    has_own(province, rows of its prefectures) marks the rows its own figures cover: prefecture
    rows are never added on top of the province's own.
    """
    parts = []
    for province, kids in provinces_to_aggregate(set(rows["region"]), built).items():
        sub = rows[rows["region"].isin(kids)]
        sub = sub[~has_own(province, sub).to_numpy(dtype=bool)]
        if len(sub):
            parts.append(sub.assign(region=province))
    return pd.concat(parts, ignore_index=True) if parts else rows.iloc[:0]


def _own_categories(activity: pd.DataFrame, code: str) -> dict[int, set[str]]:
    rows = activity[activity["region"] == code]
    return {int(y): set(g) for y, g in rows.groupby("year")["category"]}


def _joined_ids(rows: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """Per group the union of the rows' factor ids, `;`-joined and sorted; joined in Python only where
    the prefectures used different ids."""
    distinct = rows[group + ["factor_ids"]].drop_duplicates()
    several = distinct.duplicated(group, keep=False)
    single = distinct[~several]
    multi = distinct[several].groupby(group, sort=False)["factor_ids"].agg(
        lambda s: ";".join(sorted({x for v in s for x in v.split(";") if x}))).reset_index()
    return pd.concat([single, multi], ignore_index=True)


def add_aggregated(emissions: pd.DataFrame, activity: pd.DataFrame, built: set[str]) -> pd.DataFrame:
    """Mark every row `basis = own` and add, for each province, the sum of its prefectures
    (`basis = aggregated`) for the categories in which the province has no rows of its own.

    A province "has" a category in a year when it has activity rows at that category,
    an ancestor or a descendant. Prefecture rows are never added on top of own rows.
    """
    emissions = emissions.assign(basis="own")

    def has_own(province: str, sub: pd.DataFrame) -> pd.Series:
        own = _own_categories(activity, province)
        # A method may report a row in another category than the row's (indirect N2O of fertiliser in 3.C.5):
        # the categories of the province's own emissions are its own too.
        for year, cats in emissions[emissions["region"] == province].groupby("year")["category"]:
            own.setdefault(int(year), set()).update(cats)

        def related(key: str) -> bool:
            year, category = key.split("|")
            return any(categories.is_related(category, o) for o in own.get(int(year), ()))

        return map_distinct(sub["year"].astype(str) + "|" + sub["category"], related).astype(bool)

    parts = prefecture_rows(emissions, built, has_own)
    if parts.empty:
        return emissions
    group = ["region", *GROUP]
    agg = parts.groupby(group, sort=False, dropna=False).agg(
        emission=("emission", "sum"), activity_amount=("activity_amount", "sum"),
        activity_unit=("activity_unit", "first"), reported_amount=("reported_amount", "sum"),
        reported_unit=("reported_unit", "first"), reported_units=("reported_unit", "nunique")).reset_index()
    mixed = agg.pop("reported_units") > 1  # prefectures that gave the fuel in different units
    agg.loc[mixed, "reported_amount"], agg.loc[mixed, "reported_unit"] = float("nan"), ""
    agg = agg.merge(_joined_ids(parts, group), on=group, how="left").assign(basis="aggregated")
    return pd.concat([emissions, agg], ignore_index=True)


STAT_COLUMNS = ["region", "year", "activity", "amount"]


def statistics(activity: pd.DataFrame, built: set[str]) -> pd.DataFrame:
    """The statistics rows (category `stat`: GDP in 元, population in 人) of the built regions, summed per
    region, year and activity; a built province without a statistic of its own in a year gets the sum of
    its prefectures' (the rule of add_aggregated, each statistic standing for a category)."""
    stat = activity[activity["category"].isin(categories.with_role("statistic"))] if len(activity) else activity
    if stat.empty:
        return pd.DataFrame(columns=STAT_COLUMNS)
    own = stat.groupby(["region", "year", "activity"], as_index=False)["amount"].sum()

    def has_own(province: str, sub: pd.DataFrame) -> pd.Series:
        mine = pd.MultiIndex.from_frame(own.loc[own["region"] == province, ["year", "activity"]])
        return pd.Series(pd.MultiIndex.from_frame(sub[["year", "activity"]]).isin(mine), index=sub.index)

    summed = prefecture_rows(own, built, has_own).groupby(["region", "year", "activity"], as_index=False)["amount"].sum()
    out = pd.concat([own, summed], ignore_index=True)
    return out[out["region"].isin(built)].reset_index(drop=True)


def with_statistics(activity: pd.DataFrame, stats: pd.DataFrame) -> pd.DataFrame:
    """The activity rows plus the statistics `statistics` summed for provinces without their own."""
    keys = ["region", "year", "activity"]
    own = (activity.loc[activity["category"].isin(categories.with_role("statistic")), keys] if len(activity)
           else pd.DataFrame(columns=keys))
    extra = stats[~pd.MultiIndex.from_frame(stats[keys]).isin(pd.MultiIndex.from_frame(own))]
    return pd.concat([activity, extra.assign(category=categories.statistics_code(), technology="")],
                     ignore_index=True) if len(extra) \
        else activity
