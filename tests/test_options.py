"""Project files validated whole, checks as a registry, the build's options owned by the library (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_workbook
from inventory.build import BuildOptions, build_inventory
from inventory.cli import app
from inventory.errors import UsageError
from inventory.project import load_project
from inventory.province import statistics
from inventory.qa.checks import CHECKS
from inventory.qa.external import read_external

ROWS = [["430000", 2019, "1.A.4.b", "原煤", "", 100, "万吨", "", "统计局", ""],
        ["长沙", 2019, "1.A.1.a", "原煤", "", 40, "万吨", "", "统计局", ""]]
CEADS = ["year,source_sheet,row_order,row_label,fuel,unit,value",
         "2019,Hunan2019,47,Rural,Raw_Coal,Mt CO2,1.97"]


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})


def project(tmp_path: Path, checks: str = "", head: str = "", ceads: list[str] = CEADS) -> Path:
    """A project folder: one workbook in data/, a CEADs CSV in source/, inventory.toml with `checks`."""
    write_workbook(tmp_path / "data" / "energy.xlsx", ROWS)
    (tmp_path / "source").mkdir(exist_ok=True)
    (tmp_path / "source" / "ceads.csv").write_text("\n".join(ceads) + "\n", encoding="utf-8")
    toml = tmp_path / "inventory.toml"
    toml.write_text(f'[project]\nyears = [2019]\ninputs = ["data/"]\n{head}\n{checks}\n', encoding="utf-8")
    return toml


def problems_of(toml: Path) -> list:
    with pytest.raises(UsageError) as err:
        load_project(toml)
    return err.value.problems


def test_issue_11_misspelt_check_name_is_a_usage_error_with_the_nearest_name(tmp_path):
    toml = project(tmp_path, "[checks.provnce_vs_prefectures]\nwarn = 0.1\nfail = 0.2\n")
    [p] = problems_of(toml)
    assert (p.code, p.column, p.value, p.suggestion) == ("unknown_check", "checks.provnce_vs_prefectures",
                                                            "provnce_vs_prefectures", "province_vs_prefectures")
    assert "year_jump" in p.expectation("en")  # the known names are listed
    result = run("build", toml, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "provnce_vs_prefectures" in result.output and "是否为“province_vs_prefectures”" in result.output
    assert not (tmp_path / "out").exists()


def test_issue_11_unknown_setting_or_key_is_a_usage_error(tmp_path):
    toml = project(tmp_path, "[checks.year_jump]\nwran = 0.1\n[checks.external_ceads]\nfail = 0.2\nregion = 1\n"
                             "[check.facility]\nwarn = 0.1\n", head='yaers = "2019"')
    found = {(p.code, p.column, p.value, p.suggestion) for p in problems_of(toml)}
    assert found == {("unknown_check_setting", "checks.year_jump.wran", "wran", "warn"),
                     ("unknown_region", "checks.external_ceads.region", "1", ""),
                     ("unknown_key", "check", "check", "checks"),
                     ("unknown_key", "project.yaers", "yaers", "years")}
    result = run("build", toml, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "wran" in result.output and "yaers" in result.output


def test_issue_11_every_check_has_a_registered_schema_and_defaults():
    # DESIGN 3.8's list.
    assert list(CHECKS) == ["province_vs_prefectures", "province_vs_prefectures_fuel", "reference_approach",
                            "external_ceads", "external_official", "facility", "ghg_pollutant_consistency", "so2_implied_fuel",
                            "completeness", "year_jump"]
    for check in CHECKS.values():
        assert set(check.defaults) <= set(check.settings), check.name  # every default is a setting one may give


def test_issue_11_former_external_key_warns_naming_the_new_key_and_the_check_runs(tmp_path):
    toml = project(tmp_path, '[checks.external]\npath = "source/ceads.csv"\n')
    [w] = load_project(toml).warnings
    assert (w.severity, w.column, w.value) == ("warning", "checks.external", "external")
    assert "[checks.external_ceads]" in w.message("en")
    assert "[checks.external_ceads]" in w.message("zh")
    out = tmp_path / "out"
    result = run("build", toml, "-o", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "external_ceads" in result.output
    checks = pd.read_csv(out / "checks.csv", encoding="utf-8-sig", dtype={"region": str})
    total = checks[(checks["check"] == "external_ceads") & (checks["category"] == "1.A")]
    assert total["reference"].tolist() == [pytest.approx(1.97e6)]  # CEADs' 1.97 Mt CO2 read from the file
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [w["code"] for w in manifest["warnings"]] == ["check_renamed"]
    # both names at once: the same check twice
    toml = project(tmp_path, '[checks.external]\nwarn = 0.1\n[checks.external_ceads]\nwarn = 0.1\n')
    assert [p.code for p in problems_of(toml)] == ["check_given_twice"]


def test_issue_11_bad_external_file_fails_before_any_compute(tmp_path, monkeypatch):
    bad = CEADS + ["2019,Hunan2019,48,Urban,Raw_Coal,Mt CO2,lots", "20x9,Hunan2019,49,Urban,Coke,Mt CO2,1",
                   "2019,Atlantis2019,50,Urban,Coke,Mt CO2,1", "2019,Hunan2019,51,Urban,Coke,TJ,1"]
    toml = project(tmp_path, '[checks.external_ceads]\npath = "source/ceads.csv"\n', ceads=bad)

    def compute(*args, **kwargs):
        raise AssertionError("compute reached")

    monkeypatch.setattr("inventory.build.compile_inventory", compute)
    monkeypatch.setattr("inventory.build.read_inputs", compute)
    result = run("build", toml, "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "ceads.csv" in result.output and "lots" in result.output
    assert not (tmp_path / "out").exists()
    with pytest.raises(UsageError) as err:
        read_external(tmp_path / "source" / "ceads.csv", co2=True)
    found = {(Path(p.file).name, p.row, p.column, p.value, p.code) for p in err.value.problems}
    assert found == {("ceads.csv", 3, "value", "lots", "not_a_number"),  # CSV line 3: header is line 1
                     ("ceads.csv", 4, "year", "20x9", "not_a_year"),
                     ("ceads.csv", 5, "source_sheet", "Atlantis2019", "external_region_unknown"),
                     ("ceads.csv", 6, "unit", "TJ", "unit_not_a_mass")}
    assert run("validate", toml).exit_code == 2  # validate reads what a build reads first


def test_issue_11_external_workbook_errors_name_sheet_row_and_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hunan2019"
    ws.append(["", "Raw_Coal", "Cleaned Coal"])
    ws.append(["Rural", 1.97, "很多"])
    wb.save(tmp_path / "ceads.xlsx")
    with pytest.raises(UsageError) as err:
        read_external(tmp_path / "ceads.xlsx", co2=True)
    [p] = err.value.problems
    assert (p.sheet, p.row, p.column, p.value, p.code) == ("Hunan2019", 2, "C", "很多", "not_a_number")


def test_issue_11_build_options_from_project_merge_overrides_as_the_cli_did(tmp_path):
    toml = project(tmp_path, "[checks.year_jump]\nwarn = 0.2\n", head='gwp = "AR4"\nregions = "all"\n'
                                                                      'targets = "t.toml"')
    (tmp_path / "t.toml").write_text("", encoding="utf-8")
    (tmp_path / "myfactors").mkdir()
    proj = load_project(toml)
    plain = BuildOptions.from_project(proj)
    assert (plain.paths, plain.regions, plain.years, plain.gwp, plain.factor_dirs, plain.targets, plain.base) == (
        [tmp_path / "data"], None, {2019}, "AR4", [], tmp_path / "t.toml", tmp_path)
    assert plain.checks == {"year_jump": {"warn": 0.2}} and plain.project and plain.jobs >= 1
    over = BuildOptions.from_project(proj, out=tmp_path / "o", regions=["长沙"], years=["2018-2019"], gwp="ar6",
                                     lang="en", factor_dirs=[tmp_path / "myfactors"], jobs=2, targets=None)
    assert (over.regions, over.years, over.gwp, over.lang, over.factor_dirs, over.jobs, over.out) == (
        {"430100"}, {2018, 2019}, "AR6", "en", [tmp_path / "myfactors"], 2, tmp_path / "o")
    bare = BuildOptions.from_project(None, [tmp_path / "data"])
    assert (bare.gwp, bare.project, bare.checks, bare.base) == ("AR5", False, {}, Path.cwd())
    with pytest.raises(UsageError) as err:
        BuildOptions.from_project(proj, gwp="AR9", lang="fr", draws=5, factor_dirs=[tmp_path / "nope"],
                                  regions=["火星"])
    assert {p.code for p in err.value.problems} == {"unknown_gwp_set", "unknown_language", "invalid_setting",
                                                       "folder_not_found", "unknown_region"}
    # A Python caller builds what the command line builds from the same project and options.
    (tmp_path / "t.toml").unlink()
    toml.write_text(toml.read_text(encoding="utf-8").replace('targets = "t.toml"', ""), encoding="utf-8")
    options = BuildOptions.from_project(load_project(toml), out=tmp_path / "py", regions=["430000"], gwp="AR6",
                                        jobs=1)
    outcome = build_inventory(options)
    assert outcome.exit_code == 0
    # The activity rows, and the read's codes of them, are let go once computed (issue 14: not kept while writing).
    assert outcome.inputs.activity.empty and outcome.inputs.activity_codes == ()
    assert run("build", toml, "-o", tmp_path / "cli", "-r", "430000", "--gwp", "AR6", "-j", "1").exit_code == 0
    py, cli = (pd.read_csv(tmp_path / d / "emissions.csv", encoding="utf-8-sig") for d in ("py", "cli"))
    pd.testing.assert_frame_equal(py, cli)
    assert set(py["gwp_set"]) == {"AR6"}


def test_issue_11_statistics_follow_the_province_rule():
    """A province's own statistic stands; one it lacks is the sum of its prefectures' (DESIGN 3.6)."""
    rows = [("430000", 2019, "gdp", 100.0), ("430100", 2019, "gdp", 60.0), ("430200", 2019, "gdp", 35.0),
            ("430100", 2019, "population", 8.0), ("430200", 2019, "population", 4.0)]
    activity = pd.DataFrame(rows, columns=["region", "year", "activity", "amount"]).assign(category="stat")
    got = statistics(activity, {"430000", "430100", "430200"}).set_index(["region", "activity"])["amount"]
    assert got[("430000", "gdp")] == 100.0 and got[("430000", "population")] == 12.0
    assert got[("430100", "gdp")] == 60.0
    assert set(statistics(activity, {"430100"})["region"]) == {"430100"}  # a province not built gets nothing
