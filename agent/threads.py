"""Reading and annotating threads: who owns one, what waits for approval, its history, and a
person's reply on a handed-off conversation.

Errors are ``promesa.errors`` types: ``NotFound`` (unknown thread or not yours) and
``Conflict`` (a staff reply while an approval is pending).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from sqlalchemy.orm import Session, sessionmaker

from agent.approvals import PendingApproval, may_approve
from agent.checkpoints import Checkpoints
from agent.state import owner_of, same_principal
from promesa.domain import outcomes
from promesa.errors import Conflict, NotFound
from promesa.principal import Principal

#: The name of assistant messages a person wrote (a staff reply), not the model.
STAFF_AUTHOR = "staff"


def thread_config(thread_id: str) -> dict[str, Any]:
    """The LangGraph config that addresses ``thread_id``."""
    return {"configurable": {"thread_id": thread_id}}


@dataclass(frozen=True)
class ThreadView:
    """A thread's newest checkpoint: its values and whether the graph waits (an interrupt)."""

    values: dict[str, Any]
    waiting: bool

    @classmethod
    def of(cls, snapshot: Any) -> ThreadView:
        """The view of a LangGraph ``StateSnapshot``."""
        return cls(values=dict(snapshot.values or {}), waiting=bool(snapshot.next))

    @property
    def owner(self) -> Principal | None:
        """Who started the thread (None: a new thread)."""
        return owner_of(self.values)

    @property
    def pending(self) -> dict[str, Any] | None:
        """The approval request the thread waits for, as stored."""
        pending: dict[str, Any] | None = self.values.get("pending") if self.waiting else None
        return pending or None


async def read_thread(graph: Any, thread_id: str) -> ThreadView:
    """The newest checkpoint of ``thread_id`` (empty for an unknown thread)."""
    return ThreadView.of(await graph.aget_state(thread_config(thread_id)))


def message_dict(message: BaseMessage) -> dict[str, Any]:
    """A message as the history shows it: ``role`` (user, assistant, tool, staff) and content."""
    if isinstance(message, AIMessage) and message.name == STAFF_AUTHOR:
        return {"role": "staff", "content": message.text, "id": message.id}
    if isinstance(message, HumanMessage):
        return {"role": "user", "content": message.text}
    if isinstance(message, ToolMessage):
        return {"role": "tool", "name": message.name, "tool_call_id": message.tool_call_id, "content": message.text}
    calls = [{"name": c["name"], "args": c["args"], "id": c["id"]} for c in getattr(message, "tool_calls", [])]
    return {"role": "assistant", "content": message.text, "tool_calls": calls}


class Threads:
    """The reading side of the checkpointed threads (and the staff reply, which writes one)."""

    def __init__(self, graph: Any, checkpoints: Checkpoints, sessions: sessionmaker[Session]) -> None:
        self.graph = graph
        self.checkpoints = checkpoints
        self.sessions = sessions

    async def pending_approvals(self, principal: Principal) -> list[PendingApproval]:
        """Approvals this principal may answer, oldest first.

        Scans the newest checkpoint of every thread: fine for one store's volume; a large
        deployment would index pending approvals in a table.
        """
        # Collect ids first: the saver holds its lock while listing, and aget_state needs it.
        ids: dict[str, None] = {}
        async for item in self.checkpoints.saver.alist(None):
            ids.setdefault(item.config["configurable"]["thread_id"], None)
        found: list[PendingApproval] = []
        for tid in ids:
            view = await read_thread(self.graph, tid)
            pending, owner = view.pending, view.owner
            if pending and owner is not None and may_approve(principal, pending, owner):
                found.append(PendingApproval.model_validate(pending))
        # derived from the outcomes too: an action that ran (e.g. just before a crash, or from
        # another thread) is no longer waiting for anyone
        done = await asyncio.to_thread(self._executed, [p.action_key for p in found if p.action_key])
        found = [p for p in found if p.action_key not in done]
        return sorted(found, key=lambda p: p.requested_at)

    def _executed(self, keys: list[str]) -> set[str]:
        with self.sessions() as session:
            return outcomes.executed(session, keys)

    async def history(self, thread_id: str, principal: Principal) -> list[dict[str, Any]]:
        """The thread's messages for its owner (or an approver of its pending approval)."""
        view = await read_thread(self.graph, thread_id)
        owner, pending = view.owner, view.pending
        if owner is None:
            raise NotFound(f"thread {thread_id} not found", thread_id=thread_id)
        if not same_principal(owner, principal) and not (pending and may_approve(principal, pending, owner)):
            raise NotFound(f"thread {thread_id} not found", thread_id=thread_id)
        return [message_dict(m) for m in view.values.get("messages", [])]

    async def transcript(self, thread_id: str) -> list[dict[str, Any]]:
        """A handed-off thread's messages for staff: the caller has had the handoff authorized
        by the domain (``promesa.domain.handoffs.get_handoff``); an unknown thread is empty."""
        view = await read_thread(self.graph, thread_id)
        return [message_dict(m) for m in view.values.get("messages", [])]

    async def add_staff_reply(self, thread_id: str, text: str, message_id: str) -> dict[str, Any]:
        """Append a person's reply to a handed-off conversation (issue #15).

        The caller has had the reply authorized by the domain
        (``promesa.domain.handoffs.authorize_reply``). The reply is an assistant message named
        ``STAFF_AUTHOR``: the customer's history shows it as from a person, and the model reads it
        as context on the next turn. Idempotent by ``message_id`` (a retried request replaces
        the same message, ``add_messages`` merges by id).

        Raises:
            NotFound: the conversation has no messages (nothing to reply to).
            Conflict: the conversation waits for an approval (answer that first).
        """
        view = await read_thread(self.graph, thread_id)
        if not view.values.get("messages"):
            raise NotFound(f"thread {thread_id} not found", thread_id=thread_id)
        if view.waiting:
            raise Conflict("the conversation is waiting for an approval; answer it first", field="thread_id")
        message = AIMessage(content=text, name=STAFF_AUTHOR, id=message_id)
        # written as the graph's last node, so the thread stays finished and the next message
        # starts a fresh turn from the guard
        await self.graph.aupdate_state(thread_config(thread_id), {"messages": [message]}, as_node="respond")
        return message_dict(message)
