"""The Slack Web API client kensho uses (SLACK_API_URL aware, 429s retried), and the start-up check
that the tokens are accepted."""

from __future__ import annotations

import logging

from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.settings import SettingsProblem


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
