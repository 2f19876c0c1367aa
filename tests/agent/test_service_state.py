"""The thread owner is read back through one typed accessor; the stored form stays a JSON dict,
so a thread checkpointed before the accessor existed still loads."""

from __future__ import annotations

import json

from agent.state import owner_of, same_principal
from agent.threads import ThreadView
from promesa.principal import Principal, Role


class _Snapshot:
    def __init__(self, values: dict[str, object], next_nodes: tuple[str, ...]) -> None:
        self.values, self.next = values, next_nodes


def test_a_stored_owner_dict_reads_back_as_the_principal() -> None:
    # the shape the guard has always written: Principal.model_dump(mode="json"), through JSON
    stored = json.loads(json.dumps({"owner": {"role": "customer", "subject": "C-1", "order_scope": None}}))
    owner = owner_of(stored)
    assert owner == Principal(role=Role.customer, subject="C-1")
    assert owner_of({}) is None and owner_of({"owner": None}) is None


def test_same_principal_compares_role_subject_and_scope() -> None:
    visitor = Principal(role=Role.anonymous, order_scope="PO-1")
    assert same_principal(visitor, Principal(role=Role.anonymous, order_scope="PO-1"))
    assert not same_principal(visitor, Principal(role=Role.anonymous, order_scope="PO-2"))
    assert not same_principal(Principal(role=Role.customer, subject="C-1"), Principal(role=Role.support, subject="C-1"))


def test_a_pending_approval_counts_only_while_the_graph_waits() -> None:
    values = {"owner": {"role": "support", "subject": "agent-ana"}, "pending": {"tool": "execute_reroute"}}
    assert ThreadView.of(_Snapshot(values, ("execute",))).pending == {"tool": "execute_reroute"}
    assert ThreadView.of(_Snapshot(values, ())).pending is None
    assert ThreadView.of(_Snapshot(values, ())).owner == Principal(role=Role.support, subject="agent-ana")
