"""tokens, token pulls, token policies and authorization decisions

The eMSPs' tokens per integration (pushed to our Tokens Receiver or pulled from their Sender), the
pulls with where each got to, how the operator uses each integration's tokens, and the decisions taken
at the operator's chargers. New tables only: nothing existing changes.

Revision ID: 0009_tokens
Revises: 0008_publication_warnings
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base
from sqlalchemy.dialects import postgresql

revision = '0009_tokens'
down_revision = '0008_publication_warnings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner_tokens',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('party_id', sa.String(length=3), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('uid_key', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('contract_id', sa.String(length=36), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('whitelist', sa.String(length=16), nullable=False),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_updated', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('seen_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_partner_tokens_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_tokens'))
    )
    with op.batch_alter_table('partner_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_partner_tokens_uid_key', ['uid_key'], unique=False)
        batch_op.create_index('uq_partner_tokens_key', ['integration_id', 'country_code', 'party_id', 'uid_key', 'type'], unique=True)

    op.create_table('token_policies',
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('realtime_timeout_ms', sa.Integer(), nullable=False),
    sa.Column('realtime_fallback', sa.String(length=16), nullable=False),
    sa.Column('full_pull_every_hours', sa.Integer(), nullable=False),
    sa.Column('delta_pull_every_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_token_policies_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('integration_id', name=op.f('pk_token_policies'))
    )
    op.create_table('token_pulls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('requested_by', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('date_from', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_url', sa.Text(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('tokens_seen', sa.Integer(), nullable=False),
    sa.Column('tokens_invalidated', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('lease_until', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('started_at', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_token_pulls_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_token_pulls'))
    )
    with op.batch_alter_table('token_pulls', schema=None) as batch_op:
        batch_op.create_index('ix_token_pulls_integration_created', ['integration_id', 'created_at'], unique=False)
        batch_op.create_index('uq_token_pulls_open', ['integration_id'], unique=True, postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"), sqlite_where=sa.text("status IN ('QUEUED', 'RUNNING')"))

    op.create_table('authorizations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('authorization_reference', sa.String(length=36), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('socket_id', sa.Integer(), nullable=False),
    sa.Column('id_tag', sa.String(length=36), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=True),
    sa.Column('token', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('location_id', sa.String(length=36), nullable=True),
    sa.Column('evse_uid', sa.String(length=36), nullable=True),
    sa.Column('decided_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['charger_id'], ['chargers.charger_id'], name=op.f('fk_authorizations_charger_id_chargers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_authorizations_integration_id_integrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_authorizations_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorizations')),
    sa.UniqueConstraint('authorization_reference', name=op.f('uq_authorizations_authorization_reference'))
    )
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.create_index('ix_authorizations_charger_decided', ['charger_id', 'decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorizations_integration_id'), ['integration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorizations_operator_id'), ['operator_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorizations_operator_id'))
        batch_op.drop_index(batch_op.f('ix_authorizations_integration_id'))
        batch_op.drop_index('ix_authorizations_charger_decided')

    op.drop_table('authorizations')
    with op.batch_alter_table('token_pulls', schema=None) as batch_op:
        batch_op.drop_index('uq_token_pulls_open', postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"), sqlite_where=sa.text("status IN ('QUEUED', 'RUNNING')"))
        batch_op.drop_index('ix_token_pulls_integration_created')

    op.drop_table('token_pulls')
    op.drop_table('token_policies')
    with op.batch_alter_table('partner_tokens', schema=None) as batch_op:
        batch_op.drop_index('uq_partner_tokens_key')
        batch_op.drop_index('ix_partner_tokens_uid_key')

    op.drop_table('partner_tokens')
