"""location details read model

Each integration location keeps its element of GET integration details as JSON text, and a version
that every change clearing it bumps. Rows migrated from 0002 start NULL: built by the next read, or at
start-up.

Revision ID: 0003_location_details
Revises: 0002_publication_and_outbox
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_location_details'
down_revision = '0002_publication_and_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('integration_locations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('details_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('integration_locations', schema=None) as batch_op:
        batch_op.drop_column('details_version')
        batch_op.drop_column('details')
