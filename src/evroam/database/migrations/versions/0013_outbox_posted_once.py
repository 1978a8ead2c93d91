"""the outbox keeps the Location a partner answers to a POST (CDRs, the POSTED_ONCE delivery kind)

Revision ID: 0013_outbox_posted_once
Revises: 0010_pulls
"""

from alembic import op
import sqlalchemy as sa

revision = '0013_outbox_posted_once'
down_revision = '0012_cdrs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_location', sa.String(length=512), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.drop_column('partner_location')
