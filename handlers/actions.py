"""Buttons: a candidate project chosen, an ephemeral answer shared to the channel."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.answer import FIELD_NAMES
from handlers.blocks import CHART_ACTION, PICK_ACTION, SHARE_ACTION, answer_blocks, escape, fallback_text
from handlers.charts import spec_from_button
from handlers.context import Services
from handlers.respond import answer_message, politely


def _pick(value: str) -> tuple[int, list[str]] | None:
    try:
        data = json.loads(value)
        fields = [str(f) for f in data.get("f", [])][:5]
        return int(data["p"]), fields
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def register(app: App, services: Services) -> None:
    @app.action(re.compile(f"^{PICK_ACTION}(_\\d+)?$"))
    def on_pick(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond) -> None:
        ack()
        picked = _pick(action.get("value", ""))
        if picked is None:
            respond(
                replace_original=False,
                response_type="ephemeral",
                text="このボタンは使えません。もう一度質問してください。",
            )
            return
        project_id, fields = picked
        ephemeral = body.get("container", {}).get("is_ephemeral", False)

        def reply() -> None:
            answer = services.asker.answer_project(project_id, fields=fields, viewer=body.get("user", {}).get("id", ""))
            share = None
            if ephemeral and answer.status == "answered" and answer.title:
                share = answer.title + (f"の{'と'.join(FIELD_NAMES.get(f, f) for f in fields)}" if fields else "")
            respond(
                replace_original=True, text=fallback_text(answer), blocks=answer_blocks(answer, share_question=share)
            )

        politely(lambda **m: respond(replace_original=False, **m), "candidate", str(project_id), reply)

    @app.action(CHART_ACTION)
    def on_chart(ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")

        def draw() -> None:
            spec = spec_from_button(services.db, action.get("value", ""))
            if spec is None or not channel:
                respond(replace_original=False, response_type="ephemeral", text="グラフにするデータがありません。")
                return
            services.charts.post(client, spec, channel, thread_ts)

        politely(lambda **m: respond(replace_original=False, response_type="ephemeral", **m), "chart", channel, draw)

    @app.action(SHARE_ACTION)
    def on_share(ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
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
