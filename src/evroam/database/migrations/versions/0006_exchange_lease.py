"""credentials exchange lease

Until when the credentials exchange running for an integration (evroam as SENDER) holds it, so that a
second one cannot start meanwhile, from this process or another. NULL: no exchange is running.

Revision ID: 0006_exchange_lease
Revises: 0005_tariff_link_levels
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base


revision = '0006_exchange_lease'
down_revision = '0005_tariff_link_levels'
branch_labels = None
depends_on = None


# Altered in place, never rebuilt: on SQLite, dropping the old integrations table (foreign keys on) would
# cascade to every row that belongs to an integration.
def upgrade() -> None:
    with op.batch_alter_table('integrations', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('exchange_lease_until', evroam.database.base.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('integrations', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('exchange_lease_until')
