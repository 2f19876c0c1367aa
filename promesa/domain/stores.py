"""The store directory shoppers read: a node's customer-facing name and place, never its code alone.

Node ids (``MTY-STORE-02``) are internal; cards show the name, city and postal code instead.
Every node's name and city is public information (a shop lists its stores), so the directory
needs no principal; capacity, costs and scores stay out of it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from promesa.domain.records import Record
from promesa.domain.reference import reference
from promesa.store.enums import NodeType


class StoreView(Record):
    node_id: str
    name: str
    type: NodeType
    city: str
    postal_code: str
    pickup: bool


def store_directory(session: Session) -> list[StoreView]:
    """Every active node by id, with the words a person reads."""
    nodes = reference(session).nodes.values()
    return [
        StoreView(node_id=n.id, name=n.name, type=n.type, city=n.city, postal_code=n.postal_code,
                  pickup=n.pickup)
        for n in sorted(nodes, key=lambda n: n.id)
        if n.active
    ]
