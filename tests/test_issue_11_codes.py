"""Issue 11, part 2 ("codes, not sentences"): problems, not-estimated reasons and check results travel as
codes with values; data/messages.csv words each code in Chinese and English (STYLE 13)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from inventory import resources
from inventory.errors import Problem, word

SRC = Path(__file__).resolve().parents[1] / "src" / "inventory"
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# Where the source passes a message code: positional arguments of these calls, these keywords, the values of
# these module-level dicts, and module-level constants named REASON_*. A new helper that takes a code gets a
# line here (the positions are those of the helpers as written: e.g. `_Collector.add(mask, column, code,
# expected)`, `_problems(frame, mask, column, code, expected)`, qa/external.py `located(rows, code, column,
# cells, expected)`).
CALLS = {"Problem": (0,), "UnsafeWorkbook": (0, 1), "_OverCap": (0,), "word": (0,), "_problems": (3, 4),
         "located": (1, 4), "add": (2, 3), "bad": (1, 2, 3), "_code": (2,), "progress": (0,)}
KEYWORDS = {"expected", "reason", "unknown"}
DICTS = {"EXPECTED_UNITS", "_EXPECTED", "_EMPTY", "_LEVELS", "REASONS", "_REASONS", "TARGET_REASONS"}
ATTRIBUTES = {"over_cap"}


def messages():
    return resources.data_table("messages.csv")


def dynamic_codes() -> set[str]:
    """Codes the source builds from data: `unit_of_<quantity>` for each quantity of data/quantities.csv
    (read/validate.py, the expectation of a unit that does not fit its activity), and the not-estimated
    reasons of data/ne_reasons.csv (methods/energy.py)."""
    return ({f"unit_of_{q}" for q in resources.data_table("quantities.csv")["quantity"]}
            | set(resources.data_table("ne_reasons.csv")["reason"]))


def _strings(node) -> list[ast.Constant]:
    """String constants a node evaluates to (both branches of `a if c else b`)."""
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return [node] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []


def codes_in_source() -> dict[str, str]:
    """Every message code the source passes, with the first place (file:line) it is passed."""
    found: dict[str, str] = {}

    def note(node, path):
        for const in _strings(node):
            if CODE.match(const.value):
                found.setdefault(const.value, f"{path.relative_to(SRC)}:{const.lineno}")

    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                for i in CALLS.get(name, ()):
                    if i < len(node.args):
                        note(node.args[i], path)
                for kw in node.keywords:
                    if kw.arg in KEYWORDS:
                        note(kw.value, path)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    name = target.id if isinstance(target, ast.Name) else \
                        target.attr if isinstance(target, ast.Attribute) else ""
                    if name in DICTS and isinstance(node.value, ast.Dict):
                        for value in node.value.values:
                            note(value, path)
                    if name.startswith("REASON") or name in ATTRIBUTES:
                        note(node.value, path)
    return found


def placeholders(text: str) -> set[str]:
    """The {placeholders} of a wording; `x_zh` and `x_en` are one placeholder `x` in its language's form
    (a value given in both languages, e.g. the measure of a national total)."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return {re.sub(r"_(zh|en)$", "", name) for name in names}


def test_issue_11_every_code_has_both_wordings_with_the_same_placeholders():
    t = messages()
    assert list(t.columns) == ["code", "zh", "en"]
    assert not t["code"].duplicated().any(), sorted(t.loc[t["code"].duplicated(), "code"])
    bad = t[~t["code"].str.match(CODE.pattern)]
    assert bad.empty, list(bad["code"])
    empty = t[(t["zh"].str.strip() == "") | (t["en"].str.strip() == "")]
    assert empty.empty, list(empty["code"])
    differ = [(c, placeholders(z), placeholders(e)) for c, z, e in zip(t["code"], t["zh"], t["en"])
              if placeholders(z) != placeholders(e)]
    assert differ == []


def test_issue_11_every_code_the_source_passes_has_a_row():
    known = set(messages()["code"])
    missing = {code: where for code, where in codes_in_source().items() if code not in known}
    assert missing == {}
    assert dynamic_codes() - known == set()


def test_issue_11_every_row_of_messages_is_used():
    """No dead rows: each code of messages.csv appears as a string in the source."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    strings = set(re.findall(r"""["']([a-z][a-z0-9_]*)["']""", text))
    unused = sorted(set(messages()["code"]) - strings - dynamic_codes())
    assert unused == []


def test_issue_11_the_scan_finds_codes_where_the_source_passes_them():
    """The source scan sees the code positions (a scan that finds nothing could not fail)."""
    found = codes_in_source()
    for code in ("unknown_region", "expect_region_from_list", "unit_does_not_fit_activity", "sheet_too_many_cells",
                 "why_any_year", "stage_reading", "ne_no_default_factor", "ne_waste_incineration_co2",
                 "target_no_numerator", "ne_agri_rice"):
        assert code in found, code


def test_issue_11_a_problem_is_worded_from_its_code_in_either_language():
    p = Problem("negative_amount", file="a.xlsx", sheet="能源", row=3, column="活动水平 (F)", value="-5",
                expected="expect_non_negative")
    assert (p.message("zh"), p.message("en")) == ("活动水平为负数", "negative amount")
    assert p.expectation("zh") == "不小于 0 的数"
    assert p.text("en") == "a.xlsx › 能源 › row 3 › column 活动水平 (F): negative amount (found '-5'; " \
                           "expected a non-negative number)"
    assert "第 3 行" in p.text("zh") and "活动水平为负数" in p.text("zh")
    d = p.to_dict("zh")
    assert (d["code"], d["message"], d["expected"], d["row"], d["value"]) == \
        ("negative_amount", "活动水平为负数", "不小于 0 的数", 3, "-5")
    years = Problem("year_not_selected", expected="expect_project_years", params=(("years", "2019, 2020"),))
    assert years.expectation("en") == "the project's years: 2019, 2020"
    assert years.expectation("zh") == "项目年份：2019, 2020"


def test_issue_11_an_unknown_code_is_a_bug_not_a_sentence():
    with pytest.raises(KeyError):
        word("an English sentence, not a code", "zh")
    with pytest.raises(KeyError):
        Problem("no_such_code").message("en")
