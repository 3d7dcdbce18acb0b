"""messages: the request a message claims but may not join, and notes for staff on who sent it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_request_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('trust_notes', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.create_index(batch_op.f('ix_messages_claimed_request_id'), ['claimed_request_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_messages_claimed_request_id_requests'),
                                    'requests', ['claimed_request_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_messages_claimed_request_id_requests'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_messages_claimed_request_id'))
        batch_op.drop_column('trust_notes')
        batch_op.drop_column('claimed_request_id')
