"""What the demo storefront shows: a few products on sale online and the shopper's address.

Read once per page view (a handful of rows); the dates come from ``/v1/promise`` in the page.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from promesa.domain.promising.zones import zone_of
from promesa.errors import InvalidInput
from promesa.store.models import Address, Product

#: Products the shop's front page shows.
SHOWN = 6


class ShopProduct(BaseModel):
    sku: str
    name: str
    price: Decimal


class ShopAddress(BaseModel):
    id: str
    line1: str
    city: str
    postal_code: str
    served: bool  # a postal code promising has a zone for (else the page says so, asks nothing)


def products(session: Session) -> list[ShopProduct]:
    """The products most available online (the ones a shopper can actually buy), by name."""
    rows = session.scalars(select(Product).where(Product.online_available > 0)
                           .order_by(Product.online_available.desc(), Product.sku).limit(SHOWN)).all()
    return sorted((ShopProduct(sku=p.sku, name=p.name, price=p.price) for p in rows), key=lambda p: p.name)


def address_of(session: Session, customer_id: str) -> ShopAddress | None:
    """The customer's first address (where the storefront ships), if they have one."""
    row = session.scalar(select(Address).where(Address.customer_id == customer_id).order_by(Address.id).limit(1))
    if row is None:
        return None
    return ShopAddress(id=row.id, line1=row.line1, city=row.city, postal_code=row.postal_code,
                       served=_served(row.postal_code))


def _served(postal_code: str) -> bool:
    try:
        zone_of(postal_code)
    except InvalidInput:
        return False
    return True
