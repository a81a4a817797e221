"""Province and prefectures (DESIGN 3.6): own rows stand; otherwise the sum of the prefectures."""

from __future__ import annotations

import pytest

from conftest import emission

NCV_DIESEL = 42652e-6


def test_province_own_rows_stand_and_missing_categories_are_aggregated(compile_):
    rows = [
        ["430000", 2019, "1.A.1", "柴油", "", 10, "万吨"],      # the province's own energy-industry figure
        ["430100", 2019, "1.A.1.a", "柴油", "", 4, "万吨"],     # a descendant of 1.A.1: not added on top
        ["430200", 2019, "1.A.1.a", "柴油", "", 5, "万吨"],
        ["430100", 2019, "1.A.4.b", "柴油", "", 1, "万吨"],     # the province has no 1.A.4.* rows: aggregated
        ["430200", 2019, "1.A.4.b", "柴油", "", 2, "万吨"],
    ]
    r = compile_(rows, regions={"430000", "430100", "430200"})
    e = r.emissions[(r.emissions["region"] == "430000") & (r.emissions["substance"] == "CO2")]
    assert sorted(zip(e["category"], e["basis"])) == [("1.A.1", "own"), ("1.A.4.b", "aggregated")]
    per_t = NCV_DIESEL * 20.2 * 0.98 * 44 / 12  # t CO2 per t diesel (IPCC carbon content, China oxidation rate)
    assert emission(r, "CO2", region="430000", category="1.A.1") == pytest.approx(10e4 * per_t, rel=1e-9)
    assert emission(r, "CO2", region="430000", category="1.A.4.b") == pytest.approx(3e4 * per_t, rel=1e-9)
    assert set(r.emissions.loc[r.emissions["region"] != "430000", "basis"]) == {"own"}


def test_province_against_sum_of_prefectures_check(compile_):
    rows = [["430000", 2019, "1.A.1", "柴油", "", 10, "万吨"],
            ["430100", 2019, "1.A.1.a", "柴油", "", 4, "万吨"],
            ["430200", 2019, "1.A.1.a", "柴油", "", 5, "万吨"]]
    r = compile_(rows, regions={"430000", "430100", "430200"})
    c = r.checks[(r.checks["category"] == "1.A.1") & (r.checks["substance"] == "CO2")].iloc[0]
    assert c["check"] == "province_vs_prefectures"
    assert c["diff_pct"] == pytest.approx((10 - 9) / 9 * 100)    # own against the sum: +11.1 % (DESIGN 3.8)
    assert c["result"] == "fail"                                 # default fail threshold 5 %
    r2 = compile_(rows, regions={"430000", "430100", "430200"},
                  thresholds={"province_vs_prefectures": {"warn": 0.05, "fail": 0.2}})
    c2 = r2.checks[(r2.checks["category"] == "1.A.1") & (r2.checks["substance"] == "CO2")].iloc[0]
    assert c2["result"] == "warn"


def test_province_not_built_from_prefecture_rows_unless_named(compile_):
    rows = [["430100", 2019, "1.A.1.a", "柴油", "", 4, "万吨"]]
    assert set(compile_(rows).emissions["region"]) == {"430100"}
    named = compile_(rows, regions={"430000", "430100"})
    assert set(named.emissions.loc[named.emissions["region"] == "430000", "basis"]) == {"aggregated"}


def test_factor_ids_of_summed_parts_are_their_sorted_union():
    """province._joined_ids: a region summed from parts that used different ids names every id once, sorted
    (`;`-joined); parts that all used one list keep that list as it is (written here by hand)."""
    import numpy as np
    import pandas as pd

    from inventory.province import _joined_ids

    rows = pd.DataFrame({"factor_ids": pd.array(["b;a", "b;a", "c;a", "a", "x;;y", "", "z"], dtype="str")})
    group = np.array([0, 0, 1, 1, 2, 2, 3])
    assert list(_joined_ids(rows, group, 4)) == ["b;a", "a;c", "x;y", "z"]


def test_group_codes_and_sort_order_match_pandas():
    """province.group_codes numbers groups as groupby(...).ngroup() does, lookup.sort_order orders rows as a
    stable sort_values does (missing values last), also when the codes need more than one int64."""
    import numpy as np
    import pandas as pd

    from inventory.lookup import sort_order
    from inventory.province import group_codes

    rng = np.random.default_rng(14)
    frame = pd.DataFrame({"a": pd.array(rng.choice(["x", "y", None], 400), dtype="str"),
                          "b": rng.integers(0, 3, 400), "c": rng.choice([1.0, np.nan, 2.0], 400),
                          **{f"w{i}": rng.integers(0, 100_000, 400) for i in range(5)}})
    columns = list(frame.columns)
    expected = frame.groupby(columns, sort=False, dropna=False).ngroup().to_numpy()
    assert (group_codes(frame, columns) == expected).all()
    assert (sort_order(frame, columns) == frame.sort_values(columns, kind="stable").index.to_numpy()).all()


def test_sort_order_reads_categoricals_of_sorted_categories_by_their_codes():
    """lookup.sort_order on Categoricals with missing values orders rows as a stable sort_values does: those of sorted
    categories (lookup.categorical) read by their codes, as their texts sort; others factorised, in category order."""
    import numpy as np
    import pandas as pd

    from inventory.lookup import categorical, sort_order

    rng = np.random.default_rng(29)
    texts = np.array(["b", "a", "d", "c"], dtype=object)
    frame = pd.DataFrame({"s": pd.Series(categorical(rng.integers(-1, 4, 300), texts)),
                          "u": pd.Categorical.from_codes(rng.integers(-1, 4, 300), categories=["z", "y", "x", "w"]),
                          "n": rng.integers(0, 3, 300)})
    assert (sort_order(frame, ["s", "u", "n"]) == frame.sort_values(["s", "u", "n"], kind="stable").index.to_numpy()).all()
    texts_only = frame.astype({"s": object})
    assert (sort_order(frame, ["n", "s"]) == texts_only.sort_values(["n", "s"], kind="stable").index.to_numpy()).all()


def test_regions_of_reads_the_reads_categorical_as_the_texts():
    """build.regions_of: the set of a region column, from a Categorical's codes (categories not present left
    out) as from its texts."""
    import pandas as pd

    from inventory.build import regions_of

    texts = pd.DataFrame({"region": ["430100", "430200", "430100"]})
    coded = pd.DataFrame({"region": pd.Categorical(texts["region"], categories=["", "430100", "430200", "430300"])})
    assert regions_of(coded) == regions_of(texts) == {"430100", "430200"}


def test_issue_14_add_aggregated_own_rows_else_the_sum_of_the_parts_at_every_level():
    """province.add_aggregated on a hand-made table (one has_own call per level, columnar): a prefecture without
    rows of its own is the sum of its counties; the province the sum of that prefecture and of a county directly
    under it (仙桃市 429004), except in a year's categories it has itself (1.A.1 covers the parts' 1.A.1.a, and the
    parts' 1.A.3 covers its own 1.A.3.b); in a year without rows of its own everything is summed."""
    import pandas as pd

    from inventory.lookup import coded
    from inventory.province import add_aggregated

    columns = ["region", "year", "category", "emission"]
    own = [("420000", 2019, "1.A.1", 100.0), ("420000", 2019, "1.A.3.b", 50.0),   # Hubei's own rows
           ("420102", 2019, "1.A.4.b", 1.0), ("420103", 2019, "1.A.4.b", 2.0),    # counties of 武汉市 420100
           ("420102", 2019, "1.A.1.a", 10.0), ("420102", 2020, "1.A.1.a", 20.0),
           ("429004", 2019, "1.A.4.b", 4.0), ("429004", 2019, "1.A.3", 8.0)]      # directly under Hubei
    rows = pd.DataFrame(own, columns=columns).assign(
        activity="柴油", technology="", substance="CO2", activity_amount=1.0, activity_unit="t",
        factor_ids="f", reported_amount=1.0, reported_unit="t")
    rows = coded(rows[["region", "year", "category", "activity", "technology", "substance", "emission",
                       "activity_amount", "activity_unit", "factor_ids", "reported_amount", "reported_unit"]])
    activity = pd.DataFrame(own, columns=columns).drop(columns="emission")
    out = add_aggregated(rows, activity, {"420000", "420100", "420102", "420103", "429004"})
    summed = {(r, y, c): e for r, y, c, e, b in zip(out["region"], out["year"], out["category"], out["emission"],
                                                     out["basis"]) if b == "aggregated"}
    assert summed == {("420100", 2019, "1.A.4.b"): 3.0, ("420100", 2019, "1.A.1.a"): 10.0,
                      ("420100", 2020, "1.A.1.a"): 20.0,
                      ("420000", 2019, "1.A.4.b"): 7.0, ("420000", 2020, "1.A.1.a"): 20.0}
    assert sorted(zip(out.loc[out["basis"] == "own", "region"], out.loc[out["basis"] == "own", "emission"])) == \
        sorted((r, e) for r, _, _, e in own)
