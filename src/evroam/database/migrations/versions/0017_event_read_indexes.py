"""indexes for the two reads of every charger event that went through a charger's whole history

New index `ix_charging_sessions_socket_end` (charger_id, socket_id, end_date_time): which sessions a status
falls in (open, or ended after it) is read on every status; it went through every session the charger
ever had (9 ms at 4,000, growing with the charger's age).

New index `ix_authorizations_socket_tag` (charger_id, socket_id, id_tag, decided_at): the latest decision
for a session's idTag at its socket is read on every event of the session; for a session no decision let
in (free vending) it went through every decision ever taken at the charger (2.7 ms at 20,000).

Revision ID: 0017_event_read_indexes
Revises: 0016_ocpp_processes
"""

from alembic import op

revision = '0017_event_read_indexes'
down_revision = '0016_ocpp_processes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_charging_sessions_socket_end', 'charging_sessions',
                    ['charger_id', 'socket_id', 'end_date_time'], unique=False)
    op.create_index('ix_authorizations_socket_tag', 'authorizations',
                    ['charger_id', 'socket_id', 'id_tag', 'decided_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_authorizations_socket_tag', table_name='authorizations')
    op.drop_index('ix_charging_sessions_socket_end', table_name='charging_sessions')
