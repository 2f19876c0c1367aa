"""Signed bearer tokens (JWT, HS256) that carry a Principal.

Token expiry is security, not business logic, so it runs on the wall clock (PyJWT checks
``exp`` against real time); the business clock (``settings.current_time()``, pinnable by
``PROMESA_NOW``) is never used for tokens, or a pinned demo clock would expire them all.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import jwt
from pydantic import ValidationError

from promesa.principal import Principal, Role
from promesa.settings import Settings

ALGORITHM = "HS256"
ISSUER = "promesa"
SECRET_FILE = "api-secret.key"
#: Shortest secret production accepts (HS256 wants at least 256 bits of key).
MIN_SECRET_CHARS = 32


class StartupError(RuntimeError):
    """The API may not start with this configuration."""


class InvalidToken(Exception):
    """A token that is missing, malformed, forged, expired or names an impossible principal."""


def resolve_secret(settings: Settings) -> str:
    """The signing secret: configured, or a development secret kept under ``data_dir``.

    The development secret is persisted so ``promesa token`` and ``promesa serve`` agree.

    Raises:
        StartupError: in production without ``PROMESA_SECRET_KEY`` of at least 32 characters.
    """
    if settings.environment == "production":
        if not settings.secret_key:
            raise StartupError("PROMESA_SECRET_KEY must be set in production")
        if len(settings.secret_key) < MIN_SECRET_CHARS:
            raise StartupError(f"PROMESA_SECRET_KEY must be at least {MIN_SECRET_CHARS} characters in production")
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_FILE
    if path.exists():
        secret = path.read_text().strip()
        if secret:
            return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # Create with owner-only permissions; O_EXCL lets a concurrent creator win cleanly.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def check_principal(principal: Principal) -> Principal:
    """Refuse principals no token may carry (a customer without id, a visitor without order)."""
    if principal.role is Role.customer and not principal.subject:
        raise ValueError("a customer token needs the customer id as subject")
    if principal.role is Role.anonymous and not principal.order_scope:
        raise ValueError("an anonymous token needs an order_scope")
    if principal.role in (Role.support, Role.ops, Role.system) and not principal.subject:
        raise ValueError("a staff token needs a subject")
    return principal


def issue_token(secret: str, principal: Principal, ttl: timedelta) -> str:
    """Sign a token for ``principal`` valid for ``ttl`` from now (wall clock)."""
    check_principal(principal)
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    issued = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": principal.subject or "",
        "role": principal.role.value,
        "iat": issued,
        "exp": issued + int(ttl.total_seconds()),
    }
    if principal.order_scope:
        claims["order_scope"] = principal.order_scope
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> Principal:
    """Verify ``token`` and return its Principal.

    Raises:
        InvalidToken: with a message safe to show the caller.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "role", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("the token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken("the token is not valid") from exc
    try:
        principal = Principal(
            role=Role(claims["role"]),
            subject=claims.get("sub") or None,
            order_scope=claims.get("order_scope") or None,
        )
        return check_principal(principal)
    except (ValueError, ValidationError) as exc:
        raise InvalidToken("the token is not valid") from exc


def parse_principal(spec: str) -> Principal:
    """``"customer:C-1001"`` / ``"support:agent-ana"`` / ``"anonymous:PO-5000"`` -> Principal.

    For ``anonymous`` the part after the colon is the verified order id.
    """
    role_text, _, rest = spec.partition(":")
    try:
        role = Role(role_text.strip().lower())
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {role_text!r}; use one of {roles}") from exc
    named = rest.strip() or None
    if role is Role.anonymous:
        return check_principal(Principal(role=role, order_scope=named))
    return check_principal(Principal(role=role, subject=rest))
