"""token pulls count the tokens they skipped

A page of the partner's token list may hold a token that is not valid OCPI; the pull skips it (the rest
of the page is stored) and says how many it skipped and why the first one was refused.

Revision ID: 0010_pulls
Revises: 0009_tokens
"""

from alembic import op
import sqlalchemy as sa

revision = '0010_pulls'
down_revision = '0009_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('token_pulls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tokens_skipped', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('skipped_problem', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('token_pulls', schema=None) as batch_op:
        batch_op.drop_column('skipped_problem')
        batch_op.drop_column('tokens_skipped')
