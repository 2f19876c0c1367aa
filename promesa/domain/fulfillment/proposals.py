"""Reroute proposals: for an order that will miss its promise, every way out, ranked.

Options are: ship from another node with stock (respecting its queue, capacity, cut-off and
processing time), split across two nodes, convert to pickup at a nearby store (needs the
customer's consent), or upgrade the carrier service. A named sourcing profile scores and
filters them; the proposal names the recommended option or says precisely why there is none.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from promesa.domain import access
from promesa.domain import eta as eta_mod
from promesa.domain.calendar import delivery_date, distance_band
from promesa.domain.deps import Deps
from promesa.domain.fulfillment import options as opt
from promesa.domain.fulfillment.config import SourcingProfile
from promesa.domain.fulfillment.options import Context, Line
from promesa.domain.fulfillment.records import OptionKind, OptionShipment, RerouteOption, RerouteProposal
from promesa.domain.inventory import stock_and_on_hand
from promesa.domain.load import queue_ship_day
from promesa.domain.policy import MAX_SPLIT_SHIPMENTS, MIN_SPLIT_ORDER_VALUE_MXN
from promesa.domain.reference import reference
from promesa.domain.ship_by import DEFAULT_TRANSIT
from promesa.errors import InvalidInput, PolicyViolation
from promesa.store.enums import LINE_STATES_LOCKED, FulfillmentType, LineStatus, OrderStatus
from promesa.store.models import Address, Order, OrderLine, Product

#: Split candidates: the nearest nodes holding stock of at least one line.
SPLIT_CANDIDATES = 8
COST_SCALE_MXN = 300.0
SPEED_SCALE_DAYS = 10.0
#: Distance at which the proximity score halves (last-mile cost and risk grow with it).
DISTANCE_HALF_KM = 50.0


def _profile(deps: Deps, name: str | None) -> tuple[str, SourcingProfile]:
    name = name or deps.settings.default_sourcing_profile
    profiles = deps.settings.sourcing_profiles
    if name not in profiles:
        raise InvalidInput(
            f"unknown sourcing profile {name!r}; known: {', '.join(sorted(profiles))}", field="profile"
        )
    return name, profiles[name]


def load_context(deps: Deps, order_id: str, line_nos: list[int] | None) -> tuple[Order, Context]:
    """The order (visible to the principal), its selected lines, and the data to reroute them."""
    session = deps.session
    order = session.get(Order, order_id)
    if order is None:
        raise access.order_not_found(order_id)
    access.ensure_order_visible(deps.principal, order_id=order.id, customer_id=order.customer_id)
    if order.status is OrderStatus.cancelled:
        raise PolicyViolation(f"order {order_id} is cancelled; there is nothing to reroute", order_id=order_id)
    rows = session.execute(
        select(OrderLine, Product.weight_kg)
        .join(Product, Product.sku == OrderLine.sku)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.line_no)
    ).all()
    known = {r[0].line_no for r in rows}
    if line_nos is not None:
        unknown = sorted(set(line_nos) - known)
        if unknown or not line_nos:
            raise InvalidInput(f"order {order_id} has no line(s) {unknown}", field="line_nos")
    selected = [
        (ln, w) for ln, w in rows
        if (line_nos is None and ln.status is not LineStatus.cancelled)
        or (line_nos is not None and ln.line_no in line_nos)
    ]
    for ln, _w in selected:
        if ln.status in LINE_STATES_LOCKED or ln.status is LineStatus.cancelled:
            raise PolicyViolation(
                f"line {ln.line_no} of {order_id} is already {ln.status.value}; "
                "a line can only be rerouted before it is picked",
                order_id=order_id, line_no=ln.line_no, line_status=ln.status.value,
            )
    if not selected:
        raise PolicyViolation(f"order {order_id} has no open lines to reroute", order_id=order_id)
    ref = reference(session)
    if order.fulfillment_type is FulfillmentType.pickup and order.pickup_node_id:
        node = ref.nodes[order.pickup_node_id]
        destination = (node.lat, node.lon)
    else:
        address = session.get(Address, order.ship_to_id) if order.ship_to_id else None
        if address is None:
            raise InvalidInput(f"order {order_id} has no ship-to address", field="order_id")
        destination = (address.lat, address.lon)
    lines = [
        Line(ln.line_no, ln.sku, ln.quantity, float(w), ln.allocated_node_id, ln.ship_by, ln.status.value)
        for ln, w in selected
    ]
    stock, on_hand = stock_and_on_hand(session, {ln.sku for ln in lines},
                                       {ln.node_id for ln in lines if ln.node_id})
    ctx = Context(
        session=session, ref=ref, now=deps.now,
        today=deps.now.astimezone(deps.settings.tz).date(), order_id=order_id,
        promised=order.promised_date, fulfillment=order.fulfillment_type, destination=destination,
        service=ref.services.get(order.service_id or ""), lines=lines,
        stock=stock, on_hand=on_hand, card=deps.settings.rate_card,
    )
    return order, ctx


def diagnose(ctx: Context) -> tuple[str | None, OptionShipment | None, str | None]:
    """Current node, its shipment as things stand (None if it cannot ship) and the problem."""
    current = current_node(ctx)
    if current is None:
        return None, None, "the lines are not allocated to any node"
    mine = [ln for ln in ctx.lines if ln.node_id == current]
    on_hand = {ln.sku: ctx.on_hand[(current, ln.sku)] for ln in mine if (current, ln.sku) in ctx.on_hand}
    short = [(s, q) for s, q in ctx.demand(mine).items() if on_hand.get(s, 0) < q]
    if short:
        sku, need = short[0]
        return current, None, f"{current} is short of {sku} (on hand {on_hand.get(sku, 0)}, needs {need})"
    ctx.prepare_nodes([current])
    node = ctx.ref.nodes[current]
    plan = eta_mod.plan_ship(node, ctx.service, ctx.now)
    ship_bys = [ln.ship_by for ln in mine if ln.ship_by]
    target = min(ship_bys) if ship_bys else plan.first_day
    due = max(target, plan.first_day)
    found = queue_ship_day(ctx.queue(current, due), ctx.calendars[current],
                           earliest=plan.first_day, target=due)
    if found is None:
        return current, None, f"{current} cannot clear its queue within a year"
    ship_day, util = found
    if ctx.fulfillment is FulfillmentType.pickup and ctx.destination == (node.lat, node.lon):
        arrives = ship_day
        band, cost = "local", 0.0
    else:
        carrier = ctx.ref.carriers[ctx.service.carrier_id] if ctx.service else None
        km = ctx.km(node)
        band_ = distance_band(km)
        transit = ctx.service.transit[band_] if ctx.service else DEFAULT_TRANSIT[band_]
        arrives = delivery_date(ship_day, transit, carrier.delivery_weekdays if carrier else "012345")
        band, cost = band_.value, opt.baseline_cost(ctx)
    shipment = OptionShipment(
        node_id=current, line_nos=[ln.line_no for ln in mine],
        service_id=ctx.service.id if ctx.service else None, ship_day=ship_day, eta=arrives,
        distance_km=round(ctx.km(node), 1), band=band, cost_mxn=cost, utilisation=util,
    )
    if arrives <= ctx.promised:
        return current, shipment, None
    why = []
    if plan.first_day > target:
        why.append(f"it can ship {plan.first_day} at the earliest (cut-off/processing), after ship-by {target}")
    elif ship_day > target:
        why.append(f"{current}'s backlog pushes shipping to {ship_day}, after ship-by {target}")
    why.append(f"arrives {arrives}, after the promise {ctx.promised}")
    return current, shipment, "; ".join(why)


def _option(ctx: Context, kind: OptionKind, parts: list[OptionShipment], baseline: float,
            reliability: float, consent: bool) -> RerouteOption:
    eta = max(p.eta for p in parts)
    nodes = [p.node_id for p in parts]
    service = parts[0].service_id
    cost_delta = round(sum(p.cost_mxn for p in parts) - baseline, 2)
    util = max((p.utilisation or 0.0) for p in parts)
    km = max(p.distance_km for p in parts)
    scores = {
        "speed": max(0.0, 1 - max(0, (eta - ctx.today).days) / SPEED_SCALE_DAYS),
        "cost": min(1.0, max(0.0, 1 - cost_delta / COST_SCALE_MXN)),
        "capacity": max(0.0, 1 - min(1.0, util)),
        "shipments": 1 / len(parts),
        "reliability": reliability,
        "distance": 1 / (1 + km / DISTANCE_HALF_KM),
    }
    pickup = kind == "pickup"
    return RerouteOption(
        option_id=f"{kind}:{'+'.join(nodes)}:{service or 'pickup'}", kind=kind, nodes=nodes,
        service_id=service, eta=eta, meets_promise=eta <= ctx.promised,
        days_late=max(0, (eta - ctx.promised).days), cost_delta_mxn=cost_delta,
        capacity_headroom_used=round(util, 4), shipments=len(parts),
        scores={k: round(v, 4) for k, v in scores.items()}, total_score=0.0,
        needs_consent=pickup, executable=consent or not pickup, detail=parts,
    )


def _reliability(ctx: Context, service_id: str | None) -> float:
    if service_id is None:
        return 1.0
    return ctx.ref.carriers[ctx.ref.services[service_id].carrier_id].on_time_reliability


def _candidates(ctx: Context, current: str | None, order_total: float, pickup_radius_km: float,
                max_candidates: int) -> opt.Candidates:
    return opt.candidates(
        ctx, current=current, order_total=order_total, pickup_radius_km=pickup_radius_km,
        max_candidates=max_candidates, min_split_value=float(MIN_SPLIT_ORDER_VALUE_MXN),
        split_candidates=SPLIT_CANDIDATES,
    )


def current_node(ctx: Context) -> str | None:
    """The node the lines are allocated to (the first by id when several)."""
    nodes = sorted({ln.node_id for ln in ctx.lines if ln.node_id})
    return nodes[0] if nodes else None


def enumerate_options(ctx: Context, *, current: str | None, current_ship: OptionShipment | None,
                      order_total: float, pickup_only: bool, consent: bool,
                      pickup_radius_km: float, max_candidates: int) -> list[RerouteOption]:
    """Every option for the order (unscored)."""
    baseline = opt.baseline_cost(ctx)
    found = _candidates(ctx, current, order_total, pickup_radius_km, max_candidates)
    whole = found.whole
    ctx.prepare_nodes(whole + ([current] if current else []))
    result: list[RerouteOption] = []

    def add(kind: OptionKind, parts: list[OptionShipment | None]) -> None:
        shipments = [p for p in parts if p is not None]
        if len(shipments) == len(parts):  # every part can go
            result.append(_option(ctx, kind, shipments, baseline, _reliability(ctx, shipments[0].service_id),
                                  consent))

    for node_id in found.pickups:
        add("pickup", [opt.pickup(ctx, node_id, ctx.lines)])
    if pickup_only:
        return result
    for node_id in whole:
        add("ship_from_node", [opt.ship(ctx, node_id, ctx.lines, ctx.service)])
    # a faster service from the current node (if it still has the stock) or the nearest one
    upgrade_from = current if current_ship is not None else (whole[0] if whole else None)
    if upgrade_from is not None:
        for service in opt.faster_services(ctx):
            add("upgrade_service", [opt.ship(ctx, upgrade_from, ctx.lines, service)])
    if found.partial:
        for pair in opt.split_pairs(ctx, found.partial):
            add("split", [opt.ship(ctx, node_id, lines, ctx.service) for node_id, lines in pair])
    return result


def score(options: list[RerouteOption], profile: SourcingProfile, promised: object) -> list[RerouteOption]:
    """Total scores, hard-filter verdicts, and the ranking (eligible first, best first)."""
    total_weight = sum(profile.weights.values())
    max_shipments = profile.max_shipments or MAX_SPLIT_SHIPMENTS
    scored = []
    for o in options:
        total = sum(w * o.scores.get(c, 0.0) for c, w in profile.weights.items()) / total_weight
        failed = []
        if profile.require_meets_promise and not o.meets_promise:
            failed.append(f"arrives {o.eta}, after the promise {promised}")
        if profile.max_cost_delta_mxn is not None and o.cost_delta_mxn > profile.max_cost_delta_mxn:
            failed.append(f"costs {o.cost_delta_mxn:.2f} MXN more (limit {profile.max_cost_delta_mxn:.2f})")
        if o.shipments > max_shipments:
            failed.append(f"{o.shipments} shipments (limit {max_shipments})")
        if o.kind == "pickup" and not profile.allow_pickup:
            failed.append("the profile does not offer pickup")
        if o.kind == "upgrade_service" and not profile.allow_upgrade:
            failed.append("the profile does not upgrade services")
        scored.append(o.model_copy(update={"total_score": round(total, 4), "filtered_out": failed}))
    scored.sort(key=lambda o: (bool(o.filtered_out) or not o.executable, -o.total_score, o.option_id))
    return scored


_OPTION_VERBS = {"ship_from_node": "ship from", "split": "split between", "pickup": "pick up at",
                 "upgrade_service": "a faster service from"}


def option_words(option: RerouteOption) -> str:
    """An option as a person says it ("ship from MTY-STORE-02 with ESTAFETA-STANDARD"), for the
    reasons people read; the option id stays in ``option_id`` for the code that acts on it."""
    service = f" with {option.service_id}" if option.service_id and option.kind != "pickup" else ""
    return f"{_OPTION_VERBS.get(option.kind, option.kind)} {' + '.join(option.nodes)}{service}"


def _why_none(ctx: Context, options: list[RerouteOption], problem: str | None) -> str:
    for sku, need in ctx.demand(ctx.lines).items():
        if not any(atp >= need for atp in ctx.stock.get(sku, {}).values()):
            return f"no node has {need} of {sku} available to promise" + (f"; {problem}" if problem else "")
    if not options:
        return "no node with the stock can ship the lines (no shipping node with capacity in reach)"
    if all(not o.meets_promise for o in options):
        skus = ", ".join(sorted(ctx.demand(ctx.lines)))
        nearest = min(options, key=lambda o: (max(d.distance_km for d in o.detail), o.option_id))
        soonest = min(o.eta for o in options if o.nodes == nearest.nodes)
        return (f"no node within the promise ({ctx.promised}) has {skus}; the nearest with stock is "
                f"{'+'.join(nearest.nodes)}, which could deliver on {soonest}")
    consent_only = [o for o in options if not o.filtered_out and not o.executable]
    if consent_only:
        return (f"only pickup at {consent_only[0].nodes[0]} keeps the promise, and it needs the "
                "customer's consent")
    first = options[0]
    return f"every option fails the profile's hard filters, e.g. {option_words(first)}: {'; '.join(first.filtered_out)}"


def propose_reroute(deps: Deps, order_id: str, *, line_nos: list[int] | None = None,
                    profile: str | None = None, consent_pickup: bool = False) -> RerouteProposal:
    """Rank the ways to keep ``order_id``'s promise; see the module docstring.

    Staff get every option; a customer (own order only) gets pickup options only.

    Raises:
        NotFound: the order does not exist or is not visible to the principal.
        InvalidInput: unknown profile or line numbers.
        PolicyViolation: a selected line is picked, packed, shipped, delivered or cancelled.
    """
    profile_name, prof = _profile(deps, profile)
    order, ctx = load_context(deps, order_id, line_nos)
    # every node any option may look at, fetched in one go (queues and capacity calendars)
    allocated = current_node(ctx)
    found = _candidates(ctx, allocated, float(order.total), deps.settings.pickup_radius_km,
                        deps.settings.reroute_candidate_nodes)
    wanted = found.all() if deps.principal.is_staff else found.pickups
    ctx.prepare_nodes(([allocated] if allocated else []) + wanted)
    current, current_ship, problem = diagnose(ctx)
    options = enumerate_options(
        ctx, current=current, current_ship=current_ship, order_total=float(order.total),
        pickup_only=not deps.principal.is_staff, consent=consent_pickup,
        pickup_radius_km=deps.settings.pickup_radius_km,
        max_candidates=deps.settings.reroute_candidate_nodes,
    )
    ranked = score(options, prof, ctx.promised)
    needed = problem is not None or current_ship is None
    best = ranked[0] if needed and ranked and not ranked[0].filtered_out and ranked[0].executable else None
    if best is not None:
        d = best.detail[0]
        reason = (f"{option_words(best)} scores {best.total_score:.2f} under profile '{profile_name}': "
                  f"leaves {'+'.join(best.nodes)} on {d.ship_day}, arrives {best.eta} "
                  f"(promise {ctx.promised}), cost delta {best.cost_delta_mxn:+.2f} MXN")
        if problem:
            reason = f"{problem}. {reason}"
    elif problem is None and current_ship is not None:
        reason = f"no reroute needed: {current} delivers on {current_ship.eta}, within the promise {ctx.promised}"
    else:
        reason = _why_none(ctx, ranked, problem)
    selected = [ln.line_no for ln in ctx.lines]
    digest = hashlib.sha256(
        f"{order_id}|{selected}|{profile_name}|{consent_pickup}|{deps.now.isoformat()}".encode()
    ).hexdigest()[:12]
    return RerouteProposal(
        proposal_id=f"RP-{digest}", order_id=order_id, line_nos=selected, profile=profile_name,
        promised_date=ctx.promised, generated_at=deps.now, current_node=current,
        current_eta=current_ship.eta if current_ship else None, problem=problem, options=ranked,
        recommended_option_id=best.option_id if best else None,
        recommended_node=best.nodes[0] if best else None, reason=reason,
    )

