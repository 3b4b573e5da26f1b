"""Exporting the committee table (資料５－２) as CSV and as the workbook's data sheet, and reading it back.

The export of the bundled data is the bundled table; an export imports back as it is, on SQLite and
PostgreSQL (``db``), and rebuilds the same records in a fresh database. ``kensho export`` runs as a
subprocess against a temporary SQLite file, as a user would run it.
"""

from __future__ import annotations

import csv
import io
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from kensho_cli import kensho as run_kensho
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from store import values
from store.bundled import bundle_meta
from store.db import Database, open_database
from store.export import EXPORT_COLUMNS, export_heading, export_rows, write_csv
from store.export_xlsx import DATA_SHEET, write_xlsx
from store.importer import ImportFailed, check_header, import_file
from store.models import Plan, PolicyOption, Project, Record, ReviewStatus, Revision, SubmissionStatus
from store.records import get_or_create_issuer, record_snapshot
from store.schemas import ALIAS_COLUMN, COLUMNS, EXPORT_ONLY_COLUMNS

BUNDLED_CSV = ROOT / "store" / "data" / "gunma_r4" / "records.csv"
IMPORT_COLUMNS = [*COLUMNS, ALIAS_COLUMN]
NEW = "尾瀬の自然保護推進事業"


def read_bundled() -> list[dict[str, str]]:
    with BUNDLED_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_import_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=IMPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 BOM so that Excel reads it as UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_to(db: Database, path: Path, fmt: str) -> list[dict[str, str]]:
    rows = export_rows(db, None)
    if fmt == "xlsx":
        write_xlsx(rows, path, export_heading(db))
    else:
        write_csv(rows, path)
    return rows


def snapshots(db: Database) -> dict[tuple[str, int], dict[str, str]]:
    with db.session() as session:
        records = session.scalars(
            select(Record).options(
                selectinload(Record.project),
                selectinload(Record.kpis),
                selectinload(Record.goal),
                selectinload(Record.department),
                selectinload(Record.policy_option),
            )
        )
        return {(r.project.name, r.fiscal_year): record_snapshot(r) for r in records}


def projects(db: Database) -> list[tuple[str, list[str]]]:
    with db.session() as session:
        found = session.scalars(select(Project).order_by(Project.sort_order, Project.id))
        return [(p.name, list(p.aliases)) for p in found]


def revision_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Revision)) or 0


def without_export_only(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows' content: without the office's columns, and without 版, a record's count of saves in
    its own database (a rebuilt database starts over at 1)."""
    return [{k: v for k, v in row.items() if k not in (*EXPORT_ONLY_COLUMNS, "版")} for row in rows]


def modified_table() -> list[dict[str, str]]:
    """The bundled table after a year of editing: changed figures and texts, a second KPI, a new project."""
    rows = read_bundled()
    rows[0].update(
        {
            "寄附額（千円）": "14,000",
            "KPI実績値": "325.45",
            "事業の評価": "②地方創生に相当程度効果があった",
            "KPI達成への有効性": "（本事業が地方版）総合戦略のKPI達成に有効とは言えない",
            "今後の方針": "③改善",
            "外部有識者からの意見": "支援の効果を検証すること。\n次年度も報告を求める。",
        }
    )
    second_kpi = {
        **rows[1],
        "KPI指標": "アプリのインストール数",
        "KPI単位": "件",
        "KPI目標値": "12,345,678,901.234567",  # more digits than an Excel number holds
        "KPI実績値": "-0.5",
    }
    rows.insert(2, second_kpi)
    new_project = {
        **{c: "" for c in IMPORT_COLUMNS},
        "年度": "令和3年度",
        "基本目標": "基本目標２：群馬に住み続けたくなる",
        "個別事業名": NEW,
        "担当課": "自然環境課",
        "寄附額（千円）": "1,234,567",
        "寄附件数（件）": "1,200",
        "事業内容（実施結果）": "尾瀬の木道の補修を行った。",
        "事業実施後の振り返り・今後の方針等": "=1+1 は数式ではなく文章です。\n　引き続き整備に取り組む。",
        ALIAS_COLUMN: "尾瀬保護、尾瀬",
    }
    return [*rows, new_project]


def set_up_issuer_only(db: Database) -> None:
    """A fresh installation's issuer with its plan and 今後の方針 choices, but no projects yet."""
    meta = bundle_meta()
    with db.session() as session:
        issuer = get_or_create_issuer(
            session,
            meta["issuer"],
            source_document=meta["source"]["document"],
            source_as_of=meta["source"]["as_of"],
            source_title=meta["source"]["title"],
        )
        issuer.kpi_effective_options = meta["kpi_effective_options"]
        session.add(Plan(issuer_id=issuer.id, name=meta["plan"]))
        for order, option in enumerate(meta["policy_options"]):
            session.add(PolicyOption(issuer_id=issuer.id, code=option["code"], label=option["label"], sort_order=order))


@pytest.fixture
def fresh_db(db: Database, tmp_path: Path) -> Iterator[Database]:
    """A second, empty database on the same backend as ``db`` (no bundled data loaded)."""
    if db.engine.dialect.name == "sqlite":
        fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}", seed=False)
        try:
            yield fresh
        finally:
            fresh.dispose()
        return
    name = f"kensho_fresh_{uuid.uuid4().hex[:12]}"
    admin = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    fresh = open_database(db.engine.url.set(database=name).render_as_string(hide_password=False), seed=False)
    try:
        yield fresh
    finally:
        fresh.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- the layout -------------------------------------------------------------------------------------


def test_export_of_the_bundled_data_is_the_bundled_table_cell_for_cell(db: Database) -> None:
    rows = export_rows(db, None)
    bundled = read_bundled()

    assert [list(row) for row in rows] == [EXPORT_COLUMNS] * len(rows)
    assert [*COLUMNS, ALIAS_COLUMN, "意見の状態", "提出状況", "最終更新", "出典", "自治体", "版"] == EXPORT_COLUMNS
    assert {row["出典"] for row in rows} == {"群馬県 資料５－２（令和4年6月時点）"}
    assert {(row["自治体"], row["版"]) for row in rows} == {("群馬県", "1")}
    assert len(rows) == len(bundled) == 7
    # Every cell is identical, including the full-width paragraph indents (「　デジタル…」).
    for number, (exported, published) in enumerate(zip(rows, bundled, strict=True), start=2):
        for column in IMPORT_COLUMNS:
            assert exported[column] == published[column], f"row {number}, {column}"
    indented = [row["個別事業名"] for row in rows if row["事業実施後の振り返り・今後の方針等"].startswith("\u3000")]
    assert len(indented) == 3
    assert rows[0]["事業費（千円）"] == "876,894"
    assert (rows[0]["KPI目標値"], rows[0]["KPI実績値"]) == ("318.8", "集計中")
    assert (rows[5]["KPI目標値"], rows[5]["KPI実績値"]) == ("-338", "-2,208")


def test_the_csv_has_a_bom_the_import_header_and_the_two_office_columns(db: Database) -> None:
    out = io.BytesIO()
    write_csv(export_rows(db, None), out)
    data = out.getvalue()

    header = data.decode("utf-8-sig").split("\r\n", 1)[0]
    bundled_header = BUNDLED_CSV.read_text("utf-8-sig").split("\n", 1)[0]
    assert header == bundled_header + ",意見の状態,提出状況,最終更新,出典,自治体,版"
    rows = csv_rows(data)
    assert [r["個別事業名"] for r in rows] == [r["個別事業名"] for r in read_bundled()]
    assert {r["提出状況"] for r in rows} == {"未提出"}
    assert "デジタルソリューションラボを開所し" in rows[3]["事業実施後の振り返り・今後の方針等"]
    assert "\n　５Ｇ活用を見据えた" in rows[3]["事業実施後の振り返り・今後の方針等"]


def test_submission_status_and_last_update_are_shown_in_japanese_and_tokyo_time(db: Database) -> None:
    with db.session() as session:
        by_name = {r.project.name: r for r in session.scalars(select(Record).options(selectinload(Record.project)))}
        submitted = by_name["医療機関応援金"]
        submitted.submission_status = SubmissionStatus.SUBMITTED
        submitted.updated_at = datetime(2026, 6, 10, 8, 3, tzinfo=UTC)
        submitted.updated_by = "U123"
        draft = by_name["子ども向け地域環境学習事業"]
        draft.submission_status = SubmissionStatus.DRAFT
        draft.updated_at = datetime(2026, 6, 30, 15, 30, tzinfo=UTC)  # 7月1日 00:30 in Tokyo
        draft.updated_by = "U456"

    rows = {row["個別事業名"]: row for row in export_rows(db, 2021)}
    assert (rows["医療機関応援金"]["提出状況"], rows["医療機関応援金"]["最終更新"]) == (
        "提出済",
        "2026-06-10 17:03（U123）",
    )
    assert (rows["子ども向け地域環境学習事業"]["提出状況"], rows["子ども向け地域環境学習事業"]["最終更新"]) == (
        "下書き",
        "2026-07-01 00:30（U456）",
    )
    untouched = rows["群馬健康ポイント制度"]["最終更新"]
    assert untouched == "取込時のまま"  # never when the database happened to be created
    others = [
        row["提出状況"] for name, row in rows.items() if name not in {"医療機関応援金", "子ども向け地域環境学習事業"}
    ]
    assert others == ["未提出"] * 5


def test_one_row_per_kpi_and_one_row_with_empty_kpi_cells_for_a_project_without_kpi(
    db: Database, tmp_path: Path
) -> None:
    import_file(db, write_import_csv(tmp_path / "modified.csv", modified_table()))
    rows = export_rows(db, None)

    names = [row["個別事業名"] for row in rows]
    assert names == [r["個別事業名"] for r in modified_table()]  # stored order; the new project last
    health = [row for row in rows if row["個別事業名"] == "群馬健康ポイント制度"]
    assert [(r["KPI指標"], r["KPI目標値"], r["KPI実績値"]) for r in health] == [
        ("一人あたりの県民所得", "318.8", "集計中"),
        ("アプリのインストール数", "12,345,678,901.234567", "-0.5"),
    ]
    assert health[0]["事業内容（実施結果）"] == health[1]["事業内容（実施結果）"] != ""
    new = [row for row in rows if row["個別事業名"] == NEW]
    assert len(new) == 1
    assert all(
        new[0][c] == "" for c in ("KPI指標", "KPI単位", "KPI目標値", "KPI実績値", "事業費（千円）", "今後の方針")
    )
    assert (new[0]["寄附額（千円）"], new[0]["寄附件数（件）"], new[0][ALIAS_COLUMN]) == (
        "1,234,567",
        "1,200",
        "尾瀬保護、尾瀬",
    )
    first = rows[0]
    assert (first["事業の評価"], first["今後の方針"], first["KPI実績値"]) == (
        "②地方創生に相当程度効果があった",
        "③改善",
        "325.45",
    )
    assert first["KPI達成への有効性"] == values.KPI_EFFECTIVE_LABELS[False]
    assert first["最終更新"].endswith("（import）")


def test_the_latest_year_is_the_default_and_a_year_without_data_gives_no_rows(db: Database, tmp_path: Path) -> None:
    next_year = {**read_bundled()[1], "年度": "令和4年度", "寄附額（千円）": "20,000", "KPI実績値": "320.1"}
    import_file(db, write_import_csv(tmp_path / "r4.csv", [next_year]))

    latest = export_rows(db, None)
    assert [(r["年度"], r["個別事業名"], r["寄附額（千円）"]) for r in latest] == [
        ("令和4年度", "群馬健康ポイント制度", "20,000")
    ]
    assert len(export_rows(db, 2021)) == 7
    assert export_rows(db, 2030) == []
    assert export_rows(db, None, issuer="群馬県") == latest


# --- reading an export back -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_unchanged_export_changes_nothing(db: Database, tmp_path: Path, fmt: str) -> None:
    before, revisions = snapshots(db), revision_count(db)
    path = tmp_path / f"export.{fmt}"
    export_to(db, path, fmt)

    report = import_file(db, path, actor="tester")
    assert report.rows == 7
    assert (report.result.created, report.result.updated, report.result.unchanged) == (0, 0, 7)
    assert revision_count(db) == revisions
    assert snapshots(db) == before


def test_reimporting_an_unchanged_export_keeps_draft_opinions_and_versions(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    export_to(db, path, "csv")
    import_file(db, path)
    with db.session() as session:
        assert set(session.scalars(select(Record.expert_opinion_status))) == {ReviewStatus.DRAFT}
        assert set(session.scalars(select(Record.version))) == {1}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_of_an_edited_database_rebuilds_it_in_a_fresh_database(
    db: Database, fresh_db: Database, tmp_path: Path, fmt: str
) -> None:
    report = import_file(db, write_import_csv(tmp_path / "modified.csv", modified_table()), actor="tester")
    assert (report.result.created, report.result.updated, report.result.unchanged) == (1, 2, 5)
    edited = snapshots(db)
    exported = export_to(db, tmp_path / f"export.{fmt}", fmt)
    second = export_rows(db, None)
    assert second == exported, "exporting twice gives the same table"

    set_up_issuer_only(fresh_db)
    rebuilt_report = import_file(fresh_db, tmp_path / f"export.{fmt}")
    assert (rebuilt_report.rows, rebuilt_report.result.created) == (9, 8)

    rebuilt = snapshots(fresh_db)
    assert set(rebuilt) == set(edited)
    for key, snapshot in edited.items():
        assert rebuilt[key] == snapshot, key
    assert projects(fresh_db) == projects(db)
    assert "12,345,678,901.234567" in rebuilt[("群馬健康ポイント制度", 2021)]["kpis"]
    assert rebuilt[(NEW, 2021)]["reflection"].startswith("=1+1 は数式ではなく文章です。")
    assert without_export_only(export_rows(fresh_db, None)) == without_export_only(exported)


def test_the_import_ignores_the_office_columns_and_still_rejects_other_unknown_columns() -> None:
    check_header([*COLUMNS, ALIAS_COLUMN, *EXPORT_ONLY_COLUMNS])
    check_header([*COLUMNS, *EXPORT_ONLY_COLUMNS])
    with pytest.raises(ImportFailed) as failed:
        check_header([*COLUMNS, *EXPORT_ONLY_COLUMNS, "備考"])
    assert [(p.column, p.message) for p in failed.value.problems] == [("備考", "想定外の列です")]


def test_edited_office_columns_do_not_change_the_record(db: Database, tmp_path: Path) -> None:
    rows = export_rows(db, None)
    for row in rows:
        row["提出状況"], row["最終更新"] = "提出済", "2030-01-01 00:00（誰か）"
    path = tmp_path / "edited.csv"
    write_csv(rows, path)
    report = import_file(db, path)
    assert report.result.unchanged == 7
    assert {row["提出状況"] for row in export_rows(db, None)} == {"未提出"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (318.8, (Decimal("318.8"), False)),
        (-2208, (Decimal("-2208"), False)),
        (1000.0, (Decimal("1000"), False)),
        (1e-05, (Decimal("0.00001"), False)),
        (0.1, (Decimal("0.1"), False)),
        (12345678.125, (Decimal("12345678.125"), False)),
        ("集計中", (None, True)),
    ],
)
def test_numeric_excel_cells_become_exact_kpi_values(cell: Any, expected: tuple[Decimal | None, bool]) -> None:
    value, pending = values.parse_kpi_value(cell)
    assert (value, pending) == expected
    assert value is None or str(value) == str(expected[0])


def test_numeric_excel_cells_become_whole_amounts() -> None:
    assert values.parse_amount(876894) == 876894
    assert values.parse_amount(876894.0) == 876894
    assert values.parse_count(6) == 6
    with pytest.raises(ValueError, match="整数"):
        values.parse_amount(12.5)


# --- Excel for printing -----------------------------------------------------------------------------


def test_the_xlsx_is_formatted_for_printing_and_keeps_numbers_as_numbers(db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    import_file(db, write_import_csv(tmp_path / "modified.csv", modified_table()))
    path = tmp_path / "committee.xlsx"
    rows = export_to(db, path, "xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["令和3年度", DATA_SHEET], "the document first, the data that imports back second"
    sheet = workbook[DATA_SHEET]

    assert [c.value for c in sheet[1]] == EXPORT_COLUMNS
    assert all(c.font.b and c.fill.fill_type == "solid" and c.alignment.wrap_text for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.max_row == len(rows) + 1

    column = {name: index + 1 for index, name in enumerate(EXPORT_COLUMNS)}
    cost = sheet.cell(row=2, column=column["事業費（千円）"])
    assert (cost.value, cost.number_format) == (876894, "#,##0")
    donation = sheet.cell(row=2, column=column["寄附額（千円）"])
    assert (donation.value, donation.number_format) == (14000, "#,##0")
    target = sheet.cell(row=2, column=column["KPI目標値"])
    assert (target.value, target.number_format) == (318.8, "#,##0.0")
    actual = sheet.cell(row=2, column=column["KPI実績値"])
    assert (actual.value, actual.number_format) == (325.45, "#,##0.00")
    assert sheet.cell(row=3, column=column["KPI実績値"]).value == "集計中"
    big = sheet.cell(row=4, column=column["KPI目標値"])
    assert big.value == "12,345,678,901.234567", "a value Excel cannot hold exactly stays text"
    workers = [
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(row=r, column=3).value == "ぐんまで働こう！若者の活躍促進事業"
    ]
    assert [sheet.cell(row=workers[0], column=column[c]).value for c in ("KPI目標値", "KPI実績値")] == [-338, -2208]
    formula_like = sheet.cell(row=sheet.max_row, column=column["事業実施後の振り返り・今後の方針等"])
    assert formula_like.data_type == "s" and str(formula_like.value).startswith("=1+1")
    text = sheet.cell(row=2, column=column["事業内容（実施結果）"])
    assert text.alignment.wrap_text and text.alignment.vertical == "top"

    widths = {name: sheet.column_dimensions[get_column_letter(i)].width for name, i in column.items()}
    assert widths["事業内容（実施結果）"] >= 35 and widths["外部有識者からの意見"] >= 35
    assert widths["事業費（千円）"] <= 14 and widths["KPI単位"] <= 10

    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), int(setup.fitToWidth), int(setup.fitToHeight)) == (
        "landscape",
        int(sheet.PAPERSIZE_A3),
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


# --- the kensho export command ----------------------------------------------------------------------


def kensho(*args: str, db_url: str, home: Path) -> subprocess.CompletedProcess[bytes]:
    """Run the kensho command line of this checkout as a user would (stdout kept as bytes)."""
    return run_kensho(*args, db_url=db_url, home=home, binary=True)


def test_kensho_export_writes_csv_to_stdout_with_a_summary_on_stderr(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = kensho("export", "--format", "csv", "--year", "令和3年度", db_url=url, home=tmp_path)

    assert result.returncode == 0, result.stderr.decode()
    rows = csv_rows(result.stdout)
    assert list(rows[0]) == EXPORT_COLUMNS
    assert [r["個別事業名"] for r in rows] == [r["個別事業名"] for r in read_bundled()]
    assert [r["提出状況"] for r in rows] == ["未提出"] * 7
    assert rows[0]["寄附額（千円）"] == "13,672"
    assert result.stderr.decode().strip() == "令和3年度の7事業（7行）を書き出しました: 標準出力"


def test_kensho_export_xlsx_to_a_file_imports_back_unchanged(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = tmp_path / "委員会資料.xlsx"
    result = kensho("export", "--format", "xlsx", "-o", str(path), db_url=url, home=tmp_path)

    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b""
    assert result.stderr.decode().strip() == f"令和3年度の7事業（7行）を書き出しました: {path}"
    sheet = load_workbook(path)[DATA_SHEET]
    assert [c.value for c in sheet[1]] == EXPORT_COLUMNS
    assert [sheet.cell(row=r, column=EXPORT_COLUMNS.index("提出状況") + 1).value for r in range(2, 9)] == ["未提出"] * 7

    again = kensho("import", str(path), db_url=url, home=tmp_path)
    assert again.returncode == 0, again.stderr.decode()
    assert "7行を取り込みました（新規 0件、更新 0件、変更なし 7件）" in again.stdout.decode()


def test_kensho_export_refuses_a_year_without_data_and_xlsx_without_a_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    out = tmp_path / "r5.csv"
    missing = kensho("export", "--year", "令和5年度", "-o", str(out), db_url=url, home=tmp_path)
    assert missing.returncode != 0
    message = missing.stderr.decode()
    assert "令和5年度のデータはありません" in message and "令和3年度" in message
    assert "Traceback" not in message
    assert not out.exists()

    no_file = kensho("export", "--format", "xlsx", db_url=url, home=tmp_path)
    assert no_file.returncode != 0
    assert no_file.stdout == b""
    assert "-o" in no_file.stderr.decode() and "標準出力" in no_file.stderr.decode()
