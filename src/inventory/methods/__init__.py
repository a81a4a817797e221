"""Emission methods, one module per sector; each works on whole tables."""
