"""python -m inventory -> the command line."""

from inventory.cli import app

app()
