"""Activities, technologies, substances, parameters, expected substances and column headers, from data files."""

from __future__ import annotations

from functools import cache

import pandas as pd

from inventory import categories, resources
from inventory.lookup import Lookup, normalise_name

NOTATION_KEYS = ("NO", "NE", "NA", "IE", "C")


@cache
def activities() -> pd.DataFrame:
    """Activity table indexed by id: name_zh, name_en, activity_class (data/activity_classes.csv),
    fuel_group, quantity (data/quantities.csv: what the activity is counted in), default_unit."""
    return resources.data_table("activities.csv").set_index("id", drop=False)


@cache
def activity_classes() -> pd.DataFrame:
    """Activity classes indexed by name (fuel, product, animal, statistic...): name_zh, name_en,
    emission_source (`yes`, or `no` for classes whose use emits nothing itself: statistics, secondary energy)."""
    return resources.data_table("activity_classes.csv").set_index("activity_class", drop=False)


@cache
def non_sources() -> frozenset[str]:
    """Activity ids that are no emission source where they are used: statistics (gdp, population...) and
    secondary energy (electricity, heat), by their class's `emission_source` (data/activity_classes.csv)."""
    classes = activity_classes()
    quiet = set(classes.index[classes["emission_source"] == "no"])
    acts = activities()
    return frozenset(acts.index[acts["activity_class"].isin(quiet)])


@cache
def activity_lookup() -> Lookup:
    """Activity id, Chinese or English name or alias -> id."""
    return Lookup.from_table(activities(), "id", ["name_zh", "name_en"], "aliases")


@cache
def technologies() -> pd.DataFrame:
    """Technology table indexed by id: name_zh, name_en, technology_class (combustion, control, process,
    waste_treatment, manure_management, forest_type)."""
    return resources.data_table("technologies.csv").set_index("id", drop=False)


@cache
def technology_lookup() -> Lookup:
    """Technology id or name -> id."""
    return Lookup.from_table(technologies(), "id", ["name_zh", "name_en"])


@cache
def substances() -> pd.DataFrame:
    """Substance table indexed by id: name_zh, name_en, group (ghg or pollutant), order, gwp_name
    (the substance's name in the `globalwarmingpotentials` data package; empty for pollutants)."""
    return resources.data_table("substances.csv").set_index("id", drop=False)


@cache
def substance_group(group: str) -> tuple[str, ...]:
    """Ids of the substances of one group (`ghg` or `pollutant`), in the file's `order`."""
    t = substances()
    t = t[t["group"] == group]
    return tuple(t.loc[t["order"].astype(int).sort_values(kind="stable").index, "id"])


def greenhouse_gases() -> tuple[str, ...]:
    """The greenhouse gases (substances.csv group `ghg`), in order."""
    return substance_group("ghg")


def pollutants() -> tuple[str, ...]:
    """The air pollutants (substances.csv group `pollutant`), in order."""
    return substance_group("pollutant")


@cache
def substance_lookup() -> Lookup:
    """Substance id or name -> id (`pm2.5`, `二氧化硫`, `SO2`)."""
    return Lookup.from_table(substances(), "id", ["name_zh", "name_en"])


@cache
def parameters() -> pd.DataFrame:
    """Local parameter vocabulary indexed by name (DESIGN 3.3).

    Columns: name_zh, name_en, takes_substance (`yes`: the name is followed by a substance,
    `ef.SO2`), dimensionality (pint) and canonical_unit (the unit values are stored in;
    `{basis}` stands for the activity quantity the value is per, one of `bases`),
    plausible_low/plausible_high (the range `factors check` accepts, canonical unit), notes.
    """
    return resources.data_table("parameters.csv").set_index("name", drop=False)


@cache
def prefixed_parameters() -> tuple[str, ...]:
    """Parameter names that take a substance after a dot (`ef`, `removal_efficiency`, `uncertainty.ef`), longest first."""
    t = parameters()
    return tuple(sorted(t.index[t["takes_substance"] == "yes"], key=len, reverse=True))


def parameter_entry(name: str) -> str:
    """The vocabulary name of a full parameter name (`ef.SO2` -> `ef`, `uncertainty.ef.CO2` -> `uncertainty.ef`,
    `ncv` -> `ncv`)."""
    if name in parameters().index:
        return name
    return next((p for p in prefixed_parameters() if name.startswith(p + ".")), name)


@cache
def parameter_lookup() -> Lookup:
    """Parameter base name or Chinese/English name -> base name (`低位发热量` -> `ncv`)."""
    return Lookup.from_table(parameters(), "name", ["name_zh", "name_en"])


def parse_parameter(text: object) -> str | None:
    """Canonical parameter name for a cell (`EF.so2` -> `ef.SO2`, `含硫率` -> `sulfur_content`), or None.

    The substance is all that follows the prefix (`ef.PM2.5`); PM2.5-10 is accepted
    after `removal_efficiency.` for the coarse fraction.
    """
    raw = str(text).strip()
    whole = parameter_lookup().get(raw)
    if whole and whole not in prefixed_parameters():
        return whole
    norm = normalise_name(raw)
    for prefix in prefixed_parameters():
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
def _expected() -> pd.DataFrame:
    return resources.data_table("expected_substances.csv")


@cache
def ne_reasons() -> pd.DataFrame:
    """Precise not-estimated reasons (data/ne_reasons.csv: category, substance, reason code) for a key at
    exactly that category missing that substance, in place of the generic one."""
    return resources.data_table("ne_reasons.csv")[["category", "substance", "reason"]]


@cache
def expected_substances(category: str, activity: str = "") -> tuple[str, ...]:
    """Substances an activity key of `category` is expected to have (data/expected_substances.csv):
    a key without one is not estimated (NE) for it.

    Rows of the category or an ancestor count; rows naming the key's activity replace those for
    every activity (wastewater nitrogen in 4.D expects N2O, not the CH4 of 4.D). In file order.
    """
    chain = set(categories.ancestors(category))
    rows = [(a, s) for c, a, s in _expected_rows() if c in chain]
    own = [s for a, s in rows if a == activity] if activity else []
    return tuple(dict.fromkeys(own or [s for a, s in rows if a == ""]))


@cache
def _expected_rows() -> tuple[tuple[str, str, str], ...]:
    """(category, activity, substance) of data/expected_substances.csv in file order."""
    t = _expected()
    return tuple(zip(t["category"], t["activity"], t["substance"]))


@cache
def header_lookup() -> Lookup:
    """Column header (Chinese, English or alias) -> column id of the v1 format."""
    return Lookup.from_table(resources.data_table("headers.csv"), "column", ["name_en", "name_zh"], "aliases")
