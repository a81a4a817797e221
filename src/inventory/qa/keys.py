"""How checks name a key finer than a category in checks.csv's `category` cell."""

from __future__ import annotations

import pandas as pd


def key_label(category: pd.Series, *parts: pd.Series) -> pd.Series:
    """`category/activity/technology`, leaving out empty trailing parts (`1.A.1.a/raw_coal`)."""
    out = category.astype(str)
    for part in parts:
        text = part.fillna("").astype(str)
        out = out.where(text == "", out + "/" + text)
    return out
