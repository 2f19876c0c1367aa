"""Aggregates the database keeps current on every write: node load and carrier ETAs.

The risk scan and every ETA read the committed load of each node and day. Aggregating the
open order lines on each read costs a scan of every line in the window; an order-management
system instead keeps a *capacity consumed* counter per node-day, moved by the writes that
allocate, move, pick or ship lines. Here that counter is ``node_load`` and the writes that move
it are database triggers, so no write path (the ORM, the world loader's raw ``executemany`` or
``COPY``, a reroute's guarded ``UPDATE``) can forget it:

- ``node_load(node_id, ship_by)``: distinct orders and units of the *open* lines (allocated,
  backordered, picked, packed) allocated there with that ship-by day;
- ``orders.carrier_eta``: the revised ETA of the order's latest delay exception, and
  ``orders.carrier_days_late``: how many days that lies past the promised date (the risk scan
  ranks thousands of delayed orders by it; date arithmetic per row at read time cost more).

A line's contribution is removed under its old values and added under its new ones; an order
counts once per node-day, so a trigger asks whether another open line of the same order is
already there. SQLite runs row triggers as each row changes; PostgreSQL runs AFTER row triggers
only once the whole statement is done, so there the load trigger runs BEFORE each row, which
sees the rows the statement changed earlier — the same interleaving as SQLite.

Large loads drop the triggers, write, then :func:`rebuild` recomputes both aggregates with one
statement each and :func:`install` puts the triggers back (see ``promesa.world.bulk``).
"""

from __future__ import annotations

from sqlalchemy import Connection

from promesa.store.enums import OPEN_LINE_STATES, TrackingEventType

_OPEN = "(" + ", ".join(f"'{s.value}'" for s in OPEN_LINE_STATES) + ")"
_DELAY = f"'{TrackingEventType.delay_exception.value}'"
_LINE_COLUMNS = "status, allocated_node_id, ship_by, quantity, order_id"

TRIGGERS = ("trg_node_load_add", "trg_node_load_add_update", "trg_node_load_remove",
            "trg_node_load_remove_update", "trg_carrier_eta_insert", "trg_carrier_eta_update",
            "trg_carrier_eta_delete", "trg_carrier_days_promise")


def _is_open(row: str) -> str:
    return (f"{row}.status IN {_OPEN} AND {row}.allocated_node_id IS NOT NULL "
            f"AND {row}.ship_by IS NOT NULL")


def _order_already_counted(row: str) -> str:
    """Another open line of the row's order at the row's node and ship-by day."""
    return (f"EXISTS (SELECT 1 FROM order_lines other WHERE other.order_id = {row}.order_id "
            f"AND other.allocated_node_id = {row}.allocated_node_id AND other.ship_by = {row}.ship_by "
            f"AND other.status IN {_OPEN} AND other.id <> {row}.id)")


def _latest_delay(order: str) -> str:
    return (f"(SELECT t.revised_eta FROM tracking_events t WHERE t.order_id = {order} "
            f"AND t.type = {_DELAY} AND t.revised_eta IS NOT NULL "
            "ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1)")


def _sqlite_days(later: str, earlier: str) -> str:
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _sqlite_eta(order: str) -> str:
    """Set both carrier columns of ``order`` from its delay exceptions (SQLite)."""
    latest = _latest_delay(order)
    return (f"UPDATE orders SET carrier_eta = {latest}, "
            f"carrier_days_late = {_sqlite_days(latest, 'promised_date')} WHERE id = {order};")


def _sqlite_ddl() -> list[str]:
    add = (
        "INSERT OR IGNORE INTO node_load (node_id, ship_by, order_count, unit_count) "
        "VALUES (NEW.allocated_node_id, NEW.ship_by, 0, 0); "
        "UPDATE node_load SET "
        f"order_count = order_count + (CASE WHEN {_order_already_counted('NEW')} THEN 0 ELSE 1 END), "
        "unit_count = unit_count + NEW.quantity "
        "WHERE node_id = NEW.allocated_node_id AND ship_by = NEW.ship_by;"
    )
    remove = (
        "UPDATE node_load SET "
        f"order_count = order_count - (CASE WHEN {_order_already_counted('OLD')} THEN 0 ELSE 1 END), "
        "unit_count = unit_count - OLD.quantity "
        "WHERE node_id = OLD.allocated_node_id AND ship_by = OLD.ship_by;"
    )
    delay = f"{{row}}.type = {_DELAY}"
    return [
        f"CREATE TRIGGER trg_node_load_add AFTER INSERT ON order_lines "
        f"WHEN {_is_open('NEW')} BEGIN {add} END",
        f"CREATE TRIGGER trg_node_load_add_update AFTER UPDATE OF {_LINE_COLUMNS} ON order_lines "
        f"WHEN {_is_open('NEW')} BEGIN {add} END",
        f"CREATE TRIGGER trg_node_load_remove AFTER DELETE ON order_lines "
        f"WHEN {_is_open('OLD')} BEGIN {remove} END",
        f"CREATE TRIGGER trg_node_load_remove_update AFTER UPDATE OF {_LINE_COLUMNS} ON order_lines "
        f"WHEN {_is_open('OLD')} BEGIN {remove} END",
        f"CREATE TRIGGER trg_carrier_eta_insert AFTER INSERT ON tracking_events "
        f"WHEN {delay.format(row='NEW')} BEGIN {_sqlite_eta('NEW.order_id')} END",
        "CREATE TRIGGER trg_carrier_eta_update AFTER UPDATE OF type, revised_eta, occurred_at, "
        f"order_id ON tracking_events WHEN {delay.format(row='NEW')} OR {delay.format(row='OLD')} "
        f"BEGIN {_sqlite_eta('OLD.order_id')} {_sqlite_eta('NEW.order_id')} END",
        f"CREATE TRIGGER trg_carrier_eta_delete AFTER DELETE ON tracking_events "
        f"WHEN {delay.format(row='OLD')} BEGIN {_sqlite_eta('OLD.order_id')} END",
        # a moved promise moves the lateness (the inner UPDATE does not touch promised_date)
        "CREATE TRIGGER trg_carrier_days_promise AFTER UPDATE OF promised_date ON orders "
        "WHEN NEW.carrier_eta IS NOT NULL BEGIN UPDATE orders SET carrier_days_late = "
        f"{_sqlite_days('NEW.carrier_eta', 'NEW.promised_date')} WHERE id = NEW.id; END",
    ]


def _postgresql_ddl() -> list[str]:
    load = f"""
CREATE OR REPLACE FUNCTION promesa_node_load() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND {_is_open('OLD')} THEN
    UPDATE node_load SET
      order_count = order_count - (CASE WHEN {_order_already_counted('OLD')} THEN 0 ELSE 1 END),
      unit_count = unit_count - OLD.quantity
    WHERE node_id = OLD.allocated_node_id AND ship_by = OLD.ship_by;
  END IF;
  IF TG_OP <> 'DELETE' AND {_is_open('NEW')} THEN
    INSERT INTO node_load AS load (node_id, ship_by, order_count, unit_count)
    VALUES (NEW.allocated_node_id, NEW.ship_by,
            CASE WHEN {_order_already_counted('NEW')} THEN 0 ELSE 1 END, NEW.quantity)
    ON CONFLICT (node_id, ship_by) DO UPDATE SET
      order_count = load.order_count + EXCLUDED.order_count,
      unit_count = load.unit_count + EXCLUDED.unit_count;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$"""
    eta = f"""
CREATE OR REPLACE FUNCTION promesa_carrier_eta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE orders SET carrier_eta = {_latest_delay('OLD.order_id')} WHERE id = OLD.order_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE orders SET carrier_eta = {_latest_delay('NEW.order_id')} WHERE id = NEW.order_id;
  END IF;
  RETURN NULL;
END $$"""
    # the lateness follows whatever sets the ETA or moves the promise, on the row itself
    days = """
CREATE OR REPLACE FUNCTION promesa_carrier_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.carrier_days_late := NEW.carrier_eta - NEW.promised_date;
  RETURN NEW;
END $$"""
    return [
        load,
        eta,
        days,
        # BEFORE: each row sees the statement's earlier rows (see the module docstring)
        f"CREATE TRIGGER trg_node_load BEFORE INSERT OR DELETE OR UPDATE OF {_LINE_COLUMNS} "
        "ON order_lines FOR EACH ROW EXECUTE FUNCTION promesa_node_load()",
        # the ETA is recomputed from the final state, so AFTER is right (and cheaper)
        "CREATE TRIGGER trg_carrier_eta AFTER INSERT OR DELETE OR UPDATE ON tracking_events "
        "FOR EACH ROW EXECUTE FUNCTION promesa_carrier_eta()",
        "CREATE TRIGGER trg_carrier_days BEFORE INSERT OR UPDATE OF carrier_eta, promised_date "
        "ON orders FOR EACH ROW EXECUTE FUNCTION promesa_carrier_days()",
    ]


def install(connection: Connection) -> None:
    """Create the triggers that keep ``node_load`` and the carrier columns of orders current."""
    ddl = _postgresql_ddl() if connection.dialect.name == "postgresql" else _sqlite_ddl()
    for statement in ddl:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    """Drop the triggers (a bulk load then calls :func:`rebuild` and :func:`install`)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS trg_node_load ON order_lines")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS trg_carrier_eta ON tracking_events")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS trg_carrier_days ON orders")
        for function in ("promesa_node_load", "promesa_carrier_eta", "promesa_carrier_days"):
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")
        return
    for name in TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection: Connection) -> None:
    """Recompute both aggregates from the rows (after a bulk load or a migration)."""
    connection.exec_driver_sql("DELETE FROM node_load")
    connection.exec_driver_sql(
        "INSERT INTO node_load (node_id, ship_by, order_count, unit_count) "
        "SELECT allocated_node_id, ship_by, COUNT(DISTINCT order_id), SUM(quantity) "
        f"FROM order_lines WHERE {_is_open('order_lines')} GROUP BY allocated_node_id, ship_by"
    )
    latest = _latest_delay("orders.id")
    days = ("(carrier_eta - promised_date)" if connection.dialect.name == "postgresql"
            else _sqlite_days("carrier_eta", "promised_date"))
    stale = (f"WHERE carrier_eta IS NOT NULL OR id IN "
             f"(SELECT order_id FROM tracking_events WHERE type = {_DELAY})")
    connection.exec_driver_sql(f"UPDATE orders SET carrier_eta = {latest} {stale}")
    # a second statement: SET expressions read the row as it was before the first
    connection.exec_driver_sql(f"UPDATE orders SET carrier_days_late = {days} "
                               "WHERE carrier_eta IS NOT NULL OR carrier_days_late IS NOT NULL")
