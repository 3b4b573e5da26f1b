"""Writing validated rows into one issuer's catalogue in batches, with a revision for every change.

A national sheet has 10^5 rows: the ORM's unit of work (a flush per record) managed ~400 rows/s.
Here each batch of complete (年度, 個別事業名) groups costs a handful of Core statements: one
SELECT of the records it may touch, then one executemany per table for what is new or changed
(``insertmanyvalues`` on SQLite and psycopg 3). Everything runs on the caller's transaction, so
the import stays all or nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import ARRAY, JSON, Enum, any_, bindparam, delete, insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from store.models import (
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
    SubmissionStatus,
    utcnow,
)
from store.records import ApplyResult, RowProblem, key_of, snapshot_of
from store.schemas import ImportRow, KpiInput

# One group: the rows of one project in one fiscal year, (row number, model, 基本目標 as typed).
Group = list[tuple[int, ImportRow, str]]


@dataclass
class KpiData:
    position: int
    name: str
    unit: str
    target: Decimal | None
    target_status: KpiStatus
    actual: Decimal | None
    actual_status: KpiStatus


def _kpi_data(position: int, item: KpiInput) -> KpiData:
    return KpiData(
        position,
        item.name,
        item.unit,
        item.target.value,
        KpiStatus.PENDING if item.target.pending else KpiStatus.KNOWN,
        item.actual.value,
        KpiStatus.PENDING if item.actual.pending else KpiStatus.KNOWN,
    )


class BatchWriter:
    """One issuer's lookups (departments, goals, projects, options) kept for the whole import."""

    def __init__(
        self,
        session: Session,
        issuer: Issuer,
        source_id: int | None,
        actor: str,
        origin: str,
        expert_status: ReviewStatus = ReviewStatus.FINAL,
    ) -> None:
        self.conn = session.connection()
        self.issuer_id = issuer.id
        self.source_id = source_id
        self.actor, self.origin, self.expert_status = actor, origin, expert_status
        self.changed_catalogue = False
        conn, iid = self.conn, issuer.id
        self.departments: dict[str, int] = {}
        self.department_names: dict[int, str] = {}
        for did, name in conn.execute(select(Department.id, Department.name).where(Department.issuer_id == iid)):
            self.departments[key_of(name)] = did
            self.department_names[did] = name
        self.goals: dict[tuple[int, int], tuple[int, str, str]] = {}  # (year, number) -> id, title, label
        self.goal_labels: dict[int, str] = {}
        for gid, year, number, title, label in conn.execute(
            select(Goal.id, Goal.fiscal_year, Goal.number, Goal.title, Goal.label).where(Goal.issuer_id == iid)
        ):
            self.goals[(year, number)] = (gid, title, label)
            self.goal_labels[gid] = label
        self.projects: dict[str, tuple[int, list[str]]] = {}
        for pid, name, aliases in conn.execute(
            select(Project.id, Project.name, Project.aliases).where(Project.issuer_id == iid)
        ):
            self.projects[key_of(name)] = (pid, list(aliases or []))
        self.options: dict[str, tuple[int, str]] = {}  # label key -> id, display
        self.option_displays: dict[int, str] = {}
        for oid, code, label in conn.execute(
            select(PolicyOption.id, PolicyOption.code, PolicyOption.label)
            .where(PolicyOption.issuer_id == iid)
            .order_by(PolicyOption.sort_order)
        ):
            self.options.setdefault(key_of(label), (oid, f"{code}{label}"))
            self.options.setdefault(key_of(f"{code}{label}"), (oid, f"{code}{label}"))
            self.option_displays[oid] = f"{code}{label}"
        self.created_projects: set[int] = set()
        self.plan_id = conn.scalar(select(Plan.id).where(Plan.issuer_id == iid).order_by(Plan.id).limit(1))

    def _in(self, column: Any, values: Iterable[Any]) -> Any:
        """``column IN (values)``; on PostgreSQL ``= ANY(array)``, one parameter however many values."""
        values = list(values)
        if self.conn.dialect.name == "postgresql":
            return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
        return column.in_(values)

    def _insert(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int] | None:
        """Many rows at once: sqlite3's executemany (returns None: the caller finds new ids by natural
        key), or on PostgreSQL a COPY (psycopg's executemany would send one statement per row) of rows
        given ids drawn from the table's sequence beforehand (returned in order)."""
        if not rows:
            return []
        if self.conn.dialect.name != "postgresql":
            self.conn.execute(insert(model), rows)
            return None
        table = model.__table__
        ids: list[int] = []
        if "id" in table.c and "id" not in rows[0]:
            ids = list(
                self.conn.scalars(
                    text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                    {"t": table.name, "n": len(rows)},
                )
            )
            rows = [{"id": i, **row} for i, row in zip(ids, rows, strict=True)]
        columns = list(rows[0])
        # Only JSON and enum columns need converting; the others go to psycopg's C dumpers as they are.
        special = [
            (i, isinstance(table.c[c].type, JSON))
            for i, c in enumerate(columns)
            if isinstance(table.c[c].type, JSON | Enum)
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.conn.connection.driver_connection.cursor()  # the same transaction as ours
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                cells = list(row.values())
                for i, is_json in special:
                    cells[i] = _copy_value(cells[i], is_json)
                copy.write_row(cells)
        return ids

    # --- catalogue entities ---------------------------------------------------------------------
    def _ensure_entities(self, groups: Sequence[Group]) -> None:
        """Create the departments, goals and projects this batch names; retitle goals, re-alias projects."""
        conn = self.conn
        new_departments = {}
        new_goals: dict[tuple[int, int], dict[str, Any]] = {}
        retitled: dict[int, dict[str, Any]] = {}
        new_projects: dict[str, dict[str, Any]] = {}
        realiased: dict[int, list[str]] = {}
        for group in groups:
            _, data, label = group[0]
            if data.department and key_of(data.department) not in self.departments:
                new_departments.setdefault(key_of(data.department), data.department)
            if data.goal is not None:
                number, title = data.goal
                found = self.goals.get((data.fiscal_year, number))
                if found is None:
                    new_goals.setdefault(
                        (data.fiscal_year, number),
                        {
                            "issuer_id": self.issuer_id,
                            "fiscal_year": data.fiscal_year,
                            "number": number,
                            "title": title,
                            "label": label,
                        },
                    )
                elif title and found[1] != title:
                    retitled[found[0]] = {"gid": found[0], "title": title, "label": label}
                    self.goals[(data.fiscal_year, number)] = (found[0], title, label)
                    self.goal_labels[found[0]] = label
            key = key_of(data.project)
            existing = self.projects.get(key)
            if existing is None:
                if key not in new_projects:
                    new_projects[key] = {
                        "issuer_id": self.issuer_id,
                        "plan_id": self.plan_id,
                        "name": data.project,
                        "aliases": data.aliases or [],
                        "sort_order": len(self.projects) + len(new_projects),
                    }
            elif data.aliases is not None and existing[1] != data.aliases:
                realiased[existing[0]] = data.aliases
                self.projects[key] = (existing[0], data.aliases)
        if new_departments:
            names = list(new_departments.values())
            ids = self._insert(Department, [{"issuer_id": self.issuer_id, "name": n, "aliases": []} for n in names])
            pairs = (
                zip(ids, names, strict=True)
                if ids is not None
                else conn.execute(
                    select(Department.id, Department.name).where(
                        Department.issuer_id == self.issuer_id, self._in(Department.name, names)
                    )
                )
            )
            for did, name in pairs:
                self.departments[key_of(name)] = did
                self.department_names[did] = name
        if new_goals:
            rows = list(new_goals.values())
            ids = self._insert(Goal, rows)
            found = (
                [(i, r["fiscal_year"], r["number"], r["title"], r["label"]) for i, r in zip(ids, rows, strict=True)]
                if ids is not None
                else conn.execute(
                    select(Goal.id, Goal.fiscal_year, Goal.number, Goal.title, Goal.label).where(
                        Goal.issuer_id == self.issuer_id, tuple_(Goal.fiscal_year, Goal.number).in_(list(new_goals))
                    )
                )
            )
            for gid, year, number, title, label in found:
                self.goals[(year, number)] = (gid, title, label)
                self.goal_labels[gid] = label
        if retitled:
            conn.execute(
                update(Goal)
                .where(Goal.id == bindparam("gid"))
                .values(title=bindparam("title"), label=bindparam("label")),
                list(retitled.values()),
            )
        if new_projects:
            rows = list(new_projects.values())
            ids = self._insert(Project, rows)
            # SQLite: ids by the natural key (issuer, name) in one query (RETURNING in parameter order
            # would cost one statement per row).
            projects = (
                [(i, r["name"], r["aliases"]) for i, r in zip(ids, rows, strict=True)]
                if ids is not None
                else conn.execute(
                    select(Project.id, Project.name, Project.aliases).where(
                        Project.issuer_id == self.issuer_id, self._in(Project.name, [r["name"] for r in rows])
                    )
                )
            )
            for pid, name, aliases in projects:
                self.projects[key_of(name)] = (pid, list(aliases or []))
                self.created_projects.add(pid)
        if realiased:
            conn.execute(
                update(Project).where(Project.id == bindparam("pid")).values(aliases=bindparam("new_aliases")),
                [{"pid": pid, "new_aliases": aliases} for pid, aliases in realiased.items()],
            )
        if new_departments or new_goals or retitled or new_projects or realiased:
            self.changed_catalogue = True

    # --- records ----------------------------------------------------------------------------------
    def _existing(self, keys: list[tuple[int, int]]) -> tuple[dict[tuple[int, int], Any], dict[int, list[Any]]]:
        if not keys:
            return {}, {}
        stmt = select(
            Record.id,
            Record.project_id,
            Record.fiscal_year,
            Record.goal_id,
            Record.department_id,
            Record.project_cost,
            Record.donation_amount,
            Record.donation_count,
            Record.result,
            Record.evaluation,
            Record.kpi_effective,
            Record.expert_opinion,
            Record.expert_opinion_status,
            Record.policy_option_id,
            Record.policy_reason,
            Record.reflection,
            Record.submission_status,
            Record.version,
            Record.value_sources,
        ).where(self._in(Record.project_id, {pid for pid, _ in keys}))
        wanted = set(keys)
        records = {
            (r.project_id, r.fiscal_year): r for r in self.conn.execute(stmt) if (r.project_id, r.fiscal_year) in wanted
        }
        kpis: dict[int, list[Any]] = {}
        if records:
            for k in self.conn.execute(
                select(Kpi)
                .where(self._in(Kpi.record_id, [r.id for r in records.values()]))
                .order_by(Kpi.record_id, Kpi.position)
            ):
                kpis.setdefault(k.record_id, []).append(k)
        return records, kpis

    def _snapshot_of_row(self, r: Any, kpis: list[Any]) -> dict[str, str]:
        return snapshot_of(
            goal=self.goal_labels.get(r.goal_id, "") if r.goal_id else "",
            department=self.department_names.get(r.department_id, "") if r.department_id else "",
            project_cost=r.project_cost,
            donation_amount=r.donation_amount,
            donation_count=r.donation_count,
            result=r.result,
            kpis=kpis,
            evaluation=r.evaluation,
            kpi_effective=r.kpi_effective,
            expert_opinion=r.expert_opinion,
            expert_opinion_status=r.expert_opinion_status,
            policy=self.option_displays.get(r.policy_option_id, "") if r.policy_option_id else "",
            policy_reason=r.policy_reason,
            reflection=r.reflection,
            submission_status=r.submission_status,
        )

    def write(self, groups: Sequence[Group], result: ApplyResult) -> None:
        """Create, update or leave unchanged one record per group; problems go to ``result``."""
        self._ensure_entities(groups)
        keys = [(self.projects[key_of(g[0][1].project)][0], g[0][1].fiscal_year) for g in groups]
        # A project created by this import has no records but those it writes (each group once).
        existing, existing_kpis = self._existing([k for k in keys if k[0] not in self.created_projects])
        now = utcnow()
        new_records: list[dict[str, Any]] = []
        new_kpis: list[list[KpiData]] = []
        changed: list[dict[str, Any]] = []
        changed_kpis: list[tuple[int, list[Any], list[KpiData]]] = []
        revisions: list[dict[str, Any]] = []
        for group, (project_id, year) in zip(groups, keys, strict=True):
            first_row, data, _ = group[0]
            option_id = None
            if data.policy:
                option = self.options.get(key_of(data.policy))
                if option is None:
                    choices = (
                        "、".join(dict.fromkeys(d for _, d in self.options.values()))
                        or "（選択肢が登録されていません）"
                    )
                    result.problems.append(
                        RowProblem(first_row, "今後の方針", data.policy, f"選択肢にありません（{choices}）")
                    )
                    continue
                option_id = option[0]
            kpis = [_kpi_data(i, k) for i, k in enumerate(k for k in (row.kpi() for _, row, _ in group) if k)]
            goal_id = self.goals[(year, data.goal[0])][0] if data.goal is not None else None
            department_id = self.departments[key_of(data.department)] if data.department else None
            values = {
                "goal_id": goal_id,
                "department_id": department_id,
                "project_cost": data.project_cost,
                "donation_amount": data.donation_amount,
                "donation_count": data.donation_count,
                "result": data.result,
                "evaluation": data.evaluation,
                "kpi_effective": data.kpi_effective,
                "expert_opinion": data.expert_opinion,
                "policy_option_id": option_id,
                "policy_reason": data.policy_reason,
                "reflection": data.reflection,
            }
            old = existing.get((project_id, year))
            if data.opinion_status is not None:
                status = ReviewStatus(data.opinion_status)
            elif old is None or old.expert_opinion != data.expert_opinion:
                # A new or rewritten opinion takes the source's status; an unchanged one keeps its own.
                status = self.expert_status
            else:
                status = old.expert_opinion_status
            values["expert_opinion_status"] = status
            if old is None:
                new_records.append(
                    {
                        "project_id": project_id,
                        "fiscal_year": year,
                        **values,
                        "submission_status": SubmissionStatus.NOT_SUBMITTED,
                        "version": 1,
                        "updated_at": now,
                        "updated_by": "",
                        "source_id": self.source_id,
                        "value_sources": None,
                        "public_values": None,
                    }
                )
                new_kpis.append(kpis)
                result.created += 1
                continue
            before = self._snapshot_of_row(old, existing_kpis.get(old.id, []))
            after = snapshot_of(
                goal=self.goal_labels.get(goal_id, "") if goal_id else "",
                department=data.department and self.department_names[department_id],  # type: ignore[index]
                kpis=kpis,
                policy=self.option_displays[option_id] if option_id else "",
                submission_status=old.submission_status,
                **{k: v for k, v in values.items() if k not in {"goal_id", "department_id", "policy_option_id"}},
            )
            if after == before:
                result.unchanged += 1
                continue
            sources = {f: s for f, s in (old.value_sources or {}).items() if before.get(f) == after.get(f)}
            changed.append(
                {
                    "rid": old.id,
                    **values,
                    "version": old.version + 1,
                    "updated_at": now,
                    "updated_by": self.actor,
                    "source_id": self.source_id,
                    "value_sources": sources or None,
                    "public_values": None,  # an imported document is public: no pending 下書き hides it
                }
            )
            changed_kpis.append((old.id, existing_kpis.get(old.id, []), kpis))
            revisions += [
                {
                    "record_id": old.id,
                    "field": name,
                    "old_value": before.get(name),
                    "new_value": after[name],
                    "actor": self.actor,
                    "source": self.origin,
                    "created_at": now,
                }
                for name in after
                if before.get(name, "") != after[name]
            ]
            result.updated += 1
        if result.problems:
            return  # the transaction is rolled back: writing more would be wasted
        self._insert_records(new_records, new_kpis, revisions, now)
        self._update_records(changed, changed_kpis)
        if revisions:
            self._insert(Revision, revisions)
        if new_records or changed:
            self.changed_catalogue = True

    def _insert_records(
        self, rows: list[dict[str, Any]], kpis: list[list[KpiData]], revisions: list[dict[str, Any]], now: Any
    ) -> None:
        if not rows:
            return
        ids = self._insert(Record, rows)
        if ids is None:
            found = {
                (pid, year): rid
                for rid, pid, year in self.conn.execute(
                    select(Record.id, Record.project_id, Record.fiscal_year).where(
                        self._in(Record.project_id, {r["project_id"] for r in rows})
                    )
                )
            }
            ids = [found[(r["project_id"], r["fiscal_year"])] for r in rows]
        kpi_rows = [_kpi_row(rid, k) for rid, items in zip(ids, kpis, strict=True) for k in items]
        if kpi_rows:
            self._insert(Kpi, kpi_rows)
        revisions += [
            {
                "record_id": rid,
                "field": "record",
                "old_value": None,
                "new_value": "作成",
                "actor": self.actor,
                "source": self.origin,
                "created_at": now,
            }
            for rid in ids
        ]

    def _update_records(self, rows: list[dict[str, Any]], kpis: list[tuple[int, list[Any], list[KpiData]]]) -> None:
        if not rows:
            return
        columns = [k for k in rows[0] if k != "rid"]
        self.conn.execute(
            update(Record).where(Record.id == bindparam("rid")).values({c: bindparam(f"new_{c}") for c in columns}),
            [{"rid": r["rid"], **{f"new_{c}": r[c] for c in columns}} for r in rows],
        )
        # KPIs keep their rows where the position is unchanged (ids stay), others are added or removed.
        updates, inserts, removed = [], [], []
        for rid, old, new in kpis:
            by_position = {k.position: k for k in old}
            for item in new:
                if item.position in by_position:
                    updates.append({"kid": by_position[item.position].id, **_kpi_values(item)})
                else:
                    inserts.append(_kpi_row(rid, item))
            removed += [k.id for k in old if k.position >= len(new)]
        if updates:
            self.conn.execute(
                update(Kpi).where(Kpi.id == bindparam("kid")).values({c: bindparam(f"new_{c}") for c in KPI_COLUMNS}),
                [{"kid": u["kid"], **{f"new_{c}": u[c] for c in KPI_COLUMNS}} for u in updates],
            )
        if inserts:
            self._insert(Kpi, inserts)
        if removed:
            self.conn.execute(delete(Kpi).where(Kpi.id.in_(removed)))


KPI_COLUMNS = ("name", "unit", "target", "target_status", "actual", "actual_status")


def _copy_value(value: Any, json: bool) -> Any:
    if value is None:
        return None
    if json:
        return Json(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _kpi_values(item: KpiData) -> dict[str, Any]:
    return {
        "name": item.name,
        "unit": item.unit,
        "target": item.target,
        "target_status": item.target_status,
        "actual": item.actual,
        "actual_status": item.actual_status,
    }


def _kpi_row(record_id: int, item: KpiData) -> dict[str, Any]:
    return {"record_id": record_id, "position": item.position, **_kpi_values(item)}
