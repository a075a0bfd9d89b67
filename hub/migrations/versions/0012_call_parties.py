"""Everyone at the table: each party in a call has a name and an organisation, shown on every
screen; the call is recorded while every party agrees; a settled outcome becomes a
mediation agreement, which the parties confirm; a consumer who cannot come to a room joins
from afar by a one-time link (no kiosk then).

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
    """The party's name and organisation; the agreements; the consumer's link."""
    with op.batch_alter_table("call_peers") as peers:
        peers.add_column(sa.Column("name", sa.String(80), nullable=False, server_default=""))
        peers.add_column(
            sa.Column("organisation", sa.String(80), nullable=False, server_default="")
        )
        peers.add_column(
            sa.Column("consents", sa.Boolean, nullable=False, server_default=sa.true())
        )
    op.create_table(
        "call_recordings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "mediation_id",
            sa.String(32),
            sa.ForeignKey("mediations.id", name="fk_call_recordings_mediation"),
            nullable=False,
            index=True,
        ),
        sa.Column("case_number", sa.String(20), nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("made_at", UtcDateTime, nullable=False),
        sa.Column("file", sa.String(80), nullable=False),
    )
    with op.batch_alter_table("mediations") as mediations:
        mediations.alter_column("device_id", existing_type=sa.String(20), nullable=True)
        mediations.add_column(sa.Column("consumer_invite_hash", sa.String(64), nullable=True))
        mediations.add_column(
            sa.Column("consumer_invite_used", sa.Integer, nullable=False, server_default="0")
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
    op.drop_table("call_recordings")
    with op.batch_alter_table("mediations") as mediations:
        mediations.drop_column("consumer_invite_used")
        mediations.drop_column("consumer_invite_hash")
        mediations.alter_column("device_id", existing_type=sa.String(20), nullable=False)
    with op.batch_alter_table("call_peers") as peers:
        peers.drop_column("consents")
        peers.drop_column("organisation")
        peers.drop_column("name")
