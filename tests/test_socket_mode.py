"""`kensho serve` in Socket Mode, end to end: a real subprocess connects to the fake Socket Mode
endpoint (tests/fakesocket.py) that the fake Web API hands out, acknowledges every envelope and
answers through the Web API, once per event even when Slack retries."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qsl

from fakeslack import FakeSlack, command_body, event_body
from fakesocket import FakeSocketMode
from slackapp import mention
from slackproc import kensho_serve_socket_mode


def test_socket_mode_answers_mentions_once_and_slash_commands(sqlite_url: str, tmp_path: Path) -> None:
    log = str(tmp_path / "serve.log")
    with FakeSlack() as slack, FakeSocketMode(slack) as socket, kensho_serve_socket_mode(sqlite_url, slack, log):
        try:
            socket.wait_connected(timeout=60)
        except AssertionError as err:
            raise AssertionError(f"{err}\n{Path(log).read_text(errors='replace')}") from None
        opened = slack.calls_to("apps.connections.open")  # the start-up check, then the connection
        assert len(opened) == 2 and all(c.headers["authorization"].startswith("Bearer xapp-") for c in opened)

        payload = json.loads(event_body(mention("ぐんま健康ポイントの寄附額は？", ts="1700000000.000001"), "EvSOCK1"))
        first = socket.send("events_api", payload)
        assert socket.wait_ack(first) == {"envelope_id": first}
        [call] = slack.wait_for("chat.postMessage", timeout=20)
        assert call.args["channel"] == "C0CHAN" and call.args["thread_ts"] == "1700000000.000001"
        assert "13,200千円" in call.args["text"]

        # Slack redelivers the same event (retry_attempt 1) in a new envelope: acknowledged, not answered.
        retry = socket.send("events_api", payload, retry_attempt=1)
        assert socket.wait_ack(retry) == {"envelope_id": retry}
        time.sleep(1.0)
        assert len(slack.calls_to("chat.postMessage")) == 1

        command = dict(parse_qsl(command_body("医療機関応援金の担当課は？", slack=slack)))
        envelope = socket.send("slash_commands", command)
        socket.wait_ack(envelope)
        [answer] = slack.wait_for("response_url", timeout=20)
        assert answer.args["response_type"] == "ephemeral"
        assert "感染症・がん疾病対策課" in answer.args["text"]
