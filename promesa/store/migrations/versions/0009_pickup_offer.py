"""pickup offers: an orchestration decision waits for the customer; a notice offers the pickup

``orchestration_actions.decision`` gains ``awaiting_customer`` and ``accepted`` (a pickup that
keeps the promise needs the customer's consent, so it is offered to them, not approved by
staff); ``notices.kind`` gains ``pickup_offer``. Both columns are non-native enums whose CHECK
constraint lists the values, so the constraint is replaced (SQLite: by rebuilding the table).

Revision ID: 0009_pickup_offer
Revises: 0008_outgoing_events
Create Date: 2026-12-02 14:45:00
"""
from __future__ import annotations

from alembic import op

revision = '0009_pickup_offer'
down_revision = '0008_outgoing_events'
branch_labels = None
depends_on = None

_OLD = {
    ("orchestration_actions", "decision", "orchestrationdecision"):
        ("auto_executed", "awaiting_approval", "approved", "rejected", "notice_only", "no_option", "reverted"),
    ("notices", "kind", "noticekind"): ("delay", "saved", "pickup_reminder"),
}
_ADDED = {"orchestrationdecision": ("awaiting_customer", "accepted"), "noticekind": ("pickup_offer",)}


def _check(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _swap(new: bool) -> None:
    for (table, column, name), old in _OLD.items():
        values = old + _ADDED[name] if new else old
        constraint = op.f(f"ck_{table}_{name}")
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            batch_op.drop_constraint(constraint, type_="check")
            batch_op.create_check_constraint(constraint, _check(column, values))


def upgrade() -> None:
    """Allow the new decision and notice kind."""
    _swap(new=True)


def downgrade() -> None:
    """Back to the old values (rows using the new ones must be gone first)."""
    _swap(new=False)
