"""publication warnings

What each published document could not carry of the operator's data in its OCPI version (a text cut to
the version's limit, a connector left out), kept with the document so that the management API can show
it on the published location. Existing rows start with none; the next recomputation of each object
fills them.

Revision ID: 0008_publication_warnings
Revises: 0007_one_location_per_site
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0008_publication_warnings'
down_revision = '0007_one_location_per_site'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('published_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'warnings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False, server_default='[]',
        ))


def downgrade() -> None:
    with op.batch_alter_table('published_documents', schema=None) as batch_op:
        batch_op.drop_column('warnings')
