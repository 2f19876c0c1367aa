"""Policy search: cited passages from the policy store (knowledge/)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from promesa.domain.deps import Deps
from promesa.errors import DomainError
from promesa.principal import Role
from tools.registry import ToolEnv, tool


class SearchPoliciesArgs(BaseModel):
    query: str = Field(description="The policy question in the customer's words.", min_length=2, max_length=500)


class Unavailable(DomainError):
    code = "unavailable"


@tool(roles=[Role.customer, Role.support, Role.ops, Role.anonymous])
def search_policies(deps: Deps, args: SearchPoliciesArgs, env: ToolEnv) -> object:
    """Search the store's policies (returns, pickup, delivery promise, refunds, warranty).

    Returns passages with a citation `doc-id#section`. Answer only from these passages and cite
    them; if none fits, say so and offer a person.
    """
    retriever = env.retriever() if env.retriever else None
    if retriever is None:
        raise Unavailable("the policy store is not available right now")
    return retriever.search(deps.principal, args.query)
