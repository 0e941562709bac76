"""work order events record a customer actor (self-service cancel and delivery changes)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.drop_column('actor')
