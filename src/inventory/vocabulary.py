"""Activities, technologies, substances, parameters and column headers, from data files."""

from __future__ import annotations

from functools import cache

import pandas as pd

from inventory import resources
from inventory.lookup import Lookup, normalise_name

NOTATION_KEYS = ("NO", "NE", "NA", "IE", "C")


@cache
def activities() -> pd.DataFrame:
    """Activity table indexed by id: name_zh, name_en, kind, fuel_group, quantity, default_unit."""
    return resources.data_table("activities.csv").set_index("id", drop=False)


@cache
def activity_lookup() -> Lookup:
    """Activity id, Chinese or English name or alias -> id."""
    return Lookup.from_table(activities(), "id", ["name_zh", "name_en"], "aliases")


@cache
def technologies() -> pd.DataFrame:
    """Technology table indexed by id: name_zh, name_en, kind (combustion or control)."""
    return resources.data_table("technologies.csv").set_index("id", drop=False)


@cache
def technology_lookup() -> Lookup:
    """Technology id or name -> id."""
    return Lookup.from_table(technologies(), "id", ["name_zh", "name_en"])


@cache
def substances() -> pd.DataFrame:
    """Substance table indexed by id: name_zh, name_en, kind (ghg or pollutant), order."""
    return resources.data_table("substances.csv").set_index("id", drop=False)


@cache
def substance_lookup() -> Lookup:
    """Substance id or name -> id (`pm2.5`, `二氧化硫`, `SO2`)."""
    return Lookup.from_table(substances(), "id", ["name_zh", "name_en"])


@cache
def parameters() -> pd.DataFrame:
    """Local parameter vocabulary indexed by name (DESIGN 3.3)."""
    return resources.data_table("parameters.csv").set_index("name", drop=False)


@cache
def parameter_lookup() -> Lookup:
    """Parameter base name or Chinese/English name -> base name (`低位发热量` -> `ncv`)."""
    return Lookup.from_table(parameters(), "name", ["name_zh", "name_en"])


# Parameters whose name carries a substance after a dot: ef.SO2, removal_efficiency.PM2.5.
_PREFIXED = ("uncertainty.ef", "removal_efficiency", "ef")


def parse_parameter(text: object) -> str | None:
    """Canonical parameter name for a cell (`EF.so2` -> `ef.SO2`, `含硫率` -> `sulfur_content`), or None.

    The substance is all that follows the prefix (`ef.PM2.5`); PM2.5-10 is accepted
    after `removal_efficiency.` for the coarse fraction.
    """
    raw = str(text).strip()
    whole = parameter_lookup().get(raw)
    if whole and whole not in _PREFIXED:
        return whole
    norm = normalise_name(raw)
    for prefix in _PREFIXED:
        for spelling in _prefix_spellings(prefix):
            if norm.startswith(spelling + "."):
                rest = raw[len(spelling) + 1:]
                if prefix == "removal_efficiency" and normalise_name(rest) == "pm2.5-10":
                    return "removal_efficiency.PM2.5-10"
                sub = substance_lookup().get(rest)
                return f"{prefix}.{sub}" if sub else None
    return None


@cache
def _prefix_spellings(prefix: str) -> tuple[str, ...]:
    row = parameters().loc[prefix]
    return tuple(normalise_name(s) for s in (row["name"], row["name_zh"], row["name_en"]) if s)


@cache
def header_lookup() -> Lookup:
    """Column header (Chinese, English or alias) -> column id of the v1 format."""
    return Lookup.from_table(resources.data_table("headers.csv"), "column", ["name_en", "name_zh"], "aliases")
