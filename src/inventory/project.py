"""Project files (`inventory.toml`, DESIGN 3.8) -> build settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from inventory import regions
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
            raise UsageError(Problem("not a year or year range", value=str(item), expected="2019 or 2019-2023"))
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
        raise UsageError([Problem("unknown region", value=b, expected="a GB/T 2260 code or region name") for b in bad])
    return codes


def load_project(path: Path) -> Project:
    """Read an inventory.toml; paths in it are relative to the file."""
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(Problem(f"project file cannot be read: {exc}", file=str(path))) from exc
    proj = spec.get("project", {})
    base = path.parent
    return Project(
        name=proj.get("name", ""),
        inputs=[base / p for p in proj.get("inputs", ["data/"])],
        regions=parse_regions(proj.get("regions", "all")),
        years=parse_years(proj["years"]) if "years" in proj else None,
        gwp=proj.get("gwp", "AR5"),
        factors=[base / p for p in proj.get("factors", [])],
        checks=spec.get("checks", {}),
        base=base,
        targets=base / proj["targets"] if proj.get("targets") else None,
    )
