"""Read-side queries for answers: one record, records of a year with filters, SQL aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from store.models import Department, Goal, Issuer, PolicyOption, Project, Record

AMOUNT_COLUMNS = {
    "donation_amount": Record.donation_amount,
    "donation_count": Record.donation_count,
    "project_cost": Record.project_cost,
}


def _with_details(stmt: Select[tuple[Record]]) -> Select[tuple[Record]]:
    return stmt.options(
        selectinload(Record.project).selectinload(Project.issuer),
        selectinload(Record.kpis),
        selectinload(Record.goal),
        selectinload(Record.department),
        selectinload(Record.policy_option),
    )


def record_for(session: Session, project_id: int, year: int | None = None) -> Record | None:
    """The project's record for ``year``, or its latest one."""
    stmt = select(Record).where(Record.project_id == project_id)
    stmt = stmt.where(Record.fiscal_year == year) if year else stmt.order_by(Record.fiscal_year.desc())
    return session.scalars(_with_details(stmt).limit(1)).first()


@dataclass(frozen=True)
class Scope:
    """Which records a list or aggregate is about."""

    issuer_id: int
    year: int
    department_ids: tuple[int, ...] = ()
    goal_number: int | None = None
    policy_labels: tuple[str, ...] = ()


def _scoped(stmt: Select, scope: Scope) -> Select:  # type: ignore[type-arg]
    stmt = stmt.join(Project, Record.project_id == Project.id).where(
        Project.issuer_id == scope.issuer_id, Record.fiscal_year == scope.year
    )
    if scope.department_ids:
        stmt = stmt.where(Record.department_id.in_(scope.department_ids))
    if scope.goal_number is not None:
        stmt = stmt.join(Goal, Record.goal_id == Goal.id).where(Goal.number == scope.goal_number)
    if scope.policy_labels:
        stmt = stmt.join(PolicyOption, Record.policy_option_id == PolicyOption.id).where(
            PolicyOption.label.in_(scope.policy_labels)
        )
    return stmt


def records_in(session: Session, scope: Scope, limit: int | None = None) -> list[Record]:
    stmt = _with_details(_scoped(select(Record), scope).order_by(Project.sort_order, Project.id))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_in(session: Session, scope: Scope) -> int:
    return int(session.scalar(_scoped(select(func.count(Record.id)), scope)) or 0)


def aggregate(session: Session, scope: Scope, column: str) -> tuple[int | None, float | None, int]:
    """(sum, average, number of records with a value) of an amount column."""
    col = AMOUNT_COLUMNS[column]
    total, average, n = session.execute(_scoped(select(func.sum(col), func.avg(col), func.count(col)), scope)).one()
    return (None if total is None else int(total), None if average is None else float(average), int(n))


def ranked(session: Session, scope: Scope, column: str, descending: bool, limit: int) -> list[Record]:
    col = AMOUNT_COLUMNS[column]
    order = col.desc() if descending else col.asc()
    stmt = _scoped(select(Record), scope).where(col.is_not(None)).order_by(order, Project.sort_order).limit(limit)
    return list(session.scalars(_with_details(stmt)))


def extreme_ties(session: Session, scope: Scope, column: str, descending: bool) -> list[Record]:
    """Every record sharing the largest (or smallest) value of ``column``."""
    col = AMOUNT_COLUMNS[column]
    best = session.scalar(_scoped(select(func.max(col) if descending else func.min(col)), scope))
    if best is None:
        return []
    stmt = _scoped(select(Record), scope).where(col == best).order_by(Project.sort_order, Project.id)
    return list(session.scalars(_with_details(stmt)))


def latest_year(session: Session, issuer_id: int) -> int | None:
    return session.scalar(select(func.max(Record.fiscal_year)).join(Project).where(Project.issuer_id == issuer_id))


def years_of(session: Session, issuer_id: int) -> list[int]:
    stmt = select(Record.fiscal_year).join(Project).where(Project.issuer_id == issuer_id).distinct()
    return sorted(session.scalars(stmt))


def policy_labels(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(PolicyOption.label))))


def issuers(session: Session) -> Sequence[Issuer]:
    return list(session.scalars(select(Issuer).order_by(Issuer.id)))


def department(session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


@dataclass(frozen=True)
class YearTotal:
    issuer: str
    year: int
    projects: int
    donation_amount: int
    donation_count: int
    project_cost: int


def year_totals(session: Session) -> list[YearTotal]:
    """Per issuer and fiscal year: number of projects and summed figures, newest year first."""
    stmt = (
        select(
            Issuer.name,
            Record.fiscal_year,
            func.count(Record.id),
            func.coalesce(func.sum(Record.donation_amount), 0),
            func.coalesce(func.sum(Record.donation_count), 0),
            func.coalesce(func.sum(Record.project_cost), 0),
        )
        .join(Project, Record.project_id == Project.id)
        .join(Issuer, Project.issuer_id == Issuer.id)
        .group_by(Issuer.name, Record.fiscal_year)
        .order_by(Record.fiscal_year.desc(), Issuer.name)
    )
    return [YearTotal(n, int(y), int(c), int(a), int(k), int(p)) for n, y, c, a, k, p in session.execute(stmt)]


def projects_per_department(session: Session, issuer_id: int, year: int) -> list[tuple[str, int]]:
    stmt = (
        select(Department.name, func.count(Record.id))
        .join(Record, Record.department_id == Department.id)
        .join(Project, Record.project_id == Project.id)
        .where(Project.issuer_id == issuer_id, Record.fiscal_year == year)
        .group_by(Department.name)
        .order_by(func.count(Record.id).desc(), Department.name)
    )
    return [(name, int(n)) for name, n in session.execute(stmt)]
