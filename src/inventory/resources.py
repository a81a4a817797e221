"""The only module that opens shipped data: vocabularies, factor tables, templates.

Everything is read through `importlib.resources`, so it works the same from a
wheel, a zip or a source checkout installed with pip.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

import pandas as pd

PACKAGE = "inventory"


def package_root() -> Traversable:
    """The installed package folder."""
    return resources.files(PACKAGE)


def data_file(name: str) -> Traversable:
    """A vocabulary file under `inventory/data/` (`name` may name a sub-folder: `maps/items.csv`)."""
    return package_root().joinpath("data", *name.split("/"))


@cache
def data_table(name: str) -> pd.DataFrame:
    """A vocabulary CSV under `inventory/data/`, every column as text (empty cells as "")."""
    text = data_file(name).read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def factors_dir() -> Traversable:
    """The shipped emission-factor tables (`emission_factors/` of the repository)."""
    return package_root() / "emission_factors"


def template_text(name: str) -> str:
    """A template file (`templates/` of the repository) as text."""
    return (package_root() / "templates" / name).read_text(encoding="utf-8")


def units_definitions() -> str:
    """The text of `units.txt`, the pint definitions of Chinese statistical units."""
    return (package_root() / "units.txt").read_text(encoding="utf-8")
