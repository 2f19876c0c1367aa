"""Writer for the self-service results: proposals, executed actions, refund status, cases.

Every number, date and id comes from the tool result (DESIGN rule 1). The domain's refusal
``reason`` is English prose for staff and logs, so refusals are phrased from their stable
``code`` (and line number) in the customer's language.
"""

from __future__ import annotations

from typing import Any

from agent.offline.dialogue import ToolResult
from agent.offline.fmt import fmt_date, fmt_money

T: dict[str, tuple[str, str]] = {
    # questions
    "ss_ask_address": ("What is the new delivery address? Please give street and number, city, state and postal code.",
                       "¿Cuál es la nueva dirección de entrega? Dime calle y número, ciudad, estado y código postal."),
    "ss_ask_claim_kind": ("I'm sorry. What happened: did it arrive damaged, is an item missing, or did it never arrive?",
                          "Lo siento. ¿Qué pasó: llegó dañado, falta un artículo o nunca llegó?"),
    "ss_ask_exchange_sku": ("Which size or colour would you like instead? The product code (SKU) helps.",
                            "¿Qué talla o color quieres a cambio? El código del producto (SKU) ayuda."),
    "confirm": ("Please confirm on the card to go ahead.", "Confírmalo en la tarjeta para continuar."),
    # cancel
    "cancel_whole": ("I can cancel the whole order {order}.", "Puedo cancelar todo el pedido {order}."),
    "cancel_lines": ("I can cancel line {lines} of {order}.", "Puedo cancelar la línea {lines} de {order}."),
    "refund_quote": ("You'd get {amount} back to {method} by {day}.", "Se te devolverían {amount} a {method} a más tardar el {day}."),
    "cannot_cancel": ("I can't cancel {order}: {why}.", "No puedo cancelar {order}: {why}."),
    "cancelled": ("Done: {what} is cancelled.", "Listo: {what} quedó cancelado."),
    "cancelled_order": ("order {order}", "el pedido {order}"),
    "cancelled_lines": ("line {lines} of {order}", "la línea {lines} de {order}"),
    "refund_issued": ("Refund {id}: {amount} to {method}, by {day}.", "Reembolso {id}: {amount} a {method}, a más tardar el {day}."),
    # address
    "address_ok": ("I can send {order} to {address}: it arrives on {eta}, {kept}.",
                   "Puedo enviar {order} a {address}: llega el {eta}, {kept}."),
    "kept": ("within the promised {day}", "dentro de la fecha prometida ({day})"),
    "new_promise": ("so the promised date moves from {before} to {after}", "así que la fecha prometida cambia del {before} al {after}"),
    "cannot_address": ("I can't change the address of {order}: {why}.", "No puedo cambiar la dirección de {order}: {why}."),
    "address_changed": ("Done: {order} now goes to the new address; promised date {day}.",
                        "Listo: {order} ahora va a la nueva dirección; fecha prometida {day}."),
    # returns
    "return_ok": ("You can return line {lines} of {order}: {how}. Refund {amount} to {method} by {day}.",
                  "Puedes devolver la línea {lines} de {order}: {how}. Reembolso de {amount} a {method} a más tardar el {day}."),
    "how_store": ("drop it off at {node}", "entrégalo en {node}"),
    "how_store_card": ("drop it off at the store shown on the card", "entrégalo en la tienda que indica la tarjeta"),
    "how_carrier": ("the carrier picks it up", "la paquetería pasa por él"),
    "seller": ("The seller {seller} issues the refund.", "El vendedor {seller} emite el reembolso."),
    "cannot_return": ("I can't start that return for {order}: {why}.", "No puedo iniciar esa devolución de {order}: {why}."),
    "returned": ("Done: return {rma} for {order}; {how}. Refund {amount} to {method} by {day}.",
                 "Listo: devolución {rma} de {order}; {how}. Reembolso de {amount} a {method} a más tardar el {day}."),
    # exchange
    "exchange_ok": ("I can exchange line {line} of {order} for {sku}{variant}: it ships from {node} and arrives on {eta}.",
                    "Puedo cambiar la línea {line} de {order} por {sku}{variant}: sale de {node} y llega el {eta}."),
    "cannot_exchange": ("I can't make that exchange for {order}: {why}.", "No puedo hacer ese cambio de {order}: {why}."),
    "exchanged": ("Done: the replacement order is {new}; return {rma} for the original item.",
                  "Listo: el pedido de reposición es {new}; devolución {rma} para el artículo original."),
    # refunds
    "refunds_none": ("There are no refunds{scope}.", "No hay reembolsos{scope}."),
    "refunds": ("Refunds{scope}: {items}.", "Reembolsos{scope}: {items}."),
    "refund_item": ("{id} ({order}) {amount} to {method}, {state}, by {day}", "{id} ({order}) {amount} a {method}, {state}, a más tardar el {day}"),
    "scope_order": (" for {order}", " de {order}"),
    # claims and complaints
    "claim_ok": ("I can open a claim for {order} ({kind}): {resolution}.", "Puedo abrir un reclamo de {order} ({kind}): {resolution}."),
    "claim_staff": ("A person from our team will review it.", "Una persona de nuestro equipo lo revisará."),
    "claim_missing": ("To open the claim for {order} I need: {facts}.", "Para abrir el reclamo de {order} necesito: {facts}."),
    "cannot_claim": ("I can't open that claim for {order}: {why}.", "No puedo abrir ese reclamo de {order}: {why}."),
    "case_opened": ("Done: case {case} is {status}; {resolution}.", "Listo: el caso {case} quedó {status}; {resolution}."),
    "reship_from": ("It ships from {node} and arrives on {eta}.", "Sale de {node} y llega el {eta}."),
    "our_warehouse": ("our warehouse", "nuestro almacén"),
    "reship_order": ("The replacement is order {new}.", "La reposición es el pedido {new}."),
    "complaint_filed": ("Done: your complaint is case {case}; our team will review it.",
                        "Listo: tu queja es el caso {case}; nuestro equipo la revisará."),
    "visitor": ("To do this yourself, sign in to your account. Would you like me to pass you to a person instead?",
                "Para hacerlo tú mismo, inicia sesión en tu cuenta. ¿Quieres que te comunique con una persona?"),
    "replayed": ("(This was already done; nothing ran twice.)", "(Ya estaba hecho; nada se ejecutó dos veces.)"),
}
METHOD = {"original_payment": ("your original payment method", "tu método de pago original"),
          "store_credit": ("store credit", "saldo en tienda")}
STATE = {"pending": ("pending", "pendiente"), "issued": ("issued", "emitido"), "completed": ("completed", "completado"),
         "failed": ("failed", "fallido"), "open": ("open", "abierto"), "escalated": ("escalated to a person", "escalado a una persona"),
         "resolved": ("resolved", "resuelto"), "closed": ("closed", "cerrado")}
KIND = {"damaged": ("damaged", "dañado"), "missing_item": ("missing item", "artículo faltante"),
        "not_arrived": ("never arrived", "nunca llegó"), "complaint": ("complaint", "queja")}
RESOLUTION = {"reship": ("we send the item again", "te enviamos el artículo de nuevo"),
              "refund": ("we refund it", "te reembolsamos"),
              "investigation": ("we investigate with the carrier", "investigamos con la paquetería"),
              "staff_review": ("our team reviews it", "nuestro equipo lo revisa")}
FACTS = {"photos": ("photos of the package and the item", "fotos del paquete y del artículo"),
         "line_nos": ("which items", "qué artículos"), "description": ("what happened", "qué pasó")}
#: refusal code → why, in the customer's words ({line} is the line number when there is one)
WHY: dict[str, tuple[str, str]] = {
    "line_picked": ("line {line} is already being prepared, but you can refuse the delivery or return it once delivered",
                    "la línea {line} ya se está preparando, pero puedes rechazar la entrega o devolverla cuando llegue"),
    "line_shipped": ("it has already shipped; you can refuse the delivery or return it once delivered",
                     "ya se envió; puedes rechazar la entrega o devolverlo cuando llegue"),
    "line_delivered": ("it was already delivered; you can start a return inside the return window",
                       "ya se entregó; puedes iniciar una devolución dentro del plazo"),
    "already_cancelled": ("line {line} is already cancelled", "la línea {line} ya está cancelada"),
    "order_cancelled": ("it is already cancelled", "ya está cancelado"),
    "already_shipped": ("it has already shipped", "ya se envió"),
    "pickup_order": ("it is a store pickup order, so it has no delivery address", "es un pedido para recoger en tienda, no tiene dirección de entrega"),
    "nothing_open": ("nothing in it is still to be delivered", "no le queda nada por entregar"),
    "node_cannot_ship": ("its store can't ship to that address", "su tienda no puede enviar a esa dirección"),
    "not_delivered": ("it hasn't been delivered yet", "aún no se ha entregado"),
    "no_delivery_date": ("there is no delivery date to count from; support can check", "no hay fecha de entrega para contar el plazo; soporte puede revisarlo"),
    "damaged_is_a_claim": ("line {line} arrived damaged, which is a claim rather than a return", "la línea {line} llegó dañada: eso es un reclamo, no una devolución"),
    "category_excluded": ("line {line} is in a category that can't be returned", "la línea {line} es de una categoría que no admite devoluciones"),
    "item_used": ("line {line} has been used; a warranty claim is possible if it is defective",
                  "la línea {line} ya se usó; si está defectuosa puedes hacer un reclamo de garantía"),
    "window_closed": ("the return window{of_line} has closed", "el plazo de devolución{of_line} ya venció"),
    "already_returned": ("line {line} has already been returned", "la línea {line} ya se devolvió"),
    "refunded_in_full": ("it has already been refunded in full", "ya se reembolsó por completo"),
    "too_early": ("it is still within its delivery time; a lost-parcel claim opens later", "todavía está dentro de su tiempo de entrega; el reclamo por extravío se abre más adelante"),
    "not_shipped": ("it hasn't shipped yet", "todavía no se ha enviado"),
    "claim_window_closed": ("the time to report this has passed", "ya pasó el plazo para reportarlo"),
    "no_delivery_scan": ("there is no delivery scan to review", "no hay registro de entrega que revisar"),
    "not_a_variant": ("that product is not another size or colour of the same item", "ese producto no es otra talla o color del mismo artículo"),
    "price_higher": ("the new variant costs more; you can return it and buy the new one", "la nueva variante cuesta más; puedes devolverlo y comprar la nueva"),
    "out_of_stock": ("that variant is out of stock; you can return it for a refund", "esa variante no tiene existencias; puedes devolverlo y recibir tu reembolso"),
}
TOOLS = frozenset({"propose_cancel", "cancel_order", "propose_address_change", "change_address", "propose_return",
                   "start_return", "propose_exchange", "exchange_item", "get_refund_status", "propose_claim",
                   "open_claim", "file_complaint"})


def t(key: str, lang: str, **kw: Any) -> str:
    """The self-service phrase ``key`` in ``lang``, filled with ``kw``."""
    en, es = T[key]
    return (es if lang == "es" else en).format(**kw)


def _l(table: dict[str, tuple[str, str]], key: Any, lang: str) -> str:
    pair = table.get(str(key))
    return (pair[1] if lang == "es" else pair[0]) if pair else str(key)


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _nos(rows: Any) -> str:
    nos = [str(r.get("line_no")) for r in rows or [] if isinstance(r, dict) and r.get("line_no") is not None]
    return ", ".join(nos) or "-"


def why(refusals: Any, lang: str) -> str:
    """Each refusal in words, once per code and line."""
    out: list[str] = []
    for ref in refusals or []:
        if not isinstance(ref, dict):
            continue
        line = ref.get("line_no")
        of_line = ((" de la línea {0}" if lang == "es" else " for line {0}").format(line)) if line else ""
        pair = WHY.get(str(ref.get("code")))
        text = (pair[1] if lang == "es" else pair[0]).format(line=line or "", of_line=of_line) if pair else str(ref.get("code"))
        if text not in out:
            out.append(text)
    return "; ".join(out) or "-"


def _refund(data: dict[str, Any], lang: str) -> dict[str, str]:
    refund = _d(data.get("refund"))
    return {"amount": fmt_money(refund.get("amount")), "method": _l(METHOD, refund.get("method"), lang),
            "day": fmt_date(refund.get("expected_by"), lang)}


def _how(data: dict[str, Any], lang: str, staff: bool) -> str:
    if data.get("method") == "carrier_pickup":
        return t("how_carrier", lang)
    if not staff:  # shoppers read the store's name on the card, never a node code
        return t("how_store_card", lang)
    return t("how_store", lang, node=data.get("dropoff_node_id") or "-")


def proposal(res: ToolResult, lang: str, staff: bool = True) -> str:
    """A proposal: what would change (and be refunded), or why not."""
    data = _d(res.result)
    order = data.get("order_id") or res.args.get("order_id", "?")
    if res.name == "propose_cancel":
        if not data.get("eligible"):
            return t("cannot_cancel", lang, order=order, why=why(data.get("refusals"), lang))
        head = t("cancel_whole", lang, order=order) if data.get("whole_order") else \
            t("cancel_lines", lang, order=order, lines=_nos(data.get("lines")))
        return f"{head} {t('refund_quote', lang, **_refund(data, lang))}" if data.get("refund") else head
    if res.name == "propose_address_change":
        if not data.get("eligible"):
            return t("cannot_address", lang, order=order, why=why(data.get("refusals"), lang))
        new = _d(data.get("new_address"))
        address = ", ".join(str(new[k]) for k in ("line1", "city", "state", "postal_code") if new.get(k))
        kept = t("kept", lang, day=fmt_date(data.get("promised_date"), lang)) if data.get("keeps_promise") else \
            t("new_promise", lang, before=fmt_date(data.get("previous_promised_date"), lang),
              after=fmt_date(data.get("promised_date"), lang))
        return t("address_ok", lang, order=order, address=address or "-", eta=fmt_date(data.get("eta"), lang), kept=kept)
    if res.name == "propose_return":
        if not data.get("eligible"):
            return t("cannot_return", lang, order=order, why=why(data.get("refusals"), lang))
        text = t("return_ok", lang, order=order, lines=_nos(data.get("lines")), how=_how(data, lang, staff), **_refund(data, lang))
        return f"{text} {t('seller', lang, seller=data['seller'])}" if data.get("seller") else text
    if res.name == "propose_exchange":
        if not data.get("eligible"):
            return t("cannot_exchange", lang, order=order, why=why(data.get("refusals"), lang))
        variant = f" ({data['variant']})" if data.get("variant") else ""
        return t("exchange_ok", lang, order=order, line=data.get("line_no", "?"), sku=data.get("to_sku", "?"),
                 variant=variant, node=(data.get("node_id") or "-") if staff else t("our_warehouse", lang),
                 eta=fmt_date(data.get("eta"), lang))
    # propose_claim
    if data.get("missing_facts"):
        return t("claim_missing", lang, order=order, facts=", ".join(_l(FACTS, f, lang) for f in data["missing_facts"]))
    if not data.get("eligible"):
        return t("cannot_claim", lang, order=order, why=why(data.get("refusals"), lang))
    text = t("claim_ok", lang, order=order, kind=_l(KIND, data.get("kind"), lang),
             resolution=_l(RESOLUTION, data.get("resolution"), lang))
    if data.get("refund"):
        text += " " + t("refund_quote", lang, **_refund(data, lang))
    if data.get("replacement_node_id"):
        node = data["replacement_node_id"] if staff else t("our_warehouse", lang)
        text += " " + t("reship_from", lang, node=node, eta=fmt_date(data.get("replacement_eta"), lang))
    return f"{text} {t('claim_staff', lang)}" if data.get("needs_staff") else text


def executed(res: ToolResult, lang: str, staff: bool = True) -> str:
    """An action that ran (after the confirmation)."""
    data = _d(res.result)
    order = data.get("order_id") or res.args.get("order_id", "?")
    if res.name == "cancel_order":
        cancelled = data.get("cancelled") or []
        what = t("cancelled_order", lang, order=order) if data.get("order_status") == "cancelled" else \
            t("cancelled_lines", lang, order=order, lines=_nos(cancelled))
        text = t("cancelled", lang, what=what)
        if data.get("refund"):
            text += " " + t("refund_issued", lang, id=data.get("refund_id") or "-", **_refund(data, lang))
    elif res.name == "change_address":
        text = t("address_changed", lang, order=order, day=fmt_date(data.get("promised_date"), lang))
    elif res.name == "start_return":
        text = t("returned", lang, rma=data.get("rma_id", "?"), order=order, how=_how(data, lang, staff), **_refund(data, lang))
    elif res.name == "exchange_item":
        text = t("exchanged", lang, new=data.get("new_order_id", "?"), rma=data.get("rma_id", "?"))
    elif data.get("kind") == "complaint":
        text = t("complaint_filed", lang, case=data.get("case_id", "?"))
    else:
        text = t("case_opened", lang, case=data.get("case_id", "?"), status=_l(STATE, data.get("status"), lang),
                 resolution=_l(RESOLUTION, data.get("resolution"), lang))
        if data.get("refund"):
            text += " " + t("refund_issued", lang, id=data.get("refund_id") or "-", **_refund(data, lang))
        if data.get("replacement_order_id"):
            text += " " + t("reship_order", lang, new=data["replacement_order_id"])
    return f"{text} {t('replayed', lang)}" if data.get("replayed") else text


def refunds(res: ToolResult, lang: str) -> str:
    """A refund-status result in words: each refund with its amount and state."""
    data = _d(res.result)
    rows = [r for r in data.get("refunds") or [] if isinstance(r, dict)]
    scope = t("scope_order", lang, order=data["order_id"]) if data.get("order_id") else ""
    if not rows:
        return t("refunds_none", lang, scope=scope)
    items = "; ".join(t("refund_item", lang, id=r.get("refund_id", "?"), order=r.get("order_id", "?"),
                        amount=fmt_money(r.get("amount")), method=_l(METHOD, r.get("method"), lang),
                        state=_l(STATE, r.get("status"), lang), day=fmt_date(r.get("expected_by"), lang))
                      for r in rows[:6])
    return t("refunds", lang, scope=scope, items=items)


def write_result(res: ToolResult, lang: str, staff: bool = True) -> str:
    """Text for one successful self-service tool result (``staff`` read node codes too)."""
    if res.name == "get_refund_status":
        return refunds(res, lang)
    if res.name.startswith("propose_"):
        return proposal(res, lang, staff)
    return executed(res, lang, staff)


def visitor_offer(role: str | None, self_service: bool, lang: str) -> str | None:
    """A verified visitor asked for a change: how to make it, and the offer of a person."""
    return t("visitor", lang) if role == "anonymous" and self_service else None


def reply(key: str, lang: str) -> str | None:
    """A question this module's planner asks, or None when the key is not one of them."""
    return t(key, lang) if key in T and key.startswith("ss_ask") else None
