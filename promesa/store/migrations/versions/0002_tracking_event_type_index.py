"""index tracking events by type (the risk scan looks up delay exceptions)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tracking_events_type_order_id', 'tracking_events', ['type', 'order_id'])


def downgrade() -> None:
    op.drop_index('ix_tracking_events_type_order_id', table_name='tracking_events')
