"""Energy cross-verification checks (issue 5 item 4): province vs prefectures per fuel, the IPCC
reference approach against the sectoral approach, and an external inventory (CEADs) against the build.

Parameters used in the hand calculations, as shipped in emission_factors/fuel_parameters.csv:
- raw coal: NCV 20 908 kJ/kg (China Energy Statistical Yearbook 2022 App. 4), carbon content 25.8 tC/TJ
  (IPCC 2006 Vol.2 Table 1.3, other bituminous coal), oxidation 1 (IPCC 2006 Vol.2 Table 1.4);
- natural gas: NCV 38 931 kJ/m3 (Yearbook 2022 App. 4), carbon content 15.3 tC/TJ and oxidation 0.99
  (China provincial guideline 2011);
- diesel: NCV 42 652 kJ/kg (Yearbook), carbon content 20.2 tC/TJ (IPCC Table 1.3), oxidation 0.98 (guideline).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from inventory.build import compile_inventory
from inventory.factors.load import load_all
from inventory.project import load_project
from inventory.qa.external import comparison_table, external_checks, read_external
from inventory.qa.reference_approach import explanation_table, reference_approach
from inventory.read import read_inputs

COAL_T = 20908e-6 * 25.8 * 1.0 * 44 / 12      # t CO2 per t raw coal
GAS_M3 = 38931e-9 * 15.3 * 0.99 * 44 / 12     # t CO2 per m3 natural gas
DIESEL_T = 42652e-6 * 20.2 * 0.98 * 44 / 12   # t CO2 per t diesel


def rows_of(checks: pd.DataFrame, check: str) -> dict:
    """category -> (value, reference, diff_pct, result) of one check's CO2 rows."""
    c = checks[(checks["check"] == check) & (checks["substance"] == "CO2")]
    return {r.category: (r.value, r.reference, r.diff_pct, r.result) for r in c.itertuples()}


# 1. Province against the sum of its prefectures, per fuel ------------------------------------------------

def test_province_vs_prefectures_per_fuel(compile_):
    rows = [["430000", 2019, "1.A.1", "柴油", "", 10, "万吨"], ["430000", 2019, "1.A.1", "原煤", "", 5, "万吨"],
            ["430100", 2019, "1.A.1.a", "柴油", "", 4, "万吨"], ["430200", 2019, "1.A.1.a", "柴油", "", 6, "万吨"],
            ["430100", 2019, "1.A.1.a", "原煤", "", 3, "万吨"]]
    r = compile_(rows, regions={"430000", "430100", "430200"})
    fuel = rows_of(r.checks, "province_vs_prefectures_fuel")
    value, ref, pct, result = fuel["1.A.1:diesel_oil"]  # passes: 10 = 4 + 6
    assert (value, ref, result) == (pytest.approx(10e4 * DIESEL_T), pytest.approx(10e4 * DIESEL_T), "pass")
    value, ref, pct, result = fuel["1.A.1:raw_coal"]    # fails: 5 against 3 -> (5 − 3) / 3 = 66.7 %
    assert (value, ref, pct, result) == (pytest.approx(5e4 * COAL_T), pytest.approx(3e4 * COAL_T),
                                         pytest.approx(200 / 3), "fail")
    # the per-category rows stay: both fuels together
    whole = rows_of(r.checks, "province_vs_prefectures")["1.A.1"]
    assert whole[1] == pytest.approx(10e4 * DIESEL_T + 3e4 * COAL_T)


def test_fuel_only_the_prefectures_burn_fails(compile_):
    rows = [["430000", 2019, "1.A.1", "柴油", "", 10, "万吨"], ["430100", 2019, "1.A.1.a", "柴油", "", 10, "万吨"],
            ["430100", 2019, "1.A.1.a", "原煤", "", 1, "万吨"]]
    r = compile_(rows, regions={"430000", "430100"})
    value, ref, _, result = rows_of(r.checks, "province_vs_prefectures_fuel")["1.A.1:raw_coal"]
    assert (value, ref, result) == (0, pytest.approx(1e4 * COAL_T), "fail")


# 2. Reference approach -------------------------------------------------------------------------------------

def balance(path: Path, burnt_coal: float, sheet: str = "能源平衡表 430000 2019") -> Path:
    """A 2-fuel provincial balance with supply rows (printed signs) and one consuming sector."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in [["地区", "湖南省"], ["年份", 2019], [],
                ["项目", "原煤(万吨)", "天然气(亿立方米)"],
                ["一次能源生产量", 50, None],
                ["外省(区、市)调入量", 60, 3],
                ["进口量", 4, None],
                ["本省(区、市)调出量(-)", -5, None],
                ["出口量(-)", 2, None],            # printed without its minus: a (-) row subtracts anyway
                ["库存增(-)、减(+)量", -2, 0.1],     # coal stock up by 2 (less supply), gas stock down by 0.1
                ["农、林、牧、渔业", burnt_coal, 3.1],
                ["非能源使用", 3, None],
                ["洗选煤", 2, None],
                ["消费总量", 105, 3.1]]:
        ws.append(row)
    wb.save(path)
    return path


def build_balance(tmp_path, burnt_coal):
    inputs, _ = read_inputs([balance(tmp_path / "balance.xlsx", burnt_coal)])
    assert not inputs.errors, [str(p) for p in inputs.errors]
    return inputs, compile_inventory(inputs, load_all())


def test_supply_rows_are_read_and_used(tmp_path):
    inputs, _ = build_balance(tmp_path, 100)
    s = inputs.supply.set_index(["activity", "flow"])["amount"]
    assert s[("raw_coal", "production")] == 50e4
    assert s[("raw_coal", "move_out")] == -5e4 and s[("raw_coal", "export")] == -2e4
    assert s[("raw_coal", "stock_change")] == -2e4 and s[("natural_gas", "stock_change")] == pytest.approx(0.1e8)
    assert s[("raw_coal", "non_energy_use")] == 3e4
    status = dict(zip(inputs.ledger["row"], zip(inputs.ledger["status"], inputs.ledger["reason"])))
    assert [status[r][0] for r in range(5, 11)] == ["used"] * 6       # the six supply rows
    assert status[12] == ("skipped", "non_energy_use") and status[14] == ("skipped", "subtotal")


def test_reference_approach_passes_when_supply_matches_use(tmp_path):
    # coal: apparent consumption 50 + 60 + 4 − 5 − 2 − 2 = 105 万吨; non-energy use 3 and washing 2 leave 100 burnt.
    _, r = build_balance(tmp_path, 100)
    coal_ref = (105e4 - 3e4) * COAL_T                     # Eq. 6.1: excluded carbon of non-energy use
    gas_ref = (3e8 + 0.1e8) * GAS_M3                      # Eq. 6.2: a stock decrease adds
    rows = rows_of(r.checks, "reference_approach")
    assert rows["1.A:solid"][:2] == (pytest.approx(coal_ref), pytest.approx(100e4 * COAL_T))
    assert rows["1.A:gas"][:2] == (pytest.approx(gas_ref), pytest.approx(3.1e8 * GAS_M3))
    total = rows["1.A"]
    assert total[:2] == (pytest.approx(coal_ref + gas_ref), pytest.approx(100e4 * COAL_T + 3.1e8 * GAS_M3))
    # the washed coal, against the sectoral CO2 (DESIGN 3.8: (value − reference) / |reference|): 1.3 %
    assert total[2] == pytest.approx((2e4 * COAL_T) / (100e4 * COAL_T + 3.1e8 * GAS_M3) * 100)
    assert total[3] == "pass"
    table = explanation_table(*_supply_emissions(tmp_path))
    coal = table.set_index("activity").loc["raw_coal"]
    assert coal["apparent_consumption"] == 105e4 and coal["exports"] == 7e4 and coal["stock_change"] == 2e4
    assert coal["excluded_carbon_t"] == pytest.approx(3e4 * 20908e-6 * 25.8)
    assert coal["transformation_co2_t"] == pytest.approx(2e4 * COAL_T)
    assert coal["statistical_difference_co2_t"] == pytest.approx(0, abs=1e-6)  # all explained by the washing


def _supply_emissions(tmp_path, burnt_coal=100):
    inputs, r = build_balance(tmp_path, burnt_coal)
    return inputs.supply, r.emissions, load_all()


def test_reference_approach_fails_when_much_more_is_supplied_than_burnt(tmp_path):
    _, r = build_balance(tmp_path, 80)
    value, ref, pct, result = rows_of(r.checks, "reference_approach")["1.A:solid"]
    assert (value, ref) == (pytest.approx(102e4 * COAL_T), pytest.approx(80e4 * COAL_T))
    assert pct == pytest.approx((102 - 80) / 80 * 100) and result == "fail"
    table = explanation_table(*_supply_emissions(tmp_path, 80)).set_index("activity")
    # 22 万吨 more supplied than burnt: 2 went to coal washing, 20 are a statistical difference
    assert table.loc["raw_coal", "statistical_difference_co2_t"] == pytest.approx(20e4 * COAL_T)


def test_reference_approach_thresholds_from_the_project(tmp_path):
    inputs, _ = read_inputs([balance(tmp_path / "balance.xlsx", 80)])
    r = compile_inventory(inputs, load_all(), thresholds={"reference_approach": {"warn": 0.3, "fail": 0.5}})
    assert rows_of(r.checks, "reference_approach")["1.A:solid"][3] == "pass"


# 3. External inventory (CEADs) ------------------------------------------------------------------------------

def ceads_csv(path: Path, co2_mt: float, extra: list[str] = ()) -> Path:
    lines = ["year,source_sheet,row_order,row_label,fuel,unit,value",
             f"2019,Hunan2019,1,TotalEmissions,Raw_Coal,Mt CO2,{co2_mt}",
             f"2019,Hunan2019,47,Rural,Raw_Coal,Mt CO2,{co2_mt}",
             "2019,Hunan2019,47,Rural,Process,Mt CO2,5", *extra]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("co2_mt, result", [(1.97, "pass"), (1.5, "fail")])
def test_external_inventory_by_category_and_fuel(compile_, tmp_path, co2_mt, result):
    r = compile_([["430000", 2019, "1.A.4.b", "原煤", "", 100, "万吨"]])
    ours = 100e4 * COAL_T
    table = comparison_table(read_external(ceads_csv(tmp_path / "ceads.csv", co2_mt)), r.emissions, load_all())
    checks = external_checks(table)
    rows = rows_of(checks, "external_ceads")
    for key in ("1.A", "1.A.4.b", "1.A:raw_coal"):  # Rural -> 1.A.4.b; Process and the total row drop out
        assert rows[key][:3] == (pytest.approx(ours), pytest.approx(co2_mt * 1e6),
                                 pytest.approx((ours - co2_mt * 1e6) / (co2_mt * 1e6) * 100))
        assert rows[key][3] == result
    # without CEADs' energy inventory the activity is taken as ours: all of the difference is the factor's
    row = table.iloc[0]
    assert row["activity_effect_t"] == 0 and row["factor_effect_t"] == pytest.approx(ours - co2_mt * 1e6)


def test_external_difference_split_into_activity_and_factor(compile_, tmp_path):
    r = compile_([["430000", 2019, "1.A.4.b", "原煤", "", 100, "万吨"]])
    energy = tmp_path / "energy.csv"
    energy.write_text("year,source_sheet,row_order,row_label,fuel,unit,value\n"
                      "2019,Hunan2019,47,Rural,Raw_Coal,10^4 ton,90\n", encoding="utf-8")
    table = comparison_table(read_external(ceads_csv(tmp_path / "c.csv", 1.5)), r.emissions, load_all(),
                             read_external(energy))
    row = table.iloc[0]
    a_ours, a_ext = 100e4 * 20908e-6, 90e4 * 20908e-6          # TJ, both at the shipped NCV
    f_ours, f_ext = 100e4 * COAL_T / a_ours, 1.5e6 / a_ext      # t CO2 / TJ
    assert row["activity_external_tj"] == pytest.approx(a_ext)
    assert row["activity_effect_t"] == pytest.approx((a_ours - a_ext) * f_ext)   # DESIGN 3.9 decomposition
    assert row["factor_effect_t"] == pytest.approx(a_ours * (f_ours - f_ext))
    assert row["activity_effect_t"] + row["factor_effect_t"] == pytest.approx(100e4 * COAL_T - 1.5e6)


def test_external_workbook_as_published(compile_, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hunan2019"
    ws.append(["", "Raw_Coal", "Cleaned Coal", "Scope_1_Total"])
    ws.append(["TotalEmissions", 1.97, 0, 1.97])
    ws.append(["Rural", 1.97, 0, 1.97])
    wb.save(tmp_path / "ceads.xlsx")
    r = compile_([["430000", 2019, "1.A.4.b", "原煤", "", 100, "万吨"]])
    ext = read_external(tmp_path / "ceads.xlsx")
    assert set(ext["region"]) == {"430000"}
    rows = rows_of(external_checks(comparison_table(ext, r.emissions, load_all())), "external_ceads")
    assert rows["1.A.4.b"][1] == pytest.approx(1.97e6) and rows["1.A.4.b"][3] == "pass"


def test_external_check_from_the_project_file(tmp_path):
    (tmp_path / "source").mkdir()
    ceads_csv(tmp_path / "source" / "ceads.csv", 1.5)
    (tmp_path / "inventory.toml").write_text(
        '[project]\nyears = [2019]\n[checks.external_ceads]\npath = "source/ceads.csv"\nwarn = 0.3\nfail = 0.5\n',
        encoding="utf-8")
    project = load_project(tmp_path / "inventory.toml")
    assert project.checks["external_ceads"]["path"] == str(tmp_path / "source" / "ceads.csv")
    from conftest import write_workbook
    path = write_workbook(tmp_path / "data" / "a.xlsx", [["430000", 2019, "1.A.4.b", "原煤", "", 100, "万吨"]])
    inputs, _ = read_inputs([path])
    r = compile_inventory(inputs, load_all(), thresholds=project.checks)
    # (1 977 897 − 1 500 000) / 1 500 000 = 31.9 %: between the project's warn 30 % and fail 50 %
    assert rows_of(r.checks, "external_ceads")["1.A"][3] == "warn"


def test_external_file_missing_is_a_usage_error(tmp_path):
    from inventory.errors import UsageError
    with pytest.raises(UsageError):
        read_external(tmp_path / "nope.csv")
    (tmp_path / "inventory.toml").write_text('[checks.external_ceads]\npath = "source/nope.csv"\n', encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        load_project(tmp_path / "inventory.toml")
    p = exc.value.problems[0]
    assert (p.column, p.value, p.code) == ("checks.external_ceads.path", str(tmp_path / "source" / "nope.csv"),
                                           "file_not_found")


def test_bad_supply_cell_is_rejected_with_its_location(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "能源平衡表 430000 2019"
    for row in [["地区", "湖南省"], ["年份", 2019], [], ["项目", "原煤(万吨)", "天然气(亿立方米)"],
                ["外省(区、市)调入量", "很多", 3], ["进口量", 1, None]]:
        ws.append(row)
    wb.save(tmp_path / "b.xlsx")
    inputs, _ = read_inputs([tmp_path / "b.xlsx"])
    p = inputs.errors[0]
    assert (p.row, p.column, p.value, p.code) == (5, "原煤(万吨) (B)", "很多", "not_a_number")
    status = dict(zip(inputs.ledger["row"], inputs.ledger["status"]))
    assert (status[5], status[6]) == ("rejected", "used")
    coal = inputs.supply[inputs.supply["activity"] == "raw_coal"]
    assert coal[["flow", "amount"]].values.tolist() == [["import", 1e4]]  # the bad cell is not in the supply


def test_external_rows_roll_up_to_a_coarser_category_of_ours(compile_, tmp_path):
    # ours at 1.A.2 (industry as a whole); CEADs splits it into 1.A.2.a and 1.A.2.f: compared at 1.A.2
    r = compile_([["430000", 2019, "1.A.2", "原煤", "", 100, "万吨"]])
    path = tmp_path / "c.csv"
    path.write_text("year,source_sheet,row_order,row_label,fuel,unit,value\n"
                    "2019,Hunan2019,29,Smelting and Pressing of Ferrous Metals,Raw_Coal,Mt CO2,1.2\n"
                    "2019,Hunan2019,28,Nonmetal Mineral Products,Raw_Coal,Mt CO2,0.8\n", encoding="utf-8")
    rows = rows_of(external_checks(comparison_table(read_external(path), r.emissions, load_all())), "external_ceads")
    assert rows["1.A.2"][:2] == (pytest.approx(100e4 * COAL_T), pytest.approx(2.0e6))
    assert "1.A.2.a" not in rows


def test_issue_12_per_fuel_table_with_factors_per_tonne_and_per_10k_m3(compile_, tmp_path):
    """Ours and CEADs per fuel: CO2, difference in t and %, and each side's factor per t or per 10^4 m3."""
    from inventory.qa.external import fuel_table

    r = compile_([["430000", 2019, "1.A.4.b", "原煤", "", 100, "万吨"],
                  ["430000", 2019, "1.A.4.b", "天然气", "", 2, "亿立方米"]])
    extra = ["2019,Hunan2019,47,Rural,Natural_Gas,Mt CO2,0.4"]
    energy = tmp_path / "energy.csv"
    energy.write_text("year,source_sheet,row_order,row_label,fuel,unit,value\n"
                      "2019,Hunan2019,47,Rural,Raw_Coal,10^4 ton,90\n"
                      "2019,Hunan2019,47,Rural,Natural_Gas,10^8 cu.m,2\n", encoding="utf-8")
    table = comparison_table(read_external(ceads_csv(tmp_path / "c.csv", 1.5, extra)), r.emissions, load_all(),
                             read_external(energy))
    fuels = fuel_table(table).set_index("activity")
    coal, gas = fuels.loc["raw_coal"], fuels.loc["natural_gas"]
    assert coal["ours_t"] == pytest.approx(100e4 * COAL_T) and coal["external_t"] == pytest.approx(1.5e6)
    assert coal["difference_pct"] == pytest.approx((100e4 * COAL_T - 1.5e6) / 1.5e6 * 100)
    assert (coal["factor_ours"], coal["factor_external"], coal["factor_unit"]) == (
        pytest.approx(COAL_T), pytest.approx(1.5e6 / 90e4), "t/t")
    # natural gas: GB/T 32151.22 Table C.1 389.31 GJ/10^4 Nm3 × 15.3 tC/TJ × 0.99 × 44/12 per 10^4 m3
    assert gas["factor_ours"] == pytest.approx(GAS_M3 * 1e4) and gas["factor_unit"] == "t/万m3"
    assert gas["factor_external"] == pytest.approx(0.4e6 / 2e4)


def test_issue_12_report_shows_the_per_fuel_table_with_a_chart(tmp_path):
    """The pipeline's per-fuel table is on the build result; the report renders it (its factors as computed)."""
    from conftest import write_workbook
    from inventory.report.html import render_html

    energy = tmp_path / "energy.csv"
    energy.write_text("year,source_sheet,row_order,row_label,fuel,unit,value\n"
                      "2019,Hunan2019,47,Rural,Raw_Coal,10^4 ton,90\n", encoding="utf-8")
    checks = {"external_ceads": {"path": str(ceads_csv(tmp_path / "ceads.csv", 1.5)), "activity_path": str(energy)}}
    path = write_workbook(tmp_path / "data" / "a.xlsx", [["430000", 2019, "1.A.4.b", "原煤", "", 100, "万吨"]])
    inputs, _ = read_inputs([path])
    r = compile_inventory(inputs, load_all(), thresholds=checks)
    row = r.qa_tables["external_fuel"].set_index("activity").loc["raw_coal"]
    assert row["factor_external"] == pytest.approx(1.5e6 / 90e4) and row["factor_unit"] == "t/t"
    page = render_html(r, "en")
    section = page[page.index("Compared with a published inventory by fuel (CEADs)"):]
    section = section[:section.index("</table>")]
    assert "<svg" in section and "CO2 by fuel: this inventory and the external one" in section
    assert "Liu et al. 2015" in section and "1.67" in section and "t/t" in section  # CEADs 1.5e6 t / 90e4 t


def test_reference_approach_is_graded_by_fuel_type_not_by_fuel():
    # UNFCCC table 1.A(c) compares solid, liquid and gaseous fuels: refining moves crude oil's carbon
    # into products, so crude alone (100 supplied, 0 burnt) is no finding; the liquids together are.
    table = pd.DataFrame({
        "region": "430000", "year": 2019,
        "activity": ["crude_oil", "gasoline", "raw_coal"],
        "reference_co2_t": [100.0, -20.0, 50.0],   # the refinery's gasoline leaves the province: negative supply
        "sectoral_co2_t": [0.0, 79.0, 50.0],
    })
    rows = rows_of(reference_approach(table), "reference_approach")
    assert set(rows) == {"1.A", "1.A:liquid", "1.A:solid"}
    assert rows["1.A:liquid"][:3] == (80.0, 79.0, pytest.approx((80 - 79) / 79 * 100))
    assert rows["1.A:liquid"][3] == "pass"                 # 1.27 % < warn 2 %
    assert rows["1.A"][:2] == (130.0, 129.0)


def test_a_burnt_fuel_without_supply_rows_counts_on_the_sectoral_side(tmp_path):
    # Only raw coal and gas have supply rows; gasoline burnt in the province (its inflow not given) still
    # belongs to the liquid fuels' sectoral CO2, with reference 0 and the whole difference unexplained.
    supply, emissions, factors = _supply_emissions(tmp_path)
    row = emissions[emissions["substance"] == "CO2"].iloc[[0]].assign(activity="gasoline", emission=1000.0)
    table = explanation_table(supply, pd.concat([emissions, row], ignore_index=True), factors)
    gasoline = table.set_index("activity").loc["gasoline"]
    assert (gasoline["reference_co2_t"], gasoline["sectoral_co2_t"]) == (0.0, 1000.0)
    assert gasoline["statistical_difference_co2_t"] == -1000.0
    rows = rows_of(reference_approach(table), "reference_approach")
    assert rows["1.A:liquid"][:4] == (0.0, 1000.0, -100.0, "fail")
    assert rows["1.A"][1] == pytest.approx(100e4 * COAL_T + 3.1e8 * GAS_M3 + 1000.0)
