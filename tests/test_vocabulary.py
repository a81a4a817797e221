"""Vocabulary facts live in data files (issue 11 part 3): each data column is complete and consistent
with the unit registry, the category tree and the other vocabularies, and code does not retype them."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inventory import aggregate, categories, resources, units, vocabulary
from inventory.read.validate import parameter_canonical, parameter_conversions

SRC = Path(__file__).resolve().parents[1] / "src" / "inventory"


def _parameter_rows():
    return list(vocabulary.parameters().itertuples(index=False))


def _per_basis(row) -> list[tuple[str, str, str]]:
    """(basis, dimensionality, canonical unit) of a parameter row, one per basis it may be per ("" when none)."""
    if "{basis}" not in row.dimensionality:
        return [("", row.dimensionality, row.canonical_unit)]
    return [(b, row.dimensionality.format(basis=f"({units.dimensionality(b)})"),
             row.canonical_unit.format(basis=f"({units.canonical_unit(b)})")) for b in row.bases.split(";")]


@pytest.mark.parametrize("row", _parameter_rows(), ids=lambda r: r.name)
def test_every_parameter_has_a_dimensionality_and_a_canonical_unit_that_fit(row):
    assert row.dimensionality, f"{row.name}: no dimensionality in parameters.csv"
    assert row.takes_substance in ("yes", "no")
    assert ("{basis}" in row.dimensionality) == ("{basis}" in row.canonical_unit) == (row.bases != "")
    for basis, dim, unit in _per_basis(row):
        assert basis == "" or basis in units.quantities().index, f"{row.name}: unknown basis {basis!r}"
        assert units.parse(unit or "1").check(dim), f"{row.name}: {unit!r} is not {dim}"
        # A value given in the canonical unit is stored as it is (factor 1), on its own basis.
        full = f"{row.name}.SO2" if row.takes_substance == "yes" else row.name
        assert parameter_canonical(full, unit) == (pytest.approx(1.0), basis)


@pytest.mark.parametrize("row", _parameter_rows(), ids=lambda r: r.name)
def test_plausible_ranges_are_numbers_in_order(row):
    low, high = (float(v) if v else math.nan for v in (row.plausible_low, row.plausible_high))
    assert not (low > high), row.name


def test_parameter_units_from_the_data_convert_workbook_units():
    assert parameter_canonical("carbon_content", "tC/TJ") == (pytest.approx(1.0), "")
    assert parameter_canonical("ncv", "kJ/kg") == (pytest.approx(1e-6), "mass")
    assert parameter_canonical("ncv", "kJ/m3") == (pytest.approx(1e-9), "volume")
    assert parameter_canonical("ef.NH3", "kg/head/a") == (pytest.approx(1e-3), "head")
    assert parameter_canonical("ef.BC", "%") == (pytest.approx(0.01), "share")
    assert parameter_canonical("uncertainty.ef.CH4", "%") == (pytest.approx(0.01), "")
    assert parameter_canonical("rice_days", "d") == (pytest.approx(1.0), "")
    assert parameter_canonical("carbon_content", "kg") is None  # a mass is no carbon content


def test_parameter_conversions_of_a_column_are_each_rows_own():
    # The column form converts each distinct (name, unit) once; every row gets what its own pair gives:
    # the factor and basis, or NaN and "" where the unit does not fit, the name is empty or missing.
    names = pd.Series(["ncv", "ef.NH3", "ncv", "carbon_content", "", None, "ncv", "ef.BC"], index=range(10, 18))
    unit = pd.Series(["kJ/kg", "kg/head/a", "kJ/m3", "kg", "t", "t", "kJ/kg", "%"], index=names.index)
    conv = parameter_conversions(names, unit)
    assert list(conv.index) == list(names.index)
    for i, (n, u) in enumerate(zip(names, unit)):
        own = parameter_canonical(n, u) if isinstance(n, str) and n else None
        if own is None:
            assert np.isnan(conv["factor"].iat[i]) and conv["basis"].iat[i] == ""
        else:
            assert (conv["factor"].iat[i], conv["basis"].iat[i]) == own
    assert conv["factor"].iat[0] == pytest.approx(1e-6) and conv["basis"].iat[2] == "volume"


def test_prefixed_parameters_come_from_the_data():
    assert set(vocabulary.prefixed_parameters()) == {"ef", "removal_efficiency", "uncertainty.ef"}
    assert vocabulary.parameter_entry("uncertainty.ef.PM2.5") == "uncertainty.ef"
    assert vocabulary.parameter_entry("removal_efficiency.PM2.5-10") == "removal_efficiency"
    assert vocabulary.parameter_entry("uncertainty.activity") == "uncertainty.activity"


@pytest.mark.parametrize("quantity", list(units.quantities().index))
def test_every_quantity_has_a_dimension_a_canonical_unit_and_both_wordings(quantity):
    row = units.quantities().loc[quantity]
    assert units.parse(row["canonical_unit"] or "1").check(row["dimensionality"])
    assert units.quantity_of(row["canonical_unit"]) == quantity
    assert set(units.accepted_quantities(quantity)) <= set(units.quantities().index)
    assert row["name_zh"] and row["name_en"]
    messages = resources.data_table("messages.csv").set_index("code")
    assert messages.at[f"unit_of_{quantity}", "zh"] and messages.at[f"unit_of_{quantity}", "en"]


def test_activities_name_known_classes_and_quantities_and_a_fitting_default_unit():
    acts = vocabulary.activities()
    assert set(acts["activity_class"]) <= set(vocabulary.activity_classes().index)
    assert set(vocabulary.activity_classes()["emission_source"]) <= {"yes", "no"}
    assert set(acts["quantity"]) <= set(units.quantities().index)
    for activity, unit, quantity in zip(acts["id"], acts["default_unit"], acts["quantity"]):
        assert units.quantity_of(unit) in units.accepted_quantities(quantity), activity


def test_non_sources_are_statistics_and_secondary_energy():
    assert {"electricity", "heat", "gdp", "population"} <= vocabulary.non_sources()
    assert not {"raw_coal", "clinker", "swine", "msw"} & vocabulary.non_sources()


def test_category_roles_and_classes_are_known():
    t = categories.table()
    assert set(t["role"]) == {"emission", "sink", "memo", "statistic"}
    assert set(t["activity_class"]) - {""} <= set(vocabulary.activity_classes().index)
    assert categories.with_role("statistic") == {"stat"} and categories.statistics_code() == "stat"


def test_substance_groups_and_gwp_names():
    subs = vocabulary.substances()
    assert set(subs["group"]) == {"ghg", "pollutant"}
    assert (subs["gwp_name"] != "").equals(subs["group"] == "ghg")
    assert vocabulary.greenhouse_gases()[:3] == ("CO2", "CH4", "N2O")
    assert set(vocabulary.pollutants()) == set(subs.index[subs["group"] == "pollutant"])
    gwp = aggregate.gwp_table("AR5")
    assert set(gwp.index) == set(vocabulary.greenhouse_gases()) and gwp.notna().all()


def test_expected_substances_name_known_entries_with_their_source():
    t = resources.data_table("expected_substances.csv")
    assert set(t["category"]) <= set(categories.table().index)
    assert set(t["activity"]) - {""} <= set(vocabulary.activities().index)
    assert set(t["substance"]) <= set(vocabulary.substances().index)
    assert (t["source"].str.strip() != "").all()
    assert not t.duplicated(["category", "activity", "substance"]).any()


def test_expected_substances_take_ancestors_and_activity_rows_replace_the_general_ones():
    assert vocabulary.expected_substances("1.A.1.a", "raw_coal")[:3] == ("CO2", "CH4", "N2O")
    assert vocabulary.expected_substances("4.D.1", "domestic_wastewater") == ("CH4",)
    assert vocabulary.expected_substances("4.D.1", "wastewater_nitrogen") == ("N2O",)
    assert vocabulary.expected_substances("2.C.3", "primary_aluminium") == ("CO2", "CF4", "C2F6")
    assert vocabulary.expected_substances("stat", "gdp") == ()


def test_technology_and_view_columns_name_their_class_and_format():
    assert (vocabulary.technologies()["technology_class"] != "").all()
    formats = set(resources.data_table("view_columns.csv")["format"])
    assert formats <= {"text", "t", "pct", "ratio", "int"}


def test_code_does_not_retype_quantity_dimensions():
    """Pint dimensionalities of activity quantities live in data/quantities.csv and data/parameters.csv only:
    no string literal in a module names one (`"[mass] / [energy]"`)."""
    names = {n for d in units.quantities()["dimensionality"] for n in re.findall(r"\[(\w+)\]", d)}
    pattern = re.compile(r"""["'][^"'\n]*\[(?:%s)\]""" % "|".join(sorted(names)))
    found = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
             if pattern.search(re.sub(r'"""[\s\S]*?"""', "", p.read_text(encoding="utf-8")))]
    assert found == []
