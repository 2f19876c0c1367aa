"""docs/events.md against the code (issue #17: types "documented with examples in docs/events.md"):
the types table names every type and only real fields, the envelope example is an event the API
accepts, the signing recipe signs as the server verifies, the outgoing example is a valid one."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from promesa.domain.events.envelope import parse
from promesa.domain.events.payloads import OUTGOING, PAYLOADS, OutgoingType, PosSale
from promesa.domain.events.sources import EventSourceConfig, verify

DOC = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC, flags=re.S)


def _table() -> dict[tuple[str, ...], set[str]]:
    """Each row of the types table: its types (``…x.v1`` completes the first's namespace) and the
    field names its data column gives (values in parentheses and a list's items left out)."""
    rows: dict[tuple[str, ...], set[str]] = {}
    for line in DOC.splitlines():
        if not line.startswith("| `promesa."):
            continue
        cells = [c.strip() for c in line.replace("\\|", "/").split(" | ")]
        named = re.findall(r"`([^`]+)`", cells[0])
        namespace = named[0].rsplit(".", 2)[0] + "."
        kinds = tuple(n if n.startswith("promesa.") else namespace + n.lstrip("…") for n in named)
        fields: set[str] = set()
        for span in re.findall(r"`([^`]+)`", cells[1]):
            span = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", span)
            fields |= set(re.findall(r"[a-z][a-z_]*", span))
        rows[kinds] = fields
    return rows


def test_the_table_lists_every_type_once_and_no_other():
    listed = [kind for kinds in _table() for kind in kinds]
    assert sorted(listed) == sorted(t.value for t in PAYLOADS)


@pytest.mark.parametrize("kinds, fields", list(_table().items()), ids=[kinds[0] for kinds in _table()])
def test_a_row_names_only_real_fields_and_every_required_one(kinds, fields):
    models = [PAYLOADS[k] for k in PAYLOADS if k.value in kinds]
    known = set().union(*(m.model_fields for m in models))
    assert fields <= known, f"{kinds}: documented but not in the payload: {sorted(fields - known)}"
    for model in models:
        required = {name for name, f in model.model_fields.items() if f.is_required()}
        assert required <= fields, f"{model.__name__}: required but not documented: {sorted(required - fields)}"


def test_the_envelope_example_is_an_event_the_api_accepts():
    example = json.loads(_blocks("json")[0])
    envelope, payload = parse(example)
    assert envelope.type == "promesa.inventory.pos_sale.v1" and envelope.sequence == 123
    assert isinstance(payload, PosSale) and (payload.node_id, payload.quantity) == ("MTY-STORE-01", 1)


def test_the_signing_recipe_signs_as_the_server_verifies(monkeypatch):
    sent: dict[str, Any] = {}
    fake = types.ModuleType("httpx")
    fake.post = lambda url, content, headers: sent.update(url=url, body=content, headers=headers)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "httpx", fake)
    [recipe] = _blocks("python")
    event = json.loads(_blocks("json")[0])
    exec(compile(recipe, "docs/events.md", "exec"), {"event": event})  # our own docs, run as a reader would
    headers = sent["headers"]
    sources = {"pos": EventSourceConfig(key="k-…", signing_secret="s-…", scopes=["promesa.inventory.pos_sale.v1"])}
    timestamp = int(headers["X-Promesa-Signature"].split(",")[0].removeprefix("t="))
    principal = verify(sources, name=headers["X-Promesa-Source"], key=headers["X-Promesa-Source-Key"],
                       signature=headers["X-Promesa-Signature"], body=sent["body"], now_epoch=timestamp,
                       tolerance_seconds=300)
    assert principal.subject == "source:pos"
    assert json.loads(sent["body"]) == event


def test_the_outgoing_example_is_a_valid_sellable_change():
    outgoing = [json.loads(b) for b in _blocks("json") if OutgoingType.sellable_changed.value in b]
    assert outgoing, "docs/events.md shows an outgoing event"
    for example in outgoing:
        OUTGOING[OutgoingType(example["type"])].model_validate(example["data"])
