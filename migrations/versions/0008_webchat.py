"""web chat: the messages a web chat page shows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webchat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webchat_messages_conversation_id", "webchat_messages", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_webchat_messages_conversation_id", table_name="webchat_messages")
    op.drop_table("webchat_messages")
