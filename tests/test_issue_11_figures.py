"""Issue 11: one relative difference for every check, and every figure computed once in the pipeline.

Province 100, prefectures 60 + 35: the province differs from the sum of its parts by
(100 − 95) / |95| = +5.263 % (DESIGN 3.8), in checks.csv, the workbook and the report alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from inventory.qa.grading import difference_pct, grade, relative_difference


def test_issue_11_relative_difference_is_against_the_reference():
    value = pd.Series([100.0, 95.0, -20.0, 5.0, 0.0, 0.0, np.nan, 7.0])
    reference = pd.Series([95.0, 100.0, -10.0, 0.0, 0.0, 4.0, 3.0, np.nan])
    diff = relative_difference(value, reference)
    # by hand: 5/95, −5/100, (−20 + 10)/|−10|, then no difference for a zero or missing reference
    assert diff.tolist()[:3] == pytest.approx([5 / 95, -0.05, -1.0])
    assert diff.iloc[3:5].isna().all() and diff.iloc[7:].isna().all()
    assert diff.iloc[5] == pytest.approx(-1.0) and np.isnan(diff.iloc[6])
    assert difference_pct(value, reference).iloc[0] == pytest.approx(5.2631578947)


def test_issue_11_grade_warns_without_a_reference():
    value = pd.Series([100.0, 101.0, 5.0, 0.0, 0.0, np.nan, 3.0, 80.0])
    reference = pd.Series([95.0, 100.0, 0.0, 0.0, np.nan, 4.0, np.nan, 100.0])
    result = grade(value, reference, warn=0.02, fail=0.05)
    # +5.26 % > 5 %: fail; +1 %: pass; zero reference: warn; nothing on either side: pass;
    # a value that could not be worked out: warn; a value without a reference: warn; −20 %: fail
    assert result.tolist() == ["fail", "pass", "warn", "pass", "pass", "warn", "warn", "fail"]
    # only an excess counts: −20 % passes, +5.26 % still fails
    assert grade(value, reference, 0.02, 0.05, excess_only=True).tolist()[-1] == "pass"
    assert grade(value, reference, 0.02, 0.05, excess_only=True).tolist()[0] == "fail"
