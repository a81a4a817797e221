#!/usr/bin/env python
"""Benchmark of the uncertainty analysis (DESIGN 3.9) on synthetic emission rows.

    python bench/bench_uncertainty.py [--rows 5000] [--draws 10000] [--years 2] [--seed 0]

Builds a deterministic emissions table (numpy RNG, fixed seed): one region, `--rows`
source rows spread over `--years` years, real category codes, greenhouse gases and
pollutants, each row using an NCV id and an emission-factor id from shared pools (so
the Monte Carlo has correlated factors), half of the ids with asymmetric ranges, and
an `uncertainty.activity` parameter per activity. Prints seconds per stage and the
peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from inventory.analysis.uncertainty import approach1, approach1_trend, monte_carlo, row_uncertainties

CATEGORIES = ["1.A.1.a", "1.A.2", "1.A.3.b", "1.A.4.a", "1.A.4.b", "2.A.1", "3.A.1", "3.C.7", "4.A", "4.D.1"]
SUBSTANCES = {"CO2": 1.0, "CH4": 28.0, "N2O": 265.0, "SO2": None, "NOx": None, "CO": None, "PM10": None,
              "PM2.5": None, "NMVOC": None, "NH3": None, "BC": None, "OC": None}
ACTIVITIES = [f"fuel_{i:02d}" for i in range(30)]


def synthetic(rows: int, years: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(emissions, factor table, local parameters) with `rows` emission rows."""
    rng = np.random.default_rng(seed)
    per_year = rows // years
    subs = list(SUBSTANCES)
    frames = []
    for y in range(years):
        act = rng.choice(ACTIVITIES, per_year)
        sub = rng.choice(subs, per_year)
        cat = rng.choice(CATEGORIES, per_year)
        emission = rng.lognormal(5, 2, per_year)
        gwp = pd.Series(sub).map(SUBSTANCES).astype(float).to_numpy()
        ids = ["ncv." + a + ";ef." + a + "." + s for a, s in zip(act, sub)]
        frames.append(pd.DataFrame({
            "region": "430100", "year": 2019 + y, "category": cat, "activity": act,
            "technology": [f"t{i}" for i in range(per_year)],  # distinct rows
            "substance": sub, "emission": emission, "co2e_t": emission * gwp, "factor_ids": ids, "kind": "emission"}))
    emissions = pd.concat(frames, ignore_index=True)
    ids = sorted({i for s in emissions["factor_ids"] for i in s.split(";")})
    low = rng.uniform(2, 60, len(ids))
    high = np.where(rng.random(len(ids)) < 0.5, low, low * rng.uniform(1.2, 4, len(ids)))
    factors = pd.DataFrame({"factor_id": ids, "uncertainty_low_pct": low, "uncertainty_high_pct": high})
    params = pd.DataFrame({"region": "430100", "year": pd.array([pd.NA] * len(ACTIVITIES), dtype="Int64"),
                           "category": "", "activity": ACTIVITIES, "technology": "", "name": "uncertainty.activity",
                           "value": rng.uniform(0.02, 0.2, len(ACTIVITIES)), "basis": "", "unit": "%",
                           "factor_id": [f"local:bench:{i}" for i in range(len(ACTIVITIES))], "source": ""})
    return emissions, factors, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--draws", type=int, default=10000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    emissions, factors, params = synthetic(args.rows, args.years, args.seed)
    timings = []

    def timed(stage, func, *a, **kw):
        start = time.perf_counter()
        out = func(*a, **kw)
        timings.append((stage, time.perf_counter() - start, len(out)))
        return out

    rows = timed("row_uncertainties", row_uncertainties, emissions, factors, params)
    timed("approach 1 (levels)", approach1, rows)
    timed("approach 1 (trend)", approach1_trend, rows)
    timed(f"monte carlo ({args.draws} draws)", monte_carlo, rows, draws=args.draws, seed=args.seed)
    ids = len({i for s in emissions["factor_ids"] for i in s.split(";")})
    print(f"rows {len(emissions):,} ({args.years} years), factor ids {ids:,}, draws {args.draws:,}")
    print(f"{'stage':<28}{'seconds':>10}{'output rows':>14}")
    for stage, seconds, n in timings:
        print(f"{stage:<28}{seconds:>10.2f}{n:>14,}")
    print(f"{'total':<28}{sum(t for _, t, _ in timings):>10.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
