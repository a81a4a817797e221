"""Readers: activity workbooks (v1 long format and wide energy balances) -> one validated long table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from inventory.errors import Problem
from inventory.read.energy_balance import is_energy_balance, read_balance_sheet
from inventory.read.files import expand_paths, read_sheets, sha256
from inventory.read.validate import Inputs, validate
from inventory.read.workbook import RAW_COLUMNS, is_activity_sheet, read_activity_sheet

__all__ = ["Inputs", "read_raw", "read_inputs"]


def read_raw(paths: list[Path], base: Path | None = None) -> tuple[pd.DataFrame, list[dict], list[Problem]]:
    """Raw records of every sheet of every workbook, the input files with checksums, and file-level problems.

    base: file names in records and messages are shown relative to it when possible.
    """
    files, problems = expand_paths(paths)
    frames, inputs = [], []
    for path in files:
        shown = _relative(path, base)
        inputs.append({"path": shown, "sha256": sha256(path)})
        sheets, problem = read_sheets(path)
        if problem:
            problems.append(Problem(problem.message, file=shown, expected=problem.expected))
            continue
        for sheet, grid in sheets.items():
            grid = grid.dropna(how="all", axis=1)
            if grid.empty:
                continue
            if is_activity_sheet(grid):
                frame, found = read_activity_sheet(grid, shown, sheet)
            elif is_energy_balance(grid, sheet):
                frame, found = read_balance_sheet(grid, shown, sheet)
            else:
                problems.append(Problem("sheet skipped: its first row is not a header of the activity format",
                                        file=shown, sheet=sheet, severity="warning",
                                        expected="headers 地区, 年份, 排放源类别, 活动, 活动水平, 单位"))
                continue
            problems += found
            frames.append(frame)
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RAW_COLUMNS)
    return raw, inputs, problems


def read_inputs(paths: list[Path], regions: set[str] | None = None, years: set[int] | None = None,
                base: Path | None = None, warn_not_selected: bool = False) -> tuple[Inputs, list[dict]]:
    """Read and validate every workbook under `paths`; returns the Inputs and the input file list."""
    raw, files, problems = read_raw(paths, base)
    inputs = validate(raw, regions, years, warn_not_selected)
    inputs.problems = problems + inputs.problems
    return inputs, files


def _relative(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
