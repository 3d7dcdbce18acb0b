"""staff decisions, staff-corrected facts, and a second approval

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_by', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('staff_note', sa.Text(), nullable=True))
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_facts', sa.JSON(), nullable=True))
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_approved_by', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('first_approved_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('first_approved_at')
        batch_op.drop_column('first_approved_by')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_column('staff_facts')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('staff_note')
        batch_op.drop_column('decided_by')
