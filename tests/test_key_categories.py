"""Key category analysis (DESIGN 3.9) against a hand-ranked case (IPCC 2006 Vol.1 Ch.4).

Five category-gas pairs in t CO2e, base year 2020 and 2022:
    A 1.A.1.a CO2   500 -> 600
    B 1.A.3.b CO2   200 -> 260
    C 3.A.1   CH4   150 -> 140
    D 4.A     CH4    40 ->  30
    E 3.B.1   CO2  -300 -> -250   (forest land: a LULUCF sink)
"""

from __future__ import annotations

import pandas as pd
import pytest

from inventory.analysis import KEY_CATEGORY_COLUMNS, key_categories

REGION = "430100"
CASE = {"A": ("1.A.1.a", "CO2", 500, 600), "B": ("1.A.3.b", "CO2", 200, 260), "C": ("3.A.1", "CH4", 150, 140),
        "D": ("4.A", "CH4", 40, 30), "E": ("3.B.1", "CO2", -300, -250)}
CODE = {v[0]: k for k, v in CASE.items()}


def emissions() -> pd.DataFrame:
    rows = []
    for category, substance, base, latest in CASE.values():
        for year, co2e in ((2020, base), (2022, latest)):
            rows.append({"region": REGION, "year": year, "category": category, "activity": "x", "technology": "",
                         "substance": substance, "emission": co2e / (28.0 if substance == "CH4" else 1.0),
                         "co2e_t": float(co2e), "kind": "sink" if co2e < 0 else "emission"})
    rows.append({"region": REGION, "year": 2022, "category": "1.A.1.a", "activity": "biomass", "technology": "",
                 "substance": "CO2", "emission": 999.0, "co2e_t": 999.0, "kind": "memo"})  # never assessed
    return pd.DataFrame(rows)


def assessed(table, assessment, with_lulucf, approach=1, year=2022) -> pd.DataFrame:
    t = table[(table["assessment"] == assessment) & (table["with_lulucf"] == with_lulucf)
              & (table["approach"] == approach) & (table["year"] == year)]
    return t.assign(name=t["category"].map(CODE))


def test_columns_follow_design():
    assert list(key_categories(emissions()).columns) == KEY_CATEGORY_COLUMNS


def test_level_without_lulucf():
    """Eq. 4.1 in 2022: total 600 + 260 + 140 + 30 = 1030.
    A 600/1030 = .582524, B .252427, C .135922, D .029126;
    cumulative .582524, .834951, .970874 (C crosses 95 %: key), 1.0 (D starts above 95 %: not key)."""
    t = assessed(key_categories(emissions()), "level", False)
    assert t["name"].tolist() == ["A", "B", "C", "D"]
    assert t["share"].tolist() == pytest.approx([600 / 1030, 260 / 1030, 140 / 1030, 30 / 1030])
    assert t["cumulative"].tolist() == pytest.approx([600 / 1030, 860 / 1030, 1000 / 1030, 1.0])
    assert t["key"].tolist() == [True, True, True, False]
    assert t["base_year"].isna().all()


def test_level_with_lulucf_takes_sinks_by_absolute_value():
    """Total |E| = 1030 + 250 = 1280: A .46875, B .203125, E .1953125, C .109375, D .0234375;
    cumulative .46875, .671875, .8671875, .9765625 (C crosses: key), 1.0 (D: not key)."""
    t = assessed(key_categories(emissions()), "level", True)
    assert t["name"].tolist() == ["A", "B", "E", "C", "D"]
    assert t["share"].tolist() == pytest.approx([600 / 1280, 260 / 1280, 250 / 1280, 140 / 1280, 30 / 1280])
    assert t["key"].tolist() == [True, True, True, True, False]


def test_trend_without_lulucf():
    """Eq. 4.2: sum E0 = 890, sum Et = 1030, total trend (1030 - 890)/890 = .157303.
    T_A = 500/890 |100/500 - .157303| = .561798 x .042697 = .023987
    T_B = 200/890 |60/200 - .157303|  = .224719 x .142697 = .032067
    T_C = 150/890 |-10/150 - .157303| = .168539 x .223970 = .037748
    T_D =  40/890 |-10/40 - .157303|  = .044944 x .407303 = .018306
    sum T = .112108: shares C .336712, B .286036, A .213964, D .163288;
    cumulative .3367, .6227, .8367, 1.0 -> D crosses 95 %: all key."""
    t = assessed(key_categories(emissions()), "trend", False)
    assert t["name"].tolist() == ["C", "B", "A", "D"]
    assert t["share"].tolist() == pytest.approx([0.336712, 0.286036, 0.213964, 0.163288], abs=1e-6)
    assert t["key"].all()
    assert (t["base_year"] == 2020).all()


def test_trend_with_lulucf():
    """Eq. 4.2 with the sink: sum |E0| = 1190, net E0 = 590, net Et = 780, total trend 190/590 = .322034.
    T_A = 500/1190 |.2 - .322034|             = .051275
    T_B = 200/1190 |.3 - .322034|             = .003703
    T_C = 150/1190 |-.066667 - .322034|       = .048996
    T_D =  40/1190 |-.25 - .322034|           = .019228
    T_E = 300/1190 |50/|-300| - .322034|      = .039168
    sum T = .162370: A .315789, C .301754, E .241228, D .118421, B .022807;
    cumulative .3158, .6175, .8588, .9772 (D crosses: key), 1.0 (B: not key)."""
    t = assessed(key_categories(emissions()), "trend", True)
    assert t["name"].tolist() == ["A", "C", "E", "D", "B"]
    assert t["share"].tolist() == pytest.approx([0.315789, 0.301754, 0.241228, 0.118421, 0.022807], abs=1e-6)
    assert t["key"].tolist() == [True, True, True, True, False]


def uncertainties() -> pd.DataFrame:
    """Row uncertainties as row_uncertainties() gives them: A 5 %, B 2 %, C 50 %, D 80 %; the sink unknown."""
    u = {"A": 5.0, "B": 2.0, "C": 50.0, "D": 80.0}
    e = emissions()
    e = e[e["kind"] != "memo"]
    name = e["category"].map(CODE)
    return e.assign(u_activity_pct=name.map(u), u_factor_pct=0.0, known=name.map(u).notna())


def test_approach2_level_weights_by_uncertainty():
    """Eq. 4.4 without LULUCF in 2022: L x U is proportional to E x U: A 3000, B 520, C 7000, D 2400,
    sum 12920: C .541796, A .232198, D .185759, B .040248; cumulative .5418, .7740, .9598 (D crosses
    90 %: key), 1.0 (B: not key). With LULUCF the sink has no uncertainty and is left out."""
    table = key_categories(emissions(), uncertainties())
    t = assessed(table, "level", False, approach=2)
    assert t["name"].tolist() == ["C", "A", "D", "B"]
    assert t["share"].tolist() == pytest.approx([7000 / 12920, 3000 / 12920, 2400 / 12920, 520 / 12920])
    assert t["key"].tolist() == [True, True, True, False]
    assert "E" not in set(assessed(table, "level", True, approach=2)["name"])


def test_approach2_trend_weights_by_uncertainty():
    """Eq. 4.5 without LULUCF: T x U with the Approach 1 trend shares above:
    C .336712 x 50 = 16.8356, D .163288 x 80 = 13.0631, A .213964 x 5 = 1.0698, B .286036 x 2 = .5721,
    sum 31.5406: C .533777, D .414167, A .033919, B .018137; cumulative .5338, .9479 (D crosses 90 %),
    then A and B start above 90 %: not key."""
    t = assessed(key_categories(emissions(), uncertainties()), "trend", False, approach=2)
    assert t["name"].tolist() == ["C", "D", "A", "B"]
    assert t["share"].tolist() == pytest.approx([0.533777, 0.414167, 0.033919, 0.018137], abs=2e-6)
    assert t["key"].tolist() == [True, True, False, False]
