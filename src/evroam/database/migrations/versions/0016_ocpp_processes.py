"""the processes holding chargers' WebSockets, so the connections of one that died are swept as closed

New table `ocpp_processes` (each process's last sign of life); new column `ocpp_connections.process_id`
(the process holding the connection; null for connections opened before this revision, which the sweep
treats as held by a process that is gone).

Revision ID: 0016_ocpp_processes
Revises: 0015_ocpp_gateway
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base

revision = '0016_ocpp_processes'
down_revision = '0015_ocpp_gateway'
branch_labels = None
depends_on = None

_TIME = evroam.database.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('ocpp_processes',
    sa.Column('process_id', sa.String(length=36), nullable=False),
    sa.Column('seen_at', _TIME, nullable=False),
    sa.PrimaryKeyConstraint('process_id', name=op.f('pk_ocpp_processes')),
    )
    # In place: a nullable column needs no table rebuild on SQLite.
    op.add_column('ocpp_connections', sa.Column('process_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    # In place, as 0015's downgrade: SQLite drops a column since 3.35.
    op.drop_column('ocpp_connections', 'process_id')
    op.drop_table('ocpp_processes')
