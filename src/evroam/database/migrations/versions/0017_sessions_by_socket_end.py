"""the sessions at a socket by when they ended, for the statuses a charger reports

New index `ix_charging_sessions_socket_end` (charger_id, socket_id, end_date_time): which sessions a status
falls in (open, or ended after it) is read on every status. Without it, the read went through every
session the charger ever had: 9 ms at 4,000, growing with the charger's age.

Revision ID: 0017_sessions_by_socket_end
Revises: 0016_ocpp_processes
"""

from alembic import op

revision = '0017_sessions_by_socket_end'
down_revision = '0016_ocpp_processes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_charging_sessions_socket_end', 'charging_sessions',
                    ['charger_id', 'socket_id', 'end_date_time'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_charging_sessions_socket_end', table_name='charging_sessions')
