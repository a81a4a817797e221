"""Industrial processes (2.*) and fugitive emissions (1.B.*): every number worked by hand from the
source's equation and the cited table value, written out below."""

from __future__ import annotations

import pytest

from tests.conftest import emission


def rows(*body):
    """Activity rows in the v1 column order (region, year, category, activity, technology, value, unit,
    parameter, source); conftest.write_workbook adds the header."""
    return [list(r) for r in body]


def test_cement_clinker_co2_with_ckd_correction(compile_):
    # IPCC 2006 Vol.3 Ch.2 Eq. 2.2: CO2 = M_cl × (CaO × 0.785) × CF_ckd,
    # CaO = 0.65 (p.2.11), CF_ckd = 1.02 (p.2.12). 100 万吨 clinker = 1 000 000 t.
    result = compile_(rows(["长沙", 2019, "2.A.1", "水泥熟料", "", 100, "万吨"]))
    expected = 1_000_000 * 0.65 * 0.785 * 1.02  # = 520 455 t
    assert emission(result, "CO2", category="2.A.1") == pytest.approx(expected)
    ids = result.emissions.query("substance == 'CO2'")["factor_ids"].iat[0]
    assert ids == "ipcc06.2A1.clinker.cao;ipcc06.2A1.clinker.ckd"


def test_local_cao_content_overrides_the_default(compile_):
    # Same equation with the plant's CaO share 66 % (local parameter row); CF_ckd stays 1.02.
    result = compile_(rows(["长沙", 2019, "2.A.1", "水泥熟料", "", 100, "万吨"],
                           ["长沙", 2019, "2.A.1", "水泥熟料", "", 66, "%", "cao_content", "化验"]))
    assert emission(result, "CO2", category="2.A.1") == pytest.approx(1_000_000 * 0.66 * 0.785 * 1.02)


def test_local_ef_co2_replaces_the_clinker_equation(compile_):
    result = compile_(rows(["长沙", 2019, "2.A.1", "clinker", "", 1000, "t"],
                           ["长沙", 2019, "2.A.1", "clinker", "", 0.5, "t/t", "ef.CO2", "企业核算"]))
    assert emission(result, "CO2", category="2.A.1") == pytest.approx(1000 * 0.5)


def test_aluminium_co2_and_pfcs_in_co2e(compile_):
    # Centre-worked prebake cells, 10 万吨 = 100 000 t of primary aluminium.
    # CO2: IPCC 2006 Vol.3 Table 4.10 prebake 1.6 t/t -> 160 000 t.
    # CF4 0.4 kg/t and C2F6 0.04 kg/t (Table 4.15, CWPB) -> 40 t and 4 t.
    # AR5 GWP-100 (globalwarmingpotentials, no climate-carbon feedback): CF4 6630, C2F6 11100.
    result = compile_(rows(["株洲", 2019, "2.C.3", "原铝", "cwpb", 10, "万吨"]))
    e = result.emissions
    assert emission(result, "CO2", category="2.C.3") == pytest.approx(160_000)
    assert emission(result, "CF4", category="2.C.3") == pytest.approx(40)
    assert emission(result, "C2F6", category="2.C.3") == pytest.approx(4)
    ghg = e[(e["category"] == "2.C.3") & e["substance"].isin(["CO2", "CF4", "C2F6"])]
    assert ghg["co2e_t"].sum() == pytest.approx(160_000 + 40 * 6630 + 4 * 11100)  # = 469 600 t CO2e
    # Process pollutants of the same row (T/CSES 144-2024 Table E.1, 电解铝 一次冶炼): SO2 7.5 g/kg.
    assert emission(result, "SO2", category="2.C.3") == pytest.approx(100_000 * 7.5 / 1000)


def test_aluminium_without_cell_type_is_not_estimated_for_ghgs(compile_):
    result = compile_(rows(["株洲", 2019, "2.C.3", "原铝", "", 1000, "t"]))
    ne = result.not_estimated
    listed = set(ne.loc[ne["category"] == "2.C.3", "substance"])
    assert {"CO2", "CF4", "C2F6"} <= listed
    assert not result.emissions["substance"].isin(["CO2", "CF4", "C2F6"]).any()


def test_nitric_acid_n2o_by_plant_type(compile_):
    # IPCC 2006 Vol.3 Table 3.3: high-pressure plants 9 kg N2O/t, NSCR 2 kg/t; 5 万吨 and 2 000 t.
    result = compile_(rows(["岳阳", 2019, "2.B.2", "硝酸", "nitric_high_pressure", 5, "万吨"],
                           ["湘潭", 2019, "2.B.2", "硝酸", "nitric_nscr", 2000, "t"]))
    assert emission(result, "N2O", region="430600") == pytest.approx(50_000 * 9 / 1000)  # 450 t
    assert emission(result, "N2O", region="430300") == pytest.approx(2000 * 2 / 1000)  # 4 t
    assert result.emissions.query("substance == 'N2O'")["co2e_t"].sum() == pytest.approx((450 + 4) * 265)


def test_underground_coal_mining_and_post_mining(compile_):
    # IPCC 2006 Vol.2 Ch.4 Eq. 4.1.3 (mining) and 4.1.4 (post-mining):
    # CH4 = EF (m3/t) × production (t) × 0.67e-6 Gg/m3 (= 0.67 kg/m3, CH4 density at 20 °C, 1 atm).
    # The mine's own factors (local rows): 10 m3/t mining, 2 m3/t post-mining; 200 万吨 raw coal.
    result = compile_(rows(["娄底", 2019, "1.B.1.a.i", "原煤", "", 200, "万吨"],
                           ["娄底", 2019, "1.B.1.a.i", "原煤", "", 10, "m3/t", "ch4_mining", "矿井瓦斯鉴定"],
                           ["娄底", 2019, "1.B.1.a.i", "原煤", "", 2, "m3/t", "ch4_post_mining", "矿井瓦斯鉴定"]))
    assert emission(result, "CH4", category="1.B.1.a.i.1") == pytest.approx(2_000_000 * 10 * 0.67 / 1000)  # 13 400 t
    assert emission(result, "CH4", category="1.B.1.a.i.2") == pytest.approx(2_000_000 * 2 * 0.67 / 1000)  # 2 680 t
    assert not result.emissions["substance"].isin(["SO2", "CO2", "N2O"]).any()  # no combustion factors at 1.B


def test_surface_mining_and_post_mining_averages(compile_):
    # IPCC 2006 Vol.2 Ch.4 Eq. 4.1.7/4.1.8, Tier 1 averages (no overburden depth given):
    # mining 1.2 m3/t × 1 000 000 t × 0.67 kg/m3 = 804 t CH4; post-mining 0.1 m3/t -> 67 t CH4.
    result = compile_(rows(["郴州", 2019, "1.B.1.a.ii", "原煤", "", 100, "万吨"]))
    assert emission(result, "CH4", category="1.B.1.a.ii.1") == pytest.approx(1_000_000 * 1.2 * 0.67 / 1000)
    assert emission(result, "CH4", category="1.B.1.a.ii.2") == pytest.approx(1_000_000 * 0.1 * 0.67 / 1000)
    assert not (result.not_estimated["category"].str.startswith("1.B.1.a.ii")).any()


def test_underground_mining_and_post_mining_averages(compile_):
    # IPCC 2006 Vol.2 Ch.4 Eq. 4.1.3/4.1.4, Tier 1 averages (mine depth unknown): 18 and 2.5 m3/t.
    # 100 万吨 = 1 000 000 t: 18 × 1e6 × 0.67 / 1000 = 12 060 t; 2.5 × 1e6 × 0.67 / 1000 = 1 675 t CH4.
    result = compile_(rows(["郴州", 2019, "1.B.1.a.i", "原煤", "", 100, "万吨"]))
    assert emission(result, "CH4", category="1.B.1.a.i.1") == pytest.approx(12_060)
    assert emission(result, "CH4", category="1.B.1.a.i.2") == pytest.approx(1_675)
    ids = result.emissions.query("category == '1.B.1.a.i.1'")["factor_ids"].iat[0]
    assert ids == "ipcc06.1B1ai.raw_coal.mining;ipcc06.1B1a.raw_coal.ch4_density"


@pytest.mark.parametrize("category, technology, mining, post", [
    ("1.B.1.a.i", "ug_depth_lt_200m", 10, 0.9), ("1.B.1.a.i", "ug_depth_gt_400m", 25, 4.0),
    ("1.B.1.a.ii", "surface_overburden_lt_25m", 0.3, 0.0), ("1.B.1.a.ii", "surface_overburden_gt_50m", 2.0, 0.2)])
def test_mining_low_and_high_ends_by_depth(compile_, category, technology, mining, post):
    # IPCC 2006 Vol.2 Ch.4: the low end for shallow mines (< 200 m; overburden < 25 m), the high end for
    # deep ones (> 400 m; overburden > 50 m). 50 000 t × EF (m3/t) × 0.67 kg/m3 / 1000 = t CH4.
    result = compile_(rows(["娄底", 2019, category, "原煤", technology, 50_000, "t"]))
    assert emission(result, "CH4", category=category + ".1") == pytest.approx(50_000 * mining * 0.67 / 1000)
    if post:
        assert emission(result, "CH4", category=category + ".2") == pytest.approx(50_000 * post * 0.67 / 1000)
    else:
        assert result.emissions.query("category == @category + '.2'")["emission"].sum() == 0


def test_clinker_kiln_pollutants_after_control(compile_):
    # T/CSES 144-2024 Table E.1, 熟料 新型干法: NOx 1.88 g/kg, PM2.5 26.5 g/kg, PM10 57.5 g/kg (before control).
    # Table A.1: SCR removes 42 % of NOx, 57 % of PM2.5 and 75 % of the PM2.5-10 part; the bag filter
    # 94.5 % of PM2.5 and 95 % of PM2.5-10. Devices combine as 1 − Π(1 − η). 1 000 000 t clinker.
    result = compile_(rows(["常德", 2019, "2.A.1", "水泥熟料", "nsp_kiln+scr+bag", 100, "万吨"]))
    a = 1_000_000
    nox = a * 1.88 / 1000 * (1 - 0.42)
    pm25 = a * 26.5 / 1000 * (1 - 0.57) * (1 - 0.945)
    pm10 = pm25 + a * (57.5 - 26.5) / 1000 * (1 - 0.75) * (1 - 0.95)
    assert emission(result, "NOx", category="2.A.1") == pytest.approx(nox)  # 1 090.4 t
    assert emission(result, "PM2.5", category="2.A.1") == pytest.approx(pm25)  # 626.725 t
    assert emission(result, "PM10", category="2.A.1") == pytest.approx(pm10)  # 1 014.225 t
    assert emission(result, "CO2", category="2.A.1") == pytest.approx(a * 0.65 * 0.785 * 1.02)


def test_glass_lime_steel_ferroalloy_hcfc22(compile_):
    result = compile_(rows(["衡阳", 2019, "2.A.3", "平板玻璃", "", 10000, "t"],
                           ["衡阳", 2019, "2.A.2", "石灰", "", 1, "万吨"],
                           ["衡阳", 2019, "2.C.1", "粗钢", "eaf", 1, "万吨"],
                           ["衡阳", 2019, "2.C.2", "硅锰合金", "", 1000, "t"],
                           ["衡阳", 2019, "2.B.9", "HCFC-22", "", 1000, "t"]))
    # Glass, Eq. 2.10 Tier 1: 10 000 t × 0.20 × (1 − 0.50 cullet) = 1 000 t.
    assert emission(result, "CO2", category="2.A.3") == pytest.approx(10000 * 0.20 * (1 - 0.5))
    # Lime, Eq. 2.8 Tier 1: 10 000 t × 0.75 = 7 500 t.
    assert emission(result, "CO2", category="2.A.2") == pytest.approx(10000 * 0.75)
    # EAF steel, 2019 Refinement Table 4.1: 0.18 t/t.
    assert emission(result, "CO2", category="2.C.1") == pytest.approx(10000 * 0.18)
    # Silicomanganese, Table 4.5: 1.4 t/t.
    assert emission(result, "CO2", category="2.C.2") == pytest.approx(1000 * 1.4)
    # HCFC-22 production, Eq. 3.30: 0.03 kg HFC-23 per kg HCFC-22.
    assert emission(result, "HFC-23", category="2.B.9") == pytest.approx(1000 * 0.03)


def test_sf6_and_hfc_only_with_local_factors(compile_):
    result = compile_(rows(["长沙", 2019, "2.G.1", "sf6_bank", "", 10, "t"],
                           ["长沙", 2019, "2.F.1", "hfc_bank", "", 50, "t"],
                           ["长沙", 2019, "2.F.1", "hfc_bank", "", 0.1, "t/t", "ef.HFC-134a", "设备台账"]))
    assert emission(result, "HFC-134a", category="2.F.1") == pytest.approx(50 * 0.10)
    ne = result.not_estimated
    assert ((ne["category"] == "2.G.1") & (ne["activity"] == "sf6_bank")).any()


def test_province_reports_prefecture_process_emissions(compile_):
    # The province has only energy rows: its 2.A.2 figure is the sum of its prefectures.
    result = compile_(rows(["湖南", 2019, "1.A.1.a", "原煤", "", 100, "t"],
                           ["长沙", 2019, "2.A.2", "石灰", "", 1000, "t"],
                           ["株洲", 2019, "2.A.2", "石灰", "", 3000, "t"]),
                      regions=["430000", "430100", "430200"])
    e = result.emissions
    agg = e[(e["region"] == "430000") & (e["category"] == "2.A.2") & (e["substance"] == "CO2")]
    assert agg["basis"].eq("aggregated").all()
    assert agg["emission"].sum() == pytest.approx(4000 * 0.75)


def test_categories_without_a_citable_default_are_not_estimated(compile_):
    # Calcium carbide (2.B.5) CO2 has no shipped default; ammonia CO2 has one only for natural-gas
    # conventional reforming: both NE here, never a number.
    result = compile_(rows(["岳阳", 2019, "2.B.1", "合成氨", "", 10, "万吨"],
                           ["岳阳", 2019, "2.B.5", "电石", "", 10, "万吨"]))
    ne = result.not_estimated.set_index(["category", "substance"])["reason"]
    assert ne[("2.B.1", "CO2")] == "ne_no_technology_factor"
    assert ne[("2.B.5", "CO2")] == "ne_no_default_factor"
    assert not (result.emissions["substance"] == "CO2").any()
    # The T/CSES 144-2024 Table E.1 ammonia row still gives CO 25.8 g/kg: 100 000 t -> 2 580 t.
    assert emission(result, "CO", category="2.B.1") == pytest.approx(100_000 * 25.8 / 1000)


def test_ammonia_from_natural_gas_conventional_reforming(compile_):
    # IPCC 2006 Vol.3 Table 3.1 (EFDB EF ID 213980): 1.694 t CO2/t NH3 (= 30.2 GJ/t × 15.3 kg C/GJ × 44/12).
    result = compile_(rows(["岳阳", 2019, "2.B.1", "合成氨", "nh3_ng_conventional", 10, "万吨"]))
    assert emission(result, "CO2", category="2.B.1") == pytest.approx(100_000 * 1.694)  # 169 400 t


@pytest.mark.parametrize("activity, amount_t, g_per_kg", [
    ("印刷油墨", 2_000, 500),          # EMEP/EEA 2023 2.D.3.h Table 3-1: 500 g NMVOC/kg ink
    ("脱脂清洗剂", 300, 460),          # 2.D.3.e Table 3-1: 460 g NMVOC/kg cleaning products
    ("干洗织物", 1_500, 40)])          # 2.D.3.f Table 3-1: 40 g NMVOC/kg textile treated
def test_solvent_use_nmvoc_tier1(compile_, activity, amount_t, g_per_kg):
    # E = A × EF (T/CSES 144-2024 Eq. 2 form); g/kg = kg/t, so NMVOC (t) = amount_t × g_per_kg / 1000.
    # Printing: 2 000 t ink × 0.5 = 1 000 t; degreasing 300 × 0.46 = 138 t; dry cleaning 1 500 × 0.04 = 60 t.
    result = compile_(rows(["长沙", 2019, "2.D.3", activity, "", amount_t, "t"]))
    assert emission(result, "NMVOC", category="2.D.3") == pytest.approx(amount_t * g_per_kg / 1000)
    assert not (result.not_estimated["category"] == "2.D.3").any()


def test_local_capture_efficiency_reduces_printing_nmvoc(compile_):
    # E = A × EF × (1 − η) with a local 60 % removal: 1 000 t ink × 0.5 × 0.4 = 200 t NMVOC.
    result = compile_(rows(["长沙", 2019, "2.D.3", "印刷油墨", "", 1_000, "t"],
                           ["长沙", 2019, "2.D.3", "印刷油墨", "", 60, "%", "removal_efficiency.NMVOC", "监测"]))
    assert emission(result, "NMVOC", category="2.D.3") == pytest.approx(200)


def test_gasoline_distribution_nmvoc_tier1(compile_):
    # EMEP/EEA 2023 1.B.2.a.v Table 3-1a (regions outside the EU): 4.5 kg NMVOC per t gasoline handled.
    # 200 万吨 = 2 000 000 t × 4.5 kg/t / 1000 = 9 000 t NMVOC; with a local 90 % vapour-recovery removal:
    # 2 000 000 × 4.5 / 1000 × (1 − 0.9) = 900 t.
    result = compile_(rows(["长沙", 2019, "1.B.2", "汽油", "", 200, "万吨"]))
    assert emission(result, "NMVOC", category="1.B.2") == pytest.approx(9_000)
    controlled = compile_(rows(["长沙", 2019, "1.B.2", "汽油", "", 200, "万吨"],
                               ["长沙", 2019, "1.B.2", "汽油", "", 90, "%", "removal_efficiency.NMVOC", "油气回收检测"]))
    assert emission(controlled, "NMVOC", category="1.B.2") == pytest.approx(900)
    # Oil and gas system CH4 (IPCC 2006 Vol.2 Table 4.2.5) has no shipped default: NE, never a number.
    ne = result.not_estimated
    assert ((ne["category"] == "1.B.2") & (ne["substance"] == "CH4")).any()


def test_natural_gas_distribution_ch4_and_co2(compile_):
    # IPCC 2006 Vol.2 Table 4.2.5 (developing countries), gas distribution: CH4 1.1E-03 to 2.5E-03 and
    # CO2 5.1E-05 to 1.4E-04 Gg per 10^6 m3 of utility sales; midpoints 1.8E-03 and 9.55E-05 Gg/10^6 m3,
    # i.e. 1.8 and 0.0955 g/m3. 30 亿立方米 = 3.0e9 m3 sold:
    # CH4 = 3.0e9 × 1.8e-3 Gg / 1e6 m3 = 5.4 Gg = 5 400 t; CO2 = 3.0e9 × 9.55e-5 / 1e6 Gg = 0.2865 Gg = 286.5 t.
    result = compile_(rows(["长沙", 2019, "1.B.2", "天然气", "gas_distribution", 30, "亿立方米"]))
    assert emission(result, "CH4", category="1.B.2") == pytest.approx(5_400)
    assert emission(result, "CO2", category="1.B.2") == pytest.approx(286.5)
    row = result.emissions.query("substance == 'CH4'").iloc[0]
    assert (row["activity_amount"], row["activity_unit"]) == (pytest.approx(3.0e9), "m3")
    # Without the segment no Table 4.2.5 row applies: NE, never a number.
    bare = compile_(rows(["长沙", 2019, "1.B.2", "天然气", "", 30, "亿立方米"]))
    ne = bare.not_estimated.set_index(["category", "substance"])["reason"]
    assert ne[("1.B.2", "CH4")] == "ne_no_technology_factor"
    assert not (bare.emissions["category"] == "1.B.2").any()


def test_issue_17_zinc_co2_default_and_by_process(compile_):
    # IPCC 2006 Vol.3 Ch.4 Table 4.24 (read in the IPCC EFDB, EF IDs 214162, 214160): default 1.72 t CO2/t zinc
    # (60 % ISF, 40 % Waelz kiln), Waelz kiln 3.66 t/t. 10 万吨 = 100 000 t of zinc; 2 000 t through a Waelz kiln.
    result = compile_(rows(["株洲", 2023, "2.C.6", "锌", "", 10, "万吨"],
                           ["衡阳", 2023, "2.C.6", "zinc", "waelz_kiln", 2000, "t"]))
    assert emission(result, "CO2", region="430200", category="2.C.6") == pytest.approx(100_000 * 1.72)  # 172 000 t
    assert emission(result, "CO2", region="430400", category="2.C.6") == pytest.approx(2000 * 3.66)  # 7 320 t
    # SO2: EMEP/EEA 2023 2.C.6 Table 3-1 (Tier 1) 1 350 g/t zinc -> 135 t; PM2.5 and PM10 from T/CSES 144-2024
    # Table E.1 (锌, region CN, before control) 207.73 and 233.06 g/kg -> 20 773 t and 23 306 t.
    assert emission(result, "SO2", region="430200") == pytest.approx(100_000 * 1350 / 1e6)
    assert emission(result, "PM2.5", region="430200") == pytest.approx(100_000 * 207.73 / 1000)
    assert emission(result, "PM10", region="430200") == pytest.approx(100_000 * 233.06 / 1000)


def test_issue_17_zinc_dust_after_a_bag_filter(compile_):
    # The same T/CSES factors behind a bag filter, T/CSES 144-2024 Table A.1 袋式除尘法: PM2.5 94.5 %, PM2.5-10
    # (coarse part) 95 %. PM2.5 = 207.73 × (1 − 0.945); PM10 = PM2.5 part + (233.06 − 207.73) × (1 − 0.95), g/kg.
    result = compile_(rows(["株洲", 2023, "2.C.6", "锌", "bag", 10, "万吨"]))
    assert emission(result, "PM2.5") == pytest.approx(100_000 * 207.73 * (1 - 0.945) / 1000)  # 1 142.5 t
    assert emission(result, "PM10") == pytest.approx(
        100_000 * (207.73 * (1 - 0.945) + (233.06 - 207.73) * (1 - 0.95)) / 1000)


def test_issue_17_lead_co2_so2_and_dust(compile_):
    # IPCC 2006 Vol.3 Table 4.21 (EFDB EF IDs 214159, 214156): default 0.52 t CO2/t lead; ISF 0.59 t/t.
    # EMEP/EEA 2023 2.C.5 Table 3-1: SO2 2 050 g/t; T/CSES 144-2024 Table E.1 (铅): PM2.5 286.67, PM10 321.63 g/kg.
    result = compile_(rows(["郴州", 2023, "2.C.5", "铅", "", 5, "万吨"],
                           ["株洲", 2023, "2.C.5", "铅", "isf", 1000, "t"]))
    assert emission(result, "CO2", region="431000") == pytest.approx(50_000 * 0.52)  # 26 000 t
    assert emission(result, "CO2", region="430200") == pytest.approx(1000 * 0.59)  # 590 t
    assert emission(result, "SO2", region="431000") == pytest.approx(50_000 * 2050 / 1e6)  # 102.5 t
    assert emission(result, "PM2.5", region="431000") == pytest.approx(50_000 * 286.67 / 1000)
    assert emission(result, "PM10", region="431000") == pytest.approx(50_000 * 321.63 / 1000)


def test_issue_17_ceramics_pollutants_and_carbonate_co2(compile_):
    # T/CSES 144-2024 Table E.1 (非金属矿物 陶瓷, g/kg before control): NOx 5, SO2 2.25, VOCs 29.22 (as NMVOC),
    # PM2.5 0.67, PM10 2.43. 20 万吨 = 200 000 t of ceramics.
    # CO2 of the clay carbonates: IPCC 2006 Vol.3 Table 2.1, 0.43971 t CO2/t CaCO3 and 0.47732 t/t dolomite
    # (EFDB EF IDs 213919, 213921) on the carbonates consumed: 3 万吨 limestone, 5 000 t dolomite.
    result = compile_(rows(["株洲", 2023, "2.A.4.a", "陶瓷", "", 20, "万吨"],
                           ["株洲", 2023, "2.A.4.a", "石灰石", "", 3, "万吨"],
                           ["株洲", 2023, "2.A.4.a", "白云石", "", 5000, "t"]))
    for substance, g_per_kg in (("NOx", 5), ("SO2", 2.25), ("NMVOC", 29.22), ("PM2.5", 0.67), ("PM10", 2.43)):
        assert emission(result, substance, activity="ceramics") == pytest.approx(200_000 * g_per_kg / 1000)
    assert emission(result, "CO2", category="2.A.4.a") == pytest.approx(30_000 * 0.43971 + 5000 * 0.47732)
    assert not result.emissions.query("activity == 'ceramics' and substance == 'CO2'").size
