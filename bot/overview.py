"""The catalogue at a glance, for the App Home tab and `kensho` summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.schedule import TOKYO
from bot.settings import configured_issuer
from store import committees, people, queries
from store.db import Database
from store.models import Issuer, Record, SourceKind, SubmissionStatus
from store.provenance import sources_by_id


@dataclass
class Overview:
    totals: list[queries.YearTotal] = field(default_factory=list)
    departments: list[tuple[str, int]] = field(default_factory=list)  # latest year of the first issuer
    latest_year: int | None = None
    issuer: str = ""
    source: str = ""


def overview(db: Database) -> Overview:
    with db.session() as session:
        result = Overview(totals=queries.year_totals(session))
        issuers = queries.issuers(session)
        if not issuers:
            return result
        own = configured_issuer()
        issuer = next((i for i in issuers if i.name == own), issuers[0])
        result.issuer = issuer.name
        result.latest_year = queries.latest_year(session, issuer.id)
        result.source = provenance_summary(session, issuer, result.latest_year)
        if result.latest_year is not None:
            result.departments = queries.projects_per_department(session, issuer.id, result.latest_year)
        return result


def provenance_summary(session: Session, issuer: Issuer, year: int | None) -> str:
    """資料５－２（令和4年6月時点）、うち2事業は kensho で更新: the documents of the year's records and how
    many records carry values saved in kensho since."""
    if year is None:
        return f"{issuer.source_document}（{issuer.source_as_of}）" if issuer.source_as_of else issuer.source_document
    scope = queries.Scope(issuer.id, year)
    ids = {i for i in session.scalars(queries.scoped(select(Record.source_id).distinct(), scope)) if i}
    documents = [s for s in sources_by_id(session, ids).values() if s.kind == SourceKind.DOCUMENT]
    texts = [f"{d.title}（{d.as_of}）" if d.as_of else d.title for d in sorted(documents, key=lambda d: d.id)]
    if not texts:
        texts = [
            f"{issuer.source_document}（{issuer.source_as_of}）" if issuer.source_as_of else issuer.source_document
        ]
    updated = session.scalar(
        queries.scoped(select(func.count(Record.id)), scope).where(Record.value_sources.is_not(None))
    )
    text = "、".join(t for t in texts if t)
    return text + (f"、うち{updated}事業は kensho で更新" if updated else "")


@dataclass
class CommitteeStatus:
    name: str
    deadline: datetime
    fiscal_year: int
    days_left: int
    departments: list[tuple[str, dict[SubmissionStatus, int]]]


@dataclass
class StaffItem:
    record_id: int
    project: str
    status: SubmissionStatus
    deadline: datetime | None


def committee_statuses(db: Database, now: datetime) -> list[CommitteeStatus]:
    """Every committee whose meeting has not passed, with 提出済/下書き/未提出 per department."""
    out = []
    today = now.astimezone(TOKYO).date()
    with db.session() as session:
        for c in committees.committees(session):
            if c.meeting_date is not None and c.meeting_date < today:
                continue
            days = (c.deadline.astimezone(TOKYO).date() - today).days
            out.append(
                CommitteeStatus(
                    c.name, c.deadline, c.fiscal_year, days, committees.status_counts(session, c.fiscal_year)
                )
            )
    return out


def staff_pending(db: Database, user_id: str, now: datetime) -> list[StaffItem]:
    """The user's not-yet-submitted projects, for the nearest open committee (else the latest year)."""
    open_committees = [c for c in committee_statuses(db, now) if c.days_left >= -30]
    with db.session() as session:
        if open_committees:
            nearest = min(open_committees, key=lambda c: c.deadline)
            year, deadline = nearest.fiscal_year, nearest.deadline
        else:
            rows = people.updatable_projects(session, user_id)
            year, deadline = (rows[0][2] if rows else None), None
        if year is None:
            return []
        mine = {rid for rid, _, _ in people.updatable_projects(session, user_id, year)}
        if people.is_admin(session, user_id):
            mine = {rid for rid in mine if rid in _own_department_records(session, user_id, year)}
        return [
            StaffItem(p.record_id, p.project, p.status, deadline)
            for p in committees.pending_records(session, year)
            if p.record_id in mine
        ]


@dataclass
class Home:
    """What one person's App Home shows besides the catalogue: for administrators every open committee's
    status (``committees``, None for everyone else), and the person's own pending projects."""

    overview: Overview
    committees: list[CommitteeStatus] | None
    pending: list[StaffItem]


def home(db: Database, user_id: str, now: datetime) -> Home:
    """The App Home of ``user_id`` at ``now``."""
    with db.session() as session:
        admin = people.is_admin(session, user_id)
    return Home(
        overview=overview(db),
        committees=committee_statuses(db, now) if admin else None,
        pending=staff_pending(db, user_id, now),
    )


def _own_department_records(session, user_id: str, year: int) -> set[int]:  # type: ignore[no-untyped-def]
    """Administrators see their own departments' projects as 'theirs', not every project."""
    departments = set(people.department_ids_of(session, user_id))
    return {p.record_id for p in committees.pending_records(session, year) if p.department_id in departments}
