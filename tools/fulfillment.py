"""Fulfillment tools: availability, reroute and pickup proposals (READ) and their execution (WRITE).

WRITE tools never run when the model calls them: the graph pauses for a human's approval and
runs them afterwards with the action's key (promesa.domain.outcomes: order, tool, arguments and
the order's state version) as the idempotency key, so an action executes once whichever
thread approves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from promesa.domain.deps import Deps
from promesa.domain.fulfillment.records import RerouteExecution, RerouteProposal
from promesa.domain.fulfillment.rights import WriteRequest
from promesa.domain.records import AvailableToPromise
from promesa.errors import InvalidInput
from promesa.principal import Role
from tools.decisions import (
    AvailabilityDecision,
    BaseDecision,
    NodeAtp,
    ProposedOption,
    RerouteExecutedDecision,
    RerouteProposalDecision,
)
from tools.names import ToolName
from tools.registry import Access, ToolEnv, tool

ORDER_ID = Field(description="The order id, e.g. PO-5002.", min_length=1, max_length=32)


class AvailabilityArgs(BaseModel):
    sku: str = Field(description="The product SKU, e.g. SKU-10001.", min_length=1, max_length=32)
    city: str | None = Field(None, description="Rank stores by distance to this city.")


class OrderIdArgs(BaseModel):
    order_id: str = ORDER_ID


class ProposeRerouteArgs(BaseModel):
    order_id: str = ORDER_ID
    line_nos: list[int] | None = Field(None, description="Only these lines; default all open lines.")


class ExecuteRerouteArgs(BaseModel):
    order_id: str = ORDER_ID
    option_id: str = Field(description="The option id from propose_reroute.", min_length=1)


class ConvertToPickupArgs(BaseModel):
    order_id: str = ORDER_ID
    node_id: str = Field(description="The pickup store id from propose_pickup.", min_length=1)


def availability_decisions(atp: AvailableToPromise) -> Sequence[BaseDecision]:
    """The SKU's total and its five nearest (or fullest) nodes."""
    nodes = [NodeAtp(node_id=n.node_id, atp=n.atp, distance_km=n.distance_km) for n in atp.nodes[:5]]
    return [AvailabilityDecision(sku=atp.sku, total_atp=atp.total_atp, nodes=nodes)]


def _proposal_decision(proposal: RerouteProposal, kind: Literal["reroute", "pickup"]) -> RerouteProposalDecision:
    fields = set(ProposedOption.model_fields)
    return RerouteProposalDecision(
        order_id=proposal.order_id,
        recommended_node=proposal.recommended_node,
        recommended_option_id=proposal.recommended_option_id,
        options=[ProposedOption.model_validate(o.model_dump(include=fields)) for o in proposal.options],
        feasible=proposal.recommended_option_id is not None,
        reason=proposal.reason,
        kind=kind,
        needed=proposal.problem is not None,
        promised_date=proposal.promised_date, current_node=proposal.current_node,
        current_eta=proposal.current_eta,
    )


def reroute_decisions(proposal: RerouteProposal) -> Sequence[BaseDecision]:
    """A reroute proposal: its options, the recommendation, and whether one is needed at all."""
    return [_proposal_decision(proposal, "reroute")]


def pickup_decisions(proposal: RerouteProposal) -> Sequence[BaseDecision]:
    """A pickup proposal: the stores that can hold the order, and whether a change is needed."""
    return [_proposal_decision(proposal, "pickup")]


def executed_decisions(execution: RerouteExecution) -> Sequence[BaseDecision]:
    """An executed reroute or pickup conversion, with the node the lines moved to."""
    to_node = execution.moved[0].get("to_node") if execution.moved else None
    action = ToolName.convert_to_pickup if execution.kind == "pickup" else ToolName.execute_reroute
    return [RerouteExecutedDecision(
        order_id=execution.order_id, option_id=execution.option_id,
        to_node=str(to_node) if to_node is not None else None, idempotency_key=execution.idempotency_key,
        approved_by=execution.approved_by, action=action.value, replayed=execution.replayed,
    )]


def _key(env: ToolEnv) -> str:
    if not env.idempotency_key:
        raise InvalidInput("a write needs an approval and an idempotency key", field="idempotency_key")
    return env.idempotency_key


@tool(roles=[Role.support, Role.ops], returns=AvailableToPromise, decisions=availability_decisions)
def check_availability(deps: Deps, args: AvailabilityArgs, env: ToolEnv) -> AvailableToPromise:
    """Available-to-promise stock of a SKU by node (on hand minus reserved and safety stock)."""
    from promesa.domain import inventory

    return inventory.available_to_promise(deps, args.sku, near=args.city)


@tool(roles=[Role.customer, Role.support], returns=RerouteProposal, decisions=pickup_decisions)
def propose_pickup(deps: Deps, args: OrderIdArgs, env: ToolEnv) -> RerouteProposal:
    """Propose converting a shipping order to store pickup: nearby stores that have the items.

    Returns options with the date each could be ready; nothing changes until it is approved.
    """
    from promesa.domain.fulfillment.proposals import propose_reroute

    # Asking for pickup options is the customer's consent to see them as executable.
    proposal = propose_reroute(deps, args.order_id, consent_pickup=True)
    pickups = [o for o in proposal.options if o.kind == "pickup"]
    best = next((o for o in pickups if o.executable and not o.filtered_out), None)
    return proposal.model_copy(
        update={
            "options": pickups,
            "recommended_option_id": best.option_id if best else None,
            "recommended_node": best.nodes[0] if best else None,
            "reason": proposal.reason if best else "no nearby store can hold this order for pickup",
        }
    )


def _request_pickup(deps: Deps, args: ConvertToPickupArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.fulfillment.rights import ACTION_PICKUP, describe_request

    return describe_request(deps, action=ACTION_PICKUP, order_id=args.order_id,
                            option_id=f"pickup:{args.node_id}:pickup")


def _request_reroute(deps: Deps, args: ExecuteRerouteArgs, env: ToolEnv) -> WriteRequest:
    from promesa.domain.fulfillment.rights import ACTION_REROUTE, describe_request

    return describe_request(deps, action=ACTION_REROUTE, order_id=args.order_id, option_id=args.option_id)


@tool(roles=[Role.customer, Role.support], access=Access.write, approvers=[Role.customer, Role.support],
      authorize=_request_pickup, returns=RerouteExecution, decisions=executed_decisions)
def convert_to_pickup(deps: Deps, args: ConvertToPickupArgs, env: ToolEnv) -> RerouteExecution:
    """Convert an order to pickup at a store from propose_pickup. Needs the customer's approval."""
    from promesa.domain.fulfillment.execution import convert_to_pickup as convert

    # The graph runs this only after the customer (or support on their behalf) approved it:
    # that approval is the consent the domain requires.
    return convert(
        deps,
        order_id=args.order_id,
        node_id=args.node_id,
        idempotency_key=_key(env),
        consent=True,
        approved_by=env.approved_by,
        note=env.approval_note,
        requested_by=env.requester,
    )


@tool(roles=[Role.support, Role.ops], returns=RerouteProposal, decisions=reroute_decisions)
def propose_reroute(deps: Deps, args: ProposeRerouteArgs, env: ToolEnv) -> RerouteProposal:
    """Propose moving an order's open lines to other nodes so it can still meet its promise.

    Returns ranked options with their feasibility and new ETA, and the recommended one. Nothing
    changes until a person approves execute_reroute.
    """
    from promesa.domain.fulfillment.proposals import propose_reroute as propose

    return propose(deps, args.order_id, line_nos=args.line_nos)


@tool(roles=[Role.support, Role.ops], access=Access.write, approvers=[Role.support, Role.ops],
      authorize=_request_reroute, returns=RerouteExecution, decisions=executed_decisions)
def execute_reroute(deps: Deps, args: ExecuteRerouteArgs, env: ToolEnv) -> RerouteExecution:
    """Execute a reroute option from propose_reroute. Pauses for a support or ops approval."""
    from promesa.domain.fulfillment.execution import execute_reroute as execute

    return execute(
        deps,
        order_id=args.order_id,
        option_id=args.option_id,
        idempotency_key=_key(env),
        approved_by=env.approved_by,
        note=env.approval_note,
        requested_by=env.requester,
    )
