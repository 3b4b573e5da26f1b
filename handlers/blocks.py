"""Block Kit for answers: escaped, split under Slack's limits, with candidate and share buttons."""

from __future__ import annotations

import json
from typing import Any

from bot.answer import Answer

SECTION_LIMIT = 2900  # section text is limited to 3,000 characters
HEADER_LIMIT = 150
FIELD_LIMIT = 1900  # a section field's text is limited to 2,000 characters
MAX_BLOCKS = 45  # of 50, leaving room for actions and context
TOTAL_LIMIT = 11000  # msg_blocks_too_long has been seen at about 13,000 characters of blocks
TEXT_LIMIT = 3900
BUTTON_TEXT = 75

PICK_ACTION = "kensho_pick_project"
SHARE_ACTION = "kensho_share_answer"
UPDATE_ACTION = "kensho_update_project"
CHART_ACTION = "kensho_show_chart"


# Invisible controls that can make stored or typed text display as something else (bidi overrides
# reverse a name; zero-width characters hide inside one). Every text kensho sends to Slack is built
# here, by escape(), plain() or clean(), and loses them.
INVISIBLE = (
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\u200e\u200f\u061c"  # bidi marks
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters
)
_STRIP = dict.fromkeys(map(ord, INVISIBLE))


def clean(text: str) -> str:
    """``text`` without bidi and zero-width controls (plain text fields, initial values of inputs)."""
    return text.translate(_STRIP)


def escape(text: str) -> str:
    """Escape Slack mrkdwn control characters so stored or typed text can never ping or link."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int) -> dict[str, Any]:
    text = clean(text)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": False}


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at line ends (or hard) into pieces of at most ``limit`` characters."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def fallback_text(answer: Answer) -> str:
    text = escape(answer.text)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT),
        "action_id": action_id,
        "value": clean(value)[:2000],
    }
    if style:
        button["style"] = style
    return button


def pick_value(project_id: int, answer: Answer) -> str:
    fields = [] if answer.field in (None, "summary") else [answer.field]
    return json.dumps({"p": project_id, "f": fields}, ensure_ascii=False)


def answer_blocks(
    answer: Answer,
    *,
    share_question: str | None = None,
    update_record: int | None = None,
    chart: str | None = None,
) -> list[dict[str, Any]]:
    """Blocks for an answer; ``share_question`` adds a 「チャンネルに共有」 button (ephemeral answers),
    ``update_record`` an 「更新する」 button opening that record's self-evaluation form, ``chart`` a
    「グラフで見る」 button (its value) posting the figure as a chart in the thread."""
    blocks: list[dict[str, Any]] = []
    if answer.status == "answered" and answer.title:
        blocks.append({"type": "header", "text": plain(answer.title, HEADER_LIMIT)})
    body = escape(answer.body)
    used = 0
    for piece in split_text(body):
        if len(blocks) >= MAX_BLOCKS - 1 or used + len(piece) > TOTAL_LIMIT:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "…（長いため以降を省略しました）"}})
            break
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
        used += len(piece)
    if answer.status == "answered" and answer.kind == "summary" and answer.facts:
        fields = [
            {"type": "mrkdwn", "text": f"*{escape(label)}*\n{escape(value)[:FIELD_LIMIT]}"}
            for label, value in answer.facts[:10]
        ]
        blocks = [*blocks[:1], {"type": "section", "fields": fields}]
    if answer.candidates:
        buttons = [_button(c.name, PICK_ACTION, pick_value(c.project_id, answer)) for c in answer.candidates[:5]]
        for i, button in enumerate(buttons):
            button["action_id"] = f"{PICK_ACTION}_{i}"
        blocks.append({"type": "actions", "block_id": "kensho_candidates", "elements": buttons})
    if answer.context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(answer.context)}]})
    buttons = []
    if share_question is not None and answer.status == "answered":
        buttons.append(_button("チャンネルに共有", SHARE_ACTION, share_question, style="primary"))
    if update_record is not None:
        buttons.append(_button("更新する", UPDATE_ACTION, str(update_record)))
    if chart is not None and answer.status == "answered":
        buttons.append(_button("グラフで見る", CHART_ACTION, chart))
    if buttons:
        blocks.append({"type": "actions", "block_id": "kensho_answer_actions", "elements": buttons})
    return blocks


def error_blocks(message: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": escape(message)}}]
