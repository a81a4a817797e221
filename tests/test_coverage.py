"""factors.coverage: substances an activity has factors for only below its category, against a hand-made
table (what the joins over every key give)."""

from __future__ import annotations

import pandas as pd

from inventory.factors.coverage import GAP_COLUMNS, subcategory_only
from inventory.factors.resolve import combined_codes, first_rows
from inventory.factors.load import SHIPPED


def _table() -> pd.DataFrame:
    rows = [  # factor_id, name, category, activity, region
        ("co2_b", "ef.CO2", "1.A.3.b", "gasoline", "CN"), ("co2_own", "ef.CO2", "1.A.3", "gasoline", "CN"),
        ("nox_b", "ef.NOx", "1.A.3.b", "gasoline", "CN"), ("nox_d", "ef.NOx", "1.A.3.d", "gasoline", "430000"),
        ("so2_bj", "ef.SO2", "1.A.3.b", "gasoline", "110000"),
        ("ch4_bi", "ef.CH4", "1.A.3.b.i", "gasoline", "CN"), ("ch4_b", "ef.CH4", "1.A.3.b", "", ""),
        ("co_diesel", "ef.CO", "1.A.3.b", "diesel_oil", "CN")]
    table = pd.DataFrame(rows, columns=["factor_id", "name", "category", "activity", "region"])
    return table.assign(technology="", year_from=float("nan"), year_to=float("nan"), level=SHIPPED, value=1.0,
                        basis="", unit="", method="ef")


def test_gaps_per_key_and_substance_by_hand():
    """Gasoline given for transport as a whole (1.A.3): CO2 has a row at 1.A.3 itself (no gap); NOx only at
    1.A.3.b (CN) and 1.A.3.d (湖南 430000): a gap in 长沙市 naming both, in 北京市 only 1.A.3.b; SO2 only in
    北京市 (110000); CH4 at 1.A.3.b.i and at 1.A.3.b for any activity: the highest, 1.A.3.b. Diesel's CO row
    does not concern gasoline; a key given at 1.A.3.b itself has no gap; two years of one key are two keys."""
    keys = pd.DataFrame({"region": ["430100", "110000", "430100", "430100", "430100"],
                         "year": [2019, 2019, 2019, 2020, 2019],
                         "category": ["1.A.3", "1.A.3", "1.A.3.b", "1.A.3", "1.A.3"],
                         "activity": ["gasoline"] * 4 + ["gasoline"], "technology": [""] * 5})
    gaps = subcategory_only(keys, _table())
    expected = pd.DataFrame([
        ("430100", 2019, "1.A.3", "gasoline", "", "CH4", "1.A.3.b"),
        ("430100", 2019, "1.A.3", "gasoline", "", "NOx", "1.A.3.b, 1.A.3.d"),
        ("110000", 2019, "1.A.3", "gasoline", "", "CH4", "1.A.3.b"),
        ("110000", 2019, "1.A.3", "gasoline", "", "SO2", "1.A.3.b"),
        ("110000", 2019, "1.A.3", "gasoline", "", "NOx", "1.A.3.b"),
        ("430100", 2020, "1.A.3", "gasoline", "", "CH4", "1.A.3.b"),
        ("430100", 2020, "1.A.3", "gasoline", "", "NOx", "1.A.3.b, 1.A.3.d")], columns=GAP_COLUMNS)
    assert list(gaps.itertuples(index=False)) == list(expected.itertuples(index=False))


def test_first_rows_of_combined_codes_are_drop_duplicates():
    """resolve.combined_codes/first_rows against drop_duplicates: first rows of each distinct tuple, in order, a missing
    cell a value of its own (not equal to any other code: (1, missing) differs from (0, b))."""
    frame = pd.DataFrame({"a": ["x", "y", "x", "y", None, "x"], "b": ["b", None, "b", "c", None, "c"]})
    parts = [(pd.factorize(frame[c])[0], len(pd.factorize(frame[c])[1])) for c in ("a", "b")]
    first = first_rows(combined_codes(parts))[1]
    assert first.tolist() == frame.drop_duplicates().index.tolist() == [0, 1, 3, 4, 5]
