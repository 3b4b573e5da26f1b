"""Managing members and administrators (CLI and Slack share these), with replies in Japanese."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalogue import Catalogue
from bot.names import SUGGEST
from bot.normalize import fold
from bot.reading import reading
from store import people
from store.db import Database

_USER = re.compile(r"^<?@?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$")


@dataclass
class Resolved:
    department_id: int | None
    name: str = ""
    suggestions: list[str] | None = None


def parse_user(text: str) -> str | None:
    """U01ABCDEF or a Slack mention <@U01ABCDEF|name> -> U01ABCDEF."""
    m = _USER.match(text.strip())
    return m.group(1) if m else None


# Granting permissions asks for more certainty than answering a question.
GRANT_ACCEPT = 0.9
GRANT_MARGIN = 0.1


def resolve_department(catalogue: Catalogue, name: str) -> Resolved:
    """A department by (fuzzy) name, as questions are matched, but stricter; refuse when unsure."""
    hits = catalogue.department_index.best(fold(name), reading(name), limit=5)
    if hits and hits[0][1] >= GRANT_ACCEPT and (len(hits) == 1 or hits[0][1] - hits[1][1] >= GRANT_MARGIN):
        dept = catalogue.departments[hits[0][0]]
        return Resolved(dept.id, dept.name)
    return Resolved(None, suggestions=[catalogue.departments[i].name for i, s in hits if s >= SUGGEST][:3])


def unknown_department(name: str, resolved: Resolved) -> str:
    text = f"「{name}」に当たる担当課が見つかりませんでした。"
    if resolved.suggestions:
        text += "もしかして：" + "、".join(resolved.suggestions)
    return text


def _membership(catalogue: Catalogue, user_text: str, department: str) -> tuple[str, Resolved] | str:
    """(user id, department) named by a command, or the Japanese reason they cannot be."""
    user = parse_user(user_text)
    if user is None:
        return f"ユーザーIDの形式が正しくありません（例: U01ABCDEF または @メンション）：{user_text}"
    resolved = resolve_department(catalogue, department)
    if resolved.department_id is None:
        return unknown_department(department, resolved)
    return user, resolved


def add_member(db: Database, catalogue: Catalogue, user_text: str, department: str, actor: str) -> tuple[bool, str]:
    target = _membership(catalogue, user_text, department)
    if isinstance(target, str):
        return False, target
    user, resolved = target
    with db.session() as session:
        added = people.add_member(session, user, resolved.department_id, actor)  # type: ignore[arg-type]
    if not added:
        return True, f"<@{user}> さんはすでに {resolved.name} のメンバーです。"
    return True, f"<@{user}> さんを {resolved.name} のメンバーに追加しました。"


def remove_member(db: Database, catalogue: Catalogue, user_text: str, department: str) -> tuple[bool, str]:
    target = _membership(catalogue, user_text, department)
    if isinstance(target, str):
        return False, target
    user, resolved = target
    with db.session() as session:
        removed = people.remove_member(session, user, resolved.department_id)  # type: ignore[arg-type]
    if not removed:
        return False, f"<@{user}> さんは {resolved.name} のメンバーではありません。"
    return True, f"<@{user}> さんを {resolved.name} のメンバーから外しました。"


def member_groups(db: Database) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """([(department name, user ids)], administrator ids)."""
    with db.session() as session:
        rows = people.members(session)
        admins = people.admins(session)
    by_department: dict[str, list[str]] = {}
    for department, user in rows:
        by_department.setdefault(department, []).append(user)
    return list(by_department.items()), admins


def member_lines(db: Database) -> list[str]:
    """The member list as plain lines (the command line's `kensho members list`)."""
    groups, admins = member_groups(db)
    lines = [f"{d}：{'、'.join(f'<@{u}>' for u in users)}" for d, users in groups]
    lines.append("管理者：" + ("、".join(f"<@{a}>" for a in admins) if admins else "（未登録）"))
    return lines


def is_admin(db: Database, user_id: str) -> bool:
    with db.session() as session:
        return people.is_admin(session, user_id)
