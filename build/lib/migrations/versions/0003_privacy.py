"""privacy: retention dates, fraud marking, sealed content

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachments_key_id'), ['key_id'], unique=False)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('raw_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_raw_messages_key_id'), ['key_id'], unique=False)

    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fraud_marked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fraud_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('fraud_marked_by', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('fraud_marked_by')
        batch_op.drop_column('fraud_reason')
        batch_op.drop_column('fraud_marked_at')
        batch_op.drop_column('closed_at')

    with op.batch_alter_table('raw_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raw_messages_key_id'))
        batch_op.drop_column('key_id')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_key_id'))
        batch_op.drop_column('key_id')

