"""The compute engines (inventory.engine): local and dask give byte-identical emissions.csv."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from inventory import engine
from inventory.build import reduce_emissions
from inventory.cli import app
from inventory.factors.load import load_all
from inventory.factors.resolve import local_to_long
from inventory.read import read_inputs
from inventory.report.tables import write_emissions

ROOT = Path(__file__).resolve().parents[1]
# Two prefectures' energy and road dust (a series), and the province: its own agriculture (2011-2022) and its
# energy as the sum of the prefectures'.
FILES = ["430100_能源_2019.xlsx", "430100_道路扬尘_2017-2019.xlsx", "430200_能源_2019.xlsx",
         "430000_农业_2011-2022.xlsx"]


def test_partitions_keep_every_year_of_a_region_together():
    activity = pd.DataFrame({"region": ["430200", "430100", "430300", "430100"], "year": [2019, 2018, 2019, 2019]})
    parts = engine.partitions(activity, 2)  # consecutive regions, about half of the 4 rows each
    assert [sorted(set(p["region"])) for p in parts] == [["430100"], ["430200", "430300"]]
    assert sum(len(p) for p in parts) == len(activity)
    assert list(parts[0].index) == [1, 3] and list(parts[1].index) == [0, 2]  # input order kept


def test_partition_count_is_about_the_rows_per_partition_with_two_per_thread_and_one_per_region_at_most():
    assert engine.partition_count(5_700_000, 2_846, 2) == 23  # ceil(5.7M / 250k)
    assert engine.partition_count(400_000, 137, 2) == 4  # two per worker thread
    assert engine.partition_count(400_000, 3, 2) == 3  # never more than the regions
    assert engine.partition_count(0, 0, 2) == 1


def test_a_partition_table_keeps_shipped_rows_and_only_its_own_regions_local_rows():
    table = pd.DataFrame({"region": ["", "430000", "430100", "430200", "430100"], "level": [1, 1, 3, 3, 2],
                          "name": ["ef", "ncv", "ef", "ef", "ncv"]})
    part = pd.DataFrame({"region": ["430100", "430100"]})
    kept = engine.partition_table(table, part)
    assert list(kept["region"]) == ["", "430000", "430100", "430100"]  # 430200's local row dropped
    assert list(kept["level"]) == [1, 1, 3, 2]


def test_dask_and_local_give_byte_identical_emissions_csv(tmp_path):
    distributed = pytest.importorskip("distributed")
    inputs, _ = read_inputs([ROOT / "examples" / "hunan" / "data" / f for f in FILES], None, None)
    assert not inputs.errors
    table = pd.concat([load_all([]), local_to_long(inputs.params)], ignore_index=True)
    built = {"430000", "430100", "430200"}
    reduce = partial(reduce_emissions, activity=inputs.activity, table=table, built=built, gwp="AR5", lang="zh")
    local, local_ne = engine.emission_rows(inputs.activity, table, reduce)
    assert set(local["region"]) == built and set(local.loc[local["region"] == "430000", "basis"]) == {"own",
                                                                                                     "aggregated"}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        dask, dask_ne = engine.emission_rows(inputs.activity, table, reduce, "dask", cluster.scheduler_address)
    for name, frame in (("local", local), ("dask", dask)):
        (tmp_path / name).mkdir()
        write_emissions(frame, tmp_path / name)
    assert (tmp_path / "local" / "emissions.csv").read_bytes() == (tmp_path / "dask" / "emissions.csv").read_bytes()
    key = ["region", "year", "category", "activity", "substance", "reason"]
    assert local_ne.sort_values(key).reset_index(drop=True).equals(dask_ne.sort_values(key).reset_index(drop=True))


def test_unreachable_scheduler_is_a_usage_error_naming_the_address(tmp_path):
    pytest.importorskip("distributed")
    data = ROOT / "examples" / "hunan" / "data" / "430200_能源_2019.xlsx"
    result = CliRunner().invoke(app, ["build", str(data), "-o", str(tmp_path / "o"), "--engine", "dask",
                                      "--scheduler", "tcp://127.0.0.1:9", "--lang", "en"], env={"COLUMNS": "250"})
    assert result.exit_code == 2, result.output
    assert "tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output


def test_unknown_engine_and_scheduler_without_dask_are_usage_errors(tmp_path):
    data = ROOT / "examples" / "hunan" / "data" / "430200_能源_2019.xlsx"
    for args in (["--engine", "spark"], ["--scheduler", "tcp://127.0.0.1:9"]):
        result = CliRunner().invoke(app, ["build", str(data), "-o", str(tmp_path / "o"), *args],
                                    env={"COLUMNS": "250"})
        assert result.exit_code == 2, result.output


def test_memory_reusing_changes_no_value_and_does_nothing_without_glibc(monkeypatch):
    """memory.reusing (the compute's allocator setting, issue 14) wraps a block without touching its values, and
    is a no-op where the C library has no mallopt."""
    import numpy as np

    from inventory import memory

    with memory.reusing():
        inside = np.arange(1_000_000, dtype=np.int64).sum()
    monkeypatch.setattr(memory, "_libc", lambda: None)
    with memory.reusing():
        elsewhere = np.arange(1_000_000, dtype=np.int64).sum()
    assert inside == elsewhere == 499_999_500_000
