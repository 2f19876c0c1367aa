"""The orchestrator's notices: structured fields from the order, drafted into the outbox.

Every date, store and amount in a notice comes from here (the order, its pickup store, the
notice policy's coupon); :mod:`promesa.domain.notices.drafting` only phrases them.
"""

from __future__ import annotations

from datetime import date

from promesa.domain.deps import Deps
from promesa.domain.notices.drafting import NoticeFields
from promesa.domain.notices.outbox import enqueue
from promesa.store.enums import NoticeKind, TriggerKind
from promesa.store.models import Customer, Node, Order


def tell(deps: Deps, order: Order, trigger: TriggerKind, key: str, kind: NoticeKind, new_date: date | None,
         *, store_id: str | None = None, pickup_ready: date | None = None) -> int:
    """Draft the ``kind`` notice of ``order`` for trigger ``key`` (once); the number of rows drafted.

    ``store_id`` names the store of a pickup offer (else the order's own pickup store).
    """
    customer = deps.session.get(Customer, order.customer_id)
    policy = deps.settings.notices
    late = (new_date - order.promised_date).days if new_date else 0
    node_id = store_id or order.pickup_node_id
    store = deps.session.get(Node, node_id) if node_id else None
    coupon = (kind is NoticeKind.delay and late >= policy.compensation_after_days_late
              and policy.compensation_mxn)
    fields = NoticeFields(
        order_id=order.id, customer_name=customer.name if customer else "", trigger=trigger,
        promised_date=order.promised_date, new_date=new_date, store_name=store.name if store else None,
        pickup_ready=pickup_ready, compensation_mxn=policy.compensation_mxn if coupon else None)
    return len(enqueue(deps, order_id=order.id, customer_id=order.customer_id, trigger_key=key,
                       kind=kind, fields=fields))
