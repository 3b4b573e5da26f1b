"""members, administrators and settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:51:30.523060
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin",
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("added_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("added_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "department_id"),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_member_department_id"))

    op.drop_table("member")
    op.drop_table("setting")
    op.drop_table("admin")
