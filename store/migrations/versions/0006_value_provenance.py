"""where each value comes from: imported documents and kensho updates

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:10:00

Existing records are attributed to their issuer's document (issuer.source_document, source_as_of);
fields last changed through the Slack form (revisions from ``modal``) to a kensho update made of
the latest such revision of the record.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VALUE_FIELDS = {
    "result",
    "kpis",
    "evaluation",
    "kpi_effective",
    "policy",
    "policy_reason",
    "reflection",
}


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("document", "update", name="source_kind", native_enum=False, length=20)),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("as_of", sa.String(length=100), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_source_issuer_id", "source", ["issuer_id"])
    # Plain ADD COLUMN, never a batch "move and copy" of record: on SQLite dropping the old table would
    # delete its KPIs and revisions (ON DELETE CASCADE). SQLite gets the column without the foreign key.
    op.add_column("record", sa.Column("source_id", sa.Integer(), nullable=True))
    op.add_column("record", sa.Column("value_sources", sa.JSON(), nullable=True))
    op.add_column("record", sa.Column("public_values", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key("fk_record_source_id", "record", "source", ["source_id"], ["id"], ondelete="SET NULL")
    op.create_index("ix_record_source_id", "record", ["source_id"])
    _attribute_existing_records()


def _attribute_existing_records() -> None:
    conn = op.get_bind()
    now = store.models.utcnow()
    meta = sa.MetaData()
    source = sa.Table("source", meta, autoload_with=conn)
    issuer = sa.table("issuer", sa.column("id"), sa.column("source_document"), sa.column("source_as_of"))
    project = sa.table("project", sa.column("id"), sa.column("issuer_id"))
    record = sa.table(
        "record",
        sa.column("id"),
        sa.column("project_id"),
        sa.column("department_id"),
        sa.column("submission_status"),
        sa.column("source_id"),
        sa.column("value_sources", sa.JSON),
    )
    department = sa.table("department", sa.column("id"), sa.column("name"))
    revision_t = sa.table(
        "revision",
        sa.column("record_id"),
        sa.column("field"),
        sa.column("actor"),
        sa.column("source"),
        sa.column("created_at", store.models.UTCDateTime),
    )
    for iid, document, as_of in conn.execute(sa.select(issuer.c.id, issuer.c.source_document, issuer.c.source_as_of)):
        sid = conn.execute(
            sa.insert(source)
            .values(
                issuer_id=iid,
                kind="document",
                title=document or "",
                as_of=as_of or "",
                created_at=now,
                actor="",
                department="",
                status="",
            )
            .returning(source.c.id)
        ).scalar_one()
        conn.execute(
            sa.update(record)
            .where(record.c.project_id.in_(sa.select(project.c.id).where(project.c.issuer_id == iid)))
            .values(source_id=sid)
        )
    modal = conn.execute(
        sa.select(
            revision_t.c.record_id,
            revision_t.c.field,
            revision_t.c.actor,
            revision_t.c.created_at,
            project.c.issuer_id,
            department.c.name,
            record.c.submission_status,
        )
        .join(record, record.c.id == revision_t.c.record_id)
        .join(project, project.c.id == record.c.project_id)
        .outerjoin(department, department.c.id == record.c.department_id)
        .where(revision_t.c.source == "modal")
        .order_by(revision_t.c.record_id, revision_t.c.created_at)
    ).all()
    latest: dict[int, tuple] = {}  # type: ignore[type-arg]
    fields: dict[int, set[str]] = {}
    for rid, field, actor, at, iid, dept, status in modal:
        latest[rid] = (actor, at, iid, dept, status)
        if field in VALUE_FIELDS:
            fields.setdefault(rid, set()).add(field)
    for rid, (actor, at, iid, dept, status) in latest.items():
        if not fields.get(rid):
            continue
        sid = conn.execute(
            sa.insert(source)
            .values(
                issuer_id=iid,
                kind="update",
                title="",
                as_of="",
                created_at=at,
                actor=actor or "",
                department=dept or "",
                status="submitted" if status == "submitted" else "draft",
            )
            .returning(source.c.id)
        ).scalar_one()
        conn.execute(
            sa.update(record).where(record.c.id == rid).values(value_sources={f: sid for f in sorted(fields[rid])})
        )


def downgrade() -> None:
    op.drop_index("ix_record_source_id", table_name="record")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_record_source_id", "record", type_="foreignkey")
    for column in ("public_values", "value_sources", "source_id"):
        op.drop_column("record", column)  # SQLite ≥ 3.35 drops a column in place
    op.drop_index("ix_source_issuer_id", table_name="source")
    op.drop_table("source")
