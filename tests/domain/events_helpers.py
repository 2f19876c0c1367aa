"""Building events and a small world for the events tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.events.ingest import EventResult, ingest
from promesa.domain.events.sources import EventSourceConfig
from promesa.principal import SYSTEM, Principal
from promesa.settings import Settings
from promesa.store.enums import OrderStatus
from tests.domain.builders import (
    CDMX,
    Line,
    add_node,
    add_order,
    add_shipment,
    add_stock,
    basic_world,
)

T = datetime.fromisoformat("2026-11-20T09:00:00-06:00")
NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")
_ids = count(1)

SOURCES = {
    "pos": EventSourceConfig(key="pos-key", signing_secret="pos-secret",
                             scopes=["promesa.inventory.pos_sale.v1", "promesa.inventory.receipt.v1"]),
    "oms": EventSourceConfig(key="oms-key", signing_secret="oms-secret",
                             scopes=["promesa.order.*", "promesa.inventory.*", "promesa.capacity.*",
                                     "promesa.customer.*"]),
    "carrier": EventSourceConfig(key="c-key", signing_secret="c-secret", scopes=["promesa.tracking.*"]),
}


def settings() -> Settings:
    return Settings(_env_file=None, event_sources=SOURCES)  # type: ignore[call-arg]


def ev(kind: str, data: dict[str, Any], *, id: str | None = None, minutes: float = 0,
       source: str = "/sources/oms", sequence: int | None = None) -> dict[str, Any]:
    """A structured-mode CloudEvent of ``promesa.<kind>.v1`` at T + ``minutes``."""
    return {"specversion": "1.0", "id": id or f"ev-{next(_ids)}", "source": source,
            "type": f"promesa.{kind}.v1", "time": (T + timedelta(minutes=minutes)).isoformat(),
            **({"sequence": sequence} if sequence is not None else {}), "data": data}


def send(session: Session, raw: Any, principal: Principal = SYSTEM) -> EventResult:
    """Ingest one event and commit, as the API does."""
    result = ingest(Deps(session=session, principal=principal, now=NOW, settings=settings()), raw)
    session.commit()
    return result


def world(session: Session) -> None:
    """basic_world + store MX-STORE-01 (CDMX) holding 5 of SKU-1 (1 reserved by PO-1), DC-CDMX-01
    holding 10 of SKU-1; PO-1 allocated at the store, PO-2 shipped with tracking TRK-S-2."""
    basic_world(session)
    add_node(session, "MX-STORE-01", "Ciudad de México", *CDMX)
    add_stock(session, "MX-STORE-01", "SKU-1", 5, reserved=1)
    add_stock(session, "DC-CDMX-01", "SKU-1", 10)
    add_order(session, "PO-1", "C-1", lines=[Line("SKU-1", 1, "MX-STORE-01")], ship_to_id="A-1",
              service_id="DHL-STD")
    add_order(session, "PO-2", "C-1", lines=[Line("SKU-1", 1, "DC-CDMX-01")], ship_to_id="A-1",
              service_id="DHL-STD", status=OrderStatus.shipped)
    add_shipment(session, "S-2", "PO-2", "DC-CDMX-01", "DHL-STD")
    session.commit()
