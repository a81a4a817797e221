"""Paved-road dust (P.1.A.3.b.vii) against hand calculations from AP-42 13.2.1 Eq. 1.

E = k × sL^0.91 × W^1.02 × VKT × (1 − η): k (Table 13.2.1-1) PM10 0.62, PM2.5 0.15 g per
vehicle-km; default sL by average daily traffic (Table 13.2.1-2): < 500 → 0.6, 500-5000 → 0.2,
5000-10000 → 0.06, > 10000 → 0.03 g/m²; W the mean vehicle weight in tonnes (local only).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import emission
from inventory.build import compile_inventory
from inventory.errors import word
from inventory.factors.load import load_all
from inventory.read import read_inputs

HUNAN = Path(__file__).resolve().parents[1] / "examples" / "hunan"

G_T = 1e-6  # t per g


def vkt(technology, value, unit="万车公里", region="430100", year=2019):
    return [region, year, "P.1.A.3.b.vii", "铺装道路机动车行驶里程", technology, value, unit, "", "示例"]


def weight(w, region="430100"):
    return [region, 2019, "P.1.A.3.b.vii", "铺装道路机动车行驶里程", "", w, "t", "平均车重", "调查"]


def test_default_silt_loading_by_traffic_class(compile_):
    """100 万车公里 on roads of 500-5000 vehicles/day (sL 0.2 g/m²), W = 2.5 t."""
    r = compile_([vkt("road_adt_500_5000", 100), weight(2.5)])
    km = 100 * 1e4
    pm10 = 0.62 * 0.2 ** 0.91 * 2.5 ** 1.02 * km * G_T
    assert emission(r, "PM10") == pytest.approx(pm10, rel=1e-9)
    assert pm10 == pytest.approx(0.3649, rel=1e-3)  # 0.62 × 0.23117 × 2.54627 g/km × 1e6 km
    assert emission(r, "PM2.5") == pytest.approx(0.15 * 0.2 ** 0.91 * 2.5 ** 1.02 * km * G_T, rel=1e-9)
    e = r.emissions.set_index("substance")
    ids = e.loc["PM10", "factor_ids"]
    assert "ap42.13_2_1.t1.road_vehicle_km.pm10" in ids and "ap42.13_2_1.t2.road_adt_500_5000.sl" in ids
    assert e.loc["PM10", "activity_unit"] == "km" and e.loc["PM10", "activity_amount"] == pytest.approx(km)


def test_local_silt_loading_replaces_the_default(compile_):
    """A measured sL of 1.3 g/m² (no traffic class), W = 10 t, 2×10⁷ vehicle-km given in 车公里."""
    r = compile_([vkt("", 2e7, unit="车公里"), weight(10),
                  ["430100", 2019, "P.1.A.3.b.vii", "铺装道路机动车行驶里程", "", 1.3, "g/m2", "道路积尘负荷", "实测"]])
    assert emission(r, "PM10") == pytest.approx(0.62 * 1.3 ** 0.91 * 10 ** 1.02 * 2e7 * G_T, rel=1e-9)
    assert emission(r, "PM2.5") == pytest.approx(0.15 * 1.3 ** 0.91 * 10 ** 1.02 * 2e7 * G_T, rel=1e-9)


def test_without_vehicle_weight_road_dust_is_ne_with_reason(compile_):
    """AP-42 gives no default W: without a vehicle_weight row both PM10 and PM2.5 are NE, the reason says why."""
    r = compile_([vkt("road_adt_gt10000", 50)])
    ne = r.not_estimated
    rows = ne[ne["category"] == "P.1.A.3.b.vii"]
    assert set(rows["substance"]) == {"PM10", "PM2.5"}
    assert (rows["reason"] == "ne_road_dust").all()
    assert "vehicle_weight" in word("ne_road_dust", "zh") and "平均车重" in word("ne_road_dust", "zh")
    assert r.emissions[r.emissions["category"] == "P.1.A.3.b.vii"].empty


def test_example_road_dust_workbooks_are_what_make_road_dust_writes(tmp_path):
    """make_road_dust.py, run in a copy, writes byte-identical workbooks (deterministic)."""
    for name in ("make_road_dust.py", "make_example.py"):
        shutil.copy(HUNAN / name, tmp_path / name)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "make_road_dust.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    written = sorted((tmp_path / "data").glob("*.xlsx"))
    assert [p.name for p in written] == ["430100_道路扬尘_2017-2019.xlsx", "430300_道路扬尘_2017-2019.xlsx",
                                         "430400_道路扬尘_2017-2019.xlsx"]
    for path in written:
        assert (HUNAN / "data" / path.name).read_bytes() == path.read_bytes(), path.name


def test_example_changsha_2019_road_dust(tmp_path):
    """长沙 2019 in the example workbook: VKT 2017 × 1.06² per class, W = 2.4 t; the measured sL 0.36 g/m² of the
    > 10000 class replaces its default 0.03; 5000-10000 → 0.06, 500-5000 → 0.2 (defaults)."""
    inputs, _ = read_inputs([HUNAN / "data" / "430100_道路扬尘_2017-2019.xlsx"], None)
    assert not inputs.errors
    r = compile_inventory(inputs, load_all(None), built=None)
    e = r.emissions[(r.emissions["year"] == 2019) & (r.emissions["category"] == "P.1.A.3.b.vii")]
    vkt_km = {0.36: 620000.0, 0.06: 210000.0, 0.2: 95000.0}  # sL (g/m2) → 2017 万车公里
    w = 2.4 ** 1.02
    for substance, k in (("PM10", 0.62), ("PM2.5", 0.15)):
        expected = sum(k * sl ** 0.91 * w * v * 1e4 * 1.06 ** 2 * G_T for sl, v in vkt_km.items())
        assert e.loc[e["substance"] == substance, "emission"].sum() == pytest.approx(expected, rel=1e-6)


def test_road_watering_controls_split_pm10(compile_):
    """sL 0.06 (5000-10000 class), W = 2 t, 10 万车公里, watered twice a day (T/CSES 144-2024 Table A.1: η PM2.5 46 %,
    PM2.5-10 58 %): PM2.5 × 0.54; PM10 = PM2.5 part × 0.54 + (PM10 − PM2.5) × 0.42."""
    r = compile_([vkt("road_adt_5000_10000+road_watering_2x", 10), weight(2)])
    base = 0.06 ** 0.91 * 2 ** 1.02 * 1e5 * G_T
    pm25, pm10 = 0.15 * base, 0.62 * base
    assert emission(r, "PM2.5") == pytest.approx(pm25 * (1 - 0.46), rel=1e-9)
    assert emission(r, "PM10") == pytest.approx(pm25 * (1 - 0.46) + (pm10 - pm25) * (1 - 0.58), rel=1e-9)
