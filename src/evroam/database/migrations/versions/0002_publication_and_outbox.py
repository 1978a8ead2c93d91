"""publication ledger and outbox

The OCPI documents each integration sees (published_documents, published_chargers) and the pushes
waiting for delivery (outbox_deliveries).

Revision ID: 0002_publication_and_outbox
Revises: 0001_initial
"""

from alembic import op
import sqlalchemy as sa
import evroam.database.base


revision = '0002_publication_and_outbox'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('module', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.String(length=36), nullable=False),
    sa.Column('method', sa.String(length=6), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('leased_by', sa.String(length=36), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_http_status', sa.Integer(), nullable=True),
    sa.Column('created_at', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', evroam.database.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_outbox_deliveries_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_deliveries'))
    )
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_deliveries_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_deliveries_object', ['integration_id', 'module', 'object_id', 'id'], unique=False)

    op.create_table('published_chargers',
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('charger_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_published_chargers_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('integration_id', 'location_id', 'charger_id', name=op.f('pk_published_chargers'))
    )
    with op.batch_alter_table('published_chargers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_chargers_charger_id'), ['charger_id'], unique=False)

    op.create_table('published_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.String(length=36), nullable=False),
    sa.Column('module', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.String(length=8), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('last_updated', evroam.database.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.integration_id'], name=op.f('fk_published_documents_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_documents')),
    sa.UniqueConstraint('integration_id', 'module', 'object_id', name=op.f('uq_published_documents_integration_id_module_object_id'))
    )
    with op.batch_alter_table('published_documents', schema=None) as batch_op:
        batch_op.create_index('ix_published_documents_last_updated', ['integration_id', 'module', 'last_updated'], unique=False)
        batch_op.create_index('ix_published_documents_order', ['integration_id', 'module', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('published_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_published_documents_order')
        batch_op.drop_index('ix_published_documents_last_updated')

    op.drop_table('published_documents')
    with op.batch_alter_table('published_chargers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_chargers_charger_id'))

    op.drop_table('published_chargers')
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_deliveries_object')
        batch_op.drop_index('ix_outbox_deliveries_due')

    op.drop_table('outbox_deliveries')
