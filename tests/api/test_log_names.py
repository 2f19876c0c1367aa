"""No customer's name reaches the logs (issue #16): structured fields only, plus the world's
known names redacted from whatever still slips in (accents, case, look-alikes, escapes)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from promesa import logsafe
from promesa.names import NameIndex, fold
from promesa.settings import Settings
from tests.api.world import small_world

pytestmark = pytest.mark.db

#: Everyone of the test world: (id, name). One name has accents, one has three words.
PEOPLE = (("C-1000", "Ana Torres"), ("C-1001", "Carlos Mendoza"), ("C-1002", "José Ñúñez Peña"),
          ("C-1003", "María Fernanda López"))


def world_with_accents() -> dict[str, Any]:
    world = small_world()
    for cid, name in PEOPLE[2:]:
        twin = {**world["customers"][0], "id": cid, "name": name}
        twin["identities"] = [{"value": f"{cid.lower()}@example.com"}]
        twin["addresses"] = [{**twin["addresses"][0], "id": f"A-{cid}"}]
        world["customers"].append(twin)
    return world


@pytest.fixture
def seeded(engine: Engine, now: datetime) -> Engine:
    from promesa.world.loader import load_world

    load_world(engine, world_with_accents(), now=now)
    return engine


@pytest.fixture
def app_client(api_settings: Settings, seeded: Engine) -> Iterator[TestClient]:
    """The real agent over the seeded world, the log filter on (the default)."""
    settings = api_settings.model_copy(update={"turns_per_minute": 1000})
    with TestClient(create_app(settings, engine=seeded), raise_server_exceptions=False) as client:
        yield client


def written_forms(name: str) -> list[str]:
    """How a name may be written in a message: as is, folded, upper case, first + last word."""
    words = name.split()
    return [name, fold(name), name.upper(), f"{words[0]} {words[-1]}"]


def logged_names(records: list[logging.LogRecord]) -> list[tuple[str, str]]:
    """(name, logger) for each record whose text (message and traceback) holds a known name
    in any written form: checked as plain folded substrings, independently of the index."""
    hits = []
    for record in records:
        blob = fold(record.getMessage() + (record.exc_text or ""))
        for _, name in PEOPLE:
            for form in written_forms(name):
                if fold(form) in blob:
                    hits.append((name, record.name))
    return hits


def test_turns_and_requests_that_mention_customers_log_no_name(
    app_client: TestClient, token_for, caplog: pytest.LogCaptureFixture  # noqa: ANN001
) -> None:
    caplog.set_level(logging.DEBUG)
    ana = token_for("customer", "C-1000")
    support = token_for("support", "agent-ana")
    messages = [f"Where is {form}'s order? I am {form}." for _, name in PEOPLE for form in written_forms(name)]
    messages += ["¿Dónde está el pedido de José Ñúñez Peña?", "Soy María Fernanda López, mi pedido PO-5000"]
    for message in messages:
        for who in (ana, support):
            for accept in ("application/json", "text/event-stream"):
                answer = app_client.post("/v1/chat", json={"message": message},
                                         headers={**who, "Accept": accept})
                assert answer.status_code == 200, answer.text
    for _, name in PEOPLE:
        found = app_client.get("/v1/customers/search", params={"q": name}, headers=support)
        assert found.status_code == 200
    # what still slips in by mistake: an exception's text, a URL's query string, a typo
    log = logging.getLogger("promesa.test")
    try:
        raise RuntimeError("could not load the profile of María Fernanda López")
    except RuntimeError:
        log.exception("lookup failed")
    log.warning("GET /v1/customers/search?q=Jos%C3%A9%20%C3%91%C3%BA%C3%B1ez%20Pe%C3%B1a 200")
    log.warning("asked for ANA TORRES and carlos mendoza, then Mar\u200bía López, then Carlos Mendosa")
    records = list(caplog.records)
    assert len(records) > 3  # the turns and requests did log something
    assert logged_names(records) == []


def test_the_filter_redacts_known_names_in_any_form() -> None:
    index = NameIndex.build(PEOPLE)
    assert index.redact("llamó Jose Nunez Pena por su pedido") == "llamó [name] por su pedido"
    assert index.redact("MARIA LOPEZ y María Fernanda López") == "[name] y [name]"
    assert index.redact("Ａｎａ Ｔｏｒｒｅｓ") == "[name]"  # fullwidth
    assert index.redact("Аna Torres") == "[name]"  # Cyrillic А
    assert index.redact("Carlos Mendosa") == "[name]"  # a typo
    # ordinary words, other people and single first names stay: ids and codes keep logs useful
    for kept in ("Ana", "order PO-5000 at DC-CDMX-01", "Carlos Slim", "Torres de Satélite", "Ana López"):
        assert index.redact(kept) == kept


def test_the_api_loads_the_worlds_names_at_startup(api_settings: Settings, seeded: Engine) -> None:
    with TestClient(create_app(api_settings, engine=seeded)):
        assert logsafe.redact("José Ñúñez Peña asked") == "[name] asked"


def test_uvicorn_access_log_still_formats_and_is_redacted() -> None:
    """The filter once collapsed every record's arguments, and uvicorn's access formatter, which
    unpacks them, failed on every request (a "Logging error" traceback instead of the line)."""
    from uvicorn.logging import AccessFormatter

    logsafe.install()
    logsafe.remember_names(PEOPLE)
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/customers/search?q=Mar%C3%ADa+L%C3%B3pez&e=ana.torres@example.com",
         "1.1", 200), None)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)
    assert line == '127.0.0.1:5000 - "GET /v1/customers/search?q=[name]&e=[email] HTTP/1.1" 200 OK'
