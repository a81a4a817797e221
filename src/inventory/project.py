"""Project files (`inventory.toml`, DESIGN 3.8) -> build settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from inventory import regions
from inventory.errors import Problem, UsageError
from inventory.factors import sets
from inventory.lookup import closest
from inventory.qa.settings import parse_checks


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
    warnings: list[Problem] = field(default_factory=list)  # e.g. a check's former name
    factor_set: str = ""  # DESIGN 3.4: china, ipcc or ceads; "" = the default set
    maps: bool = True  # [report] maps: the report's schematic maps (false for reports meant for publication)


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


# The tables of a project file (DESIGN 3.8); the keys of [project] are those of PROJECT_KEYS.
TABLES = ("project", "checks", "report")


def load_project(path: Path) -> Project:
    """Read an inventory.toml and validate all of it; paths in it are relative to the file.

    An unknown table, [project] key, check or check setting is a usage error naming it with
    the nearest known name; every problem of the file is listed in one UsageError. A check's
    former name (`[checks.external]`) is accepted with a warning (Project.warnings).
    """
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(Problem("project_file_unreadable", file=str(path), value=str(exc),
                                 expected="expect_project_file")) from exc
    file, base = str(path), path.parent
    problems = [_unknown(key, TABLES, file, key) for key in spec if key not in TABLES]
    proj = spec.get("project", {})
    if not isinstance(proj, dict):
        problems.append(Problem("invalid_setting", file=file, column="project", value=str(proj),
                                expected="expect_project_table"))
        proj = {}
    problems += [_unknown(key, PROJECT_KEYS, file, f"project.{key}") for key in proj if key not in PROJECT_KEYS]
    project = Project(base=base)
    for key, read in PROJECT_KEYS.items():
        if key not in proj:
            continue
        try:
            value = read(proj[key], base)
        except UsageError as exc:
            problems += [replace(p, file=file, column=p.column or f"project.{key}") for p in exc.problems]
            continue
        setattr(project, key, value)
    if "inputs" not in proj:
        project.inputs = [base / "data/"]
    problems += _report_table(spec.get("report", {}), file, project)
    try:
        project.checks, project.warnings = parse_checks(spec.get("checks", {}), file, base)
    except UsageError as exc:
        problems += exc.problems
    if problems:
        raise UsageError(problems)
    return project


def _report_table(table, file: str, project: Project) -> list[Problem]:
    """The [report] table's settings onto `project` (`maps = true|false`); its problems (an unknown key
    with the nearest known one, a value that is not true or false)."""
    if not isinstance(table, dict):
        return [Problem("invalid_setting", file=file, column="report", value=str(table),
                        expected="expect_report_table")]
    problems = [_unknown(key, REPORT_KEYS, file, f"report.{key}") for key in table if key not in REPORT_KEYS]
    for key in REPORT_KEYS:
        if key not in table:
            continue
        if not isinstance(table[key], bool):
            problems.append(Problem("invalid_setting", file=file, column=f"report.{key}", value=str(table[key]),
                                    expected="expect_true_or_false"))
        else:
            setattr(project, key, table[key])
    return problems


def _unknown(key: str, known, file: str, where: str) -> Problem:
    """An unknown key of the project file, with the nearest known one."""
    return Problem("unknown_key", file=file, column=where, value=key, expected="expect_one_of",
                   params=(("names", ", ".join(known)),), suggestion=closest(key, known))


def _name(value, base: Path) -> str:
    if not isinstance(value, str):
        raise UsageError(Problem("invalid_setting", value=str(value), expected="expect_text"))
    return value


def _paths(value, base: Path) -> list[Path]:
    """A path or a list of paths -> absolute paths (relative to `base`)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise UsageError(Problem("invalid_setting", value=str(value), expected="expect_paths"))
    return [base / i for i in items]


def _file(value, base: Path) -> Path | None:
    """One existing file (relative to `base`); an empty text = none."""
    if value == "":
        return None
    if not isinstance(value, str):
        raise UsageError(Problem("invalid_setting", value=str(value), expected="expect_file_relative_to_project"))
    if not (base / value).is_file():
        raise UsageError(Problem("file_not_found", value=str(base / value), expected="expect_file_relative_to_project"))
    return base / value


def parse_gwp(value) -> str:
    """A GWP-100 set name (SAR, AR4, AR5, AR6; any case) -> its upper-case name."""
    from inventory.aggregate import GWP_SETS

    name = str(value).strip().upper()
    if name not in GWP_SETS:
        raise UsageError(Problem("unknown_gwp_set", value=str(value), expected="expect_gwp_set",
                                 suggestion=closest(name, GWP_SETS)))
    return name


def resolve_paths(paths: list[Path]) -> tuple[list[Path], Project | None]:
    """PATH arguments -> (inputs, project or None): a single inventory.toml, or a folder holding one,
    is a project file (its inputs); anything else names the inputs themselves."""
    if len(paths) == 1 and paths[0].suffix == ".toml":
        project = load_project(paths[0])
        return project.inputs, project
    if len(paths) == 1 and paths[0].is_dir() and (paths[0] / "inventory.toml").is_file():
        project = load_project(paths[0] / "inventory.toml")
        return project.inputs, project
    return list(paths), None


# The keys of [project], each with its reader (value, the project file's folder) -> the Project field.
PROJECT_KEYS = {
    "name": _name, "inputs": _paths, "regions": lambda value, base: parse_regions(value),
    "years": lambda value, base: parse_years(value), "gwp": lambda value, base: parse_gwp(value),
    "factors": _paths, "targets": _file,
    "factor_set": lambda value, base: sets.checked(value, "project.factor_set"),
}

# The keys of [report] (each true or false) and the Project field each sets.
REPORT_KEYS = ("maps",)
