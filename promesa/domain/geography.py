"""The cities Promesa serves: where customers live, their time zones and postal prefixes.

Address validation and delivery zones read them; the demo world (:mod:`promesa.world`) builds
its customers and nodes on them.

A Mexican postal code's first two digits name a state or part of one (SEPOMEX): Mexico City
spans 01-16, Nuevo León 64-67, the Guadalajara metro (Guadalajara 44, Zapopan, Tlaquepaque,
Tonalá, Tlajomulco 45), the Toluca valley 50-52. A city lists every prefix its zone covers;
where we are not sure a neighbouring prefix belongs to the same metro, it keeps just its own.
"""

from __future__ import annotations

from dataclasses import dataclass


def _span(first: int, last: int) -> frozenset[str]:
    """The two-digit prefixes ``first``..``last`` (inclusive)."""
    return frozenset(f"{n:02d}" for n in range(first, last + 1))


@dataclass(frozen=True)
class City:
    """A city customers live in: its coordinates, time zone and postal prefixes."""

    code: str
    name: str
    state: str
    lat: float
    lon: float
    timezone: str
    #: the prefix of the city centre (``lat``/``lon``): where generated addresses and nodes go
    centre_prefix: str
    #: relative share of customers living there
    weight: float
    #: every postal prefix the city's delivery zone covers (the centre's when not given)
    postal_prefixes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # a city is always served at its centre: the prefixes include it
        if self.centre_prefix and self.centre_prefix not in self.postal_prefixes:
            object.__setattr__(self, "postal_prefixes", self.postal_prefixes | {self.centre_prefix})

    def serves(self, postal_code: str) -> bool:
        """Whether ``postal_code`` (five digits) lies in this city's zone."""
        return len(postal_code) == 5 and postal_code.isdigit() and postal_code[:2] in self.postal_prefixes


CITIES: tuple[City, ...] = (
    City("CDMX", "Ciudad de México", "Ciudad de México", 19.4326, -99.1332, "America/Mexico_City", "06", 22, _span(1, 16)),
    City("MTY", "Monterrey", "Nuevo León", 25.6866, -100.3161, "America/Monterrey", "64", 10, _span(64, 67)),
    City("GDL", "Guadalajara", "Jalisco", 20.6597, -103.3496, "America/Mexico_City", "44", 10, _span(44, 45)),
    City("PUE", "Puebla", "Puebla", 19.0414, -98.2063, "America/Mexico_City", "72", 5),
    City("QRO", "Querétaro", "Querétaro", 20.5888, -100.3899, "America/Mexico_City", "76", 4),
    City("MID", "Mérida", "Yucatán", 20.9674, -89.5926, "America/Merida", "97", 3),
    City("TIJ", "Tijuana", "Baja California", 32.5149, -117.0382, "America/Tijuana", "22", 4),
    City("LEO", "León", "Guanajuato", 21.1250, -101.6860, "America/Mexico_City", "37", 4),
    City("CUN", "Cancún", "Quintana Roo", 21.1619, -86.8515, "America/Cancun", "77", 3),
    City("TOL", "Toluca", "Estado de México", 19.2826, -99.6557, "America/Mexico_City", "50", 4, _span(50, 52)),
    City("SLP", "San Luis Potosí", "San Luis Potosí", 22.1565, -100.9855, "America/Mexico_City", "78", 2),
    City("CHI", "Chihuahua", "Chihuahua", 28.6320, -106.0691, "America/Chihuahua", "31", 2),
    City("HMO", "Hermosillo", "Sonora", 29.0729, -110.9559, "America/Hermosillo", "83", 2),
    City("VER", "Veracruz", "Veracruz", 19.1738, -96.1342, "America/Mexico_City", "91", 2),
    City("OAX", "Oaxaca", "Oaxaca", 17.0732, -96.7266, "America/Mexico_City", "68", 1.5),
    City("AGS", "Aguascalientes", "Aguascalientes", 21.8853, -102.2916, "America/Mexico_City", "20", 1.5),
    City("CUL", "Culiacán", "Sinaloa", 24.8091, -107.3940, "America/Mazatlan", "80", 1.5),
    City("MOR", "Morelia", "Michoacán", 19.7060, -101.1950, "America/Mexico_City", "58", 1.5),
    City("SAL", "Saltillo", "Coahuila", 25.4232, -101.0053, "America/Monterrey", "25", 1.5),
    City("TOR", "Torreón", "Coahuila", 25.5428, -103.4068, "America/Monterrey", "27", 1.2),
    City("VHS", "Villahermosa", "Tabasco", 17.9892, -92.9475, "America/Mexico_City", "86", 1),
    City("ACA", "Acapulco", "Guerrero", 16.8531, -99.8237, "America/Mexico_City", "39", 1),
    City("CUE", "Cuernavaca", "Morelos", 18.9242, -99.2216, "America/Mexico_City", "62", 1.2),
    City("PAC", "Pachuca", "Hidalgo", 20.1011, -98.7591, "America/Mexico_City", "42", 1),
)
CITY = {city.code: city for city in CITIES}

#: Cities with same-day delivery (a local courier from stores and the dark store).
SAME_DAY_CITIES = ("CDMX", "MTY", "GDL")
