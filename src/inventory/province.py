"""Province and prefectures (DESIGN 3.6): the province's own rows, or the sum of its prefectures."""

from __future__ import annotations

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


def _own_categories(activity: pd.DataFrame, code: str) -> dict[int, set[str]]:
    rows = activity[activity["region"] == code]
    return {int(y): set(g) for y, g in rows.groupby("year")["category"]}


def _joined_ids(rows: pd.DataFrame) -> pd.DataFrame:
    """Per GROUP the union of the rows' factor ids, `;`-joined and sorted; joined in Python only where
    the prefectures used different ids."""
    distinct = rows[GROUP + ["factor_ids"]].drop_duplicates()
    several = distinct.duplicated(GROUP, keep=False)
    single = distinct[~several]
    multi = distinct[several].groupby(GROUP, sort=False)["factor_ids"].agg(
        lambda s: ";".join(sorted({x for v in s for x in v.split(";") if x}))).reset_index()
    return pd.concat([single, multi], ignore_index=True)


def add_aggregated(emissions: pd.DataFrame, activity: pd.DataFrame, built: set[str]) -> pd.DataFrame:
    """Mark every row `basis = own` and add, for each province, the sum of its prefectures
    (`basis = aggregated`) for the categories in which the province has no rows of its own.

    A province "has" a category in a year when it has activity rows at that category,
    an ancestor or a descendant. Prefecture rows are never added on top of own rows.
    """
    emissions = emissions.assign(basis="own")
    parts = [emissions]
    for province, kids in provinces_to_aggregate(set(emissions["region"]), built).items():
        own = _own_categories(activity, province)
        # A method may report a row in another category than the row's (indirect N2O of fertiliser in 3.C.5):
        # the categories of the province's own emissions are its own too.
        for year, cats in emissions[emissions["region"] == province].groupby("year")["category"]:
            own.setdefault(int(year), set()).update(cats)
        sub = emissions[emissions["region"].isin(kids)]
        year_category = sub["year"].astype(str) + "|" + sub["category"]

        def has_own(key: str) -> bool:
            year, category = key.split("|")
            return any(categories.is_related(category, o) for o in own.get(int(year), ()))

        sub = sub[~map_distinct(year_category, has_own).astype(bool)]
        if sub.empty:
            continue
        agg = sub.groupby(GROUP, sort=False, dropna=False).agg(
            emission=("emission", "sum"), activity_amount=("activity_amount", "sum"),
            activity_unit=("activity_unit", "first"), reported_amount=("reported_amount", "sum"),
            reported_unit=("reported_unit", "first"), reported_units=("reported_unit", "nunique")).reset_index()
        mixed = agg.pop("reported_units") > 1  # prefectures that gave the fuel in different units
        agg.loc[mixed, "reported_amount"], agg.loc[mixed, "reported_unit"] = float("nan"), ""
        agg = agg.merge(_joined_ids(sub), on=GROUP, how="left")
        agg["region"], agg["basis"] = province, "aggregated"
        parts.append(agg)
    return pd.concat(parts, ignore_index=True)
