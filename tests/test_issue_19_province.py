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
PROVINCE_WORKBOOK = HUNAN / "data" / "430000_农业_2011-2020.xlsx"
# GB/T 32151.22-2024 Appendix C: Table C.3 pig enteric CH4 (national, no stage), Table C.7 中南 pig manure CH4,
# Table C.10 中南 pig manure direct N2O, kg/head/a
GBT_ENTERIC_SWINE, GBT_MANURE_CH4_SWINE, GBT_MANURE_N2O_SWINE = 1.5, 5.85, 0.157


def stock(year: int, animal: str) -> float:
    """The year-end stock (万头) of the cited statistics file, read as text and converted here."""
    with open(HUNAN / "source" / "hunan_livestock_nbs_2011_2017.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (int(row["year"]), row["animal"], row["indicator"]) == (year, animal, "year_end_stock"):
                return float(row["value"])
    raise KeyError((year, animal))


@pytest.fixture(scope="module")
def province():
    inputs, _ = read_inputs([PROVINCE_WORKBOOK], {"430000"})
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
    rows = pd.read_excel(PROVINCE_WORKBOOK, dtype=str, engine="openpyxl")
    assert rows["数据来源"].str.contains("中国统计年鉴|国家数据|国家统计局湖南调查总队").all()
    assert set(rows["地区"]) == {"430000"}
    names = [p.name for p in (HUNAN / "data").glob("*.xlsx")]
    assert not [n for n in names if not n.startswith("430000") and ("农业" in n or "废弃物" in n or "土地利用" in n)]
    years = set(province.emissions["year"])
    assert years == {2011, 2012, 2013, 2014, 2015, 2016, 2017, 2020}   # 2018, 2019: no cited livestock statistic


def test_make_province_writes_the_shipped_workbook(tmp_path):
    """make_province.py, run in a copy, writes the shipped workbook byte for byte (nobody edited it by hand)."""
    for name in ("make_example.py", "make_province.py"):
        shutil.copy(HUNAN / name, tmp_path)
    shutil.copytree(HUNAN / "source", tmp_path / "source")
    (tmp_path / "data").mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "make_province.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / PROVINCE_WORKBOOK.name).read_bytes() == PROVINCE_WORKBOOK.read_bytes()


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
