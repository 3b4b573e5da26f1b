"""The slash command ``/kensho``: help, or a question answered only to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from handlers.blocks import escape
from handlers.context import Services
from handlers.respond import answer_message, politely

COMMAND = "/kensho"
HELP = (
    "*kensho の使い方*\n"
    "• `/kensho 質問` … 自分だけに見える形で回答します（「チャンネルに共有」で共有できます）\n"
    "• `/kensho help` … この説明を表示します\n"
    "• チャンネルで `@kensho 質問` とメンションすると、スレッドで回答します。DMでも質問できます。\n"
    "*質問の例*\n"
    "• ぐんま健康ポイントの寄附額は？\n• 医療機関応援金の担当課は？\n• 寄附額の合計は？\n"
    "• 寄附件数が一番多い事業は？\n• 基本目標2の事業は？\n• 終了する事業は？"
)
HELP_WORDS = {"", "help", "ヘルプ", "使い方", "つかいかた", "?", "？"}


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        text = (command.get("text") or "").strip()
        if text.lower() in HELP_WORDS:
            respond(
                response_type="ephemeral",
                text=HELP,
                blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": HELP}}],
            )
            return

        def reply() -> None:
            _, message = answer_message(services, text, share=True)
            respond(response_type="ephemeral", **message)

        politely(lambda **m: respond(response_type="ephemeral", **m), "command", escape(text[:50]), reply)
