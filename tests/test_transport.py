"""Transport and off-road fuel (issue 17): road fuel given as a whole, rail, navigation, non-road machinery.

Every expected number is worked by hand from the cited table value and the fuel's calorific value:
E (t) = fuel (t) × EF (g/kg = kg/t: × 1e-3), or fuel (TJ) × EF (kg/TJ) × 1e-3.
"""

from __future__ import annotations

import pytest

from conftest import emission

NCV_DIESEL = 42652e-6    # TJ/t: China Energy Statistical Yearbook 2022 App.4, 柴油 42 652 kJ/kg
NCV_GASOLINE = 43070e-6  # TJ/t: Yearbook 2022 App.4, 汽油 43 070 kJ/kg
NCV_GAS = 38931e-9       # TJ/m3: Yearbook 2022 App.4, 天然气 38 931 kJ/m3
NCV_KEROSENE = 43070e-6  # TJ/t: GB/T 32151.22-2024 Table C.1, 煤油 43.070 GJ/t


def row(category, fuel, amount, unit="t", tech="", region="430200"):
    return [region, 2023, category, fuel, tech, amount, unit, "", "统计局"]


def test_issue_17_road_diesel_and_gasoline_given_as_a_whole(compile_):
    # Revised 1996 IPCC Guidelines Reference Manual Tables 1-9, 1-10, 1-11, road transportation, uncontrolled
    # (IPCC EFDB EF IDs 18206, 18246, 17361; 18205, 18245, 17360), kg/TJ:
    #   diesel NOx 800, CO 1 000, NMVOC 200; gasoline NOx 600, CO 8 000, NMVOC 1 500.
    # 1e4 t diesel = 426.52 TJ -> NOx 341.216 t, CO 426.52 t, NMVOC 85.304 t.
    # 2e4 t gasoline = 861.4 TJ -> NOx 516.84 t, CO 6 891.2 t, NMVOC 1 292.1 t.
    r = compile_([row("1.A.3.b", "柴油", 1, "万吨"), row("1.A.3.b", "汽油", 2, "万吨")])
    tj_d, tj_g = 1e4 * NCV_DIESEL, 2e4 * NCV_GASOLINE
    assert emission(r, "NOx", activity="diesel_oil") == pytest.approx(341.216, rel=1e-9)
    assert emission(r, "NOx", activity="diesel_oil") == pytest.approx(tj_d * 800e-3, rel=1e-9)
    assert emission(r, "CO", activity="diesel_oil") == pytest.approx(tj_d * 1000e-3, rel=1e-9)
    assert emission(r, "NMVOC", activity="diesel_oil") == pytest.approx(tj_d * 200e-3, rel=1e-9)
    assert emission(r, "NOx", activity="gasoline") == pytest.approx(tj_g * 600e-3, rel=1e-9)
    assert emission(r, "CO", activity="gasoline") == pytest.approx(6891.2, rel=1e-9)
    assert emission(r, "NMVOC", activity="gasoline") == pytest.approx(tj_g * 1500e-3, rel=1e-9)
    assert set(r.emissions["category"]) == {"1.A.3.b"}
    nox = r.emissions.query("substance == 'NOx' and activity == 'diesel_oil'").iloc[0]
    assert nox["factor_ids"] == "gbt32151.22.c1.ncv.diesel_oil;ipcc96.1A3b.t1_9.diesel_oil.nox"
    # No fleet-wide NH3 or PM for road fuel as a whole: listed as not estimated.
    ne = r.not_estimated
    assert {"NH3", "PM2.5", "PM10"} <= set(ne.loc[ne["activity"] == "diesel_oil", "substance"])
    # ... with the precise reason of data/ne_reasons.csv (EMEP gives them per vehicle class only).
    reasons = ne[ne["substance"].isin(["NH3", "PM10", "PM2.5", "BC"])].groupby("substance")["reason"].agg(set)
    assert reasons.to_dict() == {s: {"ne_road_no_fleet_factor"} for s in ["NH3", "PM10", "PM2.5", "BC"]}


def test_issue_17_vehicle_classes_keep_their_emep_factors(compile_):
    # A row at 1.A.3.b.iii takes EMEP/EEA 2023 Table 3-6_06 (heavy-duty diesel NOx 25.95 g/kg), not the
    # fleet-average row of its parent: 1e4 t × 25.95 g/kg = 259.5 t.
    r = compile_([row("1.A.3.b.iii", "柴油", 1, "万吨")])
    assert emission(r, "NOx") == pytest.approx(1e4 * 25.95e-3, rel=1e-9)
    assert emission(r, "NH3") == pytest.approx(1e4 * 0.02e-3, rel=1e-9)  # Table 3-7_06, 0.02 g/kg


def test_issue_17_road_natural_gas_as_a_whole(compile_):
    # Tables 1-9/1-10/1-11 natural gas: NOx 600, CO 400, NMVOC 5 kg/TJ; 1 亿立方米 = 1e8 m3 = 3 893.1 TJ.
    r = compile_([row("1.A.3.b", "天然气", 1, "亿立方米")])
    tj = 1e8 * NCV_GAS
    assert emission(r, "NOx") == pytest.approx(tj * 0.6, rel=1e-9)
    assert emission(r, "CO") == pytest.approx(tj * 0.4, rel=1e-9)
    assert emission(r, "NMVOC") == pytest.approx(tj * 0.005, rel=1e-9)


def test_issue_17_rail_diesel(compile_):
    # EMEP/EEA 2023 1.A.3.c Table 3-1 (gas oil/diesel), kg/t: NOx 52.4, CO 10.7, NMVOC 4.65, NH3 0.007,
    # PM10 1.44, PM2.5 1.37. 5 000 t -> NOx 262 t, PM2.5 6.85 t.
    r = compile_([row("1.A.3.c", "柴油", 5000)])
    for substance, kg_t in (("NOx", 52.4), ("CO", 10.7), ("NMVOC", 4.65), ("NH3", 0.007), ("PM10", 1.44),
                            ("PM2.5", 1.37)):
        assert emission(r, substance) == pytest.approx(5000 * kg_t / 1000, rel=1e-9)
    assert emission(r, "NOx") == pytest.approx(262, rel=1e-9)


def test_issue_17_inland_navigation(compile_):
    # EMEP/EEA 2023 1.A.3.d Tables 3-1 (bunker fuel oil: NOx 79.3, PM2.5 5.6 kg/t) and 3-2 (MDO/MGO: NOx 78.5,
    # PM2.5 1.4 kg/t), national navigation 1.A.3.d.ii. 1 000 t fuel oil, 2 000 t diesel.
    r = compile_([row("1.A.3.d.ii", "燃料油", 1000), row("1.A.3.d.ii", "柴油", 2000)])
    assert emission(r, "NOx", activity="fuel_oil") == pytest.approx(79.3, rel=1e-9)
    assert emission(r, "PM2.5", activity="fuel_oil") == pytest.approx(5.6, rel=1e-9)
    assert emission(r, "NOx", activity="diesel_oil") == pytest.approx(2 * 78.5, rel=1e-9)
    assert emission(r, "PM2.5", activity="diesel_oil") == pytest.approx(2 * 1.4, rel=1e-9)


def test_issue_17_aviation_kerosene_and_aviation_gasoline(compile_):
    # Kerosene in 1.A.3.a: Revised 1996 IPCC Guidelines Tables 1-9/1-10/1-11, civil aviation, fuel "Oil"
    # (EFDB EF IDs 17279, 17319, 17359): NOx 300, CO 100, NMVOC 50 kg/TJ. 1e4 t × 43.070 GJ/t (GB/T
    # 32151.22-2024 Table C.1, 煤油) = 430.7 TJ -> NOx 129.21 t, CO 43.07 t, NMVOC 21.535 t.
    r = compile_([row("1.A.3.a", "煤油", 1, "万吨")])
    assert emission(r, "NOx") == pytest.approx(129.21, rel=1e-9)
    assert emission(r, "CO") == pytest.approx(1e4 * NCV_KEROSENE * 100e-3, rel=1e-9)
    assert emission(r, "NMVOC") == pytest.approx(21.535, rel=1e-9)
    ne = r.not_estimated
    assert {"SO2", "PM2.5", "PM10"} <= set(ne["substance"])        # no per-fuel default for jet kerosene
    # Gasoline in 1.A.3.a (aviation gasoline): EMEP/EEA 2023 1.A.3.a Table 3-3 (Tier 1), kg/t: NOx 4,
    # CO 1 200, NMVOC 19, SOx 1 (0.05 % S); 500 t -> NOx 2 t, CO 600 t, NMVOC 9.5 t, SO2 0.5 t.
    r = compile_([row("1.A.3.a.ii", "汽油", 500)])
    assert emission(r, "NOx") == pytest.approx(2.0, rel=1e-9)
    assert emission(r, "CO") == pytest.approx(600.0, rel=1e-9)
    assert emission(r, "NMVOC") == pytest.approx(9.5, rel=1e-9)
    assert emission(r, "SO2") == pytest.approx(0.5, rel=1e-9)


def test_issue_17_agricultural_machinery_diesel_and_gasoline_engines(compile_):
    # EMEP/EEA 2023 non-road mobile machinery Table 3-1, g/t fuel. Sub-table 01 (agriculture, diesel):
    # NOx 34 457, PM2.5 1 913, BC 1 111; 1 万吨 diesel in 1.A.4.c -> NOx 344.57 t, PM2.5 19.13 t, BC 11.11 t.
    # Sub-table 06 (four-stroke gasoline): CO 770 368 g/t; 100 t -> 77.0368 t.
    r = compile_([row("1.A.4.c", "柴油", 1, "万吨"), row("1.A.4.c", "汽油", 100, tech="nrmm_4stroke")])
    assert emission(r, "NOx", activity="diesel_oil") == pytest.approx(344.57, rel=1e-9)
    assert emission(r, "PM2.5", activity="diesel_oil") == pytest.approx(19.13, rel=1e-9)
    assert emission(r, "PM10", activity="diesel_oil") == pytest.approx(19.13, rel=1e-9)
    assert emission(r, "BC", activity="diesel_oil") == pytest.approx(11.11, rel=1e-9)
    assert emission(r, "CO", activity="gasoline") == pytest.approx(77.0368, rel=1e-9)


def test_issue_17_gasoline_machinery_without_engine_type_is_not_estimated(compile_):
    r = compile_([row("1.A.4.c", "汽油", 100)])
    assert not r.emissions["substance"].isin(["NOx", "CO", "NMVOC"]).any()
    assert {"NOx", "CO", "NMVOC"} <= set(r.not_estimated["substance"])


def test_issue_17_construction_machinery_diesel(compile_):
    # Sub-table 03 (industry, construction, commercial diesel): NOx 32 629, CO 10 774 g/t; 2 000 t in 1.A.3.e.ii.
    r = compile_([row("1.A.3.e.ii", "柴油", 2000)])
    assert emission(r, "NOx") == pytest.approx(2000 * 32629e-6, rel=1e-9)
    assert emission(r, "CO") == pytest.approx(2000 * 10774e-6, rel=1e-9)


def test_issue_17_transport_as_a_whole_keeps_its_level_and_says_what_it_lacks(compile_):
    # The energy balance's 交通运输 row (1.A.3): CO2 by carbon content, nothing of 1.A.3.b/c/d/e.ii applies.
    r = compile_([row("1.A.3", "柴油", 1, "万吨")])
    assert set(r.emissions["substance"]) == {"CO2"}
    ne = r.not_estimated
    below = ne[ne["reason"] == "ne_subcategory_only"]
    assert {"CH4", "N2O", "NOx", "CO", "NMVOC", "NH3", "PM10", "PM2.5", "BC"} <= set(below["substance"])
    # SO2 has no factor below 1.A.3 either (sulfur balance): its reason stays the plain one.
    assert ne.loc[ne["substance"] == "SO2", "reason"].tolist() == ["ne_no_default_factor"]


def _warnings(manifest_or_report):
    return [p for p in manifest_or_report if p["code"] == "subcategory_factors_only"]


def test_issue_17_validate_and_build_warn_about_a_row_at_1_A_3(tmp_path):
    import json

    from typer.testing import CliRunner

    from conftest import write_workbook
    from inventory.cli import app

    book = write_workbook(tmp_path / "data" / "city.xlsx",
                          [row("1.A.3", "柴油", 1, "万吨"), row("1.A.3", "汽油", 2, "万吨"),
                           row("1.A.3.b", "柴油", 1, "万吨")])
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(book), "--format", "json"])
    assert checked.exit_code == 0, checked.output
    warned = _warnings(json.loads(checked.stdout)["problems"])
    # One warning per file and category, at the category's first row, with the number of rows it covers.
    assert [(w["row"], w["severity"], w["value"]) for w in warned] == \
        [(2, "warning", "diesel_oil, gasoline"), (4, "warning", "diesel_oil")]
    params = dict(warned[0]["params"])
    assert (params["category"], params["rows"]) == ("1.A.3", "2")
    assert params["subcategories"] == "1.A.3.a, 1.A.3.b, 1.A.3.c, 1.A.3.d, 1.A.3.e.ii"  # 1.A.3.a: aviation gasoline
    assert params["substances"].split(", ")[:4] == ["CH4", "N2O", "SO2", "NOx"]  # SO2: aviation gasoline
    # The row at 1.A.3.b: its NOx, CO, NMVOC apply; NH3 exists only per vehicle class (EMEP Tables 3-7_xx).
    assert dict(warned[1]["params"]) == {"category": "1.A.3.b", "rows": "1", "substances": "NH3",
                                         "subcategories": "1.A.3.b.i, 1.A.3.b.ii, 1.A.3.b.iii"}
    text = runner.invoke(app, ["validate", str(book), "--lang", "en"], env={"COLUMNS": "300"}).output
    assert "2 row(s) of this file given for 1.A.3 as a whole" in text
    assert "按类别 1.A.3 整体填报的 2 行" in runner.invoke(app, ["validate", str(book)], env={"COLUMNS": "300"}).output
    built = runner.invoke(app, ["build", str(book), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(_warnings(manifest["warnings"])) == 2
