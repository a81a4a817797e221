"""Issue 14: counties in the region list, code changes, the sum of the parts at every level, per-region
folders above 200 regions, and the emissions Parquet in row groups by region and year (DESIGN 3.1, 3.6, 3.7)."""

from __future__ import annotations

import types

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import emission, write_workbook
from inventory import regions
from inventory.read import read_inputs
from inventory.report import outputs, tables

NCV_DIESEL = 42652e-6  # TJ/t, as test_province.py
PER_T = NCV_DIESEL * 20.2 * 0.98 * 44 / 12  # t CO2 per t diesel (IPCC carbon content, China oxidation rate)


def test_issue_14_region_list_covers_hunans_122_county_level_units_and_all_of_china():
    t = regions.table()
    hunan = t[t["code"].str.startswith("43")]
    assert hunan["level"].value_counts().to_dict() == {"county": 122, "prefecture": 14, "province": 1}
    assert t.at["430102", "name_zh"] == "芙蓉区" and t.at["430102", "parent"] == "430100"
    assert (t["level"] == "province").sum() == 34 and (t["level"] == "county").sum() > 2800
    # County-level units directly under a province (省直辖) have the province as parent: 仙桃市 in Hubei.
    assert t.at["429004", "parent"] == "420000" and t.at["110101", "parent"] == "110000"
    # Every parent is a code of the list.
    assert set(t["parent"]) - {""} <= set(t["code"])


def test_issue_14_code_changes_cover_hunan_2011_2022_and_no_old_code_is_in_use():
    changes = regions.code_changes()
    hunan = changes[changes["old_code"].str.startswith("43") & changes["year"].astype(int).between(2011, 2022)]
    assert dict(zip(hunan["old_code"], hunan["new_code"])) == {
        "430122": "430112", "430124": "430182", "430221": "430212", "430521": "430582", "431121": "431181"}
    assert not set(changes["old_code"]) & set(regions.table()["code"])
    assert set(changes["new_code"]) <= set(regions.table()["code"])


def test_issue_14_an_old_code_reads_as_its_successor_with_a_warning_naming_both_and_the_series_follows(tmp_path):
    rows = [["430122", 2010, "1.A.4.b", "柴油", "", 1, "万吨"],    # 望城县 before 2011
            ["430112", 2012, "1.A.4.b", "柴油", "", 2, "万吨"],    # 望城区 since
            ["430124", 2015, "1.A.4.b", "柴油", "", 3, "万吨"]]    # 宁乡县 -> 宁乡市 430182 (2017)
    inputs, _ = read_inputs([write_workbook(tmp_path / "a.xlsx", rows)])
    assert not inputs.errors
    assert sorted(zip(inputs.activity["region"], inputs.activity["year"])) == \
        [("430112", 2010), ("430112", 2012), ("430182", 2015)]
    warned = [p for p in inputs.warnings if p.code == "region_code_changed"]
    assert [(p.row, p.value) for p in warned] == [(2, "430122"), (4, "430124")]
    for lang in ("zh", "en"):
        text = warned[0].message(lang)
        assert all(s in text for s in ("430122", "望城县", "430112", "望城区", "2011"))


def test_issue_14_an_unknown_code_and_a_name_several_regions_bear_are_located_errors(tmp_path):
    rows = [["439999", 2019, "1.A.4.b", "柴油", "", 1, "万吨"],
            ["鼓楼区", 2019, "1.A.4.b", "柴油", "", 1, "万吨"],
            ["南京市鼓楼区", 2019, "1.A.4.b", "柴油", "", 1, "万吨"]]
    inputs, _ = read_inputs([write_workbook(tmp_path / "a.xlsx", rows)])
    errors = {(p.row, p.code, p.column, p.value) for p in inputs.errors}
    assert errors == {(2, "unknown_region", "地区 (A)", "439999"), (3, "region_name_ambiguous", "地区 (A)", "鼓楼区")}
    amb = next(p for p in inputs.errors if p.code == "region_name_ambiguous").to_dict("zh")
    assert "320106" in str(amb) and "350102" in str(amb)
    assert list(inputs.activity["region"]) == ["320106"]  # the name with its parents in front is read


def test_issue_14_a_prefecture_without_its_own_rows_is_the_sum_of_its_counties(compile_):
    rows = [["430102", 2019, "1.A.4.b", "柴油", "", 1, "万吨"],   # 芙蓉区 (长沙市)
            ["430121", 2019, "1.A.4.b", "柴油", "", 2, "万吨"],   # 长沙县 (长沙市)
            ["430202", 2019, "1.A.4.b", "柴油", "", 4, "万吨"]]   # 荷塘区 (株洲市)
    r = compile_(rows, regions={"430000", "430100", "430200", "430102", "430121", "430202"})
    e = r.emissions[r.emissions["substance"] == "CO2"]
    assert set(e.loc[e["region"].isin(["430100", "430200", "430000"]), "basis"]) == {"aggregated"}
    assert emission(r, "CO2", region="430100") == pytest.approx(3e4 * PER_T, rel=1e-9)
    assert emission(r, "CO2", region="430200") == pytest.approx(4e4 * PER_T, rel=1e-9)
    # The province is the sum of its prefectures (themselves sums of their counties), nothing counted twice.
    assert emission(r, "CO2", region="430000") == pytest.approx(7e4 * PER_T, rel=1e-9)


def test_issue_14_province_sums_its_counties_even_when_the_prefectures_are_not_built(compile_):
    rows = [["430102", 2019, "1.A.4.b", "柴油", "", 1, "万吨"], ["430202", 2019, "1.A.4.b", "柴油", "", 4, "万吨"]]
    r = compile_(rows, regions={"430000", "430102", "430202"})
    assert set(r.emissions["region"]) == {"430000", "430102", "430202"}
    assert emission(r, "CO2", region="430000") == pytest.approx(5e4 * PER_T, rel=1e-9)


def test_issue_14_county_level_units_directly_under_a_province_count_in_its_sum(compile_):
    rows = [["420100", 2019, "1.A.4.b", "柴油", "", 1, "万吨"],   # 武汉市, a prefecture of Hubei
            ["429004", 2019, "1.A.4.b", "柴油", "", 2, "万吨"]]   # 仙桃市, directly under Hubei (省直辖)
    r = compile_(rows, regions={"420000", "420100", "429004"})
    assert emission(r, "CO2", region="420000") == pytest.approx(3e4 * PER_T, rel=1e-9)


def test_issue_14_the_parts_against_the_whole_check_runs_at_the_prefecture_level(compile_):
    rows = [["430100", 2019, "1.A.4.b", "柴油", "", 10, "万吨"],  # 长沙市's own figure
            ["430102", 2019, "1.A.4.b", "柴油", "", 4, "万吨"],
            ["430121", 2019, "1.A.4.b", "柴油", "", 4, "万吨"]]
    r = compile_(rows, regions={"430100", "430102", "430121"})
    c = r.checks[(r.checks["check"] == "province_vs_prefectures") & (r.checks["substance"] == "CO2")]
    assert list(c["region"]) == ["430100"]
    assert c.iloc[0]["diff_pct"] == pytest.approx((10 - 8) / 8 * 100)
    # its own figure stands: the counties are not added on top
    assert emission(r, "CO2", region="430100") == pytest.approx(10e4 * PER_T, rel=1e-9)


def _result(codes, years=(2019,)):
    e = pd.DataFrame([(c, y) for c in codes for y in years], columns=["region", "year"])
    return types.SimpleNamespace(emissions=e)


def test_issue_14_above_200_regions_only_provinces_and_prefectures_get_folders_unless_all():
    t = regions.table()
    hunan = list(t.index[t["code"].str.startswith("43")])                  # 137 regions
    assert outputs.folder_regions(_result(hunan), {}) == sorted(hunan)      # up to 200: every region
    many = hunan + list(t.index[t["code"].str.startswith("42")])           # Hunan and Hubei: above 200
    assert len(many) > 200
    folders = outputs.folder_regions(_result(many), {})
    assert set(folders) == {c for c in many if t.at[c, "level"] in ("province", "prefecture")}
    assert "430102" not in folders and "430100" in folders and "420000" in folders
    assert outputs.folder_regions(_result(many), {}, per_region="all") == sorted(many)
    assert outputs.folder_regions(_result(["430100"]), {}) == []            # one region-year: no folders


def test_issue_14_per_region_accepts_all_or_nothing(tmp_path):
    from inventory.build import BuildOptions
    from inventory.errors import UsageError

    assert BuildOptions.from_project(None, [tmp_path], per_region="all").per_region == "all"
    with pytest.raises(UsageError) as info:
        BuildOptions.from_project(None, [tmp_path], per_region="some")
    assert info.value.problems[0].value == "some"


def test_issue_14_emissions_parquet_has_a_row_group_per_region_and_year(tmp_path):
    rows = [(r, y, s) for r in ("430000", "430100", "430200") for y in (2018, 2019) for s in ("CH4", "CO2")]
    frame = pd.DataFrame(rows, columns=["region", "year", "substance"])
    from inventory.result import EMISSION_COLUMNS
    frame = frame.reindex(columns=EMISSION_COLUMNS).assign(emission=range(len(rows)))
    for column in ("region_name", "category", "category_name", "activity", "technology", "unit", "gwp_set",
                   "activity_unit", "factor_ids", "kind", "basis", "reported_unit", "tier"):
        frame[column] = ""
    tables.write_emissions(frame, tmp_path)
    meta = pq.ParquetFile(tmp_path / "emissions.parquet").metadata
    assert meta.num_row_groups == 6 and meta.num_rows == 12
    columns = meta.schema.names
    groups = []
    for i in range(meta.num_row_groups):
        stats = {n: meta.row_group(i).column(columns.index(n)).statistics for n in ("region", "year")}
        assert stats["region"].min == stats["region"].max and stats["year"].min == stats["year"].max
        groups.append((stats["region"].min, stats["year"].min, meta.row_group(i).num_rows))
    assert groups == [(r, y, 2) for r in ("430000", "430100", "430200") for y in (2018, 2019)]
    # A reader takes one region without loading the rest.
    one = pq.read_table(tmp_path / "emissions.parquet", filters=[("region", "=", "430100")]).to_pandas()
    assert set(one["region"]) == {"430100"} and len(one) == 4


def test_issue_14_emissions_csv_is_the_bytes_to_csv_writes_and_its_rows_are_located(tmp_path):
    import numpy as np
    from inventory.result import EMISSION_COLUMNS

    rng = np.random.default_rng(7)
    n = 3_000
    hostile = ["", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", " padded ", "=1+2", "湖南省", "tab\there",
               "#N/A", "'", "x" * 300]
    frame = pd.DataFrame({c: rng.choice(hostile, n) for c in EMISSION_COLUMNS}).astype("str")
    floats = np.concatenate([rng.lognormal(0, 12, n - 12), [0.0, -0.0, 1e16, 1e-4, 9.999999999999999e15, 1e-5,
                                                            5e-324, 0.1, 1 / 3, np.inf, -np.inf, np.nan]])
    for column in ("emission", "co2e_t", "activity_amount", "implied_factor", "reported_amount"):
        frame[column] = rng.permutation(floats) * rng.choice([-1, 1], n)
    frame["year"] = rng.integers(-5, 3000, n)
    frame["region_name"] = frame["region_name"].where(rng.random(n) > 0.2)  # missing text
    frame["activity_unit"] = frame["activity_unit"].astype(object).where(rng.random(n) > 0.2)
    frame = frame[EMISSION_COLUMNS]
    expected = "\ufeff".encode() + frame.to_csv(index=False, lineterminator="\n").encode()
    rows = tables._write_csv(frame, tmp_path / "emissions.csv")
    written = (tmp_path / "emissions.csv").read_bytes()
    assert written == expected
    # Each row's bytes are where the offsets say: a region's rows copied from them are to_csv's text.
    some = np.sort(rng.choice(n, 200, replace=False))
    (tmp_path / "part").mkdir()
    tables.write_emissions(frame.iloc[some], tmp_path / "part", rows.take(some))
    part = frame.iloc[some]
    assert (tmp_path / "part" / "emissions.csv").read_bytes() == \
        "\ufeff".encode() + part.to_csv(index=False, lineterminator="\n").encode()
    # Booleans and nullable integers (analysis tables), and a column of a kind the fast path does not cover
    # (a categorical: to_csv writes the whole table), give to_csv's bytes too.
    other = frame.assign(key=rng.random(n) > 0.5, base_year=pd.array(rng.integers(0, 3, n), dtype="Int64"))
    other.loc[other.index[::7], "base_year"] = pd.NA
    tables._write_csv(other, tmp_path / "other.csv")
    assert (tmp_path / "other.csv").read_bytes() == \
        "\ufeff".encode() + other.to_csv(index=False, lineterminator="\n").encode()
    mixed = frame.assign(tier=pd.Categorical(rng.choice(["T1", "T2"], n)),
                         base=pd.Categorical(rng.choice([1, 2, 3], n)))  # categories not texts: to_csv writes it
    tables._write_csv(mixed, tmp_path / "mixed.csv")
    assert (tmp_path / "mixed.csv").read_bytes() == \
        "\ufeff".encode() + mixed.to_csv(index=False, lineterminator="\n").encode()
    # The text columns as the build carries them (ordered Categoricals of sorted texts and "", missing cells
    # as code -1) give the same bytes, and a region's rows copied from their offsets too.
    from inventory.lookup import coded
    as_codes = coded(frame)
    assert isinstance(as_codes["region"].dtype, pd.CategoricalDtype) and as_codes["region_name"].isna().any()
    rows = tables._write_csv(as_codes, tmp_path / "coded.csv")
    assert (tmp_path / "coded.csv").read_bytes() == expected
    (tmp_path / "coded_part").mkdir()
    tables.write_emissions(as_codes.iloc[some], tmp_path / "coded_part", rows.take(some))
    assert (tmp_path / "coded_part" / "emissions.csv").read_bytes() == \
        "\ufeff".encode() + part.to_csv(index=False, lineterminator="\n").encode()


def test_issue_14_a_regions_views_taken_from_the_whole_builds_equal_those_made_from_its_part(compile_):
    """outputs._region_views takes each region's views and summary frames from those made once for the whole
    build: they equal views.view_set of the region's own part (_subset), frame by frame, for the province, a
    prefecture with counties, and a county with one year of two (its series view then made from its part)."""
    from pandas.testing import assert_frame_equal

    from inventory.report import views

    rows = [[code, year, "1.A.4.b", "柴油", "", amount, "万吨"]
            for code, amount in (("430102", 1), ("430121", 2), ("430202", 4)) for year in (2018, 2019)]
    rows += [["430103", 2019, "3.A.1", "猪", "", 3, "万头"]]   # 天心区: one year only, another sector and gases
    r = compile_(rows, regions={"430000", "430100", "430200", "430102", "430103", "430121", "430202"})
    whole = views.view_set(r, "zh")
    index = outputs.RegionRows(r)
    years = {}
    for region, year in outputs.region_years(r.emissions):
        years.setdefault(region, []).append(year)
    assert years["430103"] == [2019]

    def same(a, b):
        assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))

    for region in ("430000", "430100", "430102", "430103"):
        part, keep = outputs._subset(r, region, years[region], index)
        taken = outputs._region_views(whole, part, keep, region, years[region], index, "zh")
        made = views.view_set(part, "zh")
        for got, want in ((taken.analysis, made.analysis), (taken.qa, made.qa)):
            assert [v.key for v in got] == [v.key for v in want], region
            for g, w in zip(got, want):
                assert (g.title, g.columns, g.note) == (w.title, w.columns, w.note)
                same(g.frame, w.frame)
        for name in ("key_figures", "factors", "sector_gas", "pollutants", "comparison"):
            same(taken.summaries[name], made.summaries[name])
        assert made.summaries["trees"] and set(made.summaries["trees"]) <= set(taken.summaries["trees"])
        for sector, tree in made.summaries["trees"].items():
            same(taken.summaries["trees"][sector], tree)


def test_issue_14_csv_and_parquet_written_a_chunk_at_a_time_are_the_same_bytes(tmp_path, monkeypatch):
    """The CSV cells are made a chunk of rows at a time and the Parquet rows made Arrow a batch of row groups
    at a time (national scale): the same bytes as at once."""
    import numpy as np
    from inventory.lookup import coded
    from inventory.result import EMISSION_COLUMNS

    rng = np.random.default_rng(11)
    n = 2_000
    texts = ["", "a,b", 'say "hi"', "湖南省", "x"]
    frame = pd.DataFrame({c: rng.choice(texts, n) for c in EMISSION_COLUMNS}).astype("str")
    for column in ("emission", "co2e_t", "activity_amount", "implied_factor", "reported_amount"):
        frame[column] = np.round(rng.lognormal(0, 3, n), int(rng.integers(0, 4))) * rng.choice([-1, 1], n)
        frame.loc[frame.index[::9], column] = np.nan
    frame["region"] = np.sort(rng.choice(["430000", "430100", "430200", "430300"], n))
    frame["year"] = 2015 + (np.arange(n) * 7 // n)
    frame = coded(frame.sort_values(["region", "year"], kind="stable").reset_index(drop=True)[EMISSION_COLUMNS])
    frame.loc[frame.index[::11], "region_name"] = None
    expected = "\ufeff".encode() + frame.to_csv(index=False, lineterminator="\n").encode()
    tables.write_emissions(frame, tmp_path)
    monkeypatch.setattr(tables, "_CSV_CHUNK_ROWS", 97)
    monkeypatch.setattr(tables, "_PARQUET_BATCH_ROWS", 150)
    (tmp_path / "chunked").mkdir()
    rows = tables._write_csv(frame, tmp_path / "chunked" / "emissions.csv")
    assert (tmp_path / "chunked" / "emissions.csv").read_bytes() == expected
    assert (tmp_path / "emissions.csv").read_bytes() == expected
    assert len(rows.offsets) == n + 1
    tables.write_parquet(frame, tmp_path / "chunked" / "emissions.parquet")
    assert (tmp_path / "chunked" / "emissions.parquet").read_bytes() == (tmp_path / "emissions.parquet").read_bytes()
    tables.write_parquet(frame, tmp_path / "chunked" / "given.parquet", tables.arrow_table(frame))
    assert (tmp_path / "chunked" / "given.parquet").read_bytes() == (tmp_path / "emissions.parquet").read_bytes()
