"""A small Spanish→English glossary of retail and policy terms, to bridge languages.

The embedding model (all-MiniLM-L6-v2) is English-centric and several internal documents exist
only in English, so a Spanish question is also searched as an English *gloss*: its domain words
translated word by word (multi-word terms first). The glossary is domain knowledge — the
vocabulary of the policy library and of how Mexican shoppers ask about orders — not a list of
evaluation questions. Words it does not know (names, numbers, ids such as OXXO or PO-5000) are
kept as they are; Spanish function words are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from knowledge.lexical import STOPWORDS, fold

# Multi-word terms, matched on folded text before single words.
PHRASES: dict[str, str] = {
    "recoger en tienda": "pickup in store",
    "recoges en tienda": "pickup in store",
    "recojo en tienda": "pickup in store",
    "comprar en linea": "buy online",
    "compra en linea": "online order",
    "tarjeta de regalo": "gift card",
    "tarjetas de regalo": "gift cards",
    "tarjeta de credito": "credit card",
    "tarjeta de debito": "debit card",
    "meses sin intereses": "instalments interest-free",
    "numero de guia": "tracking number",
    "numero de pedido": "order number",
    "mismo dia": "same day",
    "ropa interior": "underwear",
    "traje de bano": "swimsuit",
    "trajes de bano": "swimsuits",
    "fecha prometida": "promised date",
    "fecha de entrega": "delivery date",
    "dias habiles": "business days",
    "atencion a clientes": "customer service",
    "servicio al cliente": "customer service",
    "datos personales": "personal data",
    "derechos arco": "ARCO rights",
    "buen fin": "Buen Fin",
    "dejo de funcionar": "stopped working defect",
    "no funciona": "not working defect",
    "no me llego": "not received",
    "nunca me llego": "never received",
    "llego tarde": "arrived late",
    "llego roto": "arrived broken damaged",
    "llego rota": "arrived broken damaged",
    "vendedor externo": "third-party seller",
    "en lugar de": "instead of",
    "sin autorizacion": "without approval",
    "a tiempo": "on time",
    "cuanto tiempo": "how long",
    "cuantos dias": "how many days",
    "que hora": "what time",
    "a que hora": "what time",
}

WORDS: dict[str, str] = {
    # orders and delivery
    "pedido": "order", "orden": "order", "compra": "purchase", "compre": "bought",
    "comprar": "buy", "compraste": "bought", "envio": "shipping", "enviar": "ship",
    "enviado": "shipped", "envian": "ship", "mandar": "send", "manden": "send",
    "mandarlo": "send", "entrega": "delivery", "entregado": "delivered", "entregar": "deliver",
    "entrego": "drop off", "llega": "arrives", "llego": "arrived", "llegue": "arrive",
    "llegara": "arrive", "paquete": "parcel package", "caja": "box", "cajas": "boxes",
    "paqueteria": "carrier", "mensajero": "courier", "rastreo": "tracking", "guia": "tracking label",
    "direccion": "address", "domicilio": "address", "tarde": "late", "tardia": "late",
    "retraso": "delay", "retrasado": "delayed", "atrasado": "late", "prometida": "promised",
    "promesa": "promise", "fecha": "date", "zona": "zone", "zonas": "zones", "rurales": "rural",
    "rural": "rural", "express": "express", "expres": "express", "estandar": "standard",
    "dividido": "split", "dividir": "split", "separado": "separate", "almacen": "warehouse",
    "bodega": "warehouse", "tienda": "store", "tiendas": "stores", "sucursal": "store",
    "recoger": "pick up collect", "recojo": "collect", "recoja": "collect", "recolectar": "collect",
    "recoleccion": "pickup", "guardan": "hold keep", "apartado": "held", "ciudad": "city",
    "ciudades": "cities", "dia": "day", "dias": "days", "semana": "week", "semanas": "weeks",
    "mes": "month", "meses": "months", "hora": "time hour", "horas": "hours", "horario": "hours schedule",
    "manana": "tomorrow", "hoy": "today", "anoche": "last night",
    # returns, refunds, money
    "devolucion": "return", "devoluciones": "returns", "devolver": "return", "devuelvo": "return",
    "devuelven": "refund give back", "regresar": "return send back", "regresan": "refund give back",
    "regreso": "return", "cambio": "exchange", "cambios": "exchanges", "cambiar": "change exchange",
    "talla": "size", "color": "colour", "reembolso": "refund", "reembolsos": "refunds",
    "reembolsan": "refund", "reembolsar": "refund", "dinero": "money", "pague": "paid",
    "pago": "payment", "pagar": "pay", "pagado": "paid", "efectivo": "cash", "tarjeta": "card",
    "credito": "credit", "debito": "debit", "cobran": "charge", "cobro": "charge", "cargo": "charge",
    "costo": "cost", "precio": "price", "precios": "prices", "igualan": "match", "igualar": "match",
    "diferencia": "difference", "bajo": "dropped", "cupon": "coupon", "cupones": "coupons",
    "descuento": "discount", "promocion": "promotion", "promociones": "promotions",
    "equivocado": "wrong", "error": "error", "saldo": "balance", "vencen": "expire",
    "vence": "expire", "regalo": "gift", "ticket": "receipt", "recibo": "receipt",
    "plazo": "window deadline", "empaque": "packaging", "original": "original", "pieza": "part",
    "piezas": "parts", "abierto": "opened", "abri": "opened", "usado": "used",
    "electronicos": "electronics", "audifonos": "headphones", "laptop": "laptop",
    "ropa": "clothes", "tenis": "sneakers shoes", "zapatos": "shoes", "chamarra": "jacket",
    "blusa": "blouse shirt", "prepagada": "prepaid", "etiqueta": "label",
    # problems
    "roto": "broken", "rota": "broken", "danado": "damaged", "danada": "damaged",
    "danos": "damage", "dano": "damage", "perdido": "lost", "perdio": "lost", "perdi": "lost",
    "robaron": "stolen", "robo": "theft", "agua": "water", "defecto": "defect",
    "defectuoso": "defective", "funciona": "works", "garantia": "warranty", "cubre": "covers",
    "reclamacion": "claim", "reclamo": "claim", "queja": "complaint", "quejas": "complaints",
    "agoto": "out of stock", "agotado": "out of stock", "agotados": "out of stock",
    "preventa": "pre-order", "existencias": "stock", "inventario": "inventory",
    "licuadora": "blender", "pantalla": "screen tv", "television": "tv",
    # account, identity, privacy, help
    "cancelar": "cancel", "cancelo": "cancel", "cancelacion": "cancellation",
    "empacado": "packed", "surtido": "picked", "identidad": "identity",
    "identificacion": "id identification", "verificar": "verify", "hermano": "brother",
    "hermana": "sister", "persona": "person human", "humano": "human", "asesor": "agent",
    "agente": "agent", "supervisor": "supervisor", "hablar": "talk", "llamaron": "called",
    "datos": "data", "privacidad": "privacy", "borrar": "delete", "borro": "delete",
    "eliminar": "delete", "copia": "copy", "solicitud": "request", "responder": "answer",
    "ley": "law", "proteccion": "protection", "cuenta": "account", "contrasena": "password",
    "atencion": "service", "clientes": "customers", "cliente": "customer",
    # internal operations
    "compensacion": "compensation", "cortesia": "goodwill", "autorizacion": "approval",
    "aprobar": "approve", "aprueba": "approves", "fraude": "fraud", "senales": "signals",
    "sospecha": "suspicion", "escalar": "escalate", "escalo": "escalate", "caso": "case",
    "panel": "panel", "nodo": "node", "nodos": "nodes", "saturado": "over capacity",
    "capacidad": "capacity", "riesgo": "risk", "redirigir": "reroute", "reasignar": "reroute",
    # seasons
    "navidad": "christmas", "enero": "january", "diciembre": "december",
    "temporada": "season", "ultimo": "last",
    # question words and verbs that carry meaning
    "cuanto": "how much", "cuanta": "how much", "cuando": "when", "donde": "where",
    "porque": "why", "necesito": "need", "necesitan": "need", "tengo": "have",
    "tardan": "take long", "tarda": "take long", "dura": "lasts", "pasa": "happens",
    "funcionar": "working", "mismo": "same", "otra": "another", "otro": "another",
    "nueva": "new", "nuevo": "new", "grande": "big", "mas": "more",
}

_WORD = re.compile(r"[a-z0-9]+(?:-[0-9]+)?")
_PHRASES = sorted(PHRASES, key=len, reverse=True)


def gloss(text: str, drop: Collection[str] = frozenset()) -> str:
    """An English rendering of the domain words of a Spanish ``text`` (best effort).

    Args:
        text: The Spanish question.
        drop: Folded words to leave out when the glossary does not translate them. The
            retriever passes the words that occur only in its Spanish sections: kept in an
            "English" gloss they are noise to the English-centric embedding model (and the
            Spanish question itself already carries them to the lexical side).

    Examples:
        >>> gloss("¿Cuánto tarda el reembolso a mi tarjeta de crédito?")
        'how much take long refund credit card'
    """
    folded = f" {' '.join(_WORD.findall(fold(text)))} "
    for phrase in _PHRASES:
        folded = folded.replace(f" {phrase} ", f" {PHRASES[phrase]} ")
    out: list[str] = []
    for word in folded.split():
        english = WORDS.get(word)
        if english is None and len(word) > 4 and word.endswith("s"):
            english = WORDS.get(word[:-1]) or (WORDS.get(word[:-2]) if word.endswith("es") else None)
        if english is not None:
            out.append(english)
        elif word not in STOPWORDS and word not in drop:
            out.append(word)
    return " ".join(out)
