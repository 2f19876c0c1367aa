"""Notice text from structured fields only (DESIGN rule 1: the words never invent a date).

Every date, option and amount comes from :class:`NoticeFields`; the templates only phrase them,
in Spanish or English.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from promesa.domain.records import Record
from promesa.store.enums import NoticeKind, TriggerKind

_MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
              "octubre", "noviembre", "diciembre")
_DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")

_WHAT = {
    "es": {TriggerKind.carrier_delay: "la paquetería reportó un retraso",
           TriggerKind.stock_loss: "el almacén que lo preparaba se quedó sin el producto",
           TriggerKind.capacity_drop: "el almacén que lo preparaba tiene menos capacidad de la prevista",
           TriggerKind.node_closed: "el almacén que lo preparaba cerró temporalmente",
           TriggerKind.missed_cutoff: "no alcanzó la hora de recolección de la paquetería",
           TriggerKind.pickup_expiring: "tu pedido sigue esperándote en la tienda"},
    "en": {TriggerKind.carrier_delay: "the carrier reported a delay",
           TriggerKind.stock_loss: "the warehouse preparing it ran out of the product",
           TriggerKind.capacity_drop: "the warehouse preparing it has less capacity than planned",
           TriggerKind.node_closed: "the warehouse preparing it closed temporarily",
           TriggerKind.missed_cutoff: "it missed the carrier's pick-up time",
           TriggerKind.pickup_expiring: "your order is still waiting for you at the store"},
}


class NoticeFields(Record):
    order_id: str
    customer_name: str
    trigger: TriggerKind
    promised_date: date
    new_date: date | None = Field(None, description="The new delivery (or last pickup) date.")
    options: list[str] = Field(default_factory=list, description="What the customer may choose.")
    compensation_mxn: float | None = None
    store_name: str | None = None
    pickup_ready: date | None = Field(None, description="A pickup offer: the day the store has it ready.")


def language_of(locale: str | None) -> str:
    """The notice language for a customer's locale: English for ``en*``, else Spanish."""
    return "en" if (locale or "").lower().startswith("en") else "es"


def fmt_date(day: date, language: str) -> str:
    """``day`` written out in ``language`` ('martes 24 de noviembre', 'Tuesday 24 November')."""
    if language == "es":
        return f"{_DAYS_ES[day.weekday()]} {day.day} de {_MONTHS_ES[day.month - 1]}"
    return f"{day:%A} {day.day} {day:%B}"


def draft(kind: NoticeKind, fields: NoticeFields, language: str) -> tuple[str, str]:
    """(subject, body) of a notice in ``language`` ("es" or "en")."""
    es = language == "es"
    name = fields.customer_name.split()[0] if fields.customer_name else ""
    what = _WHAT["es" if es else "en"][fields.trigger]
    promised = fmt_date(fields.promised_date, language)
    new = fmt_date(fields.new_date, language) if fields.new_date else None
    if kind is NoticeKind.pickup_reminder:
        subject = f"Tu pedido {fields.order_id} te espera" if es else f"Your order {fields.order_id} is waiting"
        until = new or promised
        where = fields.store_name or ("la tienda" if es else "the store")
        body = (f"Hola {name}: {what}. Puedes recogerlo en {where} hasta el {until}."
                if es else f"Hi {name}: {what}. You can collect it at {where} until {until}.")
        return subject, body
    if kind is NoticeKind.pickup_offer:
        return _pickup_offer(fields, language, name, what, promised, new)
    if kind is NoticeKind.saved:
        subject = (f"Cambiamos cómo llega tu pedido {fields.order_id}" if es
                   else f"We changed how your order {fields.order_id} arrives")
        body = (f"Hola {name}: {what}, así que lo enviaremos de otra forma. Sigue llegando el {new or promised}."
                if es else f"Hi {name}: {what}, so we are sending it another way. It still arrives {new or promised}.")
        return subject, body
    subject = f"Tu pedido {fields.order_id} llegará más tarde" if es else f"Your order {fields.order_id} will be late"
    if es:
        body = f"Hola {name}: {what}. Te prometimos el {promised}"
        body += f"; ahora llegará el {new}." if new else "; te avisaremos en cuanto tengamos la nueva fecha."
        if fields.options:
            body += " Puedes elegir: " + "; ".join(fields.options) + "."
        if fields.compensation_mxn:
            body += f" Por la molestia te damos un cupón de ${fields.compensation_mxn:,.2f} MXN."
    else:
        body = f"Hi {name}: {what}. We promised {promised}"
        body += f"; it will now arrive {new}." if new else "; we will tell you the new date as soon as we have it."
        if fields.options:
            body += " You can choose: " + "; ".join(fields.options) + "."
        if fields.compensation_mxn:
            body += f" For the trouble, here is a coupon for ${fields.compensation_mxn:,.2f} MXN."
    return subject, body


def _pickup_offer(fields: NoticeFields, language: str, name: str, what: str, promised: str,
                  new: str | None) -> tuple[str, str]:
    """A delivery that will be late, and a store pickup that keeps the promise, for the customer to accept."""
    es = language == "es"
    where = fields.store_name or ("una tienda cercana" if es else "a store nearby")
    ready = fmt_date(fields.pickup_ready, language) if fields.pickup_ready else promised
    if es:
        subject = f"Tu pedido {fields.order_id}: puedes recogerlo a tiempo"
        late = "" if _in_time(fields) else f"; a domicilio llegaría el {new}" if new else "; a domicilio llegaría después"
        body = (f"Hola {name}: {what}. Te prometimos el {promised}{late}. Si prefieres, lo tenemos listo para "
                f"recoger en {where} el {ready}. Dinos si lo quieres así; si no, sigue en camino a tu domicilio.")
    else:
        subject = f"Your order {fields.order_id}: you can pick it up on time"
        late = "" if _in_time(fields) else f"; delivered, it would arrive {new}" if new else "; delivered, it would arrive later"
        body = (f"Hi {name}: {what}. We promised {promised}{late}. If you prefer, it can be ready for pickup at "
                f"{where} on {ready}. Tell us if you want that; otherwise it stays on its way to your address.")
    return subject, body


def _in_time(fields: NoticeFields) -> bool:
    """The delivery still keeps the promise (an offer staff chose to make anyway): no late date to tell."""
    return fields.new_date is not None and fields.new_date <= fields.promised_date
