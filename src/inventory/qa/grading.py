"""The one relative difference of every check and its pass / warn / fail grade (DESIGN 3.8).

`value` is the figure under test (the province's own, our estimate, this year) and
`reference` what it is checked against (the sum of the parts, the external or reported
figure, last year): difference = (value − reference) / |reference|. A zero or missing
reference gives no difference; such a row is graded `warn`, unless the value is 0 too
(nothing on either side: the two figures agree and the row passes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def relative_difference(value: pd.Series, reference: pd.Series) -> pd.Series:
    """(value − reference) / |reference| as a fraction (DESIGN 3.8); NaN where the reference is 0 or
    missing. Province 100 against prefectures 60 + 35 gives (100 − 95) / 95 = +0.0526."""
    reference = reference.astype(float)
    base = reference.abs()
    return (value.astype(float) - reference) / base.where(base != 0)


def difference_pct(value, reference) -> pd.Series:
    """The relative difference of `relative_difference` in percent (checks.csv `diff_pct`)."""
    return relative_difference(value, reference) * 100


def grade(value: pd.Series, reference: pd.Series, warn: float, fail: float,
          excess_only: pd.Series | bool = False) -> pd.Series:
    """pass / warn / fail of each row from its relative difference (`relative_difference`).

    |difference| above `fail` fails, above `warn` warns (thresholds are fractions); where
    `excess_only` is True only a value above the reference counts (a value below passes).
    No difference (the reference is 0 or missing, or the value is missing): warn, or pass
    when the value is 0 and the reference 0 or missing.
    """
    diff = relative_difference(value, reference)
    excess = np.broadcast_to(np.asarray(excess_only, dtype=bool), diff.shape)
    size = diff.clip(lower=0).where(excess, diff.abs())
    result = pd.Series(np.select([size > fail, size > warn], ["fail", "warn"], "pass"), index=diff.index)
    both_zero = value.astype(float).eq(0) & reference.astype(float).fillna(0).eq(0)
    return result.where(diff.notna(), np.where(both_zero, "pass", "warn"))
