"""one location per site and integration

A unique index on (integration, site): two concurrent additions of the same site to an integration each
found it free and both were stored, so a partner saw the site's EVSEs twice. Standalone locations have
no site (NULL), and NULLs never collide. Pairs already stored twice stop the upgrade with their ids:
removing one through the API withdraws it from the partner, which deleting the row here would not.

Revision ID: 0007_one_location_per_site
Revises: 0006_exchange_lease
"""

from alembic import op
import sqlalchemy as sa


revision = '0007_one_location_per_site'
down_revision = '0006_exchange_lease'
branch_labels = None
depends_on = None


def upgrade() -> None:
    repeated = op.get_bind().execute(sa.text(
        "SELECT integration_id, site_id FROM integration_locations WHERE site_id IS NOT NULL "
        "GROUP BY integration_id, site_id HAVING count(*) > 1 ORDER BY integration_id, site_id"
    )).all()  # fmt: skip
    if repeated:
        pairs = "; ".join(f"integration {integration_id}, site {site_id}" for integration_id, site_id in repeated)
        raise RuntimeError(
            f"these sites are locations of one integration more than once: {pairs}. Delete the extra locations "
            "(DELETE /api/v2/cpo/integrations/{integrationId}/locations/{locationId}), then upgrade again"
        )
    op.create_index(
        'uq_integration_locations_site', 'integration_locations', ['integration_id', 'site_id'], unique=True
    )


def downgrade() -> None:
    op.drop_index('uq_integration_locations_site', table_name='integration_locations')
