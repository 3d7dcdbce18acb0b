"""understanding: each fact read from a message, with its confidence and evidence

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('messages', 'requests'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('understanding', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ('requests', 'messages'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('understanding')
