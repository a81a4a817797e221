"""Land use change and forestry (3.B) against hand calculations from the cited equations.

Every expected number is worked out below from IPCC 2006 Vol.4 Ch.2 (gain-loss method) and the
value as printed in its table (cited beside it), not from the program's output.
"""

from __future__ import annotations

import pytest
from conftest import emission, ne, why

from inventory.read import read_inputs
from inventory import figures

C_TO_CO2 = 44 / 12
CF = 0.47   # IPCC 2006 Vol.4 Table 4.3, carbon fraction of above-ground forest biomass (default)
R = 0.24    # IPCC 2006 Vol.4 Table 4.4, subtropical humid forest (shipped for 430000 and its prefectures)
D, BEF = 0.45, 1.5  # local wood density (t d.m./m3) and BEF of the example rows below (not shipped values)


STOCK_ROWS = [
    ["430100", 2019, "3.B.1.a", "活立木蓄积量年生长量", "arbor_forest", 100, "万立方米", "", "林业局"],
    ["430100", 2019, "3.B.1.a", "活立木消耗量", "arbor_forest", 20, "万立方米", "", "林业局"],
    ["430100", 2019, "3.B.1.a", "薪材", "arbor_forest", 5, "万立方米", "", "林业局"],
    ["430100", 2019, "3.B.1.a", "forest_stock_growth", "arbor_forest", 0.45, "t/m3", "wood_density", "森林资源清查"],
    ["430100", 2019, "3.B.1.a", "forest_stock_growth", "arbor_forest", 1.5, "", "bef", "森林资源清查"],
    ["430100", 2019, "3.B.1.a", "wood_removals", "arbor_forest", 0.45, "t/m3", "基本木材密度", "森林资源清查"],
    ["430100", 2019, "3.B.1.a", "wood_removals", "arbor_forest", 1.5, "", "bef", "森林资源清查"],
    ["430100", 2019, "3.B.1.a", "fuelwood_removals", "arbor_forest", 0.8, "t/m3", "bcef", "IPCC BCEF_R"],
]


def test_stock_growth_minus_harvest_and_fuelwood(compile_):
    """Gain by volume growth × D × BEF × (1+R) × CF (Eq. 2.8-2.10), losses by Eq. 2.12-2.13; CO2 = −ΔC × 44/12."""
    r = compile_(STOCK_ROWS)
    # 1e6 m3 × 0.45 t/m3 × 1.5 = 675 000 t d.m.; × 1.24 × 0.47 = 393 390 t C; × 44/12 = 1 442 430 t CO2 removed
    gain = 1e6 * 0.45 * 1.5 * (1 + 0.24) * 0.47 * 44 / 12
    assert gain == pytest.approx(1_442_430)
    assert emission(r, "CO2", activity="forest_stock_growth") == pytest.approx(-gain, rel=1e-12)
    # Harvest 2e5 m3: a fifth of the gain, returned to the atmosphere.
    assert emission(r, "CO2", activity="wood_removals") == pytest.approx(2e5 * D * BEF * (1 + R) * CF * C_TO_CO2)
    assert emission(r, "CO2", activity="wood_removals") == pytest.approx(288_486)
    # Fuelwood 5e4 m3 × BCEF_R 0.8 t/m3 (a local BCEF wins over D × BEF) × 1.24 × 0.47 × 44/12
    assert emission(r, "CO2", activity="fuelwood_removals") == pytest.approx(5e4 * 0.8 * 1.24 * 0.47 * 44 / 12)
    e = r.emissions.set_index("activity")
    assert set(e["kind"]) == {"sink"} and set(e["sector"]) == {"land_use"}
    assert e.loc["forest_stock_growth", "activity_unit"] == "m3"
    assert e.loc["forest_stock_growth", "activity_amount"] == pytest.approx(1e6)
    ids = e.loc["forest_stock_growth", "factor_ids"].split(";")
    assert ids[2:] == ["ipcc06.v4t4_4.root_shoot_ratio.subtropical_humid", "ipcc06.v4t4_3.carbon_fraction"]
    assert all(i.startswith("local:") for i in ids[:2])
    assert e.loc["forest_stock_growth", "co2e_t"] == pytest.approx(-gain)


def test_sink_is_shown_apart_from_the_gross_total(compile_):
    """The net forest sink (growth − harvest − fuelwood) is the sink row; gross holds energy only; net = gross + sink."""
    rows = STOCK_ROWS + [["430100", 2019, "1.A.4.b", "柴油", "", 1, "万吨", "", "统计局"]]
    r = compile_(rows)
    table = figures.sector_gas(r.emissions)
    t = table[table["region"] == "430100"].set_index("row_type")
    diesel = emission(r, "CO2", category="1.A.4.b") + 0.0
    diesel_co2e = float(r.emissions.loc[r.emissions["category"] == "1.A.4.b", "co2e_t"].sum())
    sink = -(1e6 - 2e5) * D * BEF * (1 + R) * CF * C_TO_CO2 + 5e4 * 0.8 * (1 + R) * CF * C_TO_CO2
    assert diesel > 0
    assert t.loc["gross", "total"] == pytest.approx(diesel_co2e)
    assert t.loc["sink", "total"] == pytest.approx(sink)
    assert t.loc["net", "total"] == pytest.approx(diesel_co2e + sink)


def test_forest_area_growth_with_local_parameters(compile_):
    """Eq. 2.9-2.10: ΔC_G = A × G_W × (1 + R) × CF; local R and CF rows replace the shipped ones."""
    rows = [
        ["430200", 2019, "3.B.1.a", "林地", "bamboo_forest", 1, "千公顷", "", "林业局"],
        ["430200", 2019, "3.B.1.a", "林地", "bamboo_forest", 5, "t/ha/year", "growth_rate", "竹林调查"],
        ["430200", 2019, "3.B.1.a", "林地", "bamboo_forest", 30, "%", "root_shoot_ratio", "竹林调查"],
        ["430200", 2019, "3.B.1.a", "林地", "bamboo_forest", 0.5, "", "carbon_fraction", "竹林调查"],
    ]
    r = compile_(rows)
    # 1000 ha × 5 t/ha/a × 1.3 × 0.5 = 3250 t C -> −11 916.67 t CO2
    assert emission(r, "CO2", activity="forest_land") == pytest.approx(-1000 * 5 * 1.3 * 0.5 * 44 / 12, rel=1e-12)
    row = r.emissions.iloc[0]
    assert row["activity_unit"] == "ha" and row["kind"] == "sink"
    assert "ipcc06" not in row["factor_ids"]


def test_forest_conversion_emits_co2_and_burning_gases_by_local_factor(compile_):
    """Eq. 2.16: A × (B_before − B_after) × (1 + R) × CF × 44/12 is an emission of the new land's category."""
    rows = [
        ["430300", 2019, "3.B.2.b", "森林转化面积", "", 100, "公顷", "", "自然资源局"],
        ["430300", 2019, "3.B.2.b", "forest_converted", "", 80, "t/ha", "biomass_stock", "森林资源清查"],
        ["430300", 2019, "3.B.2.b", "forest_converted", "", 20, "kg/ha", "ef.CH4", "local burning study"],
        ["430300", 2019, "3.B.5.b", "森林转化面积", "", 10, "公顷", "", "自然资源局"],
        ["430300", 2019, "3.B.5.b", "forest_converted", "", 80, "t/ha", "biomass_stock", "森林资源清查"],
        ["430300", 2019, "3.B.5.b", "forest_converted", "", 30, "t/ha", "biomass_after", "森林资源清查"],
    ]
    r = compile_(rows)
    assert emission(r, "CO2", category="3.B.2.b") == pytest.approx(100 * 80 * 1.24 * 0.47 * 44 / 12, rel=1e-12)
    assert emission(r, "CO2", category="3.B.2.b") == pytest.approx(17_095.47, abs=0.01)  # 8000 t d.m. × 1.24 × 0.47 = 4662.4 t C
    assert emission(r, "CH4", category="3.B.2.b") == pytest.approx(100 * 20 / 1000)
    assert emission(r, "CO2", category="3.B.5.b") == pytest.approx(10 * (80 - 30) * 1.24 * 0.47 * 44 / 12)
    assert set(r.emissions["kind"]) == {"emission"}


def test_missing_parameters_and_wrong_units_are_not_estimated(compile_):
    """No shipped BCEF, wood density, BEF, G_W or biomass stock: NE naming what to give; a tce amount is NE."""
    rows = [
        ["430100", 2019, "3.B.1.a", "活立木蓄积量年生长量", "", 100, "万立方米"],
        ["430100", 2019, "3.B.1.a", "林地", "", 100, "千公顷"],
        ["430100", 2019, "3.B.2.b", "森林转化面积", "", 100, "公顷"],
        ["430100", 2019, "3.B.1.a", "wood_removals", "", 100, "吨标准煤"],
    ]
    r = compile_(rows)
    assert r.emissions.empty or not (r.emissions["sector"] == "land_use").any()
    assert "bcef" in why(r, "3.B.1.a", "forest_stock_growth", "CO2")
    assert "growth_rate" in why(r, "3.B.1.a", "forest_land", "CO2")
    assert "biomass_stock" in why(r, "3.B.2.b", "forest_converted", "CO2")
    assert "unit does not fit" in why(r, "3.B.1.a", "wood_removals", "CO2")


def test_province_sink_is_the_sum_of_its_prefectures(compile_):
    """A province without own 3.B rows gets the prefectures' sum (basis aggregated, DESIGN 3.6)."""
    rows = [
        ["430000", 2019, "1.A.4.b", "柴油", "", 1, "万吨"],
        ["430100", 2019, "3.B.1.a", "forest_stock_growth", "", 10, "万立方米"],
        ["430200", 2019, "3.B.1.a", "forest_stock_growth", "", 30, "万立方米"],
        ["", "", "3.B.1.a", "forest_stock_growth", "", 0.9, "t/m3", "bcef", "森林资源清查"],
    ]
    built = {"430000", "430100", "430200"}
    r = compile_(rows[:3] + [[c, 2019, *rows[3][2:]] for c in ("430100", "430200")], regions=built)
    p = r.emissions[(r.emissions["region"] == "430000") & (r.emissions["sector"] == "land_use")]
    assert set(p["basis"]) == {"aggregated"}
    assert p["emission"].sum() == pytest.approx(-4e5 * 0.9 * 1.24 * 0.47 * 44 / 12)


def test_not_estimated_reason_is_translated_in_the_report(compile_):
    from inventory.report.html import render_html

    r = compile_([["430100", 2019, "3.B.1.a", "林地", "", 100, "千公顷"]])
    page = render_html(r, "zh")
    assert "需要本地参数 growth_rate" in page and "needs a local growth_rate" not in page


def test_example_sink_of_chenzhou_2019(tmp_path):
    """郴州 2019 of the illustrative workbook (tests/fixtures): the net forest sink and the conversion emission
    worked by hand from its rows."""
    from pathlib import Path

    from inventory.build import compile_inventory
    from inventory.factors.load import load_all

    # the illustrative workbook the Hunan example shipped before it kept the province's own statistics (issue 19)
    path = Path(__file__).resolve().parent / "fixtures" / "431000_土地利用变化和林业_2017-2019.xlsx"
    inputs, _ = read_inputs([path], {"431000"})
    r = compile_inventory(inputs, load_all(None), built={"431000"})
    e = r.emissions[r.emissions["year"] == 2019]
    per_m3 = 0.46 * 1.6 * (1 + R) * CF * C_TO_CO2              # assumed D and BEF of arbor forest in the workbook
    arbor = -445.2e4 * per_m3 + (160 * 0.9) * 1e4 * per_m3 + (25 * 0.9) * 1e4 * per_m3  # 420×1.06, 160×0.90, 25×0.90
    four_side = -18 * 1.06 * 1e4 * 0.75 * (1 + R) * CF * C_TO_CO2                   # BCEF 0.75 t/m3
    bamboo = -95 * 1.06 * 1e3 * 6 * (1 + R) * CF * C_TO_CO2                         # 100.7 10^3 ha × 6 t/ha/a
    sink = e[e["kind"] == "sink"]["emission"].sum()
    assert sink == pytest.approx(arbor + four_side + bamboo, rel=1e-9)
    assert sink == pytest.approx(-5_980_276, abs=1)
    converted = e[e["category"] == "3.B.5.b"]["emission"].sum()
    assert converted == pytest.approx(276 * 70 * (1 + R) * CF * C_TO_CO2)           # round(260 × 1.06) ha
