"""Project files (`inventory.toml`, DESIGN 3.8) -> build settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from inventory import categories, regions, vocabulary
from inventory.errors import Problem, UsageError


@dataclass
class Project:
    """What a build needs; paths are absolute. regions None = every region in the inputs (plus their province)."""

    name: str = ""
    inputs: list[Path] = field(default_factory=list)
    regions: set[str] | None = None
    years: set[int] | None = None
    gwp: str = "AR5"
    factors: list[Path] = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    base: Path | None = None
    targets: Path | None = None


def parse_years(spec) -> set[int]:
    """`2019`, `"2019-2023"`, `[2019, 2020]` or `["2019-2020", 2022]` -> a set of years."""
    items = spec if isinstance(spec, list) else [spec]
    years: set[int] = set()
    for item in items:
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–~]\s*(\d{4}))?\s*", str(item))
        if not m:
            raise UsageError(Problem("not_a_year_range", value=str(item), expected="expect_year_range"))
        first, last = int(m[1]), int(m[2] or m[1])
        years |= set(range(first, last + 1))
    return years


def parse_regions(spec) -> set[str] | None:
    """`"all"` -> None; codes or names -> a set of codes (unknown ones are a usage error)."""
    if spec is None or spec == "all" or spec == ["all"]:
        return None
    items = spec if isinstance(spec, list) else [spec]
    codes = {regions.lookup().get(str(i)) for i in items}
    if None in codes:
        bad = [str(i) for i in items if regions.lookup().get(str(i)) is None]
        raise UsageError([Problem("unknown_region", value=b, expected="expect_region") for b in bad])
    return codes


def load_project(path: Path) -> Project:
    """Read an inventory.toml; paths in it are relative to the file."""
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(Problem("project_file_unreadable", file=str(path), params=(("error", str(exc)),))) from exc
    proj = spec.get("project", {})
    base = path.parent
    return Project(
        name=proj.get("name", ""),
        inputs=[base / p for p in proj.get("inputs", ["data/"])],
        regions=parse_regions(proj.get("regions", "all")),
        years=parse_years(proj["years"]) if "years" in proj else None,
        gwp=proj.get("gwp", "AR5"),
        factors=[base / p for p in proj.get("factors", [])],
        checks=parse_checks(_check_paths(spec.get("checks", {}), base, path), str(path)),
        base=base,
        targets=base / proj["targets"] if proj.get("targets") else None,
    )


_RESULTS = ("pass", "warn", "fail")
# Settings of a check table that name a result rather than a threshold.
_RESULT_SETTINGS = ("missing", "not_estimated")


def parse_checks(spec, file: str = "") -> dict:
    """The `[checks.<name>]` tables: `warn`/`fail` non-negative fractions with warn ≤ fail, result
    settings (`missing`, `not_estimated`) one of pass/warn/fail, and `[checks.completeness]`
    `categories` (codes or names -> codes) and `keys` (see parse_completeness_keys). Every
    problem is listed in one UsageError."""
    problems: list[Problem] = []

    def bad(where: str, value, expected: str, code: str = "invalid_setting") -> None:
        problems.append(Problem(code, file=file, column=f"checks.{where}", value=str(value), expected=expected))

    if not isinstance(spec, dict):
        raise UsageError(Problem("invalid_setting", file=file, column="checks", value=str(spec),
                                 expected="expect_check_tables"))
    out = {}
    for name, table in spec.items():
        if not isinstance(table, dict):
            bad(name, table, "expect_threshold_table")
            continue
        table = dict(table)
        for limit in ("warn", "fail", "min_share"):
            if limit in table and (isinstance(table[limit], bool) or not isinstance(table[limit], (int, float))
                                   or table[limit] < 0):
                bad(f"{name}.{limit}", table[limit], "expect_fraction")
        if all(isinstance(table.get(k), (int, float)) for k in ("warn", "fail")) and table["warn"] > table["fail"]:
            bad(f"{name}.warn", table["warn"], "expect_at_most_fail")
        for key in _RESULT_SETTINGS:
            if key in table and table[key] not in _RESULTS:
                bad(f"{name}.{key}", table[key], "expect_result")
        if name == "completeness":
            cats = table.get("categories")
            if cats is not None:
                codes = [categories.lookup().get(c) for c in (cats if isinstance(cats, list) else [cats])]
                for c, code in zip(cats if isinstance(cats, list) else [cats], codes):
                    if code is None:
                        bad("completeness.categories", c, "expect_category", "unknown_category")
                table["categories"] = [c for c in codes if c]
            keys, found = parse_completeness_keys(table.get("keys", {}), file)
            problems += found
            table["keys"] = keys
        out[name] = table
    if problems:
        raise UsageError(problems)
    return out


def parse_completeness_keys(spec, file: str = "") -> tuple[list[dict], list[Problem]]:
    """`[checks.completeness.keys]` -> ([{"region", "category", "key"}], problems).

    `"2.B.3" = "NO"` applies to every region ("" region); a sub-table named by a region
    (`[checks.completeness.keys."430100"]`) holds that region's keys. Keys: NO, NE, NA, IE, C
    (IPCC 2006 Vol.1 Ch.8 notation keys); categories by code or name.
    """
    rows: list[dict] = []
    problems: list[Problem] = []

    def one(region: str, category, key, where: str) -> None:
        code = categories.lookup().get(category)
        norm = str(key).strip().upper()
        if code is None:
            problems.append(Problem("unknown_category", file=file, column=where, value=str(category),
                                    expected="expect_category"))
        if norm not in vocabulary.NOTATION_KEYS:
            problems.append(Problem("unknown_notation_key", file=file, column=where, value=str(key),
                                    expected="expect_notation_key"))
        if code is not None and norm in vocabulary.NOTATION_KEYS:
            rows.append({"region": region, "category": code, "key": norm})

    if not isinstance(spec, dict):
        return rows, [Problem("invalid_setting", file=file, column="checks.completeness.keys", value=str(spec),
                              expected="expect_keys_table")]
    for name, value in spec.items():
        if isinstance(value, dict):
            region = regions.lookup().get(name)
            if region is None:
                problems.append(Problem("unknown_region", file=file, column=f"checks.completeness.keys.{name}",
                                        value=name, expected="expect_region"))
                continue
            for category, key in value.items():
                one(region, category, key, f"checks.completeness.keys.{name}.{category}")
        else:
            one("", name, value, f"checks.completeness.keys.{name}")
    return rows, problems


def _check_paths(checks: dict, base: Path, source: Path) -> dict:
    """`[checks.<name>]` tables with their `path`/`*_path` values made absolute (relative to the project
    file `source`); a named file that does not exist is a usage error."""
    out, missing = {}, []
    for name, table in checks.items():
        if isinstance(table, dict):
            table = {k: str(base / v) if (k == "path" or k.endswith("_path")) and isinstance(v, str) else v
                     for k, v in table.items()}
            missing += [Problem("file_not_found", file=str(source), column=f"checks.{name}.{k}",
                                value=v, expected="expect_file_relative_to_project")
                        for k, v in table.items() if (k == "path" or k.endswith("_path")) and not Path(v).is_file()]
        out[name] = table
    if missing:
        raise UsageError(missing)
    return out
