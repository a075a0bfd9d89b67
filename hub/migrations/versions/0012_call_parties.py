"""Everyone at the table: each party in a call has a name and an organisation, shown on every
screen; a settled outcome becomes a mediation agreement, which the parties confirm.

Revision ID: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The party's name and organisation; the agreements."""
    with op.batch_alter_table("call_peers") as peers:
        peers.add_column(sa.Column("name", sa.String(80), nullable=False, server_default=""))
        peers.add_column(
            sa.Column("organisation", sa.String(80), nullable=False, server_default="")
        )
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "mediation_id",
            sa.String(32),
            sa.ForeignKey("mediations.id", name="fk_agreements_mediation"),
            nullable=False,
            unique=True,
        ),
        sa.Column("case_number", sa.String(20), nullable=False, index=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("made_at", UtcDateTime, nullable=False),
        sa.Column("consumer_confirmed_at", UtcDateTime, nullable=True),
        sa.Column("merchant_confirmed_at", UtcDateTime, nullable=True),
    )


def downgrade() -> None:
    """Without them."""
    op.drop_table("agreements")
    with op.batch_alter_table("call_peers") as peers:
        peers.drop_column("organisation")
        peers.drop_column("name")
