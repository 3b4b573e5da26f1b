"""Self-evaluation in Slack: open the form (command, shortcut, button), pick a project, submit."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.selfeval import (
    NOT_ALLOWED,
    STATUS_LABELS,
    FormData,
    Outcome,
    change_lines,
    choices_for,
    form_for,
    open_form,
    refusal_text,
    submit,
)
from handlers.blocks import UPDATE_ACTION, escape, plain
from handlers.context import Services, services_of
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
    """Open the right first view at once (the trigger id lives 3 seconds): the form, a picker of the
    person's projects, or a notice why not."""
    opening = open_form(services.db, user_id, record_id)
    if opening.form is not None:
        view = form_view(opening.form)
    elif opening.refusal is not None:
        view = notice_view("自己評価の更新", opening.refusal)
    elif opening.choices:
        view = picker_view(opening.choices)
    else:
        view = notice_view("自己評価の更新", NO_PROJECTS)
    client.views_open(trigger_id=trigger_id, view=view)


def _notify(services: Services, client: WebClient, user_id: str, outcome: Outcome) -> None:
    """A DM to the person who saved, and a post in the department's (or the administrators') channel."""
    saved = outcome.saved
    assert saved is not None
    status = STATUS_LABELS[saved.status]
    changes = change_lines(saved.revisions)
    detail = "\n".join(f"・{escape(line)}" for line in changes) or "・内容の変更はありません"
    project = escape(saved.project_name)
    dm = f"*{project}*の自己評価を{status}として保存しました。\n{detail}"
    try:
        client.chat_postMessage(channel=user_id, text=dm)
    except Exception:
        log.exception("could not DM %s about record %s", user_id, saved.record_id)
    if outcome.channel and saved.revisions:
        who = escape(services.names(user_id))
        post = f"{who} さんが *{project}* の自己評価を{status}として保存しました。\n{detail}"
        try:
            client.chat_postMessage(channel=outcome.channel, text=post)
        except Exception:
            log.exception("could not post to %s about record %s", outcome.channel, saved.record_id)


def handle_update_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The global shortcut 「自己評価を更新」."""
    ack()
    open_for_user(services_of(context), client, shortcut["trigger_id"], shortcut["user"]["id"])


def handle_update_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """「更新する」 under an answer, in a reminder or in App Home: the form of the record it names."""
    ack()
    try:
        record_id = int(action.get("value", ""))
    except ValueError:
        client.views_open(trigger_id=body["trigger_id"], view=notice_view("自己評価の更新", "このボタンは使えません。"))
        return
    open_for_user(services_of(context), client, body["trigger_id"], body["user"]["id"], record_id)


def handle_record_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The picker's choices: the person's updatable projects whose name holds what they typed."""
    query = (body.get("value") or "").strip()
    choices = choices_for(services_of(context).db, body["user"]["id"])
    matching = [c for c in choices if query in c[1]] if query else choices
    ack(options=[{"text": plain(name, 75), "value": str(rid)} for rid, name, _ in matching[:100]])


def handle_pick_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The picker submitted: the chosen record's form replaces it."""
    state = (view.get("state") or {}).get("values", {}).get("record", {})
    element = next(iter(state.values()), {}) if state else {}
    try:
        record_id = int(((element or {}).get("selected_option") or {}).get("value"))
    except (TypeError, ValueError):
        ack(response_action="errors", errors={"record": "事業を選んでください"})
        return
    try:
        form: FormData = form_for(services_of(context).db, body["user"]["id"], record_id)
    except NotAllowed as refused:
        ack(response_action="errors", errors={"record": refusal_text(refused)})
        return
    except UnknownRecord:
        ack(response_action="errors", errors={"record": NOT_ALLOWED})
        return
    ack(response_action="update", view=form_view(form))


def handle_form_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """保存 in the form: errors beside the fields, a refusal as a notice, or saved and announced."""
    services = services_of(context)
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
    _notify(services, client, user_id, outcome)


def register(app: App) -> None:
    app.shortcut(SHORTCUT)(handle_update_shortcut)
    app.action(UPDATE_ACTION)(handle_update_button)
    app.options(RECORD_OPTIONS)(handle_record_options)
    app.view(PICK_CALLBACK)(handle_pick_submission)
    app.view(FORM_CALLBACK)(handle_form_submission)
