"""Property: whatever the cells hold, reading and validation never raise and every row is accounted for
(rows read = used + skipped + rejected = data rows written; DESIGN 3.3, 5)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import HEADERS_EN, HEADERS_ZH, write_workbook
from inventory.read import read_inputs

# Text that Excel can hold (no control characters), including formula-like, padded and unicode text.
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_plausible = st.sampled_from(["430100", "长沙", "湖南省", "2019", "1.A.1.a", "raw_coal", "原煤", "万吨", "t", "TJ",
                              "NO", "ne", "ncv", "kJ/kg", "ef.CH4", "%", "1,234.5", "１２３", "-1", " ", "  长沙 ",
                              "=SUM(A1)", "+1", "-1+2", "@x", "<script>alert(1)</script>", "pc_boiler+scr"])
_cell = st.one_of(
    st.none(),
    _plausible,
    _text.filter(lambda s: s != ""),  # an empty string is not a cell Excel writes
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([2019, 2020, 1899, 0, 1e300]),
    st.booleans(),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
_rows = st.lists(st.lists(_cell, min_size=10, max_size=10), max_size=20)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, chinese=st.booleans())
def test_validation_never_raises_and_rows_add_up(rows, chinese):
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "p.xlsx", rows, HEADERS_ZH if chinese else HEADERS_EN)
        inputs, _ = read_inputs([path], regions={"430100", "430000"}, years={2019})
    c = inputs.counts()
    # Trailing blank rows hold no cell and are not in the sheet; blank rows in between are read and skipped.
    written = max((i + 1 for i, row in enumerate(rows) if any(v is not None for v in row)), default=0)
    assert c["read"] == c["used"] + c["skipped"] + c["rejected"] == written
    assert sorted(inputs.ledger["row"]) == list(range(2, written + 2))
    rejected = set(inputs.ledger.loc[inputs.ledger["status"] == "rejected", "row"])
    assert rejected == {p.row for p in inputs.errors}
    assert all(p.file.endswith("p.xlsx") for p in inputs.problems)
