"""Generated demo customers: names, identities (already normalised) and an address near a city."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from promesa.world.bulk import Row, ts
from promesa.world.geography import CITIES
from promesa.world.timeline import cumulative, pick

FIRST = ("Ana", "Sofía", "Valentina", "Regina", "Camila", "Ximena", "Fernanda", "Daniela",
         "Mariana", "Guadalupe", "Paola", "Andrea", "Lucía", "Renata", "Isabel", "Carmen",
         "José", "Luis", "Juan", "Miguel", "Carlos", "Jorge", "Alejandro", "Diego", "Santiago",
         "Mateo", "Emiliano", "Ricardo", "Fernando", "Eduardo", "Arturo", "Raúl", "Héctor",
         "Iván", "Óscar", "Rodrigo")
LAST = ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
        "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez",
        "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Castillo",
        "Moreno", "Romero", "Herrera", "Medina", "Castro", "Vargas", "Ramos", "Chávez", "Núñez")
STREETS = ("Av. Juárez", "Calle Hidalgo", "Av. Insurgentes", "Calle Morelos", "Av. Reforma",
           "Calle Allende", "Av. Universidad", "Calle 5 de Mayo", "Av. Revolución",
           "Calle Independencia", "Av. Constitución", "Calle Zaragoza")
DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "icloud.com")
AREA = {"CDMX": "55", "MTY": "81", "GDL": "33", "PUE": "222", "QRO": "442", "MID": "999",
        "TIJ": "664", "LEO": "477", "CUN": "998", "TOL": "722", "SLP": "444", "CHI": "614",
        "HMO": "662", "VER": "229", "OAX": "951", "AGS": "449", "CUL": "667", "MOR": "443",
        "SAL": "844", "TOR": "871", "VHS": "993", "ACA": "744", "CUE": "777", "PAC": "771"}

FIRST_CUSTOMER = 100_000


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


#: customers per row chunk (each chunk has its own random stream)
PEOPLE_CHUNK = 25_000


@dataclass
class People:
    """Where each generated customer lives (index = customer number − FIRST_CUSTOMER)."""

    city: list[int] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)


def place_people(rng: random.Random, count: int) -> People:
    """Cities (by population share) and home coordinates near them, for ``count`` customers."""
    cum = cumulative([c.weight for c in CITIES])
    people = People()
    rand = rng.random
    for _ in range(count):
        ci = pick(cum, rand())
        city = CITIES[ci]
        people.city.append(ci)
        people.lat.append(round(city.lat + (rand() - 0.5) * 0.12, 5))
        people.lon.append(round(city.lon + (rand() - 0.5) * 0.12, 5))
    return people


def people_rows(
    seed: int, number: int, people: People, now: datetime
) -> tuple[list[Row], list[Row], list[Row]]:
    """(customers, addresses, identities) rows of chunk ``number`` of the placed people."""
    rng = random.Random(f"{seed}:people:{number}")
    rand = rng.random
    first_ascii = [_ascii(n) for n in FIRST]
    last_ascii = [_ascii(n) for n in LAST]
    customers: list[Row] = []
    addresses: list[Row] = []
    identities: list[Row] = []
    for i in range(number * PEOPLE_CHUNK, min(len(people.city), (number + 1) * PEOPLE_CHUNK)):
        city = CITIES[people.city[i]]
        f, l1, l2 = int(rand() * len(FIRST)), int(rand() * len(LAST)), int(rand() * len(LAST))
        cid = f"C-{FIRST_CUSTOMER + i}"
        created = now - timedelta(days=30 + int(rand() * 900), seconds=int(rand() * 86400))
        locale = "en-US" if rand() < 0.05 else "es-MX"
        customers.append((cid, f"{FIRST[f]} {LAST[l1]} {LAST[l2]}", locale, ts(created)))
        addresses.append((
            f"A-{FIRST_CUSTOMER + i}", cid, f"{STREETS[i % len(STREETS)]} {1 + int(rand() * 2000)}",
            city.name, city.state, f"{city.centre_prefix}{int(rand() * 1000):03d}", "MX",
            people.lat[i], people.lon[i],
        ))
        email = f"{first_ascii[f]}.{last_ascii[l1]}{i}@{DOMAINS[i % len(DOMAINS)]}"
        identities.append((cid, "email", email, "web", 1))
        if rand() < 0.7:
            area = AREA[city.code]
            identities.append((cid, "phone", f"+52{area}{i:0{10 - len(area)}d}",
                               "store" if rand() < 0.4 else "app", 1))
        if rand() < 0.15:
            identities.append((cid, "social", f"@{first_ascii[f]}_{last_ascii[l1]}{i}",
                               "social", 0))
    return customers, addresses, identities

