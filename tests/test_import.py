"""Importing committee tables (資料５－２ layout): all rows or none, any common encoding, .xlsx too.

Database-level behaviour runs on SQLite and PostgreSQL (``db``); the ``kensho import`` command runs
as a subprocess against a temporary SQLite file, as a user would run it.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from kensho_cli import kensho
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.ask import Asker
from store.db import Database, open_database
from store.importer import ImportFailed, import_file
from store.models import Kpi, KpiStatus, Project, Record, ReviewStatus, Revision
from store.schemas import ALIAS_COLUMN, COLUMNS, ImportRow

HEADER = [*COLUMNS, ALIAS_COLUMN]
BUNDLED_CSV = ROOT / "store" / "data" / "gunma_r4" / "records.csv"

NEW = "尾瀬の自然保護推進事業"
BASE: dict[str, str] = {
    "年度": "令和3年度",
    "基本目標": "基本目標２：群馬に住み続けたくなる",
    "個別事業名": NEW,
    "担当課": "自然環境課",
    "事業費（千円）": "12,345",
    "寄附額（千円）": "5,000",
    "寄附件数（件）": "3",
    "事業内容（実施結果）": "尾瀬の木道の補修を行った。",
    "KPI指標": "尾瀬の入山者数",
    "KPI単位": "人",
    "KPI目標値": "300,000",
    "KPI実績値": "集計中",
    "事業の評価": "③地方創生に効果があった",
    "KPI達成への有効性": "（本事業が地方版）総合戦略のKPI達成に有効であった",
    "外部有識者からの意見": "自然環境の保全について、一定の効果を得た。",
    "今後の方針": "②継続",
    "今後の方針の理由": "継続的な保全が必要なため。",
    "事業実施後の振り返り・今後の方針等": "引き続き木道の整備に取り組む。",
    ALIAS_COLUMN: "尾瀬保護",
}
SECOND_KPI = {"KPI指標": "ボランティア参加者数", "KPI単位": "人", "KPI目標値": "1,000", "KPI実績値": "1,250"}


def project_rows(first: dict[str, str] | None = None, second: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The new project as two rows, one per KPI; ``first`` changes both rows, ``second`` only the second."""
    row = {**BASE, **(first or {})}
    return [row, {**row, **SECOND_KPI, **(second or {})}]


def euc_friendly_rows() -> list[dict[str, str]]:
    """The new project without circled digits, which EUC-JP cannot encode."""
    return project_rows(first={"事業の評価": "3", "今後の方針": "継続"})


def write_csv(
    path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8", header: list[str] | None = None
) -> Path:
    columns = header or HEADER
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Project, Record, Kpi, Revision)
        }


def new_record(db: Database, name: str = NEW) -> Record:
    with db.session() as session:
        records = session.scalars(
            select(Record)
            .join(Project)
            .where(Project.name == name)
            .options(
                selectinload(Record.project),
                selectinload(Record.kpis),
                selectinload(Record.department),
                selectinload(Record.policy_option),
            )
        ).all()
        assert len(records) == 1, f"{name} should have exactly one record, has {len(records)}"
        return records[0]


def problems_of(failed: pytest.ExceptionInfo[ImportFailed]) -> list[tuple[int, str, Any]]:
    return [(p.row, p.column, p.value) for p in failed.value.problems]


# --- a good file --------------------------------------------------------------------------------------


def test_good_csv_creates_the_project_with_two_kpis_and_it_is_answered(db: Database, tmp_path: Path) -> None:
    before = counts(db)
    report = import_file(db, write_csv(tmp_path / "good.csv", project_rows()), actor="tester")

    assert report.rows == 2
    assert (report.result.created, report.result.updated, report.result.unchanged) == (1, 0, 0)
    after = counts(db)
    assert after["Project"] == before["Project"] + 1
    assert after["Record"] == before["Record"] + 1
    assert after["Kpi"] == before["Kpi"] + 2

    asker = Asker(db)
    cost = asker.ask(f"{NEW}の事業費は？")
    assert (cost.status, cost.projects, cost.field) == ("answered", [NEW], "project_cost")
    assert "12,345千円" in cost.text
    donation = asker.ask("尾瀬保護の寄附額は？")  # by its 別名
    assert (donation.status, donation.projects) == ("answered", [NEW])
    assert "5,000千円" in donation.text and "3件" in donation.text
    assert "自然環境課" in asker.ask(f"{NEW}の担当課は？").text
    kpi = asker.ask(f"{NEW}のKPIは？")
    assert kpi.status == "answered"
    assert "尾瀬の入山者数（人）：目標値 300,000、実績値 集計中" in kpi.text
    assert "ボランティア参加者数（人）：目標値 1,000、実績値 1,250" in kpi.text

    record = new_record(db)
    assert [k.name for k in record.kpis] == ["尾瀬の入山者数", "ボランティア参加者数"]
    assert record.kpis[0].actual is None and record.kpis[0].actual_status == KpiStatus.PENDING
    assert record.project.aliases == ["尾瀬保護"]
    assert record.policy_option is not None and record.policy_option.display == "②継続"


def test_kensho_import_then_ask_answers_the_new_project_and_reimport_reports_unchanged(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = write_csv(tmp_path / "good.csv", project_rows())

    first = kensho("import", str(path), db_url=url, home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2行を取り込みました（新規 1件、更新 0件、変更なし 0件）" in first.stdout

    again = kensho("import", str(path), db_url=url, home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "新規 0件、更新 0件、変更なし 1件" in again.stdout

    asked = kensho("ask", "--json", db_url=url, home=tmp_path, stdin=f"{NEW}の事業費は？\n尾瀬保護の寄附件数は？\n")
    assert asked.returncode == 0, asked.stderr
    cost, count = (json.loads(line) for line in asked.stdout.splitlines())
    assert (cost["status"], cost["projects"], cost["field"]) == ("answered", [NEW], "project_cost")
    assert "12,345千円" in cost["text"]
    assert (count["status"], count["projects"], count["field"]) == ("answered", [NEW], "donation_count")
    assert "3件" in count["text"]


# --- bad files import nothing ---------------------------------------------------------------------------


def test_bad_cells_import_nothing_and_every_problem_names_its_row_and_column(db: Database, tmp_path: Path) -> None:
    good = {**BASE, "個別事業名": "正しい行の事業"}
    bad = {
        **BASE,
        "年度": "昔",
        "事業費（千円）": "abc",
        "寄附件数（件）": "三件",
        "KPI実績値": "たくさん",
        "事業の評価": "⑨大成功",
    }
    before = counts(db)
    with pytest.raises(ImportFailed) as failed:
        import_file(db, write_csv(tmp_path / "bad.csv", [good, bad]))

    found = problems_of(failed)
    for expected in [
        (3, "事業費（千円）", "abc"),
        (3, "年度", "昔"),
        (3, "寄附件数（件）", "三件"),
        (3, "KPI実績値", "たくさん"),
        (3, "事業の評価", "⑨大成功"),
    ]:
        assert expected in found
    assert all(p.message for p in failed.value.problems)
    assert not [p for p in found if p[0] == 2], "the good row has no problem"
    assert counts(db) == before
    assert Asker(db).ask("正しい行の事業の事業費は？").status != "answered"


def test_kensho_import_of_abc_under_project_cost_exits_nonzero_and_names_row_and_column(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    good = {**BASE, "個別事業名": "正しい行の事業"}
    bad = {**BASE, "事業費（千円）": "abc"}
    result = kensho("import", str(write_csv(tmp_path / "bad.csv", [good, bad])), db_url=url, home=tmp_path)

    assert result.returncode != 0
    assert "取り込みました" not in result.stdout
    assert re.search(r"3行目.*「事業費（千円）」.*abc", result.stderr), result.stderr
    assert "データは変更していません" in result.stderr
    db = open_database(url)
    try:
        assert counts(db)["Project"] == 7
        with db.session() as session:
            assert session.scalar(select(Project).where(Project.name == "正しい行の事業")) is None
    finally:
        db.dispose()


def test_a_problem_found_against_the_database_rolls_back_the_rows_before_it(db: Database, tmp_path: Path) -> None:
    good = {**BASE, "個別事業名": "正しい行の事業"}
    unknown_policy = {**BASE, "今後の方針": "⑨廃止"}
    before = counts(db)
    with pytest.raises(ImportFailed) as failed:
        import_file(db, write_csv(tmp_path / "policy.csv", [good, unknown_policy]))
    assert (3, "今後の方針", "⑨廃止") in problems_of(failed)
    assert "②継続" in failed.value.problems[0].message  # the choices are listed
    assert counts(db) == before


def test_rows_of_one_project_with_conflicting_values_are_refused(db: Database, tmp_path: Path) -> None:
    before = counts(db)
    rows = project_rows(second={"事業費（千円）": "99,999"})
    with pytest.raises(ImportFailed) as failed:
        import_file(db, write_csv(tmp_path / "conflict.csv", rows))
    assert (3, "事業費（千円）", 99999) in problems_of(failed)
    assert counts(db) == before


def test_continuation_rows_may_leave_the_project_columns_blank(db: Database, tmp_path: Path) -> None:
    blank = {c: "" for c in HEADER if c not in {"年度", "個別事業名", *SECOND_KPI}}
    import_file(db, write_csv(tmp_path / "merged.csv", project_rows(second=blank)))
    record = new_record(db)
    assert record.project_cost == 12345
    assert [k.name for k in record.kpis] == ["尾瀬の入山者数", "ボランティア参加者数"]


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        ([c for c in HEADER if c != "寄附件数（件）"], "寄附件数（件）", "列がありません"),
        ([*HEADER, "備考"], "備考", "想定外の列です"),
    ],
    ids=["missing-column", "unexpected-column"],
)
def test_a_wrong_header_is_refused(
    sqlite_db: Database, tmp_path: Path, header: list[str], column: str, message: str
) -> None:
    before = counts(sqlite_db)
    with pytest.raises(ImportFailed) as failed:
        import_file(sqlite_db, write_csv(tmp_path / "header.csv", project_rows(), header=header))
    assert [(p.row, p.column, p.message) for p in failed.value.problems] == [(1, column, message)]
    assert counts(sqlite_db) == before


def test_columns_in_another_order_are_refused(sqlite_db: Database, tmp_path: Path) -> None:
    header = [HEADER[1], HEADER[0], *HEADER[2:]]
    with pytest.raises(ImportFailed) as failed:
        import_file(sqlite_db, write_csv(tmp_path / "order.csv", project_rows(), header=header))
    assert "順序" in failed.value.problems[0].message


# --- re-import ------------------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "good.csv", project_rows())
    import_file(db, path)
    before = counts(db)
    report = import_file(db, path)
    assert (report.result.created, report.result.updated, report.result.unchanged) == (0, 0, 1)
    assert counts(db) == before
    record = new_record(db)
    assert record.version == 1


def test_a_changed_value_on_reimport_updates_the_record_and_writes_revisions(db: Database, tmp_path: Path) -> None:
    import_file(db, write_csv(tmp_path / "v1.csv", project_rows()))
    changed = project_rows(first={"寄附額（千円）": "6,000", "KPI実績値": "280,000"})
    report = import_file(db, write_csv(tmp_path / "v2.csv", changed), actor="tester")
    assert (report.result.created, report.result.updated) == (0, 1)

    record = new_record(db)
    assert record.donation_amount == 6000
    assert record.kpis[0].actual == Decimal("280000")
    assert len(record.kpis) == 2
    with db.session() as session:
        revisions = {
            r.field: r
            for r in session.scalars(
                select(Revision).where(Revision.record_id == record.id, Revision.field != "record")
            )
        }
    assert set(revisions) == {"donation_amount", "kpis"}
    amount = revisions["donation_amount"]
    assert (amount.old_value, amount.new_value, amount.actor, amount.source) == ("5000", "6000", "tester", "import")
    assert "集計中" in (revisions["kpis"].old_value or "")
    assert "280,000" in (revisions["kpis"].new_value or "")
    assert "6,000千円" in Asker(db).ask(f"{NEW}の寄附額は？").text


def test_reimporting_the_bundled_table_leaves_the_bundled_data_as_it_was(db: Database) -> None:
    asker = Asker(db)
    question = "医療機関応援金の外部有識者からの意見は？"
    assert "意見（案）" in asker.ask(question).text
    before = counts(db)
    report = import_file(db, BUNDLED_CSV)
    assert (report.result.created, report.result.updated, report.result.unchanged) == (0, 0, 7)
    assert counts(db) == before
    assert "意見（案）" in asker.ask(question).text
    with db.session() as session:
        assert set(session.scalars(select(Record.expert_opinion_status))) == {ReviewStatus.DRAFT}
        assert set(session.scalars(select(Record.version))) == {1}


def test_a_running_asker_finds_a_project_by_text_changed_on_reimport(db: Database, tmp_path: Path) -> None:
    import_file(db, write_csv(tmp_path / "v1.csv", project_rows()))
    asker = Asker(db)  # e.g. the Slack bot, running while the planning office imports
    question = "ライチョウ観察会の事業費は？"
    assert asker.ask(question).status == "not_found"
    new_text = {"事業内容（実施結果）": "尾瀬の木道の補修とライチョウ観察会を行った。"}
    import_file(db, write_csv(tmp_path / "v2.csv", project_rows(first=new_text)))
    answer = asker.ask(question)
    assert (answer.status, answer.projects) == ("answered", [NEW])


# --- values the database cannot hold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "typed"),
    [
        ("事業費（千円）", "99,999,999,999,999,999,999"),
        ("寄附件数（件）", "3,000,000,000"),
        ("KPI実績値", "1234567890123456789012345"),
    ],
    ids=["project-cost", "donation-count", "kpi-actual"],
)
def test_a_number_too_large_to_store_is_refused_naming_row_and_column(
    db: Database, tmp_path: Path, column: str, typed: str
) -> None:
    before = counts(db)
    with pytest.raises(ImportFailed) as failed:
        import_file(db, write_csv(tmp_path / "huge.csv", [{**BASE, column: typed}]))
    assert [(p.row, p.column) for p in failed.value.problems] == [(2, column)]
    assert counts(db) == before


def test_a_kpi_value_is_kept_exactly_as_typed_or_refused(db: Database, tmp_path: Path) -> None:
    # NUMERIC(24, 6) on PostgreSQL: more than six decimals must be refused, never silently rounded.
    with pytest.raises(ImportFailed) as failed:
        import_file(db, write_csv(tmp_path / "precise.csv", [{**BASE, "KPI目標値": "12.3456789"}]))
    assert [(p.row, p.column) for p in failed.value.problems] == [(2, "KPI目標値")]
    import_file(db, write_csv(tmp_path / "six.csv", [{**BASE, "KPI目標値": "12.345678"}]))
    assert new_record(db).kpis[0].target == Decimal("12.345678")


def test_a_row_with_more_cells_than_the_header_is_refused(sqlite_db: Database, tmp_path: Path) -> None:
    cells = [BASE[c] for c in COLUMNS]
    cells[-1] = "引き続き木道の整備に取り組む,来年度は拡充を検討する。"  # an unquoted comma: one cell too many
    path = tmp_path / "unquoted.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(f'"{c}"' for c in cells[:-1]) + "," + cells[-1] + "\n")
    before = counts(sqlite_db)
    with pytest.raises(ImportFailed) as failed:
        import_file(sqlite_db, path)
    assert [p.row for p in failed.value.problems] == [2]
    assert counts(sqlite_db) == before


# --- notations and encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"], ids=["utf8-bom", "utf8", "cp932"])
def test_utf8_with_and_without_bom_and_shift_jis_all_import(db: Database, tmp_path: Path, encoding: str) -> None:
    # 髙 and ① exist only in CP932 (Windows Shift_JIS), ｶ is half-width: what Japanese Excel writes.
    name = "髙山村の星空観察①推進事業"
    rows = project_rows(first={"個別事業名": name, "担当課": "髙山村ｶﾝｺｳ課", "今後の方針": "①拡充", "別名": ""})
    path = write_csv(tmp_path / f"{encoding}.csv", rows, encoding=encoding)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    if encoding == "cp932":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")

    report = import_file(db, path)
    assert report.result.created == 1
    record = new_record(db, name)
    assert record.department is not None and record.department.name == "髙山村ｶﾝｺｳ課"
    assert record.policy_option is not None and record.policy_option.display == "①拡充"
    answer = Asker(db).ask(f"{name}の担当課は？")
    assert (answer.status, answer.projects) == ("answered", [name])


@pytest.mark.parametrize("encoding", ["euc_jp", "utf-16"])
def test_an_undecodable_file_is_refused_with_a_japanese_message(
    sqlite_db: Database, tmp_path: Path, encoding: str
) -> None:
    before = counts(sqlite_db)
    path = write_csv(tmp_path / "other.csv", euc_friendly_rows(), encoding=encoding)
    with pytest.raises(ImportFailed) as failed:
        import_file(sqlite_db, path)
    [problem] = failed.value.problems
    assert "文字コード" in problem.message and "Shift_JIS" in problem.message
    assert counts(sqlite_db) == before


def test_kensho_import_of_an_undecodable_file_says_so_in_japanese(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "euc.csv", euc_friendly_rows(), encoding="euc_jp")
    result = kensho("import", str(path), db_url=f"sqlite:///{tmp_path / 'cli.db'}", home=tmp_path)
    assert result.returncode != 0
    assert "文字コードを判別できません" in result.stderr
    assert "Traceback" not in result.stderr


def test_first_sheet_of_an_xlsx_imports(db: Database, tmp_path: Path) -> None:
    from openpyxl import Workbook

    numbers: dict[str, Any] = {
        "年度": 2021,
        "事業費（千円）": 12345,
        "寄附額（千円）": 5000,
        "寄附件数（件）": 3,
        "KPI目標値": 318.8,
    }
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "資料５－２"
    sheet.append(HEADER)
    for row in project_rows(first=numbers, second={"KPI目標値": 1000, "KPI実績値": 1250}):
        sheet.append([row.get(c, "") for c in HEADER])
    other = workbook.create_sheet("メモ")
    other.append(["このシートは取り込みません"])
    workbook.active = 1  # saved with the second sheet open: the first one still counts
    path = tmp_path / "table.xlsx"
    workbook.save(path)

    report = import_file(db, path)
    assert (report.rows, report.result.created) == (2, 1)
    record = new_record(db)
    assert (record.fiscal_year, record.project_cost, record.donation_amount, record.donation_count) == (
        2021,
        12345,
        5000,
        3,
    )
    assert [k.target for k in record.kpis] == [Decimal("318.8"), Decimal("1000")]
    assert "12,345千円" in Asker(db).ask(f"{NEW}の事業費は？").text


def test_amounts_with_full_width_digits_and_commas_are_accepted(db: Database, tmp_path: Path) -> None:
    typed = {
        "事業費（千円）": "１２，３４５",
        "寄附額（千円）": "５，０００千円",
        "寄附件数（件）": "３件",
        "KPI目標値": "３００，０００",
        "KPI実績値": "▲１，２５０",
    }
    import_file(db, write_csv(tmp_path / "zenkaku.csv", project_rows(first=typed)))
    record = new_record(db)
    assert (record.project_cost, record.donation_amount, record.donation_count) == (12345, 5000, 3)
    assert all(type(v) is int for v in (record.project_cost, record.donation_amount, record.donation_count))
    assert record.kpis[0].target == Decimal("300000")
    assert record.kpis[0].actual == Decimal("-1250")
    assert "12,345千円" in Asker(db).ask(f"{NEW}の事業費は？").text


def test_fiscal_year_as_reiwa_r_and_western_year_is_the_same_record(db: Database, tmp_path: Path) -> None:
    import_file(db, write_csv(tmp_path / "reiwa.csv", project_rows(first={"年度": "令和3年度"})))
    before = counts(db)
    for notation in ("R3", "2021"):
        report = import_file(db, write_csv(tmp_path / f"{notation}.csv", project_rows(first={"年度": notation})))
        assert (report.result.created, report.result.unchanged) == (0, 1), notation
    assert counts(db) == before
    assert new_record(db).fiscal_year == 2021


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("令和3年度", 2021),
        ("R3", 2021),
        ("2021", 2021),
        ("令和３年度", 2021),
        ("Ｒ３", 2021),
        ("2021年度", 2021),
        ("令和元年度", 2019),
    ],
)
def test_fiscal_year_notations(written: str, year: int) -> None:
    assert ImportRow.model_validate({**BASE, "年度": written}).fiscal_year == year


def test_an_xlsx_formula_without_a_cached_value_is_refused_not_read_as_empty(db: Database, tmp_path: Path) -> None:
    """Scripts (and openpyxl) write formulas with no cached value: read as data they were empty cells,
    so 寄附額 13,672 became 未記入. A formula is refused, naming row, column and the formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in project_rows():
        sheet.append([row.get(c, "") for c in HEADER])
    column = HEADER.index("寄附額（千円）") + 1
    sheet.cell(row=2, column=column, value="=13000+672")
    path = tmp_path / "formula.xlsx"
    workbook.save(path)
    before = counts(db)

    with pytest.raises(ImportFailed) as failed:
        import_file(db, path)
    [(row, name, value)] = problems_of(failed)
    assert (row, name, value) == (2, "寄附額（千円）", "=13000+672")
    assert "数式" in failed.value.problems[0].message
    assert counts(db) == before


def test_a_huge_cell_is_refused_and_never_echoed_whole(tmp_path: Path) -> None:
    rows = project_rows(first={"事業内容（実施結果）": "長" * 50_000})
    path = write_csv(tmp_path / "huge.csv", rows)
    result = kensho("import", str(path), db_url=f"sqlite:///{tmp_path / 'cli.db'}", home=tmp_path)
    assert result.returncode != 0
    assert "セルが長すぎます" in result.stderr and "20,000文字まで" in result.stderr
    assert "長" * 101 not in result.stderr  # at most 100 characters of the value
    assert "Traceback" not in result.stderr


def test_a_file_with_more_rows_than_the_limit_is_refused(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.importer as importer

    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    path = write_csv(tmp_path / "rows.csv", project_rows())  # header and two rows: three in all
    before = counts(db)
    with pytest.raises(ImportFailed) as failed:
        import_file(db, path)
    assert "行が多すぎます" in failed.value.problems[0].message
    assert counts(db) == before
