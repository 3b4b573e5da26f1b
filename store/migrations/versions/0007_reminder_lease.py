"""a lease on each reminder claim, renewed while its holder waits

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", store.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminder_claim", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
