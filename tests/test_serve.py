"""`kensho serve` as users run it: a real process, settings from the environment."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time

import pytest
from fakeslack import FakeSlack
from kensho_cli import KENSHO, checkout_env
from slackapp import SECRET, TOKEN, mention
from slackproc import kensho_serve_http

from bot.ask import Asker
from handlers.context import Services
from kensho.app import build_app
from store.db import Database


def test_kensho_serve_http_answers_a_mention_and_reports_health(sqlite_url: str) -> None:
    with FakeSlack() as slack, kensho_serve_http(sqlite_url, slack) as app:
        assert app.get("/healthz").json() == {"status": "ok", "database": True}
        app.event(mention("ぐんま健康ポイントの寄附額は？", ts="1700000000.000001"))
        [call] = slack.wait_for("chat.postMessage", timeout=20)
        assert call.args["thread_ts"] == "1700000000.000001"
        assert "13,200千円" in call.args["text"]
        assert app.event(mention("寄附額の合計"), secret="wrong").status == 401


def test_two_worker_processes_answer_each_mention_once(sqlite_url: str) -> None:
    with FakeSlack() as slack, kensho_serve_http(sqlite_url, slack, workers=2) as app:
        for i in range(6):
            app.event(mention("医療機関応援金の寄附額", ts=f"1700000000.00010{i}"), event_id=f"EvW{i}")
            app.event(
                mention("医療機関応援金の寄附額", ts=f"1700000000.00010{i}"),
                event_id=f"EvW{i}",
                headers={"X-Slack-Retry-Num": "1"},
            )
        slack.wait_for("chat.postMessage", count=6, timeout=20)
        time.sleep(0.5)  # room for a wrongly accepted duplicate to arrive
        calls = slack.calls_to("chat.postMessage")
        assert sorted(c.args["thread_ts"] for c in calls) == [f"1700000000.00010{i}" for i in range(6)]


@pytest.mark.parametrize(
    ("env", "args", "variable"),
    [
        ({}, ["--http"], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, ["--http"], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, ["--http"], "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, [], "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxp-1"}, [], "SLACK_APP_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "ftp://x"},
            ["--http"],
            "SLACK_API_URL",
        ),
    ],
)
def test_missing_or_malformed_settings_stop_with_one_line_naming_the_variable(
    sqlite_url: str, env: dict[str, str], args: list[str], variable: str
) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run(
        [*KENSHO, "serve", *args, "--port", "0"],
        env=checkout_env({**base, "KENSHO_DATABASE_URL": sqlite_url, **env}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and "Traceback" not in result.stderr


def test_a_server_whose_workers_cannot_start_says_why_and_exits_non_zero() -> None:
    script = (
        "import sys\n"
        "from handlers.server import run_http\n"
        "def build():\n"
        "    raise RuntimeError('データベースに接続できません')\n"
        "run_http(build, '127.0.0.1', 0, int(sys.argv[1]))\n"
    )
    for workers in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script, workers], env=checkout_env(), capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 1, done.stderr
        assert "起動できませんでした: データベースに接続できません" in done.stderr
        assert "待ち受けています" not in done.stdout  # never announced as ready


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("problem", ["bad database URL", "database down", "Slack unreachable", "revoked token", "time"])
def test_start_up_problems_are_one_japanese_line_naming_the_variable_or_service(sqlite_url: str, problem: str) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KENSHO_"))}
    with FakeSlack() as slack:
        env = {
            **base,
            "KENSHO_DATABASE_URL": sqlite_url,
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.url,
        }
        expected = {
            "bad database URL": ("KENSHO_DATABASE_URL", {"KENSHO_DATABASE_URL": "nosuchdb://x"}),
            "database down": (
                "KENSHO_DATABASE_URL",
                {"KENSHO_DATABASE_URL": f"postgresql://kensho:secret@127.0.0.1:{_closed_port()}/kensho"},
            ),
            "Slack unreachable": ("SLACK_API_URL", {"SLACK_API_URL": f"http://127.0.0.1:{_closed_port()}/api/"}),
            "revoked token": ("SLACK_BOT_TOKEN", {}),
            "time": ("KENSHO_REMINDER_TIME", {"KENSHO_REMINDER_TIME": "25:99"}),
        }
        variable, changes = expected[problem]
        if problem == "revoked token":
            slack.fail_next("auth.test", "token_revoked")
        result = subprocess.run(
            [*KENSHO, "serve", "--http", "--port", "0"],
            env=checkout_env({**env, **changes}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0] and re.search(r"[ぁ-ん]", lines[0]) and "Traceback" not in result.stderr
    assert "secret" not in lines[0]  # a password in the URL is never shown


def test_kensho_alone_shows_the_commands_in_japanese() -> None:
    result = subprocess.run(KENSHO, env=checkout_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("使い方: kensho") and "ask" in result.stderr and "質問に答えます" in result.stderr
    assert "usage:" not in result.stderr and "required" not in result.stderr


def test_no_warning_that_the_token_will_be_unused(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    caplog.set_level(logging.WARNING)
    with FakeSlack() as slack:
        build_app(Services(sqlite_db, Asker(sqlite_db)), token=TOKEN, signing_secret=SECRET, api_url=slack.url)
    assert not [r for r in caplog.records if "unused" in r.getMessage()]


def test_a_refused_app_level_token_is_one_line_naming_it(sqlite_url: str) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KENSHO_"))}
    with FakeSlack() as slack:  # no Socket Mode endpoint: apps.connections.open is refused
        env = {**base, "KENSHO_DATABASE_URL": sqlite_url, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": slack.url}
        result = subprocess.run(
            [*KENSHO, "serve"],
            env=checkout_env({**env, "SLACK_APP_TOKEN": "xapp-1-A0-revoked"}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_APP_TOKEN" in lines[0] and "Traceback" not in result.stderr, result.stderr
