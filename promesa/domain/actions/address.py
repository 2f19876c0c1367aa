"""Changing an order's delivery address before it ships.

The new address is checked against the world's geography (:mod:`promesa.domain.geography`): a
city we deliver to, its state, a postal code of that city's prefix, and coordinates near it
(the city centre when none are given). The current node's ETA to the new address is computed
by the same code that diagnoses reroutes; when it misses the promise the proposal says so,
gives the new promise (that ETA) and the reroute/pickup options for the new address. Executing
it stores the address, the history row and the recomputed ship-by days (``node_load`` follows).
"""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import func, select

from promesa.domain.actions import common
from promesa.domain.actions.records import (
    AddressChangeProposal,
    AddressChangeResult,
    AddressIn,
    Refusal,
)
from promesa.domain.calendar import distance_km
from promesa.domain.deps import Deps
from promesa.domain.fulfillment import proposals as fp
from promesa.domain.fulfillment.options import Context, Line
from promesa.domain.geography import CITIES, City
from promesa.domain.inventory import stock_and_on_hand
from promesa.domain.order_states import PRE_SHIP
from promesa.domain.reference import reference
from promesa.domain.ship_by import compute_ship_by
from promesa.errors import InvalidInput, PolicyViolation
from promesa.store.enums import OPEN_LINE_STATES, FulfillmentType
from promesa.store.models import (
    Address,
    AddressChange,
    CarrierService,
    Order,
    OrderLine,
    Product,
)

ACTION_ADDRESS = "change_address"
#: How far from the city centre given coordinates may lie and still be that city.
MAX_KM_FROM_CITY = 60.0


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).casefold().split())


def _listed(prefixes: list[str]) -> str:
    """``06``, ``64 to 67`` or ``01 to 16``: the prefixes as a run when they are consecutive."""
    if len(prefixes) > 1 and int(prefixes[-1]) - int(prefixes[0]) == len(prefixes) - 1:
        return f"{prefixes[0]} to {prefixes[-1]}"
    return ", ".join(prefixes)


def validate(address: AddressIn) -> tuple[City, tuple[float, float]]:
    """The city of ``address`` and its coordinates; InvalidInput names the wrong field."""
    city = next((c for c in CITIES if _fold(address.city) in (_fold(c.name), _fold(c.code))), None)
    if city is None:
        raise InvalidInput(f"we don't deliver to {address.city!r}; known cities: "
                           + ", ".join(c.name for c in CITIES), field="city")
    if _fold(address.state) != _fold(city.state):
        raise InvalidInput(f"{city.name} is in {city.state}, not {address.state}", field="state")
    code = address.postal_code.strip()
    if not city.serves(code):
        raise InvalidInput(f"a postal code of {city.name} has 5 digits and starts with "
                           + _listed(sorted(city.postal_prefixes)), field="postal_code")
    if (address.lat is None) != (address.lon is None):
        raise InvalidInput("give both latitude and longitude, or neither", field="lat")
    if address.lat is not None and address.lon is not None:  # both or neither (checked above)
        at = (address.lat, address.lon)
    else:
        at = (city.lat, city.lon)
    if distance_km(at[0], at[1], city.lat, city.lon) > MAX_KM_FROM_CITY:
        raise InvalidInput(f"those coordinates are not in {city.name}", field="lat")
    return city, at


def _context(deps: Deps, order: Order, destination: tuple[float, float]) -> Context:
    rows = deps.session.execute(
        select(OrderLine, Product.weight_kg).join(Product, Product.sku == OrderLine.sku)
        .where(OrderLine.order_id == order.id, OrderLine.status.in_(OPEN_LINE_STATES))
        .order_by(OrderLine.line_no)).all()
    ref = reference(deps.session)
    service = ref.services.get(order.service_id or "")
    carrier = ref.carriers[service.carrier_id] if service else None
    row = deps.session.get(CarrierService, order.service_id) if order.service_id else None

    def ship_by(node_id: str | None) -> date | None:
        # the latest ship day for the *new* destination: the old one was worked out for the old address
        if node_id is None:
            return None
        return compute_ship_by(promised=order.promised_date, node=ref.nodes[node_id],
                               fulfillment_type=order.fulfillment_type, destination=destination,
                               service=row, delivery_weekdays=carrier.delivery_weekdays if carrier else None)

    lines = [Line(ln.line_no, ln.sku, ln.quantity, float(w), ln.allocated_node_id,
                  ship_by(ln.allocated_node_id), ln.status.value)
             for ln, w in rows]
    stock, on_hand = stock_and_on_hand(deps.session, {ln.sku for ln in lines},
                                       {ln.node_id for ln in lines if ln.node_id})
    return Context(session=deps.session, ref=ref, now=deps.now, today=common.today(deps), order_id=order.id,
                   promised=order.promised_date, fulfillment=order.fulfillment_type, destination=destination,
                   service=service, lines=lines, stock=stock,
                   on_hand=on_hand, card=deps.settings.rate_card)


def _refused(order: Order, address: AddressIn, code: str, reason: str, *alternatives: str) -> AddressChangeProposal:
    return AddressChangeProposal(order_id=order.id, eligible=False, new_address=address,
                                 previous_promised_date=order.promised_date, reason=reason,
                                 refusals=[Refusal(code=code, reason=reason, alternatives=list(alternatives))])


def _assess(deps: Deps, order: Order, address: AddressIn) -> AddressChangeProposal:
    if order.fulfillment_type is FulfillmentType.pickup:
        return _refused(order, address, "pickup_order", f"order {order.id} is a store pickup; it has no delivery "
                        "address", "pick it up at the store")
    if order.status not in PRE_SHIP:
        return _refused(order, address, "already_shipped",
                        f"order {order.id} is {order.status.value}; the address can only change before it ships",
                        "refuse the delivery and return it", "ask the carrier to hold it at a branch")
    _city, at = validate(address)
    ctx = _context(deps, order, at)
    if not ctx.lines:
        return _refused(order, address, "nothing_open", f"order {order.id} has no open lines to deliver")
    current, shipment, problem = fp.diagnose(ctx)
    if shipment is None:
        return _refused(order, address, "node_cannot_ship",
                        f"{problem}; ask support for a reroute before changing the address", "propose a reroute")
    keeps = problem is None
    alternatives: list[dict[str, object]] = []
    if not keeps and not any(ln.status in ("picked", "packed") for ln in ctx.lines):
        options = fp.enumerate_options(
            ctx, current=current, current_ship=shipment, order_total=float(order.total),
            pickup_only=not deps.principal.is_staff, consent=True,
            pickup_radius_km=deps.settings.pickup_radius_km, max_candidates=deps.settings.reroute_candidate_nodes)
        _name, profile = fp._profile(deps, None)
        ranked = fp.score(options, profile, ctx.promised)
        alternatives = [{"option_id": o.option_id, "kind": o.kind, "nodes": o.nodes, "eta": o.eta.isoformat(),
                         "meets_promise": o.meets_promise} for o in ranked if not o.filtered_out][:3]
    promise = order.promised_date if keeps else shipment.eta
    reason = (f"{current} delivers to {address.city} on {shipment.eta}, within the promise {order.promised_date}"
              if keeps else f"{current} can no longer keep the promise {order.promised_date} at the new address: "
              f"{problem}; the new promise would be {shipment.eta}")
    return AddressChangeProposal(order_id=order.id, eligible=True, new_address=address, current_node=current,
                                 eta=shipment.eta, previous_promised_date=order.promised_date,
                                 promised_date=promise, keeps_promise=keeps, alternatives=alternatives,
                                 reason=reason)


def propose_address_change(deps: Deps, order_id: str, address: AddressIn) -> AddressChangeProposal:
    """The ETA and promise at ``address`` (and alternatives when the node can't keep it), or why not."""
    order = common.load_order(deps, order_id)
    return _assess(deps, order, address)


def change_address(deps: Deps, *, order_id: str, address: AddressIn, idempotency_key: str,
                   approved_by: str | None = None, note: str | None = None) -> AddressChangeResult:
    """Apply the address change after confirmation (re-checked under lock); once per key."""
    key = common.check_key(idempotency_key)
    approved_by = approved_by or deps.principal.label()
    order = common.load_order(deps, order_id, lock=True)

    def work() -> AddressChangeResult:
        p = _assess(deps, order, address)
        if not p.eligible or p.promised_date is None:
            raise PolicyViolation(p.reason, order_id=order_id,
                                  refusals=[r.model_dump(mode="json") for r in p.refusals])
        city, at = validate(address)
        count = deps.session.scalar(select(func.count()).select_from(AddressChange)
                                    .where(AddressChange.order_id == order_id)) or 0
        new = Address(id=f"A-{order_id}-{count + 1}", customer_id=order.customer_id, line1=address.line1,
                      city=city.name, state=city.state, postal_code=address.postal_code.strip(), country="MX",
                      lat=at[0], lon=at[1])
        deps.session.add(new)
        deps.session.flush()
        previous = order.ship_to_id
        deps.session.add(AddressChange(order_id=order_id, from_address_id=previous, to_address_id=new.id,
                                       changed_at=deps.now, changed_by=approved_by,
                                       previous_promised_date=order.promised_date, promised_date=p.promised_date))
        order.ship_to_id = new.id
        order.promised_date = p.promised_date
        ref = reference(deps.session)
        service = deps.session.get(CarrierService, order.service_id) if order.service_id else None
        carrier = ref.carriers[service.carrier_id] if service else None
        for line in deps.session.scalars(select(OrderLine).where(
                OrderLine.order_id == order_id, OrderLine.status.in_(OPEN_LINE_STATES),
                OrderLine.allocated_node_id.is_not(None)).with_for_update()):
            assert line.allocated_node_id is not None  # the query selects allocated lines only
            line.ship_by = compute_ship_by(
                promised=p.promised_date, node=ref.nodes[line.allocated_node_id],
                fulfillment_type=order.fulfillment_type, destination=at, service=service,
                delivery_weekdays=carrier.delivery_weekdays if carrier else None)
        deps.session.flush()
        return AddressChangeResult(order_id=order_id, address_id=new.id, previous_address_id=previous,
                                   promised_date=p.promised_date, previous_promised_date=p.previous_promised_date,
                                   eta=p.eta, idempotency_key=key, approved_by=approved_by, executed_at=deps.now)

    return common.run_once(deps, key=key, action=ACTION_ADDRESS, entity_id=order_id, kind=AddressChangeResult,
                           work=work, audit_details=lambda r: {"approved_by": approved_by, "note": note,
                                                               "address_id": r.address_id,
                                                               "promised_date": r.promised_date.isoformat()})
