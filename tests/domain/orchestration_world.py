"""The orchestration tests' world: PO-1 allocated to store CUR, which lost its stock.

Friday 20 Nov 2026 10:00 in Monterrey. CUR (San Pedro) holds PO-1's line (ship-by today,
promised Saturday 21). OTHER (Cumbres by default) has the SKU.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from promesa.store.enums import IdentityKind
from tests.domain import builders
from tests.domain.ops_world import (
    CUMBRES,
    NOW,
    SAN_PEDRO,
    TODAY,
    add_carriers,
    add_customer,
    add_node,
    add_order,
    add_product,
    add_stock,
    done,
)

__all__ = ["NOW", "SAT", "TODAY", "world"]
SAT = TODAY + timedelta(days=1)


def world(session: Session, *, other_stock: int = 5, cur_on_hand: int = 0, locale: str = "es-MX",
          other_at: tuple[float, float] = CUMBRES, other_ships: bool = True) -> None:
    """``other_ships=False``: OTHER is a pickup-only store (it hands orders over, ships none)."""
    add_node(session, "CUR", SAN_PEDRO)
    add_node(session, "OTHER", other_at).ships = other_ships
    add_carriers(session)
    add_product(session, "SKU-1")
    add_stock(session, "CUR", "SKU-1", on_hand=cur_on_hand, reserved=1)
    if other_stock:
        add_stock(session, "OTHER", "SKU-1", on_hand=other_stock)
    add_customer(session, "C-1")
    session.get(builders.Customer, "C-1").locale = locale
    builders.add_identity(session, "C-1", IdentityKind.email, "ana@example.com")
    add_order(session, "PO-1", "C-1", [("SKU-1", 1)], node_id="CUR", ship_by=TODAY, promised=SAT)
    done(session)
    session.commit()
