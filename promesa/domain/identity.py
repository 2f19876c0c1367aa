"""Identifier normalisation: one stored form for every way a person types an identifier."""

from __future__ import annotations

import re

import phonenumbers

from promesa.errors import InvalidInput
from promesa.store.enums import IdentityKind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HANDLE = re.compile(r"^@?[a-z0-9._]{2,30}$")
_ORDER = re.compile(r"^(?:PO)?[-\s#]*(\d{4,8})$", re.IGNORECASE)


def normalise_email(raw: str) -> str:
    """The stored form of an email address (trimmed, lower case).

    Raises:
        InvalidInput: ``raw`` is not an email address."""
    value = raw.strip().lower()
    if not _EMAIL.match(value):
        raise InvalidInput(f"not an email address: {raw!r}", field="email")
    return value


def normalise_phone(raw: str, default_region: str = "MX") -> str:
    """E.164 for Mexican and US numbers: '+52 81 1234 5678', '8112345678' → '+528112345678'.

    Ten digits with no country code are read as Mexican (the business is Mexico-first);
    '+1' numbers and numbers with a US area code format such as '(212) 555-0100' as US.
    """
    text = raw.strip()
    region = default_region
    if re.match(r"^\(\d{3}\)", text):
        region = "US"
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"not a phone number: {raw!r}", field="phone") from exc
    if not phonenumbers.is_possible_number(parsed) or parsed.country_code not in (52, 1):
        raise InvalidInput(f"not a Mexican or US phone number: {raw!r}", field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_handle(raw: str) -> str:
    """The stored form of a social handle: lower case with one leading ``@``.

    Raises:
        InvalidInput: ``raw`` is not a handle."""
    value = raw.strip().lower()
    if not _HANDLE.match(value):
        raise InvalidInput(f"not a social handle: {raw!r}", field="social")
    return "@" + value.lstrip("@")


def normalise(kind: IdentityKind, raw: str) -> str:
    """The stored form of an identifier of a known kind."""
    if kind is IdentityKind.email:
        return normalise_email(raw)
    if kind is IdentityKind.phone:
        return normalise_phone(raw)
    return normalise_handle(raw)


def classify(raw: str) -> tuple[IdentityKind | None, str]:
    """Guess what a typed identifier is and normalise it.

    Returns ``(kind, value)``; ``kind`` is None for an order id (``value`` is then the canonical
    ``PO-NNNN``) and the call raises InvalidInput when the text is none of these.
    """
    text = raw.strip()
    if "@" in text and not text.startswith("@"):
        return IdentityKind.email, normalise_email(text)
    order = _ORDER.match(text)
    if order and text.upper().startswith("PO"):
        return None, f"PO-{order.group(1)}"
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 10 and re.fullmatch(r"[\d\s()+.\-]+", text):
        return IdentityKind.phone, normalise_phone(text)
    if text.startswith("@") or _HANDLE.match(text.lower()):
        return IdentityKind.social, normalise_handle(text)
    raise InvalidInput(f"not an email, phone, order id or social handle: {raw!r}", field="identifier")


# With the shop's prefix an id may be short or a replacement order's (PO-101, PO-111-X1, as
# worlds and exchanges create them); a bare number needs 4+ digits to be read as an order.
_ORDER_TYPED = re.compile(r"^(?:(?:p\.?\s*o\.?|order|pedido|orden)\s*(?:n[o°º]\.?)?\s*[-#:\s]*(\d{2,8}(?:-x\d{1,3})?)"
                          r"|(?:n[o°º]\.?)?\s*[-#:\s]*(\d{4,8}))$", re.IGNORECASE)


def normalise_order_id(raw: str) -> str:
    """An order id as people type it: 'po 5001', '#5001', 'PO5001', '5001' → 'PO-5001'."""
    match = _ORDER_TYPED.match(raw.strip())
    if not match:
        raise InvalidInput(f"not an order id: {raw!r}", field="order_id")
    return f"PO-{(match.group(1) or match.group(2)).upper()}"
