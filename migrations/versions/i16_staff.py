"""staff accounts managed in the back office: set-password links (invitations and resets), an edit version

Revision ID: i16_staff
Revises: i17_charges
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "i16_staff"
down_revision = "i17_charges"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True))
    # every existing account was made with a password (create-staff)
    op.execute("UPDATE staff_users SET password_set_at = created_at")
    op.create_table(
        "staff_password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_staff_password_links_staff_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_users.id"], name=op.f("fk_staff_password_links_created_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_password_links_token_hash")),
    )
    with op.batch_alter_table("staff_password_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_password_links_staff_id"), ["staff_id"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_password_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_password_links_staff_id"))
    op.drop_table("staff_password_links")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("password_set_at")
        batch_op.drop_column("version")
