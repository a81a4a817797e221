"""Factor sets (issue 12, DESIGN 3.4): china, ipcc and ceads, each against hand calculations from its tables.

CO2 of a fuel = amount × NCV × carbon content × oxidation × 44/12 (IPCC 2006 Vol.2 Eq. 2.1 with the
carbon-content factor of Ch.1 Eq. 1.1); values as printed in the tables cited beside them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import emission
from inventory import resources
from inventory.build import compile_inventory
from inventory.errors import UsageError
from inventory.factors import sets
from inventory.factors.load import load_all
from inventory.read import read_inputs

CEADS = Path(str(resources.factors_dir())) / "ceads"
C = 44 / 12
# GB/T 32151.22-2024 Table C.1 (NCV GJ/t or GJ/10^4 Nm3, carbon content tC/TJ, oxidation %).
GBT = {"briquettes": (17.460, 33.6, 0.90), "other_washed_coal": (12.545, 25.41, 0.90),
       "coke_oven_gas": (179.81, 13.58, 0.99), "blast_furnace_gas": (33.00, 70.80, 0.99),
       "converter_gas": (84.00, 49.60, 0.99), "other_gas": (52.270, 12.2, 0.99),
       "refinery_gas": (45.998, 18.2, 0.99), "natural_gas": (389.31, 15.3, 0.99)}


def _row(activity, amount, unit, category="1.A.2.a", region="430000", year=2019):
    return [region, year, category, activity, "", amount, unit, "", "test"]


@pytest.mark.parametrize("activity, amount, unit, per", [
    ("briquettes", 1, "万吨", 1e4), ("other_washed_coal", 1, "万吨", 1e4), ("coke_oven_gas", 1, "亿立方米", 1e4),
    ("blast_furnace_gas", 1, "亿立方米", 1e4), ("converter_gas", 1, "亿立方米", 1e4), ("other_gas", 1, "亿立方米", 1e4),
    ("refinery_gas", 1, "万吨", 1e4), ("natural_gas", 1, "亿立方米", 1e4)])
def test_china_takes_gbt_32151_22_table_c1(compile_, activity, amount, unit, per):
    """1 万吨 or 1 亿 m3 (= 10^4 × 10^4 m3): NCV × carbon content × oxidation × 44/12 of GB/T 32151.22 Table C.1."""
    ncv, cc, of = GBT[activity]
    r = compile_([_row(activity, amount, unit)])
    assert emission(r, "CO2") == pytest.approx(per * ncv * 1e-3 * cc * of * C, rel=1e-9)
    ids = r.emissions.query("substance == 'CO2'")["factor_ids"].iat[0]
    assert f"gbt32151.22.c1.cc.{activity}" in ids or activity == "refinery_gas"


def test_china_raw_coal_is_the_yearbook_ncv_with_ipcc_carbon(compile_):
    """Guideline copies conflict (26.37/0.94 vs 26.4/0.98) and Table C.1 has no raw coal: Yearbook 20 908 kJ/kg,
    IPCC Table 1.3 25.8 tC/TJ, oxidation 1 (IPCC 2006 Vol.2 Table 1.4): 1.9779 t CO2 per t."""
    r = compile_([_row("raw_coal", 1, "万吨", "1.A.1.a")])
    assert emission(r, "CO2") == pytest.approx(1e4 * 20.908e-3 * 25.8 * 1.0 * C, rel=1e-9)  # 1.9779 t/t


def test_china_keeps_guideline_values_where_the_copies_agree(compile_):
    """Gasoline: guideline 18.9 tC/TJ and 0.98 (all copies agree), NCV 43.070 GJ/t (Table C.1 = Yearbook)."""
    r = compile_([_row("gasoline", 1, "万吨", "1.A.3.b")])
    assert emission(r, "CO2") == pytest.approx(1e4 * 43.070e-3 * 18.9 * 0.98 * C, rel=1e-9)
    assert set(r.emissions.query("substance == 'CO2'")["factor_ids"].iat[0].split(";")) == {
        "gbt32151.22.c1.ncv.gasoline", "cnprov11.cc.gasoline", "cnprov11.of.gasoline"}


@pytest.mark.parametrize("activity, amount, unit, expected", [
    # IPCC 2006 Table 1.2 NCV (TJ/Gg) × Table 1.3 carbon content × oxidation 1.
    ("raw_coal", 1, "万吨", 1e4 * 25.8e-3 * 25.8 * C),          # other bituminous coal
    ("gasoline", 1, "万吨", 1e4 * 44.3e-3 * 18.9 * C),          # motor gasoline
    ("diesel_oil", 1, "万吨", 1e4 * 43.0e-3 * 20.2 * C),        # gas/diesel oil
    ("refinery_gas", 1, "万吨", 1e4 * 49.5e-3 * 15.7 * C),
    ("briquettes", 1, "万吨", 1e4 * 20.7e-3 * 26.6 * C),        # patent fuel
    # Gases in m3: the Yearbook's per-m3 NCV (the one non-IPCC input), IPCC carbon content, oxidation 1.
    ("natural_gas", 1, "亿立方米", 1e8 * 38931e-9 * 15.3 * C),
    ("coke_oven_gas", 1, "亿立方米", 1e8 * 17981e-9 * 12.1 * C),
])
def test_ipcc_set(compile_, activity, amount, unit, expected):
    r = compile_([_row(activity, amount, unit)], factor_set="ipcc")
    assert emission(r, "CO2") == pytest.approx(expected, rel=1e-9)
    ids = r.emissions.query("substance == 'CO2'")["factor_ids"].iat[0].split(";")
    assert all(i.startswith(("ipcc06.", "cesy22.a4.ncv.natural_gas", "cesy22.a4.ncv.coke_oven_gas")) for i in ids)


def test_ipcc_set_cannot_estimate_gases_without_a_per_m3_ncv(compile_):
    """IPCC gives blast-furnace, converter and other gas per mass only; the Yearbook prints no m3 value: NE."""
    r = compile_([_row("blast_furnace_gas", 1, "亿立方米"), _row("other_gas", 1, "亿立方米")], factor_set="ipcc")
    assert r.emissions.query("substance == 'CO2'").empty
    ne = r.not_estimated.query("substance == 'CO2'")
    assert set(ne["activity"]) == {"blast_furnace_gas", "other_gas"}


def test_ceads_set_uses_the_implied_factor_of_the_category(compile_):
    """Hunan 2019, raw coal in power (1.A.1.a): CEADs power CO2 / (final use + Thermal Power + Heating Supply
    inputs), from the CEADs copies; a prefecture takes the province's factor; CH4 stays china's."""
    energy, co2 = _ceads_energy(), _ceads_co2()
    rows = ["Electric Power, Steam and Hot Water Production and Supply", "Thermal Power", "Heating Supply"]
    e = energy[(energy.year == 2019) & (energy.fuel == "Raw_Coal") & energy.row_label.isin(rows)]
    c = co2[(co2.year == 2019) & (co2.fuel == "Raw_Coal") & (co2.row_order == 40)]  # the power row, as CEADs spells it
    factor = c.value.sum() * 1e6 / (e.value.clip(lower=0).sum() * 1e4)
    assert factor == pytest.approx(1.7263, rel=1e-4)  # CEADs' power-row factor, 0.017263 Mt per 10^4 t
    r = compile_([_row("raw_coal", 1, "万吨", "1.A.1.a", region="430100")], factor_set="ceads")
    assert emission(r, "CO2") == pytest.approx(1e4 * factor, rel=1e-12)
    assert r.emissions.query("substance == 'CO2'")["factor_ids"].iat[0] == "ceads.hunan.2019.1A1a.raw_coal"
    assert emission(r, "CH4") == pytest.approx(1e4 * 20.908e-3 * 1e-3, rel=1e-9)  # IPCC Table 2.2, 1 kg/TJ


def test_ceads_set_outside_2011_2019_takes_the_nearest_year_marked(compile_):
    r = compile_([_row("diesel_oil", 1, "万吨", "1.A.3", year=2021), _row("diesel_oil", 1, "万吨", "1.A.3", year=2005)],
                 factor_set="ceads")
    ids = set(r.emissions.query("substance == 'CO2'")["factor_ids"])
    assert ids == {"ceads.hunan.nearest2019.1A3.diesel_oil", "ceads.hunan.nearest2011.1A3.diesel_oil"}
    # CEADs' diesel factor is one constant in every sector and year: 0.030938 Mt CO2 per 10^4 t.
    assert emission(r, "CO2") == pytest.approx(2 * 1e4 * 3.0938, rel=1e-4)


def test_a_workbook_carbon_content_stays_above_the_ceads_factor(compile_):
    """Local parameters stay above any set (DESIGN 3.4): a local carbon content brings back the carbon method."""
    rows = [_row("raw_coal", 1, "万吨", "1.A.1.a"), ["430000", 2019, "1.A.1.a", "原煤", "", 27, "tC/TJ", "单位热值含碳量", "化验"]]
    r = compile_(rows, factor_set="ceads")
    assert emission(r, "CO2") == pytest.approx(1e4 * 20.908e-3 * 27 * 1.0 * C, rel=1e-9)


def test_ceads_table_is_what_its_script_derives_from_the_copies(tmp_path):
    """emission_factors/ceads_co2_factors.csv = make_ceads_factors.py run on the CEADs copies in ceads/."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_ceads_factors", CEADS / "make_ceads_factors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path / "ceads.csv")
    assert (tmp_path / "ceads.csv").read_bytes() == (CEADS.parent / "ceads_co2_factors.csv").read_bytes()


def test_ceads_covers_hunan_and_its_parts_only():
    sets.check_regions("ceads", ["430000", "430100", "433100"])
    with pytest.raises(UsageError) as info:
        sets.check_regions("ceads", ["CN"])
    p = info.value.problems[0]
    assert "ceads" in p.message("en") and "430000 湖南省" in p.expectation("en")


def test_unknown_set_is_a_usage_error_listing_the_sets():
    with pytest.raises(UsageError) as info:
        sets.checked("cn")
    p = info.value.problems[0]
    assert p.value == "cn" and all(s in p.expectation("en") for s in ("china", "ipcc", "ceads"))


# ---- CEADs' own balances, 2011-2019 -------------------------------------------------------------------------

@cache
def _ceads_energy() -> pd.DataFrame:
    return pd.read_csv(CEADS / "ceads_hunan_energy_inventory_2011_2019.csv")


@cache
def _ceads_co2() -> pd.DataFrame:
    return pd.read_csv(CEADS / "ceads_hunan_co2_sectoral_2011_2019.csv")


def _balances(path: Path) -> Path:
    """CEADs' energy inventories of Hunan 2011-2019 as wide energy balances, one sheet a year, values unchanged."""
    sectors = resources.data_table("energy_balance_sectors.csv").drop_duplicates("row_label_en")
    zh = dict(zip(sectors["row_label_en"], sectors["row_label_zh"]))
    fuels = resources.data_table("ceads_fuels.csv")
    names = resources.data_table("activities.csv").set_index("id")["name_zh"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for year, e in _ceads_energy().groupby("year"):
        ws = wb.create_sheet(f"能源平衡表 430000 {year}")
        ws.append(["地区", "湖南省"])
        ws.append(["年份", int(year)])
        ws.append(["项目"] + [f"{names[a]}({u})" for a, u in zip(fuels["activity"], fuels["unit"])])
        wide = e.pivot(index="row_order", columns="fuel", values="value")
        labels = e.drop_duplicates("row_order").set_index("row_order")["row_label"]
        for order in sorted(labels.index):
            ws.append([zh[labels[order]]] + [None if pd.isna(wide.at[order, f]) else float(wide.at[order, f])
                                             for f in fuels["ceads_fuel"]])
    wb.save(path)
    return path


def _ceads_by_category() -> pd.Series:
    """CEADs' published CO2 (t) per year, category and fuel: its sector rows summed to our categories."""
    sectors = resources.data_table("energy_balance_sectors.csv").drop_duplicates("row_label_en")
    fuels = resources.data_table("ceads_fuels.csv")
    c = _ceads_co2().merge(sectors, left_on="row_label", right_on="row_label_en")
    c = c[c["role"] == "sector"].merge(fuels, left_on="fuel", right_on="ceads_fuel")
    return c.assign(t=c["value"] * 1e6).groupby(["year", "category", "activity"])["t"].sum()


@pytest.fixture(scope="module")
def ceads_book(tmp_path_factory):
    return _balances(tmp_path_factory.mktemp("ceads") / "hunan_2011_2019.xlsx")


@pytest.fixture(scope="module")
def ceads_inputs(ceads_book):
    inputs, _ = read_inputs([ceads_book])
    assert not inputs.errors
    return inputs


def _ours(inputs, factor_set: str):
    """Our CO2 (t) per year, category and fuel, and the build result."""
    result = compile_inventory(inputs, load_all(None, factor_set))
    e = result.emissions
    e = e[(e["substance"] == "CO2") & (e["kind"] == "emission")]
    return e.groupby(["year", "category", "activity"])["emission"].sum(), result


def test_issue_12_ceads_set_reproduces_ceads_per_category_and_fuel_2011_2019(ceads_inputs):
    ours, _ = _ours(ceads_inputs, "ceads")
    theirs = _ceads_by_category()
    both = pd.concat([ours.rename("ours"), theirs.rename("ceads")], axis=1).fillna(0.0)
    assert sorted(set(both.index.get_level_values("year"))) == list(range(2011, 2020))
    assert both["ours"].to_numpy() == pytest.approx(both["ceads"].to_numpy(), rel=1e-6, abs=1e-6)
    per_fuel = both.groupby(["year", "activity"]).sum()
    assert per_fuel["ours"].to_numpy() == pytest.approx(per_fuel["ceads"].to_numpy(), rel=1e-6)
    # 2019: CEADs' 17-fuel energy CO2 of Hunan, 274.4946 Mt (its Scope 1 total less cement process).
    assert both.sort_index().loc[2019, "ours"].sum() == pytest.approx(274.4946e6, rel=1e-6)


def test_issue_12_china_estimates_every_fuel_ceads_counts(ceads_inputs):
    ours, result = _ours(ceads_inputs, "china")
    theirs = _ceads_by_category()
    counted = theirs[theirs > 0]
    assert counted.index.difference(ours.index).empty
    assert (ours.reindex(counted.index) > 0).all()
    assert not set(result.not_estimated.query("substance == 'CO2'")["activity"]) & set(counted.index.get_level_values(2))


# ---- the command line ------------------------------------------------------------------------------------------

def _run(*args):
    from typer.testing import CliRunner

    from inventory.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


@pytest.fixture
def coal_book(tmp_path):
    from conftest import write_workbook

    return write_workbook(tmp_path / "data" / "energy.xlsx", [_row("raw_coal", 100, "万吨", "1.A.1.a"),
                                                              _row("other_gas", 2, "亿立方米", "1.A.2.a")])


def test_build_records_the_set_in_manifest_workbook_and_report(tmp_path, coal_book):
    out = tmp_path / "out"
    result = _run("build", coal_book, "-o", out, "--factor-set", "ipcc", "--lang", "en")
    assert result.exit_code == 0, result.output
    manifest = __import__("json").loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["factor_set"] == "ipcc"
    meta = openpyxl.load_workbook(out / "inventory.xlsx", read_only=True)["Metadata"]
    assert ["factor_set", "ipcc"] in [[c for c in row[:2]] for row in meta.iter_rows(values_only=True)]
    assert "Factor set: IPCC 2006 defaults (ipcc)" in (out / "report.html").read_text(encoding="utf-8")
    e = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig")
    assert e.query("substance == 'CO2'")["emission"].sum() == pytest.approx(100e4 * 25.8e-3 * 25.8 * C, rel=1e-9)


def test_unknown_set_on_the_command_line_exits_2_listing_the_sets(tmp_path, coal_book):
    result = _run("build", coal_book, "-o", tmp_path / "out", "--factor-set", "CEAD")
    assert result.exit_code == 2
    assert "CEAD" in result.output and all(s in result.output for s in ("china", "ipcc", "ceads"))
    assert "Traceback" not in result.output


def test_project_key_factor_set(tmp_path, coal_book):
    toml = tmp_path / "inventory.toml"
    toml.write_text('[project]\nname = "示例：市州数据为示意"\ninputs = ["data/"]\nfactor_set = "ceads"\n',
                    encoding="utf-8")
    out = tmp_path / "out"
    assert _run("build", toml, "-o", out).exit_code == 0
    manifest = __import__("json").loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["factor_set"] == "ceads"
    assert "<p>示例：市州数据为示意</p>" in (out / "report.html").read_text(encoding="utf-8")  # the project's name
    toml.write_text('[project]\ninputs = ["data/"]\nfactor_set = "gb"\n', encoding="utf-8")
    bad = _run("build", toml, "-o", out)
    assert bad.exit_code == 2 and "project.factor_set" in bad.output and "gb" in bad.output


def test_factors_list_and_show_name_the_sets():
    listing = _run("factors", "list", "--activity", "coke_oven_gas", "--format", "csv")
    rows = pd.read_csv(__import__("io").StringIO(listing.stdout), keep_default_na=False).set_index("factor_id")
    assert rows.at["gbt32151.22.c1.ncv.coke_oven_gas", "factor_sets"] == "china;ceads"
    assert rows.at["cesy22.a4.ncv.coke_oven_gas", "factor_sets"] == "ipcc"
    assert rows.at["ipcc06.t1_3.cc.coke_oven_gas", "factor_sets"] == "china;ipcc;ceads"  # empty cell: every set
    ranked = _run("factors", "list", "--category", "1.A.1.a", "--activity", "raw_coal", "--factor-set", "ipcc",
                  "--format", "csv")
    ranked = pd.read_csv(__import__("io").StringIO(ranked.stdout), keep_default_na=False)
    applies = set(ranked.loc[ranked["applies"], "factor_id"])
    assert {"ipcc06.t1_2.ncv.raw_coal", "ipcc06.t1_3.cc.raw_coal"} <= applies
    assert "cesy22.a4.ncv.raw_coal" not in set(ranked["factor_id"])
    shown = _run("factors", "show", "cesy22.a4.ncv.coke_oven_gas")
    assert shown.exit_code == 0 and "所属因子集" in shown.stdout and "ipcc" in shown.stdout


def test_issue_12_compare_of_two_sets_is_all_factor_effect_fuel_by_fuel(ceads_book):
    """The same 2019 balance under china and ceads: every CO2 change is factor effect, per fuel and per
    category, and the explanation names the ids of each side."""
    from inventory.compare import compare_builds, explained

    one_year, _ = read_inputs([ceads_book], None, {2019})
    old = compile_inventory(one_year, load_all(None, "china")).emissions
    new = compile_inventory(one_year, load_all(None, "ceads")).emissions
    c = compare_builds(old, new)
    co2 = c[c["substance"] == "CO2"]
    assert set(co2["status"]) <= {"changed", "unchanged"}
    moved = co2[co2["change"] != 0]  # keys of amount 0 have no factor to split on, and no change
    assert len(moved) > 50 and moved["activity_effect"].fillna(1).eq(0).all()
    assert moved["factor_effect"].to_numpy() == pytest.approx(moved["change"].to_numpy(), abs=1e-6)
    fuels = explained(c[c["substance"] == "CO2"], ["region", "year", "activity"]).set_index("activity")
    coal = fuels.loc["raw_coal"]
    theirs = _ceads_by_category().loc[2019].groupby("activity").sum()
    assert coal["new"] == pytest.approx(theirs["raw_coal"], rel=1e-6)
    assert coal["factor_effect"] == pytest.approx(coal["change"]) and coal["activity_effect"] == 0
    assert "cesy22.a4.ncv.raw_coal" in coal["old_factor_ids"] and "ipcc06.t1_3.cc.raw_coal" in coal["old_factor_ids"]
    assert "ceads.hunan.2019.1A1a.raw_coal" in coal["new_factor_ids"]
    cats = explained(c[c["substance"] == "CO2"], ["region", "year", "category"]).set_index("category")
    assert cats["factor_effect"].to_numpy() == pytest.approx(cats["change"].to_numpy())
