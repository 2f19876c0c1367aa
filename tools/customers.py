"""Customer tools for support: identity resolution and the unified profile."""

from __future__ import annotations

from pydantic import BaseModel, Field

from promesa.domain.deps import Deps
from promesa.principal import Role
from tools.registry import ToolEnv, tool


class FindCustomerArgs(BaseModel):
    identifier: str = Field(
        description="An email, phone number, social handle, order id or name.",
        min_length=1,
        max_length=200,
    )


class CustomerIdArgs(BaseModel):
    customer_id: str = Field(description="The customer id, e.g. C-1002.", min_length=1, max_length=32)


@tool(roles=[Role.support])
def find_customer(deps: Deps, args: FindCustomerArgs, env: ToolEnv) -> object:
    """Find customers by email, phone, social handle, order id or name.

    Returns the matching customers and what matched. Several matches mean you must ask which
    one is meant; never guess between similar names.
    """
    from promesa.domain import customers

    return customers.find_customers(deps, args.identifier)


@tool(roles=[Role.support])
def get_customer_profile(deps: Deps, args: CustomerIdArgs, env: ToolEnv) -> object:
    """Get one customer's unified profile: every identity, their orders and past interactions."""
    from promesa.domain import customers

    return customers.get_profile(deps, args.customer_id)
