"""staff sessions kept on the server: signing out or an account change ends them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_why', sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'],
                                name=op.f('fk_staff_sessions_staff_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_staff_sessions_token_sha256')),
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_staff_id'), ['staff_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_staff_id'))
    op.drop_table('staff_sessions')
