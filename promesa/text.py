"""Text that is safe to store: no NUL and no other control characters (issue #16).

PostgreSQL refuses NUL in text and JSONB, so a NUL that got through would fail the write (and
lose a handoff); other C0/C1 controls have no business in a message, an id or a filter either.
Tab, newline and carriage return are kept: people type them.
"""

from __future__ import annotations

import re

#: C0 controls except tab, newline, carriage return; DEL; C1 controls.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_controls(value: str) -> bool:
    """Whether ``value`` holds NUL or another control character (tab and newlines allowed)."""
    return CONTROL_CHARS.search(value) is not None


def strip_controls(value: str) -> str:
    """``value`` without NUL and the other control characters (tab and newlines stay)."""
    return CONTROL_CHARS.sub("", value)
