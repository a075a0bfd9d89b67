"""Indexes that answer the studio's figures and searches from the index alone.

The figures of a city over a year read nearly every case: from a covering index they read a
few megabytes instead of the whole table with its bodies. A search by name or merchant counts
its matches the same way. (`INCLUDE` is PostgreSQL's; SQLite keeps the plain index.)

Revision ID: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: name -> (key columns, columns carried along)
INDEXES = {
    "ix_complaints_figures_received": (
        ["bureau_id", "received_at"],
        ["status", "accepted_at", "finished_at", "ended_as"],
    ),
    "ix_complaints_figures_finished": (
        ["bureau_id", "finished_at"],
        ["ended_as", "recovered_fen", "rating"],
    ),
    "ix_complaints_merchant_bureau": (["merchant_name", "bureau_id"], ["id"]),
    "ix_complaints_name_bureau": (["complainant_name", "bureau_id"], ["id"]),
}
#: What they replace (the same keys' first columns).
REPLACED = {
    "ix_complaints_bureau_received": ["bureau_id", "received_at"],
    "ix_complaints_merchant_name": ["merchant_name"],
    "ix_complaints_complainant_name": ["complainant_name"],
}


def upgrade() -> None:
    """Create the covering indexes, then drop the ones they make redundant."""
    for name, (columns, carried) in INDEXES.items():
        op.create_index(name, "complaints", columns, postgresql_include=carried)
    for name in REPLACED:
        op.drop_index(name, "complaints")


def downgrade() -> None:
    """The indexes of 0010 again."""
    for name, columns in REPLACED.items():
        op.create_index(name, "complaints", columns)
    for name in INDEXES:
        op.drop_index(name, "complaints")
