"""charger events and charging sessions

The events chargers report (status, session start, meter values, session stop), stored once per
(charger, eventId), and the charging sessions rebuilt from them with their OCPI Session document. New
tables only: nothing existing changes.

Revision ID: 0011_sessions
Revises: 0010_pulls
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base
from sqlalchemy.dialects import postgresql

revision = '0011_sessions'
down_revision = '0010_pulls'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('charger_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('time', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('socket_id', sa.Integer(), nullable=True),
    sa.Column('transaction_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('received_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_charger_events_charger_id_chargers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charger_events')),
    sa.UniqueConstraint('charger_id', 'event_id', name=op.f('uq_charger_events_charger_id_event_id'))
    )
    with op.batch_alter_table('charger_events', schema=None) as batch_op:
        batch_op.create_index('ix_charger_events_socket', ['charger_id', 'socket_id', 'time'], unique=False)
        batch_op.create_index('ix_charger_events_transaction', ['charger_id', 'transaction_id', 'time'], unique=False)

    op.create_table('charging_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('transaction_id', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('socket_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('timed_out', sa.Boolean(), nullable=False),
    sa.Column('id_tag', sa.String(length=36), nullable=True),
    sa.Column('authorization_reference', sa.String(length=36), nullable=True),
    sa.Column('integration_id', sa.String(length=36), nullable=True),
    sa.Column('auth_method', sa.String(length=16), nullable=True),
    sa.Column('start_date_time', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('end_date_time', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('meter_start_wh', sa.Numeric(precision=16, scale=6), nullable=True),
    sa.Column('meter_stop_wh', sa.Numeric(precision=16, scale=6), nullable=True),
    sa.Column('kwh', sa.Numeric(precision=16, scale=6), nullable=False),
    sa.Column('stop_reason', sa.String(length=32), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('tariff_id', sa.String(length=36), nullable=True),
    sa.Column('tariff', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('costs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('total_cost_excl_vat', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('total_cost_incl_vat', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_updated', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_charging_sessions_charger_id_chargers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_charging_sessions_integration_id_integrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_charging_sessions_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charging_sessions')),
    sa.UniqueConstraint('charger_id', 'transaction_id', name=op.f('uq_charging_sessions_charger_id_transaction_id'))
    )
    with op.batch_alter_table('charging_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charging_sessions_integration_id'), ['integration_id'], unique=False)
        batch_op.create_index('ix_charging_sessions_operator_start', ['operator_id', 'start_date_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_charging_sessions_site_id'), ['site_id'], unique=False)
        batch_op.create_index('ix_charging_sessions_status', ['status', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('charging_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_charging_sessions_status')
        batch_op.drop_index(batch_op.f('ix_charging_sessions_site_id'))
        batch_op.drop_index('ix_charging_sessions_operator_start')
        batch_op.drop_index(batch_op.f('ix_charging_sessions_integration_id'))

    op.drop_table('charging_sessions')
    with op.batch_alter_table('charger_events', schema=None) as batch_op:
        batch_op.drop_index('ix_charger_events_transaction')
        batch_op.drop_index('ix_charger_events_socket')

    op.drop_table('charger_events')
