"""Each unit of DESIGN 3.5 converts a known amount to its canonical unit."""

from __future__ import annotations

import pandas as pd
import pytest

from inventory import units
from inventory.read.validate import parameter_canonical


@pytest.mark.parametrize("unit, quantity, factor", [
    ("t", "mass", 1.0), ("吨", "mass", 1.0), ("万吨", "mass", 1e4), ("kg", "mass", 1e-3), ("千克", "mass", 1e-3),
    ("公斤", "mass", 1e-3), ("Mt", "mass", 1e6),
    ("m3", "volume", 1.0), ("立方米", "volume", 1.0), ("万立方米", "volume", 1e4), ("亿立方米", "volume", 1e8),
    ("Nm3", "volume", 1.0), ("Nm³", "volume", 1.0), ("标准立方米", "volume", 1.0), ("亿标准立方米", "volume", 1e8),
    ("TJ", "energy", 1.0), ("GJ", "energy", 1e-3), ("kJ", "energy", 1e-9),
    ("kWh", "energy", 3.6e-6), ("千瓦时", "energy", 3.6e-6), ("万千瓦时", "energy", 3.6e-2), ("亿千瓦时", "energy", 360.0),
    ("tce", "energy", 29.3076e-3), ("吨标准煤", "energy", 29.3076e-3), ("万吨标准煤", "energy", 293.076),
    ("kgce", "energy", 29.3076e-6), ("千克标准煤", "energy", 29.3076e-6), ("toe", "energy", 41.868e-3),
    ("1e10 kJ", "energy", 10.0),
    ("头", "head", 1.0), ("万头", "head", 1e4), ("只", "head", 1.0), ("万只", "head", 1e4),
    ("公顷", "area", 1.0), ("ha", "area", 1.0), ("亩", "area", 1 / 15), ("万亩", "area", 1e4 / 15),
    ("元", "currency", 1.0), ("万元", "currency", 1e4), ("亿元", "currency", 1e8),
    ("人", "people", 1.0), ("万人", "people", 1e4),
    ("%", "fraction", 0.01), ("", "fraction", 1.0),
])
def test_unit_to_canonical(unit, quantity, factor):
    table = units.to_canonical(pd.Series([unit]))
    assert table["quantity"].iat[0] == quantity
    assert table["factor"].iat[0] == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize("unit", ["bogus", "100", "万", "吨吨吨x"])
def test_unknown_units_have_no_quantity(unit):
    assert units.to_canonical(pd.Series([unit]))["quantity"].isna().iat[0]


def test_full_width_unit_text_is_accepted():
    assert units.factor("ｋｇ", "t") == pytest.approx(1e-3)


def test_factor_units():
    assert units.factor("g/GJ", "t/TJ") == pytest.approx(1e-3)
    assert units.factor("kg/TJ", "t/TJ") == pytest.approx(1e-3)
    assert units.factor("g/kg", "t/t") == pytest.approx(1e-3)
    assert units.factor("kJ/kg", "TJ/t") == pytest.approx(1e-6)
    assert units.factor("TJ/Gg", "TJ/t") == pytest.approx(1e-3)
    assert units.factor("tC/TJ", "t/TJ") == pytest.approx(1.0)


# International Table calorie: 1 kcal = 4.1868 kJ (the calorie of GB/T 2589's 7000 kcal/kg = 29.3076 MJ/kgce),
# not pint's thermochemical 4.184 kJ.
@pytest.mark.parametrize("unit", ["大卡/千克", "千卡/千克", "大卡/kg", "千卡/公斤", "kcal/kg", "Kcal/kg", "kilocalorie/kg"])
def test_issue_17_kilocalorie_per_kg_is_the_international_table_calorie(unit):
    assert units.factor(unit, "kJ/kg") == pytest.approx(4.1868, rel=1e-12)


def test_issue_17_kilocalorie_gives_the_tce_definition():
    # 7000 kcal/kg is one kgce: 7000 × 4.1868 kJ = 29.3076 MJ.
    assert units.factor("大卡", "kJ") * 7000 == pytest.approx(29307.6, rel=1e-12)
    assert units.factor("千克标准煤", "大卡") == pytest.approx(7000, rel=1e-12)


def test_issue_17_ncv_in_kilocalories_per_kg():
    # 5000 大卡/千克 (a raw coal's calorific value) = 5000 × 4.1868 kJ/kg = 20.934 GJ/t = 0.020934 TJ/t.
    factor, basis = parameter_canonical("ncv", "大卡/千克")
    assert basis == "mass"
    assert 5000 * factor == pytest.approx(0.020934, rel=1e-12)
