"""The committee's document (資料５－２ as the committee reads it), as a workbook and as a PDF.

What a reader sees is checked by rendering: LibreOffice turns the workbook into a PDF, pdftotext
reads it back, and every project's 振り返り and 外部有識者の意見 must come out whole, on one page
(compared without whitespace, since wrapping adds line breaks). The sheet's structure (grouped
headers, merged blocks, page set-up, no database columns) is read with openpyxl.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import ROOT
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from rendering import pdf_pages, rendered_by_libreoffice, squeeze
from sqlalchemy import func, select, update

from store.db import Database
from store.export import export_heading, export_rows
from store.export_pdf import write_pdf
from store.export_xlsx import DATA_SHEET, write_xlsx
from store.importer import import_file
from store.models import Record, ReviewStatus
from store.schemas import ALIAS_COLUMN, COLUMNS

BUNDLED_CSV = ROOT / "store" / "data" / "gunma_r4" / "records.csv"
REFLECTION = "事業実施後の振り返り・今後の方針等"
OPINION = "外部有識者からの意見"
INTERNAL = ("別名", "意見の状態", "提出状況", "最終更新", "未提出")


def bundled() -> list[dict[str, str]]:
    with BUNDLED_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def long_projects(count: int = 14) -> list[dict[str, str]]:
    """Projects with long texts (a few hundred characters each), enough for several A3 pages."""
    base = bundled()[1]
    rows = []
    for n in range(1, count + 1):
        sentence = f"第{n}事業では、県内各地で説明会と相談会を開き、参加者の声を次年度の計画に反映した。"
        rows.append(
            {
                **base,
                "個別事業名": f"長文テスト事業{n:02d}",
                "担当課": "地域創生課",
                "事業内容（実施結果）": sentence * 3,
                OPINION: (f"第{n}事業の効果は一定程度認められる。" + "引き続き成果指標の検証を求める。" * 6),
                REFLECTION: (f"　第{n}事業の振り返り。" + sentence * 7 + "\n　来年度も継続して取り組む。"),
            }
        )
    rows.insert(
        3,
        {**rows[2], "KPI指標": "説明会の参加者数", "KPI単位": "人", "KPI目標値": "1,200", "KPI実績値": "1,350"},
    )
    return rows


def import_rows_csv(db: Database, path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*COLUMNS, ALIAS_COLUMN], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    import_file(db, path)


def workbook_of(db: Database, path: Path) -> Path:
    write_xlsx(export_rows(db, None), path, export_heading(db))
    return path


def merged(sheet: Worksheet) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def blocks_by_page(pages: list[str], rows: list[dict[str, str]]) -> dict[str, list[int]]:
    """For each project, the pages on which its name, 振り返り and 意見 all appear whole."""
    squeezed = [squeeze(p) for p in pages]
    found: dict[str, list[int]] = {}
    for row in rows:
        texts = [squeeze(row["個別事業名"]), squeeze(row[REFLECTION]), squeeze(row[OPINION])]
        found[row["個別事業名"]] = [i for i, page in enumerate(squeezed) if all(t in page for t in texts)]
    return found


# --- the sheet's structure ---------------------------------------------------------------------------


def test_the_first_sheet_is_the_document_with_grouped_headers_and_no_database_columns(
    sqlite_db: Database, tmp_path: Path
) -> None:
    book = load_workbook(workbook_of(sqlite_db, tmp_path / "committee.xlsx"))
    assert book.sheetnames == ["令和3年度", DATA_SHEET]
    sheet = book.worksheets[0]

    assert str(sheet["A1"].value).startswith("●地域再生計画（事業）名：　群馬県まち・ひと・しごと創生推進計画")
    top = {c.column_letter: c.value for c in sheet[2] if c.value}
    sub = {c.column_letter: c.value for c in sheet[3] if c.value}
    assert top == {
        "A": "地方版総合戦略の\n位置付け\n（基本目標）",
        "B": "個別事業名",
        "C": "担当課",
        "D": "事業費\n（千円）",
        "E": "寄附額\n（千円）",
        "F": "寄附件数\n（件）",
        "G": "事業内容\n（実施結果）",
        "H": "KPI",
        "L": "自己評価",
        "N": "外部有識者からの評価（案）",
        "O": "今後の方針",
        "Q": REFLECTION,
    }
    assert sub == {
        "H": "指標",
        "J": "目標値",
        "K": "実績値",
        "L": "事業の評価",
        "M": "KPI達成への有効性",
        "N": OPINION,
        "O": "今後の方針",
        "P": "理由等",
    }
    assert {"A2:A3", "B2:B3", "G2:G3", "Q2:Q3", "H2:K2", "H3:I3", "L2:M2", "O2:P2"} <= merged(sheet)
    assert sheet.print_title_rows == "$2:$3"

    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    for word in INTERNAL:
        assert word not in values, f"the committee's sheet shows no database column ({word})"
    assert not any("（kensho）" in v or "2026-" in v for v in values), "nor when the database was loaded"
    first = {c.column_letter: c.value for c in sheet[4]}
    assert (first["B"], first["D"], first["E"], first["F"]) == ("医療機関応援金", 876894, 13672, 6)
    assert (first["H"], first["I"], first["J"], first["K"]) == ("一人あたりの県民所得", "（万円）", 318.8, "集計中")
    assert first["A"] == "基本目標２：\n群馬に住み続けたくなる"
    assert all(c.alignment.wrap_text for c in sheet[4] if c.value is not None)


def test_a_project_with_two_kpis_is_one_block_with_kpi_sub_rows(sqlite_db: Database, tmp_path: Path) -> None:
    rows = bundled()
    rows.insert(2, {**rows[1], "KPI指標": "アプリのインストール数", "KPI単位": "件", "KPI目標値": "30,000"})
    import_rows_csv(sqlite_db, tmp_path / "two.csv", rows)
    sheet = load_workbook(workbook_of(sqlite_db, tmp_path / "committee.xlsx")).worksheets[0]

    health = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 2).value == "群馬健康ポイント制度")
    assert [sheet.cell(health + i, 8).value for i in range(2)] == ["一人あたりの県民所得", "アプリのインストール数"]
    assert [sheet.cell(health + i, 10).value for i in range(2)] == [318.8, 30000]
    for letter in "ABCDEFGLMNOPQ":
        assert f"{letter}{health}:{letter}{health + 1}" in merged(sheet), f"column {letter} spans the block"
    assert sheet.cell(health + 2, 2).value == "子ども向け地域環境学習事業"


def test_page_setup_is_a3_landscape_one_page_wide_with_headers_and_page_numbers(
    sqlite_db: Database, tmp_path: Path
) -> None:
    import_rows_csv(sqlite_db, tmp_path / "long.csv", long_projects())
    sheet = load_workbook(workbook_of(sqlite_db, tmp_path / "committee.xlsx")).worksheets[0]

    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), int(setup.fitToWidth), int(setup.fitToHeight)) == (
        "landscape",
        int(sheet.PAPERSIZE_A3),
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddHeader.left.text == "【資料５－２】"
    assert sheet.oddHeader.center.text == "地方創生応援税制（企業版ふるさと納税）活用事業に係る効果検証（令和3年度）"
    assert sheet.oddHeader.right.text == "群馬県 令和4年6月時点"
    assert sheet.oddFooter.center.text == "&P / &N"

    breaks = [b.id for b in sheet.row_breaks.brk]
    assert breaks, "21 projects with long texts take several pages"
    for r in merged(sheet):
        first, last = (int("".join(ch for ch in part if ch.isdigit())) for part in r.split(":"))
        assert not any(first <= b < last for b in breaks), f"no page break inside a project ({r})"


def test_the_opinion_is_marked_draft_only_while_it_is_one(sqlite_db: Database, tmp_path: Path) -> None:
    with sqlite_db.session() as session:
        session.execute(update(Record).values(expert_opinion_status=ReviewStatus.FINAL))
    sheet = load_workbook(workbook_of(sqlite_db, tmp_path / "final.xlsx")).worksheets[0]
    assert sheet["N2"].value == "外部有識者からの評価"

    with sqlite_db.session() as session:
        first = select(func.min(Record.id)).scalar_subquery()
        session.execute(update(Record).where(Record.id == first).values(expert_opinion_status=ReviewStatus.DRAFT))
    sheet = load_workbook(workbook_of(sqlite_db, tmp_path / "mixed.xlsx")).worksheets[0]
    assert sheet["N2"].value == "外部有識者からの評価（案）"
    opinions = [sheet.cell(r, 14).value for r in range(4, sheet.max_row + 1) if sheet.cell(r, 14).value]
    assert [str(o).startswith("（案）") for o in opinions] == [True] + [False] * 6


# --- what the committee sees: rendered ---------------------------------------------------------------


def test_libreoffice_prints_every_projects_texts_whole(sqlite_db: Database, tmp_path: Path) -> None:
    pdf = rendered_by_libreoffice(workbook_of(sqlite_db, tmp_path / "committee.xlsx"), tmp_path)
    pages = [p for p in pdf_pages(pdf) if "【資料５－２】" in p]  # the data sheet prints after the document
    rows = bundled()

    found = blocks_by_page(pages, rows)
    assert all(len(on) == 1 for on in found.values()), found
    assert len(pages) == 1, "seven projects, all 17 columns: one A3 page (fitted to one page wide)"
    assert "外部有識者からの評価（案）" in pages[0] and "1 / " in pages[0]


def test_libreoffice_breaks_pages_between_projects_and_repeats_the_header(sqlite_db: Database, tmp_path: Path) -> None:
    extra = long_projects()
    import_rows_csv(sqlite_db, tmp_path / "long.csv", extra)
    pdf = rendered_by_libreoffice(workbook_of(sqlite_db, tmp_path / "committee.xlsx"), tmp_path)
    pages = [p for p in pdf_pages(pdf) if "【資料５－２】" in p]

    assert len(pages) >= 3
    found = blocks_by_page(pages, [*bundled(), *extra])
    assert all(len(on) == 1 for on in found.values()), {k: v for k, v in found.items() if len(v) != 1}
    for number, page in enumerate(pages, start=1):
        assert "外部有識者からの評価（案）" in page and "理由等" in page, f"header rows on page {number}"
        # LibreOffice counts the data sheet's pages in &N too (Excel counts per sheet).
        assert re.search(rf"^{number} / \d+$", page, re.M), f"page number on page {number}"
        assert "群馬県令和4年6月時点" in squeeze(page)


def test_the_pdf_has_every_projects_texts_whole_as_extractable_japanese(sqlite_db: Database, tmp_path: Path) -> None:
    extra = long_projects()
    import_rows_csv(sqlite_db, tmp_path / "long.csv", extra)
    path = tmp_path / "committee.pdf"
    write_pdf(export_rows(sqlite_db, None), path, export_heading(sqlite_db))
    pages = pdf_pages(path)

    assert path.read_bytes().startswith(b"%PDF")
    assert len(pages) >= 3
    found = blocks_by_page(pages, [*bundled(), *extra])
    assert all(len(on) == 1 for on in found.values()), {k: v for k, v in found.items() if len(v) != 1}
    for number, page in enumerate(pages, start=1):
        text = squeeze(page)
        assert "外部有識者からの評価（案）" in text and "理由等" in text and "KPI達成への有効性" in text
        assert f"{number}/{len(pages)}" in text
        assert "群馬県令和4年6月時点" in text
        assert not any(word in text for word in INTERNAL)
    assert "●地域再生計画（事業）名" in pages[0] and "●地域再生計画（事業）名" not in pages[1]


def test_a_project_taller_than_a_page_is_still_printed_whole(sqlite_db: Database, tmp_path: Path) -> None:
    huge = {**bundled()[0], "個別事業名": "とても長い事業", REFLECTION: "長い振り返りの文章です。" * 240}
    import_rows_csv(sqlite_db, tmp_path / "huge.csv", [huge])
    path = tmp_path / "huge.pdf"
    write_pdf(export_rows(sqlite_db, None), path, export_heading(sqlite_db))
    pages = pdf_pages(path)
    assert len(pages) > 1

    # Each page: the page header, the column headers (ending with 理由等), the body, the page number.
    body = [re.sub(r"\d+/\d+$", "", squeeze(page).partition("理由等")[2]) for page in pages]
    assert squeeze(huge[REFLECTION]) in "".join(body), "the part on each page continues where the last ended"


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_kensho_export_writes_the_document(tmp_path: Path, fmt: str) -> None:
    from kensho_cli import kensho

    out = tmp_path / f"委員会資料.{fmt}"
    result = kensho("export", "--year", "R3", "-o", str(out), db_url=f"sqlite:///{tmp_path / 'k.db'}", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"令和3年度の7事業（7行）を書き出しました: {out}"
    if fmt == "pdf":
        assert "医療機関応援金" in squeeze("".join(pdf_pages(out)))
    else:
        assert load_workbook(out).sheetnames == ["令和3年度", DATA_SHEET]
    to_stdout = kensho("export", "--format", fmt, db_url=f"sqlite:///{tmp_path / 'k.db'}", home=tmp_path)
    assert to_stdout.returncode == 2 and to_stdout.stdout == ""
    assert "標準出力に書き出せません" in to_stdout.stderr and "-o" in to_stdout.stderr
