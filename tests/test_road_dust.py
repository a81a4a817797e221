"""Paved-road dust (P.1.A.3.b.vii) against hand calculations from AP-42 13.2.1 Eq. 1.

E = k × sL^0.91 × W^1.02 × VKT × (1 − η): k (Table 13.2.1-1) PM10 0.62, PM2.5 0.15 g per
vehicle-km; default sL by average daily traffic (Table 13.2.1-2): < 500 → 0.6, 500-5000 → 0.2,
5000-10000 → 0.06, > 10000 → 0.03 g/m²; W the mean vehicle weight in tonnes (local only).
"""

from __future__ import annotations

import pytest

from conftest import emission

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
    assert rows["reason"].str.contains("vehicle_weight").all()
    assert r.emissions[r.emissions["category"] == "P.1.A.3.b.vii"].empty
