"""Emission-factor and parameter tables: loading, resolution, checking."""
