"""Saving a department's self-evaluation: permission, optimistic locking, one revision per change."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from store.db import Database
from store.models import KpiStatus, PolicyOption, Project, Record, Revision, SubmissionStatus, utcnow
from store.people import department_ids_of, is_admin, is_past_year
from store.provenance import public_snapshot, record_update
from store.records import RECORD_DETAILS, bump_texts_version, record_snapshot, write_revisions
from store.schemas import SelfEvaluationDraft


class NotAllowed(Exception):
    """The user is neither a member of the record's department nor an administrator."""


class PastYear(NotAllowed):
    """A department member asked to change a record of a closed fiscal year (store.people.is_past_year)."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


def refuse(session: Session, user_id: str, record_id: int) -> None:
    """Raise NotAllowed (or PastYear, for a member and a closed year) unless ``user_id`` may update it."""
    if is_admin(session, user_id):
        return
    row = session.execute(select(Record.department_id, Record.fiscal_year).where(Record.id == record_id)).first()
    if row is None or row.department_id is None or row.department_id not in department_ids_of(session, user_id):
        raise NotAllowed(user_id)
    if is_past_year(session, record_id):
        raise PastYear(row.fiscal_year)


class UnknownRecord(Exception):
    pass


@dataclass(frozen=True)
class Change:
    """A revision as plain data, usable after its session is gone."""

    field: str
    old_value: str | None
    new_value: str | None
    actor: str
    created_at: datetime

    @classmethod
    def of(cls, revision: Revision) -> Change:
        return cls(revision.field, revision.old_value, revision.new_value, revision.actor, revision.created_at)


class StaleRecord(Exception):
    """Someone else saved the record after the form was opened; nothing was overwritten."""

    def __init__(self, revisions: list[Change]) -> None:
        super().__init__("stale")
        self.revisions = revisions


@dataclass
class SaveResult:
    record_id: int
    project_name: str
    department_id: int | None
    fiscal_year: int
    status: SubmissionStatus
    revisions: list[Change]


def _load(session: Session, record_id: int) -> Record:
    record = session.scalar(select(Record).where(Record.id == record_id).options(*RECORD_DETAILS))
    if record is None:
        raise UnknownRecord(record_id)
    return record


def _apply(session: Session, record: Record, data: SelfEvaluationDraft, submit: bool) -> None:
    record.result = data.result
    for kpi, actual in zip(record.kpis, data.kpi_actuals, strict=False):
        kpi.actual = actual.value
        kpi.actual_status = KpiStatus.PENDING if actual.pending else KpiStatus.KNOWN
    record.evaluation = data.evaluation
    record.kpi_effective = data.kpi_effective
    record.policy_option = _policy(session, record, data.policy)
    record.policy_reason = data.policy_reason
    record.reflection = data.reflection
    record.submission_status = SubmissionStatus.SUBMITTED if submit else SubmissionStatus.DRAFT


def _policy(session: Session, record: Record, wanted: str) -> PolicyOption | None:
    if not wanted:
        return None
    issuer_id = session.scalar(select(Project.issuer_id).where(Project.id == record.project_id))
    options = session.scalars(select(PolicyOption).where(PolicyOption.issuer_id == issuer_id))
    for option in options:
        if wanted in (option.label, option.display):
            return option
    raise ValueError(f"unknown policy option {wanted!r}")


def save_self_evaluation(
    db: Database,
    *,
    user_id: str,
    record_id: int,
    expected_version: int,
    opened_at: datetime,
    data: SelfEvaluationDraft,
    submit: bool,
    source: str = "modal",
) -> SaveResult:
    """Save unless someone else saved since ``expected_version``; a repeat of the same save is a no-op.

    Raises NotAllowed, UnknownRecord or StaleRecord, and then changes nothing.
    """
    for attempt in range(5):
        try:
            return _save(db, user_id, record_id, expected_version, opened_at, data, submit, source)
        except OperationalError as exc:  # SQLite: a concurrent writer held the lock; try again
            if "locked" not in str(exc).lower() or attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _save(
    db: Database,
    user_id: str,
    record_id: int,
    expected_version: int,
    opened_at: datetime,
    data: SelfEvaluationDraft,
    submit: bool,
    source: str,
) -> SaveResult:
    try:
        with db.session() as session:
            refuse(session, user_id, record_id)
            record = _load(session, record_id)
            before = record_snapshot(record)
            public_before = public_snapshot(record)
            current_version = record.version
            with session.no_autoflush:  # _apply looks up the 今後の方針 option: one UPDATE, one version step
                _apply(session, record, data, submit)
            changed = record_snapshot(record) != before
            # A stale version with no difference is a repeat of the same save (a double click on 提出).
            if current_version != expected_version and changed:
                raise StaleRecord(_revisions_since(session, record_id, opened_at))
            revisions: list[Change] = []
            if changed:
                record.updated_at = utcnow()
                record.updated_by = user_id
                fields = [k for k, v in record_snapshot(record).items() if before.get(k, "") != v]
                record_update(session, record, user_id, fields, submit, public_before)
                session.flush()  # UPDATE … WHERE version = loaded version: a concurrent save fails here
                revisions = [Change.of(r) for r in write_revisions(session, record, before, user_id, source)]
                bump_texts_version(session)  # the texts searched in memory changed, not the names
            return SaveResult(
                record.id,
                record.project.name,
                record.department_id,
                record.fiscal_year,
                record.submission_status,
                revisions,
            )
    except StaleDataError:
        with db.session() as session:
            raise StaleRecord(_revisions_since(session, record_id, opened_at)) from None


def _revisions_since(session: Session, record_id: int, since: datetime) -> list[Change]:
    stmt = (
        select(Revision)
        .where(Revision.record_id == record_id, Revision.created_at >= since)
        .order_by(Revision.created_at)
    )
    return [Change.of(r) for r in session.scalars(stmt)]
