"""The Slack app end to end: signed requests into kensho's HTTP server, the fake Web API records replies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from slackapp import SlackApp, dm, mention, running_app

from store.db import Database


@pytest.fixture
def app(db: Database) -> Iterator[SlackApp]:
    with running_app(db) as served:
        yield served


def _all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_url_verification_is_answered_with_the_challenge(app: SlackApp) -> None:
    reply = app.post(json.dumps({"type": "url_verification", "token": "t", "challenge": "abc123"}))
    assert reply.status == 200
    assert "abc123" in reply.body


def test_mention_is_answered_in_its_thread_with_blocks(app: SlackApp) -> None:
    reply = app.event(mention("ぐんま健康ポイントの寄附額は？", ts="1700000000.000100"))
    assert reply.status == 200
    [call] = app.slack.wait_for("chat.postMessage")
    assert call.args["channel"] == "C0CHAN"
    assert call.args["thread_ts"] == "1700000000.000100"
    assert "13,200千円" in call.args["text"] and "4件" in call.args["text"]
    blocks = call.args["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "群馬健康ポイント制度"
    assert any(b["type"] == "context" and "資料５－２" in _all_text([b]) for b in blocks)


def test_mention_inside_a_thread_stays_in_that_thread(app: SlackApp) -> None:
    app.event(mention("医療機関応援金の担当課", ts="1700000001.000200", thread_ts="1700000000.000001"))
    [call] = app.slack.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == "1700000000.000001"
    assert "感染症・がん疾病対策課" in call.args["text"]


def test_direct_message_is_answered_in_the_dm(app: SlackApp) -> None:
    app.event(dm("寄附額の合計は？"))
    [call] = app.slack.wait_for("chat.postMessage")
    assert call.args["channel"] == "D0USER"
    assert "62,254千円" in call.args["text"]
    assert "thread_ts" not in call.args


def test_a_retry_of_the_same_event_is_not_answered_twice(app: SlackApp) -> None:
    event = mention("医療機関応援金の寄附額")
    assert app.event(event, event_id="EvRETRY1").status == 200
    retry = app.event(
        event, event_id="EvRETRY1", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    app.slack.wait_for("chat.postMessage")
    time.sleep(0.3)  # give a wrongly accepted retry the time to post
    assert len(app.slack.calls_to("chat.postMessage")) == 1


def test_a_retry_whose_first_delivery_was_lost_is_answered(app: SlackApp) -> None:
    app.event(mention("医療機関応援金の寄附額"), event_id="EvLOST1", headers={"X-Slack-Retry-Num": "2"})
    [call] = app.slack.wait_for("chat.postMessage")
    assert "13,672千円" in call.args["text"]


@pytest.mark.parametrize("case", ["bad signature", "stale timestamp"])
def test_forged_or_stale_requests_are_refused_and_nothing_is_sent(app: SlackApp, case: str) -> None:
    before = len(app.slack.calls)
    if case == "bad signature":
        reply = app.event(mention("寄附額の合計"), secret="not-the-secret")
    else:
        reply = app.event(mention("寄附額の合計"), timestamp=int(time.time()) - 6 * 60)
    assert reply.status == 401
    time.sleep(0.3)
    assert len(app.slack.calls) == before


@pytest.mark.parametrize(
    "event",
    [
        dm("寄附額の合計は？", bot_id="B0OTHER"),
        dm("寄附額の合計は？", subtype="bot_message"),
        dm("寄附額の合計は？", subtype="message_changed"),
        dm("", subtype="message_deleted"),
        dm("寄附額の合計は？", user="U0BOT"),
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U0USER",
            "text": "寄附額の合計",
            "channel": "C1",
            "ts": "1.1",
        },
    ],
    ids=["other bot", "bot_message", "edit", "deletion", "itself", "channel chatter"],
)
def test_bots_edits_deletions_and_channel_chatter_are_ignored(app: SlackApp, event: dict) -> None:
    assert app.event(event).status == 200
    time.sleep(0.4)
    assert app.slack.calls_to("chat.postMessage") == []


def test_slash_command_answers_ephemerally_with_a_share_button(app: SlackApp) -> None:
    reply = app.command("5Gデジタルファクトリーの寄附件数")
    assert reply.status == 200
    [call] = app.slack.wait_for("response_url")
    assert call.args["response_type"] == "ephemeral"
    assert "1件" in call.args["text"]
    share = [e for b in call.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert share and share[0]["text"]["text"] == "チャンネルに共有"

    app.action(
        {
            "type": "block_actions",
            "user": {"id": "U0USER"},
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
            "channel": {"id": "C0CHAN"},
            "container": {"type": "message", "is_ephemeral": True},
            "response_url": app.slack.response_url(),
            "trigger_id": "t1",
            "actions": [{**share[0], "block_id": "kensho_share", "action_ts": "1"}],
        }
    )
    [posted] = app.slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C0CHAN"
    assert "1件" in posted.args["text"]
    assert "u0user さんが共有しました" in _all_text(posted.args["blocks"])  # the display name (users.info)


def test_slash_command_help(app: SlackApp) -> None:
    app.command("help")
    [call] = app.slack.wait_for("response_url")
    assert "使い方" in call.args["text"]


def test_ambiguous_question_offers_buttons_and_a_click_answers_in_place(app: SlackApp) -> None:
    app.event(mention("コロナの事業の寄附額"))  # ぐんま alone names the whole catalogue, not a project
    [call] = app.slack.wait_for("chat.postMessage")
    buttons = [e for b in call.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) >= 2, call.args["text"]
    chosen = buttons[-1]
    app.action(
        {
            "type": "block_actions",
            "user": {"id": "U0USER"},
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
            "channel": {"id": "C0CHAN"},
            "container": {"type": "message", "is_ephemeral": False},
            "message": {"ts": "1.2", "text": call.args["text"]},
            "response_url": app.slack.response_url(),
            "trigger_id": "t2",
            "actions": [{**chosen, "block_id": "kensho_candidates", "action_ts": "1"}],
        }
    )
    [update] = app.slack.wait_for("response_url")
    assert update.args["replace_original"] is True
    assert chosen["text"]["text"] in update.args["text"] and "寄附額は" in update.args["text"]


def test_unknown_project_gets_not_found_with_a_hint(app: SlackApp) -> None:
    app.event(mention("八ッ場ダムの事業費"))
    [call] = app.slack.wait_for("chat.postMessage")
    assert "見つかりませんでした" in call.args["text"]
    shown = "".join(b.get("text", {}).get("text", "") for b in call.args["blocks"])
    assert "例：「医療機関応援金の寄附額は？」" in shown  # a question about one of the issuer's own projects


def test_channel_mentions_in_questions_are_escaped(app: SlackApp) -> None:
    app.event(mention("<!channel> <!here> <https://evil.example|健康ポイント> の寄附額 & more"))
    [call] = app.slack.wait_for("chat.postMessage")
    posted = call.args["text"] + _all_text(call.args["blocks"])
    assert "<!channel>" not in posted and "<!here>" not in posted and "<https://" not in posted


def test_a_failure_while_answering_is_told_politely_and_the_app_keeps_serving(
    app: SlackApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(question: str) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(app.services.asker, "ask", boom)
    app.event(mention("寄附額の合計"))
    [call] = app.slack.wait_for("chat.postMessage")
    assert "申し訳ありません" in call.args["text"]
    monkeypatch.undo()
    app.event(mention("寄附額の合計"))
    calls = app.slack.wait_for("chat.postMessage", count=2)
    assert "62,254千円" in calls[1].args["text"]


def test_a_burst_of_concurrent_mentions_is_answered_once_each(app: SlackApp) -> None:
    events = [(mention("健康ポイントの寄附額", ts=f"1700000100.{i:06d}"), f"EvBURST{i}") for i in range(30)]
    with ThreadPoolExecutor(max_workers=30) as pool:
        replies = list(pool.map(lambda e: app.event(e[0], event_id=e[1]), events + events))
    assert all(r.status == 200 for r in replies)
    calls = app.slack.wait_for("chat.postMessage", count=30, timeout=20)
    time.sleep(0.3)
    calls = app.slack.calls_to("chat.postMessage")
    assert sorted(c.args["thread_ts"] for c in calls) == sorted(e[0]["ts"] for e in events)


def test_healthz_reports_the_database(app: SlackApp) -> None:
    reply = app.get("/healthz")
    assert reply.status == 200
    assert reply.json() == {"status": "ok", "database": True}
    assert app.get("/nope").status == 404


def test_app_home_shows_examples_and_totals(app: SlackApp) -> None:
    app.event({"type": "app_home_opened", "user": "U0USER", "channel": "D0USER", "tab": "home"})
    [call] = app.slack.wait_for("views.publish")
    view = call.args["view"]
    text = _all_text(view["blocks"])
    assert view["type"] == "home"
    assert "質問の例" in text and "62,254千円" in text and "健康長寿社会づくり推進課" in text


@pytest.mark.parametrize(
    "payload",
    [
        {
            "type": "view_submission",
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
            "view": {"callback_id": "kensho_selfeval", "private_metadata": "{}", "state": {"values": "x"}},
        },
        {
            "type": "view_submission",
            "team": {"id": "T0TEST"},
            "user": {"id": "U1"},
            "api_app_id": "A0TEST",
            "view": {"callback_id": "kensho_pick_record"},
        },
        {
            "type": "view_submission",
            "team": {"id": "T0TEST"},
            "user": {"id": "U1"},
            "api_app_id": "A0TEST",
            "view": {
                "type": "modal",
                "callback_id": "kensho_selfeval",
                "private_metadata": "[1]",
                "state": {"values": {"kpi_0": "zzz", "result": [1, 2]}},
            },
        },
    ],
    ids=["no user", "no view type", "nonsense state"],
)
def test_malformed_form_submissions_get_a_notice_never_a_500(app: SlackApp, payload: dict) -> None:
    reply = app.action(payload)
    assert reply.status == 200
    body = reply.json()
    assert body["response_action"] == "push" and body["view"]["callback_id"] == "kensho_notice"


def test_a_body_that_is_not_json_nor_a_form_is_refused_without_a_traceback(app: SlackApp) -> None:
    reply = app.post("payload=%7Bnot-json")
    assert reply.status == 400 and "Traceback" not in reply.body
    assert app.post('{"type":"event_callback","event":"not an object","event_id":"EvBAD"}').status == 200
    assert app.slack.calls_to("chat.postMessage") == []


def test_an_answer_stuck_in_the_database_does_not_hold_up_the_others(
    app: SlackApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck = threading.Event()
    original = app.services.asker.ask

    def ask(question: str, **kwargs):  # type: ignore[no-untyped-def]
        if "医療機関応援金" in question:
            stuck.wait(30)  # a query waiting on a lock in the database, until the test lets it go
        return original(question, **kwargs)

    monkeypatch.setattr(app.services.asker, "ask", ask)
    app.event(mention("医療機関応援金の寄附額", ts="1700000000.000001"))
    time.sleep(0.2)  # the stuck answer has taken its turn
    others = [mention(q, ts=f"1700000001.{i:06d}") for i, q in enumerate(["健康ポイントの寄附額", "寄附額の合計"] * 4)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(r.status == 200 for r in pool.map(app.event, others))
    answered = app.slack.wait_for("chat.postMessage", count=len(others), timeout=15)
    assert "1700000000.000001" not in {c.args["thread_ts"] for c in answered}
    assert app.command("健康ポイントの担当課").status == 200  # acknowledged in time
    stuck.set()
    app.slack.wait_for("chat.postMessage", count=len(others) + 1, timeout=15)


@pytest.mark.parametrize("word", ["help", "使い方", "ヘルプ", "Help", "使い方？"])
def test_help_words_in_a_mention_or_a_dm_give_the_help_text(app: SlackApp, word: str) -> None:
    app.event(mention(word, ts="1700000000.000900"))
    app.event(dm(word))
    calls = app.slack.wait_for("chat.postMessage", count=2)
    for call in calls:
        assert "kensho の使い方" in call.args["text"]
        assert "見つかりませんでした" not in call.args["text"]
    assert {c.args.get("thread_ts") for c in calls} == {"1700000000.000900", None}


INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"


def test_bidi_and_zero_width_controls_never_reach_slack(app: SlackApp) -> None:
    app.event(mention("\u202eあいうえお\u200b\u2066事業\u2069の寄附額は？"))
    app.command("\u202eかきくけこ\u200d事業の担当課")
    sent = [*app.slack.wait_for("chat.postMessage"), *app.slack.wait_for("response_url")]
    for call in sent:
        payload = json.dumps(call.args, ensure_ascii=False)
        assert not set(payload) & set(INVISIBLE), payload
    assert "あいうえお事業" in json.dumps(sent[0].args, ensure_ascii=False)  # the name echoed, made visible
