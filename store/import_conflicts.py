"""No lost update from an import: a row of an old export whose record has changed since is refused.

kensho's export writes each record's version (``版``). When a row comes back with an older version
than the record has now, the saves made since (revisions with a higher ``record_version``) say
which fields someone else changed. The row is refused when the file would change any of those
fields back — the department's submission would silently be undone — and the refusal names who
changed what and when (「2026年12月1日 10:32 に健康長寿社会づくり推進課（U0MEMBER）が KPI実績値・事業の評価
を更新しています」). ``kensho import --force`` applies such rows anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from store import values
from store.models import Admin, Member, Revision
from store.records import FIELD_LABELS, RowProblem

JST = timezone(timedelta(hours=9), "JST")  # no daylight saving time in Japan since 1951
IMPORT_SOURCES = ("import", "seed")


class StaleRow(RowProblem):
    """A row of an export older than its record, that would undo what was saved since."""


@dataclass
class Save:
    """One change of a record since the export: the version it made, when, by whom, which fields."""

    version: int
    at: datetime
    actor: str
    source: str
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # field: (old, new)


def saves_since(
    conn: Connection, in_: Callable[[Any, Iterable[Any]], Any], since: dict[int, int]
) -> dict[int, list[Save]]:
    """Per record id, the saves that made a version above ``since[record id]``, oldest first."""
    found: dict[int, dict[int, Save]] = {}
    stmt = (
        select(
            Revision.record_id,
            Revision.record_version,
            Revision.created_at,
            Revision.actor,
            Revision.source,
            Revision.field,
            Revision.old_value,
            Revision.new_value,
        )
        .where(in_(Revision.record_id, list(since)), Revision.record_version.is_not(None))
        .order_by(Revision.record_id, Revision.record_version, Revision.id)
    )
    for rid, version, at, actor, source, name, old, new in conn.execute(stmt):
        if version <= since[rid]:
            continue
        save = found.setdefault(rid, {}).setdefault(version, Save(version, at, actor, source))
        save.fields[name] = (old, new)
    return {rid: list(by_version.values()) for rid, by_version in found.items()}


def conflicts(saves: list[Save], stored: dict[str, str], incoming: dict[str, str]) -> bool:
    """Whether importing ``incoming`` over ``stored`` would change a field saved since the export
    (any difference at all when the saves are not known, e.g. revisions older than migration 0008)."""
    if not saves:
        return stored != incoming
    changed = {name for save in saves for name in save.fields}
    return any(stored.get(name, "") != incoming.get(name, "") for name in changed if name in incoming)


@dataclass
class People:
    """Administrators and department memberships of the actors of some saves (for 「誰が」)."""

    admins: set[str]
    departments: dict[str, set[int]]

    @classmethod
    def of(cls, conn: Connection, actors: set[str]) -> People:
        if not actors:
            return cls(set(), {})
        admins = set(conn.scalars(select(Admin.user_id).where(Admin.user_id.in_(sorted(actors)))))
        departments: dict[str, set[int]] = {}
        for user, department in conn.execute(
            select(Member.user_id, Member.department_id).where(Member.user_id.in_(sorted(actors)))
        ):
            departments.setdefault(user, set()).add(department)
        return cls(admins, departments)

    def who(self, save: Save, department_id: int | None, department: str) -> str:
        if save.source in IMPORT_SOURCES:
            return f"取り込み（{save.actor}）"
        member = department_id is not None and department_id in self.departments.get(save.actor, set())
        if not member and save.actor in self.admins:
            return f"企画担当（{save.actor}）"
        return f"{department}（{save.actor}）" if department else save.actor


def when(at: datetime) -> str:
    """2026年12月1日 10:32, in Japan."""
    local = at.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def field_label(name: str, old: str | None, new: str | None) -> str:
    """A revision's field in words; KPI lines that differ only in 実績 are 「KPI実績値」."""
    if name == "kpis":
        before, after = (old or "").splitlines(), (new or "").splitlines()
        if len(before) == len(after) and [b.partition(" / 実績 ")[0] for b in before] == [
            a.partition(" / 実績 ")[0] for a in after
        ]:
            return "KPI実績値"
        return "KPI"
    return FIELD_LABELS.get(name, name)


def stale_message(
    *,
    year: int,
    file_version: int,
    current_version: int,
    saves: list[Save],
    people: People,
    department_id: int | None,
    department: str,
    updated_at: datetime,
    updated_by: str,
) -> str:
    """Why the row is refused, in Japanese, naming each save since the export."""
    head = (
        f"{values.fiscal_year_label(year)}の記録は書き出しの後に更新されています"
        f"（ファイルは版{file_version}、現在は版{current_version}）。"
    )
    if saves:
        parts = []
        for save in saves:
            labels = dict.fromkeys(field_label(name, *change) for name, change in save.fields.items())
            who = people.who(save, department_id, department)
            parts.append(f"{when(save.at)} に{who}が {'・'.join(labels)} を更新しています")
        said = "。".join(parts)
    else:
        said = f"{when(updated_at)} に{updated_by or '不明な更新者'}が更新しています"
    return f"{head}{said}。取り込むとこれらの更新が元に戻るため、この行は取り込みませんでした"
