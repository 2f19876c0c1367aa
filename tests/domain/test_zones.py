"""Delivery zones by postal prefix (issue #18: Mexico City's codes span 01-16), worked by hand.

Codes are real ones: 11560 Polanco, 03100 Del Valle, 06700 Roma (Mexico City); 64000 Monterrey
centre, 66220 San Pedro Garza García; 45116 Zapopan; 52140 Metepec; 98000 Zacatecas, where no
city of ours delivers.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.geography import CITIES, CITY
from promesa.domain.promising.quote import quote
from promesa.domain.promising.records import OptionKind
from promesa.domain.promising.zones import zone_of
from promesa.errors import InvalidInput
from promesa.principal import Principal, Role
from tests.domain.builders import CDMX, MTY, add_carrier, add_node, add_product, add_service, add_stock


@pytest.mark.parametrize("code, city", [
    ("11560", "CDMX"), ("03100", "CDMX"), ("06700", "CDMX"), ("01000", "CDMX"), ("16000", "CDMX"),
    ("64000", "MTY"), ("66220", "MTY"), ("67100", "MTY"),
    ("44600", "GDL"), ("45116", "GDL"),
    ("50000", "TOL"), ("52140", "TOL"),
    ("72000", "PUE"), ("22010", "TIJ"),
])
def test_a_code_names_the_city_whose_prefixes_hold_it(code, city):
    zone = zone_of(code)
    assert zone.code == city and zone.city is CITY[city]
    assert zone.same_day is (city in ("CDMX", "MTY", "GDL"))


@pytest.mark.parametrize("code", ["98000", "17000", "00100", "53100"])
def test_a_prefix_no_city_has_is_refused_naming_the_postal_code(code):
    # 53 (Naucalpan, Estado de México) borders Mexico City but is not a city of ours
    with pytest.raises(InvalidInput) as refused:
        zone_of(code)
    assert refused.value.field == "postal_code"
    assert code in str(refused.value)


@pytest.mark.parametrize("code", ["1156", "115600", "11A60", ""])
def test_a_malformed_code_is_refused_naming_the_field_asked_for(code):
    with pytest.raises(InvalidInput) as refused:
        zone_of(code, field="ship_to.postal_code")
    assert refused.value.field == "ship_to.postal_code"


def test_every_city_is_served_at_its_centre_and_no_prefix_names_two_cities():
    seen: dict[str, str] = {}
    for city in CITIES:
        assert city.centre_prefix in city.postal_prefixes
        assert city.serves(f"{city.centre_prefix}100")
        for prefix in city.postal_prefixes:
            assert len(prefix) == 2 and prefix.isdigit()
            assert seen.setdefault(prefix, city.code) == city.code
    assert CITY["CDMX"].postal_prefixes == {f"{n:02d}" for n in range(1, 17)}


def _world(session: Session) -> None:
    add_node(session, "DC-CDMX-01", "Ciudad de México", *CDMX)
    add_node(session, "DC-MTY-01", "Monterrey", *MTY)
    add_carrier(session, "DHL", reliability=0.97)
    add_service(session, "DHL-STD", "DHL")
    add_product(session, "SKU-1", name="Cafetera", weight_kg=2.0)
    add_stock(session, "DC-CDMX-01", "SKU-1", on_hand=10)
    add_stock(session, "DC-MTY-01", "SKU-1", on_hand=10)
    session.commit()


@pytest.mark.parametrize("code, zone, node", [
    ("11560", "CDMX", "DC-CDMX-01"), ("03100", "CDMX", "DC-CDMX-01"), ("64000", "MTY", "DC-MTY-01"),
])
def test_quotes_for_polanco_del_valle_and_monterrey_ship_from_their_own_dc(session, now, settings, code, zone, node):
    deps = Deps(session=session, principal=Principal(role=Role.customer, subject="C-1"), now=now, settings=settings)
    _world(session)
    q = quote(deps, "SKU-1", 1, code)
    assert q.zone == zone
    assert q.options and all(o.node_id == node for o in q.options if o.kind is OptionKind.ship)


def test_a_quote_to_an_unserved_prefix_is_the_typed_refusal(session, now, settings):
    deps = Deps(session=session, principal=Principal(role=Role.customer, subject="C-1"), now=now, settings=settings)
    _world(session)
    with pytest.raises(InvalidInput) as refused:
        quote(deps, "SKU-1", 1, "98000")
    assert refused.value.field == "postal_code"
