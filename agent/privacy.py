"""Data rights across both stores: the database (:mod:`promesa.domain.privacy`) and the
conversation threads in the checkpoint store, which only the agent layer can read.

A customer's threads are the ones they own, the ones a visitor held on one of their orders,
and any other thread (a support agent's) that mentions one of their identifiers. Export lists
them with their messages; erasure deletes them (every checkpoint, write and blob of the thread).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from agent.service import AgentService, _message_dict
from agent.state import owner_of
from promesa.domain import privacy
from promesa.domain.deps import Deps
from promesa.principal import Principal, Role


async def _thread_ids(service: AgentService) -> list[str]:
    # Collect ids first: the saver holds its lock while listing, and aget_state needs it.
    seen: dict[str, None] = {}
    async for item in service.checkpoints.saver.alist(None):
        seen.setdefault(item.config["configurable"]["thread_id"], None)
    return list(seen)


async def customer_threads(
    service: AgentService, customer_id: str, order_ids: list[str], identifiers: list[str]
) -> list[dict[str, Any]]:
    """Every thread about the customer: ``{"thread_id", "owner", "messages"}``."""
    found: list[dict[str, Any]] = []
    orders = set(order_ids)
    for tid in await _thread_ids(service):
        snapshot = await service.graph.aget_state({"configurable": {"thread_id": tid}})
        values = snapshot.values or {}
        owner = owner_of(values)
        messages = [_message_dict(m) for m in values.get("messages", [])]
        theirs = owner is not None and (
            (owner.role is Role.customer and owner.subject == customer_id)
            or (owner.role is Role.anonymous and owner.order_scope in orders)
        )
        text = repr(messages) + repr(values.get("decisions", [])) + repr(values.get("pending"))
        if theirs or any(value in text for value in identifiers):
            found.append({"thread_id": tid, "owner": owner.label() if owner else None, "messages": messages})
    return found


def _deps(service: AgentService, session: Any, principal: Principal, now: datetime) -> Deps:
    return Deps(session=session, principal=principal, now=now, settings=service.settings)


async def export_everything(service: AgentService, customer_id: str, *, principal: Principal,
                            now: datetime) -> dict[str, Any]:
    """The database export plus the conversation threads, as JSON values."""

    def read() -> privacy.PrivacyExport:
        with service.sessions() as session, session.begin():
            return privacy.export_customer(_deps(service, session, principal, now), customer_id)

    exported = await asyncio.to_thread(read)
    idents = [str(i["value"]) for i in exported.identities]
    threads = await customer_threads(
        service, customer_id, [o["id"] for o in exported.orders],
        [customer_id, exported.profile["name"], *idents],
    )
    return {**exported.model_dump(mode="json"), "threads": threads}


async def approve_erasure(service: AgentService, request_id: str, *, principal: Principal,
                          now: datetime) -> privacy.ErasureResult:
    """Approve and execute an erasure everywhere: threads first, then the database.

    Threads go first: should the database step fail, a retry finds the customer still there
    and finishes; once the database step commits, a repeat returns the stored result.
    """

    def subject() -> privacy.ErasureResult | privacy.ErasureSubject:
        with service.sessions() as session:
            deps = _deps(service, session, principal, now)
            return privacy.executed_erasure(deps, request_id) or privacy.erasure_subject(deps, request_id)

    found = await asyncio.to_thread(subject)
    if isinstance(found, privacy.ErasureResult):
        return found
    threads = await customer_threads(service, found.request.customer_id, found.order_ids, found.identifiers)
    for thread in threads:
        async with service.checkpoints.thread_lock(thread["thread_id"]):
            await service.checkpoints.saver.adelete_thread(thread["thread_id"])

    def execute() -> privacy.ErasureResult:
        with service.sessions() as session, session.begin():
            return privacy.approve_erasure(_deps(service, session, principal, now), request_id,
                                           thread_ids=[t["thread_id"] for t in threads])

    return await asyncio.to_thread(execute)
