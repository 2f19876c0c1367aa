"""Claims (damaged, missing item, never arrived) and complaints: a case in the support queue.

What the lost-damaged policy allows, with its numbers from :mod:`promesa.domain.policy`:

* **damaged**: reported within ``DAMAGED_CLAIM_DAYS`` days of delivery, with photos of the
  package and the item (the fact the policy asks for); we reship the item when some node has
  it available to promise, else (or when the customer prefers) refund it at once;
* **missing item** from a delivered parcel: same window; the policy has no automatic outcome,
  so a person investigates (the case is escalated);
* **never arrived**: marked delivered but not received — within ``NOT_RECEIVED_CLAIM_HOURS`` of
  the delivery scan, a person reviews the carrier's evidence; still in transit — once the
  parcel is more than ``LOST_PARCEL_INVESTIGATION_DAYS`` past the carrier's estimate, an
  investigation with the carrier (escalated); earlier, the refusal says from when;
* **complaint**: always a case for a person, with the conversation's summary.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy import func, select

from promesa.domain import access
from promesa.domain.actions import common, replacement
from promesa.domain.actions.records import (
    CaseResult,
    ClaimProposal,
    RefundQuote,
    Refusal,
)
from promesa.domain.actions.returns import delivered_day
from promesa.domain.deps import Deps
from promesa.domain.inventory import atp_by_node
from promesa.domain.order_states import HANDED_OVER, WITH_CARRIER
from promesa.domain.policy import (
    DAMAGED_CLAIM_DAYS,
    LOST_PARCEL_INVESTIGATION_DAYS,
    NOT_RECEIVED_CLAIM_HOURS,
)
from promesa.errors import InvalidInput, PolicyViolation
from promesa.principal import Role
from promesa.store.enums import (
    CaseKind,
    CaseResolution,
    CaseStatus,
    LineStatus,
    RefundMethod,
    RefundReason,
    RefundStatus,
    TrackingEventType,
)
from promesa.store.models import (
    Customer,
    Order,
    OrderLine,
    Refund,
    SupportCase,
    TrackingEvent,
)

ACTION_CLAIM = "open_claim"
ACTION_COMPLAINT = "file_complaint"
Preference = Literal["reship", "refund"]


def _lines(deps: Deps, order: Order, line_nos: list[int] | None) -> list[OrderLine]:
    lines = list(deps.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)
                                      .order_by(OrderLine.line_no)))
    if line_nos is None:
        return [ln for ln in lines if ln.status is not LineStatus.cancelled]
    unknown = sorted(set(line_nos) - {ln.line_no for ln in lines})
    if unknown or not line_nos:
        raise InvalidInput(f"order {order.id} has no line(s) {unknown}", field="line_nos")
    return [ln for ln in lines if ln.line_no in set(line_nos)]


def _fact_line_nos(facts: dict[str, object]) -> list[int] | None:
    """The line numbers a proposal's facts name (None: none named, so every line)."""
    named = facts.get("line_nos")
    line_nos = [n for n in named if isinstance(n, int)] if isinstance(named, list) else []
    return line_nos or None


def _items(lines: list[OrderLine]) -> list[replacement.Item]:
    return [replacement.Item(ln.sku, ln.quantity) for ln in lines]


def _refuse(order: Order, kind: CaseKind, code: str, reason: str, *alternatives: str) -> ClaimProposal:
    return ClaimProposal(order_id=order.id, kind=kind, eligible=False, reason=reason,
                         refusals=[Refusal(code=code, reason=reason, alternatives=list(alternatives))])


def _damaged_or_missing(deps: Deps, order: Order, kind: CaseKind, lines: list[OrderLine],
                        has_photos: bool, description: str, prefer: Preference) -> ClaimProposal:
    if order.status not in HANDED_OVER:
        return _refuse(order, kind, "not_delivered", f"order {order.id} is {order.status.value}, not delivered",
                       "report it as never arrived once it is overdue")
    day = delivered_day(deps, order, lines[0])
    ends = day + timedelta(days=DAMAGED_CLAIM_DAYS) if day else None
    if day is None or ends is None or common.today(deps) > ends:
        return _refuse(order, kind, "claim_window_closed",
                       f"damage and missing-item claims are taken within {DAMAGED_CLAIM_DAYS} days of "
                       f"delivery{f' (until {ends})' if ends else ''}", "a warranty claim if it is defective")
    facts: dict[str, object] = {"delivered_on": day.isoformat(), "line_nos": [ln.line_no for ln in lines],
                                "photos": has_photos, "description": description}
    if kind is CaseKind.missing_item:
        return ClaimProposal(order_id=order.id, kind=kind, eligible=True, facts=facts,
                             resolution=CaseResolution.investigation, needs_staff=True,
                             reason="a person checks the packing record and replies; nothing is decided automatically")
    if not has_photos:
        return ClaimProposal(order_id=order.id, kind=kind, eligible=False, facts=facts, missing_facts=["photos"],
                             reason="the policy asks for photos of the package and the item before we decide")
    amount = sum((Decimal(ln.unit_price) * ln.quantity for ln in lines), Decimal(0))
    atp = atp_by_node(deps.session, {ln.sku for ln in lines})
    in_stock = all(any(q >= ln.quantity for q in atp.get(ln.sku, {}).values()) for ln in lines)
    source = replacement.best_source(deps, order, _items(lines)) if prefer == "reship" and in_stock else None
    if source is not None:
        return ClaimProposal(order_id=order.id, kind=kind, eligible=True, facts=facts,
                             resolution=CaseResolution.reship, replacement_node_id=source.node_id,
                             replacement_eta=source.eta,
                             reason=f"we send the same item(s) again at no cost from {source.node_id}, arriving "
                                    f"{source.eta}, and collect the damaged one")
    quote = RefundQuote(amount=min(amount, common.refundable(deps, order)), currency=order.currency,
                        method=RefundMethod.original_payment,
                        expected_by=common.refund_date(deps, RefundMethod.original_payment))
    why = "as you prefer" if prefer == "refund" else "no node has the item available to reship"
    return ClaimProposal(order_id=order.id, kind=kind, eligible=quote.amount > 0, facts=facts,
                         resolution=CaseResolution.refund, refund=quote,
                         reason=f"we refund {quote.amount} {order.currency} by {quote.expected_by} ({why})")


def _not_arrived(deps: Deps, order: Order) -> ClaimProposal:
    kind = CaseKind.not_arrived
    if order.status in HANDED_OVER:
        scan = deps.session.scalar(select(func.max(TrackingEvent.occurred_at)).where(
            TrackingEvent.order_id == order.id, TrackingEvent.type == TrackingEventType.delivered))
        if scan is None:
            return _refuse(order, kind, "no_delivery_scan", f"order {order.id} has no delivery scan to review",
                           "ask for a person")
        until = scan + timedelta(hours=NOT_RECEIVED_CLAIM_HOURS)
        if deps.now > until:
            return _refuse(order, kind, "claim_window_closed",
                           f"a delivered-but-not-received claim is taken within {NOT_RECEIVED_CLAIM_HOURS} "
                           f"hours of the delivery scan (until {until.astimezone(deps.settings.tz):%Y-%m-%d %H:%M})",
                           "we can help you with a carrier claim")
        return ClaimProposal(order_id=order.id, kind=kind, eligible=True, resolution=CaseResolution.investigation,
                             needs_staff=True, facts={"delivery_scan": scan.isoformat()},
                             reason="a person reviews the carrier's GPS and photo evidence and replies "
                                    "within 3 business days")
    if order.status not in WITH_CARRIER:
        return _refuse(order, kind, "not_shipped", f"order {order.id} has not shipped yet ({order.status.value})",
                       "ask where it is", "cancel it while nothing is picked")
    estimate = order.carrier_eta or order.promised_date
    opens = estimate + timedelta(days=LOST_PARCEL_INVESTIGATION_DAYS + 1)
    if common.today(deps) < opens:
        return _refuse(order, kind, "too_early",
                       f"the carrier's estimate is {estimate}; we open a lost-parcel investigation from {opens}",
                       "track the parcel")
    return ClaimProposal(order_id=order.id, kind=kind, eligible=True, resolution=CaseResolution.investigation,
                         needs_staff=True, facts={"carrier_estimate": estimate.isoformat()},
                         reason="we open an investigation with the carrier; if it is not found we reship "
                                "or refund in full, as you prefer")


def propose_claim(deps: Deps, order_id: str, *, kind: CaseKind, line_nos: list[int] | None = None,
                  has_photos: bool = False, description: str = "",
                  prefer: Preference = "reship") -> ClaimProposal:
    """What a claim would open and decide, which facts are still missing, or why not."""
    if kind is CaseKind.complaint:
        raise InvalidInput("a complaint is filed with file_complaint", field="kind")
    order = common.load_order(deps, order_id)
    if kind is CaseKind.not_arrived:
        return _not_arrived(deps, order)
    return _damaged_or_missing(deps, order, kind, _lines(deps, order, line_nos), has_photos, description, prefer)


def _case_id(deps: Deps, owner: str) -> str:
    count = deps.session.scalar(select(func.count()).select_from(SupportCase)
                                .where(SupportCase.id.like(f"CS-{owner}-%"))) or 0
    return f"CS-{owner}-{count + 1}"


def open_claim(deps: Deps, *, order_id: str, kind: CaseKind, idempotency_key: str,
               line_nos: list[int] | None = None, has_photos: bool = False, description: str = "",
               prefer: Preference = "reship", approved_by: str | None = None) -> CaseResult:
    """Open the claim's case (and its refund when the policy decides one); once per key."""
    key = common.check_key(idempotency_key)
    approved_by = approved_by or deps.principal.label()
    order = common.load_order(deps, order_id, lock=True)

    def work() -> CaseResult:
        p = propose_claim(deps, order_id, kind=kind, line_nos=line_nos, has_photos=has_photos,
                          description=description, prefer=prefer)
        if not p.eligible or p.resolution is None:
            raise PolicyViolation(p.reason, order_id=order_id, missing_facts=p.missing_facts,
                                  refusals=[r.model_dump(mode="json") for r in p.refusals])
        status = CaseStatus.escalated if p.needs_staff else (
            CaseStatus.resolved if p.resolution is CaseResolution.refund else CaseStatus.open)
        case = SupportCase(id=_case_id(deps, order_id), kind=kind, customer_id=order.customer_id,
                           order_id=order_id, created_at=deps.now, status=status, resolution=p.resolution,
                           summary=f"{kind.value} claim on {order_id}: {p.reason}"
                                   + (f" — customer says: {description}" if description else ""),
                           facts=dict(p.facts))
        deps.session.add(case)
        deps.session.flush()
        replaced: str | None = None
        if p.resolution is CaseResolution.reship and p.replacement_node_id and p.replacement_eta:
            # the reship is a paid replacement order, reserved now, in the case's transaction
            replaced = replacement.create(
                deps, order, _items(_lines(deps, order, _fact_line_nos(p.facts))),
                replacement.Source(p.replacement_node_id, p.replacement_eta),
                note=f"reship for {order_id} ({case.id}); already paid")
            case.facts = {**dict(case.facts or {}), "replacement_order_id": replaced}
        refund: Refund | None = None
        if p.refund is not None:
            refund = common.add_refund(deps, order, p.refund.amount, reason=RefundReason.claim,
                                       method=p.refund.method, status=RefundStatus.issued,
                                       expected_by=p.refund.expected_by, case_id=case.id)
        return CaseResult(case_id=case.id, kind=kind, order_id=order_id, customer_id=order.customer_id,
                          status=status, resolution=p.resolution, summary=case.summary,
                          refund_id=refund.id if refund else None, refund=p.refund if refund else None,
                          replacement_order_id=replaced,
                          idempotency_key=key, approved_by=approved_by, executed_at=deps.now)

    return common.run_once(deps, key=key, action=ACTION_CLAIM, entity_id=order_id, kind=CaseResult, work=work,
                           audit_details=lambda r: {"approved_by": approved_by, "case_id": r.case_id,
                                                    "resolution": r.resolution.value, "refund_id": r.refund_id,
                                                    "replacement_order_id": r.replacement_order_id})


def _complaint_owner(deps: Deps, order_id: str | None, customer_id: str | None) -> tuple[str, Order | None]:
    if order_id:
        order = common.load_order(deps, order_id)
        return order.customer_id, order
    if deps.principal.role is Role.customer and deps.principal.subject:
        return deps.principal.subject, None
    if deps.principal.is_staff and customer_id and deps.session.get(Customer, customer_id):
        return customer_id, None
    if deps.principal.is_staff:
        raise InvalidInput("name the order or the customer the complaint is about", field="customer_id")
    raise access.order_not_found(order_id or "-")


def propose_complaint(deps: Deps, *, summary: str, order_id: str | None = None,
                      customer_id: str | None = None) -> ClaimProposal:
    """The case a complaint would open: always a person's, with the summary given."""
    text = " ".join(summary.split())
    if len(text) < 5:
        raise InvalidInput("a complaint needs a summary of what happened", field="summary")
    owner, order = _complaint_owner(deps, order_id, customer_id)
    return ClaimProposal(order_id=order.id if order else "", kind=CaseKind.complaint, eligible=True,
                         resolution=CaseResolution.staff_review, needs_staff=True,
                         facts={"customer_id": owner, "summary": text[:2000]},
                         reason="a person in the support queue reviews it and replies")


def file_complaint(deps: Deps, *, summary: str, idempotency_key: str, order_id: str | None = None,
                   customer_id: str | None = None, approved_by: str | None = None) -> CaseResult:
    """Open the complaint's case in the support queue; once per key."""
    key = common.check_key(idempotency_key)
    approved_by = approved_by or deps.principal.label()
    p = propose_complaint(deps, summary=summary, order_id=order_id, customer_id=customer_id)
    owner = str(p.facts["customer_id"])
    if order_id:
        common.load_order(deps, order_id, lock=True)

    def work() -> CaseResult:
        case = SupportCase(id=_case_id(deps, order_id or owner), kind=CaseKind.complaint, customer_id=owner,
                           order_id=order_id, created_at=deps.now, status=CaseStatus.open,
                           resolution=CaseResolution.staff_review, summary=str(p.facts["summary"]),
                           facts={"filed_by": deps.principal.label()})
        deps.session.add(case)
        deps.session.flush()
        return CaseResult(case_id=case.id, kind=CaseKind.complaint, order_id=order_id, customer_id=owner,
                          status=case.status, resolution=case.resolution, summary=case.summary,
                          idempotency_key=key, approved_by=approved_by, executed_at=deps.now)

    return common.run_once(deps, key=key, action=ACTION_COMPLAINT, entity_id=order_id or owner,
                           kind=CaseResult, work=work,
                           audit_details=lambda r: {"approved_by": approved_by, "case_id": r.case_id})
