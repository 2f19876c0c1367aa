"""One orchestration pass, and what staff do with its results (approve, reject, revert).

For each standing trigger (:mod:`triggers`) not handled before (one ``orchestration_actions``
row per order and trigger: the pass is idempotent, a second run changes nothing):

- a carrier delay (the parcel is with the carrier) or a pickup hold ending: a notice;
- otherwise the reroute proposal of the existing fulfillment code; its recommended option runs
  at once when the autonomy policy allows it (audited with the rule), else it waits for staff
  with the proposal attached; when only a store pickup keeps the promise it is offered to the
  customer (:mod:`offers`: their consent, not staff's); when nothing keeps it the customer gets a
  notice with the new date — and when the allocated node cannot ship at all (its stock is gone),
  the earliest option elsewhere waits for staff, since a late delivery beats none.

Each trigger's work is one savepoint: a failure leaves that order untouched and the pass goes on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field
from sqlalchemy import case, select, update

from promesa.domain import access, audit
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.execution import execute_reroute, record_rejection
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.domain.fulfillment.records import RerouteOption, RerouteProposal
from promesa.domain.orchestration.autonomy import judge
from promesa.domain.orchestration.notify import tell
from promesa.domain.orchestration.offers import (
    PICKUP,
    delivery_eta,
    offer,
    pickup_offer,
    snapshot,
    stranded_fallback,
)
from promesa.domain.orchestration.triggers import Trigger, detect
from promesa.domain.order_states import CLOSED
from promesa.domain.records import Record
from promesa.errors import Conflict, DomainError, NotFound, PolicyViolation
from promesa.principal import Principal, Role
from promesa.store.db import rows_matched
from promesa.store.enums import (
    RESERVING_LINE_STATES,
    NoticeKind,
    OrchestrationDecision,
    OrderStatus,
    TriggerKind,
)
from promesa.store.models import InventoryPosition, OrchestrationAction, Order, OrderLine

ORCHESTRATOR = Principal(role=Role.system, subject="orchestrator")
_NOTICE_ONLY = {TriggerKind.carrier_delay: NoticeKind.delay, TriggerKind.pickup_expiring: NoticeKind.pickup_reminder}


class ActionView(Record):
    id: int
    order_id: str
    trigger: TriggerKind
    trigger_ref: str
    decision: OrchestrationDecision
    rule: str | None
    option_id: str | None
    detail: str
    detected_at: datetime
    decided_by: str | None
    proposal: dict[str, Any] | None = None


class OrchestrationReport(Record):
    triggers: int
    by_trigger: dict[str, int]
    by_decision: dict[str, int]
    already_handled: int
    notices_drafted: int
    errors: list[str] = Field(default_factory=list)
    actions: list[ActionView] = Field(description="This pass's actions (at most 100).")


def view(row: OrchestrationAction, with_proposal: bool = False) -> ActionView:
    """The typed view of an orchestration action (its full proposal only when asked for)."""
    return ActionView(id=row.id, order_id=row.order_id, trigger=row.trigger, trigger_ref=row.trigger_ref,
                      decision=row.decision, rule=row.rule, option_id=row.option_id, detail=row.detail,
                      detected_at=row.detected_at, decided_by=row.decided_by,
                      proposal=row.proposal if with_proposal else None)


def _system(deps: Deps) -> Deps:
    return Deps(session=deps.session, principal=ORCHESTRATOR, now=deps.now, settings=deps.settings)


def _best(proposal: RerouteProposal) -> RerouteOption | None:
    chosen = proposal.recommended_option_id
    return next((o for o in proposal.options if o.option_id == chosen), None)


def _handle(deps: Deps, trigger: Trigger, order: Order) -> tuple[OrchestrationAction, int]:
    sysdeps = _system(deps)
    row = OrchestrationAction(key=trigger.key, order_id=order.id, trigger=trigger.kind, trigger_ref=trigger.ref[:200],
                              detected_at=deps.now, detail=trigger.detail[:2000])
    if trigger.kind in _NOTICE_ONLY:
        row.decision = OrchestrationDecision.notice_only
        return row, tell(deps, order, trigger.kind, trigger.key, _NOTICE_ONLY[trigger.kind], trigger.expected_date)
    try:
        proposal = propose_reroute(sysdeps, order.id)
    except PolicyViolation as stuck:  # lines already picked: nothing to move, tell the customer
        row.decision, row.detail = OrchestrationDecision.notice_only, stuck.message[:2000]
        return row, tell(deps, order, trigger.kind, trigger.key, NoticeKind.delay, trigger.expected_date)
    row.proposal = proposal.model_dump(mode="json")
    best = _best(proposal)
    if best is None or not best.meets_promise:
        late = delivery_eta(proposal, trigger.expected_date)
        pickup = pickup_offer(proposal)
        if pickup is not None:  # only the customer can say yes to a pickup: offer it to them
            return row, offer(deps, row, order, pickup, late, proposal.reason)
        stranded = stranded_fallback(proposal)
        if stranded is not None:  # breaks the promise, so never automatic: staff approve the move
            row.decision, row.option_id = OrchestrationDecision.awaiting_approval, stranded.option_id
            row.detail = (f"{proposal.reason}; the stock is gone at {proposal.current_node}: "
                          f"{stranded.option_id} delivers on {stranded.eta}, after the promise")[:2000]
            return row, tell(deps, order, trigger.kind, trigger.key, NoticeKind.delay, stranded.eta)
        row.decision, row.detail = OrchestrationDecision.no_option, proposal.reason[:2000]
        return row, tell(deps, order, trigger.kind, trigger.key, NoticeKind.delay, late)
    verdict = judge(best, deps.settings.autonomy)
    row.option_id = best.option_id
    if not verdict.automatic:
        row.decision, row.detail = OrchestrationDecision.awaiting_approval, verdict.why[:2000]
        return row, 0
    row.before = snapshot(deps, order)
    execute_reroute(sysdeps, order_id=order.id, option_id=best.option_id, idempotency_key=f"orch:{trigger.key}"[:128],
                    approved_by=f"policy:{verdict.rule}", note=verdict.why)
    row.decision, row.rule, row.detail = OrchestrationDecision.auto_executed, verdict.rule, verdict.why[:2000]
    row.decided_by, row.decided_at = f"policy:{verdict.rule}", deps.now
    return row, 0


def orchestrate(deps: Deps) -> OrchestrationReport:
    """One pass over the standing triggers (staff or system); the caller commits."""
    access.ensure_staff(deps.principal, "orchestrating")
    session = deps.session
    triggers = detect(_system(deps))
    by_trigger: dict[str, int] = {}
    by_decision: dict[str, int] = {}
    handled = drafted = 0
    errors: list[str] = []
    actions: list[ActionView] = []
    seen: set[str] = set()
    for trigger in triggers:
        by_trigger[trigger.kind.value] = by_trigger.get(trigger.kind.value, 0) + 1
        if trigger.key in seen or session.scalar(select(OrchestrationAction.id).where(
                OrchestrationAction.key == trigger.key)) is not None:
            handled += 1
            continue
        seen.add(trigger.key)
        order = session.get(Order, trigger.order_id)
        if order is None or order.status in CLOSED:
            continue
        if order.status is OrderStatus.ready_for_pickup and trigger.kind is not TriggerKind.pickup_expiring:
            continue  # already waiting at the store: only its hold matters now
        try:
            with session.begin_nested():
                row, notices = _handle(deps, trigger, order)
                session.add(row)
                session.flush()
                audit.record(_system(deps), f"orchestration.{row.decision.value}", "order", order.id,
                             {"trigger": trigger.kind.value, "ref": trigger.ref, "rule": row.rule,
                              "option_id": row.option_id, "detail": row.detail[:500]})
                session.flush()
        except DomainError as failed:
            errors.append(f"{trigger.key}: {failed.message}")
            continue
        drafted += notices
        by_decision[row.decision.value] = by_decision.get(row.decision.value, 0) + 1
        if len(actions) < 100:
            actions.append(view(row))
    return OrchestrationReport(triggers=len(triggers), by_trigger=by_trigger, by_decision=by_decision,
                               already_handled=handled, notices_drafted=drafted, errors=errors[:50],
                               actions=actions)


def pending(deps: Deps, limit: int = 100) -> list[ActionView]:
    """Proposals waiting for staff, oldest first, with the proposal attached (the copilot's queue)."""
    access.ensure_staff(deps.principal, "reviewing orchestration proposals")
    audit.check_limit(limit)
    rows = deps.session.scalars(select(OrchestrationAction).where(
        OrchestrationAction.decision == OrchestrationDecision.awaiting_approval)
        .order_by(OrchestrationAction.detected_at, OrchestrationAction.id).limit(limit))
    return [view(r, with_proposal=True) for r in rows]


def recent(deps: Deps, limit: int = 100) -> list[ActionView]:
    """What the orchestrator did lately, newest first (the ops console's list)."""
    access.ensure_staff(deps.principal, "reviewing orchestration")
    audit.check_limit(limit)
    rows = deps.session.scalars(select(OrchestrationAction)
                                .order_by(OrchestrationAction.detected_at.desc(), OrchestrationAction.id.desc())
                                .limit(limit))
    return [view(r) for r in rows]


def _action(deps: Deps, action_id: int, *wanted: OrchestrationDecision) -> OrchestrationAction:
    row = deps.session.get(OrchestrationAction, action_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"orchestration action {action_id} not found", field="action_id")
    if row.decision not in wanted:
        raise Conflict(f"action {action_id} is {row.decision.value}", field="action_id")
    return row


def _order_of(deps: Deps, row: OrchestrationAction) -> Order:
    """The order an action is about (its foreign key keeps it there)."""
    order = deps.session.get(Order, row.order_id)
    if order is None:
        raise NotFound(f"order {row.order_id} not found", field="action_id")
    return order


def approve(deps: Deps, action_id: int, note: str | None = None) -> ActionView:
    """Staff run the queued option (authorized and re-checked by the reroute code).

    A pickup is not staff's to consent to: approving one offers it to the customer instead
    (:mod:`offers`), and the action then waits for their answer.
    """
    access.ensure_staff(deps.principal, "approving orchestration proposals")
    row = _action(deps, action_id, OrchestrationDecision.awaiting_approval)
    order = _order_of(deps, row)
    options: list[dict[str, Any]] = (row.proposal or {}).get("options", [{}])
    option: dict[str, Any] = next((o for o in options if o.get("option_id") == row.option_id), {})
    if option.get("kind") == PICKUP:
        current = (row.proposal or {}).get("current_eta")
        offer(deps, row, order, RerouteOption.model_validate(option),
              date.fromisoformat(current) if current else None, f"{deps.principal.label()} approved the pickup")
        audit.record(deps, "orchestration.offered", "order", row.order_id, {"action_id": row.id, "note": note})
        deps.session.flush()
        return view(row)
    row.before = snapshot(deps, order)
    result = execute_reroute(deps, order_id=row.order_id, option_id=row.option_id or "",
                             idempotency_key=f"orch:{row.key}"[:128], approved_by=deps.principal.label(), note=note)
    row.decision, row.decided_by, row.decided_at = OrchestrationDecision.approved, deps.principal.label(), deps.now
    if option.get("kind") not in deps.settings.autonomy.invisible_kinds:  # the customer will see it
        tell(deps, order, row.trigger, row.key, NoticeKind.saved, result.eta)
    audit.record(deps, "orchestration.approved", "order", row.order_id, {"action_id": row.id, "note": note})
    deps.session.flush()
    return view(row)


def reject(deps: Deps, action_id: int, note: str | None = None) -> ActionView:
    """Staff decline the queued option; the customer is told the promise will move."""
    access.ensure_staff(deps.principal, "rejecting orchestration proposals")
    row = _action(deps, action_id, OrchestrationDecision.awaiting_approval)
    order = _order_of(deps, row)
    record_rejection(deps, action="orchestration", order_id=row.order_id, rejected_by=deps.principal.label(), note=note)
    row.decision, row.decided_by, row.decided_at = OrchestrationDecision.rejected, deps.principal.label(), deps.now
    current = (row.proposal or {}).get("current_eta")
    tell(deps, order, row.trigger, row.key, NoticeKind.delay, date.fromisoformat(current) if current else None)
    deps.session.flush()
    return view(row)


def revert(deps: Deps, action_id: int, note: str | None = None) -> ActionView:
    """Staff undo an executed action: lines, reservations and service back as they were."""
    access.ensure_staff(deps.principal, "reverting orchestration actions")
    row = _action(deps, action_id, OrchestrationDecision.auto_executed, OrchestrationDecision.approved)
    before = row.before or {}
    session = deps.session
    order = session.get(Order, row.order_id, with_for_update=True)
    lines = {ln.line_no: ln for ln in session.scalars(
        select(OrderLine).where(OrderLine.order_id == row.order_id).with_for_update()
        .execution_options(populate_existing=True))}
    pos = InventoryPosition
    for old in sorted(before.get("lines", []), key=lambda o: (o["node_id"] or "", o["line_no"])):
        line = lines.get(old["line_no"])
        if line is None or line.allocated_node_id == old["node_id"]:
            continue
        if line.status not in RESERVING_LINE_STATES:
            raise PolicyViolation(f"line {line.line_no} is {line.status.value}: it cannot move back",
                                  field="action_id")
        if old["node_id"]:
            done = rows_matched(session, update(pos).where(
                pos.node_id == old["node_id"], pos.sku == line.sku,
                pos.on_hand - pos.reserved - pos.safety_stock >= line.quantity)
                .values(reserved=pos.reserved + line.quantity).execution_options(synchronize_session=False))
            if done != 1:
                raise Conflict(f"{old['node_id']} no longer has {line.quantity} of {line.sku} to take it back",
                               field="action_id")
        if line.allocated_node_id:
            session.execute(update(pos).where(pos.node_id == line.allocated_node_id, pos.sku == line.sku)
                            .values(reserved=case((pos.reserved >= line.quantity, pos.reserved - line.quantity),
                                                  else_=0)).execution_options(synchronize_session=False))
        line.allocated_node_id = old["node_id"]
        line.ship_by = date.fromisoformat(old["ship_by"]) if old["ship_by"] else None
    if order is not None and "service_id" in before:
        order.service_id = before["service_id"]
    row.decision, row.decided_by, row.decided_at = OrchestrationDecision.reverted, deps.principal.label(), deps.now
    audit.record(deps, "orchestration.reverted", "order", row.order_id, {"action_id": row.id, "note": note,
                                                                          "restored": before})
    session.flush()
    return view(row)
