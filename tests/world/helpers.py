"""Shared checks of a built world."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine

from promesa.world.bulk import TABLE_ORDER


def digest(engine: Engine) -> str:
    """A hash of every row of every world table, in a stable order."""
    h = hashlib.sha256()
    with engine.connect() as connection:
        for table in TABLE_ORDER:
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY 1, 2'):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


RESERVATION_MISMATCHES = """
SELECT i.node_id, i.sku, i.on_hand, i.reserved, COALESCE(x.q, 0)
FROM inventory i LEFT JOIN (
    SELECT allocated_node_id AS n, sku, SUM(quantity) AS q FROM order_lines
    WHERE status IN ('allocated', 'picked', 'packed') GROUP BY allocated_node_id, sku
) x ON x.n = i.node_id AND x.sku = i.sku
WHERE i.reserved <> COALESCE(x.q, 0) OR i.on_hand < i.reserved OR i.on_hand < 0
"""

ORPHAN_ALLOCATIONS = """
SELECT COUNT(*) FROM order_lines l LEFT JOIN inventory i
  ON i.node_id = l.allocated_node_id AND i.sku = l.sku
WHERE l.status IN ('allocated', 'picked', 'packed') AND i.sku IS NULL
"""


def consistency_problems(engine: Engine) -> dict[str, object]:
    """Everything that should be empty/zero in a consistent demo world."""
    with engine.connect() as c:
        q = c.exec_driver_sql
        return {
            "reservations": [tuple(r) for r in q(RESERVATION_MISMATCHES)],
            "orphan allocations": q(ORPHAN_ALLOCATIONS).scalar(),
            # lines still to leave their node (a pickup that is ready has left: no ship-by)
            "open lines without ship_by": q(
                "SELECT COUNT(*) FROM order_lines WHERE status IN ('allocated','picked','packed')"
                " AND ship_by IS NULL AND order_id NOT IN ("
                "SELECT id FROM orders WHERE status = 'ready_for_pickup')").scalar(),
            "shipped lines without shipment": q(
                "SELECT COUNT(*) FROM order_lines WHERE status IN ('shipped','delivered')"
                " AND shipment_id IS NULL AND order_id IN (SELECT id FROM orders"
                " WHERE fulfillment_type <> 'pickup')").scalar(),
            "delivered orders without delivered event": q(
                "SELECT COUNT(*) FROM orders WHERE status = 'delivered' AND id NOT IN ("
                "SELECT order_id FROM tracking_events WHERE type = 'delivered')").scalar(),
            "events in the future": q(
                "SELECT COUNT(*) FROM tracking_events WHERE occurred_at > "
                "(SELECT MAX(created_at) FROM orders)").scalar(),
            "delivered shipments without date": q(
                "SELECT COUNT(*) FROM orders o JOIN shipments s ON s.order_id = o.id"
                " WHERE o.status = 'delivered' AND s.delivered_at IS NULL").scalar(),
        }


#: the only tolerated reservation mismatch: the stock-lost story's cycle count
STOCK_LOST = ("MTY-STORE-01", "SKU-10002", 0)
