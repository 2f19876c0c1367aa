"""The error envelope holds only plain JSON types (it is kept in the thread's checkpoints)."""

from __future__ import annotations

from agent.tool_calls import tool_record
from promesa.errors import ErrorCode, NotFound
from tools import errors


def test_an_error_code_is_a_plain_string_in_the_envelope_and_the_thread_record() -> None:
    envelope = errors.from_exception(NotFound("order PO-1 not found"))
    assert envelope["error"]["code"] == "not_found" and type(envelope["error"]["code"]) is str
    direct = errors.error(ErrorCode.forbidden, "no")
    assert type(direct["error"]["code"]) is str
    record = tool_record("get_order_status", {"order_id": "PO-1"}, envelope)
    assert record["error_code"] == "not_found" and type(record["error_code"]) is str
