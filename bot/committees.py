"""Committee management shared by the CLI and Slack: parse, validate, reply in Japanese."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.schedule import TOKYO, slots
from store import committees as C
from store import values
from store.db import Database
from store.models import Committee


def parse_deadline(text: str) -> datetime:
    """2026-06-15T17:00 or 2026-06-15 17:00 (Asia/Tokyo); a bare date means 17:00."""
    text = values.clean(text).replace("／", "/").replace("/", "-")
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T")) if ("T" in text or " " in text) else None
        if moment is None:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time()).replace(hour=17)
    except ValueError:
        raise C.CommitteeError(f"締切の日時「{text}」を読めません（例: 2026-06-15T17:00）。") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)).astimezone(UTC)


def parse_meeting(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(values.clean(text).replace("/", "-"))
    except ValueError:
        raise C.CommitteeError(f"開催日「{text}」を読めません（例: 2026-07-10）。") from None


def parse_year(text: str) -> int:
    try:
        return values.parse_fiscal_year(text)
    except ValueError as exc:
        raise C.CommitteeError(str(exc)) from None


@dataclass
class CommitteeInput:
    name: str
    deadline: str | None = None
    meeting: str | None = None
    year: str | None = None


def describe(committee: Committee, now: datetime | None = None) -> str:
    deadline = committee.deadline.astimezone(TOKYO)
    meeting = committee.meeting_date.isoformat() if committee.meeting_date else "未定"
    left = ""
    if now is not None:
        days = (deadline.date() - now.astimezone(TOKYO).date()).days
        left = f"（あと{days}日）" if days > 0 else "（本日締切）" if days == 0 else f"（締切から{-days}日経過）"
    return (
        f"{committee.name}：{values.fiscal_year_label(committee.fiscal_year)}分、"
        f"締切 {deadline:%Y-%m-%d %H:%M}{left}、開催 {meeting}"
    )


def add(db: Database, item: CommitteeInput) -> str:
    if not item.name or not item.deadline or not item.year:
        raise C.CommitteeError(
            "委員会名・締切・年度は必須です（例: 第1回委員会 --deadline 2026-06-15T17:00 --year 令和7年度）。"
        )
    deadline, meeting, year = parse_deadline(item.deadline), parse_meeting(item.meeting), parse_year(item.year)
    if meeting is not None and meeting < deadline.astimezone(TOKYO).date():
        raise C.CommitteeError("開催日が締切より前になっています。")
    with db.session() as session:
        committee = C.add_committee(session, item.name, deadline, meeting, year)
        schedule = "、".join(f"{s.at:%m/%d %H:%M}" for s in slots(committee.deadline))
        return f"登録しました。{describe(committee)}\nお知らせの予定：{schedule}"


def edit(db: Database, item: CommitteeInput, new_name: str | None = None) -> str:
    with db.session() as session:
        committee = C.get_committee(session, item.name)
        if item.deadline:
            committee.deadline = parse_deadline(item.deadline)
        if item.meeting:
            committee.meeting_date = parse_meeting(item.meeting)
        if item.year:
            committee.fiscal_year = parse_year(item.year)
        if new_name:
            committee.name = new_name
        return f"変更しました。{describe(committee)}"


def remove(db: Database, name: str) -> str:
    with db.session() as session:
        C.remove_committee(session, name)
    return f"「{name}」を削除しました（送信済みのお知らせの記録も削除しました）。"


def listing(db: Database, now: datetime) -> list[str]:
    with db.session() as session:
        return [describe(c, now) for c in C.committees(session)] or ["（委員会は登録されていません）"]
