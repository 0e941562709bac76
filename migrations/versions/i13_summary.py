"""the plan summary: booked assembly slots as runs and the learned history's key, tied to the plan stamp

Revision ID: i13_summary
Revises: i16_staff
Create Date: 2026-12-04 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "i13_summary"
down_revision = "i16_staff"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("slot_runs", sa.Text(), nullable=False),
        sa.Column("history", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_summaries")),
    )


def downgrade():
    op.drop_table("plan_summaries")
