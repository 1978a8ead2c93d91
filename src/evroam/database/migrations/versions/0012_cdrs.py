"""cdrs

The CDRs evroam issues at the end of sessions, their credits and corrections. A new table only.

Revision ID: 0012_cdrs
Revises: 0010_pulls
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base
from sqlalchemy.dialects import postgresql

revision = '0012_cdrs'
down_revision = '0011_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cdrs',
    sa.Column('id', sa.String(length=39), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('credit', sa.Boolean(), nullable=False),
    sa.Column('credit_reference_id', sa.String(length=39), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('start_date_time', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('end_date_time', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('total_energy', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('total_cost_excl_vat', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('total_cost_incl_vat', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_updated', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_cdrs_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdrs')),
    sa.UniqueConstraint('credit_reference_id', name=op.f('uq_cdrs_credit_reference_id')),
    sa.UniqueConstraint('operator_id', 'session_id', 'revision', 'credit', name=op.f('uq_cdrs_operator_id_session_id_revision_credit'))
    )
    with op.batch_alter_table('cdrs', schema=None) as batch_op:
        batch_op.create_index('ix_cdrs_operator_start', ['operator_id', 'start_date_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_cdrs_charger_id'), ['charger_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cdrs_integration_id'), ['integration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cdrs_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cdrs_site_id'), ['site_id'], unique=False)


def downgrade() -> None:
    op.drop_table('cdrs')
