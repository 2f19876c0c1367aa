"""Order-status families and error codes: each named once, and nothing left out."""

from __future__ import annotations

import json

from promesa import errors
from promesa.domain.order_states import (
    CLOSED,
    HANDED_OVER,
    PRE_SHIP,
    STAGE_OF,
    WITH_CARRIER,
    OrderStage,
    statuses,
)
from promesa.store.enums import OrderStatus


def test_every_order_status_has_exactly_one_stage():
    assert set(STAGE_OF) == set(OrderStatus)
    by_stage = [statuses(stage) for stage in OrderStage]
    assert sum(len(s) for s in by_stage) == len(OrderStatus)
    assert frozenset().union(*by_stage) == frozenset(OrderStatus)


def test_the_families_the_services_match_on():
    assert CLOSED == {OrderStatus.delivered, OrderStatus.picked_up, OrderStatus.cancelled}
    assert PRE_SHIP == {OrderStatus.created, OrderStatus.allocated, OrderStatus.picking, OrderStatus.packed}
    assert WITH_CARRIER == {OrderStatus.shipped, OrderStatus.in_transit, OrderStatus.out_for_delivery,
                            OrderStatus.exception}
    assert HANDED_OVER < CLOSED and OrderStatus.cancelled not in HANDED_OVER


def _subclasses(cls: type) -> list[type]:
    return [cls, *[sub for child in cls.__subclasses__() for sub in _subclasses(child)]]


def test_every_domain_error_carries_an_error_code_that_serialises_as_its_string():
    from promesa.world.loader import WorldError  # noqa: F401 - registers the subclass

    # promesa's own errors (tools/ and tests may define more; their layers check their own)
    for cls in [c for c in _subclasses(errors.DomainError) if c.__module__.startswith("promesa.")]:
        assert isinstance(cls.code, errors.ErrorCode), cls
    assert json.dumps({"code": errors.NotFound("x").code}) == '{"code": "not_found"}'
    assert errors.PolicyViolation("x").code == "policy_violation"
