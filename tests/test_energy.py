"""Fuel-combustion emissions against hand calculations from the cited factors.

Every expected number below is worked out from the source's equation and the
factor as printed in its table (cited beside it), not from the program's output.
"""

from __future__ import annotations

import pytest

from conftest import emission

# Cited defaults used below (values as printed in the sources).
NCV_RAW_COAL = 20908e-6        # TJ/t: China Energy Statistical Yearbook 2022 App.4, 原煤 20 908 kJ/kg
CC_RAW_COAL = 25.8             # tC/TJ: IPCC 2006 Vol.2 Table 1.3 (other bituminous coal)
OF_IPCC = 1.0                  # IPCC 2006 Vol.2 Ch.1 default oxidation factor
NCV_GAS = 38931e-9             # TJ/m3: Yearbook 2022 App.4, 天然气 38 931 kJ/m3
CC_GAS_CN, OF_GAS_CN = 15.3, 0.99  # China provincial guideline (2011), 天然气
NCV_DIESEL = 42652e-6          # TJ/t: Yearbook 2022 App.4, 柴油 42 652 kJ/kg
TCE_TJ = 29.3076e-3            # TJ per tce (GB/T 2589)


def coal_row(amount="100", unit="万吨", tech="", region="430100", category="1.A.1.a"):
    return [region, 2019, category, "原煤", tech, amount, unit, "", "统计局"]


def test_raw_coal_power_uncontrolled(compile_):
    """100 万吨 raw coal in 1.A.1.a: CO2 by carbon content; CH4/N2O IPCC Table 2.2; pollutants EMEP 1.A.1 Table 3-2,
    SO2 and NOx behind the shipped control penetration (CEC end-2011, carried forward to 2019: 75.73 % FGD at
    T/CSES Table A.1's 80 %, 16.39 % SCR at 42 %), PM uncontrolled (no penetration source)."""
    r = compile_([coal_row()])
    tj = 100e4 * NCV_RAW_COAL  # 20 908 TJ
    assert emission(r, "CO2") == pytest.approx(tj * CC_RAW_COAL * OF_IPCC * 44 / 12, rel=1e-9)
    assert emission(r, "CO2") == pytest.approx(1_977_896.8, rel=1e-7)
    assert emission(r, "CH4") == pytest.approx(tj * 1e-3, rel=1e-9)      # 1 kg/TJ
    assert emission(r, "N2O") == pytest.approx(tj * 1.5e-3, rel=1e-9)    # 1.5 kg/TJ
    gj = tj * 1000
    assert emission(r, "NOx") == pytest.approx(gj * 209e-6 * (1 - 0.1639 * 0.42), rel=1e-9)    # 209 g/GJ
    assert emission(r, "SO2") == pytest.approx(gj * 820e-6 * (1 - 0.7573 * 0.80), rel=1e-9)    # 820 g/GJ (SOx as SO2)
    assert emission(r, "PM2.5") == pytest.approx(gj * 3.4e-6, rel=1e-9)
    assert emission(r, "PM10") == pytest.approx(gj * 7.7e-6, rel=1e-9)
    assert emission(r, "BC") == pytest.approx(gj * 3.4e-6 * 0.022, rel=1e-9)  # 2.2 % of PM2.5
    co2 = r.emissions.query("substance == 'CO2'").iloc[0]
    assert co2["activity_unit"] == "TJ" and co2["activity_amount"] == pytest.approx(tj)
    assert set(co2["factor_ids"].split(";")) == {"cesy22.a4.ncv.raw_coal", "ipcc06.t1_3.cc.raw_coal",
                                                 "ipcc06.t1_4.of.raw_coal"}
    assert co2["co2e_t"] == pytest.approx(co2["emission"])
    ch4 = r.emissions.query("substance == 'CH4'").iloc[0]
    assert ch4["co2e_t"] == pytest.approx(ch4["emission"] * 28)  # AR5 GWP-100 of CH4


def test_power_plant_with_controls_and_sulfur_balance(compile_):
    """pc_boiler+scr+fgd+esp with a local sulfur content: sulfur balance (T/CSES Eq. 3) and Table A.1 efficiencies."""
    rows = [coal_row(tech="pc_boiler+scr+fgd+esp"),
            ["430100", 2019, "1.A.1.a", "原煤", "", 1.2, "%", "含硫率", "电厂化验"]]
    r = compile_(rows)
    t = 100e4
    # SO2 = 2 × S × (1 − sr) × A × (1 − η_FGD); sr = 0.15 (Table C.1 pulverized), η = 80 % (Table A.1 limestone FGD).
    assert emission(r, "SO2") == pytest.approx(2 * 0.012 * (1 - 0.15) * t * (1 - 0.80), rel=1e-9)
    # NOx: EMEP 209 g/GJ (T/CSES gives power-plant coal NOx only by unit capacity) × (1 − 42 % SCR).
    gj = t * NCV_RAW_COAL * 1000
    assert emission(r, "NOx") == pytest.approx(gj * 209e-6 * (1 - 0.42), rel=1e-9)
    # CO: T/CSES Table D.1 pulverized-coal boiler 2 g/kg (a Chinese, technology-specific factor wins).
    assert emission(r, "CO") == pytest.approx(t * 2e-3, rel=1e-9)
    # PM2.5: SCR, FGD and ESP in series: 1 − (1 − .57)(1 − .57)(1 − .93).
    keep25 = (1 - 0.57) * (1 - 0.57) * (1 - 0.93)
    pm25 = gj * 3.4e-6
    assert emission(r, "PM2.5") == pytest.approx(pm25 * keep25, rel=1e-9)
    # PM10 = PM2.5 part + coarse part, coarse efficiencies 75 %, 75 %, 98 %.
    keep_coarse = (1 - 0.75) * (1 - 0.75) * (1 - 0.98)
    assert emission(r, "PM10") == pytest.approx(pm25 * keep25 + (gj * 7.7e-6 - pm25) * keep_coarse, rel=1e-9)
    # CO2 is not affected by the controls.
    assert emission(r, "CO2") == pytest.approx(t * NCV_RAW_COAL * CC_RAW_COAL * 44 / 12, rel=1e-9)


def test_local_factor_overrides_every_method(compile_):
    """A local ef.CO2 replaces the carbon-content method; a local ncv replaces the yearbook value."""
    rows = [coal_row(),
            ["430100", 2019, "1.A.1.a", "原煤", "", 1.9, "t/t", "ef.CO2", "企业核算"],
            ["430100", "", "", "raw_coal", "", 22, "GJ/t", "ncv", "化验"]]
    r = compile_(rows)
    assert emission(r, "CO2") == pytest.approx(1.9 * 100e4, rel=1e-9)
    assert emission(r, "CH4") == pytest.approx(100e4 * 22e-3 * 1e-3, rel=1e-9)  # 22 GJ/t local ncv
    ids = r.emissions.query("substance == 'CH4'")["factor_ids"].iat[0]
    assert "local:activity.xlsx:能源活动:4" in ids


def test_local_parameters_do_not_reach_other_regions(compile_):
    """A province's parameter rows do not apply to its prefectures (DESIGN 3.3)."""
    rows = [coal_row(region="430100"), ["430000", 2019, "", "原煤", "", 1.9, "t/t", "ef.CO2", "省"],
            coal_row(region="430000")]
    r = compile_(rows)
    assert emission(r, "CO2", region="430000") == pytest.approx(1.9e6, rel=1e-9)
    assert emission(r, "CO2", region="430100") == pytest.approx(100e4 * NCV_RAW_COAL * CC_RAW_COAL * 44 / 12,
                                                                rel=1e-9)


def test_tce_amount_is_energy(compile_):
    """An amount in 万吨标准煤 is energy (29.3076 GJ/tce); per-mass factors use it divided by the NCV."""
    r = compile_([coal_row(amount=10, unit="万吨标准煤", category="1.A.1.a.i", tech="pc_boiler")])
    tj = 10e4 * TCE_TJ
    assert emission(r, "CO2") == pytest.approx(tj * CC_RAW_COAL * 44 / 12, rel=1e-9)
    # CO for a pulverized-coal boiler is per kg of coal (T/CSES D.1, 2 g/kg): mass = energy / NCV.
    assert emission(r, "CO") == pytest.approx(tj / NCV_RAW_COAL * 2e-3, rel=1e-9)


def test_natural_gas_in_yi_cubic_metres(compile_):
    """2.5 亿立方米 natural gas in households: China guideline carbon content and oxidation; IPCC Table 2.5; EMEP."""
    r = compile_([["湘潭", 2019, "1.A.4.b", "天然气", "", 2.5, "亿立方米", "", ""]])
    tj = 2.5e8 * NCV_GAS
    assert emission(r, "CO2") == pytest.approx(tj * CC_GAS_CN * OF_GAS_CN * 44 / 12, rel=1e-9)
    assert emission(r, "CH4") == pytest.approx(tj * 5e-3, rel=1e-9)       # 5 kg/TJ
    assert emission(r, "N2O") == pytest.approx(tj * 0.1e-3, rel=1e-9)     # 0.1 kg/TJ
    assert emission(r, "NOx") == pytest.approx(tj * 1000 * 51e-6, rel=1e-9)  # EMEP 1.A.4.b.i 51 g/GJ


def test_rows_sharing_a_key_are_summed_and_units_mix(compile_):
    """Two statistical sectors mapped to one category are summed; t and 万吨 mix."""
    rows = [["430100", 2019, "1.A.2.f", "柴油", "", 5000, "t", "", "a"],
            ["430100", 2019, "1.A.2.f", "diesel_oil", "", 0.5, "万吨", "", "b"]]
    r = compile_(rows)
    tj = 10000 * NCV_DIESEL
    # diesel: IPCC carbon content 20.2 (China copies disagree) with China guideline oxidation 0.98.
    assert emission(r, "CO2") == pytest.approx(tj * 20.2 * 0.98 * 44 / 12, rel=1e-9)
    assert len(r.emissions.query("substance == 'CO2'")) == 1


def test_category_at_a_higher_level(compile_):
    """A row at 1.A.3 (transport as a whole) is reported at 1.A.3; GHG factors of a sub-category do not apply."""
    r = compile_([["430100", 2019, "1.A.3", "柴油", "", 1, "万吨", "", ""]])
    assert set(r.emissions["category"]) == {"1.A.3"}
    assert emission(r, "CO2") == pytest.approx(1e4 * NCV_DIESEL * 20.2 * 0.98 * 44 / 12, rel=1e-9)
    ne = r.not_estimated
    assert {"CH4", "N2O"} <= set(ne.loc[ne["category"] == "1.A.3", "substance"])


def test_electricity_has_no_direct_emission(compile_):
    r = compile_([["430100", 2019, "1.A.4.b", "电力", "", 100, "万千瓦时", "", ""], coal_row()])
    electricity = r.emissions[r.emissions["activity"] == "electricity"]
    # Only its indirect CO2, as a memo item at M.EL.use under the consumer (issue 17, DESIGN 3.2).
    assert electricity[["category", "substance", "kind"]].values.tolist() == [["M.EL.use.1.A.4.b", "CO2", "memo"]]
    assert "electricity" not in set(r.not_estimated["activity"])


def test_user_factor_directory_wins_over_shipped(compile_, tmp_path):
    """A user table's factor replaces the shipped one for the same key (DESIGN 3.4)."""
    d = tmp_path / "local_factors"
    d.mkdir()
    (d / "my_factors.csv").write_text(
        "factor_id,category,activity,technology,substance,value,unit,region,year_from,year_to,tier,method,source,"
        "source_detail,uncertainty_low_pct,uncertainty_high_pct,notes\n"
        "hn.nox.coal,1.A.1,raw_coal,,NOx,5,kg/t,430000,,,2,ef,湖南省实测,,,,\n", encoding="utf-8")
    r = compile_([coal_row()], factor_dirs=[d])
    # The shipped penetration still applies on top (16.39 % SCR at 42 %, CEC 2011 carried forward).
    assert emission(r, "NOx") == pytest.approx(100e4 * 5e-3 * (1 - 0.1639 * 0.42), rel=1e-9)
    assert "hn.nox.coal" in r.emissions.query("substance == 'NOx'")["factor_ids"].iat[0]
