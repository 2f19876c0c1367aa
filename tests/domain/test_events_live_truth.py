"""One truth in real time (issue #17): the oversell-risk check reads the live positions, so a POS
sale is in it inside the sale's own transaction, and gone again if that transaction rolls back.

The world (tests.domain.events_helpers): SKU-1 has ATP 4 at MX-STORE-01 (5 on hand, 1 reserved)
and 10 at DC-CDMX-01, 14 in all; the storefront offers exactly 14 online.
"""

from __future__ import annotations

from promesa.domain.capacity import oversell_risk
from promesa.domain.deps import Deps
from promesa.domain.events.ingest import ingest
from promesa.domain.inventory import atp_by_node
from promesa.principal import SYSTEM, Principal, Role
from promesa.store.models import Product
from tests.domain.events_helpers import NOW, ev, settings, world

OPS = Principal(role=Role.ops, subject="ops-luis")


def _sale(quantity: int) -> dict:
    return ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": quantity},
              source="/sources/pos")


def test_a_pos_sale_is_in_the_oversell_check_within_its_own_transaction(session):
    world(session)
    session.get(Product, "SKU-1").online_available = 14
    session.commit()
    ops = Deps(session=session, principal=OPS, now=NOW, settings=settings())
    assert atp_by_node(session, ["SKU-1"])["SKU-1"] == {"MX-STORE-01": 4, "DC-CDMX-01": 10}
    assert [r.sku for r in oversell_risk(ops)] == []  # 14 offered, 14 promisable

    result = ingest(Deps(session=session, principal=SYSTEM, now=NOW, settings=settings()), _sale(3))
    assert result.status == "accepted", result.error
    # not committed yet: the same transaction already sees the store's ATP at 1 and the excess
    assert atp_by_node(session, ["SKU-1"])["SKU-1"]["MX-STORE-01"] == 1
    [risk] = oversell_risk(ops)
    assert (risk.sku, risk.online_available, risk.total_atp, risk.excess) == ("SKU-1", 14, 11, 3)

    session.rollback()  # a sale whose transaction fails leaves nothing behind
    assert atp_by_node(session, ["SKU-1"])["SKU-1"]["MX-STORE-01"] == 4
    assert oversell_risk(ops) == []
