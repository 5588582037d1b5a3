"""case levels: urgent or concern, the signals behind them, the waiting notice

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("signals", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("waiting_notice_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("raised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("raised_at")
        batch_op.drop_column("waiting_notice_at")
        batch_op.drop_column("signals")
        batch_op.drop_column("level")
