"""Errors and problems that carry their location (file, sheet, row, column).

A `Problem` is a value: validation collects them all and the CLI reports them
together. `InventoryError` is raised only when work cannot go on (a usage error,
an unreadable file); it carries the same fields. What a problem says is a code of
data/messages.csv with values (STYLE 13), worded in Chinese or English by `word`
only when it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    code: what is wrong, a code of data/messages.csv (worded in zh or en when shown).
    expected: what would do, also a code of data/messages.csv ("" when nothing is to be said).
    params: values of the wordings' {placeholders}, as (name, value) pairs.
    severity: `error` (the row is rejected) or `warning` (the row is used).
    row: the Excel row number (1-based, header = 1); None for a whole file or sheet.
    column: the column as headed in the file, with its letter, e.g. `活动水平 (F)`.
    value: the cell's content as found; suggestion: the nearest known name, if any.
    """

    code: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""
    severity: str = "error"
    suggestion: str = ""
    params: tuple[tuple[str, object], ...] = ()

    def message(self, lang: str = "zh") -> str:
        """What is wrong, worded in `lang` (zh or en)."""
        return word(self.code, lang, dict(self.params))

    def expectation(self, lang: str = "zh") -> str:
        """What was expected, worded in `lang` ("" when nothing is expected)."""
        return word(self.expected, lang, dict(self.params)) if self.expected else ""

    def location(self, lang: str = "zh") -> str:
        """`file › sheet › row N › column` with the parts that are known."""
        parts = [p for p in (self.file, self.sheet) if p]
        if self.row is not None:
            parts.append(word("at_row", lang, {"row": self.row}))
        if self.column:
            parts.append(word("at_column", lang, {"column": self.column}))
        return " › ".join(parts)

    def text(self, lang: str = "zh") -> str:
        """The whole problem on one line in `lang`: location, message, value found, what was expected."""
        where = self.location(lang)
        text = f"{where}: {self.message(lang)}" if where else self.message(lang)
        if self.value != "" or self.expected:
            text += " (" + word("found_expected" if self.value != "" and self.expected else
                                "found" if self.value != "" else "expected", lang,
                                {"value": self.value, "expected": self.expectation(lang)}) + ")"
        if self.suggestion:
            text += word("did_you_mean", lang, {"suggestion": self.suggestion})
        return text

    def __str__(self) -> str:
        return self.text("en")

    def to_dict(self, lang: str = "zh") -> dict:
        """The problem as a plain dict for JSON and the manifest: its code, the message and
        expectation worded in `lang`, the location, the value and the placeholder values."""
        return {"code": self.code, "message": self.message(lang), "file": self.file, "sheet": self.sheet,
                "row": self.row, "column": self.column, "value": self.value, "expected": self.expectation(lang),
                "severity": self.severity, "suggestion": self.suggestion,
                "params": {k: v if isinstance(v, (int, float)) else str(v) for k, v in self.params}}


def word(code: str, lang: str, values: dict | None = None) -> str:
    """The wording of a message code in `lang` (zh or en), its {placeholders} filled from `values`.

    An unknown code is a bug (every code has a row in data/messages.csv): KeyError.
    """
    template = _messages(lang).get(code)
    if template is None:
        raise KeyError(f"message code {code!r} has no row in data/messages.csv")
    return template.format_map(_Missing(values or {}))


def has_wording(code: str) -> bool:
    """True when `code` is a code of data/messages.csv."""
    return code in _messages("en")


class _Missing(dict):
    """Placeholder values; a missing one stays as `{name}` instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _messages(lang: str) -> dict[str, str]:
    """code -> wording in `lang` (data/messages.csv)."""
    from inventory import resources  # errors.py is imported everywhere: keep its imports light

    table = resources.data_table("messages.csv")
    return dict(zip(table["code"], table["en" if lang == "en" else "zh"]))


class InventoryError(Exception):
    """A user-facing error that stops the command; exit code 2."""

    def __init__(self, problems: Problem | list[Problem]):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(InventoryError):
    """The inputs have problems (rejected rows, unreadable files)."""


class FactorTableError(InventoryError):
    """An emission-factor table is malformed."""


class UsageError(InventoryError):
    """The command line or project file asks for something impossible."""
