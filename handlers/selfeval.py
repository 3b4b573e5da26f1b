"""Self-evaluation in Slack: open the form (command, shortcut, button), pick a project, submit."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.selfeval import (
    NOT_ALLOWED,
    STATUS_LABELS,
    FormData,
    Outcome,
    change_lines,
    choices_for,
    form_for,
    refusal_text,
    submit,
)
from handlers.blocks import UPDATE_ACTION, escape, plain
from handlers.context import Services
from handlers.modal import (
    FORM_CALLBACK,
    PICK_CALLBACK,
    RECORD_OPTIONS,
    error_blocks_for,
    form_view,
    notice_view,
    picker_view,
    read_form,
    read_metadata,
)
from store.people import notification_channel
from store.selfeval import NotAllowed, UnknownRecord

log = logging.getLogger(__name__)

SHORTCUT = "kensho_update"
NO_PROJECTS = (
    "自己評価を更新できる事業がありません。担当課のメンバー登録がまだの場合は、企画担当（管理者）に"
    "「/kensho メンバー追加 @あなた 担当課名」で登録を依頼してください。"
)


def open_for_user(
    services: Services, client: WebClient, trigger_id: str, user_id: str, record_id: int | None = None
) -> None:
    """Open the right first view at once (the trigger id lives 3 seconds)."""
    if record_id is None:
        choices = choices_for(services.db, user_id)
        if not choices:
            client.views_open(trigger_id=trigger_id, view=notice_view("自己評価の更新", NO_PROJECTS))
            return
        if len(choices) > 1:
            client.views_open(trigger_id=trigger_id, view=picker_view(choices))
            return
        record_id = choices[0][0]
    try:
        form = form_for(services.db, user_id, record_id)
    except NotAllowed as refused:
        client.views_open(trigger_id=trigger_id, view=notice_view("自己評価の更新", refusal_text(refused)))
        return
    except UnknownRecord:
        client.views_open(
            trigger_id=trigger_id, view=notice_view("自己評価の更新", "対象の事業が見つかりませんでした。")
        )
        return
    client.views_open(trigger_id=trigger_id, view=form_view(form))


def _notify(services: Services, client: WebClient, user_id: str, form_project: str, outcome: Outcome) -> None:
    saved = outcome.saved
    assert saved is not None
    status = STATUS_LABELS[saved.status]
    changes = change_lines(saved.revisions)
    detail = "\n".join(f"・{escape(line)}" for line in changes) or "・内容の変更はありません"
    dm = f"*{escape(form_project)}*の自己評価を{status}として保存しました。\n{detail}"
    try:
        client.chat_postMessage(channel=user_id, text=dm)
    except Exception:
        log.exception("could not DM %s about record %s", user_id, saved.record_id)
    with services.db.session() as session:
        channel = notification_channel(session, saved.department_id)
    if channel and saved.revisions:
        who = escape(services.names(user_id))
        post = f"{who} さんが *{escape(form_project)}* の自己評価を{status}として保存しました。\n{detail}"
        try:
            client.chat_postMessage(channel=channel, text=post)
        except Exception:
            log.exception("could not post to %s about record %s", channel, saved.record_id)


def register(app: App, services: Services) -> None:
    @app.shortcut(SHORTCUT)
    def on_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        open_for_user(services, client, shortcut["trigger_id"], shortcut["user"]["id"])

    @app.action(UPDATE_ACTION)
    def on_update_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            record_id = int(action.get("value", ""))
        except ValueError:
            client.views_open(
                trigger_id=body["trigger_id"], view=notice_view("自己評価の更新", "このボタンは使えません。")
            )
            return
        open_for_user(services, client, body["trigger_id"], body["user"]["id"], record_id)

    @app.options(RECORD_OPTIONS)
    def on_record_options(ack: Ack, body: dict[str, Any]) -> None:
        query = (body.get("value") or "").strip()
        choices = choices_for(services.db, body["user"]["id"])
        matching = [c for c in choices if query in c[1]] if query else choices
        ack(options=[{"text": plain(name, 75), "value": str(rid)} for rid, name, _ in matching[:100]])

    @app.view(PICK_CALLBACK)
    def on_pick(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        state = (view.get("state") or {}).get("values", {}).get("record", {})
        element = next(iter(state.values()), {}) if state else {}
        try:
            record_id = int(((element or {}).get("selected_option") or {}).get("value"))
        except (TypeError, ValueError):
            ack(response_action="errors", errors={"record": "事業を選んでください"})
            return
        try:
            form: FormData = form_for(services.db, body["user"]["id"], record_id)
        except NotAllowed as refused:
            ack(response_action="errors", errors={"record": refusal_text(refused)})
            return
        except UnknownRecord:
            ack(response_action="errors", errors={"record": NOT_ALLOWED})
            return
        ack(response_action="update", view=form_view(form))

    @app.view(FORM_CALLBACK)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        meta = read_metadata(view)
        if meta is None:
            ack(
                response_action="push",
                view=notice_view("保存できませんでした", "フォームの情報を読み取れませんでした。開き直してください。"),
            )
            return
        record_id, version, opened_at = meta
        raw, final = read_form(view)
        outcome = submit(
            services.db,
            user_id=user_id,
            record_id=record_id,
            version=version,
            opened_at=opened_at,
            raw=raw,
            final=final,
            names=services.names,
        )
        if outcome.errors:
            ack(response_action="errors", errors=error_blocks_for(outcome.errors))
            return
        if outcome.refusal:
            ack(response_action="push", view=notice_view("保存できませんでした", outcome.refusal))
            return
        ack()
        assert outcome.saved is not None
        _notify(services, client, user_id, outcome.saved.project_name, outcome)
