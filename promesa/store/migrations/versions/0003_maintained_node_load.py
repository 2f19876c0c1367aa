"""maintained node load and carrier ETA

Adds ``node_load`` (open orders and units per node and ship-by day) and ``orders.carrier_eta``
(revised ETA of the latest delay exception) with ``orders.carrier_days_late`` (how far past the
promise it lies), all kept current by triggers on the rows they
summarise (promesa.store.maintained), computes them for the rows already there, and indexes the
delayed orders and the positions short of their reservations for the risk scan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from promesa.store import maintained

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'node_load',
        sa.Column('node_id', sa.String(length=32), nullable=False),
        sa.Column('ship_by', sa.Date(), nullable=False),
        sa.Column('order_count', sa.Integer(), nullable=False),
        sa.Column('unit_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['node_id'], ['nodes.id'], name=op.f('fk_node_load_node_id_nodes')),
        sa.PrimaryKeyConstraint('node_id', 'ship_by', name=op.f('pk_node_load')),
    )
    op.create_index('ix_node_load_ship_by', 'node_load', ['ship_by'])
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('carrier_eta', sa.Date(), nullable=True))
        batch.add_column(sa.Column('carrier_days_late', sa.Integer(), nullable=True))
    op.create_index('ix_orders_carrier_late', 'orders',
                    ['status', 'promised_date', 'carrier_days_late', 'total', 'id', 'carrier_eta'],
                    sqlite_where=sa.text('carrier_days_late IS NOT NULL'),
                    postgresql_where=sa.text('carrier_days_late IS NOT NULL'))
    op.create_index('ix_inventory_short', 'inventory', ['node_id', 'sku'],
                    sqlite_where=sa.text('on_hand < reserved'),
                    postgresql_where=sa.text('on_hand < reserved'))
    connection = op.get_bind()
    maintained.rebuild(connection)
    maintained.install(connection)


def downgrade() -> None:
    connection = op.get_bind()
    maintained.uninstall(connection)
    op.drop_index('ix_inventory_short', table_name='inventory')
    op.drop_index('ix_orders_carrier_late', table_name='orders')
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('carrier_days_late')
        batch.drop_column('carrier_eta')
    op.drop_table('node_load')
