"""No lost update from import: an earlier export never silently undoes what was saved since.

The scenario of issue 12 end to end: `kensho export`, a department submits through the real Bolt app
(the Slack modal and its store function), `kensho import` of the earlier export is refused naming who
changed what and when, and `--force` applies it with the revisions recorded. Store-level cases
around it. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from kensho_cli import kensho
from openpyxl import load_workbook
from slackapp import SlackApp, running_app
from sqlalchemy import func, select
from test_selfeval import ADMIN, FILLED, MEMBER, _department_id, _open_form, _submit

import store.importer as importer
from store import people
from store.db import Database
from store.export import export_heading, export_rows, write_csv
from store.export_xlsx import DATA_SHEET, write_xlsx
from store.import_conflicts import StaleRow, when
from store.importer import ImportFailed, import_file
from store.models import KpiStatus, Project, Record, Revision, SubmissionStatus
from store.records import RECORD_DETAILS
from store.schemas import SelfEvaluationDraft, SelfEvaluationSubmission
from store.selfeval import save_self_evaluation

PROJECT = "群馬健康ポイント制度"  # 健康長寿社会づくり推進課, MEMBER's one project
OTHER = "医療機関応援金"
DEPARTMENT = "健康長寿社会づくり推進課"


@pytest.fixture
def app(db: Database) -> Iterator[SlackApp]:
    with db.session() as session:
        people.add_member(session, MEMBER, _department_id(db, DEPARTMENT), "test")
        people.add_admin(session, ADMIN, "test")
    with running_app(db) as served:
        yield served


def record(db: Database, project: str = PROJECT) -> Record:
    with db.session() as session:
        return session.scalars(
            select(Record).join(Project).where(Project.name == project).options(*RECORD_DETAILS)
        ).one()


def state(db: Database, project: str = PROJECT) -> tuple[Any, ...]:
    r = record(db, project)
    kpis = [(k.actual, k.actual_status) for k in r.kpis]
    return (r.version, r.result, r.evaluation, r.kpi_effective, r.reflection, r.submission_status, kpis)


def revisions(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Revision)) or 0)


def export_file(db: Database, path: Path) -> Path:
    rows = export_rows(db, None)
    if path.suffix == ".xlsx":
        write_xlsx(rows, path, export_heading(db))
    else:
        write_csv(rows, path)
    return path


def save(db: Database, project: str, data: SelfEvaluationDraft, *, submit: bool = True, user: str = ADMIN) -> None:
    with db.session() as session:
        people.add_admin(session, ADMIN, "test")  # no-op when already one
    r = record(db, project)
    save_self_evaluation(
        db,
        user_id=user,
        record_id=r.id,
        expected_version=r.version,
        opened_at=datetime.now(UTC),
        data=data,
        submit=submit,
    )


def as_saved(db: Database, project: str) -> SelfEvaluationSubmission:
    """The record's self-evaluation as it stands, for a 提出 that changes nothing but the status."""
    r = record(db, project)
    return SelfEvaluationSubmission.model_validate(
        {
            "result": r.result,
            "kpi_actuals": ["集計中" if k.actual_status == KpiStatus.PENDING else str(k.actual) for k in r.kpis],
            "evaluation": str(r.evaluation),
            "kpi_effective": "true" if r.kpi_effective else "false",
            "policy": r.policy_option.label if r.policy_option else "",
            "policy_reason": r.policy_reason,
            "reflection": r.reflection,
        }
    )


def edited_csv(path: Path, out: Path, edit: dict[str, dict[str, str]], drop: tuple[str, ...] = ()) -> Path:
    """The CSV at ``path`` with cells changed per project (``{project: {column: value}}``)."""
    text = path.read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    columns = [c for c in rows[0] if c not in drop]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, **edit.get(row["個別事業名"], {})})
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return out


# --- the scenario, through Slack and the command line ------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_earlier_export_does_not_undo_a_submission_unless_forced(
    app: SlackApp, db: Database, db_url: str, tmp_path: Path, fmt: str
) -> None:
    exported = tmp_path / f"委員会資料.{fmt}"
    out = kensho("export", "--format", fmt, "-o", str(exported), db_url=db_url, home=tmp_path)
    assert out.returncode == 0, out.stderr

    view = _open_form(app)  # the department submits in Slack after the export
    assert _submit(app, view, **FILLED) == {}
    submitted = state(db)
    assert submitted[0] == 2 and submitted[5] == SubmissionStatus.SUBMITTED
    count = revisions(db)
    with db.session() as session:
        saved_at = session.scalar(
            select(Revision.created_at).where(Revision.record_id == record(db).id, Revision.record_version == 2)
        )
    assert saved_at is not None

    refused = kensho("import", str(exported), db_url=db_url, home=tmp_path)
    assert refused.returncode == 1
    err = refused.stderr
    assert "取り込みを中止しました（1件の問題があります。データは変更していません）" in err
    assert (
        f"「個別事業名」: 値「{PROJECT}」: 令和3年度の記録は書き出しの後に更新されています（ファイルは版1、現在は版2）"
        in err
    )
    assert f"{when(saved_at)} に{DEPARTMENT}（{MEMBER}）が " in err  # in Japan's time: 2026年12月1日 10:32
    assert "KPI実績値" in err and "事業の評価" in err and "提出状況" in err
    assert "--force" in err
    assert state(db) == submitted and revisions(db) == count  # the submission is intact, nothing written

    forced = kensho("import", str(exported), "--force", db_url=db_url, home=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "更新 1件" in forced.stdout
    after = record(db)
    assert after.version == 3 and after.evaluation == 3 and after.kpis[0].actual_status == KpiStatus.PENDING
    with db.session() as session:
        changes = {
            r.field: r
            for r in session.scalars(
                select(Revision).where(Revision.record_id == after.id, Revision.record_version == 3)
            )
        }
    assert {"kpis", "evaluation", "result"} <= set(changes)
    assert {r.source for r in changes.values()} == {"import"}
    assert "320.5" in (changes["kpis"].old_value or "") and "集計中" in (changes["kpis"].new_value or "")


# --- around it -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_unchanged_export_imports_back_writing_nothing(db: Database, tmp_path: Path, suffix: str) -> None:
    save(db, PROJECT, as_saved(db, PROJECT))  # version 2: the export carries it
    path = export_file(db, tmp_path / f"export{suffix}")
    count = revisions(db)
    report = import_file(db, path)
    assert (report.result.created, report.result.updated, report.result.unchanged) == (0, 0, 7)
    assert revisions(db) == count


def test_every_stale_row_is_listed_and_the_rest_of_the_file_is_not_imported(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)  # the stale rows fall in different batches
    path = export_file(db, tmp_path / "export.csv")
    save(db, PROJECT, SelfEvaluationDraft(result="新しい実施結果", evaluation="1"), submit=False)
    save(db, OTHER, SelfEvaluationDraft(result="医療従事者への支援を拡充した。"), submit=False)
    edited = edited_csv(
        path, tmp_path / "edited.csv", {"中高生の自転車安全対策": {"外部有識者からの意見": "新しい意見"}}
    )
    before = {name: state(db, name) for name in (PROJECT, OTHER, "中高生の自転車安全対策")}
    with pytest.raises(ImportFailed) as failed:
        import_file(db, edited)
    stale = failed.value.stale
    assert [p.value for p in stale] == [OTHER, PROJECT] or [p.value for p in stale] == [PROJECT, OTHER]
    assert all(isinstance(p, StaleRow) and "企画担当（U0ADMIN）が " in p.message for p in stale)
    assert {name: state(db, name) for name in before} == before


def test_a_sheet_without_the_version_column_imports_as_before(db: Database, tmp_path: Path) -> None:
    path = export_file(db, tmp_path / "export.csv")
    save(db, PROJECT, SelfEvaluationDraft(result="新しい実施結果"), submit=False)
    typed = edited_csv(path, tmp_path / "typed.csv", {}, drop=("自治体", "版"))
    report = import_file(db, typed)
    assert report.result.updated == 1
    assert record(db).result != "新しい実施結果"


def test_an_older_row_that_leaves_what_was_saved_alone_is_imported(db: Database, tmp_path: Path) -> None:
    path = export_file(db, tmp_path / "export.csv")
    save(db, PROJECT, as_saved(db, PROJECT), user=ADMIN)  # 提出 as it was: only the status changes
    assert record(db).submission_status == SubmissionStatus.SUBMITTED
    edited = edited_csv(path, tmp_path / "edited.csv", {PROJECT: {"外部有識者からの意見": "委員会の意見です。"}})
    report = import_file(db, edited)
    assert report.result.updated == 1
    after = record(db)
    assert after.expert_opinion == "委員会の意見です。" and after.submission_status == SubmissionStatus.SUBMITTED


def test_a_row_exported_for_another_issuer_is_refused(db: Database, tmp_path: Path) -> None:
    path = export_file(db, tmp_path / "export.csv")
    with pytest.raises(ImportFailed) as failed:
        import_file(db, path, issuer_name="山河県")
    assert {(p.column, p.value) for p in failed.value.problems} == {("自治体", "群馬県")}
    assert "--issuer 群馬県" in failed.value.problems[0].message


def test_a_version_that_is_not_a_number_is_refused_in_japanese(db: Database, tmp_path: Path) -> None:
    path = export_file(db, tmp_path / "export.csv")
    edited = edited_csv(path, tmp_path / "edited.csv", {PROJECT: {"版": "最新"}})
    with pytest.raises(ImportFailed) as failed:
        import_file(db, edited)
    assert [(p.column, p.value) for p in failed.value.problems] == [("版", "最新")]
    assert "版は書き出したときの番号" in failed.value.problems[0].message


def test_the_version_is_on_the_data_sheet_and_not_in_the_committee_document(db: Database, tmp_path: Path) -> None:
    save(db, PROJECT, as_saved(db, PROJECT))
    path = export_file(db, tmp_path / "export.xlsx")
    workbook = load_workbook(path)
    document, data = workbook.worksheets[0], workbook[DATA_SHEET]
    printed = {str(c.value) for row in document.iter_rows() for c in row if c.value is not None}
    assert not printed & {"版", "自治体"}
    header = [c.value for c in data[1]]
    assert header[-2:] == ["自治体", "版"]
    versions = {r[header.index("個別事業名")]: r[-1] for r in data.iter_rows(min_row=2, values_only=True)}
    assert versions[PROJECT] == 2 and versions[OTHER] == 1  # numbers, as Excel shows them
    assert Decimal(versions[PROJECT]) == record(db).version
