"""What each environment allows (issue #16): demo conveniences only in ``demo``, on loopback.

* ``development`` and ``test``: tokens come from ``promesa token`` or order verification; no
  demo token endpoint, no demo shop sign-in.
* ``demo`` (what ``make run`` sets): the demo token endpoint and the demo shop mint tokens, for
  story principals only and never for ``system``; the server refuses to listen off loopback.
* ``production``: a real secret is required (:func:`api.auth.resolve_secret`) and no demo
  convenience exists.
"""

from __future__ import annotations

import ipaddress

from api.auth import StartupError, resolve_secret
from promesa.settings import Settings

DEMO = "demo"


def demo_enabled(settings: Settings) -> bool:
    """Whether the demo token endpoint and the demo shop's sign-in exist."""
    return settings.environment == DEMO


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); False for 0.0.0.0."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name we cannot vouch for


def check_serve(settings: Settings, host: str) -> list[str]:
    """Refuse configurations that may not serve on ``host``; return warnings for risky ones.

    Raises:
        StartupError: demo mode off loopback; production without a real secret.
    """
    resolve_secret(settings)
    warnings: list[str] = []
    if not is_loopback(host):
        if demo_enabled(settings):
            raise StartupError(
                f"demo mode mints tokens for story principals: it serves on loopback only, not {host}"
            )
        if settings.environment != "production":
            warnings.append(
                f"serving {settings.environment} on {host}, beyond loopback: set "
                "PROMESA_ENVIRONMENT=production and PROMESA_SECRET_KEY for a real deployment"
            )
    return warnings


def check_workers(settings: Settings, workers: int) -> None:
    """Refuse ``--workers N>1`` where workers could not share the truth.

    Raises:
        StartupError: several workers on SQLite (data or checkpoints: each worker would
            serialise a thread's turns with its own in-process lock, and SQLite allows one
            writer, so concurrent turns on one thread interleave and lose messages); several
            workers without a shared rate-limit store (each would count its own limit).
    """
    if workers <= 1:
        return
    from agent.checkpoints import checkpoint_target

    if settings.sqlalchemy_url.startswith("sqlite") or checkpoint_target(settings)[0] == "sqlite":
        raise StartupError(
            f"--workers {workers} needs PostgreSQL for data and checkpoints (PROMESA_DATABASE_URL="
            "postgresql://…): on SQLite each worker serialises a thread's turns only within "
            "itself, so turns on one thread would interleave and lose messages; run one worker"
        )
    if settings.rate_limit_storage.startswith("memory"):
        raise StartupError(
            f"--workers {workers} needs a shared rate-limit store (PROMESA_RATE_LIMIT_STORAGE="
            "redis://127.0.0.1:6379/0): with memory:// every worker counts its own limit"
        )


def serve_options() -> dict[str, object]:
    """Uvicorn options ``promesa serve`` runs with.

    uvicorn's own proxy-header handling is off: by default it believes X-Forwarded-For from
    127.0.0.1, so anything on the host could pick its client address. The app believes it only
    from ``settings.trusted_proxies`` (:func:`api.main.create_app`).
    """
    return {"proxy_headers": False, "server_header": False}
