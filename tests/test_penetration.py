"""Control penetration (DESIGN 3.4) against hand calculations.

Removal efficiencies are T/CSES 144-2024 Table A.1 as printed: limestone-gypsum FGD SO2 80 %, SCR NOx 42 %,
ordinary ESP PM2.5 93 % and PM2.5-10 98 %. Uncontrolled factors: EMEP/EEA 2023 1.A.1 Table 3-2 hard coal
(SO2 820, NOx 209, PM2.5 3.4, PM10 7.7 g/GJ); raw-coal NCV 20 908 kJ/kg (Energy Statistical Yearbook 2022 App.4).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import emission
from inventory.factors import penetration
from inventory.factors.check import check_directory
from inventory.factors.load import PENETRATION_FILE

GJ = 100e4 * 20908e-6 * 1000  # 100 万吨 raw coal in GJ
HEADER = "penetration_id,region,category,activity,year,control_group,technology,share,unit,source,source_detail,read_in,notes\n"


def table(*rows: str) -> pd.DataFrame:
    """A penetration table from CSV lines, typed as the shipped one."""
    frame = pd.read_csv(__import__("io").StringIO(HEADER + "\n".join(rows) + "\n"), dtype=str, keep_default_na=False)
    return penetration.typed(frame.assign(file="t.csv", line=frame.index + 2))


def coal(year=2019, tech=""):
    return ["430100", year, "1.A.1.a", "原煤", tech, "100", "万吨", "", "统计局"]


@pytest.fixture
def shares_of(tmp_path, compile_):
    """A project factor directory holding only a control_penetration.csv of the given rows: returns a
    compile function that builds activity rows with it (its rows win over the shipped table, DESIGN 3.4)."""
    def use(*rows):
        folder = tmp_path / f"factors{len(list(tmp_path.glob('factors*')))}"
        folder.mkdir()
        (folder / PENETRATION_FILE).write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
        return lambda activity: compile_(activity, factor_dirs=[folder])
    return use


def test_sixty_percent_wet_fgd_is_the_weighted_sum(compile_, shares_of):
    """60 % behind wet FGD (η 80 %) and 40 % uncontrolled: 0.6 × EF × (1 − 0.8) + 0.4 × EF."""
    build = shares_of("t1,430100,1.A.1.a,raw_coal,2019,SO2,fgd,60,%,test,,,")
    r = build([coal()])
    uncontrolled = GJ * 820e-6
    assert emission(r, "SO2") == pytest.approx(0.6 * uncontrolled * (1 - 0.80) + 0.4 * uncontrolled, rel=1e-12)
    # No NOx row in the project's table: the shipped NOx series applies (CEC end-2011 16.39 % SCR carried
    # forward, SCR η 42 %): 0.1639 × EF × (1 − 0.42) + 0.8361 × EF.
    assert emission(r, "NOx") == pytest.approx(GJ * 209e-6 * (0.1639 * (1 - 0.42) + (1 - 0.1639)), rel=1e-12)
    assert emission(r, "CO2") == pytest.approx(100e4 * 20908e-6 * 25.8 * 44 / 12, rel=1e-9)  # untouched
    so2 = r.emissions.query("substance == 'SO2'")
    assert len(so2) == 1 and "t1" in so2["factor_ids"].iat[0].split(";")  # the key stays one row
    assert "tcses.a1.fgd.so2" in so2["factor_ids"].iat[0].split(";")


def test_shares_interpolate_between_sourced_years_and_carry_forward(compile_, shares_of):
    """FGD 50 % in 2015 and 100 % in 2020: 2019 gets 50 + 4/5 × 50 = 90 %; 2021 keeps 100 %; 2014 none."""
    build = shares_of("a,430000,1.A.1,raw_coal,2015,SO2,fgd,0.5,1,test,,,",
                      "b,430000,1.A.1,raw_coal,2020,SO2,fgd,1,1,test,,,")
    r = build([coal(2014), coal(2019), coal(2021)])
    unc = GJ * 820e-6
    e = r.emissions.query("substance == 'SO2'").set_index("year")["emission"]
    assert e[2019] == pytest.approx(unc * (1 - 0.9 * 0.80), rel=1e-12)
    assert e[2021] == pytest.approx(unc * (1 - 1.0 * 0.80), rel=1e-12)
    assert e[2014] == pytest.approx(unc, rel=1e-12)
    k = pd.DataFrame({"key_id": [1, 2], "region": "430100", "year": [2017, 2015], "category": "1.A.1.a",
                      "activity": "raw_coal"})
    s = penetration.shares(k, table("a,430000,1.A.1,raw_coal,2015,SO2,fgd,0.5,1,test,,,",
                                    "b,430000,1.A.1,raw_coal,2020,SO2,fgd,1,1,test,,,")).set_index("key_id")
    assert s.loc[1, "share"] == pytest.approx(0.5 + 2 / 5 * 0.5) and s.loc[1, "derivation"] == "interpolated"
    assert s.loc[1, "penetration_ids"] == "a;b"
    assert s.loc[2, "derivation"] == "sourced"


def test_groups_combine_independently_and_pm_splits_by_size(compile_, shares_of):
    """SO2 60 % FGD, NOx 50 % SCR, PM 50 % ESP on one key: each pollutant only by its own group."""
    build = shares_of("s,430100,1.A.1.a,raw_coal,2019,SO2,fgd,0.6,,test,,,",
                      "n,430100,1.A.1.a,raw_coal,2019,NOx,scr,0.5,,test,,,", "p,430100,1.A.1.a,raw_coal,2019,PM,esp,0.5,,test,,,")
    r = build([coal()])
    assert emission(r, "SO2") == pytest.approx(GJ * 820e-6 * (1 - 0.6 * 0.80), rel=1e-12)
    assert emission(r, "NOx") == pytest.approx(GJ * 209e-6 * (1 - 0.5 * 0.42), rel=1e-12)
    pm25, pm10 = GJ * 3.4e-6, GJ * 7.7e-6
    assert emission(r, "PM2.5") == pytest.approx(pm25 * (1 - 0.5 * 0.93), rel=1e-12)
    assert emission(r, "PM10") == pytest.approx(pm25 * (1 - 0.5 * 0.93) + (pm10 - pm25) * (1 - 0.5 * 0.98), rel=1e-12)


def test_a_workbooks_control_device_replaces_the_table(compile_, shares_of):
    """pc_boiler alone counts as no control (the table applies); pc_boiler+fgd uses FGD alone."""
    build = shares_of("s,430100,1.A.1.a,raw_coal,2019,SO2,fgd,0.6,,test,,,")
    r = build([coal(tech="pc_boiler"), ["430200", 2019, "1.A.1.a", "原煤", "pc_boiler+fgd", "100", "万吨", "", "x"]])
    # 430200 names its own device: the table (the project's or the shipped one) does not apply. The sulfur
    # balance needs a sulfur content, so SO2 here is the EMEP factor for both.
    assert emission(r, "SO2", region="430100") == pytest.approx(GJ * 820e-6 * (1 - 0.6 * 0.80), rel=1e-12)
    assert emission(r, "SO2", region="430200") == pytest.approx(GJ * 820e-6 * (1 - 0.80), rel=1e-12)
    build = shares_of("s,CN,1.A.1.a,raw_coal,2019,SO2,fgd,0.6,,test,,,")
    r = build([["430200", 2019, "1.A.1.a", "原煤", "pc_boiler+fgd", "100", "万吨", "", "x"]])
    assert emission(r, "SO2") == pytest.approx(GJ * 820e-6 * (1 - 0.80), rel=1e-12)


def test_factors_check_rejects_shares_above_one(tmp_path):
    """FGD 0.8 + other FGD 0.3 on one key, year and group add up to 1.1: an error naming both rows."""
    shipped = Path(penetration.resources.factors_dir())
    copy = tmp_path / "ef"
    shutil.copytree(shipped, copy)
    (copy / PENETRATION_FILE).write_text(
        HEADER + "a,CN,1.A.1.a,raw_coal,2012,SO2,fgd,0.8,1,test,,,\nb,CN,1.A.1.a,raw_coal,2012,SO2,fgd_other,30,%,test,,,\n"
        "c,CN,1.A.1.a,raw_coal,2012,SO2,pc_boiler,0.1,1,test,,,\n", encoding="utf-8")
    problems = check_directory(copy)
    over = [p for p in problems if p.code == "penetration_shares_above_one"]
    assert len(over) == 1 and over[0].row == 2 and "3" in dict(over[0].params)["rows"]
    assert any(p.code == "not_a_control_technology" and p.row == 4 for p in problems)


def test_the_shipped_table_is_clean_and_cited():
    raw = penetration.read(penetration.resources.factors_dir() / PENETRATION_FILE)
    assert penetration.check(raw) == []
    assert (raw["source"].str.strip() != "").all()
    assert set(raw["control_group"]) <= set(penetration.GROUPS)


def test_cement_kilns_take_the_shipped_denitrification_share(compile_):
    """Shipped cement rows (MEE, SCIO 2016-02-18: 92 % of new dry-process lines denitrified at end-2015, none
    at end-2010; SNCR assumed, T/CSES Table A.1 η 30 %) on T/CSES Table E.1 NSP clinker NOx 1.88 g/kg:
    100 万吨 clinker in 2015 -> 1 880 t × (1 − 0.92 × 0.30); 2013 interpolates 0 + 3/5 × 0.92 = 0.552;
    2010 none. SO2 (no cement FGD share found) stays uncontrolled: 0.51 g/kg."""
    clinker = [["430300", year, "2.A.1", "水泥熟料", "nsp_kiln", "100", "万吨", "", "统计局"] for year in (2010, 2013, 2015)]
    r = compile_(clinker)
    nox = r.emissions.query("substance == 'NOx' and category == '2.A.1'").set_index("year")["emission"]
    assert nox[2015] == pytest.approx(1880 * (1 - 0.92 * 0.30), rel=1e-12)
    assert nox[2013] == pytest.approx(1880 * (1 - 0.552 * 0.30), rel=1e-12)
    assert nox[2010] == pytest.approx(1880, rel=1e-12)
    assert emission(r, "SO2", category="2.A.1") == pytest.approx(3 * 510, rel=1e-12)
    ids = r.emissions.query("substance == 'NOx' and year == 2013")["factor_ids"].iat[0].split(";")
    assert {"mee.2010.denox.2A1.clinker", "mee.2015.denox.2A1.clinker", "tcses.a1.sncr.nox"} <= set(ids)


def _per_key_merge(keys: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    """What the joins over every key give (tuple_shares on the keys themselves), each key's rows in order."""
    return penetration.tuple_shares(keys, t).sort_values("key_id", kind="stable").reset_index(drop=True)


def test_keys_alike_in_the_tables_regions_and_categories_share_one_group():
    """Table rows at 430000 and CN, category 1.A.1: 430100 and 430200 in 2019 (chains 4301/4302 > 430000 > CN,
    named members 430000 > CN) are one group; 2020 another; 110000 (named member CN only) a third; gasoline
    (no penetration row) none."""
    t = table("a,430000,1.A.1,raw_coal,2015,SO2,fgd,0.5,1,test,,,", "b,CN,1.A.1,raw_coal,2015,SO2,fgd,0.2,1,test,,,")
    k = pd.DataFrame({"key_id": [7, 8, 9, 10, 11], "region": ["430100", "430200", "430100", "110000", "430100"],
                      "year": [2019, 2019, 2020, 2019, 2019],
                      "category": ["1.A.1.a", "1.A.1.a", "1.A.1.a", "1.A.1.a", "1.A.1.a"],
                      "activity": ["raw_coal", "raw_coal", "raw_coal", "raw_coal", "gasoline"]})
    groups, of_key = penetration.distinct_tuples(k, t)
    assert of_key.tolist() == [0, 0, 1, 2, -1]
    assert groups["region"].tolist() == ["430100", "430100", "110000"] and groups["key_id"].tolist() == [0, 1, 2]
    s = penetration.shares(k, t)
    pd.testing.assert_frame_equal(s, _per_key_merge(k, t))
    assert s.set_index("key_id")["share"].to_dict() == {7: 0.5, 8: 0.5, 9: 0.5, 10: 0.2}


def test_shares_per_group_equal_the_joins_over_every_key():
    """Two technologies and interpolated years over several regions, categories and years: the shares taken
    from each group's representative equal those of the joins over every key, key by key."""
    t = table("a,430000,1.A.1,raw_coal,2015,SO2,fgd,0.5,1,test,,,", "b,430000,1.A.1,raw_coal,2020,SO2,fgd,0.7,1,test,,,",
              "c,430000,1.A.1,raw_coal,2015,SO2,fgd_other,0.1,1,test,,,",
              "d,CN,1.A.1.a,raw_coal,2010,NOx,scr,0.3,1,test,,,", "e,430100,1.A.1.a,raw_coal,2018,NOx,sncr,0.4,1,test,,,")
    rows = [(r, y, c) for r in ("430100", "430200", "430000", "110000") for y in (2014, 2015, 2017, 2021)
            for c in ("1.A.1.a", "1.A.1.b", "1.A.2.a")]
    k = pd.DataFrame(rows, columns=["region", "year", "category"]).assign(activity="raw_coal")
    k.insert(0, "key_id", np.arange(100, 100 + len(k)))
    s = penetration.shares(k, t)
    pd.testing.assert_frame_equal(s, _per_key_merge(k, t))
    one = s[(s["key_id"] == 100 + rows.index(("430200", 2017, "1.A.1.a")))].set_index(["control_group", "technology"])
    assert one.loc[("SO2", "fgd"), "share"] == pytest.approx(0.5 + 2 / 5 * 0.2)
    assert one.loc[("SO2", "fgd_other"), "derivation"] == "carried_forward"
    assert one.loc[("NOx", "scr"), "share"] == 0.3 and ("NOx", "sncr") not in one.index
