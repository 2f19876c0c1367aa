"""Available to promise by hand: on hand − reserved − safety stock, floored at zero, per node."""

from __future__ import annotations

import pytest

from promesa.domain.calendar import distance_km
from promesa.domain.deps import Deps
from promesa.domain.inventory import atp_by_node, available_to_promise, nodes_covering
from promesa.errors import Forbidden, InvalidInput, NotFound
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import NodeType
from promesa.store.models import Node
from tests.domain.ops_world import (
    CDMX,
    MERIDA,
    MTY,
    NOW,
    SAN_PEDRO,
    add_node,
    add_product,
    add_stock,
    done,
)


def deps_for(session, principal) -> Deps:
    return Deps(session=session, principal=principal, now=NOW, settings=Settings(_env_file=None))


@pytest.fixture
def world(session):
    """SKU-1 at five nodes; by hand: MTY 10−3−2=5, SP 4−0−1=3, CDMX 20−5−0=15,
    MID 2−2−1=−1→0 (left out), OFF 100 but inactive (left out). Total 23."""
    add_node(session, "N-MTY", MTY)
    add_node(session, "N-SP", SAN_PEDRO, city="San Pedro Garza García")
    add_node(session, "N-CDMX", CDMX, type=NodeType.distribution_center, city="Ciudad de México",
             state="CDMX", pickup=False)
    add_node(session, "N-MID", MERIDA, city="Mérida", state="Yucatán")
    add_node(session, "N-OFF", MTY)
    session.get(Node, "N-OFF").active = False
    add_product(session, "SKU-1")
    add_product(session, "SKU-2")
    add_stock(session, "N-MTY", "SKU-1", on_hand=10, reserved=3, safety=2)
    add_stock(session, "N-SP", "SKU-1", on_hand=4, reserved=0, safety=1)
    add_stock(session, "N-CDMX", "SKU-1", on_hand=20, reserved=5, safety=0)
    add_stock(session, "N-MID", "SKU-1", on_hand=2, reserved=2, safety=1)
    add_stock(session, "N-OFF", "SKU-1", on_hand=100)
    add_stock(session, "N-MTY", "SKU-2", on_hand=1, reserved=1)  # exactly zero: not listed
    done(session)
    return session


def _view(result):
    return [(s.node_id, s.on_hand, s.reserved, s.safety_stock, s.atp) for s in result.nodes]


def test_atp_per_node_without_location_is_largest_first(world, ops):
    result = available_to_promise(deps_for(world, ops), "SKU-1")
    assert result.sku == "SKU-1" and result.total_atp == 5 + 3 + 15
    assert _view(result) == [
        ("N-CDMX", 20, 5, 0, 15), ("N-MTY", 10, 3, 2, 5), ("N-SP", 4, 0, 1, 3),
    ]
    assert all(s.distance_km is None for s in result.nodes)
    assert result.nodes[0].city == "Ciudad de México" and result.nodes[0].node_type == "distribution_center"


def test_nearest_first_from_coordinates(world, support):
    result = available_to_promise(deps_for(world, support), "SKU-1", near=MTY)
    assert [s.node_id for s in result.nodes] == ["N-MTY", "N-SP", "N-CDMX"]
    distances = [s.distance_km for s in result.nodes]
    assert distances[0] == 0.0
    assert distances[1] == round(distance_km(*MTY, *SAN_PEDRO), 1)
    assert distances[2] == round(distance_km(*MTY, *CDMX), 1)
    assert 5 < distances[1] < 15 and 700 < distances[2] < 800


def test_nearest_first_from_a_city_name_ignoring_case_and_accents(world, ops):
    # Mérida's only node has nothing to promise, but the city still locates the question
    result = available_to_promise(deps_for(world, ops), "SKU-1", near="MERIDA")
    assert [s.node_id for s in result.nodes] == ["N-CDMX", "N-MTY", "N-SP"]
    assert result.nodes[0].distance_km == round(distance_km(*MERIDA, *CDMX), 1)
    in_monterrey = available_to_promise(deps_for(world, ops), "SKU-1", near=" monterrey ")
    # the only active-or-not Monterrey-city nodes are N-MTY and N-OFF, both at MTY
    assert in_monterrey.nodes[0].node_id == "N-MTY" and in_monterrey.nodes[0].distance_km == 0.0


def test_limit_keeps_the_total(world, ops):
    result = available_to_promise(deps_for(world, ops), "SKU-1", near=CDMX, limit=1)
    assert _view(result) == [("N-CDMX", 20, 5, 0, 15)] and result.total_atp == 23
    with pytest.raises(InvalidInput) as caught:
        available_to_promise(deps_for(world, ops), "SKU-1", limit=0)
    assert caught.value.field == "limit"


def test_zero_atp_everywhere_is_an_empty_answer(world, ops):
    result = available_to_promise(deps_for(world, ops), "SKU-2")
    assert result.total_atp == 0 and result.nodes == []


def test_unknown_sku_and_bad_locations(world, ops):
    with pytest.raises(NotFound):
        available_to_promise(deps_for(world, ops), "SKU-404")
    with pytest.raises(InvalidInput) as caught:
        available_to_promise(deps_for(world, ops), "SKU-1", near="Atlantis")
    assert caught.value.field == "near"
    with pytest.raises(InvalidInput) as caught:
        available_to_promise(deps_for(world, ops), "SKU-1", near=(95.0, 0.0))
    assert caught.value.field == "near"


@pytest.mark.parametrize("role", [Role.customer, Role.anonymous])
def test_only_staff_may_check(world, role):
    principal = Principal(role=role, subject="C-1" if role is Role.customer else None)
    with pytest.raises(Forbidden):
        available_to_promise(deps_for(world, principal), "SKU-1")
    with pytest.raises(Forbidden):  # refused before revealing whether the SKU exists
        available_to_promise(deps_for(world, principal), "SKU-404")


def test_system_may_check(world):
    system = Principal(role=Role.system, subject="bench")
    assert available_to_promise(deps_for(world, system), "SKU-1").total_atp == 23


def test_helpers_agree_with_the_service(world):
    assert atp_by_node(world, ["SKU-1", "SKU-2"]) == {"SKU-1": {"N-MTY": 5, "N-SP": 3, "N-CDMX": 15}}
    # 4 units: only CDMX and MTY cover it; nearest to San Pedro first
    assert [n for n, _km in nodes_covering(world, {"SKU-1": 4}, SAN_PEDRO)] == ["N-MTY", "N-CDMX"]
    assert nodes_covering(world, {"SKU-1": 4, "SKU-2": 1}) == []
