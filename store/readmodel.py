"""Read-only views of records for answering, loaded with two Core queries instead of the ORM.

Answering is the hot path (a burst of mentions must each be answered in milliseconds); ORM
identity-map and relationship loading cost several milliseconds per record here. These views
carry the same attribute names as the ORM objects (``record.project.name``, ``record.kpis`` …),
so the answer wording works on either.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from store.models import (
    Department,
    Goal,
    Issuer,
    Kpi,
    KpiStatus,
    PolicyOption,
    Project,
    Record,
    ReviewStatus,
    SubmissionStatus,
)


@dataclass(frozen=True)
class IssuerRef:
    id: int
    name: str
    source_document: str
    source_as_of: str
    source_title: str
    evaluation_options: list[str] | None = None  # the issuer's wording of 事業の評価 (None: national)
    kpi_effective_options: list[str] | None = None  # and of KPI達成への有効性 (effective, not)


@dataclass(frozen=True)
class ProjectRef:
    id: int
    name: str
    issuer: IssuerRef


@dataclass(frozen=True)
class GoalRef:
    number: int
    label: str


@dataclass(frozen=True)
class DepartmentRef:
    id: int
    name: str


@dataclass(frozen=True)
class PolicyRef:
    code: str
    label: str

    @property
    def display(self) -> str:
        return f"{self.code}{self.label}"


@dataclass(frozen=True)
class KpiView:
    position: int
    name: str
    unit: str
    target: Decimal | None
    target_status: KpiStatus
    actual: Decimal | None
    actual_status: KpiStatus


@dataclass
class RecordView:
    id: int
    project_id: int
    fiscal_year: int
    project: ProjectRef
    goal: GoalRef | None
    department: DepartmentRef | None
    policy_option: PolicyRef | None
    project_cost: int | None
    donation_amount: int | None
    donation_count: int | None
    result: str
    evaluation: int | None
    kpi_effective: bool | None
    expert_opinion: str
    expert_opinion_status: ReviewStatus
    policy_reason: str
    reflection: str
    submission_status: SubmissionStatus
    version: int
    updated_at: datetime
    updated_by: str
    source_id: int | None = None  # provenance (store.models.Record): the imported document
    value_sources: dict[str, int] | None = None  # fields saved in kensho since: field -> Source id
    public_values: dict[str, Any] | None = None  # while a 下書き is pending: what others see
    kpis: list[KpiView] = field(default_factory=list)


_COLUMNS = (
    Record.id,
    Record.project_id,
    Record.fiscal_year,
    Record.project_cost,
    Record.donation_amount,
    Record.donation_count,
    Record.result,
    Record.evaluation,
    Record.kpi_effective,
    Record.expert_opinion,
    Record.expert_opinion_status,
    Record.policy_reason,
    Record.reflection,
    Record.submission_status,
    Record.version,
    Record.updated_at,
    Record.updated_by,
    Record.source_id,
    Record.value_sources,
    Record.public_values,
    Project.name,
    Issuer.id,
    Issuer.name,
    Issuer.source_document,
    Issuer.source_as_of,
    Issuer.source_title,
    Issuer.evaluation_options,
    Issuer.kpi_effective_options,
    Goal.number,
    Goal.label,
    Department.id,
    Department.name,
    PolicyOption.code,
    PolicyOption.label,
)


@lru_cache(maxsize=1)
def view_select() -> Select:  # type: ignore[type-arg]
    """SELECT of everything a RecordView needs; add WHERE/ORDER BY/LIMIT and pass to ``load_views``.

    Built once: statements are immutable, and building this one costs more than running it.
    """
    return (
        select(*_COLUMNS)
        .select_from(Record)
        .join(Project, Record.project_id == Project.id)
        .join(Issuer, Project.issuer_id == Issuer.id)
        .outerjoin(Goal, Record.goal_id == Goal.id)
        .outerjoin(Department, Record.department_id == Department.id)
        .outerjoin(PolicyOption, Record.policy_option_id == PolicyOption.id)
    )


# The KPIs of a set of records; built once, so that SQLAlchemy neither rebuilds nor re-keys it.
_KPIS_OF = (
    select(
        Kpi.record_id,
        Kpi.position,
        Kpi.name,
        Kpi.unit,
        Kpi.target,
        Kpi.target_status,
        Kpi.actual,
        Kpi.actual_status,
    )
    .where(Kpi.record_id.in_(bindparam("record_ids", expanding=True)))
    .order_by(Kpi.record_id, Kpi.position)
)


def load_views(session: Session, stmt: Select, params: dict[str, Any] | None = None) -> list[RecordView]:  # type: ignore[type-arg]
    """Run ``stmt`` (``view_select()`` plus conditions) and attach each record's KPIs.

    Executed on the session's connection: these are Core statements, and the ORM layer around
    ``Session.execute`` would cost as much as the query itself. Hot statements are built once with
    bind parameters (``params``) so that their compiled form is reused as is."""
    conn = session.connection()
    views: list[RecordView] = []
    for row in conn.execute(stmt, params or {}):
        (
            rid,
            pid,
            year,
            cost,
            amount,
            count,
            result,
            evaluation,
            effective,
            opinion,
            opinion_status,
            reason,
            reflection,
            status,
            version,
            updated_at,
            updated_by,
            source_id,
            value_sources,
            public_values,
            pname,
            iid,
            iname,
            idoc,
            iasof,
            ititle,
            ievaluation,
            ieffective,
            gnum,
            glabel,
            did,
            dname,
            pcode,
            plabel,
        ) = row
        issuer = IssuerRef(iid, iname, idoc, iasof, ititle, ievaluation, ieffective)
        views.append(
            RecordView(
                id=rid,
                project_id=pid,
                fiscal_year=year,
                project=ProjectRef(pid, pname, issuer),
                goal=GoalRef(gnum, glabel) if gnum is not None else None,
                department=DepartmentRef(did, dname) if did is not None else None,
                policy_option=PolicyRef(pcode, plabel) if plabel is not None else None,
                project_cost=cost,
                donation_amount=amount,
                donation_count=count,
                result=result,
                evaluation=evaluation,
                kpi_effective=effective,
                expert_opinion=opinion,
                expert_opinion_status=opinion_status,
                policy_reason=reason,
                reflection=reflection,
                submission_status=status,
                version=version,
                updated_at=updated_at,
                updated_by=updated_by,
                source_id=source_id,
                value_sources=value_sources,
                public_values=public_values,
            )
        )
    if views:
        by_record: dict[int, list[KpiView]] = defaultdict(list)
        for record_id, *values in conn.execute(_KPIS_OF, {"record_ids": [v.id for v in views]}):
            by_record[record_id].append(KpiView(*values))
        for view in views:
            view.kpis = by_record.get(view.id, [])
    return views
