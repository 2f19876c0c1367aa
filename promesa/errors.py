"""Typed domain errors. The API and the tool layer each turn these into messages in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """An id that does not exist (or that the principal may not know exists)."""

    code = "not_found"


class Forbidden(DomainError):
    """The principal may not see or do this."""

    code = "forbidden"


class InvalidInput(DomainError):
    """Input that fails a rule; ``field`` names what was wrong."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, **details: object) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class Conflict(DomainError):
    """The world changed under the request (stale proposal, policy blocks the action)."""

    code = "conflict"


class PolicyViolation(Conflict):
    """A business rule forbids the action (a shipped line, pickup without consent)."""

    code = "policy_violation"


class Busy(DomainError):
    """Every turn slot is taken: try again after ``retry_after`` seconds (HTTP 503)."""

    code = "busy"

    def __init__(self, message: str, *, retry_after: int = 1, **details: object) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after
