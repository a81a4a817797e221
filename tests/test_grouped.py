"""inventory.grouped: sums over integer codes equal pandas' groupby of the texts, bit for bit."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from inventory.grouped import coded


def _frame(n: int = 5000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["430100", "430000", "430200", None], n, p=[0.4, 0.3, 0.28, 0.02])
    kind = rng.choice(["emission", "memo", "sink"], n)
    name = rng.choice(["长沙市", "湖南省", "", None], n)
    values = rng.lognormal(10, 3, n) * rng.choice([1.0, -1.0], n)
    values[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({"region": pd.array(region, dtype="str"), "year": rng.integers(2015, 2020, n),
                         "kind": pd.array(kind, dtype="str"), "region_name": pd.array(name, dtype="str"),
                         "emission": values, "co2e_t": values * 28.0})


@pytest.mark.parametrize("sort", [True, False])
def test_group_sum_equals_groupby_of_the_texts(sort):
    e = _frame()
    c = coded(e)
    mask = c.eq("kind", "emission")
    got = c.group_sum(["region", "year"], ["emission", "co2e_t"], mask, sort=sort, min_count=1)
    want = e[e["kind"] == "emission"].groupby(["region", "year"], sort=sort)[["emission", "co2e_t"]].sum(
        min_count=1).reset_index()
    assert_frame_equal(got, want, check_exact=True)


def test_group_sum_fill_groups_missing_keys_with_the_text():
    e = _frame()
    got = coded(e).group_sum(["region", "region_name"], ["emission"], sort=False, fill={"region_name": ""})
    want = e.fillna({"region_name": ""}).groupby(["region", "region_name"], sort=False)[["emission"]].sum(
    ).reset_index()
    assert_frame_equal(got, want, check_exact=True)


def test_group_sum_one_by_one_equals_named_aggregation():
    e = _frame()
    got = coded(e).group_sum(["kind"], ["emission", "co2e_t"], sort=False, together=False)
    want = e.groupby(["kind"], sort=False).agg(emission=("emission", "sum"), co2e_t=("co2e_t", "sum")).reset_index()
    assert_frame_equal(got, want, check_exact=True)


def test_coded_is_made_once_per_frame_and_first_rows_follow_drop_duplicates():
    e = _frame(200)
    assert coded(e) is coded(e)
    assert coded(e.copy()) is not coded(e)
    first = coded(e).first_rows(["region", "year"])
    assert list(first) == list(e.drop_duplicates(["region", "year"]).index)


@pytest.mark.parametrize("sort", [True, False])
def test_group_sum_by_region_chunks_equals_groupby(monkeypatch, sort):
    """A big table's group sums are made a few regions' rows at a time (grouped.CHUNK_ROWS): the same frame."""
    import inventory.grouped as grouped

    e = _frame(6000, seed=3).sort_values("region", kind="stable", na_position="last").reset_index(drop=True)
    monkeypatch.setattr(grouped, "CHUNK_ROWS", 700)
    c = coded(e)
    assert c.region_chunks() is not None and len(c.region_chunks()) > 1
    mask = c.isin("kind", ["emission", "sink"])
    got = c.group_sum(["region", "year", "kind"], ["emission", "co2e_t"], mask, sort=sort, min_count=1)
    want = e[mask].groupby(["region", "year", "kind"], sort=sort)[["emission", "co2e_t"]].sum(
        min_count=1).reset_index()
    assert_frame_equal(got, want, check_exact=True)
    got = c.group_sum(["kind", "region"], ["emission"], sort=sort, together=False)
    want = e.groupby(["kind", "region"], sort=sort)[["emission"]].sum().reset_index()
    assert_frame_equal(got, want, check_exact=True)
    shuffled = e.sample(frac=1.0, random_state=0).reset_index(drop=True)  # regions not contiguous: summed at once
    assert coded(shuffled).region_chunks() is None


def test_first_rows_by_region_chunks_follow_drop_duplicates(monkeypatch):
    import inventory.grouped as grouped

    e = _frame(3000, seed=5).sort_values("region", kind="stable", na_position="last").reset_index(drop=True)
    monkeypatch.setattr(grouped, "CHUNK_ROWS", 400)
    c = coded(e)
    assert c.region_chunks() is not None
    assert list(c.first_rows(["region", "year"])) == list(e.drop_duplicates(["region", "year"]).index)
    mask = c.eq("kind", "memo")
    assert list(c.first_rows(["region", "kind", "year"], mask)) == \
        list(e[mask].drop_duplicates(["region", "kind", "year"]).index)
