"""A fake of Slack's Socket Mode endpoint: a WebSocket server on a loopback port chosen by the OS.

``apps.connections.open`` on the fake Web API (tests/fakeslack.py) hands out its ws:// URL; slack_sdk's
Socket Mode client connects without TLS to any port but 443. The test pushes envelopes as Slack
would (events_api, slash_commands, interactive; with retry_attempt) and reads the acknowledgements
the app sends back.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from typing import Any

from fakeslack import FakeSlack
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        self.acks: dict[str, dict[str, Any]] = {}  # envelope id -> the app's acknowledgement
        self._connections: list[ServerConnection] = []
        self._changed = threading.Condition()
        self._server: Server | None = None

    def __enter__(self) -> FakeSocketMode:
        self._server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.slack.socket_mode_url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/?ticket=fake"
        return self

    def __exit__(self, *exc: object) -> None:
        self.slack.socket_mode_url = None
        if self._server is not None:
            self._server.shutdown()

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}}))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        with contextlib.suppress(ConnectionClosed):  # the app process is stopped at the end of a test
            for message in connection:
                ack = json.loads(message)
                with self._changed:
                    self.acks[ack.get("envelope_id", "")] = ack
                    self._changed.notify_all()

    def wait_connected(self, timeout: float = 30.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._connections, timeout):
                raise AssertionError("the app never opened a Socket Mode connection")

    def send(self, kind: str, payload: dict[str, Any], retry_attempt: int = 0) -> str:
        """Push one envelope (``kind`` events_api, slash_commands or interactive); its envelope id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        self.wait_connected()
        self._connections[-1].send(json.dumps(envelope, ensure_ascii=False))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while envelope_id not in self.acks:
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"envelope {envelope_id} was not acknowledged within {timeout}s")
            return self.acks[envelope_id]
