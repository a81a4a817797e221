"""Plant-level data as IPCC Tier 3 (DESIGN 3.3 "Facility rows"): (A − a) × F + E against hand calculations."""

from __future__ import annotations

import pytest

from conftest import facility_workbook
from inventory.build import compile_inventory
from inventory.factors.load import load_all
from inventory.read import read_inputs


def workbook(tmp_path, plants):
    """Read the region's rows (conftest.FACILITY_REGION: F = 0.01 t SO2 per t coal) with `plants`."""
    return read_inputs([facility_workbook(tmp_path / "a.xlsx", plants)], None)[0]


def plant(name, amount, so2, confidential="否", category="1.A.2.a", substance="SO2"):
    return ["430100", 2019, name, category, "原煤", substance, so2, "t", amount, "万吨", confidential, "排污许可执行报告"]


def test_a_plant_replaces_the_factor_estimate_for_its_share(tmp_path):
    inputs = workbook(tmp_path, [plant("甲电厂", 30, 1000), plant("乙厂", 20, 500, confidential="是")])
    assert not inputs.errors, [str(p) for p in inputs.errors]
    r = compile_inventory(inputs, load_all())
    so2 = r.emissions[r.emissions["substance"] == "SO2"].set_index("tier")
    # Rest: (A − a) × F + E of the confidential plant = (100e4 − 30e4 − 20e4) × 0.01 + 500 = 5 500 t.
    rest = so2[so2["category"] == "1.A.2"]
    assert rest["emission"].sum() == pytest.approx((100e4 - 30e4 - 20e4) * 0.01 + 500)
    # Its activity keeps the confidential plant's 20 万吨 (folded into the region's figures): A − 30 万吨.
    assert rest["activity_amount"].sum() == pytest.approx(100e4 - 30e4)
    # The named plant's own row: its reported 1 000 t, tier T3, its 30 万吨.
    own = so2.loc["T3"]
    assert own["emission"] == pytest.approx(1000) and own["activity_amount"] == pytest.approx(30e4)
    assert own["factor_ids"] == "facility:甲电厂" and own["category"] == "1.A.2.a"
    assert so2["emission"].sum() == pytest.approx((100e4 - 50e4) * 0.01 + 1000 + 500)
    # The confidential plant is named nowhere.
    assert not r.emissions.astype(str).apply(lambda c: c.str.contains("乙厂")).any().any()
    # NOx, which no plant reports, stays estimated by factor for the whole 100 万吨.
    base = compile_inventory(workbook(tmp_path / "b", []), load_all())
    nox = lambda res: res.emissions.query("substance == 'NOx'")["emission"].sum()  # noqa: E731
    assert nox(r) == pytest.approx(nox(base))


def test_plant_activity_above_the_regions_is_an_error_naming_both_rows(tmp_path):
    inputs = workbook(tmp_path, [plant("甲电厂", 120, 1000)])
    [p] = [p for p in inputs.errors if p.code == "facility_activity_above_region"]
    assert p.sheet == "企业排放" and p.row == 2
    assert "能源活动 2" in dict(p.params)["region_rows"]


def test_rows_of_one_plant_with_different_amounts_are_an_error(tmp_path):
    inputs = workbook(tmp_path, [plant("甲电厂", 30, 1000), plant("甲电厂", 31, 40, substance="NOx"),
                                 plant("丙厂", -1, 5)])
    codes = {(p.code, p.row) for p in inputs.errors}
    assert ("facility_amounts_differ", 3) in codes and ("negative_amount", 4) in codes
