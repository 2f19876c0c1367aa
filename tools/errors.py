"""The one place domain errors become tool error messages the model (and the offline model) reads.

A tool result is always a JSON string: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error": {"code", "message", "field"}}``. Nothing a tool raises crashes the graph.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import BaseModel, ValidationError

from promesa.errors import DomainError

log = logging.getLogger(__name__)


def to_jsonable(value: Any) -> Any:
    """A record (or list/dict of records) as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def ok(result: Any) -> dict[str, Any]:
    """The envelope of a result: ``{"ok": true, "result": <its JSON>}``."""
    return {"ok": True, "result": to_jsonable(result)}


def error(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The envelope of a refusal or failure: its stable code, a message and the field at fault."""
    # a plain string, never the enum: the envelope is kept in checkpoints, which store only
    # plain JSON types (an enum member there is an "unregistered type" to LangGraph's reader)
    return {"ok": False, "error": {"code": str(code), "message": message, "field": field}}


def from_exception(exc: BaseException) -> dict[str, Any]:
    """The error envelope for anything a tool raised."""
    if isinstance(exc, DomainError):
        return error(exc.code, exc.message, getattr(exc, "field", None))
    if isinstance(exc, ValidationError):
        details = exc.errors()
        if not details:
            return error("invalid_input", "invalid arguments")
        field = ".".join(str(p) for p in details[0]["loc"]) or None
        return error("invalid_input", details[0]["msg"], field)
    # An unexpected failure is logged with its traceback but never shown in detail to the model.
    log.exception("tool failed unexpectedly", exc_info=exc)
    return error("internal_error", "The tool failed; a person can look into it.")


def encode(envelope: dict[str, Any]) -> str:
    """The envelope as the JSON text a ToolMessage carries (stable key order)."""
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True)
