"""Uncertainty analysis (DESIGN 3.9) against hand calculations from IPCC 2006 Vol.1 Ch.3.

Eq. 3.1 (product): U = sqrt(U_A^2 + U_EF^2); Eq. 3.2 (sum): U_total |sum x| =
sqrt(sum (U_i x_i)^2); Table 3.2 for the trend. Every expected number is worked out
in the comments from those formulas, not taken from the program's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from inventory.analysis import (
    UNCERTAINTY_COLUMNS, analyse_uncertainty, approach1, approach1_trend, monte_carlo, row_uncertainties,
)

REGION = "430100"


def emissions(*rows) -> pd.DataFrame:
    """Emission rows (category, activity, substance, emission t, factor_ids[, year]); CO2e = t for CO2."""
    out = []
    for row in rows:
        category, activity, substance, value, ids, *rest = row
        year = rest[0] if rest else 2019
        gwp = {"CO2": 1.0, "CH4": 28.0}.get(substance)
        out.append({"region": REGION, "year": year, "category": category, "activity": activity, "technology": "",
                    "substance": substance, "emission": float(value),
                    "co2e_t": value * gwp if gwp is not None else np.nan, "factor_ids": ids, "kind": "emission"})
    return pd.DataFrame(out)


def factors(**ids) -> pd.DataFrame:
    """Factor table: id -> (low %, high %); None for an id without uncertainty."""
    rows = [{"factor_id": k, "uncertainty_low_pct": v[0] if v else np.nan,
             "uncertainty_high_pct": v[1] if v else np.nan} for k, v in ids.items()]
    return pd.DataFrame(rows)


def params(*rows) -> pd.DataFrame:
    """Local parameter rows (name, activity, category, value as a fraction[, year[, region]]) as Inputs.params."""
    out = []
    for i, row in enumerate(rows):
        name, activity, category, value, *rest = row
        year = rest[0] if rest else None
        region = rest[1] if len(rest) > 1 else REGION
        out.append({"region": region, "year": year, "category": category, "activity": activity,
                    "technology": "", "name": name, "value": value, "basis": "", "unit": "%",
                    "factor_id": f"local:a.xlsx:s:{i + 2}", "source": ""})
    frame = pd.DataFrame(out)
    frame["year"] = frame["year"].astype("Int64")
    return frame


def pick(table, level, key, substance="CO2", approach=1, year=2019):
    hit = table[(table["level"] == level) & (table["key"] == key) & (table["substance"] == substance)
                & (table["approach"] == approach) & (table["year"] == year)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# Four CO2 rows; ids f1, f2 (3 %, 4 %) multiply; f3 is asymmetric (-20 %/+24 %); f5 has no uncertainty.
ROWS = emissions(("1.A.1.a", "raw_coal", "CO2", 1000, "f1;f2"),
                 ("1.A.1.a", "natural_gas", "CO2", 500, "f3"),
                 ("1.A.2", "diesel_oil", "CO2", 300, "f4"),
                 ("1.A.2", "coke", "CO2", 200, "f5"))
FACTORS = factors(f1=(3, 3), f2=(4, 4), f3=(20, 24), f4=(8, 8), f5=None)
PARAMS = params(("uncertainty.activity", "raw_coal", "1.A", 0.05),        # an ancestor's row applies, every year
                ("uncertainty.activity", "natural_gas", "", 0.10),       # every category
                ("uncertainty.activity", "diesel_oil", "1.A.2", 0.06, 2019),
                ("uncertainty.activity", "coke", "1.A.2", 0.06, 2019))


def test_row_uncertainties_product_rule_larger_half_width_and_unknown():
    r = row_uncertainties(ROWS, FACTORS, PARAMS)
    # raw coal: Eq. 3.1 over f1, f2 = sqrt(3^2 + 4^2) = 5 %
    assert r.loc[0, "u_factor_pct"] == pytest.approx(5.0)
    assert r.loc[0, "u_activity_pct"] == pytest.approx(5.0)
    # natural gas: -20 %/+24 %; Approach 1 takes the larger half-width, 24 %
    assert (r.loc[1, "u_factor_low_pct"], r.loc[1, "u_factor_high_pct"]) == (pytest.approx(20), pytest.approx(24))
    assert r.loc[1, "u_factor_pct"] == pytest.approx(24.0)
    # coke: its only factor has no uncertainty -> unknown
    assert math.isnan(r.loc[3, "u_factor_pct"]) and not r.loc[3, "known"]
    assert r["known"].tolist() == [True, True, True, False]


def test_local_factor_uncertainty_replaces_the_tables_and_rules_of_local_parameters():
    rows = emissions(("1.A.2", "diesel_oil", "CO2", 300, "f4"), ("1.A.2", "diesel_oil", "CH4", 1, "f6"),
                     ("1.A.2", "diesel_oil", "CO2", 330, "f4", 2020))
    p = params(("uncertainty.ef.CO2", "diesel_oil", "1.A", 0.12, 2019),     # CO2 only, 2019 only
               ("uncertainty.activity", "diesel_oil", "1.A.2", 0.20, 2019, "430000"),  # the province's: not ours
               ("uncertainty.activity", "diesel_oil", "1.A.2", 0.07, 2020))
    r = row_uncertainties(rows, factors(f4=(8, 8), f6=(50, 50)), p)
    assert r["u_factor_pct"].tolist() == [pytest.approx(12.0), pytest.approx(50.0), pytest.approx(8.0)]
    assert r.loc[0, "u_factor_parts"] == (("local:a.xlsx:s:2", 12.0, 12.0),)
    assert math.isnan(r.loc[0, "u_activity_pct"]) and r.loc[2, "u_activity_pct"] == pytest.approx(7.0)


def test_approach1_against_hand_calculation():
    """Eq. 3.1 per row, Eq. 3.2 per group.

    raw coal:    U = sqrt(5^2 + 5^2)   = 7.0711 %  -> U x = 70.711 t
    natural gas: U = sqrt(10^2 + 24^2) = 26 %      -> U x = 130 t
    diesel:      U = sqrt(6^2 + 8^2)   = 10 %      -> U x = 30 t
    coke:        unknown: in the estimate, not in the interval
    1.A.1.a: 1500 +- sqrt(70.711^2 + 130^2) = sqrt(5000 + 16900) = 147.986 t
    1.A.2:    500 +- 30 t
    total:   2000 +- sqrt(21900 + 900) = sqrt(22800) = 150.997 t
    """
    t = approach1(row_uncertainties(ROWS, FACTORS, PARAMS))
    a = pick(t, "category", "1.A.1.a")
    assert (a["estimate"], a["mean"]) == (1500, 1500)
    assert (a["low_95"], a["high_95"]) == (pytest.approx(1500 - 147.98649), pytest.approx(1500 + 147.98649))
    b = pick(t, "category", "1.A.2")
    assert (b["estimate"], b["low_95"], b["high_95"]) == (500, pytest.approx(470), pytest.approx(530))
    for level, key in (("sector", "energy"), ("total", "total")):
        for substance in ("CO2", "CO2e"):
            row = pick(t, level, key, substance)
            assert row["estimate"] == 2000
            assert row["high_95"] - 2000 == pytest.approx(150.99669)
            assert 2000 - row["low_95"] == pytest.approx(150.99669)


def test_excluded_rows_are_counted_and_columns_follow_design():
    result = analyse_uncertainty(ROWS, FACTORS, PARAMS, draws=200)
    assert list(result.table.columns) == UNCERTAINTY_COLUMNS
    ex = result.excluded
    total = ex[(ex["level"] == "total") & (ex["substance"] == "CO2")].iloc[0]
    assert (total["rows"], total["rows_unknown"], total["estimate_unknown"]) == (4, 1, 200)


def test_trend_against_table_3_2_hand_calculation():
    """Two sources, base year 2019 (C) and 2020 (D), uncertainties as in Table 3.2.

    sum C = 100 + 50 = 150, sum D = 120 + 40 = 160; trend = 100 x 10/150 = 6.6667 %
    type A (col. I) = ((0.01 D_x + sum D - (0.01 C_x + sum C)) / (0.01 C_x + sum C) - (sum D - sum C)/sum C) x 100
      coal:   (161.2/151 - 160/150) x 100 =  0.0883002
      diesel: (160.4/150.5 - 160/150) x 100 = -0.0885936
    type B (col. J) = D_x / sum C: coal 0.8, diesel 0.266667
    K = A x U_EF: coal 0.0883002 x 5 = 0.441501; diesel -0.0885936 x 20 = -1.771872
    L = B x U_A x sqrt(2): coal 0.8 x 10 x 1.41421 = 11.313708; diesel 0.266667 x 4 x 1.41421 = 1.508494
    U_trend = sqrt(0.441501^2 + 11.313708^2 + 1.771872^2 + 1.508494^2) = sqrt(133.6100) = 11.55898 %-points
    """
    rows = emissions(("1.A.1.a", "raw_coal", "CO2", 100, "fa", 2019), ("1.A.1.a", "raw_coal", "CO2", 120, "fa", 2020),
                     ("1.A.2", "diesel_oil", "CO2", 50, "fb", 2019), ("1.A.2", "diesel_oil", "CO2", 40, "fb", 2020))
    p = params(("uncertainty.activity", "raw_coal", "", 0.10), ("uncertainty.activity", "diesel_oil", "", 0.04))
    t = approach1_trend(row_uncertainties(rows, factors(fa=(5, 5), fb=(20, 20)), p))
    row = pick(t, "trend", "total", year=2020)
    assert row["base_year"] == 2019
    assert row["estimate"] == pytest.approx(100 * 10 / 150)
    assert row["high_95"] - row["estimate"] == pytest.approx(11.55898, rel=1e-6)
    assert row["estimate"] - row["low_95"] == pytest.approx(11.55898, rel=1e-6)


LINEAR = emissions(*[(cat, act, "CO2", x, fid) for cat, act, x, fid in (
    ("1.A.1.a", "raw_coal", 800, "g1"), ("1.A.1.a", "natural_gas", 300, "g2"), ("1.A.2", "diesel_oil", 250, "g3"),
    ("1.A.2", "coke", 400, "g4"), ("1.A.3.b", "gasoline", 350, "g5"), ("1.A.3.b", "diesel_oil", 150, "g6"))])
LINEAR_FACTORS = factors(g1=(3, 3), g2=(4, 4), g3=(5, 5), g4=(3, 3), g5=(4, 4), g6=(5, 5))
LINEAR_PARAMS = params(*[("uncertainty.activity", a, "", u) for a, u in (
    ("raw_coal", 0.02), ("natural_gas", 0.03), ("diesel_oil", 0.04), ("coke", 0.02), ("gasoline", 0.03))])


def test_monte_carlo_agrees_with_approach1_in_a_linear_case():
    """Small symmetric uncertainties, independent factors: the sums are nearly normal, so the
    Monte Carlo mean and half-width match Eq. 3.2 (within 2 %)."""
    rows = row_uncertainties(LINEAR, LINEAR_FACTORS, LINEAR_PARAMS)
    a1, a2 = approach1(rows), monte_carlo(rows, draws=20000, seed=1)
    for level, key in (("category", "1.A.1.a"), ("category", "1.A.2"), ("category", "1.A.3.b"), ("total", "total")):
        one, two = pick(a1, level, key), pick(a2, level, key, approach=2)
        assert two["estimate"] == pytest.approx(one["estimate"])
        assert two["mean"] == pytest.approx(one["estimate"], rel=0.02)
        half1 = (one["high_95"] - one["low_95"]) / 2
        half2 = (two["high_95"] - two["low_95"]) / 2
        assert half2 == pytest.approx(half1, rel=0.02)


def test_same_seed_same_numbers_other_seed_other_numbers():
    rows = row_uncertainties(LINEAR, LINEAR_FACTORS, LINEAR_PARAMS)
    first, again = monte_carlo(rows, draws=500, seed=7), monte_carlo(rows, draws=500, seed=7)
    pd.testing.assert_frame_equal(first, again)
    other = monte_carlo(rows, draws=500, seed=8)
    assert not np.allclose(first["low_95"], other["low_95"])
    # many small chunks: one thread or two, the same numbers
    one = monte_carlo(rows, draws=500, seed=7, max_bytes=20_000, workers=1)
    two = monte_carlo(rows, draws=500, seed=7, max_bytes=20_000, workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_rows_sharing_a_factor_id_draw_it_together():
    """Two rows of 100 t, factor uncertainty 10 %, no activity uncertainty.

    One shared factor (fully correlated): half-width = 10 % x 100 + 10 % x 100 = 20 t.
    Two independent factors (Eq. 3.2): sqrt(10^2 + 10^2) = 14.142 t.
    """
    p = params(("uncertainty.activity", "raw_coal", "", 0.0), ("uncertainty.activity", "coke", "", 0.0))
    shared = emissions(("1.A.1.a", "raw_coal", "CO2", 100, "s"), ("1.A.2", "coke", "CO2", 100, "s"))
    apart = emissions(("1.A.1.a", "raw_coal", "CO2", 100, "s1"), ("1.A.2", "coke", "CO2", 100, "s2"))
    f = factors(s=(10, 10), s1=(10, 10), s2=(10, 10))
    half = {}
    for name, rows in (("shared", shared), ("apart", apart)):
        row = pick(monte_carlo(row_uncertainties(rows, f, p), draws=20000), "total", "total", approach=2)
        half[name] = (row["high_95"] - row["low_95"]) / 2
    assert half["shared"] == pytest.approx(20.0, rel=0.03)
    assert half["apart"] == pytest.approx(math.sqrt(200), rel=0.03)
    assert half["shared"] > half["apart"]


def test_asymmetric_range_is_a_lognormal_through_both_bounds():
    """-50 %/+100 % on 100 t: bounds 50 and 200 t; s = ln(2/0.5)/(2 x 1.96) = 0.35365,
    mean = 100 exp(s^2/2) = 106.45 t."""
    rows = emissions(("1.A.1.a", "raw_coal", "CO2", 100, "ln"))
    r = row_uncertainties(rows, factors(ln=(50, 100)), params(("uncertainty.activity", "raw_coal", "", 0.0)))
    row = pick(monte_carlo(r, draws=40000), "total", "total", approach=2)
    assert row["low_95"] == pytest.approx(50, rel=0.02)
    assert row["high_95"] == pytest.approx(200, rel=0.02)
    assert row["mean"] == pytest.approx(106.45, rel=0.02)


def test_large_symmetric_range_is_truncated_at_zero():
    rows = emissions(("1.A.1.a", "raw_coal", "CO2", 100, "big"))
    r = row_uncertainties(rows, factors(big=(150, 150)), params(("uncertainty.activity", "raw_coal", "", 0.0)))
    assert pick(approach1(r), "total", "total")["low_95"] == pytest.approx(-50)  # Eq. 3.2 knows no bound
    assert pick(monte_carlo(r, draws=5000), "total", "total", approach=2)["low_95"] > 0


def test_build_with_uncertainty_rows(compile_, tmp_path):
    """A real build: raw coal in two years, activity uncertainty from a local row, factors from the shipped tables."""
    from conftest import write_workbook
    from inventory.factors.load import load_all
    from inventory.read import read_inputs

    path = write_workbook(tmp_path / "u.xlsx", [
        [REGION, 2019, "1.A.1.a", "原煤", "", 100, "万吨"], [REGION, 2020, "1.A.1.a", "原煤", "", 110, "万吨"],
        [REGION, "", "1.A", "原煤", "", 5, "%", "uncertainty.activity"]])
    inputs, _ = read_inputs([path])
    result = compile_([[REGION, 2019, "1.A.1.a", "原煤", "", 100, "万吨"],
                       [REGION, 2020, "1.A.1.a", "原煤", "", 110, "万吨"]])
    out = analyse_uncertainty(result.emissions, load_all(), inputs.params, draws=300)
    assert list(out.table.columns) == UNCERTAINTY_COLUMNS
    assert set(out.table["approach"]) == {1, 2}
    assert {"category", "sector", "total", "trend"} <= set(out.table["level"])
    trend = pick(out.table, "trend", "total", year=2020)
    assert trend["estimate"] == pytest.approx(10.0)
