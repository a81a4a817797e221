"""Analyses over a built inventory (DESIGN 3.9): uncertainty and key categories."""

from inventory.analysis.key_categories import KEY_CATEGORY_COLUMNS, key_categories
from inventory.analysis.uncertainty import (
    UNCERTAINTY_COLUMNS, UncertaintyResult, analyse_uncertainty, approach1, approach1_trend, monte_carlo,
    row_uncertainties,
)

__all__ = [
    "KEY_CATEGORY_COLUMNS", "UNCERTAINTY_COLUMNS", "UncertaintyResult", "analyse_uncertainty", "approach1",
    "approach1_trend", "key_categories", "monte_carlo", "row_uncertainties",
]
