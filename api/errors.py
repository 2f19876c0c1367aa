"""Every error leaves the API as ``{"error": {"code", "message", "field"?}}``.

Domain errors are mapped in one place (:func:`domain_error_handler`); anything unexpected
becomes a 500 without a stack trace (the trace goes to the server log only).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from promesa.errors import (
    Busy,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
)

log = logging.getLogger("promesa.api")

#: Domain error -> HTTP status. Order matters: subclasses (PolicyViolation) before bases.
DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (Busy, 503),
    (NotFound, 404),
    (Forbidden, 403),
    (InvalidInput, 422),
    (Conflict, 409),  # PolicyViolation is a Conflict
)

_LOCATIONS = {"body", "query", "path", "header", "cookie"}


class ApiError(Exception):
    """An error raised by the HTTP layer itself (auth, limits), with its status and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


def unauthorized(message: str = "a valid bearer token is required") -> ApiError:
    """A 401 asking for a bearer token."""
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str = "your role may not use this endpoint") -> ApiError:
    """A 403 for a role that may not use the endpoint."""
    return ApiError(403, "forbidden", message)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The JSON error body: ``{"error": {"code", "message", "field"?}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response with the standard body."""
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def status_for(exc: DomainError) -> int:
    """The HTTP status of a domain error."""
    for kind, status in DOMAIN_STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "message")`` -> ``"message"``; an unparseable body -> ``"body"``."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or "body"


async def domain_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """A domain error as its status and typed JSON body."""
    assert isinstance(exc, DomainError)
    field = exc.field if isinstance(exc, InvalidInput) else None
    # a saturated server says when to come back instead of letting the client hang
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else None
    return error_response(status_for(exc), exc.code, exc.message, field, headers)


async def api_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """An API error as its status and typed JSON body."""
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)


async def validation_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """A request validation error as a 422 naming the first invalid field."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
    field = field_of(tuple(first.get("loc", ("body",))))
    if first.get("type") == "json_invalid":
        message = "the request body is not valid JSON"
    else:
        message = f"{field}: {first.get('msg', 'invalid value')}"
    return error_response(422, "invalid_input", message, field)


#: What FastAPI raises (a bare 400) when a body is not decodable at all (invalid UTF-8, a
#: multipart it cannot read): the same typed 422 as a body that is not valid JSON.
BODY_PARSE_DETAIL = "There was an error parsing the body"


async def http_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Starlette's HTTP errors in the API's JSON error shape."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == BODY_PARSE_DETAIL:
        return error_response(422, "invalid_input", "the request body is not valid JSON", "body")
    codes = {
        401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
        413: "body_too_large",
    }
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    return error_response(
        exc.status_code, codes.get(exc.status_code, "http_error"), message,
        headers=dict(exc.headers or {}),
    )


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Anything else: a 500 without internals (the trace goes to the log)."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "something went wrong on our side")


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
