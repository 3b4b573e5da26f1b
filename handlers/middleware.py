"""kensho's Bolt middleware and error handling: Slack's retries answered once, failures acknowledged.

``kensho.app.build_app`` installs them; each finds the Services in Bolt's context.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

from handlers.context import services_of
from handlers.modal import notice_view
from store.events import claim_event, prune_events

log = logging.getLogger(__name__)
PRUNE_CHANCE = 0.01  # prune old event ids on about one event in a hundred


def deduplicate(body: dict[str, Any], context: dict[str, Any], next: Callable[[], Any]) -> BoltResponse | None:
    """Slack retries (X-Slack-Retry-Num, Socket Mode retry_attempt) never produce a second reply."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id:
        db = services_of(context).db
        if not claim_event(db, str(event_id)):
            log.info("duplicate delivery of %s ignored", event_id)
            return BoltResponse(status=200, body="")
        if random.random() < PRUNE_CHANCE:
            prune_events(db)
    return next()  # type: ignore[no-any-return]


def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Whatever a malformed payload breaks: logged, acknowledged, never a 500 or a traceback."""
    log.error("request failed (type=%s, event=%s): %r", _kind(body), _event_id(body), error, exc_info=error)
    return failure_response(body)


def _event_id(body: Any) -> Any:
    return body.get("event_id") if isinstance(body, dict) else None


def _kind(body: Any) -> Any:
    return body.get("type") if isinstance(body, dict) else None


def failure_response(body: Any) -> BoltResponse:
    """What Slack gets when a malformed payload breaks a request: an acknowledgement, never a 500 or a
    traceback; a form gets a notice the user can read."""
    if _kind(body) == "view_submission":
        notice = notice_view(
            "処理できませんでした", "フォームの内容を読み取れませんでした。お手数ですが開き直してください。"
        )
        return BoltResponse(
            status=200,
            body=json.dumps({"response_action": "push", "view": notice}, ensure_ascii=False),
            headers={"content-type": "application/json;charset=utf-8"},
        )
    return BoltResponse(status=200, body="")


def dispatch(app: App, request: BoltRequest) -> BoltResponse:
    """``app.dispatch``, except that a payload breaking Bolt itself is logged and acknowledged."""
    try:
        return app.dispatch(request)
    except Exception:
        log.exception("request failed inside Bolt (type=%s)", _kind(request.body))
        return failure_response(request.body)
