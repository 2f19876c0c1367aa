"""Self-service tools for customers and support: proposals and refund status (READ), and the
cancel, address change, return, claim and complaint they lead to (WRITE).

Each WRITE pauses the graph for the customer's confirmation (their own order) or a support
approval; the graph then runs it with the action's key (promesa.domain.outcomes) as the
idempotency key, so the same action approved from two threads runs once. Whether
an action is allowed is decided by the domain services (promesa.domain.actions), never here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from promesa.domain.actions.records import (
    AddressChangeProposal,
    AddressChangeResult,
    AddressIn,
    CancelProposal,
    CancelResult,
    CaseResult,
    ClaimProposal,
    ExchangeProposal,
    ExchangeResult,
    RefundStatusResult,
    ReturnItem,
    ReturnProposal,
    ReturnResult,
)
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.rights import WriteRequest
from promesa.errors import InvalidInput
from promesa.principal import Role
from promesa.store.enums import CaseKind, ItemCondition, RefundMethod, ReturnMethod
from tools import action_decisions as decide
from tools.names import ToolName
from tools.registry import Access, ToolEnv, tool

ORDER_ID = Field(description="The order id, e.g. PO-5001.", min_length=1, max_length=32)
SELF_SERVICE = [Role.customer, Role.support]
APPROVERS = [Role.customer, Role.support]


def _key(env: ToolEnv) -> str:
    if not env.idempotency_key:
        raise InvalidInput("a write needs a confirmation and an idempotency key", field="idempotency_key")
    return env.idempotency_key


def _requested(deps: Deps, action: ToolName, order_id: str | None, proposal: object) -> WriteRequest:
    """The authorized request for a self-service write (the domain decides; tools only route)."""
    from promesa.domain.actions.requests import request_action

    return request_action(deps, action=action, order_id=order_id, proposal=proposal)  # type: ignore[arg-type]


def _as_requester(deps: Deps, env: ToolEnv, order_id: str | None) -> None:
    """At execution the requester is checked again beside the approver (issue #16's rule)."""
    from promesa.domain.actions.requests import ensure_requester_may_act

    ensure_requester_may_act(deps, env.requester, order_id)


def _request_cancel(deps: Deps, args: CancelArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.actions.cancel import propose_cancel as propose

    return _requested(deps, ToolName.cancel_order, args.order_id, propose(deps, args.order_id, line_nos=args.line_nos))


def _request_address(deps: Deps, args: AddressArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.actions.address import propose_address_change as propose

    return _requested(deps, ToolName.change_address, args.order_id, propose(deps, args.order_id, args.address()))


def _request_return(deps: Deps, args: ReturnArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.actions.returns import propose_return as propose

    proposal = propose(deps, args.order_id, **args.as_kwargs())  # type: ignore[arg-type]
    return _requested(deps, ToolName.start_return, args.order_id, proposal)


def _request_claim(deps: Deps, args: ClaimArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.actions.claims import propose_claim as propose

    proposal = propose(deps, args.order_id, **args.as_kwargs())  # type: ignore[arg-type]
    return _requested(deps, ToolName.open_claim, args.order_id, proposal)


def _request_complaint(deps: Deps, args: ComplaintArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.actions.claims import propose_complaint as propose

    proposal = propose(deps, summary=args.summary, order_id=args.order_id, customer_id=args.customer_id)
    return _requested(deps, ToolName.file_complaint, args.order_id, proposal)


def _request_exchange(deps: Deps, args: ExchangeArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.actions.exchange import propose_exchange as propose

    proposal = propose(deps, args.order_id, line_no=args.line_no, to_sku=args.to_sku)
    return _requested(deps, ToolName.exchange_item, args.order_id, proposal)


class CancelArgs(BaseModel):
    order_id: str = ORDER_ID
    line_nos: list[int] | None = Field(None, description="Only these line numbers; default the whole order.")


class AddressArgs(BaseModel):
    order_id: str = ORDER_ID
    line1: str = Field(description="Street and number.", min_length=3, max_length=200)
    city: str = Field(description="City, e.g. Monterrey.", min_length=2, max_length=100)
    state: str = Field(description="State, e.g. Nuevo León.", min_length=2, max_length=100)
    postal_code: str = Field(description="5-digit postal code.", min_length=1, max_length=10)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    def address(self) -> AddressIn:
        return AddressIn.model_validate(self.model_dump(exclude={"order_id"}))


class ReturnItemArgs(BaseModel):
    line_no: int = Field(ge=1)
    quantity: int | None = Field(None, ge=1, description="Units; default all not yet returned.")
    condition: ItemCondition = Field(ItemCondition.unopened, description="unopened, opened, used or damaged.")


class ReturnArgs(BaseModel):
    order_id: str = ORDER_ID
    items: list[ReturnItemArgs] | None = Field(None, description="Lines to return; default every delivered line.")
    method: ReturnMethod = Field(ReturnMethod.store_dropoff, description="store_dropoff or carrier_pickup.")
    refund_method: RefundMethod = Field(RefundMethod.original_payment,
                                        description="original_payment or store_credit.")
    dropoff_node_id: str | None = Field(None, description="A store id; default the nearest.")

    def as_kwargs(self) -> dict[str, object]:
        items = [ReturnItem.model_validate(i.model_dump()) for i in self.items] if self.items is not None else None
        return {"items": items, "method": self.method, "refund_method": self.refund_method,
                "dropoff_node_id": self.dropoff_node_id}


class RefundStatusArgs(BaseModel):
    order_id: str | None = Field(None, description="One order; default every refund of the customer.")
    customer_id: str | None = Field(None, description="Support only: the customer, e.g. C-1001.")


class ClaimArgs(BaseModel):
    order_id: str = ORDER_ID
    kind: Literal[CaseKind.damaged, CaseKind.missing_item, CaseKind.not_arrived] = Field(
        description="damaged, missing_item or not_arrived.")
    line_nos: list[int] | None = Field(None, description="The affected lines; default all.")
    has_photos: bool = Field(False, description="The customer has photos of the package and the item.")
    description: str = Field("", max_length=1000, description="What the customer reports, in their words.")
    prefer: Literal["reship", "refund"] = "reship"

    def as_kwargs(self) -> dict[str, object]:
        return self.model_dump(exclude={"order_id"})


class ComplaintArgs(BaseModel):
    summary: str = Field(description="A neutral summary of the complaint and the conversation.",
                         min_length=5, max_length=2000)
    order_id: str | None = Field(None, description="The order it is about, if any.")
    customer_id: str | None = Field(None, description="Support only: the customer it is about.")


@tool(roles=SELF_SERVICE, returns=CancelProposal, decisions=decide.cancel_proposal)
def propose_cancel(deps: Deps, args: CancelArgs, env: ToolEnv) -> CancelProposal:
    """Check whether an order (or some lines) can be cancelled, and what the refund would be.

    Returns exactly what would change or, per line, why it can't and what to do instead.
    Nothing changes until cancel_order is confirmed.
    """
    from promesa.domain.actions.cancel import propose_cancel as propose

    return propose(deps, args.order_id, line_nos=args.line_nos)


@tool(roles=SELF_SERVICE, access=Access.write, approvers=APPROVERS, authorize=_request_cancel, returns=CancelResult, decisions=decide.cancelled)
def cancel_order(deps: Deps, args: CancelArgs, env: ToolEnv) -> CancelResult:
    """Cancel the order or lines from propose_cancel. Waits for the customer's confirmation."""
    from promesa.domain.actions.cancel import cancel_order as cancel

    _as_requester(deps, env, args.order_id)
    return cancel(deps, order_id=args.order_id, line_nos=args.line_nos, idempotency_key=_key(env),
                  approved_by=env.approved_by, note=env.approval_note)


@tool(roles=SELF_SERVICE, returns=AddressChangeProposal, decisions=decide.address_proposal)
def propose_address_change(deps: Deps, args: AddressArgs, env: ToolEnv) -> AddressChangeProposal:
    """Check a new delivery address for an order: validity, the new ETA and promise, alternatives.

    Nothing changes until change_address is confirmed.
    """
    from promesa.domain.actions.address import propose_address_change as propose

    return propose(deps, args.order_id, args.address())


@tool(roles=SELF_SERVICE, access=Access.write, approvers=APPROVERS, authorize=_request_address, returns=AddressChangeResult, decisions=decide.address_changed)
def change_address(deps: Deps, args: AddressArgs, env: ToolEnv) -> AddressChangeResult:
    """Change the delivery address as proposed. Waits for the customer's confirmation."""
    from promesa.domain.actions.address import change_address as change

    _as_requester(deps, env, args.order_id)
    return change(deps, order_id=args.order_id, address=args.address(), idempotency_key=_key(env),
                  approved_by=env.approved_by, note=env.approval_note)


@tool(roles=SELF_SERVICE, returns=ReturnProposal, decisions=decide.return_proposal)
def propose_return(deps: Deps, args: ReturnArgs, env: ToolEnv) -> ReturnProposal:
    """Check whether delivered items can be returned: window, condition, method, refund and date.

    Nothing changes until start_return is confirmed.
    """
    from promesa.domain.actions.returns import propose_return as propose

    return propose(deps, args.order_id, **args.as_kwargs())  # type: ignore[arg-type]


@tool(roles=SELF_SERVICE, access=Access.write, approvers=APPROVERS, authorize=_request_return, returns=ReturnResult, decisions=decide.return_started)
def start_return(deps: Deps, args: ReturnArgs, env: ToolEnv) -> ReturnResult:
    """Start the return from propose_return (creates the RMA). Waits for the customer's confirmation."""
    from promesa.domain.actions.returns import start_return as start

    _as_requester(deps, env, args.order_id)
    return start(deps, order_id=args.order_id, idempotency_key=_key(env), approved_by=env.approved_by,
                 note=env.approval_note, **args.as_kwargs())  # type: ignore[arg-type]


@tool(roles=SELF_SERVICE, returns=RefundStatusResult, decisions=decide.refund_status)
def get_refund_status(deps: Deps, args: RefundStatusArgs, env: ToolEnv) -> RefundStatusResult:
    """Every refund of the customer (or one order): amount, method, state and expected date."""
    from promesa.domain.actions.refunds import refund_status

    return refund_status(deps, order_id=args.order_id, customer_id=args.customer_id)


@tool(roles=SELF_SERVICE, returns=ClaimProposal, decisions=decide.claim_proposal)
def propose_claim(deps: Deps, args: ClaimArgs, env: ToolEnv) -> ClaimProposal:
    """Check a claim for a damaged, missing or never-arrived parcel: what the policy decides
    (reship, refund, investigation), which facts are missing, and whether a person takes it.
    """
    from promesa.domain.actions.claims import propose_claim as propose

    return propose(deps, args.order_id, **args.as_kwargs())  # type: ignore[arg-type]


@tool(roles=SELF_SERVICE, access=Access.write, approvers=APPROVERS, authorize=_request_claim, returns=CaseResult, decisions=decide.case_opened)
def open_claim(deps: Deps, args: ClaimArgs, env: ToolEnv) -> CaseResult:
    """Open the claim from propose_claim as a support case. Waits for the customer's confirmation."""
    from promesa.domain.actions.claims import open_claim as open_

    _as_requester(deps, env, args.order_id)
    return open_(deps, order_id=args.order_id, idempotency_key=_key(env), approved_by=env.approved_by,
                 **args.as_kwargs())  # type: ignore[arg-type]


@tool(roles=SELF_SERVICE, access=Access.write, approvers=APPROVERS, authorize=_request_complaint, returns=CaseResult, decisions=decide.case_opened)
def file_complaint(deps: Deps, args: ComplaintArgs, env: ToolEnv) -> CaseResult:
    """File a complaint as a case in the support queue with a summary. Waits for confirmation."""
    from promesa.domain.actions.claims import file_complaint as file

    _as_requester(deps, env, args.order_id)
    return file(deps, summary=args.summary, order_id=args.order_id, customer_id=args.customer_id,
                idempotency_key=_key(env), approved_by=env.approved_by)


class ExchangeArgs(BaseModel):
    order_id: str = ORDER_ID
    line_no: int = Field(ge=1, description="The delivered line to exchange.")
    to_sku: str = Field(description="The SKU of the other size or colour.", min_length=1, max_length=32)


@tool(roles=SELF_SERVICE, returns=ExchangeProposal, decisions=decide.exchange_proposal)
def propose_exchange(deps: Deps, args: ExchangeArgs, env: ToolEnv) -> ExchangeProposal:
    """Check exchanging a delivered item for another size or colour of the same product: stock,
    the node it ships from and when it arrives. Nothing changes until exchange_item is confirmed.
    """
    from promesa.domain.actions.exchange import propose_exchange as propose

    return propose(deps, args.order_id, line_no=args.line_no, to_sku=args.to_sku)


@tool(roles=SELF_SERVICE, access=Access.write, approvers=APPROVERS, authorize=_request_exchange, returns=ExchangeResult, decisions=decide.exchange_created)
def exchange_item(deps: Deps, args: ExchangeArgs, env: ToolEnv) -> ExchangeResult:
    """Make the exchange from propose_exchange (return + replacement). Waits for confirmation."""
    from promesa.domain.actions.exchange import exchange_item as exchange

    _as_requester(deps, env, args.order_id)
    return exchange(deps, order_id=args.order_id, line_no=args.line_no, to_sku=args.to_sku,
                    idempotency_key=_key(env), approved_by=env.approved_by, note=env.approval_note)
