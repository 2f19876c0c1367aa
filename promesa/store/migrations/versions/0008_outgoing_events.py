"""outgoing events outbox, sellable states, dead-letter discard, counts index

``outgoing_events`` is the transactional outbox of "sellable online" events (written with the
stock change, sent by ``promesa events relay``); ``sellable_states`` keeps the level last
announced per SKU and channel; ``event_dead_letters.discarded_by`` records who closed a letter
without a replay; ``ix_inventory_moves_counts`` finds a position's latest count directly.

Revision ID: 0008_outgoing_events
Revises: 0007_promising
Create Date: 2026-12-02 02:22:48.268694
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import promesa.store.models


revision = '0008_outgoing_events'
down_revision = '0007_promising'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outgoing_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('envelope', sa.JSON(), nullable=False),
    sa.Column('created_at', promesa.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', promesa.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', promesa.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outgoing_events_event_id'))
    )
    with op.batch_alter_table('outgoing_events', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_events_pending', ['published_at', 'id'], unique=False)

    op.create_table('sellable_states',
    sa.Column('sku', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('sellable', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('changed_at', promesa.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sku', 'channel', name=op.f('pk_sellable_states'))
    )
    with op.batch_alter_table('event_dead_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discarded_by', sa.String(length=100), nullable=True))

    with op.batch_alter_table('inventory_moves', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_moves_counts', ['node_id', 'sku', 'occurred_at'], unique=False, sqlite_where=sa.text('counted IS NOT NULL'), postgresql_where=sa.text('counted IS NOT NULL'))



def downgrade() -> None:
    with op.batch_alter_table('inventory_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_moves_counts', sqlite_where=sa.text('counted IS NOT NULL'), postgresql_where=sa.text('counted IS NOT NULL'))

    with op.batch_alter_table('event_dead_letters', schema=None) as batch_op:
        batch_op.drop_column('discarded_by')

    op.drop_table('sellable_states')
    with op.batch_alter_table('outgoing_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_events_pending')

    op.drop_table('outgoing_events')
