"""Check external_official (DESIGN 3.9): official SO2 / NOx totals against ours over 1.A, 1.B and 2."""

from __future__ import annotations

import pytest

from conftest import write_workbook
from inventory.build import compile_inventory
from inventory.errors import UsageError
from inventory.factors.load import load_all
from inventory.qa import official
from inventory.qa.checks import read_check_files
from inventory.read import read_inputs

HEADER = "region,year,substance,value,unit,series,source\n"


def build(tmp_path, csv: str, warn=0.2, fail=0.5):
    """100 万吨 raw coal in 1.A.2 with a local ef.SO2 of 10 kg/t: SO2 = 1e6 t × 0.01 = 10 000 t (1 万吨)."""
    path = write_workbook(tmp_path / "a.xlsx", [
        ["430000", 2011, "1.A.2", "原煤", "", "100", "万吨", "", "统计局"],
        ["430000", 2011, "1.A.2", "原煤", "", "10", "kg/t", "ef.SO2", "测试"]])
    (tmp_path / "official.csv").write_text(HEADER + csv, encoding="utf-8")
    thresholds = {"external_official": {"path": str(tmp_path / "official.csv"), "warn": warn, "fail": fail}}
    inputs, _ = read_inputs([path], None)
    inputs.external = read_check_files(thresholds)
    return compile_inventory(inputs, load_all(), thresholds=thresholds)


def test_official_totals_graded_on_the_relative_difference(tmp_path):
    r = build(tmp_path, "430000,2011,二氧化硫,0.8,万吨,2011-2015,test\n430000,2011,SO2,0.4,万吨,2011-2015,test\n"
                        "430000,2011,烟(粉)尘,5,万吨,2011-2015,test\n430000,2012,SO2,1,万吨,2011-2015,not built\n")
    rows = r.checks[r.checks["check"] == "external_official"].reset_index(drop=True)
    # ours 1 万吨 = 10 000 t; (10 000 − 8 000) / 8 000 = +25 % -> warn; (10 000 − 4 000) / 4 000 = +150 % -> fail.
    assert rows["value"].tolist() == pytest.approx([10_000.0, 10_000.0])
    assert rows["diff_pct"].tolist() == pytest.approx([25.0, 150.0])
    assert rows["result"].tolist() == ["warn", "fail"]
    assert set(rows["category"]) == {"1.A+1.B+2"} and 2012 not in set(rows["year"])  # only built years
    table = r.qa_tables["official"]
    dust = table[table["substance"] == "smoke_dust"].iloc[0]
    assert dust["compared_with"] == "PM10" and dust["result"] == "info" and dust["official_t"] == pytest.approx(5e4)
    assert dust["ours_t"] == pytest.approx(r.emissions.query("substance == 'PM10'")["emission"].sum())
    fig = r.figures["official"]
    assert set(fig["side"]) == {"ours", "official"} and len(fig) == 2 * len(table)


def test_categories_outside_1a_1b_2_are_not_compared():
    assert official.in_scope(__import__("pandas").Series(["1.A.1.a", "1.B.1", "2.A.1", "3.A.1", "4.C.1", "M.EL.use"])
                             ).tolist() == [True, True, True, False, False, False]


def test_a_bad_official_file_is_a_located_usage_error(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "430000,2011,VOCs,1,万吨,x,src\n430000,2011,SO2,1,万立方米,x,src\n"
                             "湖南,20x1,SO2,-1,t,x,\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        official.read(path)
    found = {(p.code, p.row, p.column) for p in err.value.problems}
    assert found == {("unknown_official_substance", 2, "substance"), ("official_unit_not_a_mass", 3, "unit"),
                     ("not_a_year", 4, "year"), ("not_a_number", 4, "value"), ("source_is_empty", 4, "source")}


def test_the_official_section_note_is_its_own_and_every_label_key_is_unique():
    """The pollutant-statistics section's note (`official_note`) is not the official-inventory structure note
    (`official_structure_note`): both were keyed `official_note`, and the later one, with its `{source}`
    placeholders, was shown under the pollutant section."""
    from inventory.report.summaries import labels
    from inventory.resources import data_table

    keys = data_table("labels.csv")["key"]
    assert not keys.duplicated().any(), sorted(set(keys[keys.duplicated()]))
    note = labels("zh")["official_note"]
    assert "1.A、1.B 和 2" in note and "{" not in note
    assert "{official_year}" in labels("zh")["official_structure_note"]
