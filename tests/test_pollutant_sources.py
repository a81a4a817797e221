"""Pollutant-only sources (P.): construction dust against hand calculations.

EMEP/EEA Guidebook 2023 2.A.5.b Tier 1: E = EF × A × d × (1 − η); factors in kg per m² per
year (Table 3-1 houses, 3-2 apartment buildings, 3-3 non-residential, 3-4 roads); site
controls from T/CSES 144-2024 Table A.1 (PM2.5 and PM2.5–10 efficiencies). Expected
numbers are worked out here from those printed values.
"""

from __future__ import annotations

import pytest

from conftest import emission

from inventory.errors import word

HA_M2 = 10_000.0  # m² per ha
KG_T = 1e-3       # t per kg


def row(technology, value, unit="公顷", category="P.2.A.5.b", region="430100", year=2019):
    return [region, year, category, "施工面积", technology, value, unit, "", "示例"]


def test_apartment_construction_uncontrolled(compile_):
    """100 ha of apartment buildings for a whole year: PM10 0.3, PM2.5 0.03 kg/m²/a (Table 3-2)."""
    r = compile_([row("constr_apartment", 100)])
    m2 = 100 * HA_M2
    assert emission(r, "PM10") == pytest.approx(m2 * 0.3 * KG_T, rel=1e-9)    # 1e6 m2 × 0.3 kg = 300 t
    assert emission(r, "PM10") == pytest.approx(300.0, rel=1e-9)
    assert emission(r, "PM2.5") == pytest.approx(m2 * 0.03 * KG_T, rel=1e-9)  # 30 t
    e = r.emissions.set_index("substance")
    assert e.loc["PM10", "factor_ids"] == "emep23.2A5b.3_2.constr_apartment.pm10"
    assert e.loc["PM10", "activity_unit"] == "ha" and e.loc["PM10", "activity_amount"] == pytest.approx(100)
    assert set(e.index) == {"PM10", "PM2.5"}
    assert (e["kind"] == "emission").all() and (e["sector"] == "other_pollutant").all()


def test_area_in_square_metres_and_duration_in_months(compile_):
    """50 万平方米 of road construction during 6 months: Table 3-4 PM10 2.3, PM2.5 0.23 kg/m²/a × 0.5 a."""
    r = compile_([row("constr_road", 50, unit="万平方米"),
                  ["430100", 2019, "P.2.A.5.b", "施工面积", "", 6, "月", "施工期", "调查"]])
    m2, years = 50e4, 0.5
    assert emission(r, "PM10") == pytest.approx(2.3 * m2 * years * KG_T, rel=1e-9)   # 575 t
    assert emission(r, "PM2.5") == pytest.approx(0.23 * m2 * years * KG_T, rel=1e-9)
    assert "local:" in r.emissions.set_index("substance").loc["PM10", "factor_ids"]


def test_site_controls_combine_and_split_pm10(compile_):
    """Non-residential (Table 3-3: PM10 1, PM2.5 0.1 kg/m²/a) with paving + watering (η PM2.5 67 %, PM2.5–10 83 %)
    and a fibre cover (22 %, 28 %): η = 1 − Π(1 − ηᵢ) per size fraction; PM10 = PM2.5 part + coarse part."""
    r = compile_([row("constr_nonresidential+site_paving_watering+site_fabric_cover", 10)])
    m2 = 10 * HA_M2
    pm25_unc, pm10_unc = 0.1 * m2 * KG_T, 1.0 * m2 * KG_T  # 10 t, 100 t
    keep25 = (1 - 0.67) * (1 - 0.22)
    keep_coarse = (1 - 0.83) * (1 - 0.28)
    assert emission(r, "PM2.5") == pytest.approx(pm25_unc * keep25, rel=1e-9)                    # 2.574 t
    assert emission(r, "PM10") == pytest.approx(pm25_unc * keep25 + (pm10_unc - pm25_unc) * keep_coarse, rel=1e-9)
    assert emission(r, "PM10") == pytest.approx(2.574 + 90 * 0.1224, rel=1e-9)


def test_no_construction_type_is_ne_with_reason(compile_):
    """Without a construction type there is no Tier 1 factor: PM10 and PM2.5 NE, the reason naming the ids."""
    r = compile_([row("", 100)])
    ne = r.not_estimated
    rows = ne[ne["category"] == "P.2.A.5.b"]
    assert set(rows["substance"]) == {"PM10", "PM2.5"}
    assert (rows["reason"] == "ne_construction_dust").all()
    assert "constr_apartment" in word("ne_construction_dust", "zh") and "施工类型" in word("ne_construction_dust", "zh")
    assert r.emissions.empty or not (r.emissions["category"] == "P.2.A.5.b").any()


def test_local_factor_replaces_the_default(compile_):
    """A local ef.PM10 (t/ha per year) for houses replaces Table 3-1; PM2.5 keeps its default 0.0086 kg/m²/a."""
    r = compile_([row("constr_house", 20),
                  ["430100", 2019, "P.2.A.5.b", "施工面积", "", 1.5, "t/ha", "ef.PM10", "本地实测"]])
    assert emission(r, "PM10") == pytest.approx(20 * 1.5, rel=1e-9)
    assert emission(r, "PM2.5") == pytest.approx(20 * HA_M2 * 0.0086 * KG_T, rel=1e-9)


def test_province_sums_prefectures_dust(compile_):
    """Two prefectures' construction dust, no province rows: the province figure is their sum (basis aggregated)."""
    r = compile_([row("constr_apartment", 100), row("constr_house", 40, region="430200")],
                 regions=["430000", "430100", "430200"])
    e = r.emissions
    prov = e[(e["region"] == "430000") & (e["substance"] == "PM10")]
    assert (prov["basis"] == "aggregated").all()
    assert prov["emission"].sum() == pytest.approx(100 * HA_M2 * 0.3 * KG_T + 40 * HA_M2 * 0.086 * KG_T, rel=1e-9)


def test_dust_is_not_a_missing_ghg_in_the_consistency_check(compile_):
    """Construction dust has no greenhouse gas by nature: the GHG/pollutant consistency check skips it."""
    from inventory.factors.load import load_all
    from inventory.qa.consistency import ghg_pollutant_consistency

    r = compile_([row("constr_apartment", 100), ["430100", 2019, "1.A.4.b", "薪柴", "", 1000, "t", "", "示例"]])
    checks = ghg_pollutant_consistency(r.emissions, load_all(None))
    assert not checks["category"].str.startswith("P.").any()
    assert (checks["category"] == "1.A.4.b/firewood").sum() == 1
