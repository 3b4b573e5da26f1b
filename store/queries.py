"""Read-side queries for answers: one record, records of a year with filters, SQL aggregates."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, not_, or_, select
from sqlalchemy.orm import Session

from store.models import Department, Goal, Issuer, PolicyOption, Project, Record
from store.readmodel import RecordView, load_views, view_select

AMOUNT_COLUMNS = {
    "donation_amount": Record.donation_amount,
    "donation_count": Record.donation_count,
    "project_cost": Record.project_cost,
}
# 寄附1件あたりの金額 (千円), NULL without donations: ranked like an amount column.
PER_DONATION = Record.donation_amount * 1.0 / func.nullif(Record.donation_count, 0)
RANKABLE = {**AMOUNT_COLUMNS, "per_donation": PER_DONATION}


_LATEST_RECORD = (
    view_select().where(Record.project_id == bindparam("project_id")).order_by(Record.fiscal_year.desc()).limit(1)
)
_RECORD_OF_YEAR = view_select().where(
    Record.project_id == bindparam("project_id"), Record.fiscal_year == bindparam("year")
)


_RECORDS_OF_PROJECT = view_select().where(Record.project_id == bindparam("project_id")).order_by(Record.fiscal_year)


def record_history(session: Session, project_id: int) -> list[RecordView]:
    """Every year's record of the project, oldest first."""
    return load_views(session, _RECORDS_OF_PROJECT, {"project_id": project_id})


COMPARE = {">=": operator.ge, "<=": operator.le, "<": operator.lt, ">": operator.gt, "==": operator.eq}


def record_for(session: Session, project_id: int, year: int | None = None) -> RecordView | None:
    """The project's record for ``year``, or its latest one (statements built once: this runs for
    nearly every question)."""
    if year:
        views = load_views(session, _RECORD_OF_YEAR, {"project_id": project_id, "year": year})
    else:
        views = load_views(session, _LATEST_RECORD, {"project_id": project_id})
    return views[0] if views else None


@dataclass(frozen=True)
class Scope:
    """Which records a list or aggregate is about."""

    issuer_id: int
    year: int
    department_ids: tuple[int, ...] = ()
    goal_number: int | None = None
    policy_labels: tuple[str, ...] = ()
    evaluation: int | None = None  # 事業の評価 1..4
    threshold: tuple[str, str, int | float] | None = None  # (amount column, >= <= < > ==, value as stored)
    excluded_project_ids: tuple[int, ...] = ()  # 健康ポイントを除いた…
    # Whose 下書き count for the 今後の方針 filter: None, everyone's (administrators, the command line);
    # else only those of these departments, the others by their last submitted or imported value.
    draft_departments: tuple[int, ...] | None = None

    @property
    def filtered(self) -> bool:
        """Whether the scope is narrower than the issuer's whole year."""
        return bool(
            self.department_ids
            or self.goal_number is not None
            or self.policy_labels
            or self.evaluation is not None
            or self.threshold
            or self.excluded_project_ids
        )


def _scoped(stmt: Select, scope: Scope) -> Select:  # type: ignore[type-arg]
    """Filters as subqueries, so they combine with any FROM clause."""
    stmt = stmt.where(
        Record.project_id.in_(select(Project.id).where(Project.issuer_id == scope.issuer_id)),
        Record.fiscal_year == scope.year,
    )
    if scope.excluded_project_ids:
        stmt = stmt.where(Record.project_id.not_in(scope.excluded_project_ids))
    if scope.department_ids:
        stmt = stmt.where(Record.department_id.in_(scope.department_ids))
    if scope.goal_number is not None:
        stmt = stmt.where(
            Record.goal_id.in_(
                select(Goal.id).where(Goal.issuer_id == scope.issuer_id, Goal.number == scope.goal_number)
            )
        )
    if scope.threshold is not None:
        column, comparator, value = scope.threshold
        stmt = stmt.where(COMPARE[comparator](AMOUNT_COLUMNS[column], value))
    if scope.policy_labels:
        current = Record.policy_option_id.in_(
            select(PolicyOption.id).where(
                PolicyOption.issuer_id == scope.issuer_id, PolicyOption.label.in_(scope.policy_labels)
            )
        )
        public = Record.public_values[("policy", 1)].as_string().in_(scope.policy_labels)
        stmt = stmt.where(_as_seen(scope, current, public))
    if scope.evaluation is not None:
        public = Record.public_values["evaluation"].as_integer() == scope.evaluation
        stmt = stmt.where(_as_seen(scope, Record.evaluation == scope.evaluation, public))
    return stmt


def _as_seen(scope: Scope, current: ColumnElement[bool], public: ColumnElement[bool]) -> ColumnElement[bool]:
    """A self-evaluation filter as the viewer sees the records: a pending draft hidden from the viewer
    is filtered by its public value (provenance.public_snapshot)."""
    if scope.draft_departments is None:
        return current
    hidden = and_(Record.public_values.is_not(None), Record.department_id.not_in(scope.draft_departments))
    return or_(and_(not_(hidden), current), and_(hidden, public))


scoped = _scoped  # for callers outside (citations of a list or total)


def records_in(session: Session, scope: Scope, limit: int | None = None) -> list[RecordView]:
    stmt = _scoped(view_select(), scope).order_by(Project.sort_order, Project.id)
    return load_views(session, stmt.limit(limit) if limit else stmt)


def count_in(session: Session, scope: Scope) -> int:
    return int(session.scalar(_scoped(select(func.count(Record.id)), scope)) or 0)


def aggregate(session: Session, scope: Scope, column: str) -> tuple[int | None, float | None, int]:
    """(sum, average, number of records with a value) of an amount column."""
    col = AMOUNT_COLUMNS[column]
    total, average, n = session.execute(_scoped(select(func.sum(col), func.avg(col), func.count(col)), scope)).one()
    return (None if total is None else int(total), None if average is None else float(average), int(n))


def ranked(session: Session, scope: Scope, column: str, descending: bool, limit: int) -> list[RecordView]:
    col = RANKABLE[column]
    order = col.desc() if descending else col.asc()
    stmt = _scoped(view_select(), scope).where(col.is_not(None)).order_by(order, Project.sort_order).limit(limit)
    return load_views(session, stmt)


def extreme_ties(session: Session, scope: Scope, column: str, descending: bool) -> list[RecordView]:
    """Every record sharing the largest (or smallest) value of ``column``."""
    col = RANKABLE[column]
    best = session.scalar(_scoped(select(func.max(col) if descending else func.min(col)), scope))
    if best is None:
        return []
    stmt = _scoped(view_select(), scope).where(col == best).order_by(Project.sort_order, Project.id)
    return load_views(session, stmt)


def per_donation(session: Session, scope: Scope) -> tuple[int | None, int | None, int]:
    """(寄附額, 寄附件数, records) summed over the records with donations: 全体の寄附1件あたり."""
    counted = Record.donation_count > 0
    stmt = select(func.sum(Record.donation_amount), func.sum(Record.donation_count), func.count(Record.id))
    amount, count, n = session.execute(_scoped(stmt, scope).where(counted)).one()
    return (None if amount is None else int(amount), None if count is None else int(count), int(n))


def latest_year(session: Session, issuer_id: int) -> int | None:
    return session.scalar(select(func.max(Record.fiscal_year)).join(Project).where(Project.issuer_id == issuer_id))


def issuers(session: Session) -> Sequence[Issuer]:
    return list(session.scalars(select(Issuer).order_by(Issuer.id)))


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
