"""Issue 15: the one table of indicators (figures.indicators), targets of kind `indicator`, and a year
without a sector shown NE. Expected values are worked by hand from the definitions."""

from __future__ import annotations

import pandas as pd
import pytest

from inventory import figures
from inventory.analysis.targets import load_targets, track_targets
from inventory.errors import UsageError
from inventory.qa.completeness import completeness_table


def _emissions():
    rows = [  # region, year, category, substance, emission t, co2e_t
        ("430000", 2020, "1.A.1.a", "CO2", 100.0, 100.0),
        ("430000", 2020, "2.A.1", "CO2", 50.0, 50.0),
        ("430000", 2020, "1.A.1.a", "SO2", 2.0, None),
        ("430000", 2021, "1.A.1.a", "CO2", 99.0, 99.0),
        ("430000", 2021, "2.A.1", "CO2", 40.0, 40.0),
        ("430000", 2021, "1.A.1.a", "SO2", 1.0, None),
        ("430000", 2022, "1.A.1.a", "CO2", 90.0, 90.0),
    ]
    e = pd.DataFrame(rows, columns=["region", "year", "category", "substance", "emission", "co2e_t"])
    return e.assign(kind="emission")


def _statistics():
    rows = [("430000", 2020, "gdp", 1e8), ("430000", 2021, "gdp", 1.2e8), ("430000", 2022, "gdp", 1.3e8),
            ("430000", 2020, "gdp_constant", 1e8), ("430000", 2021, "gdp_constant", 1.1e8),
            ("430000", 2020, "population", 1000.0), ("430000", 2021, "population", 1000.0),
            ("430000", 2022, "population", 990.0)]
    return pd.DataFrame(rows, columns=["region", "year", "activity", "amount"])


def _value(table, item, measure, year):
    row = table[(table["item"] == item) & (table["measure"] == measure) & (table["year"] == year)]
    assert len(row) == 1, (item, measure, year)
    return row.iloc[0]


def test_indicator_levels_changes_and_no_data_by_hand():
    t = figures.indicators(_emissions(), _statistics())
    # gross CO2e / nominal GDP: 150 t / (1e8 元 = 1e4 万元) = 0.015 t/万元
    assert _value(t, "CO2e/gdp", "level", 2020)["value"] == pytest.approx(150 / 1e4)
    # energy-related CO2 (1.A only) / GDP at comparable prices: 100 / 1e4; 2021: 99 / 1.1e4
    assert _value(t, "energy_CO2/gdp_constant", "level", 2020)["value"] == pytest.approx(0.01)
    assert _value(t, "energy_CO2/gdp_constant", "level", 2021)["value"] == pytest.approx(99 / 1.1e4)
    # change of CO2e/GDP on comparable prices, not nominal: (139/1.1e8) / (150/1e8) - 1 = -15.757...%
    assert _value(t, "CO2e/gdp", "change_pct", 2021)["value"] == pytest.approx((139 / 1.1 / 150 - 1) * 100)
    # per capita on year-end population: 90 t / 990 人
    assert _value(t, "CO2e/population", "level", 2022)["value"] == pytest.approx(90 / 990)
    # 2022 has no gdp_constant: the level says no_data naming it, and so does the change
    lvl = _value(t, "energy_CO2/gdp_constant", "level", 2022)
    assert (lvl["status"], lvl["missing"]) == ("no_data", "gdp_constant") and pd.isna(lvl["value"])
    chg = _value(t, "CO2e/gdp", "change_pct", 2022)
    assert (chg["status"], chg["missing"]) == ("no_data", "gdp_constant")
    # energy consumption is in no year: its numerator is a statistic the inputs lack, so there is no row
    assert not (t["item"] == "energy/gdp_constant").any()
    # the series reads the same levels
    s = figures.series(_emissions().assign(sector="energy", substance_kind="ghg"), t)
    got = s[(s["group"] == "intensity") & (s["item"] == "CO2e/gdp") & (s["year"] == 2020)]["value"]
    assert got.iat[0] == pytest.approx(0.015)


def _targets(tmp_path, text):
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


CO2_TARGET = '''
[[indicator]]
id = "co2_intensity_proxy"
kind = "indicator"
indicator = "energy_CO2/gdp_constant"
direction = "down"
regions = ["430000"]
base_year = 2020
target_year = 2025
change_pct = -18
source = "test"
'''


def test_indicator_target_status_from_the_indicator_table(tmp_path):
    spec = load_targets(_targets(tmp_path, CO2_TARGET))
    table = figures.indicators(_emissions(), _statistics())
    out = track_targets(spec, _emissions(), pd.DataFrame(columns=["region", "year", "category", "activity",
                                                                 "amount"]), table)
    out = out.set_index("year")
    # base 0.01, target 0.0082, path 2021 = 0.01 - 0.0018/5 = 0.00964; value 99/1.1e4 = 0.009 <= path: on track
    assert out.loc[2021, "path_value"] == pytest.approx(0.00964)
    assert out.loc[2021, "status"] == "on_track"
    # 2022: gdp_constant missing -> no_data naming the statistic
    assert out.loc[2022, "status"] == "no_data"
    assert (out.loc[2022, "reason"], out.loc[2022, "reason_value"]) == ("target_no_statistic", "gdp_constant")


def test_a_stated_target_reached_is_met_without_a_base_value(tmp_path):
    spec = load_targets(_targets(tmp_path, CO2_TARGET.replace("change_pct = -18", "target_value = 0.0095")))
    stats = _statistics()
    stats = stats[~((stats["activity"] == "gdp_constant") & (stats["year"] == 2020))]  # no base value
    out = track_targets(spec, _emissions(), stats.assign(category="stat"), figures.indicators(_emissions(), stats))
    out = out.set_index("year")
    assert out.loc[2021, "status"] == "met"  # 0.009 <= 0.0095
    assert out.loc[2020, "status"] == "no_data"


def test_malformed_targets_file_names_the_line(tmp_path):
    # CO2_TARGET has 11 lines (a blank first); line 13 is the bad value
    path = _targets(tmp_path, CO2_TARGET + "[[indicator]]\nkind = \n")
    with pytest.raises(UsageError) as info:
        load_targets(path)
    assert info.value.problems[0].row == 13
    # a value of the wrong kind: the line of its key
    path = _targets(tmp_path, CO2_TARGET.replace('direction = "down"', 'direction = "sideways"'))
    with pytest.raises(UsageError) as info:
        load_targets(path)
    assert [p.row for p in info.value.problems] == [6]


def test_a_year_without_a_sector_shows_it_ne():
    e = _emissions()
    table = completeness_table(e, pd.DataFrame(columns=["region", "year", "category", "key"]), None,
                               checked=["1.A.1.a", "2.A.1"])
    row = table[(table["year"] == 2022) & (table["category"] == "2.A.1")].iloc[0]
    assert (row["status"], row["key"], row["key_source"]) == ("not_estimated", "NE", "year")
    row = table[(table["year"] == 2021) & (table["category"] == "2.A.1")].iloc[0]
    assert row["status"] == "estimated"


# ---------------------------------------------------------------- co-control bands and CCD (issue 15)

def test_elasticity_band_by_elasticity_and_quadrant():
    from inventory.analysis.cocontrol import elasticity, elasticity_band

    # (ΔCO2e, ΔSO2) and the relative changes: both -10 % -> Els = 1; SO2 -20 %, CO2e -10 % -> Els = 2;
    # SO2 -5 %, CO2e -10 % -> 0.5; both +10 % -> Els = 1 too, but both rise (PMC11666946 Table 2);
    # CO2e -10 %, SO2 +5 % -> -0.5; SO2 unchanged; CO2e unchanged.
    carbon_pct = [-10.0, -10.0, -10.0, 10.0, -10.0, -10.0, 0.0]
    pollutant_pct = [-10.0, -20.0, -5.0, 10.0, 5.0, 0.0, -5.0]
    els = elasticity(pollutant_pct, carbon_pct)
    assert list(els.iloc[:5]) == [1.0, 2.0, 0.5, 1.0, -0.5]
    got = elasticity_band(carbon_pct, pollutant_pct, els)
    assert list(got) == ["synergy_equal", "synergy_pollutant_more", "synergy_ghg_more", "both_increase",
                         "non_synergy", "no_effect_pollutant", "no_effect_ghg"]


def test_ccd_formula_and_bands_by_hand():
    from inventory.analysis.ccd import C_BANDS, D_BANDS, band, coupling, normalised

    # u1 = 0.36, u2 = 0.64: C = sqrt(0.2304) / 0.5 = 0.48 / 0.5 = 0.96; T = 0.5; D = sqrt(0.48) = 0.69282...
    got = coupling([0.36], [0.64]).iloc[0]
    assert got["c"] == pytest.approx(0.96) and got["t"] == pytest.approx(0.5)
    assert got["d"] == pytest.approx(0.6928203230)
    # 地理学报 2021 76(4) 表1: 0.60 < D <= 0.70 初级协调; 0.8 < C <= 1 高水平耦合; bounds closed above
    assert list(band([0.6928, 0.7, 0.70001, 0.05], D_BANDS)) == [
        "d_primary_coordinated", "d_primary_coordinated", "d_intermediate_coordinated", "d_extreme_imbalance"]
    assert list(band([0.96, 0.3, 0.31, 0.8], C_BANDS)) == ["c_high", "c_low", "c_antagonism", "c_running_in"]
    # negative min-max with the shift: x = 10, 20, 30 -> 1, 0.505, 0.01
    obs = pd.DataFrame({"x": [10.0, 20.0, 30.0]})
    x = normalised(obs, pd.Series(["a", "a", "a"]), ["x"])["x"]
    assert list(x) == pytest.approx([1.0, 0.505, 0.01])


def test_ccd_table_over_own_years_by_hand():
    from inventory.analysis.ccd import ccd

    rows = []
    for year, co2, so2 in ((2020, 100.0, 10.0), (2021, 80.0, 6.0), (2022, 90.0, 2.0)):
        rows.append(("430000", year, "1.A.1.a", "CO2", co2))
        for s in ("SO2", "NOx", "PM2.5", "NMVOC"):
            rows.append(("430000", year, "1.A.1.a", s, so2))
    e = pd.DataFrame(rows, columns=["region", "year", "category", "substance", "emission"]).assign(kind="emission")
    ind = pd.DataFrame({"region": "430000", "year": [2020, 2021, 2022], "item": "CO2/gdp", "measure": "level",
                        "value": [1.0, 0.8, 0.9]})
    t = ccd(e, ind).set_index("year")
    # carbon: CO2 100/80/90 and CO2/gdp 1/0.8/0.9 both normalise to 0.01, 1, 0.505; pollution: 10/6/2 -> 0.01, 0.505, 1
    assert list(t["u_carbon"]) == pytest.approx([0.01, 1.0, 0.505])
    assert list(t["u_pollution"]) == pytest.approx([0.01, 0.505, 1.0])
    # 2021: C = 2 sqrt(0.505) / 1.505, T = 0.7525, D = sqrt(C T)
    c = 2 * 0.505 ** 0.5 / 1.505
    assert t.loc[2021, "c"] == pytest.approx(c)
    assert t.loc[2021, "d"] == pytest.approx((c * 0.7525) ** 0.5)
    assert t.loc[2020, "d"] == pytest.approx(0.1) and t.loc[2020, "band"] == "d_extreme_imbalance"
    assert set(t["scope"]) == {"own_years"} and (t["n_obs"] == 3).all()


def test_series_gaps_name_the_missing_sectors():
    long = pd.DataFrame({"region": "430000", "group": "sector", "unit": "t CO2e",
                         "year": [2020, 2020, 2021, 2020, 2021], "item": ["energy", "industry", "energy", "gross", "gross"],
                         "value": [1.0, 2.0, 1.0, 3.0, 1.0]})
    gaps = figures.series_gaps(long)
    assert gaps.to_dict("records") == [{"region": "430000", "year": 2021, "sector": "industry"}]


def test_cocontrol_path_chart_joins_the_years():
    from inventory.report.svg import quadrant_svg

    svg = str(quadrant_svg([("SO2 2021", -5.0, -10.0, "#111111"), ("SO2 2022", 3.0, -2.0, "#111111")],
                           "x", "y", {}, "t", path=True))
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 2


ENERGY_TARGET = CO2_TARGET.replace('"co2_intensity_proxy"', '"energy_intensity"').replace(
    '"energy_CO2/gdp_constant"', '"energy/gdp_constant"').replace("-18", "-14")


def test_an_indicator_without_its_statistic_names_it(tmp_path):
    spec = load_targets(_targets(tmp_path, ENERGY_TARGET))
    out = track_targets(spec, _emissions(), _statistics().assign(category="stat"),
                        figures.indicators(_emissions(), _statistics()))
    assert (out["status"] == "no_data").all()
    assert set(out["reason"]) == {"target_no_statistic"} and set(out["reason_value"]) == {"energy_consumption"}


def test_ccd_counts_only_the_sectors_of_every_year():
    from inventory.analysis.ccd import ccd

    rows = []
    for year, co2 in ((2019, 100.0), (2020, 80.0), (2021, 90.0)):
        rows.append(("430000", year, "1.A.1.a", "energy", "CO2", co2))
        rows += [("430000", year, "1.A.1.a", "energy", s, co2 / 10) for s in ("SO2", "NOx", "PM2.5", "NMVOC")]
        if year != 2021:  # 2021 lacks its industry rows
            rows.append(("430000", year, "2.A.1", "industry", "SO2", 1.0))
    e = pd.DataFrame(rows, columns=["region", "year", "category", "sector", "substance", "emission"]).assign(
        kind="emission")
    ind = pd.DataFrame({"region": "430000", "year": [2019, 2020, 2021], "item": "CO2/gdp", "measure": "level",
                        "value": [1.0, 0.8, 0.9]})
    t = ccd(e, ind).set_index("year")
    # industry (2019, 2020 only) left out: pollution = energy only, 10, 8, 9 -> 0.01, 1, 0.505
    assert list(t.index) == [2019, 2020, 2021]
    assert list(t["u_pollution"]) == pytest.approx([0.01, 1.0, 0.505])
