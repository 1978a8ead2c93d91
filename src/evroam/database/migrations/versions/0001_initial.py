"""initial schema

Revision ID: 0001_initial
Revises: 
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base
from sqlalchemy.dialects import postgresql

revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('party_id', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('website', sa.String(length=255), nullable=True),
    sa.Column('logo', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_api_keys_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_operator_id'), ['operator_id'], unique=False)

    op.create_table('integrations',
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('integration_type', sa.String(length=16), nullable=False),
    sa.Column('integration_name', sa.String(length=255), nullable=False),
    sa.Column('integration_status', sa.String(length=16), nullable=False),
    sa.Column('status_description', sa.Text(), nullable=True),
    sa.Column('credentials_exchange_role', sa.String(length=8), nullable=True),
    sa.Column('end_point_url', sa.String(length=255), nullable=True),
    sa.Column('customer_roles', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('models', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('charging_period_interval_in_minutes', sa.Integer(), nullable=False),
    sa.Column('state_of_charge_is_sent', sa.Boolean(), nullable=False),
    sa.Column('free_vending_with_idtag_allowed', sa.Boolean(), nullable=False),
    sa.Column('approved_party_id', sa.String(length=64), nullable=True),
    sa.Column('third_party_id', sa.String(length=3), nullable=True),
    sa.Column('third_party_country_code', sa.String(length=2), nullable=True),
    sa.Column('platform_integration', sa.Boolean(), nullable=False),
    sa.Column('platform_integration_id', sa.String(length=64), nullable=True),
    sa.Column('platform_party_id', sa.String(length=3), nullable=True),
    sa.Column('platform_party_country_code', sa.String(length=2), nullable=True),
    sa.Column('utility_cloud_connection', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('salesforce_connection', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('ocpi_version', sa.String(length=8), nullable=True),
    sa.Column('version_details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('partners_company_detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('partner_versions_url', sa.String(length=255), nullable=True),
    sa.Column('initial_role', sa.String(length=8), nullable=True),
    sa.Column('partner_initial_token_encrypted', sa.Text(), nullable=True),
    sa.Column('partner_token_encrypted', sa.Text(), nullable=True),
    sa.Column('token_encoding', sa.String(length=8), nullable=False),
    sa.Column('hub_client_info', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_integrations_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('integration_id', name=op.f('pk_integrations'))
    )
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrations_operator_id'), ['operator_id'], unique=False)

    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('parent_site_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('public_name', sa.String(length=255), nullable=True),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=3), nullable=False),
    sa.Column('state', sa.String(length=45), nullable=True),
    sa.Column('city', sa.String(length=45), nullable=False),
    sa.Column('street_address', sa.String(length=255), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('longitude', sa.Numeric(precision=10, scale=6), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('parking_type', sa.String(length=32), nullable=True),
    sa.Column('facilities', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('opening_times', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('charging_when_closed', sa.Boolean(), nullable=True),
    sa.Column('directions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('images', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('energy_mix', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('owner', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('suboperator', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('related_locations', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_sites_operator_id_operators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_site_id'], ['sites.id'], name=op.f('fk_sites_parent_site_id_sites'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites'))
    )
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_parent_site_id'), ['parent_site_id'], unique=False)

    op.create_table('spot_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('bidding_zone', sa.String(length=32), nullable=False),
    sa.Column('starts_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('price_per_kwh', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('imported_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_spot_prices_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_prices'))
    )
    with op.batch_alter_table('spot_prices', schema=None) as batch_op:
        batch_op.create_index('ix_spot_prices_lookup', ['operator_id', 'bidding_zone', 'starts_at'], unique=True)

    op.create_table('tariffs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('common', sa.Boolean(), nullable=False),
    sa.Column('use_type', sa.String(length=8), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('tariff_alt_text', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('tariff_alt_url', sa.String(length=255), nullable=True),
    sa.Column('min_price_excl_vat', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('min_price_incl_vat', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('max_price_excl_vat', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('max_price_incl_vat', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('elements', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('start_date_time', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('end_date_time', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('energy_mix', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('created', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_updated', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_tariffs_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariffs'))
    )
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tariffs_operator_id'), ['operator_id'], unique=False)

    op.create_table('chargers',
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('evse_id', sa.String(length=48), nullable=True),
    sa.Column('split_evse_by_socket', sa.Boolean(), nullable=False),
    sa.Column('active_connection', sa.Boolean(), nullable=False),
    sa.Column('capabilities', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('manufacturer', sa.String(length=100), nullable=True),
    sa.Column('firmware_version', sa.String(length=50), nullable=True),
    sa.Column('serial_number', sa.String(length=100), nullable=True),
    sa.Column('charger_group_id', sa.Integer(), nullable=True),
    sa.Column('charger_group_name', sa.String(length=100), nullable=True),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_chargers_operator_id_operators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_chargers_site_id_sites'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('charger_id', name=op.f('pk_chargers'))
    )
    with op.batch_alter_table('chargers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chargers_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chargers_site_id'), ['site_id'], unique=False)

    op.create_table('integration_locations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('exclude_chargers', sa.Boolean(), nullable=False),
    sa.Column('standalone', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('publish', sa.Boolean(), nullable=False),
    sa.Column('publish_allowed_to', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_updated', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_integration_locations_integration_id_integrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_integration_locations_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_locations'))
    )
    with op.batch_alter_table('integration_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_locations_integration_id'), ['integration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_integration_locations_site_id'), ['site_id'], unique=False)

    op.create_table('integration_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_integration_tokens_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_integration_tokens'))
    )
    with op.batch_alter_table('integration_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_tokens_integration_id'), ['integration_id'], unique=False)

    op.create_table('integration_location_chargers',
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_integration_location_chargers_charger_id_chargers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['integration_locations.id'], name=op.f('fk_integration_location_chargers_location_id_integration_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('location_id', 'charger_id', name=op.f('pk_integration_location_chargers'))
    )
    with op.batch_alter_table('integration_location_chargers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_location_chargers_charger_id'), ['charger_id'], unique=False)

    op.create_table('sockets',
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('socket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('power_type', sa.String(length=16), nullable=False),
    sa.Column('max_power', sa.Numeric(precision=10, scale=3), nullable=True),
    sa.Column('max_voltage', sa.Integer(), nullable=True),
    sa.Column('max_amperage', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_updated_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('evse_id', sa.String(length=48), nullable=True),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_sockets_charger_id_chargers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('charger_id', 'socket_id', name=op.f('pk_sockets'))
    )
    op.create_table('tariff_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('tariff_id', sa.String(length=36), nullable=False),
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=True),
    sa.Column('socket_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_tariff_links_charger_id_chargers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_tariff_links_integration_id_integrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['integration_locations.id'], name=op.f('fk_tariff_links_location_id_integration_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tariff_id'], ['tariffs.id'], name=op.f('fk_tariff_links_tariff_id_tariffs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_links')),
    sa.UniqueConstraint('tariff_id', 'location_id', 'charger_id', 'socket_id', name=op.f('uq_tariff_links_tariff_id_location_id_charger_id_socket_id'))
    )
    with op.batch_alter_table('tariff_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tariff_links_integration_id'), ['integration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tariff_links_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tariff_links_tariff_id'), ['tariff_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('tariff_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariff_links_tariff_id'))
        batch_op.drop_index(batch_op.f('ix_tariff_links_location_id'))
        batch_op.drop_index(batch_op.f('ix_tariff_links_integration_id'))

    op.drop_table('tariff_links')
    op.drop_table('sockets')
    with op.batch_alter_table('integration_location_chargers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integration_location_chargers_charger_id'))

    op.drop_table('integration_location_chargers')
    with op.batch_alter_table('integration_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integration_tokens_integration_id'))

    op.drop_table('integration_tokens')
    with op.batch_alter_table('integration_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integration_locations_site_id'))
        batch_op.drop_index(batch_op.f('ix_integration_locations_integration_id'))

    op.drop_table('integration_locations')
    with op.batch_alter_table('chargers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chargers_site_id'))
        batch_op.drop_index(batch_op.f('ix_chargers_operator_id'))

    op.drop_table('chargers')
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariffs_operator_id'))

    op.drop_table('tariffs')
    with op.batch_alter_table('spot_prices', schema=None) as batch_op:
        batch_op.drop_index('ix_spot_prices_lookup')

    op.drop_table('spot_prices')
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sites_parent_site_id'))
        batch_op.drop_index(batch_op.f('ix_sites_operator_id'))

    op.drop_table('sites')
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrations_operator_id'))

    op.drop_table('integrations')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_operator_id'))

    op.drop_table('api_keys')
    op.drop_table('operators')

