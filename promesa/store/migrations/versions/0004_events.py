"""ingested events, event watermarks and the dead-letter table

``ingested_events`` makes every event's effect happen once (keyed by source and id);
``inventory_moves`` keeps the on-hand moves cycle counts are reconciled with; ``event_watermarks`` keeps the newest event
applied to each piece of state so a stale one never regresses it; ``event_dead_letters`` keeps
rejected events whole until a replay applies them.

Revision ID: 0004_events
Revises: 0003
Create Date: 2026-12-01 23:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from promesa.store.models import UTCDateTime

revision = '0004_events'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ingested_events',
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.Column('type', sa.String(length=100), nullable=False),
        sa.Column('occurred_at', UTCDateTime(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=True),
        sa.Column('received_at', UTCDateTime(), nullable=False),
        sa.Column('sender', sa.String(length=100), nullable=False),
        sa.Column('applied', sa.Boolean(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('source', 'event_id', name=op.f('pk_ingested_events')),
    )
    op.create_table(
        'inventory_moves',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.Column('node_id', sa.String(length=32), nullable=False),
        sa.Column('sku', sa.String(length=32), nullable=False),
        sa.Column('occurred_at', UTCDateTime(), nullable=False),
        sa.Column('on_hand_delta', sa.Integer(), nullable=True),
        sa.Column('counted', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_moves')),
    )
    op.create_index('ix_inventory_moves_position', 'inventory_moves',
                    ['node_id', 'sku', 'occurred_at'])
    op.create_table(
        'event_watermarks',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('occurred_at', UTCDateTime(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_event_watermarks')),
    )
    op.create_table(
        'event_dead_letters',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.Column('type', sa.String(length=100), nullable=True),
        sa.Column('sender', sa.String(length=100), nullable=False),
        sa.Column('envelope', sa.JSON(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('field', sa.String(length=200), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('first_seen_at', UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', UTCDateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('resolved_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_dead_letters')),
        sa.UniqueConstraint('source', 'event_id', name=op.f('uq_event_dead_letters_source_event_id')),
    )
    op.create_index('ix_event_dead_letters_resolved_at', 'event_dead_letters', ['resolved_at'])


def downgrade() -> None:
    op.drop_index('ix_event_dead_letters_resolved_at', table_name='event_dead_letters')
    op.drop_table('event_dead_letters')
    op.drop_table('event_watermarks')
    op.drop_index('ix_inventory_moves_position', table_name='inventory_moves')
    op.drop_table('inventory_moves')
    op.drop_table('ingested_events')
