"""the OCPP 1.6J gateway: chargers' hashed OCPP passwords, the transaction ids handed out, the connections

New column `chargers.ocpp_password_hash`; new tables `ocpp_transactions` (its key is OCPP's transactionId)
and `ocpp_connections` (the WebSocket holding each charger).

Revision ID: 0015_ocpp_gateway
Revises: 0014_commands
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base

revision = '0015_ocpp_gateway'
down_revision = '0014_commands'
branch_labels = None
depends_on = None

_TIME = evroam.database.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('chargers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ocpp_password_hash', sa.String(length=64), nullable=True))
    op.create_table('ocpp_transactions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.Column('id_tag', sa.String(length=36), nullable=False),
    sa.Column('started_at', _TIME, nullable=False),
    sa.Column('meter_start_wh', sa.Numeric(precision=16, scale=3), nullable=False),
    sa.Column('id_tag_status', sa.String(length=16), nullable=False),
    sa.Column('interval_energy_wh', sa.Numeric(precision=16, scale=3), nullable=False),
    sa.Column('interval_through', _TIME, nullable=True),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_ocpp_transactions_charger_id_chargers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ocpp_transactions')),
    sa.UniqueConstraint('charger_id', 'connector_id', 'started_at', name=op.f('uq_ocpp_transactions_charger_id_connector_id_started_at')),
    sqlite_autoincrement=True,
    )
    op.create_table('ocpp_connections',
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('connection_id', sa.String(length=36), nullable=False),
    sa.Column('connected_at', _TIME, nullable=False),
    sa.Column('disconnected_at', _TIME, nullable=True),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_ocpp_connections_charger_id_chargers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('charger_id', name=op.f('pk_ocpp_connections')),
    )


def downgrade() -> None:
    op.drop_table('ocpp_connections')
    op.drop_table('ocpp_transactions')
    # In place, not in batch: batch rebuilds `chargers` on SQLite, and dropping the old table there cascades
    # to every row that references a charger (sockets, sessions, events). SQLite drops a column since 3.35.
    op.drop_column('chargers', 'ocpp_password_hash')
