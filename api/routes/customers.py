"""Customer lookup for the support copilot: search by any identifier, then the unified profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import DomainDeps, StaffDep
from api.schemas import ERRORS, ErrorResponse
from promesa.domain.customers import find_customers, get_profile
from promesa.domain.records import CustomerMatch, CustomerProfile

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.get("/search", response_model=list[CustomerMatch], responses=ERRORS)
def search_customers(
    _staff: StaffDep,
    deps: DomainDeps,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Email, phone, handle, order id or name.")],
) -> list[CustomerMatch]:
    """Customers matching ``q``, best first; several matches mean ask which one is meant."""
    return find_customers(deps, q)


@router.get(
    "/{customer_id}",
    response_model=CustomerProfile,
    responses={**ERRORS, 404: {"model": ErrorResponse}},
)
def customer_profile(
    _staff: StaffDep, deps: DomainDeps, customer_id: Annotated[str, Path(max_length=32)]
) -> CustomerProfile:
    """One customer's unified profile: identities, orders and interactions."""
    return get_profile(deps, customer_id)
