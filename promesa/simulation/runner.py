"""Replaying a scenario under one policy, through the real services, hour by hour.

Checkouts go through :func:`plan_checkout` (the date the shopper sees) and :func:`place_order`
(stock and a node-day slot reserved with the promise; a stale quote is re-quoted and the new
date accepted). Store sales, shrink, the capacity change and carrier delay exceptions are
ingested as events. At the 15:00 cut-off each node ships what its capacity allows that day, oldest ship-by
first, as ``line_shipped`` events (a line whose stock is gone cannot ship). Policy 3 runs the
orchestrator after every trigger event and at 06:00 and 16:00, a staffer approves its queue at
09:00 and 15:00, and notices leave through the outbox (quiet hours respected). After the week
the network keeps shipping, with no new orders, until every order has left (at most 14 days).

Each simulated hour is one transaction, each checkout and event in it its own savepoint (what
``ingest`` and placement guarantee alone), and the day's hand-over is one batch of events: the
same domain functions decide, without a commit per order.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from promesa.domain.calendar import delivery_date, distance_band, distance_km
from promesa.domain.capacity_calendar import capacity_calendars
from promesa.domain.deps import Deps
from promesa.domain.events.ingest import EventResult, ingest_many
from promesa.domain.notices.dispatch import send_due
from promesa.domain.orchestration import run as orchestration
from promesa.domain.promising.checkout import plan_checkout
from promesa.domain.promising.placement import PlaceOrder, place_order
from promesa.domain.promising.records import CartLine, PlacementStatus, Policy
from promesa.domain.queue import Bucket, Capacity, ship_one_day
from promesa.domain.reference import reference
from promesa.errors import DomainError
from promesa.principal import SYSTEM, Principal, Role
from promesa.settings import Settings
from promesa.simulation.scenario import Scenario, SimEvent, load
from promesa.store.db import make_engine, migrate, session_factory
from promesa.store.enums import OPEN_LINE_STATES, OrchestrationDecision
from promesa.store.models import Address, Notice, OrchestrationAction, Order, OrderLine

POLICIES = ("naive", "capacity_aware", "capacity_aware_orchestrated")
STAFF = Principal(role=Role.ops, subject="sim-staff")
DRAIN_DAYS = 14
SHIP_HOUR, DELAY_HOUR = 15, 8  # nodes hand over at their 15:00 cut-off
#: The risk scan assumes a line's processing starts when it looks, so it looks before the
#: day's processing window (06:00, 09:00) and after the cut-off's hand-over (15:00, 16:00).
ORCHESTRATE_HOURS, APPROVE_HOURS = (6, 16), (9, 15)
CARRIER_DELAY_DAYS = 2


class Delivered:
    """Records sent notices (the outbox's sender in the simulation: nothing leaves the machine)."""

    def send(self, notice: Notice) -> None:
        return None


@dataclass
class Outcome:
    name: str
    orders: int = 0
    rejected_checkouts: int = 0
    requotes: int = 0
    promise: dict[str, date] = field(default_factory=dict)
    delivered: dict[str, date] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    #: blocked orders whose position a stock loss left below its reservations after they were placed
    lost: set[str] = field(default_factory=set)
    shipping_cost: float = 0.0
    reroute_cost: float = 0.0
    actions: dict[str, int] = field(default_factory=dict)
    notified: dict[str, datetime] = field(default_factory=dict)
    seconds: float = 0.0
    events_rejected: int = 0


def _deps(session: Session, principal: Principal, now: datetime, settings: Settings) -> Deps:
    return Deps(session=session, principal=principal, now=now, settings=settings)


def _event(kind: str, data: dict[str, Any], at: datetime, n: int) -> dict[str, Any]:
    # the sequence orders events of one instant (both lines of an order shipped at the cut-off):
    # without it the second line's status event is as old as the first and changes nothing
    return {"specversion": "1.0", "id": f"sim-{n}", "source": "/sim/ops", "type": f"promesa.{kind}.v1",
            "time": at.isoformat(), "sequence": n, "data": data}


#: A node the reference does not know ships nothing.
CLOSED = Capacity(0, 0, False, "closed")


def _leaving(orders: dict[str, list[Any]], day: date, capacity: Capacity) -> list[str]:
    """The orders of one node that leave on ``day``, given in FIFO order with their lines.

    An order waits in the bucket of its earliest ship-by (its first line here); the buckets go
    through :func:`ship_one_day` and the oldest orders of each part that ships are the ones
    that leave.
    """
    by_ship_by: dict[date, list[str]] = {}
    units: dict[date, int] = defaultdict(int)
    for order_id, lines in orders.items():
        by_ship_by.setdefault(lines[0].ship_by, []).append(order_id)
        units[lines[0].ship_by] += sum(line.quantity for line in lines)
    queue = [Bucket(ship_by, len(ids), units[ship_by]) for ship_by, ids in by_ship_by.items()]
    leaving: list[str] = []
    for part in ship_one_day(queue, day, capacity).shipped:
        leaving.extend(by_ship_by[part.ship_by][:part.orders])
    return leaving


class Replay:
    def __init__(self, scenario: Scenario, policy: str, workdir: Path, settings: Settings) -> None:
        self.scenario, self.policy, self.settings = scenario, policy, settings
        path = workdir / f"{policy}.db"
        path.unlink(missing_ok=True)
        self.engine = make_engine(f"sqlite:///{path}")
        migrate(self.engine)
        load(self.engine, scenario)
        self.sessions = session_factory(self.engine)
        self.promising = Policy.naive if policy == "naive" else Policy.capacity_aware
        self.orchestrated = policy == "capacity_aware_orchestrated"
        self.out = Outcome(policy)
        self.seq = 0
        self.order_no: dict[str, int] = {}
        self.pending_delays: list[tuple[datetime, str, date]] = []
        self.placed_at: dict[str, datetime] = {}
        #: (node, sku) -> when a stock loss first left its on-hand below what it had reserved
        self.uncovered: dict[tuple[str, str], datetime] = {}
        self.next_event = 0
        self._session: Session | None = None  # the simulated hour's session (see run)

    @property
    def session(self) -> Session:
        """The session of the hour being replayed (one transaction per simulated hour)."""
        if self._session is None:
            raise RuntimeError("no simulated hour is open")
        return self._session

    def ingest(self, kind: str, data: dict[str, Any], at: datetime) -> bool:
        return self.ingest_all(kind, [data], at)[0]

    def ingest_all(self, kind: str, batch: list[dict[str, Any]], at: datetime) -> list[bool]:
        """Events of one kind at ``at`` through :func:`ingest_many` (each in its own savepoint,
        as a batch from a source arrives); whether each was applied."""
        raws = []
        for data in batch:
            self.seq += 1
            raws.append(_event(kind, data, at, self.seq))
        results = ingest_many(_deps(self.session, SYSTEM, at, self.settings), raws)
        return [self._applied(kind, result, at) for result in results]

    def _applied(self, kind: str, result: EventResult, at: datetime) -> bool:
        if result.status != "accepted":
            self.out.events_rejected += 1
            return False
        if kind == "inventory.shrink":
            for change in result.changes:
                if change.get("kind") == "inventory" and change["on_hand"] < change["reserved"]:
                    self.uncovered.setdefault((change["node_id"], change["sku"]), at)
        return bool(result.applied)

    def checkout(self, event: SimEvent) -> None:
        n, customer = event.data["n"], f"C-{event.data['customer']}"
        lines = [CartLine(sku=s, quantity=q) for s, q in event.data["lines"]]
        shopper = Principal(role=Role.customer, subject=customer)
        session = self.session
        deps = _deps(session, shopper, event.at, self.settings)
        address = session.get(Address, f"A-{event.data['customer']}")
        if address is None:
            raise ValueError(f"scenario customer {customer} has no address")
        # one savepoint per checkout inside the hour's transaction: a refused one leaves nothing
        try:
            with session.begin_nested():
                shown = plan_checkout(deps, lines, address.postal_code, policy=self.promising,
                                      destination=(address.lat, address.lon))
                request = PlaceOrder(customer_id=customer, lines=lines, ship_to_id=address.id,
                                     accepted_delivery_date=shown.latest_delivery, idempotency_key=f"sim-checkout-{n}")
                result = place_order(deps, request, self.promising)
                if result.status is PlacementStatus.requote and result.plan is not None:
                    self.out.requotes += 1  # the shopper accepts the new date
                    request = request.model_copy(update={"accepted_delivery_date": result.plan.latest_delivery})
                    result = place_order(deps, request, self.promising)
        except DomainError:
            self.out.rejected_checkouts += 1
            return
        placed = result.status is PlacementStatus.placed
        if not placed or result.order_id is None or result.promised_date is None or result.plan is None:
            self.out.rejected_checkouts += 1
            return
        self.out.orders += 1
        self.out.promise[result.order_id] = result.promised_date
        self.out.shipping_cost += result.plan.total_shipping_mxn
        self.order_no[result.order_id] = n
        self.placed_at[result.order_id] = event.at

    def ship(self, day: date, at: datetime) -> None:
        """Each node ships what its capacity allows that day, oldest ship-by first.

        Which orders leave is the domain's own queue step (:func:`ship_one_day`, the one the
        promise and the risk scan plan with), run on each node's orders grouped by ship-by.
        """
        session = self.session
        ref = reference(session)
        calendars = capacity_calendars(session, list(ref.nodes.values()), day, day)
        rows = session.execute(
            select(OrderLine.order_id, OrderLine.line_no, OrderLine.sku, OrderLine.allocated_node_id,
                   OrderLine.ship_by,
                   OrderLine.quantity, Order.created_at, Order.service_id, Order.ship_to_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.status.in_(OPEN_LINE_STATES), OrderLine.allocated_node_id.is_not(None),
                   OrderLine.ship_by <= day)
            .order_by(OrderLine.ship_by, Order.created_at, OrderLine.order_id)).all()
        addresses = {a.id: (a.lat, a.lon) for a in session.scalars(
            select(Address).where(Address.id.in_({r.ship_to_id for r in rows if r.ship_to_id})))}
        by_node: dict[str, dict[str, list[Any]]] = defaultdict(dict)
        for row in rows:
            by_node[row.allocated_node_id].setdefault(row.order_id, []).append(row)
        leaving = []
        for node_id, orders in by_node.items():
            capacity = calendars[node_id].on(day) if node_id in calendars else CLOSED
            leaving += [(node_id, order_id, line) for order_id in _leaving(orders, day, capacity)
                        for line in orders[order_id]]
        # the day's hand-over is one batch of line_shipped events (one result each)
        outcomes = self.ingest_all("order.line_shipped", [
            {"order_id": order_id, "line_no": line.line_no, "shipment_id": f"SH-{order_id}-{node_id}"[:32],
             "tracking_number": f"T-{order_id}-{node_id}"} for node_id, order_id, line in leaving], at)
        for (node_id, order_id, line), shipped in zip(leaving, outcomes, strict=True):
            if not shipped:
                self.out.blocked.add(order_id)
                lost_at = self.uncovered.get((node_id, line.sku))
                if lost_at is not None and lost_at >= self.placed_at[order_id]:
                    self.out.lost.add(order_id)
                continue
            self.out.blocked.discard(order_id)
            self.out.lost.discard(order_id)
            node, service = ref.nodes[node_id], ref.services[line.service_id]
            dest = addresses[line.ship_to_id]
            band = distance_band(distance_km(node.lat, node.lon, *dest))
            arrives = delivery_date(day, service.transit[band], ref.carriers[service.carrier_id].delivery_weekdays)
            if self.order_no.get(order_id) in self.scenario.delayed:
                arrives += timedelta(days=CARRIER_DELAY_DAYS)
                self.pending_delays.append((at.replace(hour=DELAY_HOUR) + timedelta(days=1),
                                            f"T-{order_id}-{node_id}", arrives))
            self.out.delivered[order_id] = max(arrives, self.out.delivered.get(order_id, arrives))

    def orchestrate(self, at: datetime, approve: bool) -> None:
        session = self.session
        orchestration.orchestrate(_deps(session, SYSTEM, at, self.settings))
        if approve:
            queued = orchestration.pending(_deps(session, STAFF, at, self.settings), limit=500)
            for item in queued:
                try:  # each approval all-or-nothing, as its own request would be
                    with session.begin_nested():
                        orchestration.approve(_deps(session, STAFF, at, self.settings), item.id, note="sim staff")
                except DomainError:
                    continue
        send_due(_deps(session, SYSTEM, at, self.settings), Delivered(), limit=100_000)

    def open_lines(self) -> int:
        return len(self.session.execute(select(OrderLine.id).where(OrderLine.status.in_(OPEN_LINE_STATES))
                                        .limit(1)).all())

    def run(self) -> Outcome:
        started = clock.perf_counter()
        hour = self.scenario.start
        last = self.scenario.end + timedelta(days=DRAIN_DAYS)
        while hour < last:
            upcoming = hour + timedelta(hours=1)
            # one transaction per simulated hour (its checkouts and events each in a savepoint,
            # as :func:`ingest` and placement are all-or-nothing alone): one commit, not hundreds
            with self.sessions() as session, session.begin():
                self._session = session
                done = self.hour(hour, upcoming)
            self._session = None
            hour = upcoming
            if done:
                break
        self.out.seconds = clock.perf_counter() - started
        self._collect()
        return self.out

    def hour(self, hour: datetime, upcoming: datetime) -> bool:
        """Replay the stream's events in ``[hour, upcoming)``; True once everything has left."""
        stream = self.scenario.stream
        i = self.next_event
        triggered = False
        if hour.hour == SHIP_HOUR:  # the cut-off's hand-over comes first: the hour's checkouts are after it
            self.ship(hour.date(), hour)
        while i < len(stream) and stream[i].at < upcoming:
            event = stream[i]
            i += 1
            if event.kind == "checkout":
                self.checkout(event)
            elif event.kind == "pos_sale":
                self.ingest("inventory.pos_sale", event.data, event.at)
            elif event.kind == "shrink":
                triggered |= self.ingest("inventory.shrink", {**event.data, "reason": "damaged"}, event.at)
            elif event.kind == "capacity":
                triggered |= self.ingest("capacity.override", event.data, event.at)
        due = [d for d in self.pending_delays if d[0] < upcoming]
        self.pending_delays = [d for d in self.pending_delays if d[0] >= upcoming]
        for at, tracking, eta in due:
            triggered |= self.ingest("tracking.exception", {"tracking_number": tracking, "reason": "weather",
                                                            "revised_eta": eta.isoformat()}, at)
        if self.orchestrated and (triggered or hour.hour in ORCHESTRATE_HOURS or hour.hour in APPROVE_HOURS):
            self.orchestrate(hour, approve=hour.hour in APPROVE_HOURS)
        self.next_event = i
        return (upcoming >= self.scenario.end and upcoming.hour == 0 and not self.pending_delays
                and not self.open_lines())

    def _collect(self) -> None:
        with self.sessions() as session:
            for row in session.scalars(select(OrchestrationAction)):
                self.out.actions[row.decision.value] = self.out.actions.get(row.decision.value, 0) + 1
                if row.decision in (OrchestrationDecision.auto_executed, OrchestrationDecision.approved):
                    options: list[dict[str, Any]] = (row.proposal or {}).get("options", [])
                    option = next((o for o in options if o.get("option_id") == row.option_id), {})
                    self.out.reroute_cost += float(option.get("cost_delta_mxn", 0.0))
            for order_id, sent_at in session.execute(select(Notice.order_id, Notice.sent_at)
                                                     .where(Notice.sent_at.is_not(None))):
                if sent_at is None:  # excluded by the query; the column is nullable
                    continue
                if order_id not in self.out.notified or sent_at < self.out.notified[order_id]:
                    self.out.notified[order_id] = sent_at
        self.engine.dispose()


def replay(scenario: Scenario, policy: str, workdir: Path, settings: Settings) -> Outcome:
    """One policy's replay from start to end (a process of its own runs one of these)."""
    return Replay(scenario, policy, workdir, settings).run()
