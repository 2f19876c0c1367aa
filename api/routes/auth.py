"""Tokens for the web surfaces: order verification for anonymous visitors, demo sign-in."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from api.auth import check_principal, issue_token
from api.deps import NowDep, PrincipalDep, RuntimeDep, SessionDep
from api.errors import ApiError
from api.modes import demo_enabled
from api.schemas import ERRORS, DemoTokenRequest, ErrorResponse, TokenResponse, VerifyOrderRequest, errors
from promesa.domain.deps import Deps
from promesa.domain.identity import normalise_order_id
from promesa.domain.verification import scoped_principal, verify_order
from promesa.errors import Forbidden
from promesa.principal import Principal, Role
from promesa.world.stories import is_story_principal

router = APIRouter(prefix="/v1/auth", tags=["auth"])

#: The one answer to every failed verification: it never says which detail was wrong,
#: nor whether the order exists.
NOT_VERIFIED = "we could not verify an order with those details"


@router.post(
    "/verify-order",
    response_model=TokenResponse,
    responses={**ERRORS, 429: {"model": ErrorResponse}},
)
def verify_order_token(
    body: VerifyOrderRequest,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    now: NowDep,
) -> TokenResponse:
    """Exchange an order id plus its email or phone (a postal code only beside one of them)
    for a short-lived token. Limited per client address and locked per order after repeated
    failures (429 with ``Retry-After``).

    The token's principal is ``anonymous`` with ``order_scope`` = that order: it can read that
    order (and chat about it) and nothing else.
    """
    # request.client is the peer, or what a trusted proxy (settings.trusted_proxies) forwarded
    client = request.client.host if request.client else "unknown"
    runtime.verify_limiter.hit(client)
    order_key = normalise_order_id(body.order_id)
    # an order that failed too often is locked, whoever asks and whatever they give: guessing
    # across many addresses walks no further. Unknown ids lock alike, so a lock reveals nothing.
    runtime.order_lockout.ensure_open(order_key)
    # Nobody is signed in yet: the check runs as an anonymous visitor claiming this order.
    claimant = Principal(role=Role.anonymous, order_scope=order_key)
    deps = Deps(session=session, principal=claimant, now=now, settings=runtime.settings)
    try:
        verified = verify_order(
            deps, body.order_id, email=body.email, phone=body.phone, postal_code=body.postal_code
        )
    except Forbidden as exc:  # unknown order or a wrong detail: one answer for every case
        runtime.order_lockout.count(order_key)
        raise ApiError(401, "verification_failed", NOT_VERIFIED) from exc
    visitor = scoped_principal(verified)
    ttl = timedelta(minutes=runtime.settings.visitor_token_ttl_minutes)
    token = issue_token(runtime.secret, visitor, ttl)
    return TokenResponse(access_token=token, expires_in=int(ttl.total_seconds()), principal=visitor)


@router.post("/demo-token", response_model=TokenResponse,
             responses=errors(not_found="Not in demo mode: the endpoint does not exist"))
def demo_token(body: DemoTokenRequest, runtime: RuntimeDep) -> TokenResponse:
    """Demo only: a token for a story principal, for the demo shop, copilot and console pages.

    Exists (else 404) only when ``PROMESA_ENVIRONMENT=demo``, which serves on loopback only;
    refused (403) for ``system``, visitors and anyone the stories do not name.
    """
    if not demo_enabled(runtime.settings):
        raise ApiError(404, "not_found", "not found")
    principal = Principal(role=body.role, subject=body.subject, order_scope=body.order_scope)
    try:
        check_principal(principal)
    except ValueError as exc:
        field = "order_scope" if body.role is Role.anonymous else "subject"
        raise ApiError(422, "invalid_input", str(exc), field=field) from exc
    if body.order_scope or not is_story_principal(body.role.value, body.subject):
        raise ApiError(403, "forbidden", "demo tokens exist for the story principals only", field="subject")
    ttl = timedelta(minutes=runtime.settings.token_ttl_minutes)
    token = issue_token(runtime.secret, principal, ttl)
    return TokenResponse(access_token=token, expires_in=int(ttl.total_seconds()), principal=principal)


@router.get("/me", response_model=Principal, responses=ERRORS)
def whoami(principal: PrincipalDep) -> Principal:
    """The principal the bearer token carries: role, subject and (for visitors) the order scope."""
    return principal
