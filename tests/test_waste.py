"""Waste (4): numbers checked against hand calculations from the IPCC 2006 Vol.5 equations.

Every expected value below is worked from the published formula with the cited default
(or the local parameter given in the rows), independently of the program.
"""

from __future__ import annotations

import math

import pytest

from conftest import emission, write_workbook
from inventory.build import compile_inventory
from inventory.errors import word
from inventory.factors.load import load_all
from inventory.read import read_inputs

# Shipped defaults used below, with their tables (emission_factors/ipcc_waste_*.csv).
DOC_FOOD = 0.15    # IPCC 2006 Vol.5 Ch.2 Table 2.4, food waste, fraction of wet waste
DOCF = 0.5         # IPCC 2006 Vol.5 Ch.3 default DOCf
MCF_UNCHAR = 0.6   # IPCC 2006 Vol.5 Ch.3 Table 3.1, uncategorised SWDS
F = 0.5            # IPCC 2006 Vol.5 Ch.3 default F (fraction of CH4 in landfill gas)
OX = 0.0           # IPCC 2006 Vol.5 Ch.3 Table 3.2 (not a covered managed site)
K_FOOD = 0.185     # IPCC 2006 Vol.5 Ch.3 Table 3.3, food, Boreal and Temperate / Wet (Hunan)

DEPOSITS = {2015: 1000.0, 2016: 1200.0, 2017: 1400.0, 2018: 1600.0, 2019: 1800.0}  # t wet waste


def build(tmp_path, rows, years=None, regions=None):
    path = write_workbook(tmp_path / "waste.xlsx", rows, sheet="废弃物处理")
    inputs, _ = read_inputs([path], regions, years)
    assert not inputs.errors, [str(p) for p in inputs.errors]
    return compile_inventory(inputs, load_all(), built=regions), inputs


def fod_ch4(deposits: dict[int, float], year: int, doc, docf, mcf, k, f, ox, recovered=0.0) -> float:
    """Hand calculation, closed form of Eq. 3.4-3.5 with the reaction starting the year after deposit:
    DDOCm decomposed in year T = (1 − e^−k) × Σ_{y<T} DDOCmd_y × e^(−k (T−1−y));
    CH4 = (decomposed × F × 16/12 − R) × (1 − OX)."""
    decomposed = sum(w * doc * docf * mcf * math.exp(-k * (year - 1 - y)) for y, w in deposits.items() if y < year)
    decomposed *= 1 - math.exp(-k)
    return (decomposed * f * 16 / 12 - recovered) * (1 - ox)


def test_fod_history_rows_before_the_build_years_reach_the_model(tmp_path):
    rows = [["长沙市", y, "4.A", "msw_food", "", w, "t"] for y, w in DEPOSITS.items()]
    result, inputs = build(tmp_path, rows, years={2019})
    # 2015-2018 are history: used, not skipped, not reported.
    assert set(inputs.ledger["status"]) == {"used"}
    assert not [p for p in inputs.warnings if p.code == "not_selected"]
    e = result.emissions
    assert set(e.loc[e["category"] == "4.A", "year"]) == {2019}
    # By hand: D_y = W_y × 0.15 × 0.5 × 0.6 = 0.045 W_y; 2019 decays the 2015-2018 deposits.
    d = {y: w * 0.045 for y, w in DEPOSITS.items()}
    stock_2018 = d[2015] * math.exp(-3 * K_FOOD) + d[2016] * math.exp(-2 * K_FOOD) + d[2017] * math.exp(-K_FOOD) + d[2018]
    expected = stock_2018 * (1 - math.exp(-K_FOOD)) * 0.5 * 16 / 12
    assert expected == pytest.approx(fod_ch4(DEPOSITS, 2019, DOC_FOOD, DOCF, MCF_UNCHAR, K_FOOD, F, OX))
    assert emission(result, "CH4", "430100", "4.A") == pytest.approx(expected, rel=1e-9)
    ids = e.loc[e["category"] == "4.A", "factor_ids"].iat[0]
    assert "ipcc06.v5t3_3.k.msw_food.temperate_wet" in ids and "ipcc06.v5t2_4.doc.msw_food" in ids


def test_fod_every_year_reported_without_a_year_selection(tmp_path):
    rows = [["长沙市", y, "4.A", "msw_food", "", w, "t"] for y, w in DEPOSITS.items()]
    result, _ = build(tmp_path, rows)
    for year in DEPOSITS:
        got = result.emissions.query("category == '4.A' and year == @year")["emission"].sum()
        assert got == pytest.approx(fod_ch4(DEPOSITS, year, DOC_FOOD, DOCF, MCF_UNCHAR, K_FOOD, F, OX), abs=1e-12)
    # The first year's deposit has not started to decay (reaction starts the next 1 January).
    assert result.emissions.query("category == '4.A' and year == 2015")["emission"].sum() == 0


def test_fod_local_parameters_override_defaults(tmp_path):
    """Bulk MSW has no shipped DOC or k: local rows (empty year = every year) give them; site type
    managed anaerobic (MCF 1.0, Table 3.1); recovery R and OX as local rows of 2019."""
    rows = [["湘潭市", y, "4.A", "msw", "swds_managed_anaerobic", w, "万吨"] for y, w in
            {2016: 10, 2017: 11, 2018: 12, 2019: 13}.items()]
    rows += [["湘潭市", "", "4.A", "msw", "", 0.16, "", "doc"],
             ["湘潭市", "", "4.A", "msw", "", 0.09, "1/a", "k"],
             ["湘潭市", 2019, "4.A", "msw", "", 150, "t", "recovery"],
             ["湘潭市", 2019, "4.A", "msw", "", 10, "%", "ox"]]
    result, _ = build(tmp_path, rows, years={2019})
    deposits = {2016: 1e5, 2017: 1.1e5, 2018: 1.2e5, 2019: 1.3e5}
    # By hand: (Σ decomposed × 0.5 × 16/12 − 150) × (1 − 0.1), MCF 1.0, DOCf 0.5.
    expected = fod_ch4(deposits, 2019, 0.16, 0.5, 1.0, 0.09, 0.5, 0.1, recovered=150)
    assert emission(result, "CH4", "430300", "4.A") == pytest.approx(expected, rel=1e-9)


def test_fod_without_doc_is_not_estimated(tmp_path):
    result, _ = build(tmp_path, [["湘潭市", 2019, "4.A", "msw", "", 5, "万吨"]])
    ne = result.not_estimated
    assert ((ne["category"] == "4.A") & (ne["substance"] == "CH4")).any()
    assert ne.loc[ne["category"] == "4.A", "reason"].iat[0] == "ne_waste_landfill_ch4"
    assert "doc" in word("ne_waste_landfill_ch4", "zh")
    assert not (result.emissions["category"] == "4.A").any()


def test_incineration_fossil_co2_ch4_n2o(tmp_path):
    rows = [["株洲市", 2019, "4.C.1", "msw", "incin_continuous_stoker", 1, "万吨"],
            ["株洲市", "", "4.C.1", "msw", "", 60, "%", "dm"],
            ["株洲市", "", "4.C.1", "msw", "", 40, "%", "cf"],
            ["株洲市", "", "4.C.1", "msw", "", 30, "%", "fcf"],
            ["株洲市", "", "4.C.1", "msw", "", 100, "%", "of"]]
    result, _ = build(tmp_path, rows)
    # Eq. 5.1: 10 000 t × 0.6 × 0.4 × 0.3 × 1.0 × 44/12
    assert emission(result, "CO2", "430200", "4.C.1") == pytest.approx(10000 * 0.6 * 0.4 * 0.3 * 44 / 12)
    # Table 5.3: 0.2 kg CH4/Gg wet waste × 10 Gg = 2 kg
    assert emission(result, "CH4", "430200", "4.C.1") == pytest.approx(0.002)
    # Table 5.6: 50 g N2O/t wet waste × 10 000 t = 0.5 t
    assert emission(result, "N2O", "430200", "4.C.1") == pytest.approx(0.5)


def test_incineration_without_carbon_parameters_lists_co2_not_estimated(tmp_path):
    result, _ = build(tmp_path, [["株洲市", 2019, "4.C.1", "msw", "incin_batch_stoker", 100, "t"]])
    assert emission(result, "CH4", "430200", "4.C.1") == pytest.approx(100 * 60e-9 * 1000)  # 60 kg/Gg
    assert emission(result, "N2O", "430200", "4.C.1") == pytest.approx(100 * 60e-6)  # 60 g/t
    ne = result.not_estimated
    assert ((ne["category"] == "4.C.1") & (ne["substance"] == "CO2")).any()


def test_domestic_wastewater_ch4_and_n2o(tmp_path):
    rows = [["岳阳市", 2019, "4.D.1", "domestic_wastewater", "ww_centralised_aerobic", 5000, "t"],
            ["岳阳市", 2019, "4.D.1", "domestic_wastewater", "ww_centralised_aerobic", 1000, "t", "sludge"],
            ["岳阳市", 2019, "4.D.1", "domestic_wastewater", "ww_septic", 2000, "t"],
            ["岳阳市", 2019, "4.D.1", "wastewater_nitrogen", "ww_centralised_aerobic", 800, "t"],
            ["岳阳市", 2019, "4.D.1", "wastewater_nitrogen", "", 600, "t"]]
    result, _ = build(tmp_path, rows)
    # Eq. 6.1: (TOW − S) × Bo × MCF − R; Bo 0.6 kg CH4/kg BOD; MCF 0.03 aerobic plant, 0.5 septic (Table 6.3).
    ch4 = (5000 - 1000) * 0.6 * 0.03 + 2000 * 0.6 * 0.5
    assert emission(result, "CH4", "430600", "4.D.1") == pytest.approx(ch4)
    # N2O = N × EF (kg N2O-N/kg N) × 44/28: plant 0.016 (Table 6.8A), effluent 0.005.
    n2o = 800 * 0.016 * 44 / 28 + 600 * 0.005 * 44 / 28
    assert emission(result, "N2O", "430600", "4.D.1") == pytest.approx(n2o)


def test_industrial_wastewater_ch4_with_recovery(tmp_path):
    rows = [["娄底市", 2019, "4.D.2", "industrial_wastewater", "ww_anaerobic_reactor", 1000, "t"],
            ["娄底市", 2019, "4.D.2", "industrial_wastewater", "", 100, "t", "recovery"]]
    result, _ = build(tmp_path, rows)
    # Eq. 6.4 with EF = Bo × MCF: 1000 t COD × 0.25 × 0.8 − 100 t recovered
    assert emission(result, "CH4", "431300", "4.D.2") == pytest.approx(1000 * 0.25 * 0.8 - 100)


def test_wastewater_without_treatment_system_is_not_estimated(tmp_path):
    result, _ = build(tmp_path, [["娄底市", 2019, "4.D.1", "domestic_wastewater", "", 1000, "t"]])
    ne = result.not_estimated
    assert ((ne["category"] == "4.D.1") & (ne["substance"] == "CH4")).any()


def test_composting_ch4_n2o(tmp_path):
    result, _ = build(tmp_path, [["常德市", 2019, "4.B", "msw", "composting", 2000, "t"]])
    # Table 4.1, wet weight: 4 g CH4/kg and 0.24 g N2O/kg
    assert emission(result, "CH4", "430700", "4.B") == pytest.approx(2000 * 4e-3)
    assert emission(result, "N2O", "430700", "4.B") == pytest.approx(2000 * 0.24e-3)


def test_local_factor_replaces_the_equation(tmp_path):
    rows = [["常德市", 2019, "4.D.1", "domestic_wastewater", "ww_septic", 1000, "t"],
            ["常德市", 2019, "4.D.1", "domestic_wastewater", "", 0.1, "t/t", "ef.CH4"]]
    result, _ = build(tmp_path, rows)
    assert emission(result, "CH4", "430700", "4.D.1") == pytest.approx(100)


def test_province_reports_waste_aggregated_from_prefectures(tmp_path):
    rows = [["湖南省", 2019, "1.A.1.a", "raw_coal", "", 100, "t"],
            ["长沙市", 2019, "4.B", "msw", "composting", 1000, "t"],
            ["株洲市", 2019, "4.B", "msw", "composting", 500, "t"]]
    result, _ = build(tmp_path, rows, regions={"430000", "430100", "430200"})
    e = result.emissions
    prov = e[(e["region"] == "430000") & (e["category"] == "4.B") & (e["substance"] == "CH4")]
    assert list(prov["basis"]) == ["aggregated"]
    assert prov["emission"].sum() == pytest.approx(1500 * 4e-3)


def test_waste_parameter_unit_mismatch_is_an_error(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [["长沙市", 2019, "4.A", "msw", "", 5, "t"],
                                                ["长沙市", "", "4.A", "msw", "", 0.1, "t", "k"]])
    inputs, _ = read_inputs([path])
    assert [(p.row, p.column) for p in inputs.errors] == [(3, "单位 (G)")]


def test_incineration_air_pollutants_emep_tier1(tmp_path):
    result, _ = build(tmp_path, [["株洲市", 2019, "4.C.1", "msw", "incin_continuous_stoker", 1, "万吨"]])
    # EMEP/EEA 2023 5.C.1.a Table 3-1 (g per Mg waste): NOx 1071, SOx 87, PM2.5 3; BC 3.5 % of PM2.5.
    assert emission(result, "NOx", "430200", "4.C.1") == pytest.approx(10000 * 1071e-6)
    assert emission(result, "SO2", "430200", "4.C.1") == pytest.approx(10000 * 87e-6)
    assert emission(result, "BC", "430200", "4.C.1") == pytest.approx(10000 * 3e-6 * 0.035)
    bc_ids = result.emissions.query("substance == 'BC'")["factor_ids"].iat[0]
    assert "emep23.5C1a.3_1.msw.pm25" in bc_ids and "emep23.5C1a.3_1.msw.bc" in bc_ids


def test_open_burning_pollutants_and_ghg_not_estimated(tmp_path):
    result, _ = build(tmp_path, [["株洲市", 2019, "4.C.2", "msw", "", 100, "t"]])
    # EMEP/EEA 2023 5.C.2 Table 3-1: CO 55.83 kg/Mg
    assert emission(result, "CO", "430200", "4.C.2") == pytest.approx(100 * 55.83e-3)
    ne = result.not_estimated
    assert set(ne.loc[ne["category"] == "4.C.2", "substance"]) == {"CO2", "CH4", "N2O"}


def test_recovery_above_generation_gives_zero_not_a_sink(tmp_path):
    rows = [["娄底市", 2019, "4.D.2", "industrial_wastewater", "ww_anaerobic_reactor", 100, "t"],
            ["娄底市", 2019, "4.D.2", "industrial_wastewater", "", 50, "t", "recovery"]]
    result, _ = build(tmp_path, rows)
    # 100 × 0.25 × 0.8 = 20 t generated < 50 t recovered
    row = result.emissions.query("substance == 'CH4'")
    assert row["emission"].tolist() == [0.0] and row["kind"].tolist() == ["emission"]


def test_waste_sector_as_a_whole_is_listed_not_estimated(tmp_path):
    result, _ = build(tmp_path, [["娄底市", 2019, "4", "msw", "", 100, "t"]])
    ne = result.not_estimated
    assert (ne.loc[ne["category"] == "4", "reason"] == "ne_waste_no_method").all() and (ne["category"] == "4").any()
    assert "4.A" in word("ne_waste_no_method", "zh")
