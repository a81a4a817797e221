"""Keys of the checks: how checks name a key finer than a category in checks.csv's `category` cell, and the
distinct keys of a large table found on integer codes."""

from __future__ import annotations

import numpy as np
import pandas as pd


def key_label(category: pd.Series, *parts: pd.Series) -> pd.Series:
    """`category/activity/technology`, leaving out empty trailing parts (`1.A.1.a/raw_coal`)."""
    out = category.astype(str)
    for part in parts:
        text = part.fillna("").astype(str)
        out = out.where(text == "", out + "/" + text)
    return out


def first_rows(frame: pd.DataFrame, columns: list[str], rows: np.ndarray | None = None) -> np.ndarray:
    """Positions of the first row of each distinct combination of `columns` among `rows` (positions; all rows
    when None), in row order: the rows `frame[columns].drop_duplicates()` keeps, found on integer codes of
    each column (missing values a value of their own), without copying the columns."""
    rows = np.arange(len(frame)) if rows is None else np.asarray(rows, dtype=np.int64)
    combined = np.zeros(len(rows), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes[rows]
    return rows[np.sort(np.unique(combined, return_index=True)[1])]
