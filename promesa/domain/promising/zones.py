"""Delivery zones: a Mexican postal code's first two digits name the city we deliver to.

A city covers a set of prefixes (Mexico City 01-16, :mod:`promesa.domain.geography`); no prefix
belongs to two cities, checked when this module loads.

A zone's destination point is the city centre; quotes are per zone, not per address, which is
what lets them be cached (:mod:`promesa.domain.promising.cache`) and is accurate enough for the
distance bands (tens of kilometres wide).
"""

from __future__ import annotations

from dataclasses import dataclass

from promesa.domain.geography import CITIES, SAME_DAY_CITIES, City
from promesa.errors import InvalidInput


def _by_prefix() -> dict[str, City]:
    by_prefix: dict[str, City] = {}
    for city in CITIES:
        for prefix in city.postal_prefixes:
            other = by_prefix.setdefault(prefix, city)
            if other is not city:  # a code must name one city, or quotes would depend on the order here
                raise ValueError(f"postal prefix {prefix} is in both {other.code} and {city.code}")
    return by_prefix


_BY_PREFIX = _by_prefix()


@dataclass(frozen=True)
class Zone:
    code: str
    city: City
    same_day: bool

    @property
    def point(self) -> tuple[float, float]:
        return (self.city.lat, self.city.lon)


def zone_of(postal_code: str, field: str = "postal_code") -> Zone:
    """The zone of a postal code; ``InvalidInput`` naming ``field`` when it is not one we serve."""
    code = (postal_code or "").strip()
    if not (len(code) == 5 and code.isdigit()):
        raise InvalidInput("a postal code has 5 digits", field=field)
    city = _BY_PREFIX.get(code[:2])
    if city is None:
        raise InvalidInput(f"we don't deliver to postal code {code}", field=field)
    return Zone(city.code, city, city.code in SAME_DAY_CITIES)


def zone_of_node(city_name: str, lat: float, lon: float) -> Zone:
    """The zone a node stands in (a pickup plan's zone), by its city's name or its point."""
    city = next((c for c in CITIES if c.name == city_name), None)
    if city is None:
        city = City(city_name[:8] or "NODE", city_name, city_name, lat, lon, "America/Mexico_City", "", 0)
    return Zone(city.code, city, city.code in SAME_DAY_CITIES)
