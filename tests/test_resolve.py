"""factors.resolve: a local parameter row applies in its own region only (DESIGN 3.3), whatever the
number of regions with local rows."""

from __future__ import annotations

import pandas as pd

from inventory.factors.load import SHIPPED
from inventory.factors.resolve import candidates, local_to_long, resolve_keys


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
