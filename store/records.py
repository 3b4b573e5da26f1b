"""Writing validated rows into the catalogue, with a revision for every change.

The importer, the bundled data and (later) the CLI and the modal all write through here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from store import values
from store.db import Database
from store.models import (
    CatalogueVersion,
    Issuer,
    Kpi,
    KpiStatus,
    Record,
    ReviewStatus,
    Revision,
    utcnow,
)

# Field keys of a record as stored in revisions, with the column name people know them by.
FIELD_LABELS: dict[str, str] = {
    "goal": "基本目標",
    "department": "担当課",
    "project_cost": "事業費（千円）",
    "donation_amount": "寄附額（千円）",
    "donation_count": "寄附件数（件）",
    "result": "事業内容（実施結果）",
    "kpis": "KPI",
    "evaluation": "事業の評価",
    "kpi_effective": "KPI達成への有効性",
    "expert_opinion": "外部有識者からの意見",
    "expert_opinion_status": "外部有識者からの意見の状態",
    "policy": "今後の方針",
    "policy_reason": "今後の方針の理由",
    "reflection": "事業実施後の振り返り・今後の方針等",
    "submission_status": "提出状況",
    "record": "レコード",
}


class RowProblem(Exception):
    """A problem with one group of rows that only shows against the database (e.g. unknown 今後の方針)."""

    def __init__(self, row: int, column: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.row, self.column, self.value, self.message = row, column, value, message


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def kpi_value_text(value: Decimal | None, status: KpiStatus) -> str:
    if status == KpiStatus.PENDING:
        return "集計中"
    return "" if value is None else values.format_decimal(value)


def kpis_text(kpis: Iterable[Kpi]) -> str:
    return "\n".join(
        f"{k.name}（{k.unit}） 目標 {kpi_value_text(k.target, k.target_status)} / "
        f"実績 {kpi_value_text(k.actual, k.actual_status)}"
        for k in kpis
    )


def snapshot_of(
    *,
    goal: str,
    department: str,
    project_cost: int | None,
    donation_amount: int | None,
    donation_count: int | None,
    result: str,
    kpis: Iterable[Any],
    evaluation: int | None,
    kpi_effective: bool | None,
    expert_opinion: str,
    expert_opinion_status: ReviewStatus,
    policy: str,
    policy_reason: str,
    reflection: str,
    submission_status: Any,
) -> dict[str, str]:
    """Every user-visible field of a record as text, for comparison and for revisions."""
    return {
        "goal": goal,
        "department": department,
        "project_cost": "" if project_cost is None else str(project_cost),
        "donation_amount": "" if donation_amount is None else str(donation_amount),
        "donation_count": "" if donation_count is None else str(donation_count),
        "result": result,
        "kpis": kpis_text(kpis),
        "evaluation": "" if evaluation is None else str(evaluation),
        "kpi_effective": "" if kpi_effective is None else str(kpi_effective).lower(),
        "expert_opinion": expert_opinion,
        "expert_opinion_status": ReviewStatus(expert_opinion_status).value,
        "policy": policy,
        "policy_reason": policy_reason,
        "reflection": reflection,
        "submission_status": str(getattr(submission_status, "value", submission_status)),
    }


def record_snapshot(record: Record) -> dict[str, str]:
    """``snapshot_of`` an ORM record."""
    return snapshot_of(
        goal=record.goal.label if record.goal else "",
        department=record.department.name if record.department else "",
        project_cost=record.project_cost,
        donation_amount=record.donation_amount,
        donation_count=record.donation_count,
        result=record.result,
        kpis=record.kpis,
        evaluation=record.evaluation,
        kpi_effective=record.kpi_effective,
        expert_opinion=record.expert_opinion,
        expert_opinion_status=record.expert_opinion_status,
        policy=record.policy_option.display if record.policy_option else "",
        policy_reason=record.policy_reason,
        reflection=record.reflection,
        submission_status=record.submission_status,
    )


# Everything a record shows, loaded with it (importer, self-evaluation, export).
RECORD_DETAILS = (
    selectinload(Record.project),
    selectinload(Record.kpis),
    selectinload(Record.goal),
    selectinload(Record.department),
    selectinload(Record.policy_option),
)


def bump_catalogue_version(session: Session) -> None:
    row = session.get(CatalogueVersion, 1)
    if row is None:
        session.add(CatalogueVersion(id=1, version=1))
    else:
        session.execute(update(CatalogueVersion).where(CatalogueVersion.id == 1).values(version=row.version + 1))


_VERSION = select(CatalogueVersion.version).where(CatalogueVersion.id == 1)  # built once: asked per question
# Row 1 counts changes to names (projects, departments, goals, years); row 2 changes to the texts of
# records only (a saved self-evaluation), which the bot refreshes in place without rebuilding its index.
TEXTS_ROW = 2
_VERSIONS = select(CatalogueVersion.id, CatalogueVersion.version).where(CatalogueVersion.id.in_((1, TEXTS_ROW)))


def bump_texts_version(session: Session) -> None:
    row = session.get(CatalogueVersion, TEXTS_ROW)
    if row is None:
        session.add(CatalogueVersion(id=TEXTS_ROW, version=1))
    else:
        session.execute(
            update(CatalogueVersion).where(CatalogueVersion.id == TEXTS_ROW).values(version=row.version + 1)
        )


def current_versions(db: Database) -> tuple[int, int]:
    """(names version, texts version) in one Core query (asked before every question)."""
    with db.engine.connect() as conn:
        found = dict(conn.execute(_VERSIONS).all())
    return int(found.get(1, 0)), int(found.get(TEXTS_ROW, 0))


def current_catalogue_version(db: Database) -> int:
    """The catalogue version in one Core query (asked before every question)."""
    with db.engine.connect() as conn:
        return int(conn.scalar(_VERSION) or 0)


def catalogue_version(session: Session) -> int:
    row = session.get(CatalogueVersion, 1)
    return row.version if row else 0


def key_of(text: str) -> str:
    """The matching key of a name: NFKC without spaces (ｅスポーツ課 is eスポーツ課)."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")


def write_revisions(
    session: Session, record: Record, before: dict[str, str], actor: str, source: str
) -> list[Revision]:
    after = record_snapshot(record)
    now = utcnow()
    revisions = [
        Revision(
            record_id=record.id,
            field=key,
            old_value=before.get(key),
            new_value=after[key],
            actor=actor,
            source=source,
            created_at=now,
            record_version=record.version,  # flushed: the version this save made
        )
        for key in after
        if before.get(key, "") != after[key]
    ]
    session.add_all(revisions)
    return revisions


def get_or_create_issuer(session: Session, name: str, **source: str) -> Issuer:
    issuer = session.scalar(select(Issuer).where(Issuer.name == name))
    if issuer is None:
        issuer = Issuer(name=name, **source)
        session.add(issuer)
        session.flush()
    return issuer
