"""committees and reminder claims

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:00:25.220010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("deadline", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "reminder_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=60), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("claimed_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=False),
        sa.Column("sent_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=40), nullable=True),
        sa.Column("failed", sa.String(length=200), nullable=True),
        sa.Column("recovering_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["committee_id"], ["committee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("committee_id", "recipient", "slot"),
    )
    with op.batch_alter_table("reminder_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_claim_committee_id"), ["committee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_claim_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_claim_sent_at"))
        batch_op.drop_index(batch_op.f("ix_reminder_claim_committee_id"))

    op.drop_table("reminder_claim")
    op.drop_table("committee")
