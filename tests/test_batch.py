"""Project builds over many region-years (issue 5, issue 14): a folder per region holding all its years,
parallel writing, and a failure in one region-year that leaves the others built (DESIGN 3.7, 3.8)."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from conftest import write_workbook
from inventory.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def rows(year, coal_xiangtan=30):
    return [["长沙", year, "1.A.1.a", "原煤", "", 40, "万吨", "", "统计局", ""],
            ["株洲", year, "1.A.1.a", "原煤", "", 55, "万吨", "", "统计局", ""],
            ["湘潭", year, "1.A.4.b", "天然气", "", 0.5, "亿立方米", "", "统计局", ""],
            ["湘潭", year, "1.A.1.a", "原煤", "", coal_xiangtan, "万吨", "", "统计局", ""]]


def project(tmp_path, bad_year=None):
    for year in (2018, 2019):
        data = rows(year, "三十" if year == bad_year else 30)
        write_workbook(tmp_path / "data" / f"energy_{year}.xlsx", data)
    (tmp_path / "inventory.toml").write_text(
        '[project]\nname = "批量"\nregions = [\"430000\", \"430100\", \"430200\", \"430300\"]\nyears = "2018-2019"\ninputs = ["data/"]\n', encoding="utf-8")
    return tmp_path / "inventory.toml"


def test_issue_14_every_region_gets_one_folder_with_all_its_years_and_the_combined_outputs_hold_all(tmp_path):
    out = tmp_path / "out"
    result = run("build", project(tmp_path), "-o", out, "--jobs", "2")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    pairs = set(zip(table["region"], table["year"]))
    # three prefectures and the province (aggregated from them), two years
    assert pairs == {(r, y) for r in ("430000", "430100", "430200", "430300") for y in (2018, 2019)}
    for region in {r for r, _ in pairs}:
        folder = out / region
        assert (folder / "report.html").is_file() and (folder / "inventory.xlsx").is_file()
        assert not any(p.is_dir() for p in folder.iterdir())  # no folder per year any more
        own = pd.read_csv(folder / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
        assert set(own["year"]) == {2018, 2019} and region in set(own["region"])
        # its time series inside: the workbook's and the report's years are both years
        assert "2018" in (folder / "report.html").read_text(encoding="utf-8")
        mine = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert mine["status"] == "ok" and mine["region"] == region
        assert [(y["year"], y["status"]) for y in mine["years"]] == [(2018, "ok"), (2019, "ok")]
        assert {"inventory.xlsx", "report.html", "emissions.csv", "manifest.json"} <= set(mine["outputs"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {(r["region"], r["year"], r["status"]) for r in manifest["region_years"]} == \
        {(r, y, "ok") for r, y in pairs}
    assert "430100/inventory.xlsx" in manifest["outputs"]


def test_one_process_and_two_give_the_same_files(tmp_path):
    path = project(tmp_path)
    run("build", path, "-o", tmp_path / "one", "--jobs", "1")
    run("build", path, "-o", tmp_path / "two", "--jobs", "2")
    for name in ("emissions.csv", "430200/emissions.csv", "430000/checks.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_bad_row_fails_its_region_year_and_province_only(tmp_path):
    out = tmp_path / "out"
    result = run("build", project(tmp_path, bad_year=2019), "-o", out)
    assert result.exit_code == 2, result.output
    assert "三十" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    status = {(r["region"], r["year"]): r["status"] for r in manifest["region_years"]}
    # 湘潭 2019 has the bad row; 湖南省 2019 is summed from it, so it fails too; the rest are built.
    assert status[("430300", 2019)] == "failed" and status[("430000", 2019)] == "failed"
    assert status[("430100", 2019)] == status[("430300", 2018)] == status[("430000", 2018)] == "ok"
    # 湘潭's folder holds its good year 2018; its manifest lists 2019 as failed with the rejected row.
    partial = json.loads((out / "430300" / "manifest.json").read_text(encoding="utf-8"))
    assert partial["status"] == "partial" and partial["rejected"][0]["value"] == "三十"
    assert [(y["year"], y["status"], y["rejected"]) for y in partial["years"]] == [(2018, "ok", 0), (2019, "failed", 1)]
    for region in ("430300", "430000"):  # the failed year is left out of the region's files
        own = pd.read_csv(out / region / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
        assert set(own.loc[own["region"] == region, "year"]) == {2018}
    province = json.loads((out / "430000" / "manifest.json").read_text(encoding="utf-8"))
    assert [(y["year"], y["message"]) for y in province["years"] if y["status"] == "failed"] == \
        [(2019, "region_year_prefecture_failed")]
    table = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    assert not ((table["region"] == "430300") & (table["year"] == 2019)).any()
    # 湘潭 2018: its coal (30 万吨) and gas are there
    x18 = table[(table["region"] == "430300") & (table["year"] == 2018) & (table["substance"] == "CO2")]
    assert set(x18["activity"]) == {"raw_coal", "natural_gas"}


def test_outside_a_project_a_bad_row_still_stops_the_whole_build(tmp_path):
    project(tmp_path, bad_year=2019)
    out = tmp_path / "out"
    result = run("build", tmp_path / "data", "-o", out)
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_issue_14_a_region_folder_holds_its_own_rows_and_still_compares_with_its_parts(tmp_path):
    """DESIGN 3.7: OUT/<code>/ holds that region's own files. The province (aggregated from three
    prefectures) gets its own rows only in its detail sheet, emissions.csv and .parquet (the prefectures'
    rows are in their folders), while its region comparison sheet still lists the three prefectures."""
    import openpyxl

    from inventory.report.summaries import labels

    out = tmp_path / "out"
    result = run("build", project(tmp_path), "-o", out, "--jobs", "2")
    assert result.exit_code == 0, result.output
    combined = (out / "emissions.csv").read_bytes().split(b"\n")
    for region in ("430000", "430100"):
        mine = (out / region / "emissions.csv").read_bytes().split(b"\n")
        # the header, then exactly the combined file's lines of this region, in its order
        assert mine[0] == combined[0]
        assert mine[1:-1] == [line for line in combined[1:] if line.startswith(region.encode() + b",")]
        assert set(pd.read_parquet(out / region / "emissions.parquet")["region"]) == {region}
    own = pd.read_csv(out / "430000" / "emissions.csv", encoding="utf-8-sig", dtype={"region": str})
    assert set(own["basis"]) == {"aggregated"} and len(own) > 0
    lbl = labels("zh")
    book = openpyxl.load_workbook(out / "430000" / "inventory.xlsx", read_only=True)
    detail = list(book[lbl["sheet_detail"]].iter_rows(min_row=2, values_only=True))
    assert len(detail) == len(own) and {row[0] for row in detail} == {"430000"}
    compared = {row[1] for row in book[lbl["sheet_regions"]].iter_rows(min_row=2, values_only=True)}
    assert {"430100", "430200", "430300"} <= compared


def test_spawned_region_writers_give_the_same_files_as_forked_ones(tmp_path, monkeypatch):
    """Where fork is not used (macOS, Windows) the workers are spawned and sent the result once; the
    region files are the same."""
    from inventory.report import outputs

    path = project(tmp_path)
    run("build", path, "-o", tmp_path / "fork", "--jobs", "2")
    monkeypatch.setattr(outputs, "START_METHOD", "spawn")
    result = run("build", path, "-o", tmp_path / "spawn", "--jobs", "2")
    assert result.exit_code == 0, result.output
    for name in ("emissions.csv", "430000/emissions.csv", "430200/emissions.parquet", "430300/checks.csv"):
        assert (tmp_path / "fork" / name).read_bytes() == (tmp_path / "spawn" / name).read_bytes()
    assert (tmp_path / "spawn" / "430100" / "inventory.xlsx").is_file()


def test_emissions_files_written_beside_the_checks_are_the_same_and_leave_no_folder(tmp_path, monkeypatch):
    """With --jobs 2 the emissions files are written by a process started as soon as the emissions are made
    (outputs.start_emission_files); they equal those of a one-process build, its folder is gone, and when that
    process fails the build writes them itself."""
    from inventory.report import outputs

    path = project(tmp_path)
    started = []
    start = outputs.start_emission_files
    monkeypatch.setattr("inventory.build.start_emission_files", lambda *a: started.append(start(*a)) or started[-1])
    run("build", path, "-o", tmp_path / "one", "--jobs", "1")
    assert started == [None]
    run("build", path, "-o", tmp_path / "two", "--jobs", "2")
    assert started[-1] is not None
    monkeypatch.setattr(outputs, "_emission_files_child", lambda *a: 1 / 0)  # the forked process fails
    result = run("build", path, "-o", tmp_path / "failed", "--jobs", "2")
    assert result.exit_code == 0, result.output
    names = ["emissions.csv", "emissions.parquet", "430000/emissions.csv", "430200/emissions.parquet"]
    for out in ("two", "failed"):
        assert [p.name for p in (tmp_path / out).iterdir() if p.name.startswith(".")] == []
        for name in names:
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / out / name).read_bytes()


def test_a_build_whose_checks_fail_after_the_emissions_files_started_leaves_no_folder(tmp_path, monkeypatch):
    """The emissions files' process is started before the checks (--jobs 2); when the compute stage then fails,
    the process is stopped and neither its scratch folder nor an empty output folder is left."""
    path = project(tmp_path)

    def broken(context):
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr("inventory.build.run_checks", broken)
    result = run("build", path, "-o", tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 3, result.output
    assert not (tmp_path / "out").exists()
