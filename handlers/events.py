"""Events: mentions in channels (answered in the thread), direct messages, App Home."""

from __future__ import annotations

from datetime import UTC, datetime
from logging import Logger
from typing import Any

from slack_bolt import App, BoltContext, Say
from slack_sdk import WebClient

from bot.chart_request import chart_for
from bot.overview import home
from handlers.charts import preparing_text
from handlers.context import Services, services_of
from handlers.help import help_message, is_help
from handlers.home import home_view
from handlers.respond import answer_message, politely, question_text

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "channel_leave"}


def _from_a_person(event: dict[str, Any]) -> bool:
    return not event.get("bot_id") and not event.get("subtype") and bool(event.get("user"))


def reply_to(services: Services, event: dict[str, Any], say: Say, client: WebClient, thread_ts: str | None) -> None:
    """Help for a help word; a chart request a short reply now and the PNG from the chart worker; any
    other question its answer."""
    question = question_text(event.get("text", ""))
    if is_help(question):
        say(thread_ts=thread_ts, **help_message(services.asker.examples()))
        return
    spec = chart_for(services.db, question)
    if spec is not None:
        say(thread_ts=thread_ts, text=preparing_text(spec))
        services.charts.post(client, spec, event["channel"], thread_ts)
        return
    _, message = answer_message(services, question, user_id=event.get("user"))
    say(thread_ts=thread_ts, **message)


def handle_app_mention(
    event: dict[str, Any], body: dict[str, Any], say: Say, client: WebClient, context: BoltContext
) -> None:
    """``@kensho 質問`` in a channel: answered in the mention's thread."""
    if not _from_a_person(event):
        return
    services = services_of(context)
    thread_ts = event.get("thread_ts") or event["ts"]
    politely(
        lambda **m: say(thread_ts=thread_ts, **m),
        "mention",
        body.get("event_id"),
        lambda: reply_to(services, event, say, client, thread_ts),
    )


def handle_message(
    event: dict[str, Any], body: dict[str, Any], say: Say, client: WebClient, context: BoltContext
) -> None:
    """A direct message from a person, answered in the DM (in its thread when it has one). Edits,
    deletions, bots and channel chatter are ignored (channel questions arrive as app_mention)."""
    if event.get("channel_type") != "im" or not _from_a_person(event):
        return
    services = services_of(context)
    thread_ts = event.get("thread_ts")
    thread = {"thread_ts": thread_ts} if thread_ts else {}
    politely(
        lambda **m: say(**thread, **m),
        "direct message",
        body.get("event_id"),
        lambda: reply_to(services, event, say, client, thread_ts),
    )


def handle_app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext, logger: Logger) -> None:
    """The App Home tab: the catalogue, and the committees (administrators) or the person's pending projects."""
    if event.get("tab") not in (None, "home"):
        return
    try:
        services = services_of(context)
        shown = home(services.db, event["user"], datetime.now(UTC))
        view = home_view(
            shown.overview, admin=shown.committees, staff=shown.pending, examples=services.asker.examples()
        )
        client.views_publish(user_id=event["user"], view=view)
    except Exception:
        logger.exception("could not publish App Home for %s", event.get("user"))


def register(app: App) -> None:
    app.event("app_mention")(handle_app_mention)
    app.event("message")(handle_message)
    app.event("app_home_opened")(handle_app_home_opened)
