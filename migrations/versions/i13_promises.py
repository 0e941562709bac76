"""purchase requests record the day they were received (supplier reliability); orders record the latest day
their customer was last told of a slip (one notice per real change, and a "back on track" note)

Revision ID: i13_promises
Revises: i12_edges
Create Date: 2026-11-27 06:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "i13_promises"
down_revision = "i12_edges"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchase_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_purchase_requests_received_on'), ['received_on'], unique=False)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slip_notified_latest', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('slip_notified_latest')
    with op.batch_alter_table('purchase_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_requests_received_on'))
        batch_op.drop_column('received_on')
