"""The shipped example's totals per region, year, sector, substance, kind and basis (issue 11, golden file).

`python tests/golden/totals.py OUT/emissions.csv` rewrites `hunan_totals.csv` from a build of
examples/hunan. Regenerate it only on purpose, and show the diff in the commit that changes a number.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

GOLDEN = Path(__file__).with_name("hunan_totals.csv")
KEYS = ["region", "year", "sector", "substance", "kind", "basis"]


def totals(emissions: pd.DataFrame) -> pd.DataFrame:
    """Emission (t) and CO2e (t) summed per KEYS, sorted; sector is the category's first code part."""
    frame = emissions.assign(sector=emissions["category"].astype(str).str.split(".").str[0],
                             region=emissions["region"].astype(str), year=emissions["year"].astype(int))
    out = frame.groupby(KEYS, as_index=False)[["emission", "co2e_t"]].sum(min_count=1)
    return out.sort_values(KEYS, kind="stable").reset_index(drop=True)


def read_golden() -> pd.DataFrame:
    """The pinned totals."""
    return pd.read_csv(GOLDEN, dtype={"region": str, "year": int}, keep_default_na=False,
                       na_values={"emission": [""], "co2e_t": [""]})


if __name__ == "__main__":
    table = pd.read_csv(sys.argv[1], encoding="utf-8-sig", dtype={"region": str})
    totals(table).to_csv(GOLDEN, index=False, float_format="%.10g")
    print(f"wrote {GOLDEN}")
