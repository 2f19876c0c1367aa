"""Customer tools for support: identity resolution and the unified profile."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field, RootModel

from promesa.domain.deps import Deps
from promesa.domain.records import CustomerMatch, CustomerProfile
from promesa.principal import Role
from promesa.store.enums import OrderStatus
from tools.decisions import BaseDecision, ClarificationDecision, CustomerProfileDecision, IdentityRef
from tools.registry import ToolEnv, tool

#: Order states in which an order no longer counts as open on a profile.
CLOSED = frozenset({OrderStatus.delivered, OrderStatus.picked_up, OrderStatus.cancelled})


class FindCustomerArgs(BaseModel):
    identifier: str = Field(
        description="An email, phone number, social handle, order id or name.",
        min_length=1,
        max_length=200,
    )


class CustomerIdArgs(BaseModel):
    customer_id: str = Field(description="The customer id, e.g. C-1002.", min_length=1, max_length=32)


class CustomerMatches(RootModel[list[CustomerMatch]]):
    """The customers an identifier matched (the JSON is the list itself)."""


def match_decisions(matches: CustomerMatches) -> Sequence[BaseDecision]:
    """Several customers match: the turn must ask which one (one match needs no decision)."""
    if len(matches.root) < 2:
        return []
    return [ClarificationDecision(missing=["customer"], candidates=[m.customer_id for m in matches.root])]


def profile_decisions(profile: CustomerProfile) -> Sequence[BaseDecision]:
    """Which customer the profile is, their identities and their open orders."""
    return [CustomerProfileDecision(
        customer_id=profile.customer_id,
        name=profile.name,
        identities=[IdentityRef(kind=i.kind, value=i.value, source=i.source) for i in profile.identities],
        open_orders=[o.order_id for o in profile.orders if o.status not in CLOSED],
    )]


@tool(roles=[Role.support], returns=CustomerMatches, decisions=match_decisions)
def find_customer(deps: Deps, args: FindCustomerArgs, env: ToolEnv) -> CustomerMatches:
    """Find customers by email, phone, social handle, order id or name.

    Returns the matching customers and what matched. Several matches mean you must ask which
    one is meant; never guess between similar names.
    """
    from promesa.domain import customers

    return CustomerMatches(customers.find_customers(deps, args.identifier))


@tool(roles=[Role.support], returns=CustomerProfile, decisions=profile_decisions)
def get_customer_profile(deps: Deps, args: CustomerIdArgs, env: ToolEnv) -> CustomerProfile:
    """Get one customer's unified profile: every identity, their orders and past interactions."""
    from promesa.domain import customers

    return customers.get_profile(deps, args.customer_id)
