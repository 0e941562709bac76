"""the plan summary records the day and order day its plan was made for, so a move that changes no slot can keep
it (services.planning.replan_after_move)

Revision ID: i13_plan_day
Revises: i14_awaiting
Create Date: 2026-11-28 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "i13_plan_day"
down_revision = "i14_awaiting"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plan_summaries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_for", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("plan_summaries", schema=None) as batch_op:
        batch_op.drop_column("planned_for")
