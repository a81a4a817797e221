#!/usr/bin/env python
"""The compute core's kernel in four engines, to choose one by measurement (bench/README.md, "Engines").

    python bench/bench_engines.py [--rows 1000000] [--repeat 3]

The kernel is what compute does per activity row and per key: sum the rows of each key (region, year,
category, activity, technology), look up each key's factor for 12 substances by (category, activity,
technology), and multiply: emissions = Σ amount × factor, one row per key and substance, with its string
key columns. Engines: pandas with its default Arrow strings (merges, as the compute core did before
issue 14), pandas/numpy over categorical codes (array lookups), Polars and DuckDB (each skipped when not
installed). Every engine's total is checked against the others. Wall-clock seconds, best of --repeat.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

SUBSTANCES = ["CO2", "CH4", "N2O", "SO2", "NOx", "CO", "NMVOC", "NH3", "PM2.5", "PM10", "BC", "OC"]
KEY = ["region", "year", "category", "activity", "technology"]


def synthetic(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Activity rows (≈ rows/10 distinct keys) and a factor table by (category, activity, technology)."""
    rng = np.random.default_rng(seed)
    regions = [f"43{i:02d}00" for i in range(15)]
    cats = [f"1.A.{i // 10}.{chr(97 + i % 10)}" for i in range(33)]
    acts = [f"fuel_{i}" for i in range(14)]
    techs = [""] + [f"boiler_{i}+scr+fgd" for i in range(7)]
    n_keys = max(rows // 10, 1)
    key = pd.DataFrame({"region": rng.choice(regions, n_keys), "year": rng.integers(2015, 2025, n_keys),
                        "category": rng.choice(cats, n_keys), "activity": rng.choice(acts, n_keys),
                        "technology": rng.choice(techs, n_keys)})
    activity = key.iloc[rng.integers(0, n_keys, rows)].reset_index(drop=True)
    activity["amount"] = rng.lognormal(5, 2, rows)
    combos = pd.MultiIndex.from_product([cats, acts, techs], names=["category", "activity", "technology"])
    factors = pd.DataFrame(rng.random((len(combos), len(SUBSTANCES))), index=combos, columns=SUBSTANCES)
    return activity, factors.reset_index()


def pandas_merge(activity, factors):
    keys = activity.groupby(KEY, sort=False, observed=True)["amount"].sum().reset_index()
    long = factors.melt(["category", "activity", "technology"], var_name="substance", value_name="ef")
    out = keys.merge(long, on=["category", "activity", "technology"])
    out["emission"] = out["amount"] * out["ef"]
    return out[KEY + ["substance", "emission"]]


def numpy_codes(activity, factors):
    codes, uniques = {}, {}
    for c in KEY:
        codes[c], uniques[c] = pd.factorize(activity[c])
    key = np.zeros(len(activity), dtype=np.int64)
    for c in KEY:
        key = key * len(uniques[c]) + codes[c]
    key_code = pd.factorize(key)[0]
    n = int(key_code.max()) + 1
    amount = np.bincount(key_code, weights=activity["amount"].to_numpy(), minlength=n)
    rep = pd.Series(np.arange(len(activity))).groupby(key_code).first().to_numpy()
    # factors as a dense array over (category, activity, technology) codes of the activity's categories
    dims = [pd.Index(uniques[c]) for c in ("category", "activity", "technology")]
    at = [d.get_indexer(factors[c]) for d, c in zip(dims, ("category", "activity", "technology"))]
    ok = (at[0] >= 0) & (at[1] >= 0) & (at[2] >= 0)
    dense = np.full((len(dims[0]), len(dims[1]), len(dims[2]), len(SUBSTANCES)), np.nan)
    dense[at[0][ok], at[1][ok], at[2][ok]] = factors.loc[ok, SUBSTANCES].to_numpy()
    ef = dense[codes["category"][rep], codes["activity"][rep], codes["technology"][rep]]  # keys × substances
    emission = (amount[:, None] * ef).ravel()
    idx = np.repeat(rep, len(SUBSTANCES))
    out = {c: pd.Categorical.from_codes(codes[c][idx], uniques[c]) if c != "year" else uniques[c][codes[c][idx]]
           for c in KEY}
    out["substance"] = pd.Categorical.from_codes(np.tile(np.arange(len(SUBSTANCES)), n), SUBSTANCES)
    out["emission"] = emission
    return pd.DataFrame(out)


def polars_engine(activity, factors):
    import polars as pl
    a, f = pl.from_pandas(activity), pl.from_pandas(factors)
    keys = a.group_by(KEY).agg(pl.col("amount").sum())
    long = f.unpivot(index=["category", "activity", "technology"], variable_name="substance", value_name="ef")
    out = keys.join(long, on=["category", "activity", "technology"]).with_columns(
        (pl.col("amount") * pl.col("ef")).alias("emission"))
    return out.select(KEY + ["substance", "emission"]).to_pandas()


def duckdb_engine(activity, factors):
    import duckdb
    con = duckdb.connect()
    con.register("a", activity)
    con.register("f", factors)
    cols = ", ".join(f'f."{s}" AS "{s}"' for s in SUBSTANCES)
    sql = f"""WITH k AS (SELECT region, year, category, activity, technology, sum(amount) AS amount FROM a
              GROUP BY ALL), w AS (SELECT k.*, {cols} FROM k JOIN f USING (category, activity, technology))
              UNPIVOT w ON {", ".join(f'"{s}"' for s in SUBSTANCES)} INTO NAME substance VALUE ef"""
    out = con.sql(f"SELECT region, year, category, activity, technology, substance, amount * ef AS emission "
                  f"FROM ({sql})").df()
    con.close()
    return out


ENGINES = {"pandas merges (Arrow strings)": (pandas_merge, None), "pandas/numpy codes (array lookups)":
           (numpy_codes, None), "Polars": (polars_engine, "polars"), "DuckDB": (duckdb_engine, "duckdb")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    activity, factors = synthetic(args.rows)
    keys = len(activity[KEY].drop_duplicates())
    print(f"# {args.rows:,} activity rows, {keys:,} distinct keys, {len(SUBSTANCES)} substances")
    print(f"{'engine':38s} {'best s':>8s} {'rows/s':>12s} {'out rows':>10s}  total emission")
    for name, (fn, module) in ENGINES.items():
        if module:
            try:
                __import__(module)
            except ImportError:
                print(f"{name:38s} not installed")
                continue
        best, out = float("inf"), None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = fn(activity, factors)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:38s} {best:8.2f} {args.rows / best:12,.0f} {len(out):10,d}  {out['emission'].sum():.6e}",
              flush=True)


if __name__ == "__main__":
    main()
