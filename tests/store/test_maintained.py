"""The triggers keep ``node_load`` and the carrier columns of orders equal to what they summarise.

Random sequences of the writes the system makes — new lines, status moves one line or a whole
order at a time (multi-row UPDATEs, which PostgreSQL and SQLite run their triggers around
differently), reallocations to another node or day, quantity changes, deletes, delay exceptions
arriving out of order, promises moved — on both backends; after every sequence the maintained values must equal
a GROUP BY over the rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from promesa.domain.load import open_load_query
from promesa.store import maintained
from promesa.store.enums import LineStatus, OrderStatus, TrackingEventType
from promesa.store.models import NodeLoad, Order, OrderLine, TrackingEvent
from tests.domain.ops_world import CDMX, MTY, TODAY, add_carriers, add_customer, add_node, add_order, add_product, done

NODES = ["N1", "N2"]
ORDERS = [f"PO-{i}" for i in range(4)]
DAYS = [TODAY + timedelta(days=i) for i in range(3)]
T0 = datetime(2026, 11, 18, tzinfo=UTC)

line_op = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(ORDERS), st.sampled_from(NODES), st.sampled_from(DAYS),
              st.integers(1, 4), st.sampled_from(list(LineStatus))),
    st.tuples(st.just("status_one"), st.integers(0, 30), st.sampled_from(list(LineStatus))),
    st.tuples(st.just("status_order"), st.sampled_from(ORDERS), st.sampled_from(list(LineStatus))),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(NODES), st.sampled_from(DAYS)),
    st.tuples(st.just("quantity"), st.integers(0, 30), st.integers(1, 5)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("delay"), st.sampled_from(ORDERS), st.integers(0, 48), st.integers(0, 6)),
    st.tuples(st.just("undelay"), st.integers(0, 30)),
    st.tuples(st.just("promise"), st.sampled_from(ORDERS), st.integers(-2, 4)),
)


def _world(session: Session) -> None:
    add_node(session, "N1", MTY)
    add_node(session, "N2", CDMX)
    add_carriers(session)
    add_product(session, "SKU-1")
    add_customer(session, "C-1")
    for order_id in ORDERS:
        add_order(session, order_id, "C-1", [], node_id=None, ship_by=None, promised=TODAY,
                  status=OrderStatus.in_transit)
    done(session)


def _pick(session: Session, model, index: int):  # noqa: ANN001, ANN202
    ids = session.scalars(select(model.id).order_by(model.id)).all()
    return ids[index % len(ids)] if ids else None


def _apply(session: Session, op: tuple) -> None:
    kind = op[0]
    if kind == "add":
        _, order_id, node, day, qty, status = op
        line_no = (session.scalar(select(func.max(OrderLine.line_no)).where(OrderLine.order_id == order_id)) or 0) + 1
        session.add(OrderLine(order_id=order_id, line_no=line_no, sku="SKU-1", quantity=qty, unit_price=1,
                              status=status, allocated_node_id=node, ship_by=day))
    elif kind == "status_one" and (line := _pick(session, OrderLine, op[1])) is not None:
        session.execute(update(OrderLine).where(OrderLine.id == line).values(status=op[2]))
    elif kind == "status_order":  # a multi-row UPDATE: every line of the order at once
        session.execute(update(OrderLine).where(OrderLine.order_id == op[1]).values(status=op[2]))
    elif kind == "move" and (line := _pick(session, OrderLine, op[1])) is not None:
        session.execute(update(OrderLine).where(OrderLine.id == line)
                        .values(allocated_node_id=op[2], ship_by=op[3]))
    elif kind == "quantity" and (line := _pick(session, OrderLine, op[1])) is not None:
        session.execute(update(OrderLine).where(OrderLine.id == line).values(quantity=op[2]))
    elif kind == "delete" and (line := _pick(session, OrderLine, op[1])) is not None:
        session.execute(delete(OrderLine).where(OrderLine.id == line))
    elif kind == "delay":  # delays may arrive out of order: the latest by occurrence wins
        _, order_id, hours, days = op
        session.add(TrackingEvent(order_id=order_id, type=TrackingEventType.delay_exception,
                                  occurred_at=T0 + timedelta(hours=hours), reason="weather",
                                  revised_eta=TODAY + timedelta(days=days)))
    elif kind == "undelay" and (event := _pick(session, TrackingEvent, op[1])) is not None:
        session.execute(delete(TrackingEvent).where(TrackingEvent.id == event))
    elif kind == "promise":  # a moved promise moves how late the carrier's ETA is
        session.execute(update(Order).where(Order.id == op[1])
                        .values(promised_date=TODAY + timedelta(days=op[2])))
    session.flush()


def _assert_consistent(session: Session) -> None:
    kept = {(n, d): (o, u) for n, d, o, u in session.execute(
        select(NodeLoad.node_id, NodeLoad.ship_by, NodeLoad.order_count, NodeLoad.unit_count)
        .where(NodeLoad.order_count > 0))}
    counted = {(n, d): (o, u) for n, d, o, u in session.execute(
        open_load_query(None, date.min, date.max))}
    assert kept == counted
    # rows whose work is gone are zero in both columns, never negative or half-cleared
    assert session.scalar(select(func.count()).select_from(NodeLoad).where(
        (NodeLoad.order_count < 0) | (NodeLoad.unit_count < 0)
        | ((NodeLoad.order_count == 0) != (NodeLoad.unit_count == 0)))) == 0
    for order_id, eta, late, promised in session.execute(
            select(Order.id, Order.carrier_eta, Order.carrier_days_late, Order.promised_date)):
        latest = session.scalar(
            select(TrackingEvent.revised_eta)
            .where(TrackingEvent.order_id == order_id,
                   TrackingEvent.type == TrackingEventType.delay_exception)
            .order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc()).limit(1))
        assert eta == latest, order_id
        assert late == (None if latest is None else (latest - promised).days), order_id


@hsettings(max_examples=60, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(line_op, min_size=1, max_size=25))
def test_triggers_keep_the_aggregates_equal_to_the_rows(session, ops):
    with session.begin_nested() as nested:
        _world(session)
        for op in ops:
            _apply(session, op)
        _assert_consistent(session)
        nested.rollback()
    session.rollback()


def test_rebuild_recomputes_what_the_triggers_keep(session):
    _world(session)
    for op in [("add", "PO-0", "N1", DAYS[0], 2, LineStatus.allocated),
               ("add", "PO-0", "N1", DAYS[0], 1, LineStatus.picked),
               ("add", "PO-1", "N2", DAYS[1], 3, LineStatus.allocated),
               ("delay", "PO-2", 5, 4), ("delay", "PO-2", 1, 2)]:
        _apply(session, op)
    before = session.execute(select(NodeLoad.node_id, NodeLoad.ship_by, NodeLoad.order_count,
                                    NodeLoad.unit_count).order_by(NodeLoad.node_id)).all()
    assert [tuple(r) for r in before] == [("N1", DAYS[0], 1, 3), ("N2", DAYS[1], 1, 3)]
    connection = session.connection()
    connection.exec_driver_sql("UPDATE node_load SET order_count = 99")  # a corrupted copy
    connection.exec_driver_sql("UPDATE orders SET carrier_eta = NULL, carrier_days_late = 7")
    maintained.rebuild(connection)
    after = session.execute(select(NodeLoad.node_id, NodeLoad.ship_by, NodeLoad.order_count,
                                   NodeLoad.unit_count).order_by(NodeLoad.node_id)).all()
    assert after == before
    assert session.scalar(select(Order.carrier_eta).where(Order.id == "PO-2")) == TODAY + timedelta(days=4)  # the later delay
    _assert_consistent(session)


def test_a_whole_order_closing_in_one_statement_counts_once(session):
    """Two open lines of one order at one node-day, then one UPDATE for both (PostgreSQL runs
    AFTER row triggers once the statement is done; the count must still drop by exactly one)."""
    _world(session)
    for op in [("add", "PO-0", "N1", DAYS[0], 2, LineStatus.allocated),
               ("add", "PO-0", "N1", DAYS[0], 1, LineStatus.allocated),
               ("add", "PO-1", "N1", DAYS[0], 1, LineStatus.allocated),
               ("status_order", "PO-0", LineStatus.picked)]:
        _apply(session, op)
    load = select(NodeLoad.order_count, NodeLoad.unit_count).where(NodeLoad.node_id == "N1")
    assert tuple(session.execute(load).one()) == (2, 4)
    _apply(session, ("status_order", "PO-0", LineStatus.shipped))
    assert tuple(session.execute(load).one()) == (1, 1)
    _assert_consistent(session)
