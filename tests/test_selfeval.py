"""Self-evaluation through Slack modals, end to end: permissions, validation, no lost update, history."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slackapp import SlackApp, mention, running_app
from sqlalchemy import func, select

from bot.ask import Asker
from store import people
from store.db import Database
from store.models import Department, Project, Record, Revision, SubmissionStatus

MEMBER = "U0MEMBER"  # 健康長寿社会づくり推進課: one project (群馬健康ポイント制度)
MULTI = "U0MULTI"  # 労働政策課 and 健康体育課: two projects
ADMIN = "U0ADMIN"
STRANGER = "U0STRANGER"


def _department_id(db: Database, name: str) -> int:
    with db.session() as session:
        return session.scalars(select(Department.id).where(Department.name == name)).one()


@pytest.fixture
def app(db: Database) -> Iterator[SlackApp]:
    with db.session() as session:
        people.add_member(session, MEMBER, _department_id(db, "健康長寿社会づくり推進課"), "test")
        people.add_member(session, MULTI, _department_id(db, "労働政策課"), "test")
        people.add_member(session, MULTI, _department_id(db, "健康体育課"), "test")
        people.add_admin(session, ADMIN, "test")
        people.set_setting(session, people.ADMIN_CHANNEL, "C0ADMIN")
    with running_app(db) as served:
        yield served


def _record(db: Database, project: str) -> Record:
    with db.session() as session:
        return session.scalars(select(Record).join(Project).where(Project.name == project)).one()


def _revisions(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Revision)) or 0)


def _open_form(app: SlackApp, user: str = MEMBER) -> dict[str, Any]:
    app.slack.reset()
    app.command("更新", user_id=user)
    [call] = app.slack.wait_for("views.open")
    return call.args["view"]


def _state(view: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The state Slack would send for ``view`` with its initial values, changed by ``overrides``."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        bid = block["block_id"]
        if bid in overrides:
            new = overrides[bid]
            if element["type"] == "plain_text_input":
                values[bid] = {"value": {"type": "plain_text_input", "value": new}}
            else:
                chosen = None if new is None else next(o for o in element["options"] if o["value"] == new)
                values[bid] = {"value": {"type": element["type"], "selected_option": chosen}}
        elif element["type"] == "plain_text_input":
            values[bid] = {"value": {"type": "plain_text_input", "value": element.get("initial_value")}}
        else:
            values[bid] = {"value": {"type": element["type"], "selected_option": element.get("initial_option")}}
    return values


def _submit(
    app: SlackApp, view: dict[str, Any], user: str = MEMBER, metadata: str | None = None, **overrides: Any
) -> Any:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEST"},
        "user": {"id": user},
        "api_app_id": "A0TEST",
        "trigger_id": f"t{time.time()}",
        "view": {
            "id": "V0FORM",
            "type": "modal",
            "callback_id": view["callback_id"],
            "hash": "h",
            "private_metadata": view.get("private_metadata", "") if metadata is None else metadata,
            "state": {"values": _state(view, **overrides)},
        },
    }
    reply = app.action(payload)
    assert reply.status == 200
    return reply.json() if reply.body else {}


FILLED = {
    "result": "アプリ登録者が3万人を超えた。",
    "kpi_0": "320.5",
    "evaluation": "2",
    "kpi_effective": "true",
    "policy": "継続",
    "policy_reason": "利用者が増えているため。",
    "reflection": "広報を強化したい。",
    "mode": "submit",
}


def test_member_opens_the_prefilled_form_with_the_command(app: SlackApp) -> None:
    view = _open_form(app)
    assert view["callback_id"] == "kensho_selfeval"
    text = json.dumps(view, ensure_ascii=False)
    assert "群馬健康ポイント制度" in text
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["result"]["element"]["initial_value"].startswith("健康寿命の延伸を目的として")
    assert blocks["kpi_0"]["element"]["initial_value"] == "集計中"
    assert "一人あたりの県民所得" in blocks["kpi_0"]["label"]["text"]
    assert blocks["evaluation"]["element"]["initial_option"]["value"] == "3"
    assert blocks["policy"]["element"]["initial_option"]["value"] == "継続"


def test_member_of_two_departments_picks_a_project_first_via_the_shortcut(app: SlackApp) -> None:
    app.action(
        {
            "type": "shortcut",
            "callback_id": "kensho_update",
            "trigger_id": "t-short",
            "user": {"id": MULTI},
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
        }
    )
    [call] = app.slack.wait_for("views.open")
    picker = call.args["view"]
    options = picker["blocks"][1]["element"]["options"]
    assert {o["text"]["text"] for o in options} == {"ぐんまで働こう！若者の活躍促進事業", "中高生の自転車安全対策"}
    chosen = next(o for o in options if o["text"]["text"] == "中高生の自転車安全対策")
    reply = app.action(
        {
            "type": "view_submission",
            "team": {"id": "T0TEST"},
            "user": {"id": MULTI},
            "api_app_id": "A0TEST",
            "view": {
                "id": "V0PICK",
                "type": "modal",
                "callback_id": picker["callback_id"],
                "private_metadata": "",
                "state": {"values": {"record": {"value": {"type": "static_select", "selected_option": chosen}}}},
            },
        }
    )
    body = reply.json()
    assert body["response_action"] == "update"
    assert "中高生の自転車安全対策" in json.dumps(body["view"], ensure_ascii=False)


def test_update_button_under_an_answer_opens_the_form_for_members_only(app: SlackApp) -> None:
    app.event(mention("健康ポイントの寄附額", user=MEMBER))
    [answer] = app.slack.wait_for("chat.postMessage")
    buttons = [e for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    update = next(b for b in buttons if b["text"]["text"] == "更新する")
    app.action(
        {
            "type": "block_actions",
            "user": {"id": MEMBER},
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
            "trigger_id": "t-btn",
            "container": {"type": "message"},
            "channel": {"id": "C0CHAN"},
            "actions": [{**update, "block_id": "kensho_answer_actions", "action_ts": "1"}],
        }
    )
    [opened] = app.slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "kensho_selfeval"

    app.slack.reset()
    app.event(mention("健康ポイントの寄附額", user=STRANGER))
    [other] = app.slack.wait_for("chat.postMessage")
    assert "更新する" not in json.dumps(other.args["blocks"], ensure_ascii=False)


def test_non_member_cannot_open_the_form(app: SlackApp) -> None:
    view = _open_form(app, user=STRANGER)
    assert view["callback_id"] == "kensho_notice"
    assert "更新できる事業がありません" in json.dumps(view, ensure_ascii=False)


def test_valid_submission_is_stored_answered_notified_and_in_history(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    app.slack.reset()
    app.slack.users[MEMBER] = {"profile": {"display_name": "健康 花子", "real_name": "Hanako"}}
    assert _submit(app, view, **FILLED) == {}
    record = _record(db, "群馬健康ポイント制度")
    assert record.submission_status == SubmissionStatus.SUBMITTED
    assert record.result == FILLED["result"] and record.evaluation == 2 and record.updated_by == MEMBER
    answer = Asker(db).ask("健康ポイントのKPIの実績値")
    assert "320.5" in answer.text
    dm, channel_post = app.slack.wait_for("chat.postMessage", count=2)
    assert dm.args["channel"] == MEMBER and "提出済" in dm.args["text"] and "320.5" in dm.args["text"]
    assert channel_post.args["channel"] == "C0ADMIN"
    assert channel_post.args["text"].startswith("健康 花子 さんが") and MEMBER not in channel_post.args["text"]
    app.command("健康ポイントの更新履歴", user_id=MEMBER)
    [history] = app.slack.wait_for("response_url")
    text = history.args["text"]
    assert "事業内容（実施結果）" in text and "（健康 花子、Slackフォーム）" in text and MEMBER not in text


def test_validation_errors_come_back_next_to_the_fields_and_nothing_changes(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    before = _revisions(db)
    body = _submit(app, view, **{**FILLED, "kpi_0": "abc", "reflection": "", "evaluation": None})
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"kpi_0", "reflection", "evaluation"}
    assert "数値" in body["errors"]["kpi_0"]
    assert _revisions(db) == before
    assert _record(db, "群馬健康ポイント制度").submission_status == SubmissionStatus.NOT_SUBMITTED


def test_full_width_and_minus_numbers_are_accepted(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    assert _submit(app, view, **{**FILLED, "kpi_0": "－１，２３４．５"}) == {}
    kpi = Asker(db).ask("健康ポイントのKPI").text
    assert "-1,234.5" in kpi


def test_a_draft_may_be_incomplete(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    assert _submit(app, view, reflection="", mode="draft") == {}
    assert _record(db, "群馬健康ポイント制度").submission_status == SubmissionStatus.DRAFT


@pytest.mark.parametrize("case", ["stranger", "tampered metadata", "garbage metadata"])
def test_forged_submissions_are_refused_and_change_nothing(app: SlackApp, db: Database, case: str) -> None:
    view = _open_form(app)
    before = _revisions(db)
    if case == "stranger":
        body = _submit(app, view, user=STRANGER, **FILLED)
    elif case == "tampered metadata":
        other = _record(db, "医療機関応援金")
        meta = json.dumps({"r": other.id, "v": other.version, "t": "2026-01-01T00:00:00+00:00"})
        body = _submit(app, view, metadata=meta, **FILLED)
    else:
        body = _submit(app, view, metadata="{not json", **FILLED)
    assert body["response_action"] == "push"
    assert body["view"]["callback_id"] == "kensho_notice"
    assert _revisions(db) == before


def test_a_submission_after_someone_else_saved_is_refused_with_who_and_what(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    app.slack.users[ADMIN] = {"profile": {"display_name": "企画 太郎"}}
    assert _submit(app, view, user=ADMIN, **FILLED) == {}
    saved = _record(db, "群馬健康ポイント制度")
    body = _submit(app, view, **{**FILLED, "result": "別の内容"})
    assert body["response_action"] == "push"
    text = json.dumps(body["view"], ensure_ascii=False)
    assert "企画 太郎さんがこの事業を更新しました" in text and "事業内容（実施結果）" in text
    assert ADMIN not in text
    assert _record(db, "群馬健康ポイント制度").result == saved.result


def test_a_stale_form_after_your_own_earlier_save_says_it_was_yours(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    assert _submit(app, view, **FILLED) == {}  # saved from another form, e.g. on another device
    body = _submit(app, view, **{**FILLED, "result": "別の内容"})
    assert body["response_action"] == "push"
    text = json.dumps(body["view"], ensure_ascii=False)
    assert "あなたご自身がこの事業を保存しています" in text and "ほかの方" not in text
    assert "あなた：事業内容（実施結果）" in text


def test_double_click_on_submit_stores_one_revision(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    before = _revisions(db)
    assert _submit(app, view, **FILLED) == {}
    after_first = _revisions(db)
    assert _submit(app, view, **FILLED) == {}
    assert _revisions(db) == after_first > before


def test_concurrent_submissions_one_wins_one_is_told(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    variants = [{**FILLED, "result": f"内容{i}"} for i in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        bodies = list(pool.map(lambda v: _submit(app, view, **v), variants))
    saved = [b for b in bodies if b == {}]
    refused = [b for b in bodies if b.get("response_action") == "push"]
    assert len(saved) == 1 and len(refused) == 1
    assert _record(db, "群馬健康ポイント制度").result in {"内容0", "内容1"}


def test_typed_text_is_escaped_in_notifications(app: SlackApp) -> None:
    view = _open_form(app)
    app.slack.reset()
    _submit(app, view, **{**FILLED, "reflection": "<!channel> 至急 <https://evil.example|ここ>"})
    for call in app.slack.wait_for("chat.postMessage", count=2):
        assert "<!channel>" not in call.args["text"] and "<https://" not in call.args["text"]


def test_admins_manage_members_from_slack_with_fuzzy_department_names(app: SlackApp, db: Database) -> None:
    app.command("メンバー追加 <@U0NEW|new> 環境政策", user_id=ADMIN)
    [added] = app.slack.wait_for("response_url")
    assert "環境政策課" in added.args["text"] and "追加しました" in added.args["text"]
    with db.session() as session:
        assert people.department_ids_of(session, "U0NEW") == [_department_id(db, "環境政策課")]
    app.slack.reset()
    app.command("メンバー追加 <@U0NEW2> 健康課", user_id=ADMIN)
    [refused] = app.slack.wait_for("response_url")
    assert "見つかりませんでした" in refused.args["text"] and "もしかして" in refused.args["text"]
    app.slack.reset()
    app.command("メンバー追加 <@U0NEW3> 環境政策課", user_id=MEMBER)
    [denied] = app.slack.wait_for("response_url")
    assert "管理者" in denied.args["text"]


# --- past fiscal years are read-only for departments -------------------------------------------


def _new_year_opens(db: Database, project: str = "群馬健康ポイント制度") -> int:
    """Records of the next fiscal year arrive (an import): the project's old record is a past year's."""
    with db.session() as session:
        old = session.scalars(select(Record).join(Project).where(Project.name == project)).one()
        new = Record(project_id=old.project_id, fiscal_year=old.fiscal_year + 1, department_id=old.department_id)
        session.add(new)
        session.flush()
        return old.id


def _press_update(app: SlackApp, user: str, record_id: int) -> dict[str, Any]:
    app.slack.reset()
    app.action(
        {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": "T0TEST"},
            "api_app_id": "A0TEST",
            "trigger_id": f"t-{time.time()}",
            "container": {"type": "message"},
            "channel": {"id": "D0USER"},
            "actions": [
                {"type": "button", "action_id": "kensho_update_project", "value": str(record_id), "action_ts": "1"}
            ],
        }
    )
    [opened] = app.slack.wait_for("views.open")
    return opened.args["view"]


def test_a_past_years_record_is_refused_to_its_department_from_a_button(app: SlackApp, db: Database) -> None:
    old = _new_year_opens(db)
    view = _press_update(app, MEMBER, old)
    assert view["callback_id"] == "kensho_notice"
    text = json.dumps(view, ensure_ascii=False)
    assert "令和3年度の自己評価は受付を終了" in text and "企画担当" in text


def test_a_form_opened_before_the_year_closed_saves_nothing(app: SlackApp, db: Database) -> None:
    view = _open_form(app)
    _new_year_opens(db)
    before = _revisions(db)
    body = _submit(app, view, **FILLED)
    assert body["response_action"] == "push"
    assert "受付を終了" in json.dumps(body["view"], ensure_ascii=False)
    assert _revisions(db) == before
    assert _record_of_year(db, "群馬健康ポイント制度", 2021).result != FILLED["result"]


def test_administrators_may_still_edit_a_past_year(app: SlackApp, db: Database) -> None:
    old = _new_year_opens(db)
    view = _press_update(app, ADMIN, old)
    assert view["callback_id"] == "kensho_selfeval"
    assert _submit(app, view, user=ADMIN, **FILLED) == {}
    assert _record_of_year(db, "群馬健康ポイント制度", 2021).result == FILLED["result"]


def test_a_past_year_stays_open_while_its_committee_has_not_met(app: SlackApp, db: Database) -> None:
    from bot import committees as K

    old = _new_year_opens(db)
    K.add(db, K.CommitteeInput("第2回委員会", "2099-06-15T17:00", "2099-07-10", "令和3年度"))
    assert _press_update(app, MEMBER, old)["callback_id"] == "kensho_selfeval"


def _record_of_year(db: Database, project: str, year: int) -> Record:
    with db.session() as session:
        return session.scalars(
            select(Record).join(Project).where(Project.name == project, Record.fiscal_year == year)
        ).one()


def test_the_member_list_never_turns_a_department_name_into_a_mention(app: SlackApp, db: Database) -> None:
    with db.session() as session:
        department = session.get(Department, _department_id(db, "環境政策課"))
        assert department is not None
        department.name = "<@U0EVIL> <!channel> 環境政策課"
        people.add_member(session, "U0NEW", department.id, "test")
    app.command("メンバー一覧", user_id=ADMIN)
    [listing] = app.slack.wait_for("response_url")
    text = listing.args["text"]
    assert "&lt;@U0EVIL&gt; &lt;!channel&gt; 環境政策課：<@U0NEW>" in text
    assert "<@U0EVIL>" not in text and "<!channel>" not in text
    assert "管理者：<@U0ADMIN>" in text
