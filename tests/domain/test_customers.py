"""Identity resolution, unified profiles and their authorization, on hand-built worlds."""

from __future__ import annotations

from datetime import datetime

import pytest

from promesa.domain.customers import find_customers, fold, get_profile
from promesa.domain.deps import Deps
from promesa.errors import Forbidden, InvalidInput, NotFound
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import IdentityKind, OrderStatus
from tests.domain.builders import (
    PUE,
    add_address,
    add_customer,
    add_identity,
    add_interaction,
    add_order,
    add_product,
)


@pytest.fixture
def world(session):
    add_product(session, "SKU-1")
    add_customer(session, "C-1002", "María Fernanda López",
                 emails=["maria.lopez@example.com"], socials=["@mafer.lopez"])
    add_identity(session, "C-1002", IdentityKind.phone, "+52 81 1234 5678", source="store")
    add_address(session, "A-1002", "C-1002", "Monterrey", 25.68, -100.31, postal_code="64000")
    add_customer(session, "C-1005", "Juan Pérez García", emails=["jpg@example.com"])
    add_customer(session, "C-1006", "Juan Pérez Garza", emails=["Ana@Mail.com"])
    add_customer(session, "C-1007", "Juana Ortiz")
    add_address(session, "A-1005", "C-1005", "Puebla", *PUE)
    add_address(session, "A-1006", "C-1006", "Puebla", *PUE)
    add_order(session, "PO-4990", "C-1002", lines=[("SKU-1", 1, None)], total="300.00",
              status=OrderStatus.delivered, created_at=datetime.fromisoformat("2026-10-01T10:00-06:00"))
    add_order(session, "PO-5002", "C-1002", lines=[("SKU-1", 2, None)], total="1000.00")
    add_order(session, "PO-5003", "C-1002", lines=[("SKU-1", 1, None)], total="999.00",
              status=OrderStatus.cancelled)
    add_interaction(session, "C-1002", "Asked about PO-5002 delivery", order_id="PO-5002")
    return session


def deps_for(session, now, principal):
    return Deps(session=session, principal=principal, now=now, settings=Settings(_env_file=None))


@pytest.mark.parametrize("typed", [
    "+52 81 1234 5678", "8112345678", "81-1234-5678", "(81) 1234 5678", "MARIA.LOPEZ@example.com",
    "@mafer.lopez", "mafer.lopez", "PO-5002", "po 5002", "#5002", "5002",
])
def test_every_format_resolves_to_one_profile(world, now, support, typed):
    matches = find_customers(deps_for(world, now, support), typed)
    assert [m.customer_id for m in matches] == ["C-1002"]
    assert matches[0].city == "Monterrey"


def test_match_kind_is_reported(world, now, support):
    deps = deps_for(world, now, support)
    assert find_customers(deps, "8112345678")[0].matched_on == "phone"
    assert find_customers(deps, "Ana@Mail.com")[0].customer_id == "C-1006"
    assert find_customers(deps, "#5002")[0].matched_on == "order"


def test_similar_names_return_both_ranked(world, now, support):
    deps = deps_for(world, now, support)
    matches = find_customers(deps, "juan perez")
    assert {m.customer_id for m in matches} == {"C-1005", "C-1006"}
    assert all(m.matched_on == "name" and 0 < m.score <= 1 for m in matches)
    assert [m.customer_id for m in find_customers(deps, "JUAN PÉREZ GARZA")][0] == "C-1006"
    # 'juan' starts 'Juana' too; the exact word ranks first
    assert {m.customer_id for m in find_customers(deps, "juan")} == {"C-1005", "C-1006", "C-1007"}
    assert [m.customer_id for m in find_customers(deps, "maria lopez")] == ["C-1002"]
    assert find_customers(deps, "nobody here") == []
    assert find_customers(deps, "nobody@example.com") == []


def test_fold():
    assert fold("  Pérez-GARCÍA, Núñez ") == "perez garcia nunez"


def test_profile_merges_identities_orders_interactions(world, now, support):
    profile = get_profile(deps_for(world, now, support), "C-1002")
    assert {(i.kind, i.value, i.source) for i in profile.identities} == {
        (IdentityKind.email, "maria.lopez@example.com", "web"),
        (IdentityKind.phone, "+528112345678", "store"),
        (IdentityKind.social, "@mafer.lopez", "web"),
    }
    # PO-5002 and PO-5003 share the default creation time: ties go to the higher id
    assert [o.order_id for o in profile.orders] == ["PO-5003", "PO-5002", "PO-4990"]
    assert profile.lifetime_value == 1300.0  # the cancelled order does not count
    assert profile.city == "Monterrey"
    assert profile.interactions[0].order_id == "PO-5002"


def test_customer_sees_own_profile_only(world, now):
    me = deps_for(world, now, Principal(role=Role.customer, subject="C-1002"))
    own = get_profile(me, "C-1002")
    assert own.customer_id == "C-1002" and own.interactions == []
    with pytest.raises(Forbidden):
        get_profile(me, "C-1005")
    with pytest.raises(Forbidden):
        find_customers(me, "juan perez")


def test_anonymous_never(world, now):
    anon = deps_for(world, now, Principal(role=Role.anonymous, order_scope="PO-5002"))
    with pytest.raises(Forbidden):
        get_profile(anon, "C-1002")
    with pytest.raises(Forbidden):
        find_customers(anon, "maria.lopez@example.com")


def test_unknown_and_empty(world, now, support, ops):
    with pytest.raises(NotFound):
        get_profile(deps_for(world, now, ops), "C-404")
    with pytest.raises(InvalidInput) as err:
        find_customers(deps_for(world, now, support), "   ")
    assert err.value.field == "identifier"
