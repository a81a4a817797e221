"""Published equations as plain column functions (numpy arrays or pandas Series in, same out)."""

from __future__ import annotations

import numpy as np

# Molar mass ratios.
CO2_PER_C = 44.0 / 12.0


def emission_from_factor(activity, factor):
    """E = A × EF (IPCC 2006 Vol.2 Ch.2 Eq. 2.1; T/CSES 144-2024 Eq. 2 before control).

    activity in the factor's basis unit (TJ, t or m3); factor in t per that unit; E in t.
    """
    return activity * factor


def co2_from_carbon(energy_tj, carbon_content, oxidation_rate):
    """CO2 (t) = energy (TJ) × carbon content (tC/TJ) × oxidation rate (fraction) × 44/12.

    China provincial GHG inventory guideline (2011) energy CO2 equation; the same as
    IPCC 2006 Vol.2 Ch.1 (EF_CO2 = carbon content × oxidation × 44/12).
    """
    return energy_tj * carbon_content * oxidation_rate * CO2_PER_C


def so2_from_sulfur(fuel_t, sulfur_content, sulfur_retention):
    """SO2 (t) = 2 × S × (1 − sr) × fuel (t), before control.

    T/CSES 144-2024 Eq. 3 (EF_SO2 = 2 × S × (1 − sr)); S as a mass fraction of the
    fuel, sr the fraction of sulfur retained in bottom ash. The factor 2 is the
    equation's rounded SO2/S mass ratio and is kept as published.
    """
    return 2.0 * sulfur_content * (1.0 - sulfur_retention) * fuel_t


def after_control(uncontrolled, removal_efficiency):
    """E = E_uncontrolled × (1 − η) (T/CSES 144-2024 Eq. 2); η as a fraction, 0 where none applies."""
    return uncontrolled * (1.0 - np.nan_to_num(removal_efficiency, nan=0.0))


def pm10_after_control(pm25_uncontrolled, pm10_uncontrolled, eta_pm25, eta_coarse):
    """PM10 (t) after control from its PM2.5 and coarse (PM2.5–10) parts.

    T/CSES 144-2024 Table A.1 gives efficiencies for PM2.5 and PM2.5–10 separately:
    PM10 = PM2.5 × (1 − η₂.₅) + (PM10 − PM2.5) × (1 − η_coarse).
    """
    return (after_control(pm25_uncontrolled, eta_pm25)
            + after_control(pm10_uncontrolled - pm25_uncontrolled, eta_coarse))
