"""Docs cannot drift: every command has help and is named in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from inventory.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = [["init"], ["template"], ["build"], ["validate"], ["factors", "check"], ["factors", "list"], ["factors", "show"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_has_help_and_is_documented(command):
    result = CliRunner().invoke(app, command + ["--help"])
    assert result.exit_code == 0 and "Usage" in result.output
    assert f"inventory {' '.join(command)}" in README


def test_module_map_names_every_module_and_only_modules():
    """docs/architecture.md has one line per module under src/inventory/ (STYLE, "Module map")."""
    import re

    root = Path(__file__).resolve().parents[1]
    modules = {p.relative_to(root / "src").as_posix() for p in (root / "src" / "inventory").rglob("*.py")}
    text = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = re.findall(r"^- `(inventory/[\w/]+\.py)` — \S", text, flags=re.M)
    assert len(named) == len(set(named)), "a module is named twice"
    assert set(named) - modules == set(), "lines naming no module"
    assert modules - set(named) == set(), "modules without a line"
