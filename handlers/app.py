"""Assembling the Bolt app: one WebClient (SLACK_API_URL aware), dedupe, every listener."""

from __future__ import annotations

import logging
import random
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from handlers import actions, commands, events, selfeval
from handlers.context import Services
from store.events import claim_event, prune_events

log = logging.getLogger(__name__)
PRUNE_CHANCE = 0.01  # prune old event ids on about one event in a hundred
# Every module that registers listeners; tests check them against manifest.yml.
REGISTRARS = (events.register, commands.register, actions.register, selfeval.register)


def web_client(token: str, base_url: str | None = None) -> WebClient:
    client = WebClient(token=token, base_url=base_url or WebClient.BASE_URL)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_app(
    services: Services,
    *,
    token: str,
    signing_secret: str | None,
    api_url: str | None = None,
    socket_mode: bool = False,
) -> App:
    app = App(
        client=web_client(token, api_url),
        signing_secret=signing_secret or "",
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        ignoring_self_events_enabled=True,
    )

    @app.middleware
    def deduplicate(body: dict[str, Any], next: Any) -> BoltResponse | None:
        """Slack retries (X-Slack-Retry-Num, Socket Mode retry_attempt) never produce a second reply."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            if not claim_event(services.db, str(event_id)):
                log.info("duplicate delivery of %s ignored", event_id)
                return BoltResponse(status=200, body="")
            if random.random() < PRUNE_CHANCE:
                prune_events(services.db)
        return next()

    for register in REGISTRARS:
        register(app, services)
    return app
