"""Tests proving tests/fakeslack.py behaves like the parts of Slack kensho relies on."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fakeslack import FakeSlack, action_body, command_body, event_body, sign
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler, builtin_handlers
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

SECRET = "test-signing-secret"
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Kensho"}, "blocks": []}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.url)


def error_of(excinfo: pytest.ExceptionInfo[SlackApiError]) -> Any:
    return excinfo.value.response["error"]


def test_url_shape(slack: FakeSlack) -> None:
    assert slack.url == f"http://127.0.0.1:{slack.port}/api/"


def test_post_message_is_recorded_with_blocks_decoded(slack: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C0CHAN", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C0CHAN", text="again")

    assert first["channel"] == "C0CHAN" and first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    [call, _] = slack.wait_for("chat.postMessage", count=2)
    assert call.args["blocks"] == blocks
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert [c.method for c in slack.calls] == ["chat.postMessage", "chat.postMessage"]


def test_form_encoded_json_values_are_decoded_and_raw_kept(slack: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps(blocks)})
    [call] = slack.calls_to("chat.postMessage")
    assert call.args["blocks"] == blocks
    assert call.raw_args["blocks"] == json.dumps(blocks)


def test_users_info_and_conversations_open(slack: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert (user["tz"], user["tz_offset"], user["is_bot"]) == ("Asia/Tokyo", 32400, False)
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"

    slack.cannot_dm("U2")
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_open(users="U2")
    assert error_of(excinfo) == "user_not_found"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="U2", text="hello")
    assert error_of(excinfo) == "cannot_dm_bot"


def test_trigger_id_can_be_used_once_and_expire(slack: FakeSlack, client: WebClient) -> None:
    view = client.views_open(trigger_id="T1", view=MODAL)["view"]
    assert view["id"].startswith("V") and view["hash"] and view["title"] == MODAL["title"]

    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="T1", view=MODAL)
    assert error_of(excinfo) == "exchanged_trigger_id"

    slack.expire_trigger("T2")
    with pytest.raises(SlackApiError) as excinfo:
        client.views_push(trigger_id="T2", view=MODAL)
    assert error_of(excinfo) == "expired_trigger_id"

    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("views.open", json={"view": MODAL})
    assert error_of(excinfo) == "invalid_arguments"


def test_views_update_hash_conflict(slack: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="T1", view=MODAL)["view"]
    updated = client.views_update(
        view_id=opened["id"], hash=opened["hash"], view={**MODAL, "blocks": [{"type": "divider"}]}
    )
    assert updated["view"]["hash"] != opened["hash"]
    assert slack.views[opened["id"]]["blocks"] == [{"type": "divider"}]

    with pytest.raises(SlackApiError) as excinfo:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)  # stale hash
    assert error_of(excinfo) == "hash_conflict"


def test_views_publish_keeps_latest_home_view(slack: FakeSlack, client: WebClient) -> None:
    client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}]})
    assert slack.home_views["U1"]["blocks"] == [{"type": "divider"}]


def test_rate_limit_is_retried_after_retry_after(
    slack: FakeSlack, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []  # record the handler's back-off instead of really sleeping
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=sleeps.append))
    slack.rate_limit_next("chat.postMessage", retry_after=3)

    with pytest.raises(SlackApiError) as excinfo:  # without a retry handler the 429 surfaces
        client.chat_postMessage(channel="C1", text="hi")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "3"
    assert error_of(excinfo) == "ratelimited"

    slack.rate_limit_next("chat.postMessage", retry_after=3)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert len(sleeps) == 1 and 3 <= sleeps[0] < 4
    assert len(slack.calls_to("chat.postMessage")) == 3


def test_fail_next(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", times=2)
    slack.fail_next("chat.update", error="message_not_found")
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C1", text="hi")
        assert error_of(excinfo) == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts="1.2", text="x")
    assert error_of(excinfo) == "message_not_found"


def test_not_authed_without_token(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(base_url=slack.url).auth_test()
    assert error_of(excinfo) == "not_authed"
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(token="xoxp-user", base_url=slack.url).auth_test()
    assert error_of(excinfo) == "not_authed"
    assert len(slack.calls_to("auth.test")) == 2
    assert WebClient(token="xoxb-test", base_url=slack.url).auth_test()["user_id"] == "U0BOT"


def test_response_url_is_recorded(slack: FakeSlack) -> None:
    response = WebhookClient(slack.response_url(7)).send(text="done", response_type="ephemeral")
    assert response.status_code == 200
    [call] = slack.wait_for("response_url")
    assert call.args == {"text": "done", "response_type": "ephemeral"}
    assert call.path == "/respond/7"


def test_wait_for_reports_what_was_recorded(slack: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"chat\.postMessage.*got 0(.|\n)*auth\.test"):
        slack.wait_for("chat.postMessage", timeout=0.05)
    slack.reset()
    assert slack.calls == []


def test_sign_output_verifies() -> None:
    verifier = SignatureVerifier(SECRET)
    for body in (
        event_body({"type": "app_mention", "text": "hi"}),
        command_body("hello"),
        action_body({"type": "shortcut"}),
    ):
        headers = sign(body, SECRET)
        assert verifier.is_valid_request(body, headers)
        assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    assert sign("{}", SECRET)["Content-Type"] == "application/json"
    assert sign("a=b", SECRET)["Content-Type"] == "application/x-www-form-urlencoded"


def test_bolt_app_end_to_end(slack: FakeSlack) -> None:
    app = App(token="xoxb-test", signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=slack.url))

    @app.command("/kensho")
    def on_command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        respond(f"echo: {command['text']}")

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], say: Any) -> None:
        say(f"hello <@{event['user']}>")

    body = command_body("ping", slack=slack)
    assert app.dispatch(BoltRequest(body=body, headers=sign(body, SECRET))).status == 200
    body = event_body({"type": "app_mention", "user": "U0USER", "channel": "C0CHAN", "text": "hi", "ts": "1.1"})
    assert app.dispatch(BoltRequest(body=body, headers=sign(body, SECRET))).status == 200

    assert slack.wait_for("response_url")[0].args["text"] == "echo: ping"
    [post] = slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0CHAN" and post.args["text"] == "hello <@U0USER>"
    assert slack.calls_to("auth.test")  # Bolt verified the token against the fake


def test_latency_delays_answers(slack: FakeSlack, client: WebClient) -> None:
    slack.latency = 0.05
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.05


def test_files_upload_v2_goes_through_the_upload_url_and_lands_in_the_thread(
    slack: FakeSlack, client: WebClient
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    done = client.files_upload_v2(
        channel="C0CHAN", thread_ts="1700000000.000100", file=png, filename="chart.png", title="寄附額"
    )

    assert done["file"]["title"] == "寄附額"
    [url] = slack.calls_to("files.getUploadURLExternal")
    assert (url.args["filename"], int(url.args["length"])) == ("chart.png", len(png))
    [upload] = slack.calls_to("upload")
    assert upload.path.startswith("/upload/F") and upload.args["length"] == len(png)
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == ("C0CHAN", "1700000000.000100")
    [shared] = slack.shared_files
    assert shared["bytes"] == png and shared["channel"] == "C0CHAN" and shared["thread_ts"] == "1700000000.000100"


def test_completing_an_upload_whose_bytes_never_arrived_fails(slack: FakeSlack, client: WebClient) -> None:
    got = client.files_getUploadURLExternal(filename="chart.png", length=10)
    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": got["file_id"], "title": "x"}], channel_id="C0CHAN")
    assert error_of(excinfo) == "file_upload_not_complete"
    assert slack.shared_files == []
