"""Committees, who still owes a self-evaluation, and reminder claims (exactly-once sending)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.db import Database
from store.models import Committee, Department, Member, Project, Record, ReminderClaim, SubmissionStatus


class CommitteeError(ValueError):
    """A committee command that cannot be carried out (message in Japanese)."""


def add_committee(session: Session, name: str, deadline: datetime, meeting: date | None, year: int) -> Committee:
    if session.scalar(select(Committee.id).where(Committee.name == name)) is not None:
        raise CommitteeError(f"「{name}」はすでに登録されています。")
    committee = Committee(name=name, deadline=deadline, meeting_date=meeting, fiscal_year=year)
    session.add(committee)
    session.flush()
    return committee


def get_committee(session: Session, name: str) -> Committee:
    committee = session.scalar(select(Committee).where(Committee.name == name))
    if committee is None:
        names = "、".join(session.scalars(select(Committee.name).order_by(Committee.deadline))) or "（なし）"
        raise CommitteeError(f"「{name}」という委員会は登録されていません（登録済み：{names}）。")
    return committee


def committees(session: Session) -> list[Committee]:
    return list(session.scalars(select(Committee).order_by(Committee.deadline, Committee.id)))


def remove_committee(session: Session, name: str) -> None:
    session.delete(get_committee(session, name))


@dataclass(frozen=True)
class Pending:
    """A record of the committee's fiscal year that is not submitted yet."""

    record_id: int
    project: str
    department_id: int | None
    department: str
    status: SubmissionStatus


def pending_records(session: Session, year: int) -> list[Pending]:
    stmt = (
        select(Record.id, Project.name, Record.department_id, Department.name, Record.submission_status)
        .join(Project, Record.project_id == Project.id)
        .outerjoin(Department, Record.department_id == Department.id)
        .where(Record.fiscal_year == year, Record.submission_status != SubmissionStatus.SUBMITTED)
        .order_by(Department.name, Project.sort_order, Project.id)
    )
    return [
        Pending(rid, name, did, dname or "（担当課未設定）", status)
        for rid, name, did, dname, status in session.execute(stmt)
    ]


def status_counts(session: Session, year: int) -> list[tuple[str, dict[SubmissionStatus, int]]]:
    """Per department: how many records are 提出済 / 下書き / 未提出 for the fiscal year."""
    stmt = (
        select(Department.name, Record.submission_status, func.count(Record.id))
        .join(Department, Record.department_id == Department.id)
        .where(Record.fiscal_year == year)
        .group_by(Department.name, Record.submission_status)
        .order_by(Department.name)
    )
    out: dict[str, dict[SubmissionStatus, int]] = {}
    for name, status, n in session.execute(stmt):
        out.setdefault(name, {s: 0 for s in SubmissionStatus})[SubmissionStatus(status)] = int(n)
    return list(out.items())


def members_by_department(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for department_id, user_id in session.execute(
        select(Member.department_id, Member.user_id).order_by(Member.user_id)
    ):
        out.setdefault(department_id, []).append(user_id)
    return out


# --- claims -----------------------------------------------------------------------------------


def claim(
    db: Database, committee_id: int, recipient: str, slot: str, worker: str, now: datetime, lease: timedelta
) -> int | None:
    """Claim one reminder, with a lease until ``now + lease``; the id when this process won it, None
    when it was claimed before."""
    try:
        with db.session() as session:
            row = ReminderClaim(
                committee_id=committee_id,
                recipient=recipient,
                slot=slot,
                claimed_at=now,
                claimed_by=worker,
                lease_until=now + lease,
            )
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


def renew(db: Database, claim_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
    """Extend the holder's lease; False when ``worker`` no longer holds the claim (it was taken over)."""
    with db.session() as session:
        result = session.execute(
            update(ReminderClaim)
            .where(ReminderClaim.id == claim_id, ReminderClaim.claimed_by == worker, ReminderClaim.sent_at.is_(None))
            .values(lease_until=now + lease)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


def mark_sent(db: Database, claim_id: int, ts: str | None, now: datetime) -> None:
    with db.session() as session:
        session.execute(
            update(ReminderClaim).where(ReminderClaim.id == claim_id).values(sent_at=now, message_ts=ts, failed=None)
        )


def mark_failed(db: Database, claim_id: int, reason: str, now: datetime) -> None:
    """Slack refused for good (cannot DM …): recorded, reported, never retried."""
    with db.session() as session:
        session.execute(
            update(ReminderClaim).where(ReminderClaim.id == claim_id).values(failed=reason[:200], sent_at=now)
        )


@dataclass(frozen=True)
class Unfinished:
    claim_id: int
    committee_id: int
    recipient: str
    slot: str
    claimed_at: datetime


def _abandoned(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Unsent, and its holder is gone: the lease has expired (claims made before leases: by age)."""
    return ReminderClaim.sent_at.is_(None) & (
        (ReminderClaim.lease_until < now)
        | (ReminderClaim.lease_until.is_(None) & (ReminderClaim.claimed_at < now - lease))
    )


def take_unfinished(db: Database, now: datetime, worker: str, lease: timedelta) -> list[Unfinished]:
    """Claims whose holder is gone (a crash between claim and send), taken over with a new lease.

    A holder that is only waiting (a 429 Retry-After, a slow Slack) keeps renewing its lease and is
    never taken over. Each abandoned claim goes to exactly one process: the conditional UPDATE
    succeeds for one caller only.
    """
    with db.session() as session:
        rows = list(
            session.execute(
                select(
                    ReminderClaim.id,
                    ReminderClaim.committee_id,
                    ReminderClaim.recipient,
                    ReminderClaim.slot,
                    ReminderClaim.claimed_at,
                ).where(_abandoned(now, lease))
            )
        )
    taken: list[Unfinished] = []
    for cid, committee_id, recipient, slot, claimed_at in rows:
        with db.session() as session:
            result = session.execute(
                update(ReminderClaim)
                .where(ReminderClaim.id == cid, _abandoned(now, lease))
                .values(claimed_by=worker, lease_until=now + lease, recovering_at=now)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                taken.append(Unfinished(cid, committee_id, recipient, slot, claimed_at))
    return taken
