"""The turn stream's contract: OpenAPI documents every event type of ``agent.contract``, the
frames on the wire are those events, and the JS reads the same names."""

from __future__ import annotations

import json
import typing
from pathlib import Path

from fastapi.testclient import TestClient

from agent.contract import STREAM_EVENTS, EventType, TurnEvent
from api.streaming import EVENT_STREAM, STREAM_COMPONENT
from tests.api.test_chat import parse_sse

STATIC_JS = Path(__file__).resolve().parents[2] / "api" / "static" / "js"


def _event_classes() -> list[type]:
    union = typing.get_args(TurnEvent)[0]
    return list(typing.get_args(union))


def test_openapi_documents_every_event_type_on_both_turn_routes(client: TestClient) -> None:
    document = client.app.openapi()
    schemas = document["components"]["schemas"]
    union = schemas[STREAM_COMPONENT]
    mapping = union["discriminator"]["mapping"]
    assert set(mapping) == {kind.value for kind in EventType}
    for kind, ref in mapping.items():
        name = ref.rsplit("/", 1)[-1]
        assert schemas[name]["properties"]["type"]["const"] == kind
        # every schema an event refers to is in the document
        for nested in json.dumps(schemas[name]).split('"$ref": "')[1:]:
            assert nested.split('"')[0].rsplit("/", 1)[-1] in schemas
    for path in ("/v1/chat", "/v1/approvals/{thread_id}"):
        content = document["paths"][path]["post"]["responses"]["200"]["content"]
        assert content[EVENT_STREAM]["schema"] == {"$ref": f"#/components/schemas/{STREAM_COMPONENT}"}
        assert "application/json" in content


def test_the_union_has_one_class_per_event_name() -> None:
    kinds = [cls.model_fields["type"].default for cls in _event_classes()]
    assert sorted(kinds) == sorted(EventType)
    assert STREAM_EVENTS.validate_python({"type": "token", "thread_id": "t", "data": {"text": "x"}}).data.text == "x"


def test_streamed_frames_validate_as_contract_events(client: TestClient, token_for) -> None:  # noqa: ANN001
    response = client.post("/v1/chat", json={"message": "hola", "thread_id": "t-9"},
                           headers={**token_for("customer", "C-1001"), "Accept": "text/event-stream"})
    for name, data in parse_sse(response.text):
        event = STREAM_EVENTS.validate_python({"type": name, "thread_id": "t-9", "data": data})
        assert event.type == name


def test_the_js_client_reads_the_contract_event_names() -> None:
    client_js = (STATIC_JS / "client.js").read_text(encoding="utf-8")
    for kind in EventType:
        assert f'"{kind.value}"' in client_js or f"'{kind.value}'" in client_js, kind
