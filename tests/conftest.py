"""Shared fixtures: write small activity workbooks and compile them."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from inventory.build import compile_inventory
from inventory.errors import word
from inventory.factors.load import load_all
from inventory.read import read_inputs

# The CLI's tables are as wide as the terminal; tests read whole messages from them, so the session's terminal is
# wide whatever runs it (pytest-xdist's workers have none). A test of wrapping passes its own COLUMNS.
os.environ["COLUMNS"] = "250"

HEADERS_ZH = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]
HEADERS_EN = ["region", "year", "category", "activity", "technology", "value", "unit", "parameter", "source", "notes"]


# A facility sheet (DESIGN 3.3 "Facility rows") beside one region's energy rows: the tier-3 tests' workbook.
FACILITY_HEADERS = ["地区", "年份", "企业名称", "排放源类别", "活动", "污染物", "排放量", "单位", "活动水平", "活动水平单位",
                    "保密", "数据来源"]
# Region: A = 100 万吨 raw coal in 1.A.2 with a local ef.SO2 of 10 kg/t, so F = 0.01 t SO2 per t coal.
FACILITY_REGION = [["430100", 2019, "1.A.2", "原煤", "", "100", "万吨", "", "统计局"],
                   ["430100", 2019, "1.A.2", "原煤", "", "10", "kg/t", "ef.SO2", "测试"]]


def facility_workbook(path, plants, region_rows=FACILITY_REGION):
    """Write an energy sheet (region_rows) and a 企业排放 sheet (plants) to `path`; returns the path."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "能源活动"
    ws.append(HEADERS_ZH)
    for r in region_rows:
        ws.append(r)
    fs = wb.create_sheet("企业排放")
    fs.append(FACILITY_HEADERS)
    for p in plants:
        fs.append(p)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_workbook(path: Path, rows: list[list], headers: list[str] = HEADERS_ZH, sheet: str = "能源活动") -> Path:
    """A v1 activity workbook with one sheet; every cell written as given (strings stay strings)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(list(row) + [None] * (len(headers) - len(row)))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a label that looks like a formula, typed as text (as Excel does with a ')
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def compile_rows(tmp_path: Path, rows: list[list], factor_dirs=None, regions=None, factor_set=None, **kwargs):
    """Write rows to a workbook, read and validate it, and compile the inventory with `factor_set`
    (None: the default set, china)."""
    path = write_workbook(tmp_path / "activity.xlsx", rows)
    inputs, _ = read_inputs([path], regions)
    assert not inputs.errors, [str(p) for p in inputs.errors]
    return compile_inventory(inputs, load_all(factor_dirs, factor_set), built=regions, **kwargs)


def emission(result, substance, region=None, category=None, activity=None) -> float:
    """Total emission (t) of one substance, filtered by region, category and activity."""
    e = result.emissions
    mask = e["substance"] == substance
    for col, val in (("region", region), ("category", category), ("activity", activity)):
        if val is not None:
            mask &= e[col] == val
    assert mask.any(), f"no {substance} rows for {region} {category} {activity}"
    return float(e.loc[mask, "emission"].sum())


@pytest.fixture
def compile_(tmp_path):
    return lambda rows, **kw: compile_rows(tmp_path, rows, **kw)


def ne(result, category, activity, substance):
    """The not-estimated reason code of a key, or None when the key is estimated."""
    n = result.not_estimated
    hit = n[(n["category"] == category) & (n["activity"] == activity) & (n["substance"] == substance)]
    return hit.iloc[0]["reason"] if len(hit) else None


def why(result, category, activity, substance):
    """The not-estimated reason of a key, worded in English (data/messages.csv)."""
    return word(ne(result, category, activity, substance), "en")
