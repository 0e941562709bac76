"""staff roles (existing accounts become owners), catalog drafts, and who published each catalog version

Revision ID: i16_catalog
Revises: 0004
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "i16_catalog"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        # existing accounts could do everything before roles existed: they keep that as owners
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=False, server_default="owner"))
    with op.batch_alter_table("catalog_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("diff", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_catalog_versions_published_by_id_staff_users"), "staff_users", ["published_by_id"], ["id"]
        )
    op.create_table(
        "catalog_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("base_checksum", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_version_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_users.id"], name=op.f("fk_catalog_drafts_created_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["published_version_id"],
            ["catalog_versions.id"],
            name=op.f("fk_catalog_drafts_published_version_id_catalog_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_drafts")),
    )


def downgrade():
    op.drop_table("catalog_drafts")
    with op.batch_alter_table("catalog_versions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_catalog_versions_published_by_id_staff_users"), type_="foreignkey")
        batch_op.drop_column("diff")
        batch_op.drop_column("published_by_id")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("role")
