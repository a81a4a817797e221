"""Issue 19: the Hunan province's own non-energy rows from published statistics, and the checks beside them.

Every expected number is worked out here from the cited statistic and the cited factor, not from the
program's output.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_workbook

from inventory import figures
from inventory.build import compile_inventory
from inventory.factors.load import load_all
from inventory.qa import external, reconcile
from inventory.read import read_inputs

HUNAN = Path(__file__).resolve().parents[1] / "examples" / "hunan"
PROVINCE_WORKBOOK = HUNAN / "data" / "430000_农业_2011-2022.xlsx"
IPPU_WORKBOOK = HUNAN / "data" / "430000_工业生产过程_2011-2022.xlsx"
# GB/T 32151.22-2024 Appendix C: Table C.3 pig enteric CH4 (national, no stage), Table C.7 中南 pig manure CH4,
# Table C.10 中南 pig manure direct N2O, kg/head/a
GBT_ENTERIC_SWINE, GBT_MANURE_CH4_SWINE, GBT_MANURE_N2O_SWINE = 1.5, 5.85, 0.157


def cited_value(file: str, year: int, **match: str) -> float:
    """A value of one of the example's cited statistics files (examples/hunan/source), read as text: the row of
    `year` whose other columns equal `match`."""
    with open(HUNAN / "source" / file, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if int(row["year"]) == year and all(row[k] == v for k, v in match.items()):
                return float(row["value"])
    raise KeyError((file, year, match))


def stock(year: int, animal: str) -> float:
    """The year-end stock (万头) of the cited livestock file."""
    return cited_value("hunan_livestock_nbs_2011_2017.csv", year, animal=animal, indicator="year_end_stock")


@pytest.fixture(scope="module")
def province():
    inputs, _ = read_inputs([PROVINCE_WORKBOOK, IPPU_WORKBOOK], {"430000"})
    assert not inputs.errors, [str(p) for p in inputs.errors]
    return compile_inventory(inputs, load_all(None), built={"430000"})


def test_pigs_2017_from_the_yearbook_stock(province):
    """Hunan 2017: 3968.1 万头 pigs at year end (中国统计年鉴) × the GB/T 32151.22 pig factors (kg/head/a)."""
    heads = stock(2017, "swine") * 1e4
    assert heads == 39_681_000
    e = province.emissions[province.emissions["year"] == 2017]

    def one(category, substance):
        hit = e[(e["category"] == category) & (e["activity"] == "swine") & (e["substance"] == substance)]
        return float(hit["emission"].sum())

    assert one("3.A.1", "CH4") == pytest.approx(39_681_000 * 1.5 / 1000)      # 59,521.5 t CH4
    assert one("3.A.2", "CH4") == pytest.approx(39_681_000 * 5.85 / 1000)     # 232,133.85 t CH4
    assert one("3.A.2", "N2O") == pytest.approx(39_681_000 * 0.157 / 1000)    # 6,229.917 t N2O


def test_every_province_row_cites_its_table_and_no_prefecture_has_agriculture(province):
    """The province's rows carry their source; the example ships no prefecture agriculture, waste or land use."""
    sheets = pd.read_excel(PROVINCE_WORKBOOK, dtype=str, engine="openpyxl", sheet_name=None)
    assert list(sheets) == ["畜禽养殖", "种植业", "注释符号"]
    for name in ("畜禽养殖", "种植业"):
        assert sheets[name]["数据来源"].str.contains("中国统计年鉴|国家数据|国家统计局").all()
    assert {r for rows in sheets.values() for r in rows["地区"]} == {"430000"}
    names = [p.name for p in (HUNAN / "data").glob("*.xlsx")]
    assert not [n for n in names if not n.startswith("430000") and ("农业" in n or "废弃物" in n or "土地利用" in n)]
    years = set(province.emissions["year"])
    assert years == set(range(2011, 2023))   # livestock 2011-2017 and 2020, rice and fertiliser N 2016-2022


def test_make_province_writes_the_shipped_workbook(tmp_path):
    """make_province.py, run in a copy, writes the shipped workbook byte for byte (nobody edited it by hand)."""
    for name in ("make_example.py", "make_province.py"):
        shutil.copy(HUNAN / name, tmp_path)
    shutil.copytree(HUNAN / "source", tmp_path / "source")
    (tmp_path / "data").mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "make_province.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for shipped in (PROVINCE_WORKBOOK, IPPU_WORKBOOK):
        assert (tmp_path / "data" / shipped.name).read_bytes() == shipped.read_bytes()


def test_clinker_in_head_is_a_located_error(tmp_path):
    """A statistic in a unit its category cannot take (head for clinker) is rejected with its place."""
    path = write_workbook(tmp_path / "a.xlsx", [["430000", 2019, "2.A.1", "水泥熟料", "", 100, "万头", "", "统计局"]])
    inputs, _ = read_inputs([path], {"430000"})
    assert inputs.errors
    p = inputs.errors[0]
    assert (Path(p.file).name, p.row, p.value) == ("a.xlsx", 2, "万头")


def test_cement_process_check_against_ceads():
    """CEADs' Process column (sector rows only, Mt) against our 2.A.1 CO2 (t); none of ours: a warning."""
    ext = pd.DataFrame({
        "region": ["430000"] * 3, "year": [2019] * 3, "unit": ["Mt CO2"] * 3, "fuel": ["Process", "Process", "Raw_Coal"],
        "row_label": ["TotalEmissions", "Nonmetal Mineral Products", "Nonmetal Mineral Products"],
        "value": [36.0, 36.0, 5.0]})
    ours = pd.DataFrame({"region": ["430000", "430000"], "year": [2019, 2019], "category": ["2.A.1", "1.A.2.f"],
                         "substance": ["CO2", "CO2"], "kind": ["emission", "emission"], "emission": [33.0e6, 9e6]})
    rows = external.process_checks(ext, ours, {"warn": 0.05, "fail": 0.10})
    assert rows[["category", "value", "reference"]].values.tolist() == [["2.A.1", 33.0e6, 36.0e6]]
    assert rows["diff_pct"].iloc[0] == pytest.approx((33 - 36) / 36 * 100)      # -8.33 %: warn
    assert rows["result"].iloc[0] == "warn"
    none = external.process_checks(ext, ours[ours["category"] != "2.A.1"], {})
    assert none["value"].isna().all() and none["result"].tolist() == ["warn"]


def test_province_check_leaves_out_sectors_only_the_province_has():
    """The province's own agriculture has no prefecture counterpart: not a gap; energy is compared."""
    rows = [("430000", "1.A.1", 100.0), ("430100", "1.A.1", 60.0), ("430200", "1.A.1", 38.0), ("430000", "3.A.1", 50.0)]
    e = pd.DataFrame([{"region": r, "year": 2019, "category": c, "substance": "CO2", "emission": v, "basis": "own"}
                      for r, c, v in rows])
    checks = reconcile.province_vs_prefectures(e)
    assert checks[["category", "value", "reference"]].values.tolist() == [["1.A.1", 100.0, 98.0]]
    assert reconcile.covered_sectors(checks) == ["energy"]


def test_official_2005_structure_beside_the_inventory():
    """Hunan 2005 (湘政办发〔2014〕120号): 2.48亿 t CO2e net × each share; ours as shares of our own net total."""
    e = pd.DataFrame([
        {"region": "430000", "region_name": "湖南省", "year": 2017, "sector": s, "kind": k, "co2e_t": v}
        for s, k, v in (("energy", "emission", 300e6), ("agriculture", "emission", 20e6), ("land_use", "sink", -20e6))])
    t = figures.official_structure(e)
    agri = t[t["sector"] == "agriculture"].iloc[0]
    assert agri["official_t"] == pytest.approx(2.48e8 * 0.2616)                 # 64.88 Mt
    assert agri["inventory_t"] == pytest.approx(20e6)
    assert agri["inventory_share_pct"] == pytest.approx(20 / 300 * 100)         # of 300 net
    assert (agri["official_year"], agri["year"]) == (2005, 2017)
    assert t["official_share_pct"].sum() == pytest.approx(99.99)
    assert list(t["sector"]) == ["energy", "industry", "agriculture", "land_use", "waste"]
    assert pd.isna(t.loc[t["sector"] == "waste", "inventory_t"].iloc[0])


def test_a_year_in_one_sector_and_not_in_another_is_a_warning_naming_both(tmp_path):
    """Energy 2019 and agriculture 2018-2019 of one region: 2018 warns that energy is missing where agriculture is."""
    path = write_workbook(tmp_path / "a.xlsx", [
        ["430000", 2019, "1.A.1", "原煤", "", 100, "万吨", "", "统计局"],
        ["430000", 2018, "3.A.1", "猪", "", 100, "万头", "", "统计局"],
        ["430000", 2019, "3.A.1", "猪", "", 100, "万头", "", "统计局"]])
    inputs, _ = read_inputs([path], {"430000"})
    gaps = [p for p in inputs.problems if p.code == "year_missing_in_sector"]
    assert [(p.severity, p.value) for p in gaps] == [("warning", "2018")]
    assert gaps[0].message("en") == ("430000 2018: Agriculture has rows, Energy has none (the region has Energy rows "
                                      "in other years); Energy is not estimated that year: add its rows or a notation key")
    assert not inputs.errors


# --- rice and fertiliser N (NBS 分省年度数据, 2016-2022) ------------------------------------------------------------
# IPCC 2006 Vol.4 Ch.5 Table 5.11 EF_c 1.30 kg CH4/ha/d; Table 5.12 SF_w 0.78 (irrigated, aggregated); Table 5.13
# SF_p 1.22 (aggregated); 2019 Refinement Table 5.11A 112 days (East Asia). Ch.11 Table 11.1 EF1 0.01; Table 11.3
# Frac_GASF 0.10, EF4 0.01, Frac_LEACH 0.30, EF5 0.0075.
EF_C, SF_W, SF_P, RICE_DAYS = 1.30, 0.78, 1.22, 112
EF1, FRAC_GASF, EF4, FRAC_LEACH, EF5 = 0.01, 0.10, 0.01, 0.30, 0.0075


def crop_statistic(year: int, indicator: str) -> float:
    """A value of the cited crops and fertiliser file (千公顷 or 万吨)."""
    return cited_value("hunan_crops_fertiliser_nbs_2016_2022.csv", year, indicator=indicator)


def one(result, year: int, category: str, activity: str, substance: str) -> float:
    e = result.emissions
    hit = e[(e["year"] == year) & (e["category"] == category) & (e["activity"] == activity)
            & (e["substance"] == substance)]
    assert len(hit) == 1, hit
    return float(hit["emission"].iloc[0])


def test_rice_ch4_2019_by_season_from_the_sown_area(province):
    """Hunan 2019: CH4 = A × EF_c × SF_w × SF_p × t per season (IPCC 2006 Vol.4 Eq. 5.1, 5.2), A in ha."""
    per_ha = 1.30 * 0.78 * 1.22 * 112                       # 138.55296 kg CH4/ha per season
    assert per_ha == pytest.approx(EF_C * SF_W * SF_P * RICE_DAYS)
    early, single, late = 1094.60e3, 1602.10e3, 1158.50e3   # ha: 早稻, 中稻和一季晚稻, 双季晚稻 (千公顷 × 1000)
    assert (crop_statistic(2019, "rice_early_area"), crop_statistic(2019, "rice_single_area"),
            crop_statistic(2019, "rice_late_area")) == (1094.60, 1602.10, 1158.50)
    assert one(province, 2019, "3.C.7", "rice_early", "CH4") == pytest.approx(early * per_ha / 1000)   # 151,660.1 t
    assert one(province, 2019, "3.C.7", "rice_single", "CH4") == pytest.approx(single * per_ha / 1000)  # 221,975.7 t
    assert one(province, 2019, "3.C.7", "rice_late", "CH4") == pytest.approx(late * per_ha / 1000)     # 160,513.6 t


def test_fertiliser_n2o_2019_direct_and_indirect(province):
    """Hunan 2019: F_SN = 83.82 万吨 N; direct N2O = F_SN × EF1 × 44/28 (Eq. 11.1), indirect (Eq. 11.9, 11.10)
    = (F_SN × Frac_GASF × EF4 + F_SN × Frac_LEACH × EF5) × 44/28, in 3.C.4 and 3.C.5."""
    f_sn = 838_200.0
    assert crop_statistic(2019, "n_fertiliser") * 1e4 == pytest.approx(f_sn)
    assert one(province, 2019, "3.C.4", "nitrogen_fertiliser", "N2O") == pytest.approx(f_sn * 0.01 * 44 / 28)  # 13,171.7
    assert one(province, 2019, "3.C.5", "nitrogen_fertiliser", "N2O") == pytest.approx(
        (f_sn * 0.10 * 0.01 + f_sn * 0.30 * 0.0075) * 44 / 28)                                                  # 4,280.8


def test_the_seasons_add_up_to_the_rice_total_of_the_same_table():
    """Cross-check of the transcription: 早稻 + 中稻和一季晚稻 + 双季晚稻 = 稻谷播种面积 in every year (千公顷)."""
    for year in range(2016, 2023):
        seasons = sum(crop_statistic(year, i) for i in ("rice_early_area", "rice_single_area", "rice_late_area"))
        assert seasons == pytest.approx(crop_statistic(year, "rice_total_area"), abs=1e-6)


def test_years_without_a_statistic_are_ne_rows_with_their_reason(province):
    """2011-2015 rice and fertiliser N, and livestock of 2018, 2021, 2022: NE rows naming the reason; a
    year with the statistic is estimated (the project keys only the prefectures for these categories)."""
    ne = pd.read_excel(PROVINCE_WORKBOOK, dtype=str, engine="openpyxl", sheet_name="注释符号")
    assert set(ne["活动水平"]) == {"NE"} and ne["备注"].str.contains("无可引用").all()
    keyed = {(int(y), c) for y, c in zip(ne["年份"], ne["排放源类别"])}
    assert keyed == ({(y, c) for y in range(2011, 2016) for c in ("3.C.4", "3.C.5", "3.C.7")}
                     | {(y, c) for y in (2018, 2021, 2022) for c in ("3.A.1", "3.A.2")})
    estimated = set(zip(province.emissions["year"], province.emissions["category"]))
    assert not keyed & estimated
    project = tomllib.loads((HUNAN / "inventory.toml").read_text(encoding="utf-8"))
    keys = project["checks"]["completeness"]["keys"]
    assert not {"3.A.1", "3.A.2", "3.C.4", "3.C.5", "3.C.7"} & set(keys)   # no key for every region hides ours
    assert keys["430100"]["3.C.7"] == "NE"


def test_rice_area_in_tonnes_is_a_located_error(tmp_path):
    """A statistic in a unit its category cannot take (tonnes for rice area) is rejected with its place."""
    path = write_workbook(tmp_path / "a.xlsx", [["430000", 2019, "3.C.7", "早稻", "", 1094.6, "吨", "", "统计局"]])
    inputs, _ = read_inputs([path], {"430000"})
    assert inputs.errors
    p = inputs.errors[0]
    assert (Path(p.file).name, p.row, p.value) == ("a.xlsx", 2, "吨")


def test_pigs_2019_computed_from_the_survey_teams_2020_statement(province):
    """2019 year-end pigs = 3734.6 万头 ÷ 1.384 (2020 stock and its growth on 2019, NBS Hunan survey team); the same
    statement's "94.1 % of 2017" gives back the yearbook's 2017 stock (3968.1 万头) to 0.02 %."""
    assert 3734.6 / 0.941 == pytest.approx(stock(2017, "swine"), rel=2e-4)
    heads = round(3734.6 / 1.384, 1) * 1e4                     # 26,984,000 head
    assert heads == 26_984_000
    assert one(province, 2019, "3.A.1", "swine", "CH4") == pytest.approx(heads * GBT_ENTERIC_SWINE / 1000)   # 40,476 t
    assert one(province, 2019, "3.A.2", "swine", "CH4") == pytest.approx(heads * GBT_MANURE_CH4_SWINE / 1000)


# --- flat glass (2.A.3, 2011-2019) ------------------------------------------------------------------------------------
# IPCC 2006 Vol.3 Ch.2 Eq. 2.10 Tier 1: EF 0.2 t CO2/t glass, cullet ratio 0.5 (IPCC EFDB EF ID 213930, 213931).


def building_material(year: int, indicator: str) -> float:
    """A value of the cited building-materials file (万吨 cement, 万重量箱 glass)."""
    return cited_value("hunan_building_materials_2011_2019.csv", year, indicator=indicator)


def test_flat_glass_co2_2019_from_the_weight_cases(province):
    """Hunan 2019: 3303.9 万重量箱 × 50 kg = 1,651,950 t glass; CO2 = M_g × 0.2 × (1 − 0.5) (Eq. 2.10)."""
    assert building_material(2019, "flat_glass_output") == 3303.9
    glass_t = 3303.9e4 * 0.050                                  # 1 重量箱 = 10 m2 × 2 mm × 2.5 t/m3 = 50 kg
    assert glass_t == pytest.approx(1_651_950)
    assert one(province, 2019, "2.A.3", "flat_glass", "CO2") == pytest.approx(glass_t * 0.2 * (1 - 0.5))  # 165,195 t
    ne = pd.read_excel(IPPU_WORKBOOK, dtype=str, engine="openpyxl", sheet_name="注释符号")
    assert {(int(y), c) for y, c in zip(ne["年份"], ne["排放源类别"])} == {(y, "2.A.3") for y in (2020, 2021, 2022)}
    assert ne["备注"].str.contains("无可引用").all()


def test_the_cement_column_is_what_ceads_multiplied_by_its_process_factor():
    """Cross-check of the building-materials panel: CEADs' Hunan process CO2 (Mt, source/ceads_hunan_co2_sectoral)
    equals 0.2906 t/t × the panel's cement output in 2011-2016 and 2018 (2017, 2019 differ: CEADs used other
    cement figures there). Cement is not an input: 2.A.1 needs clinker, a project key says NE with the reason."""
    ceads = pd.read_csv(HUNAN / "source" / "ceads_hunan_co2_sectoral_2011_2019.csv")
    process = ceads[(ceads["fuel"] == "Process") & (ceads["row_order"] == 1)].set_index("year")["value"]
    for year in (2011, 2012, 2013, 2014, 2015, 2016, 2018):
        assert process[year] == pytest.approx(building_material(year, "cement_output") * 1e4 * 0.2906 / 1e6, rel=1e-9)
    assert process[2019] / (building_material(2019, "cement_output") * 1e4 / 1e6) == pytest.approx(0.3229, abs=1e-4)
    keys = tomllib.loads((HUNAN / "inventory.toml").read_text(encoding="utf-8"))["checks"]["completeness"]["keys"]
    assert keys["2.A.1"] == "NE" and "2.A.3" not in keys and keys["430100"]["2.A.3"] == "NE"


def test_flat_glass_in_head_is_a_located_error(tmp_path):
    """A statistic in a unit its category cannot take (head for flat glass) is rejected with its place."""
    path = write_workbook(tmp_path / "a.xlsx", [["430000", 2019, "2.A.3", "平板玻璃", "", 165.2, "万头", "", "统计局"]])
    inputs, _ = read_inputs([path], {"430000"})
    assert inputs.errors
    p = inputs.errors[0]
    assert (Path(p.file).name, p.row, p.value) == ("a.xlsx", 2, "万头")
