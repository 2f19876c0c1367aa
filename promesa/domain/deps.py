"""The typed dependencies every service call carries: session, principal, clock, settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from promesa.principal import Principal
from promesa.settings import Settings


@dataclass(frozen=True)
class Deps:
    """What a service needs from its caller.

    ``now`` is the injected clock (DESIGN rule 5): the API, CLI or eval case decides it.
    ``settings`` has no default either: reading the environment is the caller's job (the API,
    the CLI, an eval case or a test), never something a service does below them.
    """

    session: Session
    principal: Principal
    now: datetime
    settings: Settings

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Deps.now must be timezone-aware")
