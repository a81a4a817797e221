"""The shipped example projects (examples/hunan, examples/hunan-revision): regeneration, statistics,
and the deliberate difference between the two editions (issue 5: `compare` explains it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from inventory.build import compile_inventory
from inventory.factors.load import load_all
from inventory.project import load_project
from inventory.read import read_inputs

ROOT = Path(__file__).resolve().parents[1]
HUNAN = ROOT / "examples" / "hunan"
REVISION = ROOT / "examples" / "hunan-revision"
YEARS = (2017, 2018, 2019)  # the prefectures' illustrative split
SERIES = tuple(range(2011, 2023))  # the province: every year of CEADs' Hunan energy inventory
PREFECTURES = ["430100", "430200", "430300", "430400", "430500", "430600", "430700", "430800", "430900",
               "431000", "431100", "431200", "431300", "433100"]


def test_example_workbooks_are_what_make_example_writes(tmp_path):
    """make_example.py, run on a copy of source/, writes byte-identical workbooks (deterministic, and
    nobody edited a generated file by hand). It runs in its own process: it keeps openpyxl off lxml."""
    work = tmp_path / "examples" / "hunan"
    shutil.copytree(HUNAN / "source", work / "source")
    shutil.copy(HUNAN / "make_example.py", work)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "make_example.py"], cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    written = sorted((work / "data").glob("*.xlsx")) + sorted((tmp_path / "examples" / "hunan-revision").rglob("*.xlsx"))
    assert len(written) == len(SERIES) + 3 * 14 + 2 + 1
    for path in written:
        shipped = ROOT / path.relative_to(tmp_path)
        assert shipped.read_bytes() == path.read_bytes(), shipped


def test_project_covers_the_series_and_revision_lists_every_other_workbook():
    assert load_project(HUNAN / "inventory.toml").years == set(SERIES)
    spec = tomllib.loads((REVISION / "inventory.toml").read_text(encoding="utf-8"))["project"]
    listed = [(REVISION / p).resolve() for p in spec["inputs"]]
    outside = {f"430000_{kind}_{y}.xlsx" for kind in ("能源平衡表", "能源供应") for y in SERIES
               if y not in YEARS}  # the revision's years only
    expected = [p.resolve() for p in sorted((HUNAN / "data").glob("*.xlsx"))
                if p.name != "431300_能源_2019.xlsx" and p.name not in outside]
    assert listed == expected + [(REVISION / "data" / "431300_能源_2019_修订.xlsx").resolve()]
    assert all(p.is_file() for p in listed)


UNIT_TO_STAT = {"亿元": 1.0, "万元": 1e-4, "万人": 1.0, "人": 1e-4, "万吨标准煤": 1.0, "%": 1.0}  # DESIGN 3.5 prefixes


def test_statistics_add_up_and_published_figures_are_kept():
    """Prefectures add up to the province for every year and indicator (the derivation hands out the
    province's remainder); the published figures stand as printed, the rest is marked illustrative."""
    stats = pd.read_excel(HUNAN / "data" / "统计指标.xlsx", engine="calamine", dtype={"地区": str})
    regions = pd.read_csv(ROOT / "src" / "inventory" / "data" / "regions.csv", dtype=str, keep_default_na=False)
    names = {n: r.code for r in regions.itertuples() for n in [r.code, r.name_zh, *r.aliases.split(";")] if n}
    stats["region"] = stats["地区"].map(names)
    stats["indicator"] = stats["活动"].map({"gdp": "gdp", "地区生产总值": "gdp", "population": "population",
                                            "常住人口": "population", "gdp_constant": "gdp_constant",
                                            "energy_consumption": "energy_consumption",
                                            "non_fossil_share": "non_fossil_share"})
    stats["value"] = stats["活动水平"] * stats["单位"].map(UNIT_TO_STAT)
    assert stats["region"].notna().all() and stats["indicator"].notna().all() and stats["value"].notna().all()
    assert set(stats["排放源类别"]) == {"stat", "统计指标"}
    # province: gdp, gdp_constant, population every year, energy consumption 2013, non-fossil share 2022
    assert len(stats) == 14 * 3 * 2 + len(SERIES) * 3 + 2 and not stats.duplicated(["region", "年份", "indicator"]).any()
    table = stats[stats["年份"].isin(YEARS) & stats["indicator"].isin(["gdp", "population"])].pivot_table(
        index=["indicator", "年份"], columns="region", values="value")
    # Rounding: 亿元 and 万人 to 0.01, 万元 and 人 to 1 (= 1e-4 亿元 / 万人): 14 prefectures, at most 0.07.
    assert (table[PREFECTURES].sum(axis=1) - table["430000"]).abs().max() < 0.08
    value = stats.set_index(["region", "年份", "indicator"])["value"]
    # The province: the NBS provincial panel (source/nbs_hunan_gdp_population_2011_2022.csv, PROVENANCE.md).
    assert value[("430000", 2019, "gdp")] == pytest.approx(39930.7)
    assert value[("430000", 2011, "population")] == pytest.approx(6581)
    assert value[("430000", 2022, "population")] == pytest.approx(6604)
    # GDP at 2020 prices, chained by hand with the GDP index (previous year = 100): 2022 = 41693.7 x 1.076 x 1.042,
    # 2019 = 41693.7 / 1.038
    assert value[("430000", 2022, "gdp_constant")] == pytest.approx(41693.7 * 1.076 * 1.042, abs=1e-3)
    assert value[("430000", 2019, "gdp_constant")] == pytest.approx(41693.7 / 1.038, abs=1e-3)
    assert value[("430000", 2013, "energy_consumption")] == pytest.approx(17600)
    assert value[("430000", 2022, "non_fossil_share")] == pytest.approx(23.5)
    # Prefecture figures of the bulletins stand as printed (source/hunan_statistics_published.csv).
    assert value[("430100", 2019, "gdp")] == pytest.approx(11574.22)
    published = pd.read_csv(HUNAN / "source" / "hunan_statistics_published.csv", dtype={"region": str})
    published = published[published["region"] != "430000"]
    prefs = stats[stats["region"] != "430000"]
    real = prefs.set_index(["region", "年份", "indicator"]).index.isin(
        published.set_index(["region", "year", "indicator"]).index)
    assert real.sum() == len(published)
    assert prefs.loc[~real, "数据来源"].eq("示例数据（非统计数据）").all()
    assert not stats.loc[stats["region"] == "430000", "数据来源"].str.contains("示例数据").any()


def _build(paths, base):
    inputs, _ = read_inputs(paths, {"431300"}, {2019}, base=base)
    assert not inputs.errors, [str(p) for p in inputs.errors]
    return compile_inventory(inputs, load_all(None), built={"431300"}).emissions


def test_revised_edition_changes_one_activity_and_one_factor():
    """Loudi 2019 in the revised edition: raw coal of 1.A.2.f +10 % (52.2153 -> 57.44 x10^4 t), and a
    local ef.CO2 of 96,100 kg/TJ (IPCC 2006 Vol.2 Table 1.4, sub-bituminous coal) for 1.A.1.a raw coal
    (417.005 x10^4 t); every other emission row is the same."""
    old = _build([HUNAN / "data" / "431300_能源_2019.xlsx"], HUNAN)
    new = _build([REVISION / "data" / "431300_能源_2019_修订.xlsx"], REVISION)
    key = ["region", "year", "category", "activity", "technology", "substance"]
    both = old.merge(new, on=key, suffixes=("_old", "_new"), validate="one_to_one")
    assert len(both) == len(old) == len(new)

    ncv = 20.908                               # GJ/t, China Energy Statistical Yearbook 2022 App. 4, 原煤
    ef_default = 25.8 * 44 / 12                # t CO2/TJ: IPCC Table 1.3 carbon content x 44/12, oxidation 1
    coal = both[(both["activity"] == "raw_coal") & (both["substance"] == "CO2")].set_index("category")

    act = coal.loc["1.A.2.f"]                  # activity effect only: (A_new - A_old) x F_old
    assert act["activity_amount_old"] == pytest.approx(52.2153e4 * ncv / 1e3)
    assert act["activity_amount_new"] == pytest.approx(57.44e4 * ncv / 1e3)
    assert act["implied_factor_new"] == pytest.approx(act["implied_factor_old"])
    assert act["emission_new"] - act["emission_old"] == pytest.approx((57.44e4 - 52.2153e4) * ncv / 1e3 * ef_default)

    fac = coal.loc["1.A.1.a"]                  # factor effect only: A_new x (F_new - F_old)
    assert fac["activity_amount_new"] == pytest.approx(fac["activity_amount_old"])
    assert fac["implied_factor_old"] == pytest.approx(ef_default)
    assert fac["implied_factor_new"] == pytest.approx(96.1)
    assert fac["emission_new"] - fac["emission_old"] == pytest.approx(417.005e4 * ncv / 1e3 * (96.1 - ef_default))

    changed = both[(both["emission_old"] - both["emission_new"]).abs() > 1e-9 * both["emission_old"].abs()]
    assert set(zip(changed["category"], changed["activity"])) == {("1.A.2.f", "raw_coal"), ("1.A.1.a", "raw_coal")}
    assert set(changed.loc[changed["category"] == "1.A.1.a", "substance"]) == {"CO2"}
