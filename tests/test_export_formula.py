"""Spreadsheet formula injection: text a spreadsheet would evaluate is exported so that it stays text.

OWASP's leading characters (=, +, -, @, TAB, CR) and their full-width forms (＝＋－＠, which Japanese
spreadsheets evaluate too) get one ' in front in CSV; the importer removes exactly that one, so
kensho's own export imports back unchanged. In .xlsx every text cell is a string cell instead.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from store.db import Database
from store.export import export_heading, export_rows, write_csv
from store.export_formula import neutralize, restore
from store.export_xlsx import DATA_SHEET, write_xlsx
from store.importer import import_file
from store.models import Record
from store.records import record_snapshot

LEADING = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]


@pytest.mark.parametrize("lead", LEADING, ids=repr)
def test_every_leading_character_gets_one_prefix_that_restore_removes(lead: str) -> None:
    text = f'{lead}HYPERLINK("http://example.invalid")'
    assert neutralize(text) == "'" + text
    assert restore(neutralize(text)) == text
    assert neutralize("'" + text) == "''" + text, "a text that already starts with ' keeps its own"
    assert restore(neutralize("'" + text)) == "'" + text


@pytest.mark.parametrize("text", ["医療従事者への支援", "　字下げ", "'引用", "1,234", "", "(1) 説明"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutralize(text) == text == restore(text)


def _snapshots(db: Database) -> dict[int, dict[str, str]]:
    with db.session() as session:
        stmt = select(Record).options(
            selectinload(Record.project),
            selectinload(Record.kpis),
            selectinload(Record.goal),
            selectinload(Record.department),
            selectinload(Record.policy_option),
        )
        return {r.id: record_snapshot(r) for r in session.scalars(stmt)}


def test_the_csv_prefixes_formula_text_but_not_numbers_and_reads_back_unchanged(
    sqlite_db: Database, tmp_path: Path
) -> None:
    texts = {"result": "=1+1", "reflection": "+SUM(A1:A9)", "policy_reason": "-2+3", "expert_opinion": "@SUM(1)"}
    with sqlite_db.session() as session:
        records = list(session.scalars(select(Record).order_by(Record.id)))
        for record, (field, text) in zip(records, texts.items(), strict=False):
            setattr(record, field, text)
        records[4].result = "＝ＳＵＭ（１）"
        records[5].reflection = "－以下余白"
        records[6].result = "\tcmd|' /C calc'!A0"
    before = _snapshots(sqlite_db)

    out = io.BytesIO()
    write_csv(export_rows(sqlite_db, None), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    assert rows[0]["事業内容（実施結果）"] == "'=1+1"
    assert rows[1]["事業実施後の振り返り・今後の方針等"] == "'+SUM(A1:A9)"
    assert rows[2]["今後の方針の理由"] == "'-2+3"
    assert rows[3]["外部有識者からの意見"] == "'@SUM(1)"
    assert rows[4]["事業内容（実施結果）"] == "'＝ＳＵＭ（１）"
    assert rows[5]["事業実施後の振り返り・今後の方針等"] == "'－以下余白"
    assert rows[6]["事業内容（実施結果）"] == "'\tcmd|' /C calc'!A0"
    assert (rows[5]["KPI目標値"], rows[5]["KPI実績値"]) == ("-338", "-2,208"), "numbers are not text"
    assert rows[1]["事業内容（実施結果）"].startswith("健康寿命"), "other text is unchanged"

    path = tmp_path / "export.csv"
    path.write_bytes(out.getvalue())
    report = import_file(sqlite_db, path)
    # The tab is ASCII whitespace, which the importer trims from every cell: that record changes.
    assert (report.result.updated, report.result.unchanged) == (1, 6)
    after = _snapshots(sqlite_db)
    changed = [rid for rid in before if before[rid] != after[rid]]
    assert len(changed) == 1 and after[changed[0]]["result"] == "cmd|' /C calc'!A0"


def test_the_xlsx_writes_formula_text_as_strings_on_both_sheets(sqlite_db: Database, tmp_path: Path) -> None:
    with sqlite_db.session() as session:
        first = session.scalars(select(Record).order_by(Record.id)).first()
        assert first is not None
        first.result, first.reflection = '=HYPERLINK("http://example.invalid")', "＠SUM(1)"
    path = tmp_path / "export.xlsx"
    write_xlsx(export_rows(sqlite_db, None), path, export_heading(sqlite_db))
    book = load_workbook(path)

    document, data = book.worksheets[0], book[DATA_SHEET]
    formula_cells = [
        c
        for sheet in (document, data)
        for row in sheet.iter_rows()
        for c in row
        if str(c.value).startswith(("=", "＠"))
    ]
    assert len(formula_cells) == 4
    assert all(c.data_type == "s" for c in formula_cells), "text, never a formula"
    assert {c.value for c in formula_cells} == {'=HYPERLINK("http://example.invalid")', "＠SUM(1)"}, "no prefix"

    before = _snapshots(sqlite_db)
    assert import_file(sqlite_db, path).result.unchanged == 7
    assert _snapshots(sqlite_db) == before
