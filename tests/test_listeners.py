"""The listeners one by one, as Slack's Bolt starter template tests them: each module-level listener
called directly with fake ack/say/respond/client objects and a Bolt context holding real Services on
a real SQLite database (the bundled Gunma data). What it acknowledges and what it posts is asserted;
the end-to-end tests (tests/test_slack_app.py, test_selfeval.py …) run the same listeners through Bolt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from unittest.mock import Mock, create_autospec

import pytest
from slack_bolt import Ack, BoltContext, BoltResponse, Respond, Say
from slack_sdk import WebClient
from sqlalchemy import select

from bot.ask import Asker
from bot.charts import ChartSpec
from handlers.actions import handle_candidate_pick, handle_chart_button, handle_share
from handlers.blocks import CHART_ACTION, PICK_ACTION, SHARE_ACTION, UPDATE_ACTION, escape
from handlers.commands import ADMIN_ONLY, CHART_HINT, handle_kensho_command
from handlers.context import Services, provide, services_of
from handlers.events import handle_app_home_opened, handle_app_mention, handle_message
from handlers.middleware import deduplicate
from handlers.modal import FORM_CALLBACK, NOTICE_CALLBACK, PICK_CALLBACK
from handlers.respond import SORRY
from handlers.selfeval import (
    NO_PROJECTS,
    handle_form_submission,
    handle_pick_submission,
    handle_record_options,
    handle_update_button,
    handle_update_shortcut,
)
from store import people
from store.db import Database
from store.models import Department, Project, Record

MEMBER = "U0MEMBER"  # 健康長寿社会づくり推進課: one project (群馬健康ポイント制度)
MULTI = "U0MULTI"  # 労働政策課 and 健康体育課: two projects
ADMIN = "U0ADMIN"
STRANGER = "U0STRANGER"
LOG = logging.getLogger(__name__)


class RecordedCharts:
    """Stands in for the chart worker: records what would be drawn and uploaded, draws nothing."""

    def __init__(self) -> None:
        self.posted: list[tuple[ChartSpec, str, str | None]] = []

    def post(self, client: WebClient, spec: ChartSpec, channel: str, thread_ts: str | None) -> None:
        self.posted.append((spec, channel, thread_ts))


@pytest.fixture
def services(sqlite_db: Database) -> Services:
    with sqlite_db.session() as session:

        def department(name: str) -> int:
            return session.scalars(select(Department.id).where(Department.name == name)).one()

        people.add_member(session, MEMBER, department("健康長寿社会づくり推進課"), "test")
        people.add_member(session, MULTI, department("労働政策課"), "test")
        people.add_member(session, MULTI, department("健康体育課"), "test")
        people.add_admin(session, ADMIN, "test")
        people.set_setting(session, people.ADMIN_CHANNEL, "C0ADMIN")
    return Services(db=sqlite_db, asker=Asker(sqlite_db), charts=RecordedCharts(), names={MEMBER: "山田"}.get)  # type: ignore[arg-type]


@pytest.fixture
def context(services: Services) -> BoltContext:
    """A request's context after kensho's middleware put the Services into it."""
    context = BoltContext()
    provide(services)(context, lambda: None)
    return context


@pytest.fixture
def slack() -> Iterator[Mock]:
    """One parent mock, so that the order of ack, say, respond and client calls can be asserted."""
    calls = Mock()
    for name, kind in (("ack", Ack), ("say", Say), ("respond", Respond), ("client", WebClient)):
        calls.attach_mock(create_autospec(kind, instance=True), name)  # called as Bolt's own would be
    yield calls


def _once(mock: Mock) -> dict[str, Any]:
    """The keyword arguments of a mock's only call (and it had no positional ones)."""
    assert mock.call_count == 1 and mock.call_args.args == (), mock.mock_calls
    return dict(mock.call_args.kwargs)


def _texts(call: Any) -> str:
    """Everything a call posts (text and blocks), as one string."""
    return json.dumps({**call.kwargs, **({"text": call.args[0]} if call.args else {})}, ensure_ascii=False)


def _record_id(db: Database, project: str) -> int:
    with db.session() as session:
        return session.scalars(select(Record.id).join(Project).where(Project.name == project)).one()


# --- the Services in the context ------------------------------------------------------------------------


def test_the_middleware_puts_the_services_into_every_requests_context(services: Services) -> None:
    context = BoltContext()
    after = Mock(return_value=BoltResponse(status=200))
    provide(services)(context, after)
    after.assert_called_once()
    assert services_of(context) is services


def test_an_event_delivered_twice_reaches_the_listeners_once(context: BoltContext) -> None:
    body = {"type": "event_callback", "event_id": "Ev0LISTENER1", "event": {"type": "app_mention"}}
    first, second = Mock(), Mock()
    deduplicate(body, context, first)
    answered_again = deduplicate(body, context, second)
    first.assert_called_once()
    second.assert_not_called()
    assert answered_again is not None and answered_again.status == 200


# --- events -----------------------------------------------------------------------------------------------


def _mention(text: str, user: str = STRANGER, **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": user, "text": f"<@U0BOT> {text}", "channel": "C0CHAN", "ts": "1.0", **extra}


def test_a_mention_is_answered_in_its_thread(slack: Mock, context: BoltContext) -> None:
    handle_app_mention(
        event=_mention("ぐんま健康ポイントの寄附額は？"),
        body={"event_id": "Ev1"},
        say=slack.say,
        client=slack.client,
        context=context,
    )
    slack.say.assert_called_once()
    assert slack.say.call_args.kwargs["thread_ts"] == "1.0"
    assert "13,200千円" in slack.say.call_args.kwargs["text"]


def test_a_mention_in_a_thread_is_answered_in_that_thread_and_a_bots_is_ignored(
    slack: Mock, context: BoltContext
) -> None:
    handle_app_mention(
        event=_mention("寄附額の合計は？", thread_ts="0.5"),
        body={},
        say=slack.say,
        client=slack.client,
        context=context,
    )
    assert slack.say.call_args.kwargs["thread_ts"] == "0.5"
    slack.say.reset_mock()
    handle_app_mention(
        event=_mention("寄附額の合計は？", bot_id="B0OTHER"),
        body={},
        say=slack.say,
        client=slack.client,
        context=context,
    )
    slack.say.assert_not_called()


def test_help_in_a_mention_is_the_usage_not_a_project_search(slack: Mock, context: BoltContext) -> None:
    handle_app_mention(event=_mention("使い方"), body={}, say=slack.say, client=slack.client, context=context)
    assert "kensho の使い方" in slack.say.call_args.kwargs["text"]


def test_a_chart_request_is_acknowledged_in_words_and_handed_to_the_chart_worker(
    slack: Mock, context: BoltContext, services: Services
) -> None:
    handle_app_mention(event=_mention("寄附額をグラフで"), body={}, say=slack.say, client=slack.client, context=context)
    assert "グラフを作成しています" in slack.say.call_args.kwargs["text"]
    [(spec, channel, thread_ts)] = services.charts.posted  # type: ignore[attr-defined]
    assert (channel, thread_ts) == ("C0CHAN", "1.0") and spec.fields == ("donation_amount",)


def test_a_direct_message_is_answered_in_the_dm_and_channel_chatter_is_not(slack: Mock, context: BoltContext) -> None:
    dm = {"type": "message", "channel_type": "im", "user": STRANGER, "text": "医療機関応援金の担当課は？"}
    handle_message(event={**dm, "channel": "D0"}, body={}, say=slack.say, client=slack.client, context=context)
    slack.say.assert_called_once()
    assert slack.say.call_args.kwargs.get("thread_ts") is None
    assert "感染症・がん疾病対策課" in slack.say.call_args.kwargs["text"]
    slack.say.reset_mock()
    chatter = {**dm, "channel_type": "channel", "channel": "C0CHAN"}
    handle_message(event=chatter, body={}, say=slack.say, client=slack.client, context=context)
    slack.say.assert_not_called()


def test_a_failing_answer_is_an_apology_never_silence(
    slack: Mock, context: BoltContext, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.asker, "ask", Mock(side_effect=RuntimeError("boom")))
    handle_app_mention(event=_mention("寄附額は？"), body={}, say=slack.say, client=slack.client, context=context)
    assert slack.say.call_args.kwargs["text"] == SORRY and slack.say.call_args.kwargs["thread_ts"] == "1.0"


def test_app_home_shows_administrators_the_committees_and_everyone_the_catalogue(
    slack: Mock, context: BoltContext
) -> None:
    handle_app_home_opened(event={"tab": "home", "user": ADMIN}, client=slack.client, context=context, logger=LOG)
    slack.client.views_publish.assert_called_once()
    assert slack.client.views_publish.call_args.kwargs["user_id"] == ADMIN
    shown = _texts(slack.client.views_publish.call_args)
    assert "委員会と提出状況（管理者向け）" in shown and "登録されているデータ" in shown and "7事業" in shown

    slack.client.views_publish.reset_mock()
    handle_app_home_opened(event={"tab": "home", "user": STRANGER}, client=slack.client, context=context, logger=LOG)
    shown = _texts(slack.client.views_publish.call_args)
    assert "管理者向け" not in shown and "登録されているデータ" in shown


def test_app_home_ignores_the_messages_tab(slack: Mock, context: BoltContext) -> None:
    handle_app_home_opened(event={"tab": "messages", "user": ADMIN}, client=slack.client, context=context, logger=LOG)
    slack.client.views_publish.assert_not_called()


# --- the /kensho command ------------------------------------------------------------------------------------


def _command(slack: Mock, context: BoltContext, text: str, user: str = STRANGER) -> None:
    command = {"command": "/kensho", "text": text, "user_id": user, "channel_id": "C0CHAN", "trigger_id": "t-1"}
    handle_kensho_command(ack=slack.ack, command=command, respond=slack.respond, client=slack.client, context=context)


def test_a_question_is_acknowledged_first_then_answered_only_to_the_asker(slack: Mock, context: BoltContext) -> None:
    _command(slack, context, "ぐんま健康ポイントの寄附額は？")
    assert [c[0] for c in slack.mock_calls] == ["ack", "respond"]
    assert _once(slack.ack) == {}
    reply = slack.respond.call_args.kwargs
    assert reply["response_type"] == "ephemeral" and "13,200千円" in reply["text"]
    assert "チャンネルに共有" in json.dumps(reply["blocks"], ensure_ascii=False)


def test_a_chart_asked_of_the_command_is_pointed_to_a_mention(slack: Mock, context: BoltContext) -> None:
    _command(slack, context, "寄附額をグラフで")
    slack.ack.assert_called_once()
    assert slack.respond.call_args.kwargs["text"] == escape(CHART_HINT)


def test_the_member_list_is_for_administrators_only(slack: Mock, context: BoltContext) -> None:
    _command(slack, context, "メンバー一覧")
    assert slack.respond.call_args.kwargs["text"] == ADMIN_ONLY
    _command(slack, context, "メンバー一覧", user=ADMIN)
    listing = slack.respond.call_args.kwargs["text"]
    assert "健康長寿社会づくり推進課：<@U0MEMBER>" in listing and "管理者：<@U0ADMIN>" in listing


def test_update_with_a_project_name_opens_its_form(slack: Mock, context: BoltContext) -> None:
    _command(slack, context, "更新 健康ポイント", user=MEMBER)
    slack.ack.assert_called_once()
    slack.client.views_open.assert_called_once()
    opened = slack.client.views_open.call_args.kwargs
    assert opened["trigger_id"] == "t-1" and opened["view"]["callback_id"] == FORM_CALLBACK
    assert "群馬健康ポイント制度" in json.dumps(opened["view"], ensure_ascii=False)


def test_update_naming_no_single_project_says_so(slack: Mock, context: BoltContext) -> None:
    _command(slack, context, "更新 存在しない事業", user=MEMBER)
    slack.client.views_open.assert_not_called()
    assert "1つに絞れませんでした" in slack.respond.call_args.kwargs["text"]


# --- buttons ------------------------------------------------------------------------------------------------


def test_a_candidate_picked_is_answered_in_place(slack: Mock, context: BoltContext, services: Services) -> None:
    project_id = services.asker.ask("医療機関応援金").project_ids[0]
    action = {"action_id": PICK_ACTION, "value": json.dumps({"p": project_id, "f": ["donation_amount"]})}
    body = {"user": {"id": STRANGER}, "container": {"is_ephemeral": False}}
    handle_candidate_pick(ack=slack.ack, action=action, body=body, respond=slack.respond, context=context)
    slack.ack.assert_called_once()
    reply = slack.respond.call_args.kwargs
    assert reply["replace_original"] is True and "13,672千円" in reply["text"]


def test_a_forged_candidate_button_is_refused_politely(slack: Mock, context: BoltContext) -> None:
    action = {"action_id": PICK_ACTION, "value": "not json"}
    handle_candidate_pick(ack=slack.ack, action=action, body={}, respond=slack.respond, context=context)
    slack.ack.assert_called_once()
    assert slack.respond.call_args.kwargs["text"] == "このボタンは使えません。もう一度質問してください。"


def test_the_chart_button_draws_the_answers_figures_into_its_thread(
    slack: Mock, context: BoltContext, services: Services
) -> None:
    body = {"channel": {"id": "C0CHAN"}, "message": {"ts": "2.0", "thread_ts": "1.0"}}
    action = {"action_id": CHART_ACTION, "value": json.dumps({"f": ["donation_count"], "y": 2021})}
    handle_chart_button(
        ack=slack.ack, action=action, body=body, client=slack.client, respond=slack.respond, context=context
    )
    slack.ack.assert_called_once()
    [(spec, channel, thread_ts)] = services.charts.posted  # type: ignore[attr-defined]
    assert (channel, thread_ts, spec.fields, spec.fiscal_years) == ("C0CHAN", "1.0", ("donation_count",), (2021,))
    slack.respond.assert_not_called()


def test_a_forged_chart_button_draws_nothing(slack: Mock, context: BoltContext, services: Services) -> None:
    action = {"action_id": CHART_ACTION, "value": json.dumps({"f": ["kpi"], "y": 1800})}
    handle_chart_button(
        ack=slack.ack,
        action=action,
        body={"channel": {"id": "C0CHAN"}},
        client=slack.client,
        respond=slack.respond,
        context=context,
    )
    assert services.charts.posted == []  # type: ignore[attr-defined]
    assert slack.respond.call_args.kwargs["text"] == "グラフにするデータがありません。"


def test_sharing_posts_the_answer_to_the_channel_by_name_and_removes_the_private_one(
    slack: Mock, context: BoltContext
) -> None:
    action = {"action_id": SHARE_ACTION, "value": "寄附額の合計は？"}
    body = {"channel": {"id": "C0CHAN"}, "user": {"id": MEMBER}}
    handle_share(ack=slack.ack, action=action, body=body, client=slack.client, respond=slack.respond, context=context)
    slack.ack.assert_called_once()
    posted = slack.client.chat_postMessage.call_args.kwargs
    assert posted["channel"] == "C0CHAN" and "山田 さんが共有しました" in json.dumps(
        posted["blocks"], ensure_ascii=False
    )
    assert _once(slack.respond) == {"delete_original": True}


# --- self-evaluation ------------------------------------------------------------------------------------------


def test_the_shortcut_opens_a_picker_for_two_projects_and_a_notice_for_none(slack: Mock, context: BoltContext) -> None:
    handle_update_shortcut(
        ack=slack.ack, shortcut={"trigger_id": "t-2", "user": {"id": MULTI}}, client=slack.client, context=context
    )
    slack.ack.assert_called_once()
    assert slack.client.views_open.call_args.kwargs["view"]["callback_id"] == PICK_CALLBACK

    handle_update_shortcut(
        ack=slack.ack, shortcut={"trigger_id": "t-3", "user": {"id": STRANGER}}, client=slack.client, context=context
    )
    notice = slack.client.views_open.call_args.kwargs["view"]
    assert notice["callback_id"] == NOTICE_CALLBACK and NO_PROJECTS[:20] in json.dumps(notice, ensure_ascii=False)


def test_the_update_button_opens_the_form_only_for_the_department(
    slack: Mock, context: BoltContext, services: Services
) -> None:
    record_id = _record_id(services.db, "群馬健康ポイント制度")
    action = {"action_id": UPDATE_ACTION, "value": str(record_id)}
    for user, expected in ((MEMBER, FORM_CALLBACK), (MULTI, NOTICE_CALLBACK)):
        body = {"trigger_id": "t-4", "user": {"id": user}}
        handle_update_button(ack=slack.ack, body=body, action=action, client=slack.client, context=context)
        assert slack.client.views_open.call_args.kwargs["view"]["callback_id"] == expected
    assert slack.ack.call_count == 2


def test_the_picker_offers_only_the_persons_projects_matching_what_they_typed(
    slack: Mock, context: BoltContext
) -> None:
    handle_record_options(ack=slack.ack, body={"user": {"id": MULTI}, "value": "自転車"}, context=context)
    [option] = slack.ack.call_args.kwargs["options"]
    assert option["text"]["text"] == "中高生の自転車安全対策"


def test_the_picker_submitted_without_a_choice_asks_for_one(slack: Mock, context: BoltContext) -> None:
    view = {"callback_id": PICK_CALLBACK, "state": {"values": {}}}
    handle_pick_submission(ack=slack.ack, body={"user": {"id": MULTI}}, view=view, context=context)
    assert _once(slack.ack) == {"response_action": "errors", "errors": {"record": "事業を選んでください"}}


def _submitted(form: dict[str, Any], **changes: str) -> dict[str, Any]:
    """The form as Slack sends it back on 保存: every input at its initial value, except ``changes``."""
    values: dict[str, Any] = {}
    for block in form["blocks"]:
        if block["type"] != "input":
            continue
        element, bid = block["element"], block["block_id"]
        if element["type"] == "plain_text_input":
            values[bid] = {"value": {"type": element["type"], "value": changes.get(bid, element.get("initial_value"))}}
        else:
            chosen = element.get("initial_option")
            if bid in changes:
                chosen = next(o for o in element["options"] if o["value"] == changes[bid])
            values[bid] = {"value": {"type": element["type"], "selected_option": chosen}}
    return {**form, "state": {"values": values}}


def test_a_saved_draft_is_acknowledged_then_told_to_the_person_and_the_channel(
    slack: Mock, context: BoltContext
) -> None:
    _command(slack, context, "更新", user=MEMBER)
    form = slack.client.views_open.call_args.kwargs["view"]
    slack.reset_mock()
    view = _submitted(form, reflection="広報を強化したい。", mode="draft")
    handle_form_submission(
        ack=slack.ack, body={"user": {"id": MEMBER}}, view=view, client=slack.client, context=context
    )
    assert _once(slack.ack) == {}
    assert [c[0] for c in slack.mock_calls][:1] == ["ack"]  # acknowledged before anything is posted
    dm, post = slack.client.chat_postMessage.call_args_list
    assert dm.kwargs["channel"] == MEMBER and "下書きとして保存しました" in dm.kwargs["text"]
    assert post.kwargs["channel"] == "C0ADMIN" and post.kwargs["text"].startswith("山田 さんが *群馬健康ポイント制度*")
    assert "広報を強化したい。" in post.kwargs["text"]


def test_a_submission_with_bad_fields_is_acknowledged_with_the_errors_and_posts_nothing(
    slack: Mock, context: BoltContext
) -> None:
    _command(slack, context, "更新", user=MEMBER)
    form = slack.client.views_open.call_args.kwargs["view"]
    slack.reset_mock()
    view = _submitted(form, kpi_0="たくさん", mode="submit")
    handle_form_submission(
        ack=slack.ack, body={"user": {"id": MEMBER}}, view=view, client=slack.client, context=context
    )
    assert slack.ack.call_args.kwargs["response_action"] == "errors" and "kpi_0" in slack.ack.call_args.kwargs["errors"]
    slack.client.chat_postMessage.assert_not_called()


def test_a_form_without_its_metadata_is_refused_with_a_notice(slack: Mock, context: BoltContext) -> None:
    view = {"callback_id": FORM_CALLBACK, "private_metadata": "", "state": {"values": {}}}
    handle_form_submission(
        ack=slack.ack, body={"user": {"id": MEMBER}}, view=view, client=slack.client, context=context
    )
    assert slack.ack.call_args.kwargs["response_action"] == "push"
    assert "保存できませんでした" in json.dumps(slack.ack.call_args.kwargs["view"], ensure_ascii=False)
