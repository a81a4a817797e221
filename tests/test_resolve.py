"""factors.resolve: a local parameter row applies in its own region only (DESIGN 3.3), whatever the
number of regions with local rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories
from inventory.factors.load import LOCAL, SHIPPED
from inventory.factors.resolve import _pairs, candidates, local_to_long, resolve_keys


def _table() -> pd.DataFrame:
    """A shipped CN NCV of 20 and local NCVs of 25 (长沙市 430100, 2019) and 30 (株洲市 430200, 2019)."""
    params = pd.DataFrame({
        "factor_id": ["cn", "local.430100", "local.430200"], "name": ["ncv"] * 3, "category": [""] * 3,
        "activity": ["raw_coal"] * 3, "technology": [""] * 3, "region": ["CN", "430100", "430200"],
        "year": [pd.NA, 2019, 2019], "value": [20.0, 25.0, 30.0], "basis": ["GJ/t"] * 3, "unit": ["GJ/t"] * 3,
        "source": ["s"] * 3})
    table = local_to_long(params)
    table.loc[0, "level"] = SHIPPED
    return table


def _keys() -> pd.DataFrame:
    regions = ["430100", "430200", "430300", "430100"]
    return pd.DataFrame({"key_id": range(4), "region": regions, "year": [2019, 2019, 2019, 2018],
                         "category": ["1.A.1.a"] * 4, "activity": ["raw_coal"] * 4, "technology": [""] * 4})


def test_a_local_row_applies_in_its_own_region_and_year_only():
    won = resolve_keys(_keys(), _table()).set_index("key_id")
    # 430100 2019 its own 25; 430200 its own 30; 湘潭市 430300 has none: the CN 20; 430100 in 2018: CN 20
    assert won["value"].to_dict() == {0: 25.0, 1: 30.0, 2: 20.0, 3: 20.0}
    assert won["factor_id"].to_dict() == {0: "local.430100", 1: "local.430200", 2: "cn", 3: "cn"}


def test_candidates_of_a_key_are_the_shipped_rows_and_its_own_regions_local_rows():
    cand = candidates(_keys(), _table())
    assert cand.groupby("key_id")["factor_id"].apply(list).to_dict() == {
        0: ["cn", "local.430100"], 1: ["cn", "local.430200"], 2: ["cn"], 3: ["cn"]}


def test_pairs_is_the_inner_join_of_two_code_columns_in_merge_order():
    """_pairs against what pandas' inner merge gives: left order, each left row's matches in right order,
    duplicates on both sides, unmatched codes dropped."""
    left, right = np.array([3, 1, 3, 7, 1]), np.array([1, 3, 5, 3, 1, 1])
    i, j = _pairs(left, right)
    merged = pd.DataFrame({"code": left, "i": range(5)}).merge(pd.DataFrame({"code": right, "j": range(6)}), on="code")
    assert list(zip(i, j)) == list(zip(merged["i"], merged["j"])) == [
        (0, 1), (0, 3), (1, 0), (1, 4), (1, 5), (2, 1), (2, 3), (4, 0), (4, 4), (4, 5)]


def test_candidates_in_order_with_their_scores_by_hand():
    """One key (长沙市 430100, 2019, 1.A.1.a, raw coal, pc_boiler+fgd) against rows chosen by hand: its rows
    by activity option (raw_coal, then any), then category option (1.A.1.a, 1.A.1, 1.A, none), then table
    order; a local row of 株洲市, a row for gasoline, a row of 2015 only and a device it lacks never apply."""
    rows = [  # factor_id, name, category, activity, technology, region, year, level
        ("any_act", "ef.SO2", "1.A.1.a", "", "", "CN", None, SHIPPED),
        ("cat_1A1", "ef.SO2", "1.A.1", "raw_coal", "", "CN", None, SHIPPED),
        ("own_cat", "ef.SO2", "1.A.1.a", "raw_coal", "", "430000", None, SHIPPED),
        ("fgd", "removal_efficiency.SO2", "", "", "fgd", "", None, SHIPPED),
        ("esp", "removal_efficiency.PM2.5", "", "", "esp", "", None, SHIPPED),
        ("y2015", "ef.SO2", "1.A.1.a", "raw_coal", "", "CN", 2015, SHIPPED),
        ("gasoline", "ef.SO2", "1.A.1.a", "gasoline", "", "CN", None, SHIPPED),
        ("local_zz", "ncv", "", "raw_coal", "", "430200", 2019, LOCAL),
        ("local_cs", "ncv", "", "raw_coal", "", "430100", 2019, LOCAL),
        ("boiler", "ef.SO2", "1.A.1.a", "raw_coal", "pc_boiler", "", None, SHIPPED)]
    table = pd.DataFrame(rows, columns=["factor_id", "name", "category", "activity", "technology", "region",
                                        "year_from", "level"]).assign(year_to=lambda t: t["year_from"])
    table = table.astype({"year_from": float, "year_to": float}).assign(value=1.0, basis="", unit="", method="ef")
    key = pd.DataFrame({"key_id": [5], "region": ["430100"], "year": [2019], "category": ["1.A.1.a"],
                        "activity": ["raw_coal"], "technology": ["pc_boiler+fgd"]})
    cand = candidates(key, table)
    # (factor_id, act_score, cat_score, region_score, tech_score): region 430100 scores 4, 430000 3, CN 2, none 1;
    # category 1.A.1.a 4 ... none 0 (categories.ancestors); activity named 1, any 0; a matching device 1.
    got = list(cand[["factor_id", "act_score", "cat_score", "region_score", "tech_score"]].itertuples(index=False))
    depth = len(categories.ancestors("1.A.1.a"))
    assert [tuple(r) for r in got] == [
        ("own_cat", 1, depth, 3, 0), ("boiler", 1, depth, 1, 1), ("cat_1A1", 1, depth - 1, 2, 0),
        ("local_cs", 1, 0, 4, 0), ("any_act", 0, depth, 2, 0), ("fgd", 0, 0, 1, 1)]
    assert cand["key_id"].eq(5).all() and cand["tid"].tolist() == [2, 8, 1, 7, 0, 3]  # positions once the gasoline row is left out


def test_needs_year_by_rows_columns_and_cells_equals_the_rule_per_pair():
    """_needs_year against the rule written out per (region, activity): a year-bound shipped row for coal,
    local year-bound rows of 430100 for gas and of 430200 for any activity; a pair naming a region the keys
    lack changes nothing."""
    from inventory.factors.resolve import _needs_year

    regions_, activities = pd.Index(["430100", "430200", "430300"]), pd.Index(["coal", "gas", "oil"])
    every, pairs = {"coal"}, {("430100", "gas"), ("430200", ""), ("999999", "oil")}
    anywhere = {r for r, a in pairs if a == ""}
    by_rule = [[("" in every) or a in every or (r, a) in pairs or r in anywhere for a in activities] for r in regions_]
    assert _needs_year(regions_, activities, every, pairs, anywhere).tolist() == by_rule == [
        [True, True, False], [True, True, True], [True, False, False]]
    assert _needs_year(regions_, activities, {""}, set(), set()).all()
