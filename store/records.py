"""Writing validated rows into the catalogue, with a revision for every change.

The importer, the bundled data and (later) the CLI and the modal all write through here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from store import values
from store.db import Database
from store.models import (
    CatalogueVersion,
    Department,
    Goal,
    Issuer,
    Kpi,
    KpiStatus,
    Plan,
    PolicyOption,
    Project,
    Record,
    ReviewStatus,
    Revision,
    utcnow,
)
from store.schemas import ImportRow, KpiInput

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


def record_snapshot(record: Record) -> dict[str, str]:
    """Every user-visible field of a record as text, for comparison and for revisions."""
    return {
        "goal": record.goal.label if record.goal else "",
        "department": record.department.name if record.department else "",
        "project_cost": "" if record.project_cost is None else str(record.project_cost),
        "donation_amount": "" if record.donation_amount is None else str(record.donation_amount),
        "donation_count": "" if record.donation_count is None else str(record.donation_count),
        "result": record.result,
        "kpis": kpis_text(record.kpis),
        "evaluation": "" if record.evaluation is None else str(record.evaluation),
        "kpi_effective": "" if record.kpi_effective is None else str(record.kpi_effective).lower(),
        "expert_opinion": record.expert_opinion,
        "expert_opinion_status": record.expert_opinion_status.value,
        "policy": record.policy_option.display if record.policy_option else "",
        "policy_reason": record.policy_reason,
        "reflection": record.reflection,
        "submission_status": record.submission_status.value,
    }


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


def current_catalogue_version(db: Database) -> int:
    """The catalogue version in one Core query (asked before every question)."""
    with db.engine.connect() as conn:
        return int(conn.scalar(_VERSION) or 0)


def catalogue_version(session: Session) -> int:
    row = session.get(CatalogueVersion, 1)
    return row.version if row else 0


def _key(text: str) -> str:
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
        )
        for key in after
        if before.get(key, "") != after[key]
    ]
    session.add_all(revisions)
    return revisions


class CatalogueWriter:
    """Caches an issuer's lookups so that large imports touch each table once."""

    def __init__(self, session: Session, issuer: Issuer, source_id: int | None = None) -> None:
        self.session = session
        self.issuer = issuer
        self.source_id = source_id  # the document being imported (store.models.Source)
        self.changed_catalogue = False
        sid = issuer.id
        self.departments = {
            _key(d.name): d for d in session.scalars(select(Department).where(Department.issuer_id == sid))
        }
        self.goals = {(g.fiscal_year, g.number): g for g in session.scalars(select(Goal).where(Goal.issuer_id == sid))}
        self.projects = {_key(p.name): p for p in session.scalars(select(Project).where(Project.issuer_id == sid))}
        self.options = list(
            session.scalars(select(PolicyOption).where(PolicyOption.issuer_id == sid).order_by(PolicyOption.sort_order))
        )
        self.plan = session.scalar(select(Plan).where(Plan.issuer_id == sid).order_by(Plan.id))
        self.records: dict[tuple[int, int], Record] = {}
        if self.projects:
            stmt = select(Record).join(Project).where(Project.issuer_id == sid).options(*RECORD_DETAILS)
            self.records = {(r.project_id, r.fiscal_year): r for r in session.scalars(stmt)}

    def policy_option(self, text: str, row: int) -> PolicyOption | None:
        """The option whose label is ``text`` (rows validated with the issuer's options carry the label)."""
        if not text:
            return None
        wanted = _key(text).lstrip(values.CIRCLED)
        for option in self.options:
            if _key(option.label) == wanted or _key(option.display) == _key(text):
                return option
        choices = "、".join(o.display for o in self.options) or "（選択肢が登録されていません）"
        raise RowProblem(row, "今後の方針", text, f"選択肢にありません（{choices}）")

    def department(self, name: str) -> Department | None:
        if not name:
            return None
        dept = self.departments.get(_key(name))
        if dept is None:
            dept = Department(issuer_id=self.issuer.id, name=name, aliases=[])
            self.session.add(dept)
            self.departments[_key(name)] = dept
            self.changed_catalogue = True
        return dept

    def goal(self, year: int, parsed: tuple[int, str] | None, label: str) -> Goal | None:
        """基本目標 ``number`` of ``year`` (titles differ between years: each year has its own)."""
        if parsed is None:
            return None
        number, title = parsed
        goal = self.goals.get((year, number))
        if goal is None:
            goal = Goal(issuer_id=self.issuer.id, fiscal_year=year, number=number, title=title, label=label)
            self.session.add(goal)
            self.goals[(year, number)] = goal
            self.changed_catalogue = True
        elif title and goal.title != title:
            goal.title, goal.label = title, label
            self.changed_catalogue = True
        return goal

    def project(self, name: str, aliases: list[str] | None) -> Project:
        project = self.projects.get(_key(name))
        if project is None:
            project = Project(
                issuer_id=self.issuer.id,
                plan=self.plan,
                name=name,
                aliases=aliases or [],
                sort_order=len(self.projects),
            )
            self.session.add(project)
            self.projects[_key(name)] = project
            self.changed_catalogue = True
        elif aliases is not None and project.aliases != aliases:
            project.aliases = aliases
            self.changed_catalogue = True
        return project

    def apply_group(
        self,
        rows: list[tuple[int, ImportRow, str]],
        actor: str,
        source: str,
        expert_status: ReviewStatus = ReviewStatus.FINAL,
    ) -> str:
        """Create or update one record from its rows (one row per KPI). Returns created/updated/unchanged."""
        first_row, data, goal_label = rows[0]
        option = self.policy_option(data.policy, first_row)
        project = self.project(data.project, data.aliases)
        if project.id is None:
            self.session.flush()
        key = (project.id, data.fiscal_year)
        record = self.records.get(key)
        created = record is None
        if record is None:
            record = Record(project_id=project.id, fiscal_year=data.fiscal_year, kpis=[])
            self.session.add(record)
            self.records[key] = record
            before: dict[str, str] = {}
        else:
            before = record_snapshot(record)
        record.goal = self.goal(data.fiscal_year, data.goal, goal_label)
        record.department = self.department(data.department)
        record.project_cost = data.project_cost
        record.donation_amount = data.donation_amount
        record.donation_count = data.donation_count
        record.result = data.result
        record.evaluation = data.evaluation
        record.kpi_effective = data.kpi_effective
        if data.opinion_status is not None:
            record.expert_opinion_status = ReviewStatus(data.opinion_status)
        elif created or record.expert_opinion != data.expert_opinion:
            # A new or rewritten opinion takes the source's status; an unchanged one keeps its own.
            record.expert_opinion_status = expert_status
        record.expert_opinion = data.expert_opinion
        record.policy_option = option
        record.policy_reason = data.policy_reason
        record.reflection = data.reflection
        set_kpis(record, [k for k in (row.kpi() for _, row, _ in rows) if k is not None])
        record.public_values = None  # an imported document is public: no pending 下書き hides it
        if created:
            record.source_id = self.source_id
            self.session.flush()
            self.session.add(
                Revision(
                    record_id=record.id,
                    field="record",
                    old_value=None,
                    new_value="作成",
                    actor=actor,
                    source=source,
                    created_at=utcnow(),
                )
            )
            return "created"
        after = record_snapshot(record)
        if after == before:
            return "unchanged"
        # The changed values now come from this document, not from an earlier kensho update.
        record.source_id = self.source_id
        if record.value_sources:
            kept = {f: s for f, s in record.value_sources.items() if before.get(f) == after.get(f)}
            record.value_sources = kept or None
        record.updated_at = utcnow()
        record.updated_by = actor
        self.session.flush()
        write_revisions(self.session, record, before, actor, source)
        return "updated"


def set_kpis(record: Record, kpis: list[KpiInput]) -> None:
    """Replace a record's KPIs in place, keeping rows whose position is unchanged."""
    existing = {k.position: k for k in record.kpis}
    keep: list[Kpi] = []
    for position, item in enumerate(kpis):
        kpi = existing.get(position) or Kpi(position=position, name=item.name)
        kpi.name, kpi.unit = item.name, item.unit
        kpi.target = item.target.value
        kpi.target_status = KpiStatus.PENDING if item.target.pending else KpiStatus.KNOWN
        kpi.actual = item.actual.value
        kpi.actual_status = KpiStatus.PENDING if item.actual.pending else KpiStatus.KNOWN
        keep.append(kpi)
    record.kpis = keep


def get_or_create_issuer(session: Session, name: str, **source: str) -> Issuer:
    issuer = session.scalar(select(Issuer).where(Issuer.name == name))
    if issuer is None:
        issuer = Issuer(name=name, **source)
        session.add(issuer)
        session.flush()
    return issuer


def apply_rows(
    session: Session,
    issuer: Issuer,
    rows: list[tuple[int, ImportRow, dict[str, Any]]],
    actor: str,
    source: str,
    expert_status: ReviewStatus = ReviewStatus.FINAL,
    progress: Callable[[int], None] | None = None,
    source_id: int | None = None,
) -> ApplyResult:
    """Write validated rows (row number, model, raw cells), grouped by (年度, 個別事業名).

    Rows of one group must agree on every non-KPI column. Raises nothing: problems are returned,
    and the caller rolls back when there are any.
    """
    writer = CatalogueWriter(session, issuer, source_id)
    groups: dict[tuple[int, str], list[tuple[int, ImportRow, str]]] = {}
    result = ApplyResult()
    for number, row, raw in rows:
        groups.setdefault((row.fiscal_year, _key(row.project)), []).append(
            (number, row, values.clean(raw.get("基本目標")))
        )
    kpi_fields = {"kpi_name", "kpi_unit", "kpi_target", "kpi_actual"}
    for group in groups.values():
        head = group[0][1].model_dump(exclude=kpi_fields)
        for number, row, _ in group[1:]:
            for name, value in row.model_dump(exclude=kpi_fields).items():
                if value != head[name] and value not in ("", None, []):
                    column = ImportRow.model_fields[name].alias or name
                    result.problems.append(RowProblem(number, column, value, "同じ年度・事業の前の行と値が異なります"))
    if result.problems:
        return result
    for group in groups.values():
        try:
            outcome = writer.apply_group(group, actor, source, expert_status)
        except RowProblem as problem:
            result.problems.append(problem)
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
        if progress:
            progress(len(group))
    # Names and texts are indexed in memory (bot/catalogue.py): any new or changed record refreshes it.
    if (writer.changed_catalogue or result.created or result.updated) and not result.problems:
        bump_catalogue_version(session)
    return result
