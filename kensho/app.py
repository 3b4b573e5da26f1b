"""The Slack app, assembled: the composition root of ``kensho serve`` (and of the tests' app).

As in Slack's Bolt starter template, where ``app.py`` builds the App and registers the listeners:
here the Services (``store`` database, ``bot`` asker) are built once, put into Bolt's context by a
middleware, and the listeners of ``handlers`` find them there.
"""

from __future__ import annotations

from slack_bolt import App

from bot.ask import Asker
from handlers.client import web_client
from handlers.context import Services, provide
from handlers.listeners import register_listeners
from handlers.middleware import deduplicate, on_error
from handlers.names import DisplayNames
from store.db import Database


def build_services(db: Database, issuer: str | None = None) -> Services:
    """What every listener needs, with the name index built before the first question arrives."""
    services = Services(db=db, asker=Asker(db, issuer=issuer))
    services.asker.cache.get()
    return services


def build_app(
    services: Services,
    *,
    token: str,
    signing_secret: str | None,
    api_url: str | None = None,
    socket_mode: bool = False,
) -> App:
    """The Bolt app: one WebClient (SLACK_API_URL aware), display names, the Services in every request's
    context, Slack's retries answered once, failures acknowledged, every listener."""
    client = web_client(token, api_url)
    services.names = DisplayNames(client)
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        ignoring_self_events_enabled=True,
    )
    app.use(provide(services))  # first: the dedupe below needs the database
    app.use(deduplicate)
    app.error(on_error)
    register_listeners(app)
    return app
