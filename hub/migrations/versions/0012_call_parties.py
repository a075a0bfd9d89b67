"""Everyone at the table: each party in a call has a name and an organisation, shown on every
screen.

Revision ID: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The party's name and organisation."""
    with op.batch_alter_table("call_peers") as peers:
        peers.add_column(sa.Column("name", sa.String(80), nullable=False, server_default=""))
        peers.add_column(
            sa.Column("organisation", sa.String(80), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Without them."""
    with op.batch_alter_table("call_peers") as peers:
        peers.drop_column("organisation")
        peers.drop_column("name")
