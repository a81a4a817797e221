"""Biomass fuels burned for energy (firewood, straw, biogas) against hand calculations.

CH4 and N2O count in the total; biogenic CO2 is a memo item (kind `memo`, DESIGN 3.7);
pollutants from the EMEP/EEA Tier 1 biomass table. Every expected number is worked out
below from the cited factor and the source's equation E = A × NCV × EF, never from the
program's output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import emission
from inventory import aggregate
from inventory import figures

# Calorific values, China Energy Statistical Yearbook 2022 Appendix 4 (kJ/kg, kJ/m3 as printed).
NCV_FIREWOOD = 16726e-6   # TJ/t, 薪柴
NCV_RICE_STRAW = 12545e-6  # TJ/t, 稻秆
NCV_BIOGAS = 20908e-9     # TJ/m3, 沼气
NCV_STRAW_IPCC = 11.6e-3  # TJ/t, IPCC 2006 Vol.2 Table 1.2 other primary solid biomass (11.6 TJ/Gg)


def row(activity, amount, unit, category="1.A.4.b", region="430100", year=2019):
    return [region, year, category, activity, "", amount, unit, "", "示例"]


def test_firewood_residential_ghg_and_memo_co2(compile_):
    """1 万吨 薪柴 in 1.A.4.b: IPCC 2006 Vol.2 Table 2.5 wood/wood waste: CO2 112 000, CH4 300, N2O 4 kg/TJ."""
    r = compile_([row("薪柴", 1, "万吨")])
    tj = 1e4 * NCV_FIREWOOD  # 167.26 TJ
    assert tj == pytest.approx(167.26)
    assert emission(r, "CO2") == pytest.approx(tj * 112_000e-3, rel=1e-9)   # t = TJ × kg/TJ / 1000
    assert emission(r, "CO2") == pytest.approx(18_733.12, rel=1e-9)
    assert emission(r, "CH4") == pytest.approx(tj * 0.300, rel=1e-9)       # 50.178 t
    assert emission(r, "N2O") == pytest.approx(tj * 0.004, rel=1e-9)       # 0.66904 t
    e = r.emissions.set_index("substance")
    assert e.loc["CO2", "kind"] == "memo"
    assert e.loc["CH4", "kind"] == "emission" and e.loc["N2O", "kind"] == "emission"
    # CO2e is filled for the memo row too (DESIGN 3.7), but the gross total holds CH4 and N2O only (AR5 28, 265).
    assert e.loc["CO2", "co2e_t"] == pytest.approx(tj * 112.0)
    gross = aggregate.totals(r.emissions, ["region"])["co2e_t"].iloc[0]
    assert gross == pytest.approx(tj * 0.300 * 28 + tj * 0.004 * 265, rel=1e-9)
    assert set(e.loc["CO2", "factor_ids"].split(";")) == {"cesy22.a4.ncv.firewood", "ipcc06.t2_5.co2.firewood.1A4b"}


def test_firewood_residential_pollutants(compile_):
    """EMEP/EEA 2023 1.A.4.b.i Table 3-6 (biomass), g/GJ: NOx 50, CO 4000, NMVOC 600, SOx 11, NH3 8,
    PM10 760, PM2.5 740, BC 10 % of PM2.5. OC has no citable default: NE."""
    r = compile_([row("薪柴", 1, "万吨")])
    gj = 1e4 * NCV_FIREWOOD * 1000  # 167 260 GJ
    expected = {"NOx": 50, "CO": 4000, "NMVOC": 600, "SO2": 11, "NH3": 8, "PM10": 760, "PM2.5": 740}
    for substance, g_per_gj in expected.items():
        assert emission(r, substance) == pytest.approx(gj * g_per_gj * 1e-6, rel=1e-9), substance
    assert emission(r, "PM2.5") == pytest.approx(123.7724, rel=1e-9)
    assert emission(r, "BC") == pytest.approx(gj * 740e-6 * 0.10, rel=1e-9)
    ne = r.not_estimated
    assert set(ne.loc[ne["activity"] == "firewood", "substance"]) == {"OC"}


def test_rice_straw_and_generic_straw(compile_):
    """稻秆 uses the Yearbook NCV, 秸秆 (mixed) the IPCC other-primary-solid-biomass NCV; both IPCC Table 2.5
    other primary solid biomass: CO2 100 000, CH4 300, N2O 4 kg/TJ."""
    r = compile_([row("稻秆", 2000, "t"), row("秸秆", 3000, "t")])
    tj_rice, tj_mixed = 2000 * NCV_RICE_STRAW, 3000 * NCV_STRAW_IPCC  # 25.09 TJ, 34.8 TJ
    assert emission(r, "CH4", activity="rice_straw") == pytest.approx(tj_rice * 0.3, rel=1e-9)
    assert emission(r, "CH4", activity="straw") == pytest.approx(tj_mixed * 0.3, rel=1e-9)
    assert emission(r, "N2O", activity="straw") == pytest.approx(34.8 * 0.004, rel=1e-9)
    assert emission(r, "CO2", activity="rice_straw") == pytest.approx(tj_rice * 100.0, rel=1e-9)
    assert emission(r, "NOx", activity="straw") == pytest.approx(tj_mixed * 1000 * 50e-6, rel=1e-9)


def test_biogas_residential_no_pollutant_default(compile_):
    """1 亿立方米 沼气: IPCC Table 2.5 other biogas CO2 54 600, CH4 5, N2O 0.1 kg/TJ; no cited pollutant
    factor for biogas: NE with the reason."""
    r = compile_([row("沼气", 1, "亿立方米")])
    tj = 1e8 * NCV_BIOGAS  # 2 090.8 TJ
    assert emission(r, "CO2") == pytest.approx(tj * 54.6, rel=1e-9)
    assert emission(r, "CH4") == pytest.approx(tj * 0.005, rel=1e-9)
    assert emission(r, "N2O") == pytest.approx(tj * 0.0001, rel=1e-9)
    ne = r.not_estimated
    assert {"NOx", "SO2", "PM2.5", "CO"} <= set(ne.loc[ne["activity"] == "biogas", "substance"])
    assert (ne.loc[ne["activity"] == "biogas", "reason"] == "ne_no_default_factor").all()


def test_biomass_power_plant_table_2_2(compile_):
    """秸秆发电 in 1.A.1.a: IPCC Table 2.2 (energy industries) other primary solid biomass: CH4 30, N2O 4 kg/TJ."""
    r = compile_([row("玉米秆", 10, "万吨", category="1.A.1.a")])
    tj = 10e4 * 15472e-6  # Yearbook 玉米秆 15 472 kJ/kg
    assert emission(r, "CH4") == pytest.approx(tj * 0.030, rel=1e-9)
    assert emission(r, "N2O") == pytest.approx(tj * 0.004, rel=1e-9)
    assert emission(r, "CO2") == pytest.approx(tj * 100.0, rel=1e-9)
    assert r.emissions.set_index("substance").loc["CO2", "kind"] == "memo"


def test_local_ncv_replaces_the_default(compile_):
    """A local ncv row (低位发热量) for 薪柴 replaces the Yearbook value."""
    r = compile_([row("薪柴", 1000, "t"), ["430100", 2019, "1.A.4.b", "薪柴", "", 15, "GJ/t", "低位发热量", "调查"]])
    assert emission(r, "CH4") == pytest.approx(1000 * 15e-3 * 0.3, rel=1e-9)


def test_memo_co2_stays_out_of_fossil_co2_and_the_sector_tree(compile_):
    """Fossil CO2 of coal beside biogenic CO2 of firewood: only the coal's CO2 is an emission; the energy tree
    of 1.A.4.b shows the fossil CO2 and the biomass CH4, the summary's memo row the biogenic CO2."""
    r = compile_([row("薪柴", 1000, "t"), row("原煤", 1000, "t")])
    e = r.emissions
    fossil = e[(e["substance"] == "CO2") & (e["kind"] == "emission")]
    assert list(fossil["activity"]) == ["raw_coal"]
    coal_co2 = 1000 * 20908e-6 * 25.8 * 44 / 12  # Yearbook NCV × IPCC Table 1.3 carbon content × 44/12
    tree = figures.sector_trees(e)
    node = tree[tree["category"] == "1.A.4.b"].iloc[0]
    assert node["CO2"] == pytest.approx(coal_co2, rel=1e-9)
    assert node["CH4"] == pytest.approx(1000 * NCV_FIREWOOD * 0.3 + 1000 * 20908e-6 * 0.3, rel=1e-9)
    summary = figures.sector_gas(e)
    memo = summary[summary["row_type"] == "memo"].iloc[0]
    assert memo["CO2"] == pytest.approx(1000 * NCV_FIREWOOD * 112.0, rel=1e-9)


def test_example_biomass_workbooks_are_what_make_biomass_writes(tmp_path):
    """make_biomass.py, run in a copy, writes byte-identical workbooks (deterministic)."""
    hunan = Path(__file__).resolve().parents[1] / "examples" / "hunan"
    for name in ("make_biomass.py", "make_example.py"):
        shutil.copy(hunan / name, tmp_path / name)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "make_biomass.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    written = sorted((tmp_path / "data").glob("*.xlsx"))
    assert [p.name for p in written] == ["430000_生物质燃料_2017-2019.xlsx", "430500_生物质燃料与扬尘_2017-2019.xlsx",
                                         "430700_生物质燃料与扬尘_2017-2019.xlsx", "431200_生物质燃料与扬尘_2017-2019.xlsx",
                                         "433100_生物质燃料与扬尘_2017-2019.xlsx"]
    for path in written:
        assert (hunan / "data" / path.name).read_bytes() == path.read_bytes(), path.name
