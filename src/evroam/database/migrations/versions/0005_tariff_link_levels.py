"""one tariff link per level

The unique constraint on (tariff, location, charger, socket) let location- and charger-level links repeat
(their NULL charger or socket ids never compare equal). A unique index on the ids with NULLs folded
replaces it; repeated links already stored are removed first, keeping the oldest.

Revision ID: 0005_tariff_link_levels
Revises: 0004_published_totals
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_tariff_link_levels'
down_revision = '0004_published_totals'
branch_labels = None
depends_on = None

_LEVEL = "tariff_id, location_id, coalesce(charger_id, ''), coalesce(socket_id, 0)"


def upgrade() -> None:
    op.execute(f"DELETE FROM tariff_links WHERE id NOT IN (SELECT min(id) FROM tariff_links GROUP BY {_LEVEL})")
    with op.batch_alter_table('tariff_links', schema=None) as batch_op:
        batch_op.drop_constraint('uq_tariff_links_tariff_id_location_id_charger_id_socket_id', type_='unique')
    op.create_index(
        'uq_tariff_links_level',
        'tariff_links',
        ['tariff_id', 'location_id', sa.text("coalesce(charger_id, '')"), sa.text('coalesce(socket_id, 0)')],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index('uq_tariff_links_level', table_name='tariff_links')
    with op.batch_alter_table('tariff_links', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            'uq_tariff_links_tariff_id_location_id_charger_id_socket_id',
            ['tariff_id', 'location_id', 'charger_id', 'socket_id'],
        )
