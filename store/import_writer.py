"""Writing validated rows into one issuer's catalogue in batches, with a revision for every change.

A national sheet has 10^5 rows: the ORM's unit of work (a flush per record) managed ~400 rows/s.
Here each batch of complete (年度, 個別事業名) groups costs a handful of Core statements: one
SELECT of the records it may touch, then one executemany per table for what is new or changed
(``insertmanyvalues`` on SQLite and psycopg 3). Everything runs on the caller's transaction, so
the import stays all or nothing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, Boolean, Enum, any_, bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from store.import_conflicts import People, StaleRow, conflicts, saves_since, stale_message
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
    UTCDateTime,
    utcnow,
)
from store.records import ApplyResult, RowProblem, key_of, snapshot_of
from store.schemas import has_kpi

# One group: the rows of one project in one fiscal year, (row number, model, 基本目標 as typed). The
# first row is an ImportRow; a later one that repeats its cells but the KPI may be its KpiCells alone.
Group = list[tuple[int, Any, str]]


class KpiData(NamedTuple):
    position: int
    name: str
    unit: str
    target: Decimal | None
    target_status: KpiStatus
    actual: Decimal | None
    actual_status: KpiStatus


def _kpi_data(position: int, row: Any) -> KpiData:
    """The KPI cells of a row (ImportRow or KpiCells) as stored."""
    target, actual = row.kpi_target, row.kpi_actual
    return KpiData(
        position,
        row.kpi_name,
        row.kpi_unit,
        target.value,
        KpiStatus.PENDING if target.pending else KpiStatus.KNOWN,
        actual.value,
        KpiStatus.PENDING if actual.pending else KpiStatus.KNOWN,
    )


def _group_kpis(group: Group) -> list[KpiData]:
    return [_kpi_data(i, row) for i, row in enumerate(row for _, row, _ in group if has_kpi(row))]


class _Finishing(threading.Thread):
    """The end of a COPY, on another thread. PostgreSQL checks the foreign keys of the copied rows
    when the COPY ends (a record's project, goal, department, 今後の方針 and source: a third of an
    import's time); meanwhile the importer reads and validates the next batch, on another core.
    Nothing else runs on the connection until ``BatchWriter.settle`` has joined this thread."""

    def __init__(self, stack: ExitStack) -> None:
        super().__init__(name="kensho-copy-end", daemon=True)
        self.stack = stack
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.stack.close()
        except BaseException as exc:  # re-raised by settle(), on the importer's thread
            self.error = exc


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
        *,
        force: bool = False,
        bulk: bool = True,
    ) -> None:
        self.conn = session.connection()
        self.force = force  # write rows of an older export over what was saved since (--force)
        self._placeholder = -1  # next placeholder id of a dry write
        self._finishing: _Finishing | None = None
        # The last batch's KPIs and revisions: written with the next batch, once its records' COPY ended.
        self._later: list[tuple[type[Any], list[dict[str, Any]]]] = []
        self.bulk = bulk
        self._bind_processors: dict[tuple[str, tuple[str, ...]], list[tuple[int, Any, dict[Any, Any] | None]]] = {}
        self._keys: dict[str, str] = {}  # key_of of the department and 今後の方針 cells, which repeat
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

    def _insert(
        self, model: type[Any], rows: list[dict[str, Any]], *, ids: bool = False, background: bool = False
    ) -> list[int]:
        """Many rows of one table at once, in the caller's transaction; with ``ids``, the new rows' ids
        in row order (else []). Every row names the same columns, all but ``id``. ``background``: on
        PostgreSQL the COPY ends on another thread (``_Finishing``); ``settle`` waits for it.

        Fast path (``bulk``): the values go through the dialect's own bind processors (the same
        conversions SQLAlchemy applies), then on SQLite to sqlite3's executemany, on PostgreSQL to a
        COPY (psycopg's executemany would send one statement per row) with ids drawn from the table's
        sequence beforehand. Otherwise SQLAlchemy Core's executemany (insertmanyvalues, RETURNING in
        parameter order): slower, and the reference the fast path is tested against."""
        if not rows:
            return []
        self.settle()
        table = model.__table__
        if not self.bulk:
            stmt = insert(table)
            if not ids:
                self.conn.execute(stmt, rows)
                return []
            return list(self.conn.scalars(stmt.returning(table.c.id, sort_by_parameter_order=True), rows))
        columns = tuple(rows[0])
        processors = self._processors(table, columns)
        pick = itemgetter(*columns)
        data: list[list[Any]] = []
        for row in rows:
            cells = list(pick(row)) if len(columns) > 1 else [pick(row)]
            for i, process, memo in processors:
                value = cells[i]
                if memo is None:
                    cells[i] = process(value)
                else:
                    try:
                        cells[i] = memo[value]
                    except KeyError:
                        cells[i] = memo[value] = process(value)
            data.append(cells)
        names = ", ".join(f'"{c}"' for c in columns)
        if self.conn.dialect.name != "postgresql":
            cursor = self.conn.connection.driver_connection.cursor()  # the same transaction as ours
            try:
                marks = ", ".join("?" * len(columns))
                cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', data)
                if not ids:
                    return []
                # Under our write lock SQLite gives each new row the largest rowid + 1: the rows just
                # inserted are the last len(rows) ids. Checked, since nothing else may rely on it.
                last = cursor.execute(f'SELECT max(id) FROM "{table.name}"').fetchone()[0]
                first = last - len(rows) + 1
                found = cursor.execute(
                    f'SELECT count(*) FROM "{table.name}" WHERE id BETWEEN ? AND ?', (first, last)
                ).fetchone()[0]
            finally:
                cursor.close()
            if found != len(rows):
                raise RuntimeError(f"{table.name}: new ids are not consecutive")
            return list(range(first, last + 1))
        new_ids: list[int] = []
        if ids:
            new_ids = self.conn.scalar(
                text(
                    "SELECT array_agg(n ORDER BY n) FROM "
                    "(SELECT nextval(pg_get_serial_sequence(:t, 'id')) AS n FROM generate_series(1, :k)) AS s"
                ),
                {"t": table.name, "k": len(rows)},
            )
            names = f'"id", {names}'
        stack = ExitStack()
        cursor = stack.enter_context(self.conn.connection.driver_connection.cursor())  # our transaction
        try:
            copy = stack.enter_context(cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN'))
            if ids:
                for new_id, cells in zip(new_ids, data, strict=True):
                    copy.write_row([new_id, *cells])
            else:
                for cells in data:
                    copy.write_row(cells)
        except BaseException:
            stack.__exit__(*sys.exc_info())  # the COPY fails, the transaction with it
            raise
        if background:
            self._finishing = _Finishing(stack)
        else:
            stack.close()
        return new_ids

    def _processors(self, table: Any, columns: tuple[str, ...]) -> list[tuple[int, Any, dict[Any, Any] | None]]:
        """(position, bind processor, memo) of the columns whose values the dialect converts (JSON,
        enums, decimals and datetimes on SQLite …), computed once per table and column list. Enums,
        booleans and datetimes (converted to UTC) give equal results for equal values and repeat over
        a sheet (``now`` is one value per batch): their results are memoized."""
        key = (table.name, columns)
        found = self._bind_processors.get(key)
        if found is None:
            dialect = self.conn.dialect
            found = []
            for i, name in enumerate(columns):
                kind = table.c[name].type
                process = kind.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    found.append((i, process, {} if isinstance(kind, Enum | Boolean | UTCDateTime) else None))
            self._bind_processors[key] = found
        return found

    def settle(self) -> None:
        """Wait for a COPY ending in the background; its error, if any, is raised here."""
        finishing, self._finishing = self._finishing, None
        if finishing is not None:
            finishing.join()
            if finishing.error is not None:
                raise finishing.error

    def close(self, *, write: bool = True) -> None:
        """Write what is left of the last batch (unless not ``write``) and wait for the connection."""
        self.settle()
        later, self._later = self._later, []
        if write:
            for model, rows in later:
                self._insert(model, rows)

    def _new_ids(self, model: type[Any], rows: list[dict[str, Any]], dry: bool) -> list[int]:
        if not dry:
            return self._insert(model, rows, ids=True)
        first = self._placeholder
        self._placeholder -= len(rows)
        return list(range(first, self._placeholder, -1))

    def _key(self, text: str) -> str:
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = key_of(text)
        return found

    # --- catalogue entities ---------------------------------------------------------------------
    def _ensure_entities(self, groups: Sequence[Group], project_keys: list[str], *, dry: bool = False) -> None:
        """Create the departments, goals and projects this batch names; retitle goals, re-alias projects.
        ``dry``: nothing is written; new ones get placeholder ids (negative, never a row's)."""
        conn = self.conn
        new_departments = {}
        new_goals: dict[tuple[int, int], dict[str, Any]] = {}
        retitled: dict[int, dict[str, Any]] = {}
        new_projects: dict[str, dict[str, Any]] = {}
        realiased: dict[int, list[str]] = {}
        for group, key in zip(groups, project_keys, strict=True):
            _, data, label = group[0]
            if data.department and self._key(data.department) not in self.departments:
                new_departments.setdefault(self._key(data.department), data.department)
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
            ids = self._new_ids(
                Department, [{"issuer_id": self.issuer_id, "name": n, "aliases": []} for n in names], dry
            )
            for did, name in zip(ids, names, strict=True):
                self.departments[key_of(name)] = did
                self.department_names[did] = name
        if new_goals:
            rows = list(new_goals.values())
            ids = self._new_ids(Goal, rows, dry)
            for gid, r in zip(ids, rows, strict=True):
                self.goals[(r["fiscal_year"], r["number"])] = (gid, r["title"], r["label"])
                self.goal_labels[gid] = r["label"]
        if retitled and not dry:
            conn.execute(
                update(Goal)
                .where(Goal.id == bindparam("gid"))
                .values(title=bindparam("title"), label=bindparam("label")),
                list(retitled.values()),
            )
        if new_projects:
            rows = list(new_projects.values())
            ids = self._new_ids(Project, rows, dry)
            for pid, r in zip(ids, rows, strict=True):
                self.projects[key_of(r["name"])] = (pid, list(r["aliases"]))
                self.created_projects.add(pid)
        if realiased and not dry:
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
            Record.updated_at,
            Record.updated_by,
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

    def write(self, groups: Sequence[Group], result: ApplyResult, *, dry: bool = False) -> None:
        """Create, update or leave unchanged one record per group; problems go to ``result``.

        ``dry`` (the import already failed): every check, nothing written — new departments, goals
        and projects get placeholder ids, so that later rows are checked as they would be written.

        The records' COPY is the batch's last statement and ends in the background; their KPIs and
        the batch's revisions are written at the start of the next batch (or by ``close``)."""
        self.close(write=not dry)
        project_keys = [key_of(g[0][1].project) for g in groups]
        self._ensure_entities(groups, project_keys, dry=dry)
        keys = [(self.projects[k][0], g[0][1].fiscal_year) for g, k in zip(groups, project_keys, strict=True)]
        # A project created by this import has no records but those it writes (each group once).
        existing, existing_kpis = self._existing([k for k in keys if k[0] not in self.created_projects])
        now = utcnow()
        new_records: list[dict[str, Any]] = []
        new_kpis: list[list[KpiData]] = []
        changed: list[dict[str, Any]] = []
        changed_kpis: list[tuple[int, list[Any], list[KpiData]]] = []
        revisions: list[dict[str, Any]] = []
        stale: list[tuple[int, Any, Any, dict[str, str], dict[str, str], dict[str, Any], list[KpiData]]] = []

        def change(old: Any, before: dict[str, str], after: dict[str, str], values: dict[str, Any], kpis: Any) -> None:
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
            revisions.extend(
                {
                    "record_id": old.id,
                    "field": name,
                    "old_value": before.get(name),
                    "new_value": after[name],
                    "actor": self.actor,
                    "source": self.origin,
                    "created_at": now,
                    "record_version": old.version + 1,
                }
                for name in after
                if before.get(name, "") != after[name]
            )
            result.updated += 1

        for group, (project_id, year) in zip(groups, keys, strict=True):
            first_row, data, _ = group[0]
            option_id = None
            if data.policy:
                option = self.options.get(self._key(data.policy))
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
            kpis = _group_kpis(group)
            goal_id = self.goals[(year, data.goal[0])][0] if data.goal is not None else None
            department_id = self.departments[self._key(data.department)] if data.department else None
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
            elif not self.force and data.record_version is not None and data.record_version < old.version:
                stale.append((first_row, data, old, before, after, values, kpis))  # decided below, in one query
            else:
                change(old, before, after, values, kpis)
        if stale:
            saves = saves_since(self.conn, self._in, {old.id: data.record_version for _, data, old, *_ in stale})
            people = People.of(self.conn, {s.actor for found in saves.values() for s in found})
            for first_row, data, old, before, after, values, kpis in stale:
                found = saves.get(old.id, [])
                if not conflicts(found, before, after):
                    change(old, before, after, values, kpis)  # what changed since is not touched by the file
                    continue
                message = stale_message(
                    year=old.fiscal_year,
                    file_version=data.record_version,
                    current_version=old.version,
                    saves=found,
                    people=people,
                    department_id=old.department_id,
                    department=self.department_names.get(old.department_id, "") if old.department_id else "",
                    updated_at=old.updated_at,
                    updated_by=old.updated_by,
                )
                result.problems.append(StaleRow(first_row, "個別事業名", data.project, message))
        if result.problems or dry:
            return  # the transaction is rolled back: writing more would be wasted
        self._update_records(changed, changed_kpis)
        self._insert_records(new_records, new_kpis, revisions, now)
        if revisions:
            self._later.append((Revision, revisions))
        if new_records or changed:
            self.changed_catalogue = True

    def _insert_records(
        self, rows: list[dict[str, Any]], kpis: list[list[KpiData]], revisions: list[dict[str, Any]], now: Any
    ) -> None:
        if not rows:
            return
        ids = self._insert(Record, rows, ids=True, background=True)
        kpi_rows = [_kpi_row(rid, k) for rid, items in zip(ids, kpis, strict=True) for k in items]
        if kpi_rows:
            self._later.append((Kpi, kpi_rows))
        revisions += [
            {
                "record_id": rid,
                "field": "record",
                "old_value": None,
                "new_value": "作成",
                "actor": self.actor,
                "source": self.origin,
                "created_at": now,
                "record_version": 1,
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


def _kpi_values(item: KpiData) -> dict[str, Any]:
    return {c: getattr(item, c) for c in KPI_COLUMNS}


def _kpi_row(record_id: int, item: KpiData) -> dict[str, Any]:
    return {"record_id": record_id, "position": item.position, **_kpi_values(item)}
