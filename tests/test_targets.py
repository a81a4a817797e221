"""Target tracking (DESIGN 3.9, targets.csv) against hand calculations.

path_value = base + (target - base) (year - base_year) / (target_year - base_year); status met (target
reached), on_track (at or better than the path), off_track (worse, before the target year), missed
(target year reached or passed, target not reached).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from inventory.analysis import TARGET_COLUMNS, load_targets, track_targets
from inventory.errors import InventoryError, UsageError

R1, R2, R3 = "430100", "430200", "430300"

TARGETS = """
[[indicator]]
id = "carbon_intensity"
name_zh = "单位地区生产总值二氧化碳排放"
name_en = "CO2 per unit of GDP"
kind = "intensity"
direction = "down"
numerator = { substance = "CO2" }
denominator = { activity = "gdp" }
unit = "t/万元"
regions = ["430100"]
base_year = 2020
target_year = 2025
change_pct = -18
source = "test"

[[indicator]]
id = "so2_total"
name_zh = "二氧化硫排放总量"
name_en = "SO2 emissions"
kind = "total"
direction = "down"
numerator = { substance = "SO2" }
unit = "t"
regions = ["长沙"]
base_year = 2020
base_value = 100
target_year = 2022
target_value = 80
source = "test"

[[indicator]]
id = "scrap_ratio"
name_zh = "废钢比"
name_en = "Scrap ratio"
kind = "activity_share"
direction = "up"
numerator = { activity = "废钢" }
denominator = { activity = "crude_steel" }
unit = "%"
regions = "all"
base_year = 2020
target_year = 2025
target_value = 30
source = "test"

[[indicator]]
id = "power_co2e"
name_zh = "电力热力CO2e"
name_en = "Power CO2e"
kind = "total"
direction = "down"
numerator = { substance = "co2e", category = "1.A.1" }
regions = ["430100"]
base_year = 2020
target_year = 2025
change_pct = -10
source = "test"

[[indicator]]
id = "secondary_metals"
name_zh = "再生有色金属产量"
name_en = "Secondary non-ferrous metals"
kind = "activity"
direction = "up"
numerator = { activity = "secondary_nonferrous_metals" }
unit = "万t"
regions = ["430100", "430300"]
base_year = 2020
target_year = 2025
target_value = 110
source = "test"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def emissions() -> pd.DataFrame:
    rows = []
    co2 = {2020: 5.0e6, 2021: 5.2e6, 2022: 5.8e6, 2023: 5.2e6}
    so2 = {2020: 100.0, 2021: 95.0, 2022: 85.0, 2023: 70.0}
    for year in co2:
        rows += [
            {"region": R1, "year": year, "category": "1.A.1.a", "substance": "CO2", "emission": co2[year] - 1e6,
             "co2e_t": co2[year] - 1e6, "kind": "emission"},
            {"region": R1, "year": year, "category": "1.A.3.b", "substance": "CO2", "emission": 1e6, "co2e_t": 1e6,
             "kind": "emission"},
            {"region": R1, "year": year, "category": "1.A.1.a", "substance": "CH4", "emission": 100.0,
             "co2e_t": 2800.0, "kind": "emission"},
            {"region": R1, "year": year, "category": "1.A.1.a", "substance": "CO2", "emission": 7e5, "co2e_t": 7e5,
             "kind": "memo"},
            {"region": R1, "year": year, "category": "1.A.1.a", "substance": "SO2", "emission": so2[year],
             "co2e_t": float("nan"), "kind": "emission"},
        ]
    rows.append({"region": R2, "year": 2021, "category": "1.A.1.a", "substance": "SO2", "emission": 10.0,
                 "co2e_t": float("nan"), "kind": "emission"})
    return pd.DataFrame(rows)


def activity() -> pd.DataFrame:
    gdp = {2020: 1.0e11, 2021: 1.1e11, 2022: 1.2e11, 2023: 1.3e11}  # 元 (canonical): 1000 亿元 ...
    rows = [{"region": R1, "year": y, "category": "stat", "activity": "gdp", "amount": v} for y, v in gdp.items()]
    rows += [{"region": R1, "year": 2020, "category": "stat", "activity": "scrap_steel", "amount": 2.0e5},
             {"region": R1, "year": 2021, "category": "stat", "activity": "scrap_steel", "amount": 3.0e5},
             {"region": R1, "year": 2020, "category": "2.C.1", "activity": "crude_steel", "amount": 2.0e6},
             {"region": R1, "year": 2021, "category": "2.C.1", "activity": "crude_steel", "amount": 2.0e6},
             {"region": R2, "year": 2021, "category": "stat", "activity": "scrap_steel", "amount": 1.0e5},
             {"region": R1, "year": 2021, "category": "stat", "activity": "secondary_nonferrous_metals",
              "amount": 8.0e5}]
    return pd.DataFrame(rows).assign(technology="")


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    spec = load_targets(write(tmp_path_factory.mktemp("t"), TARGETS))
    return track_targets(spec, emissions(), activity())


def pick(table, indicator, region, year):
    t = table[(table["indicator"] == indicator) & (table["region"] == region)]
    t = t[t["year"].isna()] if year is None else t[t["year"] == year]
    assert len(t) == 1, (indicator, region, year, len(t))
    return t.iloc[0]


def path(base, target, base_year, target_year, year):
    return base + (target - base) * (year - base_year) / (target_year - base_year)


def test_columns_follow_design(table):
    assert list(table.columns[:len(TARGET_COLUMNS)]) == TARGET_COLUMNS
    assert list(table["indicator"].drop_duplicates()) == ["carbon_intensity", "so2_total", "scrap_ratio",
                                                          "power_co2e", "secondary_metals"]  # file order


def test_intensity_change_target_and_three_statuses(table):
    """CO2 5.0e6 t / 1.0e11 元 = 5e-5 t/元 = 0.5 t/万元; target 0.5 x (1 - 0.18) = 0.41 in 2025.
    2021: 5.2e6/1.1e11 x 1e4 = 0.47273 <= path 0.482 -> on_track; 2022: 0.48333 > path 0.464 -> off_track;
    2023: 0.4 <= 0.41 -> met (memo CO2 and CH4 are not CO2)."""
    base, target = 5.0e6 / 1.0e11 * 1e4, 5.0e6 / 1.0e11 * 1e4 * 0.82
    r = pick(table, "carbon_intensity", R1, 2020)
    assert r["base_value"] == pytest.approx(base) and r["target_value"] == pytest.approx(target)
    assert r["status"] == "on_track"
    r = pick(table, "carbon_intensity", R1, 2021)
    assert r["value"] == pytest.approx(5.2e6 / 1.1e11 * 1e4)
    assert r["path_value"] == pytest.approx(path(base, target, 2020, 2025, 2021))
    assert r["path_value"] == pytest.approx(0.482)
    assert r["status"] == "on_track"
    r = pick(table, "carbon_intensity", R1, 2022)
    assert r["value"] == pytest.approx(5.8e6 / 1.2e11 * 1e4)
    assert r["path_value"] == pytest.approx(0.464)
    assert r["status"] == "off_track"
    r = pick(table, "carbon_intensity", R1, 2023)
    assert r["value"] == pytest.approx(0.4) and r["status"] == "met"
    assert r["unit"] == "t/万元" and r["direction"] == "down"


def test_total_with_stated_base_missed_then_met(table):
    """SO2: stated base 100 t (2020) -> 80 t (2022). 2021: 95 > path 90 -> off_track; 2022: 85 > 80 in the
    target year -> missed; 2023: 70 <= 80 -> met."""
    assert pick(table, "so2_total", R1, 2021)["path_value"] == pytest.approx(path(100, 80, 2020, 2022, 2021))
    assert pick(table, "so2_total", R1, 2021)["status"] == "off_track"
    r = pick(table, "so2_total", R1, 2022)
    assert r["value"] == pytest.approx(85.0) and r["path_value"] == pytest.approx(80.0) and r["status"] == "missed"
    assert pick(table, "so2_total", R1, 2023)["status"] == "met"
    assert pick(table, "so2_total", R1, 2023)["path_value"] == pytest.approx(80.0)  # the target after its year
    assert set(table[table["indicator"] == "so2_total"]["region"]) == {R1}   # 长沙 -> 430100 only


def test_share_up_direction_and_region_all(table):
    """Scrap ratio: 2020 2e5/2e6 = 10 % (computed base), 2021 3e5/2e6 = 15 % >= path 10 + 20/5 = 14 -> on_track."""
    r = pick(table, "scrap_ratio", R1, 2021)
    assert r["base_value"] == pytest.approx(10.0)
    assert r["value"] == pytest.approx(15.0)
    assert r["path_value"] == pytest.approx(path(10.0, 30.0, 2020, 2025, 2021))
    assert r["status"] == "on_track"
    # 430200 has scrap but no crude steel and no base year: listed, not dropped
    r2 = pick(table, "scrap_ratio", R2, 2021)
    assert (r2["status"], r2["reason"], r2["reason_value"]) == ("no_data", "target_no_denominator", "crude_steel")


def test_co2e_total_of_a_category_subtree(table):
    """1.A.1 CO2e in 2021: CO2 (5.2e6 - 1e6) + CH4 2800 t CO2e (memo and 1.A.3.b left out)."""
    r = pick(table, "power_co2e", R1, 2021)
    assert r["value"] == pytest.approx(4.2e6 + 2800)
    assert r["base_value"] == pytest.approx(4.0e6 + 2800)
    assert r["target_value"] == pytest.approx((4.0e6 + 2800) * 0.9)
    assert r["unit"] == "t"


def test_missing_base_year_and_region_without_data(table):
    """Secondary metals: 80 万t in 2021 but nothing in the base year -> no_data; 430300 has no data at all."""
    r = pick(table, "secondary_metals", R1, 2021)
    assert r["value"] == pytest.approx(80.0)
    assert r["status"] == "no_data" and r["reason"] == "target_no_base_value"
    r = pick(table, "secondary_metals", R3, None)
    assert r["status"] == "no_data" and r["reason"] == "target_no_region_data"


def test_before_base_year_has_no_status(tmp_path):
    text = TARGETS.split("[[indicator]]")[2].replace('regions = ["长沙"]', 'regions = ["430100"]').replace(
        "base_year = 2020", "base_year = 2021").replace("target_year = 2022", "target_year = 2023")
    t = track_targets(load_targets(write(tmp_path, "[[indicator]]" + text)), emissions(), activity())
    r = pick(t, "so2_total", R1, 2020)
    assert r["status"] == "" and r["reason"] == "target_before_base_year" and math.isnan(r["path_value"])


def test_malformed_targets_file_lists_every_problem(tmp_path):
    bad = """
    [[indicator]]
    id = "x"
    kind = "intensity"
    direction = "sideways"
    numerator = { substance = "CO3" }
    denominator = { activity = "gdpp" }
    unit = "kWh"
    base_year = "2020"
    target_year = 2025
    target_value = 1
    change_pct = -18

    [[indicator]]
    id = "x"
    kind = "volume"
    direction = "down"
    """
    path = write(tmp_path, bad)
    with pytest.raises(UsageError) as info:
        load_targets(path)
    problems = info.value.problems
    assert isinstance(info.value, InventoryError)  # the CLI exits 2 on it, without a traceback
    where = {p.column: p for p in problems}
    assert where["indicator[1].direction"].value == "sideways"
    assert where["indicator[1].direction"].expectation("en") == "down or up"
    assert where["indicator[1].numerator.substance"].value == "CO3"
    assert where["indicator[1].denominator.activity"].value == "gdpp"
    assert where["indicator[1].base_year"].value == "2020"
    assert "indicator[1].target_value" in where           # both target_value and change_pct
    assert "indicator[2].id" in where                     # id used twice
    assert where["indicator[2].kind"].value == "volume"
    assert all(p.file == str(path) for p in problems)


def test_unit_that_does_not_fit(tmp_path):
    text = TARGETS.split("[[indicator]]")[1].replace('unit = "t/万元"', 'unit = "kWh"')
    with pytest.raises(UsageError) as info:
        load_targets(write(tmp_path, "[[indicator]]" + text))
    assert info.value.problems[0].column == "indicator[1].unit"


def test_unreadable_file(tmp_path):
    with pytest.raises(UsageError) as info:
        load_targets(write(tmp_path, "[[indicator]\nid = 1"))
    assert info.value.problems[0].file.endswith("targets.toml")


def test_no_data_at_all_keeps_every_indicator(tmp_path):
    spec = load_targets(write(tmp_path, TARGETS))
    t = track_targets(spec, emissions().iloc[0:0], activity().iloc[0:0])
    assert set(t["indicator"]) == set(spec["indicator"])
    assert (t["status"] == "no_data").all() and (t["reason"] == "target_no_region_data").all()


def test_hunan_example_targets_load():
    """The shipped example's plan targets (examples/hunan/targets.toml) pass the loader."""
    spec = load_targets(Path(__file__).resolve().parents[1] / "examples" / "hunan" / "targets.toml")
    assert list(spec["indicator"]) == ["energy_intensity", "non_fossil_share", "co2_intensity_proxy", "scrap_ratio",
                                       "secondary_nonferrous_metals", "bulk_solid_waste_utilisation"]
    assert list(spec["target_value"].iloc[[1, 3, 4, 5]]) == [22.0, 30.0, 110.0, 60.0]
    assert list(spec["change_pct"].iloc[[0, 2]]) == [-14.0, -18.0]
    assert spec["source"].iloc[3:].str.contains("湖南省减污降碳协同增效实施方案").all()
    assert spec["source"].iloc[0].find("湘政发〔2022〕16号") > 0 and spec["source"].iloc[1].find("湘政发〔2022〕19号") > 0
    assert "national target used as a proxy" in spec["source"].iloc[2]
