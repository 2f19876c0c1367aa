"""action outcomes: what an approved write did, keyed by the action (issue #13)

Revision ID: 0006_action_outcomes
Revises: 0005_self_service
Create Date: 2026-12-02 02:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import promesa.store.models


revision = '0006_action_outcomes'
down_revision = '0005_self_service'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action_outcomes',
    sa.Column('action_key', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=True),
    sa.Column('state_version', sa.String(length=40), nullable=False),
    sa.Column('thread_id', sa.String(length=64), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('executed_at', promesa.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('action_key', name=op.f('pk_action_outcomes'))
    )
    with op.batch_alter_table('action_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_outcomes_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('action_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_outcomes_order_id'))
    op.drop_table('action_outcomes')
