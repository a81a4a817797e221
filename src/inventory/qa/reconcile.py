"""Cross-verification at every level: a region's own figures against the sum of its parts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, regions
from inventory.grouped import coded
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
    Every level at once, on integer codes of the columns (sorted codes: groups in the order of the values).
    """
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    columns = ["region", "year", "category", "activity", "substance"] if per_fuel \
        else ["region", "year", "category", "substance"]
    name = "province_vs_prefectures_fuel" if per_fuel else "province_vs_prefectures"
    coded_columns = coded(emissions)  # sorted codes, made once per table (inventory.grouped)
    region, region_values = coded_columns.code("region")
    region = region.astype(np.int64)
    own = (emissions["basis"] == "own").to_numpy()
    with_own = set(region_values[np.unique(region[own])])
    parts_of = parts_present(set(region_values))
    position = {code: i for i, code in enumerate(region_values)}
    # parent[r]: the region code number a region's rows add up to (-1: none compared); its own rows compared.
    parent = np.full(len(region_values) + 1, -1)
    for above, kids in parts_of.items():
        if above in with_own:
            parent[[position[k] for k in kids]] = position[above]
    compared = np.zeros(len(region_values) + 1, dtype=bool)
    compared[parent[parent >= 0]] = True
    mine = own & compared[region]
    sub = parent[region] >= 0
    if not mine.any():
        return pd.DataFrame(columns=CHECK_COLUMNS)
    codes = {}
    for column in columns[1:]:
        found, values = coded_columns.code(column)
        codes[column] = (found.astype(np.int64), values)
    category, category_values = codes["category"]
    sector_codes = pd.factorize(pd.Series(category_values).map(categories.table()["sector"]))[0]
    n_cat = len(category_values) + 1
    # Each part's category rolled up to its parent's own category (itself or its nearest ancestor there).
    pairs = np.unique(parent[region[sub]] * n_cat + category[sub])
    mine_pairs = set(np.unique(region[mine] * n_cat + category[mine]).tolist())
    cat_position = {c: i for i, c in enumerate(category_values)}
    rolled = {}
    for pair in pairs.tolist():
        above, cat = divmod(pair, n_cat)
        rolled[pair] = next((cat_position[a] for a in categories.ancestors(category_values[cat])
                             if a in cat_position and above * n_cat + cat_position[a] in mine_pairs), -1)
    sub_pair = parent[region[sub]] * n_cat + category[sub]
    sub_roll = pd.Series(rolled).reindex(sub_pair).to_numpy()
    # The (parent, year, sector) the parts have rows in: the parent's categories compared there only.
    year = codes["year"][0]
    n_year, n_sector = len(codes["year"][1]) + 1, sector_codes.max() + 2
    def covered_code(reg, yr, cat):
        return (reg * n_year + yr) * n_sector + sector_codes[cat] + 1
    covered = np.unique(covered_code(parent[region[sub]], year[sub], category[sub]))
    mine_rows = np.flatnonzero(mine)
    mine_rows = mine_rows[np.isin(covered_code(region[mine_rows], year[mine_rows], category[mine_rows]), covered)]
    sub_rows = np.flatnonzero(sub)
    keep = sub_roll >= 0
    sub_rows, sub_roll = sub_rows[keep], sub_roll[keep]
    emission = emissions["emission"].to_numpy(dtype=float)

    def sums(rows, reg, cat):
        frame = pd.DataFrame({"region": reg, **{c: codes[c][0][rows] for c in columns[1:]}})
        frame["category"] = cat
        frame["emission"] = emission[rows]
        return frame.groupby(columns)["emission"].sum()

    value = sums(mine_rows, region[mine_rows], category[mine_rows])
    ref = sums(sub_rows, parent[region[sub_rows]], sub_roll)
    both = pd.concat({"value": value, "reference": ref}, axis=1)
    if per_fuel:  # keep fuels of the province's categories that only one side burns
        have = value.index.droplevel(["activity", "substance"]).unique()
        both = both[both.index.droplevel(["activity", "substance"]).isin(have)].fillna(0)
        # per region as each region's own comparison: its own keys in order, then those only the parts have
        only_parts = ~both.index.isin(value.index)
        order = np.lexsort([only_parts, both.index.get_level_values("region")])
        both = both.iloc[order]
    else:
        both = both.dropna(subset=["value"]).fillna({"reference": 0})
    both = both.reset_index()
    out = pd.DataFrame({"check": name, "region": region_values.take(both["region"].to_numpy())})
    for c in columns[1:]:
        out[c] = codes[c][1].take(both[c].to_numpy())
    if per_fuel:
        out["category"] = fuel_key(out["category"], out["activity"])
    out["value"], out["reference"] = both["value"], both["reference"]
    out["diff_pct"] = difference_pct(out["value"], out["reference"])
    out["result"] = grade(out["value"], out["reference"], t["warn"], t["fail"])
    return out[CHECK_COLUMNS]


def covered_sectors(checks: pd.DataFrame) -> list[str]:
    """The report sectors (data/sectors.csv ids, in tree order) of the categories the province-vs-prefectures
    rows compare: what the check covers, for a sentence beside its table."""
    cats = set(checks.loc[checks["check"] == "province_vs_prefectures", "category"])
    sector = categories.table()["sector"]
    have = {sector[c] for c in cats if c in sector.index}
    return [s for s in categories.sectors().sort_values("order")["sector"] if s in have]
