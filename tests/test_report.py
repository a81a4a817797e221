"""Excel workbook and HTML report rendered from a small hand-made BuildResult."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
from markupsafe import escape

import inventory.resources
from inventory.report import excel, html
from inventory.result import CHECK_COLUMNS, EMISSION_COLUMNS, BuildResult

TEMPLATES = pathlib.Path(__file__).resolve().parents[1] / "templates"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
# AR5 100-year GWP: CH4 28, N2O 265.
GWP = {"CO2": 1.0, "CH4": 28.0, "N2O": 265.0}


def _row(region, name, category, cat_name, sector, activity, substance, emission, kind="emission",
         basis="own"):
    """One emissions row (t); co2e_t filled for greenhouse gases only."""
    ghg = substance in GWP
    return {
        "region": region, "region_name": name, "year": 2020, "category": category,
        "category_name": cat_name, "activity": activity, "technology": "", "substance": substance,
        "emission": emission, "unit": "t", "co2e_t": emission * GWP[substance] if ghg else None,
        "gwp_set": "AR5", "activity_amount": 100.0, "activity_unit": "TJ",
        "implied_factor": emission / 100.0, "factor_ids": "f1;f2", "kind": kind, "basis": basis,
        "sector": sector, "substance_kind": "ghg" if ghg else "pollutant",
    }


def make_result() -> BuildResult:
    """Province 430000 and prefecture 430100 in 2020 with a memo, a sink and hostile labels."""
    prov, pref = ("430000", "湖南省"), ("430100", SCRIPT)
    rows = [
        _row(*prov, "1.A.1.a", "电力和热力生产", "energy", "raw_coal", "CO2", 1000.0),
        _row(*prov, "1.A.1.a", "电力和热力生产", "energy", "raw_coal", "CH4", 1.0),
        _row(*prov, "1.A.1.a", "电力和热力生产", "energy", "raw_coal", "SO2", 50.0),
        _row(*prov, "1.A.3.b", "道路运输", "energy", "diesel_oil", "N2O", 0.5),
        _row(*prov, "1.A.3.a.i", "国际航空", "energy", "kerosene", "CO2", 200.0, kind="memo"),
        _row(*prov, "3.A.1", "动物肠道发酵", "agriculture", "dairy_cattle", "CH4", 10.0),
        _row(*prov, "3.A.2", "动物粪便管理", "agriculture", "swine", "NH3", 5.0),
        _row(*prov, "3.B.1", "林地", "land_use", "forest", "CO2", -300.0, kind="sink"),
        _row(*pref, "1.A.1.a", "电力和热力生产", "energy", FORMULA, "CO2", 400.0),
        _row(*pref, "1.A.1.a", "电力和热力生产", "energy", FORMULA, "SO2", 20.0),
        _row(*pref, "3.A.1", "动物肠道发酵", "agriculture", "dairy_cattle", "CH4", 4.0),
    ]
    emissions = pd.DataFrame(rows).reindex(columns=[*EMISSION_COLUMNS, "sector", "substance_kind"])
    checks = pd.DataFrame([
        ["province_vs_prefectures", "430000", 2020, "1", "CO2", 1000.0, 400.0, 150.0, "fail"],
        ["duplicate_rows", "430100", 2020, "", "", 0.0, 0.0, 0.0, "pass"],
        ["yoy_change", "430000", 2020, "3.A.1", "CH4", 10.0, 9.0, 11.1, "warn"],
    ], columns=CHECK_COLUMNS)
    not_estimated = pd.DataFrame([{
        "region": "430100", "year": 2020, "category": "2.A.1", "category_name": "水泥生产",
        "activity": SCRIPT, "substance": "CO2", "reason": "NE",
    }])
    ledger = pd.DataFrame([
        {"file": "a.xlsx", "sheet": "能源", "row": 2, "status": "used"},
        {"file": "a.xlsx", "sheet": "能源", "row": 3, "status": "used"},
        {"file": "a.xlsx", "sheet": "能源", "row": 4, "status": "skipped", "reason": "blank"},
        {"file": "a.xlsx", "sheet": "能源", "row": 5, "status": "rejected", "reason": "unknown region",
         "column": "地区 (A)", "value": FORMULA, "expected": "region code or name"},
    ])
    meta = {"program_version": "0.1.0", "factor_set": "2024.1", "gwp_set": "AR5",
            "build_time": "2024-05-01T12:00:00+08:00",
            "inputs": [{"path": "data/a.xlsx", "sha256": "ab" * 32}]}
    return BuildResult(emissions, checks, not_estimated, ledger, [], meta)


# Gross total of 430000 in t CO2e, by hand: CO2 1000 + CH4 1 x 28 + N2O 0.5 x 265 + CH4 10 x 28;
# the memo (200 t CO2, international aviation) and the sink (-300 t CO2, forest) are left out.
EXPECTED_GROSS_430000 = 1000.0 + 28.0 + 132.5 + 280.0


@pytest.fixture(autouse=True)
def templates_from_checkout(monkeypatch):
    """Read templates from the repository's templates/ (the package is not installed in tests)."""
    monkeypatch.setattr(inventory.resources, "template_text",
                        lambda name: (TEMPLATES / name).read_text(encoding="utf-8"))


@pytest.fixture
def result() -> BuildResult:
    """The synthetic build result."""
    return make_result()


@pytest.mark.parametrize("lang, sheets", [
    ("zh", ["汇总", "能源活动", "农业", "土地利用变化和林业", "大气污染物", "地区对比", "明细", "质量检查", "元数据"]),
    ("en", ["Summary", "Energy", "Agriculture", "Land-use change and forestry", "Air pollutants", "Regions",
            "Detail", "QA-QC", "Metadata"]),
])
def test_workbook_sheets(result, tmp_path, lang, sheets):
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path, lang=lang)
    assert openpyxl.load_workbook(path).sheetnames == sheets


def test_formula_label_is_text(result, tmp_path):
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path)
    ws = openpyxl.load_workbook(path)["明细"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def test_gross_total_excludes_memo_and_sinks(result, tmp_path):
    table = excel.sector_gas_summary(result.emissions)
    prov = table[table["region"] == "430000"].set_index("row_type")
    assert prov.loc["gross", "total"] == pytest.approx(EXPECTED_GROSS_430000)
    assert prov.loc["sink", "total"] == pytest.approx(-300.0)
    assert prov.loc["net", "total"] == pytest.approx(EXPECTED_GROSS_430000 - 300.0)
    assert prov.loc["memo", "total"] == pytest.approx(200.0)
    path = tmp_path / "inventory.xlsx"
    excel.write_workbook(result, path)
    rows = list(openpyxl.load_workbook(path)["汇总"].iter_rows(values_only=True))
    gross = [r for r in rows if r[0] == "430000" and r[3] == "排放总量（不含信息项和碳汇）"]
    assert gross[0][-1] == pytest.approx(EXPECTED_GROSS_430000)


def test_sector_tree_sums_descendants_without_memo(result):
    tree = excel.sector_tree(result.emissions, "energy").set_index(["region", "category"])
    assert tree.loc[("430000", "1"), "CO2"] == pytest.approx(1000.0)
    assert tree.loc[("430000", "1.A.3.a.i"), "CO2"] == pytest.approx(200.0)
    assert tree.loc[("430000", "1.A"), "co2e_t"] == pytest.approx(1000.0 + 28.0 + 132.5)


def test_region_comparison_difference(result):
    comp = excel.region_comparison(result.emissions).set_index("row_type")
    assert comp.loc["prefecture_sum", "CO2e"] == pytest.approx(400.0 + 4.0 * 28)
    assert comp.loc["difference", "SO2"] == pytest.approx(50.0 - 20.0)


def test_html_is_self_contained_and_escaped(result):
    page = html.render_html(result)
    # The rejected row's value FORMULA is shown as escaped text; apart from it, no URL at all.
    assert escape(FORMULA) in page
    outside_data = page.replace(escape(FORMULA), "")
    assert "http://" not in outside_data and "https://" not in outside_data
    assert " src=" not in page and "url(" not in page and "@import" not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg" in page
    assert "温室气体与大气污染物排放清单报告" in page


def test_html_english(result):
    page = html.render_html(result, lang="en")
    assert "Greenhouse gas and air pollutant emission inventory report" in page
    assert '<html lang="en">' in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed")
def test_html_renders_in_chromium(result, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html.render_html(result), encoding="utf-8")
    profile = tmp_path / "profile"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
           "--dump-dom", page.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "温室气体与大气污染物排放清单报告" in dom
    shutil.rmtree(profile, ignore_errors=True)
