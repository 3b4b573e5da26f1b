"""catalogue, records, KPIs and revisions

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 13:30:58.176881
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "issuer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source_document", sa.String(length=200), nullable=False),
        sa.Column("source_as_of", sa.String(length=100), nullable=False),
        sa.Column("source_title", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("channel_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_id", "name"),
    )
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_id", "number"),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_id", "name"),
    )
    op.create_table(
        "policy_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_id", "label"),
    )
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_id", "name"),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("project_cost", sa.BigInteger(), nullable=True),
        sa.Column("donation_amount", sa.BigInteger(), nullable=True),
        sa.Column("donation_count", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("evaluation", sa.Integer(), nullable=True),
        sa.Column("kpi_effective", sa.Boolean(), nullable=True),
        sa.Column("expert_opinion", sa.Text(), nullable=False),
        sa.Column(
            "expert_opinion_status",
            sa.Enum("draft", "final", name="review_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("policy_option_id", sa.Integer(), nullable=True),
        sa.Column("policy_reason", sa.Text(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.Column(
            "submission_status",
            sa.Enum("not_submitted", "draft", "submitted", name="submission_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["policy_option_id"],
            ["policy_option.id"],
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "fiscal_year"),
    )
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_fiscal_year"), ["fiscal_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_project_id"), ["project_id"], unique=False)

    op.create_table(
        "kpi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("target", store.models.ExactDecimal(precision=24, scale=6), nullable=True),
        sa.Column(
            "target_status",
            sa.Enum("known", "pending", name="kpi_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("actual", store.models.ExactDecimal(precision=24, scale=6), nullable=True),
        sa.Column(
            "actual_status",
            sa.Enum("known", "pending", name="kpi_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id", "position"),
    )
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_record_id"), ["record_id"], unique=False)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_revision_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_record_id"))
        batch_op.drop_index(batch_op.f("ix_revision_created_at"))

    op.drop_table("revision")
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_record_id"))

    op.drop_table("kpi")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_project_id"))
        batch_op.drop_index(batch_op.f("ix_record_fiscal_year"))
        batch_op.drop_index(batch_op.f("ix_record_department_id"))

    op.drop_table("record")
    op.drop_table("project")
    op.drop_table("policy_option")
    op.drop_table("plan")
    op.drop_table("goal")
    op.drop_table("department")
    op.drop_table("issuer")
    op.drop_table("catalogue_version")
