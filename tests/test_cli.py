"""The command line as a user meets it: exit codes, messages, outputs (DESIGN 3.7, 3.8)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_workbook
from inventory.cli import app
from inventory.result import EMISSION_COLUMNS

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

GOOD = [["湖南省", 2019, "1.A.1.a", "原煤", "pc_boiler+scr+fgd+esp", 100, "万吨", "", "统计局", ""],
        ["430000", 2019, "1.A.4.b", "天然气", "", 2.5, "亿立方米", "", "统计局", ""],
        ["长沙", 2019, "1.A.1.a", "原煤", "", 40, "万吨", "", "统计局", ""],
        ["株洲", 2019, "1.A.1.a", "原煤", "", 55, "万吨", "", "统计局", "=HYPERLINK(\"http://x\",\"y\")"],
        ["株洲", 2019, "1.A.2.f", "柴油", "", 3, "万吨", "", "<script>alert(1)</script>", ""]]


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


@pytest.fixture
def data(tmp_path):
    return write_workbook(tmp_path / "data" / "energy.xlsx", GOOD)


def test_build_writes_every_output(tmp_path, data):
    out = tmp_path / "out"
    result = run("build", data.parent, "-o", out)
    assert result.exit_code == 0, result.output
    for name in ("inventory.xlsx", "report.html", "emissions.csv", "emissions.parquet", "checks.csv", "manifest.json"):
        assert (out / name).is_file(), name
    raw = (out / "emissions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str, "technology": str},
                        keep_default_na=False)
    assert list(table.columns) == EMISSION_COLUMNS
    keys = table[["region", "year", "category", "activity", "technology", "substance"]].astype(str)
    assert keys.values.tolist() == keys.sort_values(list(keys.columns)).values.tolist()
    assert set(table["unit"]) == {"t"}
    assert set(table.loc[table["substance"].isin(["SO2", "NOx"]), "co2e_t"]) == {""}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    rows = manifest["rows"]
    assert rows["read"] == rows["used"] + rows["skipped"] + rows["rejected"] == 5
    assert manifest["inputs"][0]["sha256"] and "report.html" in manifest["outputs"]
    # More than one region-year: a folder per region beside the combined files.
    assert (out / "430100" / "emissions.csv").is_file()


def test_same_inputs_give_identical_emissions_csv(tmp_path, data):
    assert run("build", data, "-o", tmp_path / "a").exit_code == 0
    assert run("build", data, "-o", tmp_path / "b").exit_code == 0
    assert (tmp_path / "a" / "emissions.csv").read_bytes() == (tmp_path / "b" / "emissions.csv").read_bytes()


def test_labels_from_inputs_stay_text(tmp_path, data):
    out = tmp_path / "out"
    assert run("build", data, "-o", out).exit_code == 0
    with zipfile.ZipFile(out / "inventory.xlsx") as zf:
        xml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "http://" not in html and "https://" not in html


def test_bad_input_exits_2_with_located_errors_and_no_inventory(tmp_path):
    rows = GOOD + [["长沙", 2019, "1.A.1.a", "原煤x", "", "abc", "万吨", "", "", ""]]
    data = write_workbook(tmp_path / "bad.xlsx", rows)
    out = tmp_path / "out"
    result = run("build", data, "-o", out)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert any("bad.xlsx › 能源活动" in line for line in lines)
    assert any("│ 7 " in line and "活动 (D)" in line and "原煤x" in line and "是否为“原煤”" in line
               for line in lines), result.output
    assert any("│ 7 " in line and "活动水平 (F)" in line and "不是数字" in line for line in lines)
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and manifest["rows"]["rejected"] == 1
    assert {p["column"] for p in manifest["rejected"]} == {"活动 (D)", "活动水平 (F)"}


def test_keep_going_builds_from_the_good_rows_and_exits_1(tmp_path):
    rows = GOOD + [["长沙", 2019, "<script>x</script>", "原煤", "", 1, "万吨", "", "", ""]]
    data = write_workbook(tmp_path / "bad.xlsx", rows)
    out = tmp_path / "out"
    result = run("build", data, "-o", out, "--keep-going")
    assert result.exit_code == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["rows"]["rejected"] == 1
    assert "<script>x</script>" not in (out / "report.html").read_text(encoding="utf-8")


def test_lang_en_and_gwp_set(tmp_path, data):
    out = tmp_path / "out"
    assert run("build", data, "-o", out, "--lang", "en", "--gwp", "AR6").exit_code == 0
    table = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    assert "Hunan Province" in set(table["region_name"])
    assert "Electricity generation" not in set(table["category_name"])
    ch4 = table[table["substance"] == "CH4"].iloc[0]
    assert ch4["co2e_t"] == pytest.approx(ch4["emission"] * 27.9)  # AR6 GWP-100 CH4
    assert set(table["gwp_set"]) == {"AR6"}
    wb = openpyxl.load_workbook(out / "inventory.xlsx", read_only=True)
    assert "Summary" in wb.sheetnames


def test_strict_exits_1_when_a_check_fails(tmp_path, data):
    # The province's own 1.A.1.a coal (100 万吨) is far from its prefectures' 95 万吨 with other controls.
    result = run("build", data, "-o", tmp_path / "out", "--strict")
    checks = pd.read_csv(tmp_path / "out" / "checks.csv", encoding="utf-8-sig")
    assert (checks["result"] == "fail").any()
    assert result.exit_code == 1


def test_unknown_gwp_and_lang_are_usage_errors(tmp_path, data):
    assert run("build", data, "--gwp", "AR9", "-o", tmp_path / "o").exit_code == 2
    assert run("build", data, "--lang", "fr", "-o", tmp_path / "o").exit_code == 2


def test_internal_error_exits_3_traceback_only_with_debug(tmp_path, data, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("inventory.build.compile_inventory", broken)
    result = run("build", data, "-o", tmp_path / "o")
    assert result.exit_code == 3 and "Traceback" not in result.output and "内部错误" in result.output
    result = run("build", data, "-o", tmp_path / "o", "--debug")
    assert result.exit_code == 3 and "Traceback" in result.output


def test_validate_messages_in_chinese_or_english(tmp_path):
    bad = write_workbook(tmp_path / "bad.xlsx", [["长沙", 2019, "1.A.1.a", "原煤", "", -1, "万吨"]])
    assert "活动水平为负数" in run("validate", bad).output
    assert "negative amount" in run("validate", bad, "--lang", "en").output


def test_validate_clean_and_json(tmp_path, data):
    assert run("validate", data).exit_code == 0
    bad = write_workbook(tmp_path / "bad.xlsx", [["长沙", 2019, "1.A.1.a", "原煤", "", -1, "万吨"]])
    result = run("validate", bad, "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["rows"] == {"read": 1, "used": 0, "skipped": 0, "rejected": 1}
    assert (report["problems"][0]["code"], report["problems"][0]["message"]) == ("negative_amount", "活动水平为负数")
    english = json.loads(run("validate", bad, "--format", "json", "--lang", "en").stdout)
    assert english["problems"][0]["message"] == "negative amount"


def test_factors_check_list_show(tmp_path):
    assert run("factors", "check", ROOT / "emission_factors").exit_code == 0
    broken = tmp_path / "f"
    broken.mkdir()
    (broken / "x.csv").write_text("factor_id,value\na,1\n", encoding="utf-8")
    assert run("factors", "check", broken).exit_code == 2
    listing = run("factors", "list", "--category", "1.A.1.a", "--activity", "原煤", "--technology", "pc_boiler",
                  "--substance", "CO", "--format", "csv")
    assert listing.exit_code == 0
    rows = pd.read_csv(__import__("io").StringIO(listing.stdout))
    winner = rows[rows["applies"]]
    assert winner["factor_id"].tolist() == ["tcses.d1.1A1a.raw_coal.pc_boiler.co"]
    assert "emep23.1A1a.3_2.raw_coal.co" in set(rows["factor_id"])
    shown = run("factors", "show", "tcses.d1.1A1a.raw_coal.pc_boiler.co")
    assert shown.exit_code == 0 and "T/CSES 144-2024" in shown.stdout
    assert run("factors", "show", "no.such.id").exit_code == 2


def test_project_file_build(tmp_path, data):
    (tmp_path / "inventory.toml").write_text(
        '[project]\nname = "测试"\nregions = ["430100"]\nyears = "2019"\ninputs = ["data/"]\n', encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", tmp_path / "inventory.toml", "-o", out).exit_code == 0
    table = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    assert set(table["region"]) == {"430100"}


def test_shipped_example_builds_to_its_golden_totals(tmp_path):
    """The example's totals per region, year, sector, substance, kind and basis are pinned in
    tests/golden/hunan_totals.csv (issue 11): a change to any number shows up in review. Regenerate
    on purpose only: `python tests/golden/totals.py OUT/emissions.csv`."""
    from golden.totals import KEYS, read_golden, totals

    out = tmp_path / "out"
    result = run("build", ROOT / "examples" / "hunan", "-o", out)
    assert result.exit_code in (0, 1), result.output
    table = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    assert {"430000", "430100", "433100"} <= set(table["region"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"]["rejected"] == 0
    got, golden = totals(table), read_golden()
    assert got[KEYS].astype(str).values.tolist() == golden[KEYS].astype(str).values.tolist()
    pd.testing.assert_frame_equal(got[["emission", "co2e_t"]], golden[["emission", "co2e_t"]], rtol=1e-9,
                                  check_dtype=False)


def test_analysis_tables_are_written(tmp_path):
    rows = GOOD + [["430000", 2019, "", "原煤", "", 5, "%", "uncertainty.activity", "统计误差", ""]]
    data = write_workbook(tmp_path / "u.xlsx", rows)
    for name in ("a", "b"):
        assert run("build", data, "-o", tmp_path / name, "--draws", 2000, "--seed", 7).exit_code == 0
    keys = pd.read_csv(tmp_path / "a" / "key_categories.csv", encoding="utf-8-sig", dtype={"region": str})
    assert {"level"} <= set(keys["assessment"]) and keys["key"].any()
    unc = pd.read_csv(tmp_path / "a" / "uncertainty.csv", encoding="utf-8-sig", dtype={"region": str})
    assert set(unc["approach"]) == {1, 2} and {"category", "sector", "total"} <= set(unc["level"])
    assert (tmp_path / "a" / "uncertainty.csv").read_bytes() == (tmp_path / "b" / "uncertainty.csv").read_bytes()
