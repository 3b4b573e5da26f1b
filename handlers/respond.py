"""Answering a question in Slack, with the polite-failure rule shared by every listener."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.answer import Answer
from bot.selfeval import updatable_record_id
from handlers.blocks import answer_blocks, error_blocks, fallback_text
from handlers.charts import button_value
from handlers.context import Services

log = logging.getLogger(__name__)

SORRY = "申し訳ありません。回答の準備中にエラーが発生しました。しばらくしてからもう一度お試しください。"
# Answers are computed one at a time per process. Answering is CPU-bound under the GIL, so ten
# listener threads answering together only share the CPU and finish together, late (a burst of 30
# mentions: median 128 ms together, 88 ms one at a time, bench/slack_burst.py). An answer waits for
# its turn at most ANSWER_TURN_WAIT: one stalled in the database must not hold up the rest, nor keep
# Bolt's listener threads from acknowledging commands and forms within Slack's 3 seconds.
_ANSWERING = threading.Lock()
ANSWER_TURN_WAIT = 0.25  # seconds
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>")


def question_text(text: str) -> str:
    """The question in a message: mentions of users removed, links reduced to their label."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()


def answer_message(
    services: Services, question: str, *, user_id: str | None = None, share: bool = False
) -> tuple[Answer, dict[str, Any]]:
    """The answer and the chat.postMessage/respond arguments (text + blocks) for it.

    Under an answer about one project that ``user_id`` answers for, an 「更新する」 button opens the form.
    """
    with _turn():
        answer = services.asker.ask(question, viewer=user_id or "", names=services.names)
    update_record = None
    if user_id and answer.status == "answered" and len(answer.project_ids) == 1 and answer.kind != "list":
        update_record = updatable_record_id(services.db, user_id, answer.project_ids[0])
    # Totals, averages, extremes and rankings of an amount can be seen as a chart (not ephemerally:
    # the chart goes into the conversation).
    chart = None
    if not share and answer.status == "answered" and answer.kind == "aggregate" and answer.field:
        chart = button_value([answer.field], answer.fiscal_year)
    blocks = answer_blocks(answer, share_question=question if share else None, update_record=update_record, chart=chart)
    return answer, {"text": fallback_text(answer), "blocks": blocks}


@contextmanager
def _turn() -> Iterator[None]:
    """This thread's turn to answer (see ``_ANSWERING``), or go ahead anyway after ANSWER_TURN_WAIT."""
    mine = _ANSWERING.acquire(timeout=ANSWER_TURN_WAIT)
    try:
        yield
    finally:
        if mine:
            _ANSWERING.release()


def politely(post: Callable[..., Any], what: str, ref: str | None, action: Callable[[], None]) -> None:
    """Run ``action``; on any error log it with ``ref`` (event id …) and tell the user politely."""
    try:
        action()
    except Exception:
        log.exception("%s failed (ref=%s)", what, ref)
        try:
            post(text=SORRY, blocks=error_blocks(SORRY))
        except Exception:
            log.exception("could not tell the user about the failure (ref=%s)", ref)
