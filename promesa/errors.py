"""Typed domain errors and the one list of error codes every layer answers with.

The API and the tool layer each turn these into messages in one place. :class:`ErrorCode` is
the complete set of ``code`` values a caller can see: the domain's errors carry one, and the
tools and the API use the same members for the failures they detect themselves, so the UIs and
the agent match on one enum, not on strings spelled in several places.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every error code Promesa answers with (a ``str``: it serialises as its value)."""

    # raised by the domain (DomainError subclasses)
    domain_error = "domain_error"
    not_found = "not_found"
    forbidden = "forbidden"
    invalid_input = "invalid_input"
    conflict = "conflict"
    policy_violation = "policy_violation"
    busy = "busy"
    invalid_world = "invalid_world"
    unavailable = "unavailable"
    # detected by the tool layer and the agent
    internal_error = "internal_error"
    unauthenticated = "unauthenticated"
    rejected = "rejected"
    # detected by the API
    unauthorized = "unauthorized"
    verification_failed = "verification_failed"
    rate_limited = "rate_limited"
    method_not_allowed = "method_not_allowed"
    body_too_large = "body_too_large"
    http_error = "http_error"


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code: ErrorCode = ErrorCode.domain_error

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """An id that does not exist (or that the principal may not know exists)."""

    code: ErrorCode = ErrorCode.not_found


class Forbidden(DomainError):
    """The principal may not see or do this."""

    code: ErrorCode = ErrorCode.forbidden


class InvalidInput(DomainError):
    """Input that fails a rule; ``field`` names what was wrong."""

    code: ErrorCode = ErrorCode.invalid_input

    def __init__(self, message: str, *, field: str | None = None, **details: object) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class Conflict(DomainError):
    """The world changed under the request (stale proposal, policy blocks the action)."""

    code: ErrorCode = ErrorCode.conflict


class PolicyViolation(Conflict):
    """A business rule forbids the action (a shipped line, pickup without consent)."""

    code: ErrorCode = ErrorCode.policy_violation


class Busy(DomainError):
    """Every turn slot is taken: try again after ``retry_after`` seconds (HTTP 503)."""

    code: ErrorCode = ErrorCode.busy

    def __init__(self, message: str, *, retry_after: int = 1, **details: object) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after
