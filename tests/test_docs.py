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
