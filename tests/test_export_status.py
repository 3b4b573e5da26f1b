"""kensho export --status: the current committee's 提出済 / 下書き / 未提出 per department on one page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from kensho_cli import kensho
from openpyxl import load_workbook
from rendering import pdf_pages, squeeze
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.status_report import status_sheet
from store.committees import add_committee
from store.db import Database, open_database
from store.models import Record, SubmissionStatus

NOW = datetime(2026, 6, 8, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo


def prepare(db: Database) -> None:
    """A committee for 令和3年度 and three records in progress."""
    with db.session() as session:
        add_committee(session, "第1回委員会", datetime(2026, 6, 15, 8, 0, tzinfo=UTC), date(2026, 7, 10), 2021)
        add_committee(session, "昨年の委員会", datetime(2025, 6, 15, 8, 0, tzinfo=UTC), date(2025, 7, 10), 2021)
        records = {r.project.name: r for r in session.scalars(select(Record).options(selectinload(Record.project)))}
        records["医療機関応援金"].submission_status = SubmissionStatus.SUBMITTED
        records["中高生の自転車安全対策"].submission_status = SubmissionStatus.SUBMITTED
        records["群馬健康ポイント制度"].submission_status = SubmissionStatus.DRAFT


def test_the_summary_counts_each_department_for_the_committee_whose_meeting_is_ahead(db: Database) -> None:
    prepare(db)
    sheet = status_sheet(db, NOW)

    assert sheet is not None
    assert sheet.title == "自己評価の提出状況（第1回委員会）"
    assert sheet.lines[:2] == ["対象年度：令和3年度", "提出締切：2026年06月15日 17:00（あと7日）"]
    counts = {d.department: (d.submitted, d.draft, d.not_submitted) for d in sheet.departments}
    assert counts["感染症・がん疾病対策課"] == (1, 0, 0)
    assert counts["健康長寿社会づくり推進課"] == (0, 1, 0)
    assert counts["労働政策課"] == (0, 0, 1)
    totals = sheet.totals
    assert (totals.submitted, totals.draft, totals.not_submitted, totals.total) == (2, 1, 4, 7)


def test_without_a_committee_the_latest_year_is_summarised(sqlite_db: Database) -> None:
    sheet = status_sheet(sqlite_db, NOW)
    assert sheet is not None and sheet.title == "自己評価の提出状況（令和3年度）"
    assert sheet.totals.not_submitted == 7


def test_kensho_export_status_writes_one_page_as_pdf_and_xlsx(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    db = open_database(url)
    try:
        with db.session() as session:  # a committee whose deadline is still ahead whenever this runs
            add_committee(session, "第9回委員会", datetime(2099, 6, 15, 8, 0, tzinfo=UTC), None, 2021)
            record = session.scalars(select(Record).order_by(Record.id)).first()
            assert record is not None
            record.submission_status = SubmissionStatus.SUBMITTED
    finally:
        db.dispose()

    pdf = tmp_path / "status.pdf"
    done = kensho("export", "--status", "-o", str(pdf), db_url=url, home=tmp_path)
    assert done.returncode == 0, done.stderr
    [page] = pdf_pages(pdf)
    text = squeeze(page)
    assert "自己評価の提出状況（第9回委員会）" in text and "対象年度：令和3年度" in text
    assert "感染症・がん疾病対策課100" in text and "合計1067" in text

    xlsx = tmp_path / "status.xlsx"
    done = kensho("export", "--status", "--format", "xlsx", "-o", str(xlsx), db_url=url, home=tmp_path)
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(xlsx).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows() if row[0].value]
    assert rows[0] == ["自己評価の提出状況（第9回委員会）", None, None, None, None]
    assert ["担当課", "提出済", "下書き", "未提出", "計"] in rows
    assert ["合計", 1, 0, 6, 7] in rows
    assert (int(sheet.page_setup.fitToWidth), int(sheet.page_setup.fitToHeight)) == (1, 1)

    shown = kensho("export", "--status", db_url=url, home=tmp_path, binary=False)
    assert shown.returncode == 0 and "第9回委員会" in shown.stdout
