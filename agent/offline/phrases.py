"""Every sentence the offline model says, in English and Spanish (str.format templates)."""

from __future__ import annotations

from typing import Any

P: dict[str, tuple[str, str]] = {
    # replies without tools
    "greeting": ("Hi! I can help with your orders, deliveries, pickups and store policies. What do you need?",
                 "¡Hola! Te ayudo con tus pedidos, entregas, recolecciones y políticas de la tienda. ¿Qué necesitas?"),
    "thanks": ("You're welcome! Anything else I can help with?", "¡Con gusto! ¿Te ayudo con algo más?"),
    # Not understanding is said as such, never as a permission problem.
    "out_of_scope": ("I'm not sure I can help with that here. I can help with your orders, deliveries, pickups, "
                     "returns, stock and store policies, or connect you with a person.",
                     "No estoy seguro de poder ayudarte con eso aquí. Te ayudo con tus pedidos, entregas, "
                     "recolecciones, devoluciones, inventario y políticas de la tienda, o te comunico con una persona."),
    "out_of_scope_topic": ("I can't help with {topic} here. Would you like me to connect you with a person who can?",
                           "Aquí no puedo ayudarte con {topic}. ¿Quieres que te comunique con una persona que sí pueda?"),
    "ask_reading": ("Do you mean {a}, or {b}?", "¿Te refieres a {a} o a {b}?"),
    "ask_order_id": ("Could you give me your order number? It looks like PO-5001.",
                     "¿Me compartes tu número de pedido? Se ve así: PO-5001."),
    "ask_identifier": ("Which customer? Give me an email, a phone number, a customer id (C-1002) or a name.",
                       "¿Qué cliente? Dame un correo, un teléfono, un número de cliente (C-1002) o un nombre."),
    "ask_metric": ("Which metric do you need: on-time rate, utilisation, orders or late orders?",
                   "¿Qué métrica necesitas: tasa de puntualidad, ocupación, pedidos o pedidos tarde?"),
    "ask_sku": ("Which product? Give me its SKU, for example SKU-10042.",
                "¿Qué producto? Dame su SKU, por ejemplo SKU-10042."),
    "refusal_tool": ("That's not something I can help with here. I can help with your orders, deliveries, "
                     "pickups and store policies, or connect you with a person.",
                     "Eso no lo puedo atender por aquí. Te ayudo con tus pedidos, entregas, recolecciones y "
                     "políticas de la tienda, o te comunico con una persona."),
    "refusal_verify": ("To look up an order I need you to sign in, or to verify the order with its number and your email.",
                       "Para consultar un pedido necesito que inicies sesión o que verifiques el pedido con su número y tu correo."),
    "refusal_approve": ("This change needs approval from our staff; I can't apply it from this account.",
                        "Este cambio necesita la aprobación de nuestro personal; no puedo aplicarlo desde esta cuenta."),
    "nothing_pending": ("There's nothing waiting for your confirmation right now. How can I help?",
                        "No hay nada pendiente de tu confirmación. ¿En qué te ayudo?"),
    "rejected": ("Understood, I won't change anything.", "Entendido, no cambiaré nada."),
    "anything_else": ("All right. Anything else I can help with?", "De acuerdo. ¿Te ayudo con algo más?"),
    # order status
    "status_line": ("Order {order_id} is {status}.", "El pedido {order_id} está {status}."),
    "carrier": ("It travels with {carrier}{tracking}.", "Viaja con {carrier}{tracking}."),
    "carrier_planned": ("It will ship with {carrier}.", "Se enviará con {carrier}."),
    "tracking": (" (tracking {number})", " (guía {number})"),
    "eta_on_time": ("It should arrive on {eta}, in time for the promised {promised}.",
                    "Debe llegar el {eta}, a tiempo para la fecha prometida ({promised})."),
    "eta_late": ("It was promised for {promised} but is now expected on {eta}.",
                 "Se prometió para el {promised}, pero ahora se espera el {eta}."),
    "eta_at_risk": ("It is expected on {eta}, but the promised {promised} is at risk.",
                    "Se espera el {eta}, pero la fecha prometida ({promised}) está en riesgo."),
    "promised_only": ("It was promised for {promised}.", "Se prometió para el {promised}."),
    "pickup_ready": ("You can pick it up at {node} until {until}.",
                     "Puedes recogerlo en {node} hasta el {until}."),
    "delivered_return": ("It was delivered; you can return it until {until}.",
                         "Ya se entregó; puedes devolverlo hasta el {until}."),
    "late_offer": ("I can look into shipping it from another store or switching it to pickup if you like.",
                   "Si quieres, puedo revisar si se puede enviar desde otra tienda o cambiarlo a recolección."),
    # the notice the customer already got about the order (the answer continues from it)
    "notice_delay": ("We already wrote to you about this delay on {sent}.",
                     "Ya te escribimos sobre este retraso el {sent}."),
    "notice_offer": ("As we wrote to you on {sent}, you can still pick it up at {store} on {ready} instead: "
                     "use the button on that message, or tell me.",
                     "Como te escribimos el {sent}, aún puedes recogerlo en {store} el {ready}: "
                     "usa el botón de ese mensaje o dímelo."),
    "notice_saved": ("As we wrote to you on {sent}, we changed how it travels so it still arrives on time.",
                     "Como te escribimos el {sent}, cambiamos cómo viaja para que siga llegando a tiempo."),
    "notice_reminder": ("We reminded you on {sent} that it is waiting for you at the store.",
                        "El {sent} te recordamos que te espera en la tienda."),
    # errors
    "err_not_found": ("I couldn't find an order with that number linked to your account.",
                      "No encontré un pedido con ese número asociado a tu cuenta."),
    "err_not_found_other": ("I couldn't find that. Could you check the details?",
                            "No encontré eso. ¿Puedes revisar los datos?"),
    "err_forbidden": ("I can't share or change that from this account.",
                      "No puedo mostrar ni cambiar eso desde esta cuenta."),
    "err_invalid_input": ("That doesn't look right{field}. Could you check it?",
                          "Eso no parece correcto{field}. ¿Lo puedes revisar?"),
    # {message} is the domain's English explanation: shown to English readers only
    "err_conflict": ("That can't be applied any more because things changed in the meantime: {message}",
                     "Eso ya no se puede aplicar porque algo cambió mientras tanto. ¿Quieres que lo revise de nuevo?"),
    "last_scan": ("Last carrier update: {what}{where}, {day}.", "Última actualización de la paquetería: {what}{where}, {day}."),
    "scan_where": (" in {place}", " en {place}"),
    "carrier_note": ("Carrier's note: \"{note}\".", "Nota de la paquetería: \"{note}\"."),
    "cannot_change_now": ("{order_id} can't be switched any more; here is where it stands:",
                          "{order_id} ya no se puede cambiar; así va:"),
    "err_policy_violation": ("Our policy doesn't allow that: {message}",
                             "Nuestra política no permite ese cambio en el estado actual del pedido."),
    "err_other": ("Something went wrong on our side. I can pass this to a person if you like.",
                  "Algo falló de nuestro lado. Si quieres, te comunico con una persona."),
    # lists and proposals
    "orders_open": ("You have {n} open orders: {items}.", "Tienes {n} pedidos abiertos: {items}."),
    "orders_open_one": ("You have one open order: {items}.", "Tienes un pedido abierto: {items}."),
    "orders_all": ("You have {n} orders: {items}.", "Tienes {n} pedidos: {items}."),
    "orders_all_one": ("You have one order: {items}.", "Tienes un pedido: {items}."),
    "orders_none": ("You have no open orders.", "No tienes pedidos abiertos."),
    "which_order": ("Which one do you mean?", "¿Cuál de ellos?"),
    "order_item": ("{order_id} ({status}, promised {promised})", "{order_id} ({status}, prometido el {promised})"),
    "reroute_rec": ("For {order_id} I recommend {what}: {when}, {meets} the promised {promised}.",
                    "Para {order_id} recomiendo {what}: {when}, {meets} la fecha prometida ({promised})."),
    "when_leaves": ("it would leave on {day} and arrive on {eta}", "saldría el {day} y llegaría el {eta}"),
    "when_arrives": ("it would arrive on {eta}", "llegaría el {eta}"),
    "when_ready": ("it would be ready on {eta}", "estaría listo el {eta}"),
    "cost": ("Shipping cost difference: {cost}.", "Diferencia en costo de envío: {cost}."),
    "ship_from": ("shipping it from {node}", "enviarlo desde {node}"),
    "pickup_at": ("switching it to pickup at {node}", "cambiarlo a recolección en {node}"),
    "meets": ("which meets", "lo que cumple"),
    "misses": ("which misses", "lo que no cumple"),
    "why": ("Why: {reason}.", "Motivo: {reason}."),
    "reroute_none": ("I found no option for {order_id} that works: {reason}.",
                     "No encontré una opción para {order_id} que funcione: {reason}."),
    "ask_approve": ("Shall I go ahead?", "¿Lo aplico?"),
    "executed": ("Done: {order_id} now {what}; expected on {eta}.", "Listo: {order_id} ahora {what}; se espera el {eta}."),
    "executed_what_ship": ("ships from {node}", "sale de {node}"),
    "executed_what_pickup": ("will be ready for pickup at {node}", "estará listo para recoger en {node}"),
    "executed_replayed": ("(This change had already been applied.)", "(Este cambio ya se había aplicado.)"),
    "handoff": ("I've passed this conversation to a person from our team{ref}; they'll follow up shortly.",
                "Ya pasé esta conversación a una persona de nuestro equipo{ref}; te contactará en breve."),
    "handoff_ref": (" (reference {id})", " (referencia {id})"),
}

STATUS: dict[str, tuple[str, str]] = {
    "created": ("created", "creado"), "allocated": ("being prepared", "en preparación"),
    "picking": ("being picked", "en surtido"), "packed": ("packed", "empacado"),
    "shipped": ("shipped", "enviado"), "in_transit": ("in transit", "en camino"),
    "out_for_delivery": ("out for delivery", "en reparto"), "delivered": ("delivered", "entregado"),
    "ready_for_pickup": ("ready for pickup", "listo para recoger"), "picked_up": ("picked up", "recogido"),
    "exception": ("held up by an incident", "detenido por una incidencia"), "cancelled": ("cancelled", "cancelado"),
}
#: Carrier scan types (``TrackingEventType``) in the user's words.
TRACKING: dict[str, tuple[str, str]] = {
    "label_created": ("label created", "guía generada"), "picked_up": ("picked up by the carrier", "recolectado por la paquetería"),
    "in_transit": ("in transit", "en tránsito"), "delay_exception": ("delayed", "con retraso"),
    "out_for_delivery": ("out for delivery", "en ruta de entrega"), "failed_attempt": ("delivery attempt failed", "intento de entrega fallido"),
    "delivered": ("delivered", "entregado"), "ready_for_pickup": ("ready for pickup", "listo para recoger"),
    "picked_up_by_customer": ("collected", "recogido"),
}
REASON: dict[str, tuple[str, str]] = {
    "carrier_delay": ("a carrier delay", "un retraso de la paquetería"),
    "over_capacity": ("a capacity shortfall at the shipping node", "falta de capacidad en el nodo de envío"),
    "out_of_stock": ("the item being out of stock at its store", "falta de inventario en su tienda"),
    "cutoff_missed": ("a missed shipping cutoff", "que no alcanzó el corte de envío"),
    "failed_attempt": ("a failed delivery attempt", "un intento de entrega fallido"),
    "pickup_expired": ("the pickup hold expiring", "que venció el plazo para recoger"),
}


#: What each intent means, as a quick reply offering that reading ("Do you mean …, or …?").
INTENT_LABELS: dict[str, tuple[str, str]] = {
    "where_is_order": ("where your order is", "dónde está tu pedido"),
    "order_late": ("why your order is late", "por qué se retrasó tu pedido"),
    "list_my_orders": ("the list of your orders", "la lista de tus pedidos"),
    "pickup_conversion": ("picking your order up in store", "recoger tu pedido en tienda"),
    "reroute": ("shipping it from another store", "enviarlo desde otra tienda"),
    "policy_question": ("our store policies", "nuestras políticas de la tienda"),
    "customer_lookup": ("finding a customer", "buscar a un cliente"),
    "risk_scan": ("orders at risk of missing their promise", "los pedidos en riesgo de incumplir su promesa"),
    "analytics": ("a report (on-time rate, utilisation, orders)", "un reporte (puntualidad, ocupación, pedidos)"),
    "availability": ("whether a product is in stock", "si hay existencias de un producto"),
    "handoff": ("talking to a person", "hablar con una persona"),
    "cancel_order": ("cancelling an order", "cancelar un pedido"),
    "change_address": ("changing the delivery address", "cambiar la dirección de entrega"),
    "start_return": ("returning an item", "devolver un producto"),
    "exchange_item": ("exchanging an item", "cambiar un producto"),
    "refund_status": ("your refund", "tu reembolso"),
    "report_claim": ("a damaged or missing item", "un producto dañado o faltante"),
    "complaint": ("a complaint about our service", "una queja sobre el servicio"),
    "data_request": ("your personal data", "tus datos personales"),
    "greeting": ("saying hello", "saludar"),
    "thanks": ("saying thanks", "dar las gracias"),
}
#: The subjects the agent does not serve, as they are named in "I can't help with … here".
TOPIC_LABELS: dict[str, tuple[str, str]] = {
    "payments": ("payments", "pagos"),
    "invoices": ("invoices", "facturas"),
    "account_password": ("accounts and passwords", "cuentas y contraseñas"),
    "newsletter": ("newsletters", "boletines"),
    "reviews": ("reviews", "reseñas"),
    "product_advice": ("product advice", "recomendaciones de productos"),
    "jobs": ("jobs", "empleos"),
    "store_hours_unrelated": ("that", "eso"),
    "promotions_coupons": ("promotions and coupons", "promociones y cupones"),
    "other": ("that", "eso"),
}


def say(key: str, lang: str, **params: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``params`` filled in."""
    en, es = P[key]
    return (es if lang == "es" else en).format(**params)


def label(table: dict[str, tuple[str, str]], value: Any, lang: str) -> str:
    """A localised label for an enum value; unknown values shown with underscores as spaces."""
    pair = table.get(str(value))
    if pair is None:
        return str(value).replace("_", " ")
    return pair[1] if lang == "es" else pair[0]
