"""Typed, configurable knobs of sourcing: the shipping rate card and the sourcing profiles.

They live at the settings' level (:mod:`promesa.config_models`) so :mod:`promesa.settings` can
hold them without importing the domain; this path re-exports them for the domain's readers.
"""

from __future__ import annotations

from promesa.config_models import CRITERIA, Criterion, RateCard, SourcingProfile, default_profiles

__all__ = ["CRITERIA", "Criterion", "RateCard", "SourcingProfile", "default_profiles"]
