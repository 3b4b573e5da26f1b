"""Where each value of a record comes from, and what people outside the department see of a draft.

A record remembers the document that last imported it (``Record.source_id``) and, per field, the
kensho update that saved the value since (``Record.value_sources``: field -> Source id). A
下書き saved in kensho changes the record (the department and administrators work on it), while
``Record.public_values`` keeps the last submitted or imported values that everyone else sees.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from store.models import Issuer, KpiStatus, Project, Record, Source, SourceKind, SubmissionStatus, utcnow
from store.readmodel import PolicyRef, RecordView

TOKYO = timezone(timedelta(hours=9), "JST")  # no daylight saving time in Japan since 1951
# Field keys (store.records.record_snapshot) that a kensho update may set.
UPDATE_FIELDS = ("result", "kpis", "evaluation", "kpi_effective", "policy", "policy_reason", "reflection")


def public_snapshot(record: Record) -> dict[str, Any]:
    """The self-evaluation values of an ORM record as JSON, to be shown while a draft is pending."""
    return {
        "result": record.result,
        "kpi_actuals": [
            [None if k.actual is None else format(k.actual, "f"), k.actual_status.value] for k in record.kpis
        ],
        "evaluation": record.evaluation,
        "kpi_effective": record.kpi_effective,
        "policy": [record.policy_option.code, record.policy_option.label] if record.policy_option else None,
        "policy_reason": record.policy_reason,
        "reflection": record.reflection,
        "submission_status": record.submission_status.value,
        "value_sources": dict(record.value_sources or {}),
    }


def as_public(view: RecordView) -> RecordView:
    """The record as people outside its department see it: a pending draft replaced by the values
    last submitted or imported (unchanged when no draft is pending)."""
    snap = view.public_values
    if not snap:
        return view
    actuals = snap.get("kpi_actuals") or []
    kpis = []
    for i, kpi in enumerate(view.kpis):
        if i < len(actuals):
            value, status = actuals[i]
            kpi = dataclasses.replace(
                kpi, actual=None if value is None else Decimal(value), actual_status=KpiStatus(status)
            )
        kpis.append(kpi)
    policy = snap.get("policy")
    return dataclasses.replace(
        view,
        result=snap.get("result", ""),
        evaluation=snap.get("evaluation"),
        kpi_effective=snap.get("kpi_effective"),
        policy_option=PolicyRef(policy[0], policy[1]) if policy else None,
        policy_reason=snap.get("policy_reason", ""),
        reflection=snap.get("reflection", ""),
        submission_status=SubmissionStatus(snap.get("submission_status", "not_submitted")),
        value_sources=snap.get("value_sources") or None,
        public_values=None,
        kpis=kpis,
    )


def record_update(
    session: Session, record: Record, actor: str, changed: list[str], submit: bool, public_before: dict[str, Any]
) -> None:
    """Attribute the fields ``changed`` by a kensho save to a new Source, and keep what others see.

    A 下書き keeps the values from before the first draft (``public_before``) as the public ones; a 提出
    makes the record public, and the fields still attributed to a draft are attributed to it. Runs
    on the session's connection, so that the record is flushed once (one version step per save)."""
    conn = session.connection()
    if submit:
        record.public_values = None
    elif record.public_values is None:
        record.public_values = public_before
    issuer_id = conn.scalar(select(Project.issuer_id).where(Project.id == record.project_id))
    source_id = conn.execute(
        insert(Source)
        .values(
            issuer_id=issuer_id,
            kind=SourceKind.UPDATE,
            title="",
            as_of="",
            created_at=utcnow(),
            actor=actor,
            department=record.department.name if record.department else "",
            status="submitted" if submit else "draft",
        )
        .returning(Source.id)
    ).scalar_one()
    sources = dict(record.value_sources or {})
    drafts: set[int] = set()
    if submit and sources:
        drafts = set(
            conn.scalars(
                select(Source.id).where(
                    Source.id.in_(sorted(set(sources.values()))),
                    Source.kind == SourceKind.UPDATE,
                    Source.status == "draft",
                )
            )
        )
    for name in UPDATE_FIELDS:
        if name in changed or sources.get(name) in drafts:
            sources[name] = source_id
    record.value_sources = sources or None


STATUS_WORDS = {"submitted": "提出済み", "draft": "下書き"}


def document_text(issuer_name: str, title: str, as_of: str) -> str:
    """山河県 効果検証シート（令和6年7月時点）."""
    text = " ".join(p for p in (issuer_name, title) if p)
    return f"{text}（{as_of}）" if as_of else text


def update_text(source: Source) -> str:
    """kensho で更新（2026年12月1日、健康長寿社会づくり推進課、提出済み）, the day in Japan."""
    day = source.created_at.astimezone(TOKYO)
    parts = [f"{day.year}年{day.month}月{day.day}日", source.department, STATUS_WORDS.get(source.status, "")]
    return "kensho で更新（" + "、".join(p for p in parts if p) + "）"


def sources_by_id(session: Session, ids: set[int]) -> dict[int, Source]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(sorted(ids))))}


def issuer_document(issuer: Issuer) -> Source:
    """The issuer's own document as a (transient) Source, for values imported before provenance."""
    return Source(
        id=0, issuer_id=issuer.id, kind=SourceKind.DOCUMENT, title=issuer.source_document, as_of=issuer.source_as_of
    )
