"""commands partners send to chargers, the reservations they make, and the outbox's RESULT rows

New tables `commands` (charging profile requests among them) and `reservations`; the outbox gains `target_url` and `addressee` (the RESULT
delivery kind: a command's result POSTed to the URL the partner gave).

Revision ID: 0014_commands
Revises: 0013_outbox_posted_once
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base
from sqlalchemy.dialects import postgresql

revision = '0014_commands'
down_revision = '0013_outbox_posted_once'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_TIME = evroam.database.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('commands',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ocpi_version', sa.String(length=8), nullable=False),
    sa.Column('response_url', sa.Text(), nullable=False),
    sa.Column('requester_country_code', sa.String(length=2), nullable=True),
    sa.Column('requester_party_id', sa.String(length=3), nullable=True),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('socket_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.String(length=36), nullable=True),
    sa.Column('evse_uid', sa.String(length=36), nullable=True),
    sa.Column('connector_id', sa.String(length=36), nullable=True),
    sa.Column('token', _JSON, nullable=True),
    sa.Column('id_tag', sa.String(length=36), nullable=True),
    sa.Column('authorization_reference', sa.String(length=36), nullable=True),
    sa.Column('details', _JSON, nullable=True),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('transaction_id', sa.String(length=64), nullable=True),
    sa.Column('reservation_id', sa.Integer(), nullable=True),
    sa.Column('expiry_date', _TIME, nullable=True),
    sa.Column('created_at', _TIME, nullable=False),
    sa.Column('deadline', _TIME, nullable=False),
    sa.Column('answered_at', _TIME, nullable=True),
    sa.Column('result', sa.String(length=24), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_commands_status_deadline', 'commands', ['status', 'deadline'], unique=False)
    op.create_index('ix_commands_charger_created', 'commands', ['charger_id', 'created_at'], unique=False)
    op.create_index('ix_commands_operator_created', 'commands', ['operator_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_commands_integration_id'), 'commands', ['integration_id'], unique=False)
    op.create_table('reservations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('partner_reservation_id', sa.String(length=36), nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('socket_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('evse_uid', sa.String(length=36), nullable=False),
    sa.Column('id_tag', sa.String(length=36), nullable=False),
    sa.Column('expiry_date', _TIME, nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', _TIME, nullable=False),
    sa.Column('last_updated', _TIME, nullable=False),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('integration_id', 'partner_reservation_id', name=op.f('uq_reservations_integration_id_partner_reservation_id'))
    )
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_url', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('addressee', sa.String(length=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.drop_column('addressee')
        batch_op.drop_column('target_url')
    op.drop_table('reservations')
    op.drop_index(op.f('ix_commands_integration_id'), table_name='commands')
    op.drop_index('ix_commands_operator_created', table_name='commands')
    op.drop_index('ix_commands_charger_created', table_name='commands')
    op.drop_index('ix_commands_status_deadline', table_name='commands')
    op.drop_table('commands')
