"""Reminders: who still owes a self-evaluation, what is due now, and sending each exactly once.

``plan`` reads the database and says what is due at a moment (``kensho remind --dry-run``).
``run`` claims each reminder in the database before sending it and marks it sent afterwards.
A claim carries a lease that its holder renews while it waits (pacing, a 429 Retry-After); only a
claim whose lease has run out — its holder crashed — is taken over, and re-sent only if Slack
never got it. Age alone never makes a claim abandoned.
Sending goes through a ``Sender`` (Slack lives in handlers/), so this module stays Slack-free.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.schedule import DEFAULT_OFFSETS, DEFAULT_TIME, OVERDUE, due_slot
from store import committees as C
from store.db import Database
from store.people import admins

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)  # a claim whose holder has not renewed it for this long is taken over
RENEW_EVERY = 30.0  # seconds: how often a waiting holder renews its lease
Wait = Callable[[float], None]


@dataclass(frozen=True)
class Reminder:
    committee_id: int
    committee: str
    deadline: datetime
    meeting: date | None
    fiscal_year: int
    recipient: str  # Slack user id
    slot: str  # the claim key: d7, d0, overdue, unstaffed:d3, summary
    kind: str  # pending | overdue | unstaffed | summary
    projects: tuple[C.Pending, ...]

    @property
    def departments(self) -> list[str]:
        return list(dict.fromkeys(p.department for p in self.projects))

    def to_json(self) -> dict[str, object]:
        return {
            "person": self.recipient,
            "department": self.departments,
            "committee": self.committee,
            "slot": self.slot,
            "kind": self.kind,
            "deadline": self.deadline.isoformat(),
            "projects": [p.project for p in self.projects],
        }


def slot_label(slot: str) -> str:
    """A claim key in words (d7 → 7日前のお知らせ), as `kensho remind --dry-run` shows it."""
    if slot.startswith("unstaffed:"):
        return f"担当者未登録の課についての管理者へのお知らせ（{_when(slot.removeprefix('unstaffed:'))}）"
    if slot == "summary":
        return "提出期限後の未提出のまとめ（管理者へ）"
    if slot == OVERDUE:
        return "提出期限を過ぎたことのお知らせ"
    return f"{_when(slot)}のお知らせ"


def _when(slot: str) -> str:
    if slot == OVERDUE:
        return "提出期限後"
    days = slot.removeprefix("d")
    if not days.isdigit():
        return slot
    return "締切当日" if int(days) == 0 else f"{int(days)}日前"


class Undeliverable(Exception):
    """Slack refuses this recipient for good (cannot DM, user not found …)."""


class LeaseLost(Exception):
    """Another process took the claim over (this one stalled past its lease): stop, do not send."""


class Sender(Protocol):
    def send(self, reminder: Reminder, claim_id: int, wait: Wait) -> str | None:
        """Deliver; return the message ts. Undeliverable for permanent refusals, anything else is transient.
        Any waiting (Retry-After) goes through ``wait``, which keeps the claim's lease alive."""

    def find_sent(self, recipient: str, claim_id: int, wait: Wait) -> str | None:
        """The ts of a message for ``claim_id`` already delivered to ``recipient``, if any."""


@dataclass
class RunReport:
    sent: list[Reminder] = field(default_factory=list)
    already: int = 0  # claimed earlier (by this or another process)
    undeliverable: list[tuple[str, str]] = field(default_factory=list)  # (recipient, reason)
    transient: int = 0
    recovered: int = 0  # unfinished claims found delivered after all
    resent: int = 0


def plan(
    db: Database, now: datetime, offsets: tuple[int, ...] = DEFAULT_OFFSETS, at: object = DEFAULT_TIME
) -> list[Reminder]:
    """Every reminder due at ``now``; reads only, claims and sends nothing."""
    out: list[Reminder] = []
    with db.session() as session:
        committee_rows = C.committees(session)
        staff = C.members_by_department(session)
        admin_ids = admins(session)
        for committee in committee_rows:
            slot = due_slot(committee.deadline, committee.meeting_date, now, offsets, at)  # type: ignore[arg-type]
            if slot is None:
                continue
            pending = C.pending_records(session, committee.fiscal_year)
            if not pending:
                continue
            base = (committee.id, committee.name, committee.deadline, committee.meeting_date, committee.fiscal_year)
            kind = "overdue" if slot.name == OVERDUE else "pending"
            per_person: dict[str, list[C.Pending]] = {}
            unstaffed: list[C.Pending] = []
            for item in pending:
                people = staff.get(item.department_id, []) if item.department_id is not None else []
                if not people:
                    unstaffed.append(item)
                for person in people:
                    per_person.setdefault(person, []).append(item)
            for person, items in sorted(per_person.items()):
                out.append(Reminder(*base, person, slot.name, kind, tuple(items)))
            for admin in admin_ids:
                if unstaffed:
                    out.append(Reminder(*base, admin, f"unstaffed:{slot.name}", "unstaffed", tuple(unstaffed)))
                if slot.name == OVERDUE:
                    out.append(Reminder(*base, admin, "summary", "summary", tuple(pending)))
    return out


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run(
    db: Database,
    sender: Sender,
    now: datetime,
    *,
    offsets: tuple[int, ...] = DEFAULT_OFFSETS,
    at: object = DEFAULT_TIME,
    pace: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] | None = None,
    worker: str | None = None,
) -> RunReport:
    """Send what is due at ``now``, each reminder once across every process sharing the database.

    ``clock`` tells the time while the run goes on (leases are renewed at it); by default ``now``
    plus the time elapsed. Tests pass ``sleep`` and ``clock`` to control time.
    """
    worker = worker or worker_name()
    if clock is None:
        started = time.monotonic()
        clock = lambda: now + timedelta(seconds=time.monotonic() - started)  # noqa: E731
    report = RunReport()
    due = plan(db, now, offsets, at)
    by_key = {(r.committee_id, r.recipient, r.slot): r for r in due}
    first = True

    def waiting(claim_id: int) -> Wait:
        """Wait ``seconds``, renewing the claim's lease at least every RENEW_EVERY seconds."""

        def wait(seconds: float) -> None:
            left = seconds
            while left > 0:
                step = min(left, RENEW_EVERY)
                sleep(step)
                left -= step
                if not C.renew(db, claim_id, worker, clock(), LEASE):
                    raise LeaseLost(claim_id)

        return wait

    def deliver(reminder: Reminder, claim_id: int) -> None:
        nonlocal first
        wait = waiting(claim_id)
        try:
            if not first and pace > 0:
                wait(pace)  # about one message a second: Slack's chat.postMessage pace
            first = False
            ts = sender.send(reminder, claim_id, wait)
        except Undeliverable as refused:
            C.mark_failed(db, claim_id, str(refused), clock())
            report.undeliverable.append((reminder.recipient, str(refused)))
            return
        except LeaseLost:
            log.warning(
                "reminder %s to %s was taken over by another process; not sent here", reminder.slot, reminder.recipient
            )
            report.transient += 1
            return
        except Exception:
            log.exception("reminder %s to %s not sent; it will be retried", reminder.slot, reminder.recipient)
            report.transient += 1
            return
        C.mark_sent(db, claim_id, ts, clock())
        report.sent.append(reminder)

    # Claims whose holder is gone: sent if Slack has the message, else re-sent while still due.
    for unfinished in C.take_unfinished(db, clock(), worker, LEASE):
        try:
            ts = sender.find_sent(unfinished.recipient, unfinished.claim_id, waiting(unfinished.claim_id))
        except Exception:
            log.exception("could not check whether reminder claim %s was delivered", unfinished.claim_id)
            continue
        if ts is not None:
            C.mark_sent(db, unfinished.claim_id, ts, clock())
            report.recovered += 1
            continue
        reminder = by_key.pop((unfinished.committee_id, unfinished.recipient, unfinished.slot), None)
        if reminder is None:
            C.mark_failed(db, unfinished.claim_id, "stale: no longer due when recovered", clock())
            continue
        report.resent += 1
        deliver(reminder, unfinished.claim_id)

    for reminder in by_key.values():
        claim_id = C.claim(db, reminder.committee_id, reminder.recipient, reminder.slot, worker, clock(), LEASE)
        if claim_id is None:
            report.already += 1
            continue
        deliver(reminder, claim_id)
    return report
