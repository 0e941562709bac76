"""an index covering the awaited quantity per supplier delivery, which every quote after a plan change sums

Revision ID: i14_awaiting
Revises: i13_summary
Create Date: 2026-12-05 09:00:00

"""
from alembic import op


revision = "i14_awaiting"
down_revision = "i13_summary"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_part_lines_state_request_quantity", "part_lines", ["state", "purchase_request_id", "quantity"]
    )


def downgrade():
    op.drop_index("ix_part_lines_state_request_quantity", table_name="part_lines")
