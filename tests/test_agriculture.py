"""Agriculture emissions against hand calculations from the cited equations and factors.

Every expected number is worked out below from the source's equation and the value as
printed in its table (cited beside it), not from the program's output.
"""

from __future__ import annotations

import pytest
from conftest import emission, ne, why


N2O_N = 44 / 28                 # N2O-N -> N2O (IPCC 2006 Vol.4 Eq. 10.25, 11.1)
# IPCC 2006 Vol.4 Table 10.11 (Asia), kg CH4/head/a (EFDB 415945); pig enteric CH4 in the china set: GB/T 32151.22-2024
# Table C.3 (猪, no stage split), which DESIGN 3.4 puts before IPCC Table 10.10's 1 kg (issue 19)
EF_DAIRY_ASIA, EF_SWINE = 68, 1.5
EF_C = 1.30                     # kg CH4/ha/d, IPCC 2006 Vol.4 Table 5.11 (EFDB 415830)
SF_W_AGG, SF_P_AGG = 0.78, 1.22  # Tables 5.12 / 5.13 aggregated cases (EFDB 415838, 415843)
EF1 = 0.01                      # Table 11.1 (EFDB 417317)
EF4, EF5 = 0.01, 0.0075         # Table 11.3 (EFDB 417414, 417415)
FRAC_GASF, FRAC_GASM, FRAC_LEACH = 0.10, 0.20, 0.30  # Table 11.3 (EFDB 417416-417418)
NH3_FERT = 0.085                # kg NH3/kg N, EMEP/EEA 2023 3.D Table 3-1 (3.D.a.1)
# GB/T 32151.22-2024 Appendix C, 中南 row (Hunan): manure CH4 (Table C.7) and direct N2O (Table C.10), kg/head/a
GBT_CH4_DAIRY, GBT_N2O_DAIRY, GBT_CH4_SWINE, GBT_N2O_SWINE = 8.45, 1.710, 5.85, 0.157
RICE_DAYS_EAST_ASIA = 112       # d, IPCC 2019 Refinement Vol.4 Table 5.11A, East Asia
GEF_CH4, GEF_N2O = 2.7, 0.07    # g/kg dry matter burnt, IPCC 2006 Vol.4 Table 2.5, agricultural residues


def test_enteric_and_manure_for_two_animals(compile_):
    """Dairy cattle and swine: enteric CH4 by Tier 1 default; swine manure from local parameters (which beat the
    shipped per-head defaults), dairy manure from the shipped regional defaults."""
    rows = [
        ["430100", 2019, "3.A.1", "奶牛", "", 2, "万头", "", "统计局"],
        ["430100", 2019, "3.A.1", "猪", "", 100, "万头", "", "统计局"],
        ["430100", 2019, "3.A.2", "奶牛", "", 2, "万头", "", "统计局"],
        ["430100", 2019, "3.A.2", "猪", "", 100, "万头", "", "统计局"],
        ["430100", 2019, "3.A.2", "猪", "", 3, "kg/head/a", "ef.CH4", "local study"],
        ["430100", 2019, "3.A.2", "猪", "", 10, "kg/head/a", "nex", "local study"],
        ["430100", 2019, "3.A.2", "猪", "", 0.5, "%", "ef3", "local study"],
        ["430100", 2019, "3.A.2", "猪", "", 25, "%", "frac_gasms", "local study"],
        ["430100", 2019, "3.A.2", "猪", "", 10, "%", "frac_leachms", "local study"],
        ["430100", 2019, "3.A.2", "猪", "", 5, "kg/head/a", "ef.NH3", "local study"],
        ["430100", 2019, "3.A.1", "家禽", "", 1000, "万只", "", "统计局"],
    ]
    r = compile_(rows)
    # Eq. 10.19: CH4 = N × EF
    assert emission(r, "CH4", category="3.A.1", activity="dairy_cattle") == pytest.approx(2e4 * 68e-3, rel=1e-12)
    assert emission(r, "CH4", category="3.A.1", activity="swine") == pytest.approx(100e4 * 1.5e-3, rel=1e-12)
    assert 2e4 * EF_DAIRY_ASIA / 1000 == 1360 and 1e6 * EF_SWINE / 1000 == 1500
    # Eq. 10.22 with a local factor: 1e6 head × 3 kg = 3000 t
    assert emission(r, "CH4", category="3.A.2", activity="swine") == pytest.approx(3000, rel=1e-12)
    # Eq. 10.25: 1e6 × 10 kg N × 0.005 × 44/28 = 78.571 t N2O
    assert emission(r, "N2O", category="3.A.2", activity="swine") == pytest.approx(1e6 * 10 * 0.005 * N2O_N / 1000)
    # Eq. 10.26-10.29 (3.C.6): 1e6 × 10 kg N × (0.25 × EF4 + 0.10 × EF5) × 44/28
    assert emission(r, "N2O", category="3.C.6", activity="swine") == pytest.approx(
        1e6 * 10 * (0.25 * 0.01 + 0.10 * 0.0075) * N2O_N / 1000)
    assert emission(r, "NH3", category="3.A.2", activity="swine") == pytest.approx(5000)
    # Dairy manure: the 中南 regional defaults of GB/T 32151.22-2024 Tables C.7 and C.10 (kg/head/a):
    # CH4 2e4 × 8.45 kg = 169 t; direct N2O 2e4 × 1.710 kg = 34.2 t. Indirect N2O needs Frac_GasMS: NE.
    assert emission(r, "CH4", category="3.A.2", activity="dairy_cattle") == pytest.approx(2e4 * GBT_CH4_DAIRY / 1000)
    assert emission(r, "CH4", category="3.A.2", activity="dairy_cattle") == pytest.approx(169)
    assert emission(r, "N2O", category="3.A.2", activity="dairy_cattle") == pytest.approx(2e4 * GBT_N2O_DAIRY / 1000)
    assert "frac_gasms" in why(r, "3.C.6", "dairy_cattle", "N2O")
    assert ne(r, "3.A.1", "poultry", "CH4") == "ne_no_default_factor"
    row = r.emissions.query("category == '3.A.1' and activity == 'dairy_cattle'").iloc[0]
    assert row["factor_ids"] == "ipcc06.v4_10_11.ch4.dairy_cattle"
    assert row["activity_unit"] == "head" and row["activity_amount"] == pytest.approx(2e4)
    assert row["co2e_t"] == pytest.approx(1360 * 28)  # AR5 GWP-100 of CH4
    assert set(r.emissions["sector"]) == {"agriculture"}


def test_rice_by_season(compile_):
    """Early and late rice by Eq. 5.1-5.2 with local cultivation periods; single rice from a local per-season factor
    in one region and from the default period in another."""
    rows = [
        ["430100", 2019, "3.C.7", "早稻", "", 100, "千公顷", "", "统计局"],
        ["430100", 2019, "3.C.7", "早稻", "", 80, "d", "rice_days", "农业农村局"],
        ["430100", 2019, "3.C.7", "晚稻", "", 120, "千公顷", "", "统计局"],
        ["430100", 2019, "3.C.7", "晚稻", "", 90, "d", "水稻生长期", "农业农村局"],
        ["430100", 2019, "3.C.7", "晚稻", "", 0.52, "", "sf_w", "multiple aeration, IPCC Table 5.12"],
        ["430100", 2019, "3.C.7", "单季稻", "", 3000, "亩", "", "统计局"],
        ["430100", 2019, "3.C.7", "单季稻", "", 200, "kg/ha", "ef.CH4", "省级清单指南"],
        ["430200", 2019, "3.C.7", "中稻", "", 50, "千公顷", "", "统计局"],
    ]
    r = compile_(rows)
    # early: 1e5 ha × 1.30 × 0.78 × 1.22 × 1 × 80 d = 9 896.64 t CH4
    assert emission(r, "CH4", activity="rice_early") == pytest.approx(1e5 * EF_C * SF_W_AGG * SF_P_AGG * 80 / 1000)
    assert emission(r, "CH4", activity="rice_early") == pytest.approx(9896.64)
    # late: 1.2e5 ha × 1.30 × 0.52 × 1.22 × 90 d = 8 906.976 t
    assert emission(r, "CH4", activity="rice_late") == pytest.approx(1.2e5 * EF_C * 0.52 * SF_P_AGG * 90 / 1000)
    assert emission(r, "CH4", activity="rice_late") == pytest.approx(8906.976)
    # single rice: 3000 亩 = 200 ha × 200 kg/ha = 40 t
    assert emission(r, "CH4", activity="rice_single", region="430100") == pytest.approx(40)
    early = r.emissions.query("activity == 'rice_early'").iloc[0]
    assert set(early["factor_ids"].split(";")) == {"ipcc06.v4_t5_11.rice_efc", "ipcc06.v4_t5_12.sf_w.irrigated_aggregated",
                                                   "ipcc06.v4_t5_13.sf_p.aggregated", "local:activity.xlsx:能源活动:3"}
    # Without a local cultivation period: the 2019 Table 5.11A East Asia default, 112 d.
    # 中稻 = single rice, 5e4 ha × 1.30 × 0.78 × 1.22 × 112 d = 6 927.648 t
    assert emission(r, "CH4", activity="rice_single", region="430200") == pytest.approx(
        5e4 * EF_C * SF_W_AGG * SF_P_AGG * RICE_DAYS_EAST_ASIA / 1000)
    assert emission(r, "CH4", activity="rice_single", region="430200") == pytest.approx(6927.648)
    single = r.emissions.query("activity == 'rice_single' and region == '430200'").iloc[0]
    assert "ipcc19.v4t5_11a.rice_days.east_asia" in single["factor_ids"]


def test_direct_and_indirect_soil_n2o_and_fertiliser_nh3(compile_):
    """Synthetic, organic and crop-residue N (t N): Eq. 11.1 in 3.C.4, Eq. 11.9-11.10 in 3.C.5, NH3 EMEP 3.D."""
    rows = [
        ["430100", 2019, "3.C.4", "氮肥", "", 10, "万吨", "", "统计年鉴（折纯）"],
        ["430100", 2019, "3.C.4", "organic_n_fertiliser", "", 2, "万吨", "", "估算"],
        ["430100", 2019, "3.C.4", "秸秆还田氮", "", 1, "万吨", "", "估算"],
    ]
    r = compile_(rows)
    assert emission(r, "N2O", category="3.C.4", activity="nitrogen_fertiliser") == pytest.approx(1e5 * EF1 * N2O_N)
    assert emission(r, "N2O", category="3.C.4", activity="nitrogen_fertiliser") == pytest.approx(1571.428571)
    # indirect: 1e5 × (0.10 × 0.01 + 0.30 × 0.0075) × 44/28 = 510.714 t
    assert emission(r, "N2O", category="3.C.5", activity="nitrogen_fertiliser") == pytest.approx(
        1e5 * (FRAC_GASF * EF4 + FRAC_LEACH * EF5) * N2O_N)
    assert emission(r, "N2O", category="3.C.5", activity="nitrogen_fertiliser") == pytest.approx(510.7142857)
    assert emission(r, "N2O", category="3.C.4", activity="organic_n_fertiliser") == pytest.approx(2e4 * EF1 * N2O_N)
    assert emission(r, "N2O", category="3.C.5", activity="organic_n_fertiliser") == pytest.approx(
        2e4 * (FRAC_GASM * EF4 + FRAC_LEACH * EF5) * N2O_N)
    # crop residues: no volatilisation term in Eq. 11.9, leaching only
    assert emission(r, "N2O", category="3.C.5", activity="crop_residue_n") == pytest.approx(
        1e4 * FRAC_LEACH * EF5 * N2O_N)
    assert emission(r, "NH3", category="3.C.4", activity="nitrogen_fertiliser") == pytest.approx(1e5 * NH3_FERT)
    assert emission(r, "NH3", category="3.C.4", activity="nitrogen_fertiliser") == pytest.approx(8500)
    assert ne(r, "3.C.4", "organic_n_fertiliser", "NH3") == "ne_no_default_factor"
    ind = r.emissions.query("category == '3.C.5' and activity == 'nitrogen_fertiliser'").iloc[0]
    assert set(ind["factor_ids"].split(";")) == {"ipcc06.v4_t11_3.frac_gasf", "ipcc06.v4_t11_3.ef4",
                                                 "ipcc06.v4_t11_3.frac_leach", "ipcc06.v4_t11_3.ef5"}


def test_local_parameters_override_soil_defaults(compile_):
    """A local ef.N2O replaces Eq. 11.1; a local frac_leach = 0 (dry region) removes the leaching term."""
    rows = [
        ["430100", 2019, "3.C.4", "氮肥", "", 1000, "t", "", "统计"],
        ["430100", 2019, "3.C.4", "氮肥", "", 2, "kg/t", "ef.N2O", "监测"],
        ["430100", 2019, "", "氮肥", "", 0, "", "frac_leach", "旱地"],
    ]
    r = compile_(rows)
    assert emission(r, "N2O", category="3.C.4") == pytest.approx(1000 * 2e-3)
    assert emission(r, "N2O", category="3.C.5") == pytest.approx(1000 * FRAC_GASF * EF4 * N2O_N)


def test_field_burning_by_default_and_local_factors(compile_):
    """3.C.1 (Eq. 2.27 with the dry matter burnt as activity): CH4 and N2O by Table 2.5, a local ef.X beats it,
    and pollutants without a verified default are NE."""
    rows = [
        ["430100", 2019, "3.C.1", "秸秆露天焚烧量", "", 5, "万吨", "", "估算"],
        ["430200", 2019, "3.C.1", "秸秆露天焚烧量", "", 2, "万吨", "", "估算"],
        ["430200", 2019, "3.C.1", "秸秆露天焚烧量", "", 3.0, "g/kg", "ef.CH4", "local"],
    ]
    r = compile_(rows)
    # 5e4 t × 2.7 g/kg = 135 t CH4; 5e4 t × 0.07 g/kg = 3.5 t N2O
    assert emission(r, "CH4", category="3.C.1", region="430100") == pytest.approx(5e4 * GEF_CH4 / 1000) == 135
    assert emission(r, "N2O", category="3.C.1", region="430100") == pytest.approx(5e4 * GEF_N2O / 1000)
    assert emission(r, "N2O", category="3.C.1", region="430100") == pytest.approx(3.5)
    # local 3.0 g/kg: 2e4 t × 3.0 g/kg = 60 t
    assert emission(r, "CH4", category="3.C.1", region="430200") == pytest.approx(60)
    assert ne(r, "3.C.1", "crop_residue_burned", "PM2.5") == "ne_no_default_factor"


def test_province_aggregates_agriculture_without_double_counting(compile_):
    """Province with own energy rows only: its agriculture is the prefecture sum. With its own fertiliser row,
    its 3.C.5 stands and the prefectures' 3.C.5 is not added on top (DESIGN 3.6)."""
    rows = [
        ["430000", 2019, "1.A.4.b", "柴油", "", 1, "万吨"],
        ["430100", 2019, "3.C.4", "氮肥", "", 1, "万吨"],
        ["430200", 2019, "3.C.4", "氮肥", "", 2, "万吨"],
    ]
    built = {"430000", "430100", "430200"}
    r = compile_(rows, regions=built)
    p = r.emissions[(r.emissions["region"] == "430000") & r.emissions["category"].isin(["3.C.4", "3.C.5"])]
    assert set(p["basis"]) == {"aggregated"}
    assert emission(r, "N2O", region="430000", category="3.C.5") == pytest.approx(
        3e4 * (FRAC_GASF * EF4 + FRAC_LEACH * EF5) * N2O_N)
    own = compile_(rows + [["430000", 2019, "3.C.4", "氮肥", "", 4, "万吨"]], regions=built)
    p = own.emissions[(own.emissions["region"] == "430000") & (own.emissions["category"] == "3.C.5")]
    assert list(p["basis"].unique()) == ["own"]
    assert emission(own, "N2O", region="430000", category="3.C.5") == pytest.approx(
        4e4 * (FRAC_GASF * EF4 + FRAC_LEACH * EF5) * N2O_N)


def test_not_estimated_reasons_are_translated_in_the_report(compile_):
    """The report words an agriculture reason's code in Chinese (data/messages.csv), not in English."""
    from inventory.report.html import render_html

    r = compile_([["430100", 2019, "3.A.2", "猪", "", 100, "万头"]])
    assert "manure_slurry" in why(r, "3.A.2", "swine", "NH3")
    page = render_html(r, "zh")
    assert "请在“技术”栏注明粪便类型" in page and "name the manure type in the technology column" not in page


def test_animals_outside_enteric_and_manure_are_not_guessed(compile_):
    """Animals under 3.A as a whole: neither Eq. 10.19 nor 10.22 applies by itself; NE says where to put them."""
    r = compile_([["430100", 2019, "3.A", "猪", "", 10, "万头"]])
    assert r.emissions.empty or not (r.emissions["category"] == "3.A").any()
    assert "3.A.1" in why(r, "3.A", "swine", "CH4")


# EMEP/EEA Guidebook 2023 3.B Table 3-2, Tier 1, solid manure, 'Housing, storage and yards' (kg NH3/head/a),
# read in the EEA export db/EMEP_20260207.csv (atmoschem/pega): buffalo 4.3, sheep 0.4, mules and asses 7.
NH3_BUFFALO, NH3_SHEEP, NH3_MULES_ASSES = 4.3, 0.4, 7.0


def test_manure_nh3_by_emep_tier1_default(compile_):
    """Buffalo, sheep and donkeys: NH3 = N × EF (EMEP 3.B Tier 1); swine (slurry or solid unknown) stays NE."""
    rows = [
        ["430100", 2019, "3.A.2", "水牛", "", 50, "万头", "", "统计局"],
        ["430100", 2019, "3.A.2", "绵羊", "", 2, "万头", "", "统计局"],
        ["430100", 2019, "3.A.2", "驴", "", 3000, "head", "", "统计局"],
        ["430100", 2019, "3.A.2", "猪", "", 100, "万头", "", "统计局"],
    ]
    r = compile_(rows)
    # 50 万头 = 5e5 head × 4.3 kg = 2 150 t; 2e4 × 0.4 kg = 8 t; 3000 × 7 kg = 21 t
    assert emission(r, "NH3", category="3.A.2", activity="buffalo") == pytest.approx(5e5 * NH3_BUFFALO / 1000)
    assert emission(r, "NH3", category="3.A.2", activity="buffalo") == pytest.approx(2150)
    assert emission(r, "NH3", category="3.A.2", activity="sheep") == pytest.approx(8)
    assert emission(r, "NH3", category="3.A.2", activity="donkeys") == pytest.approx(3000 * NH3_MULES_ASSES / 1000)
    row = r.emissions.query("category == '3.A.2' and activity == 'sheep' and substance == 'NH3'").iloc[0]
    assert row["factor_ids"] == "emep23.3B.3_2.nh3.sheep"
    assert "ef.NH3" in why(r, "3.A.2", "swine", "NH3")
    assert ne(r, "3.A.2", "buffalo", "NH3") is None


# EMEP/EEA Guidebook 2023 3.B, Tier 1, per average animal place and year, read in the EEA export
# db/EMEP_20260207.csv (atmoschem/pega). Table 3-2 NH3 of housing, storage and yards: finishing pigs slurry 3.7,
# solid 4.2; broilers litter 0.15. Table 3-3 NO (as NO2): finishing pigs slurry 0.002. Table 3-4 NMVOC: fattening
# pigs 0.551. Table 3-5: fattening pigs PM10 0.14, PM2.5 0.006; broilers PM10 0.02, PM2.5 0.002.
NH3_PIG_SLURRY, NH3_PIG_SOLID, NH3_BROILER_LITTER = 3.7, 4.2, 0.15
NOX_PIG_SLURRY, NMVOC_PIG, PM10_PIG, PM25_PIG = 0.002, 0.551, 0.14, 0.006
PM10_BROILER, PM25_BROILER = 0.02, 0.002


def test_manure_pollutants_by_manure_type(compile_):
    """Swine on slurry and on solid manure, broilers on litter: NH3 and NOx by manure type, NMVOC and PM per head."""
    rows = [
        ["430100", 2019, "3.A.2", "猪", "manure_slurry", 60, "万头", "", "统计局"],
        ["430100", 2019, "3.A.2", "猪", "固态粪便", 40, "万头", "", "统计局"],
        ["430100", 2019, "3.A.2", "肉鸡", "manure_litter", 2000, "万只", "", "统计局"],
        ["430100", 2019, "3.A.2", "家禽", "", 100, "万只", "", "统计局"],
    ]
    r = compile_(rows)

    def e(substance, activity, technology):
        hit = r.emissions.query("category == '3.A.2' and substance == @substance and activity == @activity "
                                "and technology == @technology")
        assert len(hit) == 1, (substance, activity, technology)
        return hit.iloc[0]["emission"]

    # 60 万头 = 6e5 head: NH3 6e5 × 3.7 kg = 2 220 t; NOx 6e5 × 0.002 kg = 1.2 t; PM10 6e5 × 0.14 kg = 84 t
    assert e("NH3", "swine", "manure_slurry") == pytest.approx(6e5 * NH3_PIG_SLURRY / 1000) == pytest.approx(2220)
    assert e("NOx", "swine", "manure_slurry") == pytest.approx(6e5 * NOX_PIG_SLURRY / 1000) == pytest.approx(1.2)
    assert e("PM10", "swine", "manure_slurry") == pytest.approx(6e5 * PM10_PIG / 1000) == pytest.approx(84)
    # 40 万头 = 4e5 head: NH3 4e5 × 4.2 kg = 1 680 t; PM2.5 4e5 × 0.006 kg = 2.4 t; NMVOC 4e5 × 0.551 kg = 220.4 t
    assert e("NH3", "swine", "manure_solid") == pytest.approx(4e5 * NH3_PIG_SOLID / 1000) == pytest.approx(1680)
    assert e("PM2.5", "swine", "manure_solid") == pytest.approx(2.4)
    assert e("NMVOC", "swine", "manure_solid") == pytest.approx(4e5 * NMVOC_PIG / 1000) == pytest.approx(220.4)
    # 2000 万只 = 2e7 birds: NH3 2e7 × 0.15 kg = 3 000 t; PM10 2e7 × 0.02 kg = 400 t; PM2.5 2e7 × 0.002 kg = 40 t
    assert e("NH3", "broilers", "manure_litter") == pytest.approx(2e7 * NH3_BROILER_LITTER / 1000) == pytest.approx(3000)
    assert e("PM10", "broilers", "manure_litter") == pytest.approx(2e7 * PM10_BROILER / 1000) == pytest.approx(400)
    assert e("PM2.5", "broilers", "manure_litter") == pytest.approx(2e7 * PM25_BROILER / 1000) == pytest.approx(40)
    row = r.emissions.query("substance == 'NH3' and technology == 'manure_slurry'").iloc[0]
    assert row["factor_ids"] == "emep23.3B.3_2.nh3.swine.slurry"
    # Generic poultry has no EMEP row: NH3 not estimated, naming the manure types; no PM row is invented for it.
    assert "manure_litter" in why(r, "3.A.2", "poultry", "NH3")
    assert set(r.emissions.query("activity == 'poultry'")["substance"]) == {"CH4", "N2O"}  # GB/T 32151.22 家禽
    # Manure CH4 of swine: the 中南 default, whatever the manure type: (6e5 + 4e5) head × 5.85 kg = 5 850 t
    ch4 = r.emissions.query("activity == 'swine' and substance == 'CH4'")["emission"].sum()
    assert ch4 == pytest.approx(1e6 * GBT_CH4_SWINE / 1000) == pytest.approx(5850)
