"""Charts: recognising a chart request, drawing it, and posting the PNG into the right Slack thread.

Slack runs end to end: signed requests into the real Bolt app, the fake Web API records
files.getUploadURLExternal, the POST of the bytes to the URL it returned, and
files.completeUploadExternal (where the file is shared, and into which thread).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kensho_cli import kensho
from slackapp import SlackApp, dm, mention, running_app

from bot.chart_request import chart_fields, chart_spec_for, wants_chart
from bot.charts import build_spec, render_png, value_label
from store.db import Database

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG), "a PNG image"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- what counts as a chart request ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        ("寄附額をグラフで", ["donation_amount"]),
        ("事業費と寄附額を比べるグラフ", ["project_cost", "donation_amount"]),
        ("寄附件数をチャートにして", ["donation_count"]),
        ("令和3年度の事業費を図で見せて", ["project_cost"]),
        ("寄付の推移", []),
    ],
)
def test_chart_words_are_recognised_by_lemma_and_fields_from_the_vocabulary(question: str, fields: list[str]) -> None:
    assert wants_chart(question)
    assert chart_fields(question) == fields


@pytest.mark.parametrize(
    "question", ["寄附額の合計は？", "図書館の事業は？", "グラフィック事業の寄附額", "ぐんま健康ポイントの寄附額は？"]
)
def test_without_a_chart_word_there_is_no_chart(sqlite_db: Database, question: str) -> None:
    with sqlite_db.session() as session:
        assert chart_spec_for(session, question) is None


def test_a_chart_spec_holds_each_projects_figures_from_the_database(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        compare = chart_spec_for(session, "事業費と寄附額を比べるグラフ")
        trend = chart_spec_for(session, "寄附額の推移")
        missing = chart_spec_for(session, "令和5年度の寄附額のグラフ")
    assert compare is not None and trend is not None
    assert compare.title == "令和3年度 事業別の事業費と寄附額（群馬県）"
    assert (compare.fields, compare.fiscal_years, compare.unit, compare.trend) == (
        ("project_cost", "donation_amount"),
        (2021,),
        "千円",
        False,
    )
    first = compare.projects[0]
    assert first.project == "医療機関応援金", "the largest first"
    assert (first.values["project_cost"][2021], first.values["donation_amount"][2021]) == (876894, 13672)
    assert len(compare.projects) == 7
    assert trend.trend and trend.total("donation_amount", 2021) == 62254
    assert missing is None, "no data for that year: the ordinary answer says so"


def test_values_are_labelled_in_thousands_and_ten_thousands_of_yen() -> None:
    assert value_label(13672, "千円") == "13,672千円（1,367.2万円）"
    assert value_label(13200, "千円") == "13,200千円（1,320万円）"
    assert value_label(6, "件") == "6件"
    assert value_label(None, "千円") == "未記入"


def test_render_png_draws_one_bar_row_per_project(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        one = build_spec(session, ["donation_amount"])
        two = build_spec(session, ["project_cost", "donation_amount"])
    assert one is not None and two is not None
    width, height = png_size(render_png(one))
    width2, height2 = png_size(render_png(two))
    assert width == width2 == 1100
    assert height2 > height > 300, "two bars per project take more room"


def test_kensho_chart_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    result = kensho("chart", "事業費と寄附額", "-o", str(out), db_url=f"sqlite:///{tmp_path / 'k.db'}", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "「令和3年度 事業別の事業費と寄附額（群馬県）」のグラフを書き出しました" in result.stderr
    png_size(out.read_bytes())


# --- in Slack --------------------------------------------------------------------------------------


@pytest.fixture
def app(sqlite_db: Database) -> Iterator[SlackApp]:
    with running_app(sqlite_db) as served:
        yield served


def test_a_chart_question_posts_one_png_into_the_mentions_thread(app: SlackApp) -> None:
    app.event(mention("寄附額をグラフで", ts="1700000000.000100"))

    [complete] = app.slack.wait_for("files.completeUploadExternal", timeout=20)
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == ("C0CHAN", "1700000000.000100")
    [shared] = app.slack.shared_files
    png_size(shared["bytes"])
    assert shared["title"] == "令和3年度 事業別の寄附額（群馬県）"
    [url] = app.slack.calls_to("files.getUploadURLExternal")
    assert url.args["filename"].endswith(".png") and int(url.args["length"]) == len(shared["bytes"])
    assert len(app.slack.calls_to("upload")) == 1

    [reply] = app.slack.calls_to("chat.postMessage")
    assert reply.args["thread_ts"] == "1700000000.000100"
    assert "グラフを作成しています" in reply.args["text"]
    assert reply.time <= url.time, "the reply does not wait for the drawing"


def test_a_chart_question_in_a_dm_posts_the_png_in_the_dm(app: SlackApp) -> None:
    app.event(dm("事業費と寄附額を比べるグラフ"))
    [complete] = app.slack.wait_for("files.completeUploadExternal", timeout=20)
    assert complete.args["channel_id"] == "D0USER" and not complete.args.get("thread_ts")
    assert app.slack.shared_files[0]["title"] == "令和3年度 事業別の事業費と寄附額（群馬県）"


def test_a_ranking_answer_has_a_chart_button_that_posts_into_its_thread(app: SlackApp) -> None:
    app.event(mention("寄附額の上位3件", ts="1700000000.000200"))
    [answer] = app.slack.wait_for("chat.postMessage")
    assert "1. ５Ｇデジタルファクトリー横展開実証" in answer.args["text"]
    buttons = [e for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    [chart] = [b for b in buttons if b["text"]["text"] == "グラフで見る"]

    app.action(
        {
            "type": "block_actions",
            "user": {"id": "U0USER"},
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
            "channel": {"id": "C0CHAN"},
            "container": {"type": "message", "is_ephemeral": False},
            "message": {"ts": "1700000000.000300", "thread_ts": "1700000000.000200", "text": answer.args["text"]},
            "response_url": app.slack.response_url(),
            "trigger_id": "t3",
            "actions": [{**chart, "block_id": "kensho_answer_actions", "action_ts": "1"}],
        }
    )
    [complete] = app.slack.wait_for("files.completeUploadExternal", timeout=20)
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == ("C0CHAN", "1700000000.000200")
    assert app.slack.shared_files[0]["title"] == "令和3年度 事業別の寄附額（群馬県）"


def test_a_total_answer_has_the_chart_button_and_a_lookup_does_not(app: SlackApp) -> None:
    app.event(mention("寄附額の合計は？"))
    app.event(mention("医療機関応援金の寄附額"))
    calls = app.slack.wait_for("chat.postMessage", count=2)
    by_text = {("合計" in c.args["text"]): c for c in calls}

    def labels(call: object) -> list[str]:
        blocks = call.args["blocks"]  # type: ignore[attr-defined]
        return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]

    assert "グラフで見る" in labels(by_text[True])
    assert "グラフで見る" not in labels(by_text[False])
    time.sleep(0.3)
    assert app.slack.calls_to("files.getUploadURLExternal") == [], "no chart unless asked"


def test_a_chart_asked_by_slash_command_is_explained_not_posted(app: SlackApp) -> None:
    app.command("寄附額をグラフで")
    [call] = app.slack.wait_for("response_url")
    assert call.args["response_type"] == "ephemeral" and "メンション" in call.args["text"]
    time.sleep(0.3)
    assert app.slack.calls_to("files.getUploadURLExternal") == []


@pytest.mark.parametrize(
    "value", ["", "{}", '{"f": ["kpi"], "y": 2021}', '{"f": ["donation_amount"], "y": "x"}', "[1]"]
)
def test_a_forged_chart_button_draws_nothing(app: SlackApp, value: str) -> None:
    app.action(
        {
            "type": "block_actions",
            "user": {"id": "U0USER"},
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
            "channel": {"id": "C0CHAN"},
            "container": {"type": "message", "is_ephemeral": False},
            "message": {"ts": "1700000000.000300", "text": "x"},
            "response_url": app.slack.response_url(),
            "trigger_id": "t4",
            "actions": [{"type": "button", "action_id": "kensho_show_chart", "value": value, "action_ts": "1"}],
        }
    )
    [call] = app.slack.wait_for("response_url")
    assert call.args["response_type"] == "ephemeral" and "グラフにするデータがありません" in call.args["text"]
    assert app.slack.calls_to("files.getUploadURLExternal") == []
