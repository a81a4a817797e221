"""The `[checks.<name>]` tables of a project file (DESIGN 3.8) validated against the check registry.

Every setting has a kind (the registry, qa/checks.py, names each check's settings and
their kinds): `fraction` (a non-negative relative difference: `warn`, `fail`), `share`
(0 to 1: `min_share`), `result` (pass, warn or fail: `missing`, `not_estimated`), `path`
(a file, relative to the project file: `path`, `activity_path`), `region` (a GB/T 2260
code or name), `categories` (IPCC category codes or names) and `keys` (notation keys of
`[checks.completeness.keys]`). An unknown check or setting is a problem naming it with the
nearest known name; a check's former name is accepted with a warning naming the new one.
"""

from __future__ import annotations

from pathlib import Path

from inventory import categories, regions, vocabulary
from inventory.errors import Problem, UsageError
from inventory.lookup import closest
from inventory.qa.checks import CHECKS

RESULTS = ("pass", "warn", "fail")


def parse_checks(spec, file: str = "", base: Path | None = None) -> tuple[dict, list[Problem]]:
    """The `[checks]` table -> ({check name: settings}, warnings); every problem is listed in one UsageError.

    Settings are converted to what the checks read: paths made absolute (relative to `base`,
    the project file's folder) and required to exist, regions and categories to codes,
    notation keys to rows (see parse_completeness_keys). `warn` ≤ `fail` when both are given.
    """
    if not isinstance(spec, dict):
        raise UsageError(Problem("invalid_setting", file=file, column="checks", value=str(spec),
                                 expected="expect_check_tables"))
    former = {old: check.name for check in CHECKS.values() for old in check.former_names}
    out: dict = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for name, table in spec.items():
        where = f"checks.{name}"
        if name in former:
            new = former[name]
            warnings.append(Problem("check_renamed", file=file, column=where, value=name, expected="expect_new_check_key",
                                    severity="warning", params=(("old", name), ("new", new))))
            if new in spec:
                problems.append(Problem("check_given_twice", file=file, column=where, value=name,
                                        expected="expect_new_check_key", params=(("old", name), ("new", new))))
                continue
            name = new
        check = CHECKS.get(name)
        if check is None:
            problems.append(Problem("unknown_check", file=file, column=where, value=name, expected="expect_one_of",
                                    params=(("names", ", ".join(CHECKS)),), suggestion=closest(name, CHECKS)))
            continue
        if not isinstance(table, dict):
            problems.append(Problem("invalid_setting", file=file, column=where, value=str(table),
                                    expected="expect_threshold_table"))
            continue
        settings = {}
        for key, value in table.items():
            kind = check.settings.get(key)
            if kind is None:
                problems.append(Problem("unknown_check_setting", file=file, column=f"{where}.{key}", value=key,
                                        expected="expect_one_of", params=(("names", ", ".join(check.settings)),),
                                        suggestion=closest(key, check.settings)))
                continue
            converted, found = KINDS[kind](value, f"{where}.{key}", file, base)
            problems += found
            settings[key] = converted
        if all(_is_number(settings.get(k)) for k in ("warn", "fail")) and settings["warn"] > settings["fail"]:
            problems.append(Problem("invalid_setting", file=file, column=f"{where}.warn", value=str(settings["warn"]),
                                    expected="expect_at_most_fail"))
        out[name] = settings
    if problems:
        raise UsageError(problems)
    return out, warnings


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fraction(value, where: str, file: str, base: Path | None):
    """A non-negative fraction (0.1 = 10 %)."""
    if not _is_number(value) or value < 0:
        return value, [Problem("invalid_setting", file=file, column=where, value=str(value),
                               expected="expect_fraction")]
    return value, []


def _share(value, where: str, file: str, base: Path | None):
    """A share from 0 to 1."""
    if not _is_number(value) or not 0 <= value <= 1:
        return value, [Problem("invalid_setting", file=file, column=where, value=str(value),
                               expected="expect_share")]
    return value, []


def _result(value, where: str, file: str, base: Path | None):
    """pass, warn or fail."""
    if value not in RESULTS:
        return value, [Problem("invalid_setting", file=file, column=where, value=str(value),
                               expected="expect_result", suggestion=closest(str(value), RESULTS))]
    return value, []


def _path(value, where: str, file: str, base: Path | None):
    """An existing file; a relative path is relative to `base` (the project file's folder). -> absolute text."""
    if not isinstance(value, str) or not value.strip():
        return value, [Problem("invalid_setting", file=file, column=where, value=str(value),
                               expected="expect_file_relative_to_project")]
    path = (base / value) if base is not None else Path(value)
    if not path.is_file():
        return str(path), [Problem("file_not_found", file=file, column=where, value=str(path),
                                   expected="expect_file_relative_to_project")]
    return str(path), []


def _region(value, where: str, file: str, base: Path | None):
    """A GB/T 2260 code or region name -> its code."""
    code = regions.lookup().get(str(value))
    if code is None:
        return value, [Problem("unknown_region", file=file, column=where, value=str(value),
                               expected="expect_region", suggestion=regions.lookup().suggest(value))]
    return code, []


def _categories(value, where: str, file: str, base: Path | None):
    """IPCC category codes or names (one or a list) -> codes."""
    items = value if isinstance(value, list) else [value]
    codes = [categories.lookup().get(c) for c in items]
    problems = [Problem("unknown_category", file=file, column=where, value=str(c), expected="expect_category",
                        suggestion=categories.lookup().suggest(c)) for c, code in zip(items, codes) if code is None]
    return [c for c in codes if c], problems


def _keys(value, where: str, file: str, base: Path | None):
    """`[checks.completeness.keys]` -> notation-key rows (parse_completeness_keys)."""
    return parse_completeness_keys(value, file)


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


KINDS = {"fraction": _fraction, "share": _share, "result": _result, "path": _path, "region": _region,
         "categories": _categories, "keys": _keys}
