"""CloudEvents 1.0 envelopes in and out, with the ``cloudevents`` SDK, into typed payloads.

Structured JSON (one object or a batch array) and HTTP binary mode (``ce-*`` headers) both end
as an :class:`Envelope` and its typed payload; any failure is an ``InvalidInput`` naming the
field (``time``, ``data.quantity`` …).
"""

from __future__ import annotations

import json
from typing import Any

from cloudevents.core.bindings import http as ce_http
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from promesa.domain.events.payloads import PAYLOADS, Envelope, Payload
from promesa.errors import InvalidInput

FORMAT = JSONFormat()


def _field(error: ErrorDetails, prefix: str = "") -> str:
    loc = ".".join(str(p) for p in error.get("loc", ()))
    return (prefix + loc) if loc else (prefix.rstrip(".") or "body")


def _invalid(exc: ValidationError, prefix: str = "") -> InvalidInput:
    first = exc.errors()[0]
    field = _field(first, prefix)
    return InvalidInput(f"{field}: {first.get('msg', 'invalid value')}", field=field)


def parse(raw: Any) -> tuple[Envelope, Payload]:
    """A raw structured-mode event (a JSON object) as its envelope and typed payload.

    Raises:
        InvalidInput: naming the envelope attribute or ``data.<field>`` that is wrong.
    """
    if not isinstance(raw, dict):
        raise InvalidInput("an event must be a JSON object", field="body")
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        raise _invalid(exc) from None
    if envelope.time.tzinfo is None:
        raise InvalidInput("time needs a UTC offset (RFC 3339)", field="time")
    try:  # the SDK's own attribute rules (CloudEvents 1.0)
        CloudEvent(_attributes(envelope), envelope.data)
    except BaseCloudEventException as exc:
        raise InvalidInput(f"not a valid CloudEvent: {exc}", field="envelope") from None
    try:
        payload = PAYLOADS[envelope.type].model_validate(envelope.data)
    except ValidationError as exc:
        raise _invalid(exc, "data.") from None
    return envelope, payload


def _attributes(envelope: Envelope) -> dict[str, Any]:
    attributes = envelope.model_dump(exclude={"data"}, exclude_none=True, mode="python")
    attributes["type"] = envelope.type.value
    if "sequence" in attributes:
        attributes["sequence"] = str(attributes["sequence"])
    return attributes


def to_json(envelope: Envelope) -> bytes:
    """The structured-mode JSON of ``envelope`` (written by the SDK)."""
    return FORMAT.write(CloudEvent(_attributes(envelope), envelope.data))


def make(event_type: str, *, id: str, source: str, time: Any, data: Payload | dict[str, Any],
         sequence: int | None = None, subject: str | None = None) -> Envelope:
    """An envelope for sending (tests, docs, the bench, outgoing events)."""
    body = data.model_dump(mode="json", exclude_none=True) if isinstance(data, Payload) else data
    return Envelope.model_validate({"id": id, "source": source, "type": event_type, "time": time,
                                    "sequence": sequence, "subject": subject, "data": body})


def read_body(headers: dict[str, str], body: bytes) -> list[Any]:
    """The raw events of an HTTP request: a structured object, a batch array or binary mode.

    Raises:
        InvalidInput: the body is not JSON, or binary-mode headers do not make an event.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    if any(k.startswith("ce-") for k in lowered):
        if "ce-time" not in lowered:
            raise InvalidInput("binary-mode events need a ce-time header", field="time")
        try:
            event = ce_http.from_http(ce_http.HTTPMessage(headers=lowered, body=body), FORMAT, CloudEvent)
        except (BaseCloudEventException, ValueError) as exc:
            raise InvalidInput(f"not a valid binary-mode CloudEvent: {exc}", field="headers") from None
        raw = dict(event.get_attributes())
        raw["time"] = raw["time"].isoformat()
        raw["data"] = event.get_data()
        if isinstance(raw["data"], (bytes, str)):
            try:
                raw["data"] = json.loads(raw["data"])
            except ValueError:
                raise InvalidInput("data is not JSON", field="data") from None
        return [raw]
    try:
        parsed = json.loads(body)
    except ValueError:
        raise InvalidInput("the request body is not valid JSON", field="body") from None
    return parsed if isinstance(parsed, list) else [parsed]
