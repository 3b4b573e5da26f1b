"""`kensho members|admins|channels|history`: people, channels and revision history from the shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from bot.ask import Asker
from bot.people import add_member, member_lines, parse_user, remove_member, resolve_department, unknown_department
from bot.selfeval import history
from store import people
from store.db import Database

OpenDb = Callable[[], Database]


def _fail(message: str) -> int:
    print(f"エラー: {message}", file=sys.stderr)
    return 1


def register(sub: Any, open_db: OpenDb) -> None:
    members = sub.add_parser(
        "members",
        help="担当課のメンバー（自己評価を更新できる人）を管理します",
        description="Slack のユーザーIDと担当課の対応を管理します。担当課名はあいまいでも探します。",
    )
    msub = members.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    add = msub.add_parser("add", help="メンバーを追加します（例: kensho members add U01ABCDEF 労働政策課）")
    add.add_argument("user", help="Slack のユーザーID（U…）")
    add.add_argument("department", help="担当課名")
    add.set_defaults(func=lambda a: _members_change(open_db, a, adding=True))
    rm = msub.add_parser("remove", help="メンバーを外します")
    rm.add_argument("user", help="Slack のユーザーID（U…）")
    rm.add_argument("department", help="担当課名")
    rm.set_defaults(func=lambda a: _members_change(open_db, a, adding=False))
    ls = msub.add_parser("list", help="担当課ごとのメンバーと管理者を表示します")
    ls.set_defaults(func=lambda a: _print_lines(member_lines(open_db())))

    admins = sub.add_parser(
        "admins",
        help="管理者（企画担当）を管理します",
        description="管理者はすべての事業を更新でき、Slack からメンバーを管理できます。",
    )
    asub = admins.add_subparsers(dest="admins_command", metavar="ACTION", required=True)
    aadd = asub.add_parser("add", help="管理者を追加します")
    aadd.add_argument("user", help="Slack のユーザーID（U…）")
    aadd.set_defaults(func=lambda a: _admins_change(open_db, a.user, adding=True))
    arm = asub.add_parser("remove", help="管理者から外します")
    arm.add_argument("user", help="Slack のユーザーID（U…）")
    arm.set_defaults(func=lambda a: _admins_change(open_db, a.user, adding=False))
    als = asub.add_parser("list", help="管理者を表示します")
    als.set_defaults(func=lambda a: _admins_list(open_db))

    channels = sub.add_parser(
        "channels",
        help="更新のお知らせを投稿するチャンネルを設定します",
        description="担当課ごとのチャンネル、または管理者チャンネル（admin）を設定します。",
    )
    csub = channels.add_subparsers(dest="channels_command", metavar="ACTION", required=True)
    cset = csub.add_parser(
        "set", help="例: kensho channels set 労働政策課 C01234567 ／ kensho channels set admin C0ADMIN"
    )
    cset.add_argument("target", help="担当課名、または admin")
    cset.add_argument("channel", help="チャンネルID（C…）。none で解除")
    cset.set_defaults(func=lambda a: _channel_set(open_db, a.target, a.channel))

    hist = sub.add_parser(
        "history",
        help="事業の更新履歴を表示します（例: kensho history 健康ポイント）",
        description="事業名（あいまいでも可）の更新履歴を新しい順に表示します。",
    )
    hist.add_argument("project", help="事業名")
    hist.add_argument("--limit", type=int, default=50, help="表示する件数（既定: 50）")
    hist.set_defaults(func=lambda a: _history(open_db, a.project, a.limit))


def _print_lines(lines: list[str]) -> int:
    for line in lines:
        print(line)
    return 0


def _members_change(open_db: OpenDb, args: argparse.Namespace, adding: bool) -> int:
    db = open_db()
    catalogue = Asker(db).cache.get()
    if adding:
        ok, message = add_member(db, catalogue, args.user, args.department, actor="cli")
    else:
        ok, message = remove_member(db, catalogue, args.user, args.department)
    print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _admins_change(open_db: OpenDb, user_text: str, adding: bool) -> int:
    user = parse_user(user_text)
    if user is None:
        return _fail(f"ユーザーIDの形式が正しくありません（例: U01ABCDEF）：{user_text}")
    with open_db().session() as session:
        changed = people.add_admin(session, user, "cli") if adding else people.remove_admin(session, user)
    if adding:
        print(f"{user} を管理者に追加しました。" if changed else f"{user} はすでに管理者です。")
        return 0
    print(f"{user} を管理者から外しました。" if changed else f"{user} は管理者ではありません。")
    return 0 if changed else 1


def _admins_list(open_db: OpenDb) -> int:
    with open_db().session() as session:
        users = people.admins(session)
    return _print_lines(users or ["（管理者は登録されていません）"])


def _channel_set(open_db: OpenDb, target: str, channel: str) -> int:
    channel_id = None if channel.lower() == "none" else channel.strip()
    if channel_id is not None and not (channel_id[:1] in "CGD" and channel_id[1:].isalnum()):
        return _fail(f"チャンネルIDの形式が正しくありません（例: C01234567）：{channel}")
    db = open_db()
    if target.lower() == "admin":
        with db.session() as session:
            people.set_setting(session, people.ADMIN_CHANNEL, channel_id)
        print(f"管理者チャンネルを {channel_id or '（なし）'} に設定しました。")
        return 0
    resolved = resolve_department(Asker(db).cache.get(), target)
    if resolved.department_id is None:
        return _fail(unknown_department(target, resolved))
    with db.session() as session:
        people.set_department_channel(session, resolved.department_id, channel_id)
    print(f"{resolved.name} のお知らせチャンネルを {channel_id or '（なし）'} に設定しました。")
    return 0


def _history(open_db: OpenDb, project: str, limit: int) -> int:
    db = open_db()
    found = Asker(db).ask(project)
    if found.status != "answered" or len(found.project_ids) != 1:
        candidates = "、".join(found.projects or [c.name for c in found.candidates])
        return _fail(
            f"「{project}」に当たる事業を1つに絞れませんでした。" + (f"候補：{candidates}" if candidates else "")
        )
    name, lines = history(db, found.project_ids[0], limit=limit)
    print(f"{name}の更新履歴（新しい順）")
    return _print_lines(lines or ["（更新履歴はありません）"])
