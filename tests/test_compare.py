"""`inventory compare OLD NEW`: changes split into activity and factor effects (DESIGN 3.9).

Expected numbers are worked by hand from the decomposition of DESIGN 3.9:
activity_effect = (A_new − A_old) × F_old, factor_effect = A_new × (F_new − F_old),
with F the implied factor (emission / activity amount) of each build.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import write_workbook
from typer.testing import CliRunner

from inventory.cli import app
from inventory.compare import (
    ALL_COLUMNS,
    COMPARISON_COLUMNS,
    compare_builds,
    compare_paths,
    factor_changes,
    read_build,
    summarise,
    top_changes,
)
from inventory.errors import InputError
from inventory.result import EMISSION_COLUMNS

runner = CliRunner()
README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
# GWP-100 of IPCC AR4 and AR5 (AR4 WG1 Table 2.14; AR5 WG1 Table 8.7): CH4 25 and 28, N2O 265 in AR5.
CH4_AR4, CH4_AR5, N2O_AR5 = 25.0, 28.0, 265.0


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def row(region, category, activity, substance, emission, amount=None, unit="TJ", ids="", technology="",
        basis="own", gwp="AR5", co2e=None, region_name="长沙市", category_name="能源工业"):
    """One emissions.csv row (DESIGN 3.7); implied_factor = emission / amount where an amount is given."""
    factor = emission / amount if amount else None
    return {"region": region, "region_name": region_name, "year": 2019, "category": category,
            "category_name": category_name, "activity": activity, "technology": technology,
            "substance": substance, "emission": emission, "unit": "t", "co2e_t": co2e, "gwp_set": gwp,
            "activity_amount": amount, "activity_unit": unit if amount else "", "implied_factor": factor,
            "factor_ids": ids, "kind": "emission", "basis": basis}


def table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=EMISSION_COLUMNS)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


# Old and new builds of one prefecture (430100) and its province (430000, aggregated rows).
OLD = table([
    # A: activity 1000 -> 1100 TJ and factor 94.6 -> 96.1 t/TJ
    row("430100", "1.A.1.a", "raw_coal", "CO2", 94_600.0, 1000.0, ids="cc.a;of.a", co2e=94_600.0),
    # B: unchanged
    row("430100", "1.A.1.a", "raw_coal", "SO2", 820.0, 1000.0, ids="so2.a"),
    # D: dropped source
    row("430100", "1.A.2.f", "diesel_oil", "CO2", 741.0, 10.0, ids="cc.d", co2e=741.0),
    # E: activity unit changes (TJ -> t): no split
    row("430100", "1.A.1.a", "raw_coal", "NOx", 209.0, 1000.0, ids="nox.tj", technology="pc_boiler"),
    # F: no activity amount: no split
    row("430100", "1.A.1.a", "raw_coal", "PM2.5", 3.0),
    # G: same emission, other factor ids
    row("430100", "1.A.1.a", "raw_coal", "CH4", 1.0, 1000.0, ids="ch4.old;ncv.a", co2e=1.0 * CH4_AR5),
    # the province: the sum of its prefectures (basis aggregated)
    row("430000", "1.A.1.a", "raw_coal", "CO2", 94_600.0, 1000.0, ids="cc.a;of.a", basis="aggregated",
        co2e=94_600.0, region_name="湖南省"),
])
NEW = table([
    row("430100", "1.A.1.a", "raw_coal", "CO2", 105_710.0, 1100.0, ids="cc.b;of.a", co2e=105_710.0),
    row("430100", "1.A.1.a", "raw_coal", "SO2", 820.0, 1000.0, ids="so2.a"),
    # C: new source
    row("430100", "1.A.4.b", "natural_gas", "CO2", 2775.0, 50.0, ids="cc.c", co2e=2775.0),
    row("430100", "1.A.1.a", "raw_coal", "NOx", 240.0, 40_000.0, unit="t", ids="nox.t", technology="pc_boiler"),
    row("430100", "1.A.1.a", "raw_coal", "PM2.5", 4.0),
    row("430100", "1.A.1.a", "raw_coal", "CH4", 1.0, 1000.0, ids="ch4.new;ncv.a", co2e=1.0 * CH4_AR5),
    row("430000", "1.A.1.a", "raw_coal", "CO2", 105_710.0, 1100.0, ids="cc.b;of.a", basis="aggregated",
        co2e=105_710.0, region_name="湖南省"),
])


@pytest.fixture
def comparison():
    c = compare_builds(OLD.copy(), NEW.copy())
    return c.set_index(["region", "category", "activity", "technology", "substance"])


def test_activity_and_factor_effects_by_hand(comparison):
    a = comparison.loc[("430100", "1.A.1.a", "raw_coal", "", "CO2")]
    assert a["status"] == "changed"
    assert a["old"] == 94_600.0 and a["new"] == 105_710.0
    assert a["change"] == pytest.approx(105_710.0 - 94_600.0)
    assert a["activity_effect"] == pytest.approx((1100.0 - 1000.0) * 94.6)  # 9,460 t
    assert a["factor_effect"] == pytest.approx(1100.0 * (96.1 - 94.6))  # 1,650 t
    assert a["activity_effect"] + a["factor_effect"] == pytest.approx(a["change"])
    assert a["old_factor"] == pytest.approx(94.6) and a["new_factor"] == pytest.approx(96.1)
    assert (a["old_factor_ids"], a["new_factor_ids"]) == ("cc.a;of.a", "cc.b;of.a")
    assert (a["factor_ids_removed"], a["factor_ids_added"]) == ("cc.a", "cc.b")
    # CO2: GWP 1, the CO2e split equals the split in t
    assert a["co2e_activity_effect"] == pytest.approx(9460.0) and a["co2e_factor_effect"] == pytest.approx(1650.0)


def test_statuses_new_dropped_unchanged(comparison):
    assert comparison.loc[("430100", "1.A.1.a", "raw_coal", "", "SO2"), "status"] == "unchanged"
    assert comparison.loc[("430100", "1.A.1.a", "raw_coal", "", "SO2"), "change"] == 0
    new = comparison.loc[("430100", "1.A.4.b", "natural_gas", "", "CO2")]
    assert new["status"] == "new" and math.isnan(new["old"]) and new["change"] == 2775.0
    assert math.isnan(new["activity_effect"]) and math.isnan(new["factor_effect"])
    dropped = comparison.loc[("430100", "1.A.2.f", "diesel_oil", "", "CO2")]
    assert dropped["status"] == "dropped" and math.isnan(dropped["new"]) and dropped["change"] == -741.0
    # same emission, other factor ids: changed, change 0, the ids that came and went listed
    g = comparison.loc[("430100", "1.A.1.a", "raw_coal", "", "CH4")]
    assert g["status"] == "changed" and g["change"] == 0
    assert g["activity_effect"] == 0 and g["factor_effect"] == 0
    assert (g["factor_ids_removed"], g["factor_ids_added"]) == ("ch4.old", "ch4.new")


def test_unit_change_and_missing_activity_give_change_only(comparison):
    e = comparison.loc[("430100", "1.A.1.a", "raw_coal", "pc_boiler", "NOx")]
    assert e["status"] == "changed" and e["change"] == pytest.approx(31.0)
    assert math.isnan(e["activity_effect"]) and math.isnan(e["factor_effect"])
    assert e["note"] == "activity_unit_changed"
    assert (e["old_activity_unit"], e["new_activity_unit"]) == ("TJ", "t")
    f = comparison.loc[("430100", "1.A.1.a", "raw_coal", "", "PM2.5")]
    assert f["change"] == pytest.approx(1.0) and f["note"] == "no_activity"
    assert math.isnan(f["activity_effect"]) and math.isnan(f["factor_effect"])


def test_technology_is_part_of_the_key():
    old = table([row("430100", "1.A.1.a", "raw_coal", "SO2", 10.0, 100.0, technology="pc_boiler+fgd"),
                 row("430100", "1.A.1.a", "raw_coal", "SO2", 40.0, 100.0, technology="")])
    new = table([row("430100", "1.A.1.a", "raw_coal", "SO2", 12.0, 120.0, technology="pc_boiler+fgd"),
                 row("430100", "1.A.1.a", "raw_coal", "SO2", 40.0, 100.0, technology="")])
    c = compare_builds(old, new)
    assert list(c["technology"]) == ["", "pc_boiler+fgd"]
    assert list(c["status"]) == ["unchanged", "changed"]
    assert c["activity_effect"].iloc[1] == pytest.approx(20.0 * 0.1)


def test_tables_coded_apart_compare_as_texts():
    """Emission tables straight from two builds carry their texts as Categoricals whose categories differ
    (each build codes only its own values); they compare as the texts do."""
    from inventory.lookup import coded
    old = coded(table([row("430100", "1.A.1.a", "raw_coal", "CO2", 10.0, 100.0, ids="a"),
                       row("430100", "1.A.1.a", "raw_coal", "SO2", 40.0, 100.0, ids="b")]))
    new = coded(table([row("430100", "1.A.1.a", "raw_coal", "CO2", 12.0, 100.0, ids="c"),
                       row("430200", "1.A.1.a", "raw_coal", "CO2", 5.0, 50.0, ids="a")]))
    assert isinstance(old["factor_ids"].dtype, pd.CategoricalDtype)
    assert list(old["factor_ids"].cat.categories) != list(new["factor_ids"].cat.categories)
    c = compare_builds(old, new).set_index(["region", "substance"])
    assert c.loc[("430100", "CO2"), "status"] == "changed"
    assert c.loc[("430100", "CO2"), "factor_effect"] == pytest.approx(100.0 * (0.12 - 0.10))
    assert c.loc[("430100", "SO2"), "status"] == "dropped"
    assert c.loc[("430200", "CO2"), "status"] == "new"


def test_summary_per_region_adds_up_by_hand():
    c = compare_builds(OLD.copy(), NEW.copy())
    s = summarise(c, ["region", "substance"]).set_index(["region", "substance"])
    co2 = s.loc[("430100", "CO2")]
    assert co2["old"] == pytest.approx(94_600.0 + 741.0)
    assert co2["new"] == pytest.approx(105_710.0 + 2775.0)
    assert co2["activity_effect"] == pytest.approx(9460.0)
    assert co2["factor_effect"] == pytest.approx(1650.0)
    assert co2["new_sources"] == pytest.approx(2775.0) and co2["dropped_sources"] == pytest.approx(-741.0)
    assert co2["change"] == pytest.approx(9460.0 + 1650.0 + 2775.0 - 741.0)
    assert s.loc[("430100", "NOx"), "not_split"] == pytest.approx(31.0)
    # the province's aggregated rows stay in its own total, never added to the prefecture's
    assert s.loc[("430000", "CO2"), "change"] == pytest.approx(11_110.0)
    # and are left out of the largest changes (they repeat the prefectures' rows)
    assert "430000" not in set(top_changes(c, 10, "co2e")["region"])
    assert top_changes(c, 1, "co2e")["substance"].tolist() == ["CO2"]


def test_co2e_split_with_a_change_of_gwp_set():
    # CH4: 50 t at 2 t/unit (AR4) -> 72 t at 2.4 t/unit (AR5)
    old = table([row("430100", "3.A.1", "swine", "CH4", 50.0, 25.0, unit="head", gwp="AR4", co2e=50 * CH4_AR4)])
    new = table([row("430100", "3.A.1", "swine", "CH4", 72.0, 30.0, unit="head", gwp="AR5", co2e=72 * CH4_AR5)])
    r = compare_builds(old, new).iloc[0]
    assert r["activity_effect"] == pytest.approx((30 - 25) * 2.0)  # 10 t
    assert r["factor_effect"] == pytest.approx(30 * (2.4 - 2.0))  # 12 t
    assert r["co2e_change"] == pytest.approx(72 * 28 - 50 * 25)  # 766 t CO2e
    assert r["co2e_activity_effect"] == pytest.approx(10 * CH4_AR4)  # 250
    assert r["co2e_factor_effect"] == pytest.approx(12 * CH4_AR4)  # 300
    assert r["co2e_gwp_effect"] == pytest.approx(72 * (CH4_AR5 - CH4_AR4))  # 216
    assert 250 + 300 + 216 == pytest.approx(r["co2e_change"])
    # the same tonnes under another GWP set: changed, all of it the GWP effect
    old = table([row("430100", "3.A.1", "swine", "CH4", 50.0, 25.0, unit="head", gwp="AR4", co2e=50 * CH4_AR4)])
    new = table([row("430100", "3.A.1", "swine", "CH4", 50.0, 25.0, unit="head", gwp="AR5", co2e=50 * CH4_AR5)])
    r = compare_builds(old, new).iloc[0]
    assert r["status"] == "changed" and r["change"] == 0
    assert r["co2e_gwp_effect"] == pytest.approx(r["co2e_change"]) == pytest.approx(50 * (CH4_AR5 - CH4_AR4))


def test_factor_changes_list_ids_with_published_values():
    c = compare_builds(OLD.copy(), NEW.copy())
    published = pd.DataFrame({"factor_id": ["cc.a"], "value": ["25.8"], "unit": ["tC/TJ"],
                              "source": ["IPCC 2006 Vol.2 Ch.1 Table 1.3"], "source_detail": [""]})
    f = factor_changes(c, published).set_index(["change", "factor_id"])
    # cc.a -> cc.b in the prefecture and the province row: 2 rows each
    assert f.loc[("removed", "cc.a"), "rows"] == 2 and f.loc[("added", "cc.b"), "rows"] == 2
    assert f.loc[("removed", "cc.a"), "value"] == "25.8" and f.loc[("added", "cc.b"), "value"] == ""
    assert ("removed", "nox.tj") in f.index and ("added", "ch4.new") in f.index


def test_read_build_round_trip_and_columns(tmp_path):
    write_csv(OLD, tmp_path / "old" / "emissions.csv")
    write_csv(NEW, tmp_path / "new.csv")
    c = compare_paths(tmp_path / "old", tmp_path / "new.csv")
    assert list(c.columns) == ALL_COLUMNS
    assert ALL_COLUMNS[:len(COMPARISON_COLUMNS)] == COMPARISON_COLUMNS
    assert COMPARISON_COLUMNS[:6] == ["region", "year", "category", "activity", "technology", "substance"]
    assert read_build(tmp_path / "old")["year"].dtype == "int64"
    a = c[(c["substance"] == "CO2") & (c["region"] == "430100") & (c["category"] == "1.A.1.a")].iloc[0]
    assert a["activity_effect"] == pytest.approx(9460.0) and a["factor_effect"] == pytest.approx(1650.0)


# ---------------------------------------------------------------- bad input

def test_missing_folder_file_and_not_an_emissions_csv(tmp_path):
    good = write_csv(OLD, tmp_path / "good.csv")
    result = run("compare", tmp_path / "nowhere", good)
    assert result.exit_code == 2 and "nowhere" in result.output and "Traceback" not in result.output
    (tmp_path / "empty").mkdir()
    result = run("compare", good, tmp_path / "empty")
    assert result.exit_code == 2 and "没有 emissions.csv" in result.output  # problems in the command's language
    (tmp_path / "checks.csv").write_text("check,region,year\nx,430100,2019\n", encoding="utf-8")
    result = run("compare", good, tmp_path / "checks.csv")
    assert result.exit_code == 2 and "缺少列" in result.output and "emission" in result.output
    (tmp_path / "binary.csv").write_bytes(b"\x00\xff\xfe" * 100)
    result = run("compare", good, tmp_path / "binary.csv")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_bad_numbers_and_duplicate_keys_are_located(tmp_path):
    bad = OLD.astype(object).copy()
    bad.loc[1, "emission"] = "abc"
    path = write_csv(pd.concat([bad, bad.iloc[[0]]], ignore_index=True), tmp_path / "bad.csv")
    with pytest.raises(InputError) as caught:
        read_build(path)
    found = {(p.row, p.column, p.value) for p in caught.value.problems}
    # CSV rows (header = row 1): row 3 has 'abc'; rows 2 and 9 share a key
    assert (3, "emission", "abc") in found
    assert {(p.row, p.code) for p in caught.value.problems} >= {(2, "row_given_twice"), (9, "row_given_twice")}
    assert all(p.file == str(path) for p in caught.value.problems)
    result = run("compare", path, write_csv(NEW, tmp_path / "new.csv"))
    assert result.exit_code == 2 and "abc" in result.output and "Traceback" not in result.output


def test_labels_are_escaped_and_stay_text(tmp_path):
    old = OLD.copy()
    new = NEW.copy()
    new["category_name"] = "<script>alert(1)</script>"
    new["region_name"] = '=HYPERLINK("http://x","y")'
    out = tmp_path / "cmp"
    result = run("compare", write_csv(old, tmp_path / "a.csv"), write_csv(new, tmp_path / "b.csv"), "--out", out)
    assert result.exit_code == 0, result.output
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    with zipfile.ZipFile(out / "comparison.xlsx") as zf:
        xml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


# ---------------------------------------------------------------- two real builds

BASE = [["湖南省", 2019, "1.A.1.a", "原煤", "", 100, "万吨", "", "统计局", ""],
        ["长沙", 2019, "1.A.1.a", "原煤", "", 40, "万吨", "", "统计局", ""],
        ["株洲", 2019, "1.A.1.a", "原煤", "", 55, "万吨", "", "统计局", ""],
        ["长沙", 2019, "1.A.1.a", "原煤", "", 1.9, "t/t", "ef.CO2", "电厂实测", ""]]


def test_cli_end_to_end_on_two_builds(tmp_path):
    new_rows = [list(r) for r in BASE]
    new_rows[1][5] = 50  # 长沙 raw coal: 40 -> 50 万吨
    new_rows[3][5] = 2.0  # 长沙 local ef.CO2: 1.9 -> 2.0 t/t
    for name, rows in (("old", BASE), ("new", new_rows)):
        write_workbook(tmp_path / name / "data.xlsx", rows)
        result = run("build", tmp_path / name, "-o", tmp_path / f"out_{name}")
        assert result.exit_code == 0, result.output
    out = tmp_path / "cmp"
    result = run("compare", tmp_path / "out_old", tmp_path / "out_new" / "emissions.csv", "--out", out)
    assert result.exit_code == 0, result.output
    assert "各地区温室气体排放变化" in result.output  # Chinese by default
    c = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig", dtype={"region": str, "technology": str},
                    keep_default_na=False, na_values=[""])
    assert list(c.columns) == ALL_COLUMNS
    cs = c[(c["region"] == "430100") & (c["category"] == "1.A.1.a") & (c["activity"] == "raw_coal")]
    cs = cs.set_index("substance")
    # CO2 from the local factor: E = A × EF; A in t (10^4 t = 1e4 t)
    co2 = cs.loc["CO2"]
    assert co2["old"] == pytest.approx(40e4 * 1.9) and co2["new"] == pytest.approx(50e4 * 2.0)
    assert co2["activity_effect"] == pytest.approx((50e4 - 40e4) * 1.9)  # 190,000 t
    assert co2["factor_effect"] == pytest.approx(50e4 * (2.0 - 1.9))  # 50,000 t
    assert co2["old_factor"] == pytest.approx(1.9) and co2["new_factor"] == pytest.approx(2.0)
    assert co2["status"] == "changed" and co2["old_activity_unit"] == co2["new_activity_unit"] == "t"
    # CH4 from IPCC 2006 Vol.2 Table 2.2 (coal, energy industries: 1 kg/TJ) on NCV 20,908 kJ/kg (China Energy
    # Statistical Yearbook Appendix 4): only the activity changed, by 10^5 t × 20.908 GJ/t = 2,090.8 TJ.
    ch4 = cs.loc["CH4"]
    assert ch4["activity_effect"] == pytest.approx(1e5 * 20.908e-3 * 1e-3)  # t
    assert ch4["factor_effect"] == pytest.approx(0.0, abs=1e-12)
    n2o = cs.loc["N2O"]  # 1.5 kg/TJ (same table)
    assert n2o["activity_effect"] == pytest.approx(1e5 * 20.908e-3 * 1.5e-3)
    # every split row adds up; nothing else changed
    split = c[c["activity_effect"].notna()]
    assert (split["activity_effect"] + split["factor_effect"]).to_numpy() == pytest.approx(split["change"].to_numpy())
    assert set(c.loc[c["status"] != "unchanged", "region"]) == {"430100"}
    assert set(c["status"]) <= {"changed", "unchanged"}
    # CO2e of Changsha (AR5: CH4 28, N2O 265)
    gross = c[(c["region"] == "430100") & (c["kind"] == "emission")]
    ch4_d, n2o_d = 1e5 * 20.908e-3 * 1e-3, 1e5 * 20.908e-3 * 1.5e-3
    assert gross["co2e_change"].sum() == pytest.approx(240_000 + ch4_d * CH4_AR5 + n2o_d * N2O_AR5)
    assert gross["co2e_factor_effect"].sum() == pytest.approx(50_000.0)
    # the workbook and the page
    wb = openpyxl.load_workbook(out / "comparison.xlsx")
    assert len(wb.sheetnames) == 3
    sheet = wb.worksheets[1]
    assert sheet.max_row == len(c) + 1
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html and "https://" not in html
    assert "活动水平的影响" in html and 'lang="zh-CN"' in html


def test_cli_in_english_and_bad_lang(tmp_path):
    a = write_csv(OLD, tmp_path / "a.csv")
    b = write_csv(NEW, tmp_path / "b.csv")
    result = run("compare", a, b, "--out", tmp_path / "cmp", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Largest changes" in result.output and "Activity effect" in result.output
    html = (tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")
    assert 'lang="en"' in html and "Factor effect" in html
    assert run("compare", a, b, "--lang", "fr").exit_code == 2


def test_compare_has_help_and_is_documented():
    result = run("compare", "--help")
    assert result.exit_code == 0 and "Usage" in result.output
    assert "inventory compare" in README


# ---- issue 12: physical activity is activity, a calorific value is a factor ----------------------------------

def _coal_build(tmp_path, name, amount, ncv=None, factor_set=None):
    """A compiled build of `amount` 万吨 raw coal in 1.A.1.a (430100, 2019), with a local NCV in GJ/t if given."""
    from conftest import compile_rows

    rows = [["430100", 2019, "1.A.1.a", "原煤", "", amount, "万吨", "", "统计局"]]
    if ncv is not None:
        rows.append(["430100", 2019, "", "原煤", "", ncv, "GJ/t", "低位发热量", "化验"])
    folder = tmp_path / name
    folder.mkdir()
    return compile_rows(folder, rows, factor_set=factor_set).emissions


def test_issue_12_a_changed_calorific_value_is_a_factor_effect(tmp_path):
    """Same tonnes, local NCV 20 -> 22 GJ/t: the CO2 change (carbon content 25.8 tC/TJ, IPCC Table 1.3;
    oxidation 1) is all factor effect, split on the reported 10^6 t, and the row names the NCV's id."""
    old, new = _coal_build(tmp_path, "old", 100, 20), _coal_build(tmp_path, "new", 100, 22)
    co2 = compare_builds(old, new).set_index("substance").loc["CO2"]
    expected = 100e4 * (22e-3 - 20e-3) * 25.8 * 44 / 12
    assert co2["change"] == pytest.approx(expected, rel=1e-9)
    assert co2["activity_effect"] == 0 and co2["factor_effect"] == pytest.approx(expected, rel=1e-9)
    assert (co2["old_activity"], co2["new_activity"], co2["new_activity_unit"]) == (100e4, 100e4, "t")
    assert co2["new_factor"] == pytest.approx(22e-3 * 25.8 * 44 / 12, rel=1e-9)  # t CO2 per t
    assert "local:activity.xlsx:能源活动:3" in co2["new_factor_ids"].split(";")
    row = new.set_index("substance").loc["CO2"]
    assert (row["reported_amount"], row["reported_unit"], row["activity_unit"]) == (100e4, "t", "TJ")


def test_issue_12_a_changed_tonnage_is_an_activity_effect(tmp_path):
    old, new = _coal_build(tmp_path, "old", 100), _coal_build(tmp_path, "new", 110)
    co2 = compare_builds(old, new).set_index("substance").loc["CO2"]
    per_t = 20908e-6 * 25.8 * 1.0 * 44 / 12  # Yearbook NCV × IPCC carbon content × oxidation 1
    assert co2["activity_effect"] == pytest.approx(10e4 * per_t, rel=1e-9) and co2["factor_effect"] == 0


def test_issue_12_tier_names_chinese_and_local_values(tmp_path):
    """T2 where a value is Chinese or local (DESIGN 3.7), T1 with IPCC/EMEP defaults only."""
    china = _coal_build(tmp_path, "china", 100).set_index("substance")["tier"]
    ipcc = _coal_build(tmp_path, "ipcc", 100, factor_set="ipcc").set_index("substance")["tier"]
    local = _coal_build(tmp_path, "local", 100, 20, factor_set="ipcc").set_index("substance")["tier"]
    assert china["CO2"] == "T2"  # Yearbook NCV
    assert ipcc["CO2"] == "T1" and ipcc["CH4"] == "T1" and ipcc["CO"] == "T1"  # IPCC, EMEP Tier 1
    # NOx and SO2 of power-plant coal: EMEP Tier 1 with China's shipped control penetration (CEC, 2011) is T2
    assert ipcc["NOx"] == "T2" and ipcc["SO2"] == "T2"
    assert local["CO2"] == "T2" and local["CH4"] == "T2"  # the workbook's own NCV
