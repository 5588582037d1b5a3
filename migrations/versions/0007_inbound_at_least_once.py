"""inbound at least once: a delivery's payload kept until it is processed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True))
    # Everything received before this revision was handled (or is past saving).
    op.execute("update processed_deliveries set processed_at = received_at")


def downgrade() -> None:
    with op.batch_alter_table("processed_deliveries", schema=None) as batch_op:
        batch_op.drop_column("processed_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("payload")
        batch_op.drop_column("conversation_id")
