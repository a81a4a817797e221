"""Issue 17 item 2: indirect CO2 of electricity (M.EL.use, M.EL.import) and heat (M.HEAT) as memo items.

Hand calculations use the grid factors as the MEE/NBS announcements print them (kg CO2/kWh, read in the
press reports named in emission_factors/mee_electricity_factors.csv):
华中 (Hunan's regional grid) 2022 0.5395, 2023 0.5271; national 2021 0.5568, 2022 0.5366, 2023 0.5306.
CO2 (t) = electricity (kWh) × factor (kg/kWh) / 1000.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from conftest import emission, write_workbook
from inventory import aggregate, resources
from inventory.build import compile_inventory
from inventory.factors.load import load_all
from inventory.methods import indirect
from inventory.read import read_inputs
from inventory.report.summaries import sector_gas_summary, sector_tree

HUAZHONG = {2022: 0.5395, 2023: 0.5271}      # kg CO2/kWh
NATIONAL = {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}
YI_KWH = 1e8                                 # kWh in 亿千瓦时


def memo_rows(result):
    e = result.emissions
    return e[e["category"].str.startswith("M.")].set_index(["region", "year", "category"])


def test_issue_17_electricity_used_gives_memo_co2_with_the_regional_grid_factor(compile_):
    r = compile_([["株洲", 2023, "1.A.2", "电力", "", 172, "亿千瓦时"],
                  ["株洲", 2023, "1.A.2", "原煤", "", 10, "万吨"]])
    row = memo_rows(r).loc[("430200", 2023, "M.EL.use.1.A.2")]
    expected = 172 * YI_KWH * HUAZHONG[2023] / 1000                 # 9 066 120 t CO2
    assert expected == pytest.approx(9_066_120)
    assert (row["substance"], row["kind"], row["activity"]) == ("CO2", "memo", "electricity")
    assert row["emission"] == pytest.approx(expected) and row["co2e_t"] == pytest.approx(expected)
    assert row["activity_amount"] == pytest.approx(172 * YI_KWH / 1000) and row["activity_unit"] == "MWh"
    assert row["implied_factor"] == pytest.approx(HUAZHONG[2023])  # t/MWh = kg/kWh
    assert row["factor_ids"] == "mee_nbs.2023.grid_avg.central_china.co2"
    # Never in the gross total: the total is the coal's CO2 alone.
    coal_co2 = emission(r, "CO2", category="1.A.2", activity="raw_coal")
    gross = aggregate.totals(r.emissions, ["region", "substance"]).set_index("substance")
    assert gross.loc["CO2", "emission"] == pytest.approx(coal_co2)
    summary = sector_gas_summary(r, "zh")
    assert summary.loc[summary["row_type"] == "gross", "CO2"].item() == pytest.approx(coal_co2)
    memo = summary[summary["row_type"] == "memo"]
    assert memo["CO2"].tolist() == [pytest.approx(expected)] and memo["item"].str.contains("电力消费间接排放").all()


def test_issue_17_consumers_map_to_their_memo_category_and_m_codes_stay(compile_):
    r = compile_([["株洲", 2023, "居民生活", "电力", "", 1, "亿千瓦时"],
                  ["株洲", 2023, "1.A.2.a", "电力", "", 2, "亿千瓦时"],
                  ["株洲", 2023, "2.C.1", "电力", "", 3, "亿千瓦时"],
                  ["株洲", 2023, "M.EL.use", "电力", "", 4, "亿千瓦时"]])
    co2 = memo_rows(r)["emission"].droplevel([0, 1])
    assert co2.to_dict() == {c: pytest.approx(n * YI_KWH * HUAZHONG[2023] / 1000) for c, n in
                             (("M.EL.use.1.A.4.b", 1), ("M.EL.use.1.A.2", 2), ("M.EL.use", 3 + 4))}


def test_issue_17_year_without_factor_takes_the_nearest_cited_year_marked_derived(compile_):
    r = compile_([["株洲", 2019, "1.A.4.b", "电力", "", 10, "亿千瓦时"],      # 华中 2022 is 3 years away
                  ["株洲", 2016, "1.A.4.b", "电力", "", 10, "亿千瓦时"],      # 华中 2022: 6; national 2021: 5
                  ["株洲", 2015, "1.A.4.b", "电力", "", 10, "亿千瓦时"]])     # nothing within five years: NE
    rows = memo_rows(r).droplevel(0)
    assert rows.loc[(2019, "M.EL.use.1.A.4.b"), "emission"] == pytest.approx(10 * YI_KWH * HUAZHONG[2022] / 1000)
    assert rows.loc[(2019, "M.EL.use.1.A.4.b"), "factor_ids"] == \
        "mee_nbs.2022.grid_avg.central_china.co2;derived:nearest_year=2022"
    assert rows.loc[(2016, "M.EL.use.1.A.4.b"), "emission"] == pytest.approx(10 * YI_KWH * NATIONAL[2021] / 1000)
    assert rows.loc[(2016, "M.EL.use.1.A.4.b"), "factor_ids"] == "mee_nbs.2021.grid_avg.cn.co2;derived:nearest_year=2021"
    assert (2015, "M.EL.use.1.A.4.b") not in rows.index
    ne = r.not_estimated.set_index(["year", "category"])
    assert ne.loc[(2015, "M.EL.use.1.A.4.b"), "reason"] == "ne_indirect_no_factor_near"


def test_issue_17_region_outside_the_shipped_grids_takes_the_national_average():
    activity = pd.DataFrame({"region": "CN", "year": [2022, 2020, 2024], "category": "1.A.2",
                             "activity": "electricity", "technology": "", "amount": 1.0, "quantity": "energy",
                             "file": "", "sheet": "", "row": 0, "source": "", "history": False})
    out, ne = indirect.compute(activity, load_all())
    implied = (out.set_index("year")["emission"] / out.set_index("year")["activity_amount"]).to_dict()
    # t CO2 per MWh = kg CO2 per kWh; 2020 and 2024 take the nearest cited years 2021 and 2023.
    assert implied == {2022: pytest.approx(NATIONAL[2022]), 2020: pytest.approx(NATIONAL[2021]),
                       2024: pytest.approx(NATIONAL[2023])}
    assert out.set_index("year")["activity_unit"].eq("MWh").all() and ne.empty


def test_issue_17_a_local_factor_row_replaces_the_grid_factor(compile_):
    r = compile_([["株洲", 2023, "1.A.2", "电力", "", 1, "亿千瓦时"],
                  ["株洲", 2023, "", "电力", "", 0.49, "kg/kWh", "ef.CO2", "省级因子"]])
    row = memo_rows(r).loc[("430200", 2023, "M.EL.use.1.A.2")]
    assert row["emission"] == pytest.approx(1 * YI_KWH * 0.49 / 1000)
    assert row["factor_ids"].startswith("local:")


def test_issue_17_net_exports_stay_a_memo_item(compile_):
    r = compile_([["株洲", 2023, "M.EL.import", "电力", "", -20, "亿千瓦时"]])
    row = memo_rows(r).loc[("430200", 2023, "M.EL.import")]
    assert row["emission"] == pytest.approx(-20 * YI_KWH * HUAZHONG[2023] / 1000)
    assert row["kind"] == "memo"


def test_issue_17_heat_bought_in_gives_memo_co2_with_the_gbt32150_default(compile_):
    # GB/T 32150—2025 7.5.6–7.5.7: 0.11 t CO2/GJ of heat bought in. 100 万吉焦 = 1e6 GJ -> 110 000 t CO2.
    r = compile_([["株洲", 2023, "1.A.4.b", "热力", "", 100, "万吉焦"]])
    row = memo_rows(r).loc[("430200", 2023, "M.HEAT")]
    assert row["emission"] == pytest.approx(1e6 * 0.11)
    assert (row["kind"], row["activity_unit"]) == ("memo", "GJ")
    assert row["factor_ids"] == "gbt32150_2025.7_5.heat.co2"
    assert r.not_estimated.empty


def test_issue_17_regional_grid_factors_follow_the_province_grid_map():
    # data/power_grids.csv: Hunan is in the 华中 grid; every regional factor row is shipped for a province of
    # the grid its id names (mee_nbs.<year>.grid_avg.<grid>.co2).
    grids = resources.data_table("power_grids.csv")
    assert grids.set_index("province").loc["430000", ["grid", "grid_zh"]].tolist() == ["central_china", "华中"]
    assert grids["province"].is_unique
    text = (resources.factors_dir() / "mee_electricity_factors.csv").read_text(encoding="utf-8")
    factors = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    regional = factors[factors["region"] != "CN"].assign(grid=lambda f: f["factor_id"].str.split(".").str[3])
    assert len(regional) == 2
    placed = regional.merge(grids, left_on=["region", "grid"], right_on=["province", "grid"])
    assert len(placed) == len(regional)


def test_issue_17_province_net_imports_come_from_the_balance_supply_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "能源平衡表 430000 2023"
    for row in [["地区", "湖南省"], ["年份", 2023], [],
                ["项目", "原煤(万吨)", "电力(亿千瓦时)"],
                ["外省(区、市)调入量", 60, 500],
                ["本省(区、市)调出量(-)", -5, -120],
                ["进口量", 4, None],
                ["农、林、牧、渔业", 50, 30],
                ["城镇", 10, 200],
                ["消费总量", 60, 230]]:
        ws.append(row)
    wb.save(tmp_path / "balance.xlsx")
    inputs, _ = read_inputs([tmp_path / "balance.xlsx"])
    assert not inputs.errors, [str(p) for p in inputs.errors]
    r = compile_inventory(inputs, load_all())
    co2 = memo_rows(r)["emission"].droplevel([0, 1])
    factor = HUAZHONG[2023] / 1000 * YI_KWH                          # t CO2 per 亿千瓦时
    assert co2["M.EL.import"] == pytest.approx((500 - 120) * factor)
    assert co2["M.EL.use.1.A.4.c"] == pytest.approx(30 * factor)
    assert co2["M.EL.use.1.A.4.b"] == pytest.approx(200 * factor)
    assert set(r.emissions.loc[r.emissions["category"].str.startswith("M."), "kind"]) == {"memo"}


def test_issue_17_own_net_import_row_wins_over_the_balance(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "能源平衡表 430000 2023"
    for row in [["地区", "湖南省"], ["年份", 2023], [], ["项目", "电力(亿千瓦时)"],
                ["外省(区、市)调入量", 500], ["城镇", 200], ["消费总量", 200]]:
        ws.append(row)
    wb.save(tmp_path / "balance.xlsx")
    write_workbook(tmp_path / "own.xlsx", [["湖南省", 2023, "M.EL.import", "电力", "", 450, "亿千瓦时"]])
    inputs, _ = read_inputs([tmp_path])
    r = compile_inventory(inputs, load_all())
    assert memo_rows(r).loc[("430000", 2023, "M.EL.import"), "emission"] == \
        pytest.approx(450 * HUAZHONG[2023] / 1000 * YI_KWH)


def test_issue_17_energy_tree_lists_the_memo_items_with_their_consumers(compile_):
    r = compile_([["株洲", 2023, "1.A.2", "电力", "", 2, "亿千瓦时"], ["株洲", 2023, "1.A.4.b", "电力", "", 1, "亿千瓦时"],
                  ["株洲", 2023, "1.A.2", "原煤", "", 10, "万吨"]])
    tree = sector_tree(r, "energy", "zh").set_index("category")
    factor = HUAZHONG[2023] / 1000 * YI_KWH
    assert tree.loc["M.EL.use", "CO2"] == pytest.approx(3 * factor) and bool(tree.loc["M.EL.use", "memo"])
    assert tree.loc["M.EL.use.1.A.2", "CO2"] == pytest.approx(2 * factor)
    assert tree.loc["M.EL.use", "name"] == "电力消费间接排放（信息项，不计入合计）"
    assert tree.loc["1", "CO2"] == pytest.approx(emission(r, "CO2", category="1.A.2", activity="raw_coal"))
