"""Reminder DMs in Slack: Block Kit with 「更新する」 buttons, delivery checks, the in-process scheduler."""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler

from bot.reminders import Reminder, Undeliverable, Wait, run
from bot.schedule import TOKYO
from bot.selfeval import STATUS_LABELS
from handlers.blocks import UPDATE_ACTION, escape, plain
from store.db import Database

log = logging.getLogger(__name__)
METADATA_EVENT = "kensho_reminder"
# Errors after which retrying cannot help: reported to administrators instead.
PERMANENT = {
    "cannot_dm_bot",
    "user_not_found",
    "users_not_found",
    "channel_not_found",
    "user_disabled",
    "account_inactive",
    "not_in_channel",
    "is_archived",
    "invalid_users",
    "messages_tab_disabled",
    "restricted_action",
}
MAX_PROJECT_BLOCKS = 40
WEEKDAYS = "月火水木金土日"


def when(moment: datetime) -> str:
    local = moment.astimezone(TOKYO)
    return f"{local.month}月{local.day}日（{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def reminder_text(reminder: Reminder) -> str:
    deadline = when(reminder.deadline)
    names = "、".join(p.project for p in reminder.projects[:10])
    more = f"ほか{len(reminder.projects) - 10}件" if len(reminder.projects) > 10 else ""
    match reminder.kind:
        case "overdue":
            return (
                f"【提出期限超過】{reminder.committee}の自己評価の提出期限（{deadline}）を過ぎました。"
                f"未提出：{names}{more}"
            )
        case "unstaffed":
            return (
                f"【担当者未登録】{reminder.committee}（期限 {deadline}）："
                "メンバー未登録の担当課に未提出の事業があります。"
            )
        case "summary":
            return f"【未提出のまとめ】{reminder.committee}（期限 {deadline}）：未提出 {len(reminder.projects)}件"
    return f"【自己評価のお願い】{reminder.committee}の提出期限は{deadline}です。未提出：{names}{more}"


def reminder_blocks(reminder: Reminder) -> list[dict[str, Any]]:
    deadline = when(reminder.deadline)
    intro = {
        "pending": f"{escape(reminder.committee)}に向けた自己評価の提出期限は *{deadline}* です。"
        "次の事業の入力・提出をお願いいたします。",
        "overdue": f"{escape(reminder.committee)}の自己評価の提出期限（*{deadline}*）を過ぎました。"
        "次の事業が未提出です。至急のご対応をお願いいたします。",
        "unstaffed": "次の担当課はメンバーが登録されていないため、督促を送れていません。"
        "`/kensho メンバー追加 @ユーザー 担当課名` で登録してください。",
        "summary": f"{escape(reminder.committee)}の提出期限（*{deadline}*）を過ぎた時点の未提出の事業です。",
    }[reminder.kind]
    title = {
        "pending": "自己評価の提出のお願い",
        "overdue": "自己評価の提出期限を過ぎました",
        "unstaffed": "担当者が未登録の担当課があります",
        "summary": "未提出の事業（期限後のまとめ）",
    }[reminder.kind]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(title, 150)},
        {"type": "section", "text": {"type": "mrkdwn", "text": intro}},
    ]
    with_buttons = reminder.kind in {"pending", "overdue"}
    for item in reminder.projects[:MAX_PROJECT_BLOCKS]:
        section: dict[str, Any] = {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*{escape(item.project)}*\n{escape(item.department)}・{STATUS_LABELS[item.status]}",
            },
        }
        if with_buttons:
            section["accessory"] = {
                "type": "button",
                "text": plain("更新する", 75),
                "action_id": UPDATE_ACTION,
                "value": str(item.record_id),
            }
        blocks.append(section)
    if len(reminder.projects) > MAX_PROJECT_BLOCKS:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"ほか{len(reminder.projects) - MAX_PROJECT_BLOCKS}件"}],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"{escape(reminder.committee)}・締切 {deadline}・このお知らせは1回だけお送りしています",
                }
            ],
        }
    )
    return blocks


class _RateLimitWait(RateLimitErrorRetryHandler):
    """Honours Retry-After through the sender's current ``wait``, which keeps the claim's lease alive
    (slack_sdk's own handler sleeps where nobody can renew anything)."""

    def __init__(self, sender: SlackSender, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sender = sender

    def prepare_for_next_attempt(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> None:
        if response is None:
            raise error
        state.next_attempt_requested = True
        retry_after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            seconds = float((retry_after or ["1"])[0])
        except ValueError:
            seconds = 1.0
        self.sender.wait(seconds + random.random())
        state.increment_current_attempt()


class SlackSender:
    """Delivers reminders as DMs; every message carries its claim id in Slack message metadata.

    It calls Slack through its own WebClient (same token and API URL as ``client``), whose rate-limit
    handler waits through the ``wait`` of the reminder being sent. One sender per thread.
    """

    def __init__(self, client: WebClient) -> None:
        self.client = WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout)
        handlers: list[RetryHandler] = [ConnectionErrorRetryHandler(), _RateLimitWait(self)]
        self.client.retry_handlers = handlers
        self.wait: Wait = time.sleep

    def _dm_channel(self, user: str) -> str:
        try:
            return self.client.conversations_open(users=user)["channel"]["id"]
        except SlackApiError as err:
            if err.response.get("error") in PERMANENT:
                raise Undeliverable(err.response.get("error")) from err
            raise

    def send(self, reminder: Reminder, claim_id: int, wait: Wait = time.sleep) -> str | None:
        self.wait = wait
        channel = self._dm_channel(reminder.recipient)
        try:
            response = self.client.chat_postMessage(
                channel=channel,
                text=escape(reminder_text(reminder)),
                blocks=reminder_blocks(reminder),
                metadata={"event_type": METADATA_EVENT, "event_payload": {"claim_id": claim_id}},
            )
        except SlackApiError as err:
            if err.response.get("error") in PERMANENT:
                raise Undeliverable(err.response.get("error")) from err
            raise
        return response.get("ts")

    def find_sent(self, recipient: str, claim_id: int, wait: Wait = time.sleep) -> str | None:
        # The bot's DM with a person is short; the claim id in the metadata is unique.
        self.wait = wait
        channel = self._dm_channel(recipient)
        history = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
        for message in history.get("messages", []):
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and str(payload.get("claim_id")) == str(claim_id):
                return message.get("ts")
        return None


class ReminderScheduler:
    """Runs the reminder check every ``interval`` seconds in a daemon thread of ``kensho serve``."""

    def __init__(self, db: Database, client: WebClient, interval: float = 60.0, **run_options: Any) -> None:
        self.db = db
        self.sender = SlackSender(client)
        self.interval = interval
        self.run_options = run_options
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kensho-reminders", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = run(self.db, self.sender, datetime.now(UTC), **self.run_options)
                if report.sent or report.undeliverable:
                    log.info("reminders: %d sent, %d undeliverable", len(report.sent), len(report.undeliverable))
            except Exception:
                log.exception("reminder check failed; trying again at the next interval")
            self._stop.wait(self.interval)
