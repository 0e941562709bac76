"""payment edges: checkout fingerprints, refund keys, per-day assembly locks, payment incidents

Revision ID: i12_edges
Revises: i16_catalog
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "i12_edges"
down_revision = "i16_catalog"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("payment_url", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_checkouts_fingerprint"), ["fingerprint"], unique=False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refund_key", sa.String(length=64), nullable=True))
    op.create_table(
        "assembly_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_assembly_days")),
    )
    op.create_table(
        "payment_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkout_id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("payment_reference", sa.String(length=255), nullable=True),
        sa.Column("expected_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_currency", sa.String(length=3), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("refund_key", sa.String(length=64), nullable=False),
        sa.Column("refund_reference", sa.String(length=255), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checkout_id"], ["checkouts.id"], name=op.f("fk_payment_incidents_checkout_id_checkouts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_incidents")),
        sa.UniqueConstraint("checkout_id", name=op.f("uq_payment_incidents_checkout_id")),
    )
    with op.batch_alter_table("payment_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_incidents_resolved_at"), ["resolved_at"], unique=False)


def downgrade():
    with op.batch_alter_table("payment_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_incidents_resolved_at"))
    op.drop_table("payment_incidents")
    op.drop_table("assembly_days")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("refund_key")
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkouts_fingerprint"))
        batch_op.drop_column("payment_url")
        batch_op.drop_column("fingerprint")
