"""Running the real Bolt app behind kensho's HTTP server, against the fake Slack Web API."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fakeslack import FakeSlack, action_body, command_body, event_body, sign

from bot.ask import Asker
from handlers.context import Services
from handlers.server import Limits, serve_http
from kensho.app import build_app
from store.db import Database

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SlackApp:
    """A served kensho app: send signed requests, read what it did on the fake Web API."""

    url: str
    slack: FakeSlack
    services: Services

    def post(
        self, body: str, *, headers: dict[str, str] | None = None, secret: str = SECRET, timestamp: int | None = None
    ) -> Reply:
        all_headers = {**sign(body, secret, timestamp), **(headers or {})}
        request = urllib.request.Request(f"{self.url}/slack/events", data=body.encode(), headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.read().decode())

    def get(self, path: str) -> Reply:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.read().decode())

    def event(self, event: dict[str, Any], event_id: str | None = None, **kw: Any) -> Reply:
        return self.post(event_body(event, event_id), **kw)

    def command(self, text: str, **kw: Any) -> Reply:
        return self.post(command_body(text, slack=self.slack, **kw))

    def action(self, payload: dict[str, Any]) -> Reply:
        return self.post(action_body(payload))


def mention(
    text: str, *, user: str = "U0USER", channel: str = "C0CHAN", ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@U0BOT> {text}",
        "channel": channel,
        "ts": ts or f"{time.time():.6f}",
        **extra,
    }


def dm(text: str, *, user: str = "U0USER", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "channel": "D0USER",
        "ts": f"{time.time():.6f}",
        **extra,
    }


@contextmanager
def running_app(db: Database, limits: Limits | None = None) -> Iterator[SlackApp]:
    with FakeSlack() as slack:
        services = Services(db=db, asker=Asker(db))
        app = build_app(services, token=TOKEN, signing_secret=SECRET, api_url=slack.url)
        server = serve_http(app, db, "127.0.0.1", 0, limits or Limits())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            host, port = server.server_address[:2]
            yield SlackApp(f"http://{host}:{port}", slack, services)
        finally:
            server.shutdown()
            server.server_close()
