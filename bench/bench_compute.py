#!/usr/bin/env python
"""Compute as issue 14 defines it (validated activity in, emissions table out: factor resolution, every
method, province sums, tiers, labels and CO2e; no checks or analyses), timed part by part in CPU seconds
(time.process_time, steadier than wall-clock time on a shared machine).

    python bench/bench_compute.py INPUTS_PKL [EMISSIONS_PKL]

INPUTS_PKL: the `inputs.pkl` bench_build.py leaves in its --keep folder (the read stage's result).
EMISSIONS_PKL: where to save the emissions table, to compare two commits (pandas.testing). Uses only
functions every commit since issue 14 has, so it measures before and after a change alike (the activity as
compile_inventory hands it to the methods: concatenated with net imports only where there are any, since 18090d8;
with the read stage's Categoricals where the Inputs hold them).
"""

from __future__ import annotations

import pickle
import sys
import time

import pandas as pd

from inventory import build, methods
from inventory.build import _finish
from inventory.factors import load
from inventory.factors.resolve import local_to_long
from inventory.methods import indirect
from inventory.methods.keys import tiers
from inventory.province import add_aggregated


def main() -> None:
    with open(sys.argv[1], "rb") as f:
        inputs, _ = pickle.load(f)
    factor_table = load.load_all([])
    seconds = {}
    t = time.process_time()
    # As build.compile_inventory: the activity concatenated with net imports only where there are any; the methods
    # given the read stage's Categoricals where the Inputs hold them (read.Inputs.coded_activity, issue 14).
    imports = indirect.net_imports(inputs.supply, inputs.activity)
    activity = (inputs.activity.reset_index(drop=True) if imports.empty
                else pd.concat([inputs.activity, imports], ignore_index=True))
    coded = getattr(inputs, "coded_activity", None)
    rows = coded().reset_index(drop=True) if coded and imports.empty else activity
    # As compile_inventory (build.regions_of, issue 14: from the read's codes); set(...) where a commit has none.
    built = getattr(build, "regions_of", lambda frame: set(frame["region"]))(rows)
    table = pd.concat([factor_table, local_to_long(inputs.params)], ignore_index=True)
    seconds["prepare"] = time.process_time() - t
    t = time.process_time()
    emissions, _ = methods.compute_all(rows, table)
    seconds["methods (resolution + equations)"] = time.process_time() - t
    t = time.process_time()
    emissions = add_aggregated(emissions, activity, built)
    emissions = emissions[emissions["region"].isin(built)]
    seconds["province sums"] = time.process_time() - t
    t = time.process_time()
    emissions = _finish(emissions.assign(tier=tiers(emissions["factor_ids"], table)), "AR5", "zh")
    seconds["tiers, labels, CO2e, sort"] = time.process_time() - t
    total = sum(seconds.values())
    keys = inputs.activity[["region", "year", "category", "activity", "technology"]].drop_duplicates()
    print(f"# {len(inputs.activity):,} activity rows, {len(keys):,} distinct keys, {len(emissions):,} emission rows")
    for name, s in seconds.items():
        print(f"{name:36s} {s:8.2f} CPU s")
    print(f"{'compute':36s} {total:8.2f} CPU s  {len(inputs.activity) / total:,.0f} activity rows/s")
    if len(sys.argv) > 2:
        emissions.to_pickle(sys.argv[2])


if __name__ == "__main__":
    main()
