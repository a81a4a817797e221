"""Analyses over a built inventory (DESIGN 3.9): uncertainty, key categories, co-control and targets."""

from inventory.analysis.cocontrol import COCONTROL_COLUMNS, cocontrol
from inventory.analysis.key_categories import KEY_CATEGORY_COLUMNS, key_categories
from inventory.analysis.targets import TARGET_COLUMNS, load_targets, track_targets
from inventory.analysis.uncertainty import (
    UNCERTAINTY_COLUMNS, UncertaintyResult, analyse_uncertainty, approach1, approach1_trend, monte_carlo,
    row_uncertainties,
)

__all__ = [
    "COCONTROL_COLUMNS", "KEY_CATEGORY_COLUMNS", "TARGET_COLUMNS", "UNCERTAINTY_COLUMNS", "UncertaintyResult",
    "analyse_uncertainty", "approach1", "approach1_trend", "cocontrol", "key_categories", "load_targets",
    "monte_carlo", "row_uncertainties", "track_targets",
]
