"""Errors and problems that carry their location (file, sheet, row, column).

A `Problem` is a value: validation collects them all and the CLI reports them
together. `InventoryError` is raised only when work cannot go on (a usage error,
an unreadable file); it carries the same fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import cache


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One problem with an input, located to the cell where possible.

    severity: `error` (the row is rejected) or `warning` (the row is used).
    row: the Excel row number (1-based, header = 1); None for a whole file or sheet.
    column: the column as headed in the file, with its letter, e.g. `活动水平 (F)`.
    """

    message: str  # a code of data/messages.csv (or, until every caller passes codes, its English wording)
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""
    severity: str = "error"
    code: str = ""
    suggestion: str = ""
    params: tuple[tuple[str, str], ...] = ()  # values of the wording's {placeholders}, as (name, value) pairs

    def location(self) -> str:
        """`file › sheet › row N › column` with the parts that are known."""
        parts = [p for p in (self.file, self.sheet) if p]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return " › ".join(parts)

    def __str__(self) -> str:
        en = self.translated("en")
        text = f"{self.location()}: {en.message}" if self.location() else en.message
        if self.value != "":
            text += f" (found {self.value!r}"
            text += f"; expected {en.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {en.expected})"
        if self.suggestion:
            text += f"; did you mean {self.suggestion!r}?"
        return text

    def translated(self, lang: str) -> "Problem":
        """The problem with its message and expectation worded in `lang` (data/messages.csv)."""
        values = dict(self.params)
        return replace(self, message=word(self.message, lang, values), expected=word(self.expected, lang, values))

    def to_dict(self) -> dict:
        """The problem as a plain dict for JSON and the manifest."""
        return asdict(self)


def word(code: str, lang: str, values: dict | None = None) -> str:
    """The wording of a message code in `lang` (zh or en), its {placeholders} filled from `values`.

    A text that is no code (a user's own label, or an English wording not yet given a
    code) is returned as it is, or translated where messages.csv has it as an English wording.
    """
    if not code:
        return code
    codes, english = _messages(lang)
    template = codes.get(code)
    if template is None:
        return english.get(code, code)
    return template.format_map(_Missing(values or {}))


class _Missing(dict):
    """Placeholder values; a missing one stays as `{name}` instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _messages(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """code -> wording in `lang`, and English wording -> wording in `lang` (data/messages.csv)."""
    from inventory import resources  # errors.py is imported everywhere: keep its imports light

    table = resources.data_table("messages.csv")
    column = "en" if lang == "en" else "zh"
    return dict(zip(table["code"], table[column])), dict(zip(table["en"], table[column]))


class InventoryError(Exception):
    """A user-facing error that stops the command; exit code 2."""

    def __init__(self, problems: Problem | list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(InventoryError):
    """The inputs have problems (rejected rows, unreadable files)."""


class FactorTableError(InventoryError):
    """An emission-factor table is malformed."""


class UsageError(InventoryError):
    """The command line or project file asks for something impossible."""
