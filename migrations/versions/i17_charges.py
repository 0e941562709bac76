"""orders split what was paid into bike, shipping and tax, and record the refund of each part

Revision ID: i17_charges
Revises: i13_promises
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "i17_charges"
down_revision = "i13_promises"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subtotal_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shipping_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('tax_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('charges', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('refunded_subtotal_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('refunded_shipping_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('refunded_tax_cents', sa.Integer(), nullable=True))
    # Orders taken before shipping and tax were charged paid for the bike alone.
    op.execute("UPDATE orders SET subtotal_cents = total_cents")
    op.execute(
        "UPDATE orders SET refunded_subtotal_cents = total_cents, refunded_shipping_cents = 0, refunded_tax_cents = 0"
        " WHERE refund_reference IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        for name in ('refunded_tax_cents', 'refunded_shipping_cents', 'refunded_subtotal_cents', 'charges',
                     'tax_cents', 'shipping_cents', 'subtotal_cents'):
            batch_op.drop_column(name)
