"""The migrated schema enforces the world model's constraints on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from promesa.store.enums import IdentityKind, NodeType
from promesa.store.models import Base, Customer, Identity, InventoryPosition, Node, Product


def _world(session: Session) -> None:
    session.add_all(
        [
            Customer(id="C-1", name="Ana", created_at=datetime(2026, 1, 1, tzinfo=UTC)),
            Node(id="N-1", name="Centro", type=NodeType.store, city="Puebla", state="Puebla",
                 postal_code="72000", lat=19.04, lon=-98.2),
            Product(sku="SKU-1", name="Taza", category="hogar", price=99, weight_kg=0.4),
        ]
    )
    session.commit()


def test_migrations_create_every_table(engine):
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_negative_stock_is_refused(session):
    _world(session)
    session.add(InventoryPosition(node_id="N-1", sku="SKU-1", on_hand=-1))
    with pytest.raises(IntegrityError):
        session.commit()


def test_identity_is_unique_per_kind_and_value(session):
    _world(session)
    session.add(Identity(customer_id="C-1", kind=IdentityKind.email, value="ana@mail.com"))
    session.commit()
    session.add(Identity(customer_id="C-1", kind=IdentityKind.email, value="ana@mail.com"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_unknown_vocabulary_is_refused(session):
    _world(session)
    session.add(Identity(customer_id="C-1", kind="fax", value="123"))
    with pytest.raises(StatementError):
        session.commit()


def test_datetimes_come_back_aware_utc(session):
    _world(session)
    session.expunge_all()
    customer = session.scalar(select(Customer))
    assert customer.created_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert customer.created_at.tzinfo is not None


def test_foreign_keys_are_enforced(session):
    _world(session)
    session.add(InventoryPosition(node_id="NOPE", sku="SKU-1", on_hand=1))
    with pytest.raises(IntegrityError):
        session.commit()


def test_migrations_match_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []  # the schema the migrations build is the schema the code declares
