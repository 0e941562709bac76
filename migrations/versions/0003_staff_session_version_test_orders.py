"""staff session version; orders paid in test mode

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users') as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('orders') as batch_op:
        batch_op.add_column(sa.Column('test_mode', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_column('test_mode')
    with op.batch_alter_table('staff_users') as batch_op:
        batch_op.drop_column('session_version')
