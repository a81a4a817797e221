"""The shipped factor tables, `factors check` on good and broken copies, and the Frictionless package."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from inventory import resources
from inventory.factors.check import check_directory
from inventory.factors.load import shipped

SHIPPED = Path(str(resources.factors_dir()))


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "factors"
    shutil.copytree(SHIPPED, target)
    return target


def test_shipped_tables_are_valid():
    assert [str(p) for p in check_directory(SHIPPED)] == []


def test_every_csv_is_described_in_the_datapackage():
    spec = json.loads((SHIPPED / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"] for r in spec["resources"]}
    assert described == {p.name for p in SHIPPED.glob("*.csv")}
    assert all("schema" in r for r in spec["resources"])


def test_every_shipped_value_names_its_source():
    table = shipped()
    assert (table["source"].str.strip() != "").all()
    assert table["factor_id"].is_unique


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize("old, new, column, code", [
    (",820,g/GJ,", ",820,furlong,", "unit", "unit_does_not_fit_parameter"),
    (",820,g/GJ,", ",820000000,g/GJ,", "value", "value_out_of_bounds"),
    ("emep23.1A1a.3_2.raw_coal.so2,1.A.1.a,raw_coal", "emep23.1A1a.3_2.raw_coal.so2,1.A.1.a,raw_coalx", "activity",
     "unknown_activity"),
])
def test_broken_copy_fails_with_located_message(copy, old, new, column, code):
    path = copy / "emep_pollutant_factors.csv"
    line = _line_of(path, "emep23.1A1a.3_2.raw_coal.so2")
    _edit(path, old, new)
    problems = [p for p in check_directory(copy) if p.code != "schema_error"]
    assert any(p.row == line and p.column == column and p.code == code and p.file.endswith(path.name)
               for p in problems), [str(p) for p in problems]


def test_missing_source_is_reported(copy):
    path = copy / "fuel_parameters.csv"
    line = _line_of(path, "cesy22.a4.ncv.raw_coal")
    _edit(path, "cesy2022: Appendix 4,", ",")
    assert any(p.row == line and p.column == "source" for p in check_directory(copy))


def test_colliding_rows_are_reported(copy):
    path = copy / "fuel_parameters.csv"
    row = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("cesy22.a4.ncv.raw_coal"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(row.replace("cesy22.a4.ncv.raw_coal", "dup.ncv.raw_coal", 1) + "\n")
    problems = check_directory(copy)
    assert any(p.code == "factors_collide_within_a_set" and "dup.ncv.raw_coal" in p.expectation("en") for p in problems)


def test_undescribed_csv_is_reported(copy):
    shutil.copy(copy / "fuel_parameters.csv", copy / "extra.csv")
    assert any(p.code == "csv_not_in_datapackage" for p in check_directory(copy))


def test_issue_12_a_row_naming_an_unknown_set_is_an_error_naming_file_and_row(copy):
    path = copy / "fuel_parameters.csv"
    line = _line_of(path, "cesy22.a4.ncv.raw_coal")
    text = path.read_text(encoding="utf-8").splitlines()
    text[line - 1] = text[line - 1].replace(",china;ceads,", ",china;cedas,")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    found = [p for p in check_directory(copy) if p.column == "factor_sets"]
    assert [(p.file.endswith("fuel_parameters.csv"), p.row, p.value) for p in found] == [(True, line, "china;cedas")]
    assert "ceads" in found[0].expectation("en") and found[0].message("en") == "unknown factor set"


def test_issue_12_rows_collide_only_within_a_set(copy):
    """The ipcc set's coke-oven-gas NCV (Yearbook) and the china set's (GB/T 32151.22) share a key: no collision;
    a second china row for the same key is one, reported with the set's name."""
    assert not [p for p in check_directory(copy) if "collide" in p.code]
    path = copy / "fuel_parameters.csv"
    row = next(line for line in path.read_text(encoding="utf-8").splitlines()
               if line.startswith("cesy22.a4.ncv.coke_oven_gas"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(row.replace("cesy22.a4.ncv.coke_oven_gas", "dup.ncv.coke_oven_gas", 1).replace(",ipcc,", ",china,") + "\n")
    collide = [p for p in check_directory(copy) if "collide" in p.code]
    assert len(collide) == 1 and "factor set china" in collide[0].message("en")
    assert "dup.ncv.coke_oven_gas" in collide[0].expectation("en") and "gbt32151.22.c1.ncv.coke_oven_gas" in collide[0].expectation("en")


def test_conversions_once_per_distinct_pair_equal_the_per_row_conversion():
    """check._conversions against parameter_canonical row by row: kg/TJ of SO2 is 1e-3 t/TJ on an energy basis, %
    a share, a missing name none, a unit that does not fit none, repeated pairs alike."""
    from inventory.factors.check import _conversions
    from inventory.read.validate import parameter_canonical

    names = pd.Series(["ef.SO2", None, "ef.SO2", "ncv", "ef.PM2.5", "ncv"], index=[4, 5, 6, 7, 8, 9])
    unit = pd.Series(["kg/TJ", "t", "kg/TJ", "kg", "%", "kJ/kg"], index=names.index)
    got = _conversions(names, unit)
    assert got.index.equals(names.index)
    assert got.tolist() == [parameter_canonical(n, u) if isinstance(n, str) else None for n, u in zip(names, unit)]
    assert got[4] == got[6] and got[4][1] == "energy" and abs(got[4][0] - 1e-3) < 1e-15
    assert got[5] is None and got[7] is None and got[8][1] == "share"
