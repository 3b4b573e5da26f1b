"""Events: mentions in channels (answered in the thread), direct messages, App Home."""

from __future__ import annotations

from datetime import UTC, datetime
from logging import Logger
from typing import Any

from slack_bolt import App, Say
from slack_sdk import WebClient

from bot.overview import committee_statuses, overview, staff_pending
from bot.people import is_admin
from handlers.charts import chart_request, preparing_text
from handlers.context import Services
from handlers.help import help_message, is_help
from handlers.home import home_view
from handlers.respond import answer_message, politely, question_text

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "channel_leave"}


def _from_a_person(event: dict[str, Any]) -> bool:
    return not event.get("bot_id") and not event.get("subtype") and bool(event.get("user"))


def register(app: App, services: Services) -> None:
    def chart_or_answer(event: dict[str, Any], say: Say, client: WebClient, thread_ts: str | None) -> None:
        """A chart request gets a short reply now and the PNG from the chart worker; any other
        question its answer."""
        question = question_text(event.get("text", ""))
        if is_help(question):
            say(thread_ts=thread_ts, **help_message())
            return
        spec = chart_request(services.db, question)
        if spec is not None:
            say(thread_ts=thread_ts, text=preparing_text(spec))
            services.charts.post(client, spec, event["channel"], thread_ts)
            return
        _, message = answer_message(services, question, user_id=event.get("user"))
        say(thread_ts=thread_ts, **message)

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], say: Say, client: WebClient) -> None:
        if not _from_a_person(event):
            return
        thread_ts = event.get("thread_ts") or event["ts"]

        def reply() -> None:
            chart_or_answer(event, say, client, thread_ts)

        politely(lambda **m: say(thread_ts=thread_ts, **m), "mention", body.get("event_id"), reply)

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], say: Say, client: WebClient) -> None:
        # Only direct messages from people; edits, deletions, bots and channel chatter are ignored
        # (channel questions arrive as app_mention).
        if event.get("channel_type") != "im" or not _from_a_person(event):
            return
        thread_ts = event.get("thread_ts")
        thread = {"thread_ts": thread_ts} if thread_ts else {}

        def reply() -> None:
            chart_or_answer(event, say, client, thread_ts)

        politely(lambda **m: say(**thread, **m), "direct message", body.get("event_id"), reply)

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient, logger: Logger) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = event["user"]
        now = datetime.now(UTC)
        try:
            admin = committee_statuses(services.db, now) if is_admin(services.db, user) else None
            view = home_view(overview(services.db), admin=admin, staff=staff_pending(services.db, user, now))
            client.views_publish(user_id=user, view=view)
        except Exception:
            logger.exception("could not publish App Home for %s", event.get("user"))
