"""The demo catalogue: a few fixed products the stories use, then generated ones by category."""

from __future__ import annotations

import random
from decimal import Decimal

from promesa.world.schema import ProductIn

#: (sku, name, category, price MXN, weight kg): fixed so stories read the same for every seed.
STORY_PRODUCTS: tuple[tuple[str, str, str, str, float], ...] = (
    ("SKU-10000", "Audífonos inalámbricos Sonora Pro", "electrónica", "1899.00", 0.35),
    ("SKU-10001", "Smartphone Nébula X 128 GB", "electrónica", "8499.00", 0.45),
    ("SKU-10002", "Licuadora de alta potencia 1.5 L", "hogar", "1299.00", 3.2),
    ("SKU-10003", "Tenis para correr Veloz", "deportes", "1599.00", 0.9),
    ("SKU-10004", "Chamarra impermeable Sierra", "moda", "1199.00", 0.8),
    ("SKU-10005", "Set de bloques de construcción 500 piezas", "juguetes", "899.00", 1.1),
    ("SKU-10006", "Crema hidratante facial 50 ml", "belleza", "349.00", 0.15),
    ("SKU-10007", "Cafetera de goteo 12 tazas", "hogar", "999.00", 2.4),
)

#: category → (product nouns, adjectives, price range MXN, weight range kg)
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[int, int], tuple[float, float]]] = {
    "electrónica": (
        ("Audífonos", "Bocina Bluetooth", "Smartwatch", "Tableta", "Cargador rápido", "Teclado",
         "Mouse inalámbrico", "Pantalla 50\"", "Cámara de seguridad", "Laptop 14\""),
        ("Pro", "Lite", "Max", "Plus", "Mini", "Ultra"),
        (199, 18999), (0.1, 12.0),
    ),
    "hogar": (
        ("Sartén", "Juego de sábanas", "Almohada", "Lámpara de mesa", "Batidora", "Aspiradora",
         "Tostador", "Juego de toallas", "Organizador", "Olla de presión"),
        ("clásico", "premium", "compacto", "familiar", "de acero", "de bambú"),
        (149, 6999), (0.3, 9.0),
    ),
    "moda": (
        ("Playera", "Jeans", "Vestido", "Sudadera", "Bolsa", "Cinturón", "Gorra", "Chamarra",
         "Blusa", "Bermuda"),
        ("básica", "slim", "oversize", "de algodón", "casual", "de temporada"),
        (199, 2499), (0.1, 1.5),
    ),
    "deportes": (
        ("Balón de fútbol", "Tapete de yoga", "Mancuernas", "Bicicleta urbana", "Casco",
         "Botella térmica", "Raqueta", "Guantes de box", "Cuerda para saltar", "Mochila"),
        ("pro", "de entrenamiento", "ligero", "resistente", "ajustable", "oficial"),
        (129, 8999), (0.2, 15.0),
    ),
    "juguetes": (
        ("Muñeca", "Carro a control remoto", "Rompecabezas 1000 piezas", "Juego de mesa",
         "Peluche", "Set de arte", "Pista de carreras", "Figura de acción", "Dron infantil"),
        ("clásico", "interactivo", "educativo", "de colección", "gigante", "mini"),
        (149, 3499), (0.2, 4.0),
    ),
    "belleza": (
        ("Perfume", "Shampoo", "Secadora de cabello", "Paleta de sombras", "Protector solar",
         "Plancha para cabello", "Sérum", "Kit de maquillaje"),
        ("100 ml", "profesional", "de viaje", "hidratante", "natural", "intensivo"),
        (99, 3499), (0.05, 1.5),
    ),
    "supermercado": (
        ("Café de Chiapas 1 kg", "Aceite de oliva 1 L", "Despensa básica", "Chocolate de Oaxaca",
         "Miel de abeja", "Salsa macha"),
        ("orgánico", "artesanal", "paquete familiar", "gourmet"),
        (59, 899), (0.2, 6.0),
    ),
    "mascotas": (
        ("Croquetas 4 kg", "Cama para perro", "Rascador para gato", "Correa retráctil",
         "Arena para gato"),
        ("premium", "grande", "mediano", "resistente"),
        (99, 1999), (0.3, 10.0),
    ),
}

SELLERS = ("Comercializadora Azteca", "TecnoMundo MX", "Casa Bonita Hogar", "Deportes del Norte")


def build_catalog(rng: random.Random, count: int) -> list[ProductIn]:
    """``count`` products (at least the story ones): SKU-10000, SKU-10001, …"""
    products = [
        ProductIn(sku=sku, name=name, category=cat, price=Decimal(price), weight_kg=weight,
                  online_available=0)
        for sku, name, cat, price, weight in STORY_PRODUCTS
    ]
    categories = list(CATEGORIES)
    for n in range(len(products), max(count, len(products))):
        category = categories[n % len(categories)]
        nouns, adjectives, (low, high), (wlow, whigh) = CATEGORIES[category]
        price = round(rng.uniform(low, high) / 10) * 10 - 1
        products.append(ProductIn(
            sku=f"SKU-{10000 + n}",
            name=f"{rng.choice(nouns)} {rng.choice(adjectives)} {rng.randint(100, 999)}",
            category=category,
            price=Decimal(max(price, 49)),
            weight_kg=round(rng.uniform(wlow, whigh), 2),
            marketplace_seller=rng.choice(SELLERS) if rng.random() < 0.08 else None,
        ))
    return products
