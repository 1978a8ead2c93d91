"""published totals

How many documents each integration serves per module, so list pages need not count them. Rows
published before this migration get their totals here: every location, the tariffs not withdrawn.

Revision ID: 0004_published_totals
Revises: 0003_location_details
"""

from alembic import op
import sqlalchemy as sa


revision = '0004_published_totals'
down_revision = '0003_location_details'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('published_totals',
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('module', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_published_totals_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('integration_id', 'module', name=op.f('pk_published_totals'))
    )
    # Withdrawn locations are still served (every EVSE REMOVED); withdrawn tariffs are not.
    op.execute(
        "INSERT INTO published_totals (integration_id, module, total) "
        "SELECT integration_id, module, count(*) FROM published_documents "
        "WHERE module = 'locations' OR NOT removed "
        "GROUP BY integration_id, module"
    )


def downgrade() -> None:
    op.drop_table('published_totals')
