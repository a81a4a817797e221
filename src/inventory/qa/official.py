"""Official pollutant statistics against the build (DESIGN 3.9, check `external_official`).

The file of `[checks.external_official]` (`path`) is a CSV `region, year, substance, value, unit, series,
source` of published totals (环境统计 / 统计年鉴: 二氧化硫, 氮氧化物, 烟(粉)尘 排放总量). SO2 and NOx are
compared with the inventory's total over categories 1.A, 1.B and 2 and their descendants (the surveyed
scope: industry, households, vehicles, centralised treatment), graded pass / warn / fail on
(ours − official) / official (qa.grading). 烟(粉)尘 (total particulate, a TSP-like quantity) is shown beside
our PM10 for information only (result `info`, not graded). Substances are read through
data/official_substances.csv (id, Chinese or English name). The file is read and validated in a build's read
stage (read_files): a bad cell is a problem naming its file, row and column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from inventory import categories, regions, resources, units
from inventory.errors import Problem, UsageError
from inventory.lookup import map_distinct
from inventory.qa.external import read_csv_table
from inventory.qa.grading import difference_pct, grade
from inventory.result import CHECK_COLUMNS

NAME = "external_official"
DEFAULT_THRESHOLDS = {"warn": 0.20, "fail": 0.50}
COLUMNS = ["region", "year", "substance", "value", "unit", "series", "source"]
SCOPE = ("1.A", "1.B", "2")
TABLE_COLUMNS = ["region", "year", "substance", "compared_with", "graded", "official_t", "ours_t", "diff_pct",
                 "ratio", "result", "series", "source"]


def _substances() -> pd.DataFrame:
    """data/official_substances.csv: id, name_zh, name_en, compared_with (our substance), graded (yes/no)."""
    return resources.data_table("official_substances.csv")


def _substance_lookup() -> dict[str, str]:
    t = _substances()
    out = {}
    for column in ("id", "name_zh", "name_en"):
        out.update({str(v).strip().lower(): i for v, i in zip(t[column], t["id"])})
    return out


def read(path: Path) -> pd.DataFrame:
    """The official totals of a CSV -> region (code), year, substance (id), value (t), series, source.
    Every bad cell is a problem located by file, CSV line and column, all in one UsageError."""
    frame = read_csv_table(path, COLUMNS, "line")
    region = map_distinct(frame["region"], lambda r: regions.lookup().get(str(r).strip()) or "")
    year = pd.to_numeric(frame["year"], errors="coerce")
    substance = frame["substance"].str.strip().str.lower().map(_substance_lookup()).fillna("")
    value = pd.to_numeric(frame["value"], errors="coerce")
    conv = units.to_canonical(frame["unit"].str.strip())
    problems = []

    def located(mask, code, column, expected):
        rows = frame[mask]
        problems.extend(Problem(code, file=str(path), row=int(r), column=column, value=str(v), expected=expected)
                        for r, v in zip(rows["line"], rows[column]))

    located(region == "", "unknown_region", "region", "expect_region")
    located(year.isna() | (year % 1 != 0), "not_a_year", "year", "expect_year")
    located(substance == "", "unknown_official_substance", "substance", "expect_official_substance")
    located(value.isna() | (value < 0), "not_a_number", "value", "expect_non_negative")
    located(conv["quantity"] != "mass", "official_unit_not_a_mass", "unit", "expect_mass_unit")
    located(frame["source"].str.strip() == "", "source_is_empty", "source", "expect_source")
    if problems:
        raise UsageError(problems)
    return pd.DataFrame({"region": region, "year": year.astype(int), "substance": substance,
                         "value": value * conv["factor"], "series": frame["series"], "source": frame["source"]}
                        ).reset_index(drop=True)


def read_files(settings: dict) -> dict[str, pd.DataFrame]:
    """{"official": the totals} of `[checks.external_official]` `path`; empty without one."""
    return {"official": read(Path(settings["path"]))} if settings.get("path") else {}


def in_scope(category: pd.Series) -> pd.Series:
    """True for categories at or below 1.A, 1.B or 2 (the official statistics' scope)."""
    return map_distinct(category.astype(str),
                        lambda c: any(a in SCOPE for a in categories.ancestors(c))).astype(bool)


def comparison(official: pd.DataFrame | None, emissions: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Each official total beside our total of its compared substance over 1.A, 1.B and 2 (t), for the
    region-years the build has: TABLE_COLUMNS; diff_pct = (ours − official) / official × 100, ratio =
    ours / official; graded substances pass / warn / fail on |diff| against `warn` and `fail` (fractions),
    the others `info`."""
    if official is None or official.empty or emissions.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    subs = _substances().set_index("id")
    e = emissions[(emissions["kind"] != "memo") & in_scope(emissions["category"])]
    ours = e.groupby(["region", "year", "substance"])["emission"].sum().rename("ours_t")
    built = emissions[["region", "year"]].drop_duplicates().astype({"region": str, "year": int})
    t = official.merge(built, on=["region", "year"])
    if t.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    t = t.assign(compared_with=t["substance"].map(subs["compared_with"]),
                 graded=t["substance"].map(subs["graded"]).eq("yes"), official_t=t["value"])
    t = t.join(ours, on=["region", "year", "compared_with"]).fillna({"ours_t": 0.0})
    t["diff_pct"] = difference_pct(t["ours_t"], t["official_t"])
    t["ratio"] = t["ours_t"] / t["official_t"].where(t["official_t"] != 0)
    graded = grade(t["ours_t"], t["official_t"], settings["warn"], settings["fail"])
    t["result"] = np.where(t["graded"], graded, "info")
    return t[TABLE_COLUMNS].sort_values(["region", "substance", "year"], kind="stable").reset_index(drop=True)


def check_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The graded rows of the comparison as check rows (category `1.A+1.B+2`; value ours, reference official)."""
    if table.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    g = table[table["graded"].astype(bool)]
    return pd.DataFrame({"check": NAME, "region": g["region"], "year": g["year"], "category": "+".join(SCOPE),
                         "substance": g["compared_with"], "value": g["ours_t"], "reference": g["official_t"],
                         "diff_pct": g["diff_pct"], "result": g["result"]}, columns=CHECK_COLUMNS)
