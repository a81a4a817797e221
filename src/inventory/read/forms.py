"""Forms people type into cells (DESIGN 3.3), read from data/cell_forms.csv.

`2023年` is a year, `3.5万` a number with a magnitude, `—` nothing (a nil marker),
`约50` an approximate value (never guessed), `注：…` a note row, `单位：万吨` a table's
unit, `示例` a template's example row. Each function works on whole columns, every
distinct cell looked at once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from inventory import resources, units
from inventory.lookup import map_distinct

# A number as typed: sign, thousands separators, decimals, exponent (after NFKC: full-width digits too).
NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?"
# Column `form` of the value form table: how a value cell was read.
VALUE_FORM_COLUMNS = ["form", "number", "factor", "suffix", "unit"]


def normal(text: object) -> str:
    """NFKC (full-width to half-width), stripped; "" for a missing cell."""
    return "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()


@cache
def _forms(role: str) -> tuple[tuple[str, str], ...]:
    """(form, value) pairs of one role, NFKC-normalised, longest first."""
    table = resources.data_table("cell_forms.csv")
    rows = table[table["role"] == role]
    pairs = {(normal(f), v) for f, v in zip(rows["form"], rows["value"])}
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _alternation(role: str) -> str:
    return "|".join(re.escape(f) for f, _ in _forms(role))


@cache
def _patterns() -> dict[str, re.Pattern]:
    mag = _alternation("magnitude")
    return {
        "magnitude": re.compile(rf"^(?P<number>{NUMBER})\s*(?P<suffix>{mag})$"),
        "approx_prefix": re.compile(rf"^(?:{_alternation('approx_prefix')})\s*{NUMBER}", re.I),
        "approx_suffix": re.compile(rf"^{NUMBER}\s*(?:{mag})?.*?(?:{_alternation('approx_suffix')})", re.I),
        "range": re.compile(rf"^{NUMBER}\s*(?:{mag})?\s*(?:-|~|～|—|至|到)\s*{NUMBER}"),
        "with_unit": re.compile(rf"^(?P<number>{NUMBER})\s*(?P<unit>\D.*)$"),
        "year": re.compile(rf"^(?P<year>\d{{4}})\s*(?:{_alternation('year_suffix')})$"),
        "note": re.compile(rf"^(?:{_alternation('note_prefix')})\s*\d*\s*(?:[:：.．、]|$)", re.I),
        "table_unit": re.compile(rf"^(?:{_alternation('table_unit_prefix')})\s*[:：]\s*(?P<unit>.+)$", re.I),
        "example": re.compile(rf"^(?:{_alternation('example_marker')})\s*[:：.。]?$", re.I),
    }


def is_nil_marker(cells: pd.Series) -> pd.Series:
    """True where a cell (as stripped text) is only a nil marker: `—`, `－`, `-`, `…` (DESIGN 3.3 `nil_marker`)."""
    return cells.isin(_nil_spellings())


@cache
def _nil_spellings() -> frozenset[str]:
    """The nil markers as listed and in their NFKC forms (`－` is `-`, `…` is `...`)."""
    table = resources.data_table("cell_forms.csv")
    listed = table.loc[table["role"] == "nil_marker", "form"]
    return frozenset(listed) | frozenset(normal(f) for f in listed)


def is_example(cells: pd.Series) -> pd.Series:
    """True where a notes cell marks a template's example row (`示例`)."""
    return map_distinct(cells, lambda s: bool(_patterns()["example"].match(normal(s)))).astype(bool)


def is_note(text: object) -> bool:
    """True for the first cell of a note row: `注：…`, `说明`, `资料来源：…`, `Note: …`."""
    return bool(_patterns()["note"].match(normal(text)))


def table_unit(text: object) -> str:
    """The unit a `单位：万吨` line names ("" when the text is no such line or names no known unit)."""
    m = _patterns()["table_unit"].match(normal(text))
    unit = m["unit"].strip() if m else ""
    return unit if unit and units.is_unit(unit) else ""


def years(cells: pd.Series) -> pd.Series:
    """The year of cells written `2023年`, `2023 年`, `2023年度` (NaN elsewhere)."""
    def read(s):
        m = _patterns()["year"].match(normal(s))
        return float(m["year"]) if m else np.nan
    return map_distinct(cells, read).astype(float)


def has_magnitude(unit: object) -> bool:
    """True when a unit has its own 万/亿 (`万吨`, `亿立方米`)."""
    text = normal(unit)
    return any(f in text for f, _ in _forms("magnitude"))


def value_forms(cells: pd.Series) -> pd.DataFrame:
    """How each value cell that is not a plain number reads (VALUE_FORM_COLUMNS, aligned with `cells`).

    form: `magnitude` (`3.5万`: number 3.5, factor 1e4, suffix 万), `approximate` (`约50`,
    `50左右`, `<0.5`, `50-60`), `unit_in_value` (`3.5万吨`: number 3.5, unit 万吨), or "".
    """
    def read(s):
        text = normal(s) if isinstance(s, str) else ""
        p = _patterns()
        if not text:
            return ("", np.nan, np.nan, "", "")
        m = p["magnitude"].match(text)
        if m:
            factor = dict(_forms("magnitude"))[m["suffix"]]
            return ("magnitude", _float(m["number"]), float(factor), m["suffix"], "")
        if p["approx_prefix"].match(text) or p["approx_suffix"].match(text) or p["range"].match(text):
            return ("approximate", np.nan, np.nan, "", "")
        m = p["with_unit"].match(text)
        if m and units.is_unit(m["unit"].strip()):
            return ("unit_in_value", _float(m["number"]), np.nan, "", m["unit"].strip())
        return ("", np.nan, np.nan, "", "")
    read_ = map_distinct(cells, read)
    return pd.DataFrame(read_.tolist(), index=cells.index, columns=VALUE_FORM_COLUMNS)


def _float(text: str) -> float:
    return float(text.replace(",", ""))


def shown(number: float) -> str:
    """A number as messages show it: thousands separators, at most six significant digits."""
    return f"{number:,.6g}" if np.isfinite(number) and abs(number) < 1e15 else f"{number:.6g}"
