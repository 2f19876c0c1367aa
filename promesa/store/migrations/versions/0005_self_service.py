"""customer self-service: returns (RMAs with lines), support cases, refunds, address history

Tables for the actions customers take on their orders (promesa.domain.actions): an RMA per
return with its lines, claims and complaints as cases in the support queue, every refund with
amount, method, state and expected date, and each order's delivery address changes; products gain a group and a variant label, so an
exchange can offer another size or colour of the same product.

Revision ID: 0005_self_service
Revises: 0004_events
Create Date: 2026-12-01 23:05:15
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import promesa.store.models


revision = '0005_self_service'
down_revision = '0004_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_group', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('variant', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_products_product_group'), ['product_group'], unique=False)
    op.create_table('address_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('from_address_id', sa.String(length=32), nullable=True),
    sa.Column('to_address_id', sa.String(length=32), nullable=False),
    sa.Column('changed_at', promesa.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.Column('previous_promised_date', sa.Date(), nullable=False),
    sa.Column('promised_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['from_address_id'], ['addresses.id'], name=op.f('fk_address_changes_from_address_id_addresses')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_address_changes_order_id_orders')),
    sa.ForeignKeyConstraint(['to_address_id'], ['addresses.id'], name=op.f('fk_address_changes_to_address_id_addresses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_changes'))
    )
    with op.batch_alter_table('address_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_changes_order_id'), ['order_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.Enum('damaged', 'missing_item', 'not_arrived', 'complaint', name='casekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', promesa.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'escalated', 'resolved', name='casestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('resolution', sa.Enum('reship', 'refund', 'investigation', 'staff_review', name='caseresolution', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_cases_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_cases_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_cases_status_created_at', ['status', 'created_at'], unique=False)

    op.create_table('returns',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', promesa.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('authorized', 'received', 'refunded', name='returnstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('method', sa.Enum('store_dropoff', 'carrier_pickup', name='returnmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('dropoff_node_id', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_returns_customer_id_customers')),
    sa.ForeignKeyConstraint(['dropoff_node_id'], ['nodes.id'], name=op.f('fk_returns_dropoff_node_id_nodes')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_returns_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_returns'))
    )
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_returns_order_id'), ['order_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('return_id', sa.String(length=32), nullable=True),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.Enum('cancellation', 'return', 'claim', name='refundreason', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('method', sa.Enum('original_payment', 'store_credit', name='refundmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'issued', 'completed', name='refundstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', promesa.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expected_by', sa.Date(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_refunds_amount_pos')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_refunds_case_id_cases')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_refunds_return_id_returns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)

    op.create_table('return_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('return_id', sa.String(length=32), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('condition', sa.Enum('unopened', 'opened', 'used', 'damaged', name='itemcondition', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('refund_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_return_lines_quantity_pos')),
    sa.CheckConstraint('refund_amount >= 0', name=op.f('ck_return_lines_refund_nonneg')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_return_lines_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_return_lines_return_id_returns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_lines'))
    )
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_lines_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_lines_return_id'), ['return_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_lines_return_id'))
        batch_op.drop_index(batch_op.f('ix_return_lines_order_line_id'))

    op.drop_table('return_lines')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_returns_order_id'))

    op.drop_table('returns')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_created_at')
        batch_op.drop_index(batch_op.f('ix_cases_order_id'))
        batch_op.drop_index(batch_op.f('ix_cases_customer_id'))

    op.drop_table('cases')
    with op.batch_alter_table('address_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_changes_order_id'))

    op.drop_table('address_changes')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_product_group'))
        batch_op.drop_column('variant')
        batch_op.drop_column('product_group')
