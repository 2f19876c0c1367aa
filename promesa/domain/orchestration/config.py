"""Typed knobs of the orchestrator and the notices: the autonomy policy a human sets.

They live at the settings' level (:mod:`promesa.config_models`) so :mod:`promesa.settings` can
hold them without importing the domain; this path re-exports them for the domain's readers.
"""

from __future__ import annotations

from promesa.config_models import INVISIBLE_KINDS, AutonomyPolicy, NoticePolicy

__all__ = ["INVISIBLE_KINDS", "AutonomyPolicy", "NoticePolicy"]
