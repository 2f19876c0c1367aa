"""index delay exceptions by revised ETA

The risk scan asks for delay exceptions whose revised ETA falls after a promise in its window;
with the revised ETA in the index it reads only the recent ones instead of every delay ever.

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
    op.create_index('ix_tracking_events_type_revised_eta', 'tracking_events',
                    ['type', 'revised_eta', 'order_id'])


def downgrade() -> None:
    op.drop_index('ix_tracking_events_type_revised_eta', table_name='tracking_events')
