"""Committee deadlines and reminders: the schedule, the recipients, exactly once, Slack's limits."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fakeslack import FakeSlack
from kensho_cli import KENSHO, checkout_env
from slackapp import SlackApp, running_app
from sqlalchemy import func, select, update

from bot import committees as K
from bot.reminders import LEASE, plan, run
from bot.schedule import TOKYO, due_slot, slots
from handlers.client import web_client
from handlers.reminders import SlackSender
from store import committees as C
from store import people
from store.db import Database
from store.models import Department, Project, Record, ReminderClaim, SubmissionStatus

LABOUR = "U0LABOUR"  # 労働政策課
HEALTH = "U0HEALTH"  # 健康長寿社会づくり推進課
ADMIN = "U0ADMIN"
DEADLINE = "2026-06-15T17:00"  # a Monday


def tokyo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


# --- the schedule (pure) ------------------------------------------------------------------------


def test_default_slots_are_7_3_1_days_and_the_deadline_morning_at_0930_on_business_days() -> None:
    names = [(s.name, s.at.strftime("%m-%d %H:%M")) for s in slots(tokyo(DEADLINE))]
    # 3 days before is Fri 06-12 and 1 day before is Sun 06-14 -> Fri 06-12: sent once, under the later name.
    assert names == [("d7", "06-08 09:30"), ("d1", "06-12 09:30"), ("d0", "06-15 09:30"), ("overdue", "06-16 09:30")]


def test_holidays_move_reminders_to_the_previous_business_day() -> None:
    # Golden Week 2026: 5/3 (Sun) to 5/6 (Wed, substitute holiday) are holidays.
    at = {s.name: s.at.date() for s in slots(tokyo("2026-05-07T17:00"))}
    assert at["d7"] == date(2026, 4, 30)
    assert at["d1"] == date(2026, 5, 1)  # 3 and 1 days before (5/4, 5/6) are holidays -> Fri 5/1
    assert at["d0"] == date(2026, 5, 7)
    assert at["overdue"] == date(2026, 5, 8)


def test_offsets_and_hour_are_configurable() -> None:
    got = slots(tokyo("2026-06-19T12:00"), offsets=(5, 2), at=time(10, 0))
    assert [(s.name, s.at.strftime("%m-%d %H:%M")) for s in got] == [
        ("d5", "06-12 10:00"),
        ("d2", "06-17 10:00"),
        ("overdue", "06-22 10:00"),
    ]


def test_a_deadline_before_the_reminder_hour_has_no_morning_reminder_and_is_overdue_that_day() -> None:
    got = {s.name: s.at for s in slots(tokyo("2026-06-15T09:00"))}
    assert "d0" not in got
    assert got["overdue"] == tokyo("2026-06-15T09:30")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-06-05T10:00", None),  # before the first reminder
        ("2026-06-08T09:29", None),  # a minute early
        ("2026-06-08T09:30", "d7"),
        ("2026-06-08T03:00", None),  # never at night
        ("2026-06-13T10:00", None),  # never on a Saturday
        ("2026-06-12T11:00", "d1"),  # after downtime since Monday: the older d7 is stale, only d1 goes
        ("2026-06-15T16:59", "d0"),
        ("2026-06-15T17:30", None),  # past the deadline, but overdue notices wait for the next morning
        ("2026-06-16T09:30", "overdue"),
        ("2026-07-11T10:00", None),  # the committee has met
    ],
)
def test_the_slot_due_at_a_moment(now: str, expected: str | None) -> None:
    slot = due_slot(tokyo(DEADLINE), date(2026, 7, 10), tokyo(now))
    assert (slot.name if slot else None) == expected


# --- who, and exactly once ------------------------------------------------------------------------


def _department(db: Database, name: str) -> int:
    with db.session() as session:
        return session.scalars(select(Department.id).where(Department.name == name)).one()


@pytest.fixture
def setup(db: Database) -> Database:
    with db.session() as session:
        people.add_member(session, LABOUR, _department(db, "労働政策課"), "test")
        people.add_member(session, HEALTH, _department(db, "健康長寿社会づくり推進課"), "test")
        people.add_admin(session, ADMIN, "test")
    K.add(db, K.CommitteeInput("第1回委員会", DEADLINE, "2026-07-10", "令和3年度"))
    return db


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _sender(slack: FakeSlack) -> SlackSender:
    return SlackSender(web_client("xoxb-test", slack.url))


def _claims(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ReminderClaim)) or 0)


def _submit(db: Database, project: str) -> None:
    with db.session() as session:
        record = session.scalars(select(Record).join(Project).where(Project.name == project)).one()
        record.submission_status = SubmissionStatus.SUBMITTED


def test_members_with_pending_projects_are_reminded_and_submitted_departments_are_not(setup: Database) -> None:
    _submit(setup, "群馬健康ポイント制度")
    due = plan(setup, tokyo("2026-06-08T09:30"))
    people_reminded = {r.recipient: r for r in due if r.kind == "pending"}
    assert set(people_reminded) == {LABOUR}
    assert [p.project for p in people_reminded[LABOUR].projects] == ["ぐんまで働こう！若者の活躍促進事業"]
    unstaffed = [r for r in due if r.kind == "unstaffed"]
    assert [r.recipient for r in unstaffed] == [ADMIN]
    assert "医療機関応援金" in [p.project for p in unstaffed[0].projects]


def test_after_the_deadline_one_overdue_notice_each_and_a_summary_for_administrators(setup: Database) -> None:
    due = plan(setup, tokyo("2026-06-16T09:30"))
    assert {(r.recipient, r.kind) for r in due} == {
        (LABOUR, "overdue"),
        (HEALTH, "overdue"),
        (ADMIN, "unstaffed"),
        (ADMIN, "summary"),
    }
    summary = next(r for r in due if r.kind == "summary")
    assert len(summary.projects) == 7


def test_run_sends_each_reminder_once_with_update_buttons(setup: Database, slack: FakeSlack) -> None:
    now = tokyo("2026-06-08T09:30")
    sleeps: list[float] = []
    report = run(setup, _sender(slack), now, sleep=sleeps.append)
    assert len(report.sent) == 3  # two members + the administrator about unstaffed departments
    posts = slack.calls_to("chat.postMessage")
    assert {p.args["channel"] for p in posts} == {f"D{LABOUR}", f"D{HEALTH}", f"D{ADMIN}"}
    labour = next(p for p in posts if p.args["channel"] == f"D{LABOUR}")
    buttons = [b["accessory"] for b in labour.args["blocks"] if "accessory" in b]
    assert [b["text"]["text"] for b in buttons] == ["更新する"]
    assert "6月15日（月）17:00" in labour.args["text"]
    assert sleeps == [1.0, 1.0]  # paced: about one message a second
    again = run(setup, _sender(slack), now + timedelta(minutes=5), sleep=sleeps.append)
    assert again.sent == [] and again.already == 3
    assert len(slack.calls_to("chat.postMessage")) == 3


def test_two_schedulers_racing_send_each_reminder_once(setup: Database, slack: FakeSlack) -> None:
    now = tokyo("2026-06-16T09:30")
    barrier = threading.Barrier(2)

    def go(name: str) -> None:
        barrier.wait()
        run(setup, _sender(slack), now, pace=0, worker=name)

    threads = [threading.Thread(target=go, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    posts = slack.calls_to("chat.postMessage")
    keys = [(p.args["channel"], json.dumps(p.args.get("metadata"), sort_keys=True)) for p in posts]
    assert len(posts) == 4 and len(set(keys)) == 4


def test_a_crash_between_claim_and_send_is_resent_once_after_restart(setup: Database, slack: FakeSlack) -> None:
    now = tokyo("2026-06-08T09:30")
    committee_id = 1
    assert C.claim(setup, committee_id, LABOUR, "d7", "crashed", now, LEASE) is not None  # then the process died
    later = now + timedelta(minutes=3)
    report = run(setup, _sender(slack), later, pace=0)
    assert report.resent == 1
    to_labour = [p for p in slack.calls_to("chat.postMessage") if p.args["channel"] == f"D{LABOUR}"]
    assert len(to_labour) == 1
    run(setup, _sender(slack), later + timedelta(minutes=5), pace=0)
    assert len([p for p in slack.calls_to("chat.postMessage") if p.args["channel"] == f"D{LABOUR}"]) == 1


def test_a_crash_after_slack_got_the_message_is_not_sent_twice(setup: Database, slack: FakeSlack) -> None:
    now = tokyo("2026-06-08T09:30")
    [reminder] = [r for r in plan(setup, now) if r.recipient == LABOUR]
    claim_id = C.claim(setup, reminder.committee_id, LABOUR, reminder.slot, "crashed", now, LEASE)
    assert claim_id is not None
    _sender(slack).send(reminder, claim_id)  # delivered, then the process died before marking it
    report = run(setup, _sender(slack), now + timedelta(minutes=3), pace=0)
    assert report.recovered == 1
    assert len([p for p in slack.calls_to("chat.postMessage") if p.args["channel"] == f"D{LABOUR}"]) == 1


def test_rate_limits_are_retried_after_retry_after(setup: Database, slack: FakeSlack) -> None:
    slack.rate_limit_next("chat.postMessage", retry_after=7)
    waited: list[float] = []
    report = run(setup, _sender(slack), tokyo("2026-06-08T09:30"), pace=0, sleep=waited.append)
    assert len(report.sent) == 3 and report.transient == 0
    assert len([c for c in slack.calls_to("chat.postMessage")]) == 4  # one refused with 429, then retried
    assert 7 <= sum(waited) < 8  # Retry-After, plus up to a second of jitter


def test_a_holder_waiting_out_a_retry_after_longer_than_the_lease_is_not_taken_over(
    setup: Database, slack: FakeSlack
) -> None:
    start = tokyo("2026-06-08T09:30")
    slack.rate_limit_next("chat.postMessage", retry_after=int(LEASE.total_seconds()) + 45)
    clock = [start]
    meanwhile: list[object] = []

    def first_waits(seconds: float) -> None:  # controlled time; another process runs while this one waits
        clock[0] += timedelta(seconds=seconds)
        if not meanwhile and clock[0] - start > LEASE + timedelta(seconds=30):
            other = run(setup, _sender(slack), clock[0], pace=0, sleep=lambda s: None, clock=lambda: clock[0])
            meanwhile.append(other)

    report = run(setup, _sender(slack), start, pace=0, sleep=first_waits, clock=lambda: clock[0], worker="first")
    assert meanwhile, "the other process never ran during the wait"
    assert meanwhile[0].resent == 0  # type: ignore[attr-defined]
    assert len(report.sent) + len(meanwhile[0].sent) == 3  # type: ignore[attr-defined]
    delivered = {channel: len(messages) for channel, messages in slack.history.items()}
    assert delivered == {f"D{LABOUR}": 1, f"D{HEALTH}": 1, f"D{ADMIN}": 1}


def test_a_holder_that_lost_its_claim_to_a_takeover_does_not_send(setup: Database, slack: FakeSlack) -> None:
    start = tokyo("2026-06-08T09:30")
    slack.rate_limit_next("chat.postMessage", retry_after=10)
    clock = [start]

    def stalls(seconds: float) -> None:  # the holder stalls past its lease; another process takes over
        clock[0] += LEASE + timedelta(minutes=1)
        with setup.session() as session:
            session.execute(update(ReminderClaim).values(claimed_by="another"))

    report = run(setup, _sender(slack), start, pace=0, sleep=stalls, clock=lambda: clock[0], worker="first")
    assert report.transient == 1
    assert sum(len(m) for m in slack.history.values()) == 2  # the claim in dispute was left to its new holder


def test_people_the_bot_cannot_dm_are_reported_and_not_retried(setup: Database, slack: FakeSlack) -> None:
    slack.cannot_dm(HEALTH)
    now = tokyo("2026-06-08T09:30")
    report = run(setup, _sender(slack), now, pace=0)
    assert report.undeliverable == [(HEALTH, "user_not_found")]
    again = run(setup, _sender(slack), now + timedelta(minutes=10), pace=0)
    assert again.undeliverable == [] and again.sent == []


def test_dry_run_shows_json_lines_and_changes_nothing(setup: Database, db_url: str) -> None:
    env = checkout_env({**os.environ, "KENSHO_DATABASE_URL": db_url})
    out = subprocess.run(
        [*KENSHO, "remind", "--dry-run", "--at", "2026-06-08T09:30", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert {(x["person"], x["slot"]) for x in lines} == {(LABOUR, "d7"), (HEALTH, "d7"), (ADMIN, "unstaffed:d7")}
    labour = next(x for x in lines if x["person"] == LABOUR)
    assert labour == {
        **labour,
        "department": ["労働政策課"],
        "committee": "第1回委員会",
        "projects": ["ぐんまで働こう！若者の活躍促進事業"],
    }
    assert _claims(setup) == 0


def test_committee_commands(sqlite_url: str) -> None:
    env = checkout_env({**os.environ, "KENSHO_DATABASE_URL": sqlite_url})

    def kensho(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*KENSHO, *args], env=env, capture_output=True, text=True, timeout=60)

    added = kensho(
        "committee", "add", "第2回", "--deadline", "2026-06-15T17:00", "--meeting", "2026-07-10", "--year", "令和7年度"
    )
    assert added.returncode == 0 and "06/08 09:30" in added.stdout
    assert "第2回：令和7年度分、締切 2026-06-15 17:00" in kensho("committee", "list").stdout
    assert kensho("committee", "edit", "第2回", "--deadline", "2026-06-19T17:00").returncode == 0
    assert "2026-06-19 17:00" in kensho("committee", "list").stdout
    bad = kensho("committee", "add", "第3回", "--deadline", "6月15日", "--year", "令和7年度")
    assert bad.returncode == 1 and "締切の日時" in bad.stderr and "Traceback" not in bad.stderr
    assert kensho("committee", "remove", "第2回").returncode == 0
    assert "登録されていません" in kensho("committee", "list").stdout


# --- Slack: App Home and administrators' commands --------------------------------------------------


@pytest.fixture
def app(setup: Database) -> Iterator[SlackApp]:
    with running_app(setup) as served:
        yield served


def test_app_home_shows_committee_status_to_admins_and_pending_projects_to_staff(app: SlackApp) -> None:
    deadline = (datetime.now(TOKYO) + timedelta(days=10)).replace(hour=17, minute=0)
    meeting = (deadline + timedelta(days=20)).date().isoformat()
    K.add(app.services.db, K.CommitteeInput("次回委員会", deadline.strftime("%Y-%m-%dT%H:%M"), meeting, "令和3年度"))
    app.event({"type": "app_home_opened", "user": ADMIN, "channel": "D0", "tab": "home"})
    [admin_home] = app.slack.wait_for("views.publish")
    text = json.dumps(admin_home.args["view"]["blocks"], ensure_ascii=False)
    assert "次回委員会" in text and "締切まであと10日" in text
    assert "労働政策課：提出済 0／下書き 0／未提出 1" in text
    app.slack.reset()
    app.event({"type": "app_home_opened", "user": LABOUR, "channel": "D1", "tab": "home"})
    [staff_home] = app.slack.wait_for("views.publish")
    blocks = staff_home.args["view"]["blocks"]
    text = json.dumps(blocks, ensure_ascii=False)
    assert "ぐんまで働こう！若者の活躍促進事業" in text and "委員会と提出状況" not in text
    assert any(b.get("accessory", {}).get("action_id") == "kensho_update_project" for b in blocks)


def test_admins_manage_committees_from_slack(app: SlackApp) -> None:
    app.command("委員会 追加 第2回 2026-09-15T17:00 2026-10-01 令和4年度", user_id=ADMIN)
    [added] = app.slack.wait_for("response_url")
    assert "登録しました" in added.args["text"]
    app.slack.reset()
    app.command("委員会 追加 第3回 2026-09-15T17:00 2026-10-01 令和4年度", user_id=LABOUR)
    [denied] = app.slack.wait_for("response_url")
    assert "管理者" in denied.args["text"]
    app.slack.reset()
    app.command("委員会 一覧", user_id=LABOUR)
    [listing] = app.slack.wait_for("response_url")
    assert "第1回委員会" in listing.args["text"] and "第2回" in listing.args["text"]


def test_reminder_times_are_in_tokyo_whatever_the_server_clock() -> None:
    utc_now = datetime(2026, 6, 8, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    slot = due_slot(tokyo(DEADLINE), None, utc_now)
    assert slot is not None and slot.name == "d7"


def test_dry_run_names_each_reminder_in_words(setup: Database, db_url: str) -> None:
    env = checkout_env({**os.environ, "KENSHO_DATABASE_URL": db_url})
    out = subprocess.run(
        [*KENSHO, "remind", "--dry-run", "--at", "2026-06-08T09:30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    kinds = sorted(line.split("\t")[2] for line in out.stdout.splitlines())
    assert kinds == ["7日前のお知らせ", "7日前のお知らせ", "担当者未登録の課についての管理者へのお知らせ（7日前）"]
    assert "\td7\t" not in out.stdout and "unstaffed:" not in out.stdout
