"""Policy search: cited passages from the policy store (knowledge/)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field, RootModel

from promesa.domain.deps import Deps
from promesa.errors import DomainError, ErrorCode
from promesa.principal import Role
from tools.decisions import BaseDecision, Passage, PolicyAnswerDecision
from tools.registry import ToolEnv, tool


class SearchPoliciesArgs(BaseModel):
    query: str = Field(description="The policy question in the customer's words.", min_length=2, max_length=500)


class Unavailable(DomainError):
    code = ErrorCode.unavailable


class Passages(RootModel[list[Passage]]):
    """The cited passages a search found (the JSON is the list itself)."""


def policy_decisions(passages: Passages) -> Sequence[BaseDecision]:
    """Passages found are one ``policy_answer`` with their citations; none found, no decision."""
    if not passages.root:
        return []
    citations = list(dict.fromkeys(p.citation for p in passages.root if p.citation))
    return [PolicyAnswerDecision(citations=citations, passages=passages.root)]


@tool(roles=[Role.customer, Role.support, Role.ops, Role.anonymous], returns=Passages,
      decisions=policy_decisions)
def search_policies(deps: Deps, args: SearchPoliciesArgs, env: ToolEnv) -> Passages:
    """Search the store's policies (returns, pickup, delivery promise, refunds, warranty).

    Returns passages with a citation `doc-id#section`. Answer only from these passages and cite
    them; if none fits, say so and offer a person.
    """
    retriever = env.retriever() if env.retriever else None
    if retriever is None:
        raise Unavailable("the policy store is not available right now")
    found = retriever.search(deps.principal, args.query)
    return Passages.model_validate([p.model_dump() if isinstance(p, BaseModel) else p for p in found])
