"""`inventory validate --out DIR` (DESIGN 3.8): the problems as an Excel list (`problems.xlsx`) and a copy of
each workbook with a problem, `<workbook>.checked.xlsx`, its faulty cells highlighted and commented.

The originals are never written: each copy is loaded with openpyxl and saved under the new name. Every
text written is a string cell, never a formula (a value such as `=SUM(A1)` stays text). openpyxl keeps a
sheet's drop-down lists (data validations) of the classic form; the form newer Excel writes for lists
on another sheet (`x14:dataValidation`) is dropped on load: the copy counts the lists before and after
and the problems list says when some were lost.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from inventory.errors import Problem, word
from inventory.report.summaries import labels

FILLS = {"error": PatternFill("solid", fgColor="F8C9C4"), "warning": PatternFill("solid", fgColor="FFE7A3")}
COLUMNS = ["severity", "file", "sheet", "row", "column", "value", "problem", "suggestion"]
_LETTER = re.compile(r"\(([A-Z]{1,3})\)\s*$")
_VALIDATION = re.compile(rb"<(?:x14:)?dataValidation[ >]")


def suggestion(problem: Problem, lang: str = "zh") -> str:
    """What would do, in `lang`: the problem's expectation and its nearest known name (did you mean)."""
    hint = word("did_you_mean", lang, {"suggestion": problem.suggestion}) if problem.suggestion else ""
    return (problem.expectation(lang) + hint).lstrip("；; ")


def cell_of(problem: Problem) -> str | None:
    """The Excel reference of a problem's cell (`F4`), from its row and the letter in its column
    (`活动水平 (F)`); column A of the row when no column is named; None without a row."""
    if problem.row is None:
        return None
    letter = _LETTER.search(problem.column or "")
    return f"{letter.group(1) if letter else 'A'}{problem.row}"


def _text(cell, value) -> None:
    """Write `value` into `cell` as it is, a text never read as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def count_validations(path: Path) -> int:
    """How many drop-down lists (data validations, classic and x14 forms) the sheets of a workbook hold."""
    with zipfile.ZipFile(path) as book:
        return sum(len(_VALIDATION.findall(book.read(n))) for n in book.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def checked_copy(source: Path, target: Path, problems: list[Problem], lang: str = "zh") -> int:
    """Save a copy of workbook `source` as `target` with each problem's cell filled (red: error, yellow:
    warning) and commented (problem and suggestion in `lang`); returns the drop-down lists lost in the
    copy (0 when all were kept). `source` is only read."""
    if source.resolve() == target.resolve():
        raise ValueError(f"refusing to overwrite the original {source}")
    book = openpyxl.load_workbook(source)
    label, colon = labels(lang)["problems_col_suggestion"], ": " if lang == "en" else "："
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        ref = cell_of(p)
        if ref and p.sheet in book.sheetnames:
            notes.setdefault((p.sheet, ref), []).append(p)
    for (sheet, ref), items in notes.items():
        cell = book[sheet][ref]
        worst = "error" if any(p.severity == "error" for p in items) else "warning"
        cell.fill = FILLS[worst]
        text = "\n".join(p.message(lang) + (f"\n{label}{colon}{suggestion(p, lang)}" if suggestion(p, lang) else "")
                         for p in items)
        old = cell.comment.text + "\n" if cell.comment else ""
        cell.comment = Comment(old + text, "inventory", width=320, height=120)
    book.save(target)
    return max(0, count_validations(source) - count_validations(target))


def write_problems(problems: list[Problem], files: list[tuple[str, Path]], out: Path,
                   lang: str = "zh") -> tuple[list[Path], list[Problem]]:
    """Write `out`/problems.xlsx (one row per problem: severity, file, sheet, row, column, value, problem,
    suggestion, headed in `lang`) and a checked copy of each workbook of `files` (shown name, path) that
    has a problem; returns the paths written and a warning (`validations_lost`) per copy that lost
    drop-down lists, also listed at the end of problems.xlsx."""
    lbl = labels(lang)
    out.mkdir(parents=True, exist_ok=True)
    written, lost = [], []
    used: set[str] = set()
    for shown, path in files:
        mine = [p for p in problems if p.file == shown]
        if not mine or path.suffix.lower() != ".xlsx":
            continue
        name = f"{path.stem}.checked.xlsx"
        while name in used:
            name = f"{path.parent.name}_{name}"
        used.add(name)
        target = out / name
        missing = checked_copy(path, target, mine, lang)
        if missing:
            lost.append(Problem("validations_lost", file=shown, severity="warning",
                                params=(("file", name), ("n", missing))))
        written.append(target)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = lbl["sheet_problems"]
    sheet.append([lbl[f"problems_col_{c}"] for c in COLUMNS])
    for c in sheet[1]:
        c.font = Font(bold=True)
    for p in problems:
        values = [word("cli_error" if p.severity == "error" else "cli_warning", lang), p.file, p.sheet, p.row,
                  p.column, p.value, p.message(lang), suggestion(p, lang)]
        row = sheet.max_row + 1
        for col, value in enumerate(values, start=1):
            _text(sheet.cell(row=row, column=col), value)
        sheet.cell(row=row, column=1).fill = FILLS.get(p.severity, FILLS["warning"])
    for p in lost:
        _text(sheet.cell(row=sheet.max_row + 2, column=1), p.message(lang))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:H{max(sheet.max_row, 1)}"
    for letter, width in zip("ABCDEFGH", (8, 36, 16, 6, 16, 20, 40, 50)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for c in row[6:8]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    target = out / "problems.xlsx"
    book.save(target)
    return [target, *written], lost
