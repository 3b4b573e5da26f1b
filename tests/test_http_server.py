"""The HTTP server's own defences: malformed requests refused with a reason, idle connections closed."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest
from fakeslack import event_body, sign
from slackapp import SECRET, SlackApp, mention, running_app

from handlers.server import Limits
from store.db import Database


@pytest.fixture
def app(sqlite_db: Database) -> Iterator[SlackApp]:
    with running_app(sqlite_db, Limits(channel_timeout=1, cleanup_interval=0.2)) as served:
        yield served


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "refused" in r.getMessage()]


@pytest.mark.parametrize(
    ("body", "content_type", "cause"),
    [
        ("[1, 2, 3]", "application/json", "not an object"),
        ('{"type": "event_callback", ', "application/json", "not valid JSON"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded", "payload is not valid JSON"),
        ("payload=%5B%5D", "application/x-www-form-urlencoded", "payload is not a JSON object"),
    ],
)
def test_a_signed_malformed_body_is_answered_400_and_logged_once(
    app: SlackApp, caplog: pytest.LogCaptureFixture, body: str, content_type: str, cause: str
) -> None:
    caplog.set_level(logging.WARNING)
    reply = app.post(body, headers={"Content-Type": content_type})
    assert reply.status == 400
    [warning] = _refusals(caplog)
    assert cause in warning
    assert app.slack.calls_to("chat.postMessage") == []


def test_an_undecodable_body_is_answered_400(app: SlackApp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    raw = b'{"type": "\xff\xfe"}'
    status = _raw_post(app, raw, {**sign("x", SECRET), "Content-Type": "application/json"})
    assert status == 400
    [warning] = _refusals(caplog)
    assert "not UTF-8" in warning


@pytest.mark.parametrize(("timestamp", "cause"), [("soon", "not a number"), ("", "no X-Slack-Request-Timestamp")])
def test_a_bad_timestamp_is_answered_401_and_logged(
    app: SlackApp, caplog: pytest.LogCaptureFixture, timestamp: str, cause: str
) -> None:
    caplog.set_level(logging.WARNING)
    body = event_body(mention("寄附額の合計"))
    reply = app.post(body, headers={"X-Slack-Request-Timestamp": timestamp})
    assert reply.status == 401
    [warning] = _refusals(caplog)
    assert cause in warning


def test_a_bad_signature_is_logged_as_a_warning_naming_the_secret(
    app: SlackApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert app.event(mention("寄附額の合計"), secret="not-the-secret").status == 401
    [warning] = _refusals(caplog)
    assert "bad signature" in warning and "SLACK_SIGNING_SECRET" in warning


def test_idle_connections_are_closed_after_the_idle_timeout_and_health_answers_meanwhile(app: SlackApp) -> None:
    host, port = app.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(50)]
    try:
        started = time.monotonic()
        assert json.loads(app.get("/healthz").body) == {"status": "ok", "database": True}
        assert time.monotonic() - started < 1  # answered before the idle connections time out
        for sock in idle:  # the server closes each: recv returns end of file
            assert sock.recv(1) == b""
        waited = time.monotonic() - started
        assert 0.5 < waited < 4, waited
    finally:
        for sock in idle:
            sock.close()


def _raw_post(app: SlackApp, body: bytes, headers: dict[str, str]) -> int:
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(
            f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body
        )
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def test_at_the_connection_limit_the_longest_idle_connections_make_room_for_new_requests(
    sqlite_db: Database,
) -> None:
    with running_app(sqlite_db, Limits(connection_limit=20, channel_timeout=60)) as app:
        host, port = app.url.removeprefix("http://").split(":")
        idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(30)]
        try:
            started = time.monotonic()
            assert app.get("/healthz").status == 200
            assert time.monotonic() - started < 3  # not the 60 s idle timeout
            assert idle[0].recv(1) == b""  # the oldest idle connection was closed to make room
        finally:
            for sock in idle:
                sock.close()


def test_a_request_trickled_byte_by_byte_is_closed_after_the_request_timeout(sqlite_db: Database) -> None:
    with running_app(sqlite_db, Limits(channel_timeout=5, request_timeout=1, cleanup_interval=0.2)) as app:
        host, port = app.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as slow:
            slow.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            closed = False
            while time.monotonic() - started < 4 and not closed:  # a header line every 0.2 s keeps it busy
                try:
                    slow.sendall(b"X-Slow: 1\r\n")
                    slow.settimeout(0.2)
                    closed = slow.recv(1) == b""
                except TimeoutError:
                    pass
                except OSError:
                    closed = True
            assert closed, "the slow request was never cut off"
            assert 0.8 < time.monotonic() - started < 3
            assert app.get("/healthz").status == 200
