"""A WRITE call may only name what an earlier tool result in the thread offered.

A small model calls ``convert_to_pickup(order_id="5001", node_id="./C-1001.php")`` without having
looked anything up; putting that to a person as an approval request wastes their attention and
invites a mistaken yes. Every ``*_id`` argument of a WRITE call must be a value that a successful
tool result shown to this principal earlier in the thread contained (the order from
``get_order_status``, the option or node from a proposal). Results are produced under the
principal's authorization (DESIGN rule 3), so what they offered the principal may see; the
domain still re-checks everything when the approved call runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from langchain_core.messages import BaseMessage, ToolMessage

from tools import errors


def offered_values(messages: Iterable[BaseMessage]) -> set[str]:
    """Every string value in the successful tool results among ``messages``."""
    found: set[str] = set()
    for message in messages:
        if not isinstance(message, ToolMessage) or message.status == "error":
            continue
        try:
            envelope = json.loads(message.content if isinstance(message.content, str) else "")
        except ValueError:
            continue
        if isinstance(envelope, dict) and envelope.get("ok"):
            _strings(envelope.get("result"), found)
    return found


def ungrounded(args: dict[str, Any], offered: set[str]) -> dict[str, Any] | None:
    """None when every id argument was offered, else the error envelope naming the first one."""
    for field, value in args.items():
        if field.endswith("_id") and isinstance(value, str) and value not in offered:
            return errors.error(
                "invalid_input",
                f"{field} {value!r} was not offered by an earlier result in this conversation; "
                "look it up (or propose options) first",
                field=field,
            )
    return None


def _strings(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)
    elif isinstance(value, str):
        found.add(value)
