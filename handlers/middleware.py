"""Assembling the Bolt app: one WebClient (SLACK_API_URL aware), dedupe, every listener."""

from __future__ import annotations

import json
import logging
import random
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.settings import SettingsProblem
from handlers import actions, commands, events, selfeval
from handlers.context import Services
from handlers.modal import notice_view
from handlers.names import DisplayNames
from store.events import claim_event, prune_events

log = logging.getLogger(__name__)
PRUNE_CHANCE = 0.01  # prune old event ids on about one event in a hundred
# Every module that registers listeners; tests check them against manifest.yml.
REGISTRARS = (events.register, commands.register, actions.register, selfeval.register)


class _NoTokenSkippedWarning(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN "will be unused" whenever it is set and a client is given; the
    client is built from that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


logging.getLogger("slack_bolt.App").addFilter(_NoTokenSkippedWarning())


def check_slack(token: str, api_url: str | None = None, app_token: str | None = None) -> None:
    """Ask Slack who the token belongs to (auth.test) and, for Socket Mode, whether the app-level token
    may connect (apps.connections.open): SettingsProblem, in one line, if not."""
    quiet = logging.getLogger("kensho.startup.slack")
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())
    base_url = api_url or WebClient.BASE_URL
    variable = "SLACK_BOT_TOKEN"
    try:
        WebClient(token=token, base_url=base_url, logger=quiet, timeout=15).auth_test()
        if app_token:
            variable = "SLACK_APP_TOKEN"
            WebClient(token=app_token, base_url=base_url, logger=quiet, timeout=15).apps_connections_open(
                app_token=app_token
            )
    except SlackApiError as err:
        code = err.response.get("error") if err.response is not None else None
        raise SettingsProblem(
            f"環境変数 {variable} のトークンを Slack が受け付けませんでした（{code or err}）。"
            "トークンが失効・再発行されていないか確認してください"
        ) from None
    except Exception as err:
        reason = str(getattr(err, "reason", None) or err).strip().splitlines()
        raise SettingsProblem(
            f"Slack（{base_url}）に接続できませんでした（{reason[0][:120] if reason else type(err).__name__}）。"
            "ネットワーク・プロキシと環境変数 SLACK_API_URL を確認してください"
        ) from None


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
    client = web_client(token, api_url)
    services.names = DisplayNames(client)
    app = App(
        client=client,
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

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """Whatever a malformed payload breaks: logged, acknowledged, never a 500 or a traceback."""
        kind = body.get("type") if isinstance(body, dict) else None
        log.error("request failed (type=%s, event=%s): %r", kind, _event_id(body), error, exc_info=error)
        if kind == "view_submission":
            notice = notice_view(
                "処理できませんでした", "フォームの内容を読み取れませんでした。お手数ですが開き直してください。"
            )
            return BoltResponse(
                status=200,
                body=json.dumps({"response_action": "push", "view": notice}),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        return BoltResponse(status=200, body="")

    for register in REGISTRARS:
        register(app, services)
    return app


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
