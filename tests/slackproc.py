"""`kensho serve` (HTTP or Socket Mode) as a real subprocess, with the fake Slack Web API at SLACK_API_URL."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fakeslack import FakeSlack
from kensho_cli import KENSHO, checkout_env
from slackapp import SECRET, TOKEN, SlackApp


@dataclass
class ServedProcess:
    app: SlackApp
    process: subprocess.Popen[str]


@contextmanager
def kensho_serve_http(
    database_url: str,
    slack: FakeSlack,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
    descriptor_limit: tuple[int, int] | None = None,
) -> Iterator[SlackApp]:
    """``descriptor_limit`` = (soft, hard) limit on open files the server process starts with."""
    env = _environment(database_url, slack, extra_env)
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [
            *KENSHO,
            "serve",
            "--http",
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_NOFILE, descriptor_limit)) if descriptor_limit else None,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        url = None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            m = re.search(r"(http://[\d.]+:\d+)/slack/events", line)
            if m:
                url = m.group(1)
                break
        if url is None:
            process.kill()
            raise AssertionError(f"kensho serve did not start: {process.stderr.read() if process.stderr else ''}")
        yield SlackApp(url, slack, None)  # type: ignore[arg-type]
    finally:
        _stop(process)


APP_TOKEN = "xapp-1-A0KENSHO-test"


def _environment(database_url: str, slack: FakeSlack, extra_env: dict[str, str] | None) -> dict[str, str]:
    return checkout_env(
        {
            **os.environ,
            "KENSHO_DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url,
            **(extra_env or {}),
        }
    )


@contextmanager
def kensho_serve_socket_mode(database_url: str, slack: FakeSlack, log: str) -> Iterator[subprocess.Popen[bytes]]:
    """`kensho serve` with SLACK_APP_TOKEN set: Socket Mode, connecting to ``slack.socket_mode_url``.
    Its output goes to the file ``log`` (for the assertion message when something fails)."""
    env = _environment(database_url, slack, {"SLACK_APP_TOKEN": APP_TOKEN})
    with open(log, "wb") as out:
        process = subprocess.Popen([*KENSHO, "serve"], env=env, stdout=out, stderr=out)
    try:
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
