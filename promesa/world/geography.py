"""Mexico-first geography of the demo world: the named nodes the stories rely on.

The cities themselves are the domain's (:mod:`promesa.domain.geography`), re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from promesa.domain.geography import CITIES, CITY, SAME_DAY_CITIES, City

__all__ = ["CITIES", "CITY", "EXTRA_DC_CITIES", "NAMED_NODES", "SAME_DAY_CITIES", "City", "NamedNode"]


@dataclass(frozen=True)
class NamedNode:
    """A node every demo world has, with the id the stories use."""

    id: str
    name: str
    kind: str  # distribution_center | store | dark_store
    city: str
    lat: float
    lon: float
    postal_code: str


#: Nodes every demo world has, with the ids the stories use.
NAMED_NODES: tuple[NamedNode, ...] = (
    NamedNode("DC-CDMX-01", "CEDIS Vallejo", "distribution_center", "CDMX", 19.4890, -99.1600, "02300"),
    NamedNode("DC-MTY-01", "CEDIS Apodaca", "distribution_center", "MTY", 25.7810, -100.1880, "66600"),
    NamedNode("DC-GDL-01", "CEDIS El Salto", "distribution_center", "GDL", 20.5200, -103.1800, "45680"),
    NamedNode("DC-MID-01", "CEDIS Mérida", "distribution_center", "MID", 20.9300, -89.6600, "97288"),
    NamedNode("CDMX-DARK-01", "Dark store Del Valle", "dark_store", "CDMX", 19.3870, -99.1700, "03100"),
    NamedNode("CDMX-STORE-01", "Tienda Polanco", "store", "CDMX", 19.4333, -99.1990, "11560"),
    NamedNode("CDMX-STORE-02", "Tienda Coyoacán", "store", "CDMX", 19.3500, -99.1620, "04000"),
    NamedNode("CDMX-STORE-03", "Tienda Santa Fe", "store", "CDMX", 19.3590, -99.2760, "05348"),
    NamedNode("CDMX-STORE-04", "Tienda Satélite", "store", "CDMX", 19.5100, -99.2340, "53100"),
    NamedNode("MTY-STORE-01", "Tienda San Pedro Garza García", "store", "MTY", 25.6510, -100.4020, "66220"),
    NamedNode("MTY-STORE-02", "Tienda Cumbres", "store", "MTY", 25.7150, -100.3800, "64610"),
    NamedNode("MTY-STORE-03", "Tienda Guadalupe", "store", "MTY", 25.6770, -100.2590, "67100"),
    NamedNode("GDL-STORE-01", "Tienda Andares", "store", "GDL", 20.7100, -103.4120, "45116"),
    NamedNode("GDL-STORE-02", "Tienda Chapultepec", "store", "GDL", 20.6740, -103.3700, "44600"),
    NamedNode("PUE-STORE-01", "Tienda Angelópolis", "store", "PUE", 19.0300, -98.2330, "72830"),
    NamedNode("QRO-STORE-01", "Tienda Juriquilla", "store", "QRO", 20.7100, -100.4460, "76230"),
    NamedNode("MID-STORE-01", "Tienda Altabrisa", "store", "MID", 21.0210, -89.5840, "97130"),
    NamedNode("TIJ-STORE-01", "Tienda Zona Río", "store", "TIJ", 32.5290, -117.0200, "22010"),
    NamedNode("LEO-STORE-01", "Tienda León Centro Max", "store", "LEO", 21.1400, -101.6900, "37500"),
    NamedNode("CUN-STORE-01", "Tienda Cancún Malecón", "store", "CUN", 21.1450, -86.8230, "77500"),
    NamedNode("TOL-STORE-01", "Tienda Metepec", "store", "TOL", 19.2590, -99.6030, "52140"),
    NamedNode("SLP-STORE-01", "Tienda San Luis Potosí", "store", "SLP", 22.1400, -101.0100, "78210"),
    NamedNode("CHI-STORE-01", "Tienda Chihuahua", "store", "CHI", 28.6400, -106.0800, "31125"),
    NamedNode("HMO-STORE-01", "Tienda Hermosillo", "store", "HMO", 29.0900, -110.9700, "83200"),
    NamedNode("VER-STORE-01", "Tienda Boca del Río", "store", "VER", 19.1500, -96.1000, "94290"),
    NamedNode("OAX-STORE-01", "Tienda Oaxaca", "store", "OAX", 17.0700, -96.7200, "68050"),
    NamedNode("AGS-STORE-01", "Tienda Aguascalientes", "store", "AGS", 21.8800, -102.3000, "20116"),
    NamedNode("CUL-STORE-01", "Tienda Culiacán", "store", "CUL", 24.8000, -107.4000, "80020"),
    NamedNode("MOR-STORE-01", "Tienda Morelia", "store", "MOR", 19.6900, -101.1700, "58260"),
    NamedNode("SAL-STORE-01", "Tienda Saltillo", "store", "SAL", 25.4400, -100.9800, "25280"),
    NamedNode("TOR-STORE-01", "Tienda Torreón", "store", "TOR", 25.5500, -103.4200, "27000"),
    NamedNode("CUE-STORE-01", "Tienda Cuernavaca", "store", "CUE", 18.9300, -99.2300, "62250"),
    NamedNode("PAC-STORE-01", "Tienda Pachuca", "store", "PAC", 20.0900, -98.7700, "42083"),
    NamedNode("VHS-STORE-01", "Tienda Villahermosa", "store", "VHS", 17.9900, -92.9300, "86035"),
    NamedNode("ACA-STORE-01", "Tienda Acapulco", "store", "ACA", 16.8600, -99.8800, "39300"),
)

#: Extra distribution centres added when a world grows past the named ones.
EXTRA_DC_CITIES = ("PUE", "QRO", "TIJ", "LEO", "CUN", "CHI", "HMO", "VER", "SLP", "CUL")
