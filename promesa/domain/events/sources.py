"""Event sources: who may send which events, and the HMAC signature every request carries.

A source (the POS, the OMS, a carrier aggregator) is configured in Settings with a credential,
a signing secret and the event types it may send. It calls Promesa as a system Principal
``system:source:<name>``; :func:`ensure_may_send` is the domain's scope check.

Signatures follow commerce platforms' webhooks: ``X-Promesa-Signature: t=<unix>,v1=<hex>``
where ``hex = HMAC-SHA256(secret, "<unix>." + body)``, compared in constant time, and a
timestamp outside the window is refused (a captured request cannot be replayed later).
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac

from promesa.config_models import EventSourceConfig
from promesa.errors import Forbidden, InvalidInput
from promesa.principal import Principal, Role

__all__ = ["SOURCE_PREFIX", "EventSourceConfig", "SignatureError", "ensure_may_send", "principal_for",
           "sign", "verify"]

SOURCE_PREFIX = "source:"


class SignatureError(Exception):
    """A request whose credential, signature or timestamp does not verify (HTTP 401)."""


def principal_for(name: str) -> Principal:
    """The principal an event source acts as (a system principal named after it)."""
    return Principal(role=Role.system, subject=SOURCE_PREFIX + name)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Promesa-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(sources: dict[str, EventSourceConfig], *, name: str | None, key: str | None,
           signature: str | None, body: bytes, now_epoch: float, tolerance_seconds: int) -> Principal:
    """The source principal of a signed request.

    Raises:
        SignatureError: unknown source, wrong key, missing/malformed/forged signature, or a
            timestamp outside ``tolerance_seconds`` of ``now_epoch``.
    """
    config = sources.get(name or "")
    # compare even for an unknown source, so timing does not tell which names exist
    expected_key = config.key.get_secret_value() if config else "\0" * 32
    key_ok = hmac.compare_digest((key or "").encode(), expected_key.encode())
    if config is None or not key_ok:
        raise SignatureError("unknown event source or wrong credential")
    parts = dict(p.split("=", 1) for p in (signature or "").split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise SignatureError("X-Promesa-Signature needs t=<unix seconds>,v1=<hex>") from None
    if abs(now_epoch - timestamp) > tolerance_seconds:
        raise SignatureError("the signature's timestamp is outside the accepted window")
    wanted = sign(config.signing_secret.get_secret_value(), body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(parts.get("v1", "").encode(), wanted.encode()):
        raise SignatureError("the signature does not match the body")
    return principal_for(name or "")


def ensure_may_send(principal: Principal, sources: dict[str, EventSourceConfig],
                    event_type: str, source_attr: str) -> None:
    """Refuse events a principal may not send (DESIGN rule 3: authorization in the domain).

    The built-in system principal (the CLI's import and replay) may send anything; a source
    only the types its scopes match, and only under its own CloudEvents ``source``.

    Raises:
        Forbidden: not a system principal, an unknown source, or a type outside its scopes.
        InvalidInput: the envelope's ``source`` is another source's (field ``source``).
    """
    if principal.role is not Role.system:
        raise Forbidden("only event sources and the system may send events")
    subject = principal.subject or ""
    if not subject.startswith(SOURCE_PREFIX):
        return
    name = subject[len(SOURCE_PREFIX):]
    config = sources.get(name)
    if config is None:
        raise Forbidden(f"event source {name!r} is not configured")
    if not any(fnmatch.fnmatchcase(event_type, pattern) for pattern in config.scopes):
        raise Forbidden(f"source {name!r} may not send {event_type}", field="type")
    if source_attr != config.source_uri(name):
        raise InvalidInput(f"source {name!r} sends as {config.source_uri(name)!r}, not {source_attr!r}",
                           field="source")
