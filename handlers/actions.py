"""Buttons: a candidate project chosen, an ephemeral answer shared to the channel."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.answer import FIELD_NAMES
from bot.charts import figures_chart
from handlers.blocks import CHART_ACTION, PICK_ACTION, SHARE_ACTION, answer_blocks, escape, fallback_text
from handlers.charts import read_button
from handlers.context import services_of
from handlers.respond import answer_message, politely


def _pick(value: str) -> tuple[int, list[str]] | None:
    try:
        data = json.loads(value)
        fields = [str(f) for f in data.get("f", [])][:5]
        return int(data["p"]), fields
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def handle_candidate_pick(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """A candidate project's button under 「どの事業ですか」: the answer about it, in place."""
    ack()
    picked = _pick(action.get("value", ""))
    if picked is None:
        respond(
            replace_original=False, response_type="ephemeral", text="このボタンは使えません。もう一度質問してください。"
        )
        return
    services = services_of(context)
    project_id, fields = picked
    ephemeral = body.get("container", {}).get("is_ephemeral", False)

    def reply() -> None:
        answer = services.asker.answer_project(project_id, fields=fields, viewer=body.get("user", {}).get("id", ""))
        share = None
        if ephemeral and answer.status == "answered" and answer.title:
            share = answer.title + (f"の{'と'.join(FIELD_NAMES.get(f, f) for f in fields)}" if fields else "")
        respond(replace_original=True, text=fallback_text(answer), blocks=answer_blocks(answer, share_question=share))

    politely(lambda **m: respond(replace_original=False, **m), "candidate", str(project_id), reply)


def handle_chart_button(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """「グラフで見る」 under an answer: the chart of its figures, posted into the conversation."""
    ack()
    services = services_of(context)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or message.get("ts")

    def draw() -> None:
        button = read_button(action.get("value", ""))
        spec = figures_chart(services.db, list(button.f), year=button.y) if button is not None else None
        if spec is None or not channel:
            respond(replace_original=False, response_type="ephemeral", text="グラフにするデータがありません。")
            return
        services.charts.post(client, spec, channel, thread_ts)

    politely(lambda **m: respond(replace_original=False, response_type="ephemeral", **m), "chart", channel, draw)


def handle_share(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """「チャンネルに共有」 under an answer only its asker saw: the answer posted to the channel."""
    ack()
    services = services_of(context)
    question = action.get("value", "")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    user = (body.get("user") or {}).get("id", "")

    def share() -> None:
        _, message = answer_message(services, question)
        note = {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"{escape(services.names(user))} さんが共有しました"}],
        }
        client.chat_postMessage(channel=channel, text=message["text"], blocks=[*message["blocks"], note])
        respond(delete_original=True)

    politely(lambda **m: respond(replace_original=False, response_type="ephemeral", **m), "share", channel, share)


def register(app: App) -> None:
    app.action(re.compile(f"^{PICK_ACTION}(_\\d+)?$"))(handle_candidate_pick)
    app.action(CHART_ACTION)(handle_chart_button)
    app.action(SHARE_ACTION)(handle_share)
