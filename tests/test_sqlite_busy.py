"""SQLite during a large import: one long write transaction must not keep kensho from answering."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest
from slackapp import mention, running_app

from bot.ask import Asker
from store.db import Database


@pytest.fixture
def writing(sqlite_db: Database, sqlite_url: str) -> Iterator[sqlite3.Connection]:
    """Another connection in the middle of a long write transaction, as `kensho import` holds one."""
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # as when a large transaction spills to the file
    writer.execute("INSERT INTO setting(key, value) VALUES ('import in progress', '')")
    try:
        yield writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_question_is_answered_on_another_connection_during_a_long_write(
    sqlite_db: Database, writing: sqlite3.Connection
) -> None:
    started = time.monotonic()
    answer = Asker(sqlite_db).ask("ぐんま健康ポイントの寄附額は？")
    assert answer.status == "answered" and "13,200千円" in answer.text
    assert time.monotonic() - started < 5


def test_a_mention_is_answered_once_during_a_long_write(sqlite_db: Database, writing: sqlite3.Connection) -> None:
    with running_app(sqlite_db) as app:
        started = time.monotonic()
        event = mention("医療機関応援金の寄附額", ts="1700000000.000300")
        assert app.event(event, event_id="EvBUSY1").status == 200
        assert time.monotonic() - started < 3  # acknowledged within Slack's 3 seconds
        [call] = app.slack.wait_for("chat.postMessage", timeout=5)
        assert "13,672千円" in call.args["text"]
        app.event(event, event_id="EvBUSY1", headers={"X-Slack-Retry-Num": "1"})
        time.sleep(0.3)  # room for a wrongly accepted retry to post
        assert len(app.slack.calls_to("chat.postMessage")) == 1
