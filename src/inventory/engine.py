"""Compute engines (DESIGN 4): the emissions table from validated activity, in this process (`local`) or
mapped over region partitions on a Dask cluster (`dask`), with the province sums as the reduce step.

Both engines run the same functions: `methods.compute_all` on activity rows (map), then
`reduce_emissions` (province/prefecture sums, tiers, labels, CO2e, sort). A partition holds every year
of its regions, since some methods need a region's series (waste's first-order decay), so the same
inputs give the same emissions table whichever engine computes it.

With dask the partitions are few and large (about `PARTITION_ROWS` activity rows each, at least two per
worker thread): a task per region (2,846 at national scale) costs a mask of the whole table each and a
task's overhead each. The reduce runs in this process on the gathered partitions' rows: the build writes
its outputs here, so the emissions table must be here anyway, and a reduce on a worker would hold it
twice more (on the worker and in transit) and ship it the whole activity table.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from inventory import memory, methods
from inventory.errors import Problem, UsageError
from inventory.factors.load import LOCAL
from inventory.lookup import concat_coded, observed_categories

ENGINES = ("local", "dask")
PARTITION_ROWS = 250_000  # activity rows a Dask partition holds at most, unless a region has more


def checked(engine: str, scheduler: str | None) -> str:
    """The engine name, validated: `local` or `dask` (a scheduler address only with dask); else UsageError."""
    if engine not in ENGINES:
        raise UsageError([Problem("unknown_engine", column="engine", value=str(engine), expected="expect_engine")])
    if scheduler and engine != "dask":
        raise UsageError([Problem("scheduler_needs_dask", column="scheduler", value=str(scheduler),
                                  expected="expect_engine_dask")])
    return engine


def partitions(activity: pd.DataFrame, count: int) -> list[pd.DataFrame]:
    """The activity rows in at most `count` partitions of whole regions (every year of a region together):
    consecutive runs of regions in code order holding about equal numbers of rows, rows in their input
    order (one sorted factorisation of the region column, then a mask of integer codes per partition).

    Consecutive runs, so that the partitions' rows, concatenated, come in region order as the local engine's
    do (each method's keys are sorted by region first): the province sums then add the same numbers in the
    same order, bit for bit."""
    codes, uniques = pd.factorize(activity["region"], sort=True)
    count = min(count, len(uniques))
    if count <= 1:
        return [activity]
    sizes = np.bincount(codes, minlength=len(uniques))
    block = (np.cumsum(sizes) - sizes) * count // len(activity)  # each region's partition, by rows before it
    group = block[codes]
    return [activity.iloc[np.flatnonzero(group == i)] for i in np.unique(block)]


def partition_count(rows: int, regions: int, threads: int) -> int:
    """How many partitions to map: enough for `PARTITION_ROWS` rows each and two per worker thread, at most
    one per region."""
    return max(1, min(regions, max(2 * threads, -(-rows // PARTITION_ROWS))))


def partition_table(table: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """The factor table a partition needs: every shipped and user row, and the local parameter rows
    (`load.LOCAL`) of the partition's own regions only; a local row applies to its own region alone
    (`resolve.candidates`), so the others could never win, while joining them to every key class costs
    memory in proportion to all regions' local rows (28,460 at national scale)."""
    local = table["level"].to_numpy() == LOCAL
    if not local.any():
        return table
    own = table["region"].isin(set(pd.unique(part["region"]))).to_numpy()
    return table[~local | own].reset_index(drop=True)


def combined(results: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partitions' emissions and not-estimated rows, each concatenated in partition order (Categoricals
    recoded onto the union of their categories, lookup.concat_coded)."""
    emissions = [e for e, _ in results if len(e)]
    ne = [n for _, n in results if len(n)]
    return (concat_coded(emissions) if emissions else results[0][0],
            concat_coded(ne) if ne else results[0][1])


def emission_rows(activity: pd.DataFrame, table: pd.DataFrame, reduce: Callable[[pd.DataFrame], pd.DataFrame],
                  engine: str = "local", scheduler: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(emissions, not estimated) of every method over `activity`, reduced by `reduce` (province sums and
    the rest of the emissions table: `build.reduce_emissions`).

    local: one partition in this process. dask: `partition_count` partitions of whole regions mapped over
    the cluster at `scheduler` (a new local cluster when None), their rows gathered here and reduced.
    """
    if engine != "dask":
        emissions, ne = methods.compute_all(activity, table)
        memory.give_back()  # the methods' freed temporaries, before the province sums (issue 14)
        emissions, ne = reduce(emissions), ne
    else:
        emissions, ne = _on_dask(activity, table, reduce, scheduler)
    # Categories: the values present (the same dtypes whichever engine computed them).
    return observed_categories(emissions), observed_categories(ne)


def _on_dask(activity, table, reduce, scheduler):
    client, cluster = connect(scheduler)
    try:
        threads = sum(client.nthreads().values()) or 1
        parts = partitions(activity, partition_count(len(activity), activity["region"].nunique(), threads))
        tables = client.scatter([partition_table(table, p) for p in parts])
        scattered = client.scatter(parts)  # the data to the workers, not into the task graph
        del parts
        mapped = client.map(methods.compute_all, scattered, tables, pure=False)
        del scattered, tables
        results = []
        for future in mapped:  # in partition order; each partition's rows leave the cluster once gathered
            results.append(future.result())
            future.release()
        del mapped
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    # Reduced once the cluster is closed: a local cluster's idle workers held 2-3 GB through the reduce (issue 14).
    return reduced(results, reduce)


def reduced(results: list[tuple[pd.DataFrame, pd.DataFrame]], reduce: Callable[[pd.DataFrame], pd.DataFrame]
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reduce step: the partitions' results combined, the emissions reduced by `reduce`."""
    emissions, ne = combined(results)
    return reduce(emissions), ne


def connect(scheduler: str | None, timeout: float = 10.0):
    """(client, cluster): a Dask client of the scheduler at `scheduler`, or of a new local cluster (returned,
    to be closed) when None. An unreachable scheduler or a missing `dask[distributed]` is a UsageError
    (exit 2) naming the address."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError([Problem("engine_needs_dask", column="engine", value="dask",
                                  expected="expect_dask_installed")]) from None
    if scheduler is None:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=timeout), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError([Problem("scheduler_unreachable", column="scheduler", value=scheduler,
                                  expected="expect_scheduler_address",
                                  params=(("address", scheduler), ("detail", str(exc))))]) from None
