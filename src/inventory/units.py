"""The one pint registry of the program and the conversions built on it.

Conversion works on whole columns: each distinct unit string is parsed once and
its factor to the canonical unit is mapped onto the column (DESIGN 3.5).
"""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np
import pandas as pd
import pint

from inventory import resources


@cache
def quantities() -> pd.DataFrame:
    """The quantities activity amounts are counted in (data/quantities.csv), indexed by name.

    Columns: dimensionality (pint), canonical_unit (amounts are converted to it before any
    method sees them; emissions are always tonnes), also_given_as (`;`-joined quantities an
    activity counted in this one may also be given in: a fuel's mass as its energy), name_zh, name_en.
    """
    return resources.data_table("quantities.csv").set_index("quantity", drop=False)


@cache
def canonical_units() -> dict[str, str]:
    """Quantity -> its canonical unit (`mass` -> `t`, `energy` -> `TJ`, `area` -> `ha`)."""
    return dict(zip(quantities()["quantity"], quantities()["canonical_unit"]))


def canonical_unit(quantity: str) -> str:
    """The canonical unit of one quantity (`volume` -> `m3`)."""
    return canonical_units()[quantity]


def dimensionality(quantity: str) -> str:
    """The pint dimensionality of one quantity (`volume` -> `[length] ** 3`)."""
    return quantities().at[quantity, "dimensionality"]


@cache
def registry() -> pint.UnitRegistry:
    """The program's unit registry: pint defaults plus `units.txt`."""
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.load_definitions(resources.units_definitions().splitlines())
    return ureg


def _normalise(text: str) -> str:
    """Full-width to half-width, superscripts to digits, blanks trimmed."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    return text.replace("^", "**")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@cache
def parse(text: str) -> pint.Quantity:
    """Parse a unit string (`万吨`, `亿立方米`, `kg/TJ`, `1e10 kJ`) into a Quantity of 1 unit.

    An empty string or `1` is a dimensionless 1. Raises ValueError with a readable
    message when the string is not a unit.
    """
    norm = _normalise(text)
    if norm in ("", "1", "-"):
        return registry().Quantity(1, "")
    try:
        q = registry().parse_expression(norm)
    except Exception as exc:  # pint raises several unrelated types for bad input
        raise ValueError(f"{text!r} is not a known unit") from exc
    if not isinstance(q, pint.Quantity) or _is_number(norm):  # a bare number such as "100"
        raise ValueError(f"{text!r} is a number, not a unit")
    return q


def is_unit(text: str) -> bool:
    """True when `text` parses as a unit."""
    try:
        parse(text)
    except ValueError:
        return False
    return True


def quantity_of(text: str) -> str | None:
    """The quantity a unit measures (`mass`, `volume`, `energy`, ... of data/quantities.csv), or None."""
    q = parse(text)
    for quantity, dim in zip(quantities()["quantity"], quantities()["dimensionality"]):
        if q.check(dim):
            return quantity
    return None


def factor(from_unit: str, to_unit: str) -> float:
    """How many `to_unit` one `from_unit` is (e.g. 万吨 -> t gives 10000.0).

    Raises pint.DimensionalityError when the two measure different things.
    """
    return float(parse(from_unit).to(parse(to_unit).units).magnitude / parse(to_unit).magnitude)


def to_canonical(units: pd.Series) -> pd.DataFrame:
    """Factor and canonical unit for every entry of a column of unit strings.

    Returns a frame aligned with `units` with columns `quantity` (mass, volume, energy,
    ...; None when the unit is unknown or of no supported quantity), `canonical_unit`
    and `factor` (multiply the value by it to get the canonical amount). Each
    distinct unit is parsed once.
    """
    table, codes = canonical_of(units)
    out = table.take(codes)  # each row's unit by its code: an array take, not a label lookup per row
    out.index = units.index
    return out


def canonical_of(units: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """`to_canonical`'s columns once per distinct unit (indexed by the unit) and each entry's code into them."""
    codes, distinct = pd.factorize(units, use_na_sentinel=False)
    rows = []
    for text in distinct:
        quantity = None
        try:
            quantity = quantity_of(text)
        except ValueError:
            pass
        if quantity is None:
            rows.append((text, None, "", float("nan")))
            continue
        target = canonical_unit(quantity)
        rows.append((text, quantity, target, factor(text, target)))
    return pd.DataFrame(rows, columns=["unit", "quantity", "canonical_unit", "factor"]).set_index("unit"), codes


def accepted_quantities(quantity: str) -> set[str]:
    """Quantities a unit may measure for an activity counted in `quantity`: itself and its
    `also_given_as` (a fuel counted by mass may be given as energy, DESIGN 3.5)."""
    also = quantities().at[quantity, "also_given_as"]
    return {quantity, *(q for q in also.split(";") if q)}
