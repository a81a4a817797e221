"""Co-control indicators (DESIGN 3.9, cocontrol.csv) against hand calculations.

Formula (Mao et al., Environ. Sci. Technol. 2013, 47(21):12002; Xing, Mao et al., 中国环境管理 2020,
12(4):20): change = 100 (E_to - E_from) / E_from; Els = change_pollutant / change_CO2e; quadrant from
the signs of the absolute changes (x = CO2e, y = pollutant), none on an axis.

Region 430100, 2020 -> 2022 (t; CO2e in t CO2e; CH4 with GWP 28 only to give a non-CO2 gas):
    1.A.1.a (energy)   CO2 1000 -> 800, CH4 10/28 t (10 t CO2e) both years, SO2 50 -> 30, NOx 40 -> 44
    1.A.3.b (energy)   CO2  200 -> 260, NOx 20 -> 15, SO2 2 -> 2
    2.A.1   (industry) CO2  300 -> 300, PM2.5 10 -> 8
    a memo row (biomass CO2 500 t in 2022) that must not count; 2021 rows for the consecutive pairs.
Region 430200, 2020 -> 2022: 1.A.1.a CO2 100 -> 120, SO2 5 -> 6; 1.A.3.b NOx only in 2022 (3 t).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from inventory.analysis import COCONTROL_COLUMNS, cocontrol
from inventory.analysis.cocontrol import cocontrol_editions

R1, R2 = "430100", "430200"
SECTOR = {"1.A.1.a": "energy", "1.A.3.b": "energy", "2.A.1": "industry"}


def row(region, year, category, substance, emission, co2e=None, kind="emission", activity="x"):
    return {"region": region, "year": year, "category": category, "sector": SECTOR[category], "activity": activity,
            "technology": "", "substance": substance, "emission": float(emission),
            "co2e_t": float(co2e) if co2e is not None else float("nan"), "kind": kind}


def emissions() -> pd.DataFrame:
    rows = []
    for year, co2, so2, nox, co2_road, nox_road, co2_cem, pm in ((2020, 1000, 50, 40, 200, 20, 300, 10),
                                                                 (2021, 900, 45, 42, 230, 18, 310, 9),
                                                                 (2022, 800, 30, 44, 260, 15, 300, 8)):
        rows += [row(R1, year, "1.A.1.a", "CO2", co2, co2), row(R1, year, "1.A.1.a", "CH4", 10 / 28, 10),
                 row(R1, year, "1.A.1.a", "SO2", so2), row(R1, year, "1.A.1.a", "NOx", nox),
                 row(R1, year, "1.A.3.b", "CO2", co2_road, co2_road), row(R1, year, "1.A.3.b", "NOx", nox_road),
                 row(R1, year, "1.A.3.b", "SO2", 2), row(R1, year, "2.A.1", "CO2", co2_cem, co2_cem),
                 row(R1, year, "2.A.1", "PM2.5", pm)]
    rows.append(row(R1, 2022, "1.A.1.a", "CO2", 500, 500, kind="memo", activity="biomass"))
    rows += [row(R2, 2020, "1.A.1.a", "CO2", 100, 100), row(R2, 2020, "1.A.1.a", "SO2", 5),
             row(R2, 2022, "1.A.1.a", "CO2", 120, 120), row(R2, 2022, "1.A.1.a", "SO2", 6),
             row(R2, 2022, "1.A.3.b", "NOx", 3)]
    return pd.DataFrame(rows)


def pct(before, after):
    return 100 * (after - before) / before


def pick(table, region, category, substance, year_from=2020, year_to=2022):
    hit = table[(table["region"] == region) & (table["category"] == category) & (table["substance"] == substance)
                & (table["year_from"] == year_from) & (table["year_to"] == year_to)]
    assert len(hit) == 1, (region, category, substance, len(hit))
    return hit.iloc[0]


@pytest.fixture(scope="module")
def table():
    return cocontrol(emissions())


def test_columns_follow_design(table):
    assert list(table.columns[:len(COCONTROL_COLUMNS)]) == COCONTROL_COLUMNS


def test_default_pairs_consecutive_and_first_to_last(table):
    pairs = set(map(tuple, table[["region", "year_from", "year_to"]].drop_duplicates().to_numpy().tolist()))
    assert pairs == {(R1, 2020, 2021), (R1, 2021, 2022), (R1, 2020, 2022), (R2, 2020, 2022)}


def test_explicit_pairs_only_where_both_years_exist():
    t = cocontrol(emissions(), pairs=[(2021, 2022)])
    assert set(t["region"]) == {R1} and set(zip(t["year_from"], t["year_to"])) == {(2021, 2022)}


def test_both_down_category(table):
    """1.A.1.a SO2: -40 %; CO2e (CO2 + CH4) 1010 -> 810 = -19.80 % (memo row left out); Els = 2.02."""
    r = pick(table, R1, "1.A.1.a", "SO2")
    assert r["change_pct"] == pytest.approx(-40.0)
    assert r["co2e_change_pct"] == pytest.approx(pct(1010, 810))
    assert r["elasticity"] == pytest.approx(-40.0 / pct(1010, 810))
    assert r["elasticity"] == pytest.approx(2.02)
    assert r["quadrant"] == "both_down"
    assert r["co2_change_pct"] == pytest.approx(-20.0)          # CO2 alone 1000 -> 800
    assert r["elasticity_co2"] == pytest.approx(2.0)


def test_co2e_down_only(table):
    r = pick(table, R1, "1.A.1.a", "NOx")
    assert r["change_pct"] == pytest.approx(10.0)
    assert r["elasticity"] == pytest.approx(10.0 / pct(1010, 810))
    assert r["elasticity"] < 0
    assert r["quadrant"] == "co2e_down_only"


def test_pollutant_down_only(table):
    r = pick(table, R1, "1.A.3.b", "NOx")
    assert r["change_pct"] == pytest.approx(-25.0)
    assert r["co2e_change_pct"] == pytest.approx(30.0)
    assert r["elasticity"] == pytest.approx(-25.0 / 30.0)
    assert r["quadrant"] == "pollutant_down_only"


def test_both_up_second_region(table):
    r = pick(table, R2, "1.A.1.a", "SO2")
    assert r["change_pct"] == pytest.approx(20.0) and r["co2e_change_pct"] == pytest.approx(20.0)
    assert r["elasticity"] == pytest.approx(1.0)
    assert r["quadrant"] == "both_up"


def test_zero_pollutant_change_lies_on_an_axis(table):
    """SO2 2 -> 2 in 1.A.3.b: no quadrant; Els = 0 / 30 = 0."""
    r = pick(table, R1, "1.A.3.b", "SO2")
    assert r["change_pct"] == 0.0 and r["elasticity"] == 0.0
    assert r["quadrant"] == ""


def test_zero_co2e_change_has_no_elasticity(table):
    """2.A.1: CO2 300 -> 300 (0 %), PM2.5 -20 %: Els undefined (division by zero), no quadrant."""
    r = pick(table, R1, "2.A.1", "PM2.5")
    assert r["co2e_change_pct"] == 0.0 and r["change_pct"] == pytest.approx(-20.0)
    assert math.isnan(r["elasticity"])
    assert r["quadrant"] == ""


def test_sector_and_total_rows(table):
    """energy: CO2e 1010 + 200 = 1210 -> 810 + 260 = 1070; SO2 52 -> 32; NOx 60 -> 59.
    total: CO2e 1510 -> 1370; PM2.5 10 -> 8."""
    so2 = pick(table, R1, "energy", "SO2")
    assert so2["co2e_change_pct"] == pytest.approx(pct(1210, 1070))
    assert so2["change_pct"] == pytest.approx(pct(52, 32))
    assert so2["elasticity"] == pytest.approx(pct(52, 32) / pct(1210, 1070))
    nox = pick(table, R1, "energy", "NOx")
    assert nox["change_pct"] == pytest.approx(pct(60, 59)) and nox["quadrant"] == "both_down"
    pm = pick(table, R1, "total", "PM2.5")
    assert pm["co2e_change_pct"] == pytest.approx(pct(1510, 1370))
    assert pm["elasticity"] == pytest.approx(-20.0 / pct(1510, 1370))
    assert pick(table, R1, "industry", "PM2.5")["quadrant"] == ""


def test_only_pollutants_get_rows_and_the_synergy_column_is_gone(table):
    assert not table["substance"].isin(["CO2", "CH4", "CO2e"]).any()
    assert "synergy" not in table
    # total PM2.5 10 -> 8 (-20 %) with CO2e 1510 -> 1370 (-9.27 %): both down, Els = 2.16 > 1 (PMC11666946 Table 2)
    assert pick(table, R1, "total", "PM2.5")["elasticity_band"] == "synergy_pollutant_more"
    # energy NOx 60 -> 59 (-1.67 %) with CO2e 1210 -> 1070 (-11.6 %): both down, 0 < Els = 0.14 < 1
    assert pick(table, R1, "energy", "NOx")["elasticity_band"] == "synergy_ghg_more"
    # 2.A.1: CO2e unchanged (ER_k/Q_k = 0), PM2.5 -20 %: no effect on the greenhouse gas
    assert pick(table, R1, "2.A.1", "PM2.5")["elasticity_band"] == "no_effect_ghg"


def test_source_of_one_year_only_has_no_invented_change(table):
    """430200 1.A.3.b NOx exists in 2022 only: listed, no percentage, no quadrant."""
    r = pick(table, R2, "1.A.3.b", "NOx")
    assert math.isnan(r["change_pct"]) and r["quadrant"] == ""


def test_consecutive_pair_values(table):
    """2021 -> 2022, 1.A.1.a SO2 45 -> 30; CO2e 910 -> 810."""
    r = pick(table, R1, "1.A.1.a", "SO2", 2021, 2022)
    assert r["elasticity"] == pytest.approx(pct(45, 30) / pct(910, 810))


def test_two_editions():
    """A revised edition of 2022 with 1.A.1.a SO2 30 -> 27 and CO2 800 -> 880: same-year comparison."""
    old = emissions()
    new = old.copy()
    hit = (new["region"] == R1) & (new["year"] == 2022) & (new["category"] == "1.A.1.a") & (new["kind"] == "emission")
    new.loc[hit & (new["substance"] == "SO2"), "emission"] = 27.0
    new.loc[hit & (new["substance"] == "CO2"), ["emission", "co2e_t"]] = 880.0
    t = cocontrol_editions(old, new)
    r = pick(t, R1, "1.A.1.a", "SO2", 2022, 2022)
    assert r["change_pct"] == pytest.approx(-10.0)
    assert r["co2e_change_pct"] == pytest.approx(pct(810, 890))
    assert r["quadrant"] == "pollutant_down_only"
    unchanged = pick(t, R1, "2.A.1", "PM2.5", 2022, 2022)
    assert unchanged["change_pct"] == 0.0 and unchanged["quadrant"] == ""


def test_empty_input_gives_empty_table():
    t = cocontrol(emissions().iloc[0:0])
    assert t.empty and list(t.columns[:len(COCONTROL_COLUMNS)]) == COCONTROL_COLUMNS
