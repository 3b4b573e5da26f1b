"""The current committee's 提出済 / 下書き / 未提出 per department, for ``kensho export --status``.

The counts are those App Home shows administrators (``bot.overview.committee_statuses``). The
current committee is the one with the nearest deadline among those whose meeting has not passed
(a deadline up to 30 days past still counts: late submissions come in); without any, the latest
fiscal year of the catalogue is summarised.
"""

from __future__ import annotations

from datetime import datetime

from bot.overview import committee_statuses, overview
from bot.schedule import TOKYO
from store import committees, queries, values
from store.db import Database
from store.export_status import DepartmentCounts, StatusSheet
from store.models import SubmissionStatus

LATE_DAYS = 30


def status_sheet(db: Database, now: datetime) -> StatusSheet | None:
    """None when there is nothing to summarise (no committee and no records)."""
    stamp = now.astimezone(TOKYO).strftime("%Y年%m月%d日 %H:%M")
    issuer = overview(db).issuer
    open_ones = [c for c in committee_statuses(db, now) if c.days_left >= -LATE_DAYS]
    if open_ones:
        current = min(open_ones, key=lambda c: c.deadline)
        deadline = current.deadline.astimezone(TOKYO).strftime("%Y年%m月%d日 %H:%M")
        left = f"あと{current.days_left}日" if current.days_left >= 0 else f"{-current.days_left}日経過"
        lines = [
            f"対象年度：{values.fiscal_year_label(current.fiscal_year)}",
            f"提出締切：{deadline}（{left}）",
            f"集計日時：{stamp}",
        ]
        counts = current.departments
        title = f"自己評価の提出状況（{current.name}）"
    else:
        with db.session() as session:
            found = queries.issuers(session)
            year = queries.latest_year(session, found[0].id) if found else None
            if year is None:
                return None
            counts = committees.status_counts(session, year)
        title = f"自己評価の提出状況（{values.fiscal_year_label(year)}）"
        lines = [f"対象年度：{values.fiscal_year_label(year)}（委員会は登録されていません）", f"集計日時：{stamp}"]
    departments = [
        DepartmentCounts(
            name,
            by[SubmissionStatus.SUBMITTED],
            by[SubmissionStatus.DRAFT],
            by[SubmissionStatus.NOT_SUBMITTED],
        )
        for name, by in counts
    ]
    return StatusSheet(title=title, lines=lines, departments=departments, issuer=issuer)
