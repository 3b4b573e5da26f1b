"""The slash command ``/kensho``: help, a question (answered only to the asker), and subcommands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import committees
from bot.chart_request import chart_for
from bot.people import add_member, is_admin, member_groups, parse_user, remove_member
from bot.selfeval import record_to_update
from handlers.blocks import escape
from handlers.context import Services, services_of
from handlers.help import help_text, is_help
from handlers.respond import answer_message, politely
from handlers.selfeval import open_for_user
from store.committees import CommitteeError
from store.db import Database

COMMAND = "/kensho"
UPDATE_WORDS = {"更新", "自己評価", "入力", "update"}
MEMBER_ADD = {"メンバー追加", "member-add"}
MEMBER_REMOVE = {"メンバー削除", "member-remove"}
MEMBER_LIST = {"メンバー一覧", "members"}
COMMITTEE = {"委員会", "committee"}
COMMITTEE_USAGE = (
    "使い方：/kensho 委員会 一覧 ／ /kensho 委員会 追加 名前 締切(2026-06-15T17:00) 開催日(2026-07-10) 年度(令和7年度)"
    " ／ /kensho 委員会 変更 名前 締切 [開催日] [年度] ／ /kensho 委員会 削除 名前"
)
ADMIN_ONLY = "この操作は管理者（企画担当）のみ行えます。"
CHART_HINT = (
    "グラフは画像としてスレッドに投稿するため、チャンネルで `@kensho 寄附額をグラフで` のようにメンションするか、"
    "DMでご依頼ください。"
)


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def member_list(db: Database) -> str:
    """Departments escaped (a name can never ping or link), people as Slack mentions of valid ids."""
    groups, admins = member_groups(db)

    def people(ids: list[str]) -> str:
        return "、".join(f"<@{u}>" if parse_user(u) == u else escape(u) for u in ids) or "（未登録）"

    lines = [f"{escape(department)}：{people(users)}" for department, users in groups]
    return "\n".join(["*メンバー一覧*", *lines, f"管理者：{people(admins)}"])


def handle_kensho_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """``/kensho …``: help, 更新 (the self-evaluation form), メンバー…, 委員会…, or a question."""
    ack()
    services = services_of(context)
    text = (command.get("text") or "").strip()
    user_id = command.get("user_id", "")
    head, _, rest = text.replace("\u3000", " ").partition(" ")
    if is_help(text):
        _reply(respond, help_text(services.asker.examples()), escaped=True)
    elif head in UPDATE_WORDS:
        _open_update(services, command, rest.strip(), respond, client)
    elif head in MEMBER_ADD | MEMBER_REMOVE | MEMBER_LIST:
        _manage_members(services, head, rest.strip(), user_id, respond)
    elif head in COMMITTEE:
        _manage_committees(services, rest.strip(), user_id, respond)
    else:
        _answer(services, text, user_id, respond)


def register(app: App) -> None:
    app.command(COMMAND)(handle_kensho_command)


def _reply(respond: Respond, text: str, *, escaped: bool = False) -> None:
    shown = text if escaped else escape(text)
    respond(response_type="ephemeral", text=shown, blocks=[_mrkdwn(shown)])


def _answer(services: Services, text: str, user_id: str, respond: Respond) -> None:
    def run() -> None:
        if chart_for(services.db, text) is not None:  # a chart cannot be shown to one person only
            _reply(respond, CHART_HINT)
            return
        _, message = answer_message(services, text, user_id=user_id, share=True)
        respond(response_type="ephemeral", **message)

    politely(lambda **m: respond(response_type="ephemeral", **m), "command", escape(text[:50]), run)


def _open_update(
    services: Services, command: dict[str, Any], project: str, respond: Respond, client: WebClient
) -> None:
    trigger_id, user_id = command["trigger_id"], command["user_id"]
    record_id = None
    if project:
        record_id = record_to_update(services.asker, project)
        if record_id is None:
            _reply(respond, f"「{project}」に当たる事業を1つに絞れませんでした。事業名を確かめてください。")
            return
    open_for_user(services, client, trigger_id, user_id, record_id)


def _manage_members(services: Services, head: str, rest: str, user_id: str, respond: Respond) -> None:
    if not is_admin(services.db, user_id):
        _reply(respond, ADMIN_ONLY)
        return
    if head in MEMBER_LIST:
        _reply(respond, member_list(services.db), escaped=True)
        return
    who, _, department = rest.partition(" ")
    if not who or not department.strip():
        _reply(respond, "使い方：/kensho メンバー追加 @ユーザー 担当課名")
        return
    catalogue = services.asker.cache.get()
    if head in MEMBER_ADD:
        _, message = add_member(services.db, catalogue, who, department.strip(), actor=user_id)
    else:
        _, message = remove_member(services.db, catalogue, who, department.strip())
    _reply(respond, message)


def _manage_committees(services: Services, rest: str, user_id: str, respond: Respond) -> None:
    action, *args = rest.split() or [""]
    if action in {"", "一覧", "list"}:
        _reply(respond, "*委員会*\n" + "\n".join(committees.listing(services.db, datetime.now(UTC))))
        return
    if not is_admin(services.db, user_id):
        _reply(respond, ADMIN_ONLY)
        return
    try:
        if action in {"追加", "add"} and len(args) >= 3:
            name, deadline, *more = args
            meeting = more[0] if len(more) >= 2 else None
            _reply(respond, committees.add(services.db, committees.CommitteeInput(name, deadline, meeting, more[-1])))
        elif action in {"変更", "edit"} and len(args) >= 2:
            name, deadline, *more = args
            item = committees.CommitteeInput(
                name, deadline, more[0] if more else None, more[1] if len(more) > 1 else None
            )
            _reply(respond, committees.edit(services.db, item))
        elif action in {"削除", "remove"} and len(args) == 1:
            _reply(respond, committees.remove(services.db, args[0]))
        else:
            _reply(respond, COMMITTEE_USAGE)
    except CommitteeError as exc:
        _reply(respond, str(exc))
