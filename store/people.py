"""Who may update what: department members, administrators, and notification channels."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import Admin, Committee, Department, Member, Project, Record, Setting, utcnow

TOKYO = ZoneInfo("Asia/Tokyo")

ADMIN_CHANNEL = "admin_channel"


def add_member(session: Session, user_id: str, department_id: int, actor: str) -> bool:
    """True when added, False when the user was already a member."""
    exists = session.scalar(select(Member.id).where(Member.user_id == user_id, Member.department_id == department_id))
    if exists:
        return False
    try:
        with session.begin_nested():
            session.add(Member(user_id=user_id, department_id=department_id, added_by=actor, added_at=utcnow()))
    except IntegrityError:  # added concurrently
        return False
    return True


def remove_member(session: Session, user_id: str, department_id: int) -> bool:
    result = session.execute(delete(Member).where(Member.user_id == user_id, Member.department_id == department_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def members(session: Session) -> list[tuple[str, str]]:
    """(department name, user id), by department."""
    stmt = select(Department.name, Member.user_id).join(Member, Member.department_id == Department.id)
    return [(d, u) for d, u in session.execute(stmt.order_by(Department.name, Member.user_id))]


def department_ids_of(session: Session, user_id: str) -> list[int]:
    return list(session.scalars(select(Member.department_id).where(Member.user_id == user_id)))


def add_admin(session: Session, user_id: str, actor: str) -> bool:
    if session.get(Admin, user_id) is not None:
        return False
    session.add(Admin(user_id=user_id, added_by=actor, added_at=utcnow()))
    return True


def remove_admin(session: Session, user_id: str) -> bool:
    result = session.execute(delete(Admin).where(Admin.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def admins(session: Session) -> list[str]:
    return list(session.scalars(select(Admin.user_id).order_by(Admin.user_id)))


def is_admin(session: Session, user_id: str) -> bool:
    return session.get(Admin, user_id) is not None


def may_update(session: Session, user_id: str, record_id: int) -> bool:
    """Administrators may update any record; members only their departments' records of an open year."""
    if is_admin(session, user_id):
        return True
    record_department = session.scalar(select(Record.department_id).where(Record.id == record_id))
    if record_department is None or record_department not in department_ids_of(session, user_id):
        return False
    return not is_past_year(session, record_id)


def is_past_year(session: Session, record_id: int, today: date | None = None) -> bool:
    """Whether the record's fiscal year is closed to departments (administrators may still edit it).

    Open are the issuer's current fiscal year — the latest one on record for it — and the fiscal
    years of committees that have not met yet (their reminders ask departments for those years).
    """
    row = session.execute(
        select(Record.fiscal_year, Project.issuer_id).join(Project).where(Record.id == record_id)
    ).first()
    if row is None:
        return False
    year, issuer_id = row
    latest = session.scalar(select(func.max(Record.fiscal_year)).join(Project).where(Project.issuer_id == issuer_id))
    if latest is None or year >= latest:
        return False
    today = today or datetime.now(TOKYO).date()
    pending_committee = session.scalar(
        select(Committee.id)
        .where(
            Committee.fiscal_year == year,
            or_(Committee.meeting_date.is_(None), Committee.meeting_date >= today),
        )
        .limit(1)
    )
    return pending_committee is None


def updatable_projects(session: Session, user_id: str, year: int | None = None) -> list[tuple[int, str, int]]:
    """(record id, project name, fiscal year) the user may update, latest year unless ``year``."""
    stmt = select(Record.id, Project.name, Record.fiscal_year).join(Project, Record.project_id == Project.id)
    if not is_admin(session, user_id):
        stmt = stmt.where(Record.department_id.in_(department_ids_of(session, user_id)))
    if year is not None:
        stmt = stmt.where(Record.fiscal_year == year)
    rows = list(session.execute(stmt.order_by(Record.fiscal_year.desc(), Project.sort_order, Project.id)))
    if year is None and rows:
        latest = rows[0][2]
        rows = [r for r in rows if r[2] == latest]
    return [(rid, name, fy) for rid, name, fy in rows]


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row and row.value else None


def set_setting(session: Session, key: str, value: str | None) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value or ""))
    else:
        row.value = value or ""


def set_department_channel(session: Session, department_id: int, channel_id: str | None) -> None:
    department = session.get(Department, department_id)
    if department is not None:
        department.channel_id = channel_id


def notification_channel(session: Session, department_id: int | None) -> str | None:
    """Where updates of a department are announced: its own channel, else the administrators' channel."""
    department = session.get(Department, department_id) if department_id is not None else None
    if department is not None and department.channel_id:
        return department.channel_id
    return get_setting(session, ADMIN_CHANNEL)


_LATEST = (
    select(Record.id, Record.department_id)
    .where(Record.project_id == bindparam("project_id"))
    .order_by(Record.fiscal_year.desc())
    .limit(1)
    .subquery()
)
# The project's latest record, if the user is an administrator or a member of its department.
# One statement built once: it runs under every answer about a single project.
_UPDATABLE = select(_LATEST.c.id).where(
    or_(
        exists().where(Admin.user_id == bindparam("user_id")),
        _LATEST.c.department_id.in_(select(Member.department_id).where(Member.user_id == bindparam("user_id"))),
    )
)


def updatable_record(session: Session, user_id: str, project_id: int) -> int | None:
    """The project's latest record when ``user_id`` may update it, else None."""
    found = session.connection().scalar(_UPDATABLE, {"project_id": project_id, "user_id": user_id})
    return None if found is None else int(found)
