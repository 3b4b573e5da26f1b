"""Exporting the committee table (資料５－２ layout) as CSV or a print-ready .xlsx.

The export reads back through the importer unchanged: the import columns in order, 別名, then
two columns for the planning office (提出状況, 最終更新) that the importer ignores.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store import values
from store.db import Database
from store.issuers import options_of
from store.models import Issuer, Project, Record, ReviewStatus, Source, SourceKind
from store.options import IssuerOptions
from store.provenance import document_text, sources_by_id, update_text
from store.records import RECORD_DETAILS, kpi_value_text
from store.schemas import (
    ALIAS_COLUMN,
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    OPINION_STATUS_COLUMN,
    SOURCE_COLUMN,
    SUBMISSION_COLUMN,
    UPDATED_COLUMN,
)

EXPORT_COLUMNS: list[str] = [*COLUMNS, ALIAS_COLUMN, OPINION_STATUS_COLUMN, *EXPORT_ONLY_COLUMNS]
AMOUNT_COLUMNS: tuple[str, ...] = ("事業費（千円）", "寄附額（千円）", "寄附件数（件）")
KPI_VALUE_COLUMNS: tuple[str, ...] = ("KPI目標値", "KPI実績値")
# Japan has had no daylight saving time since 1951: a fixed offset needs no tz database.
JST = timezone(timedelta(hours=9), "JST")
DEFAULT_DOCUMENT = "資料５－２"
_EXACT_IN_EXCEL = 2**53  # Excel keeps numbers as doubles: whole numbers beyond this are rounded


class ExportError(Exception):
    """Nothing can be exported as asked; the message says why, in Japanese."""


@dataclass(frozen=True)
class Heading:
    """Where the table comes from, for the printed page header."""

    issuer: str = ""
    document: str = DEFAULT_DOCUMENT
    title: str = ""
    as_of: str = ""


def _issuer(session: Session, name: str | None) -> Issuer | None:
    if name:
        issuer = session.scalar(select(Issuer).where(Issuer.name == name))
        if issuer is None:
            raise ExportError(f"自治体「{name}」は登録されていません")
        return issuer
    return session.scalar(select(Issuer).order_by(Issuer.id).limit(1))


def export_years(db: Database, issuer: str | None = None) -> list[int]:
    """The fiscal years the issuer (default: the only/first one) has records for, oldest first."""
    with db.session() as session:
        found = _issuer(session, issuer)
        if found is None:
            return []
        stmt = (
            select(Record.fiscal_year)
            .join(Project)
            .where(Project.issuer_id == found.id)
            .group_by(Record.fiscal_year)
            .order_by(Record.fiscal_year)
        )
        return list(session.scalars(stmt))


def export_heading(db: Database, issuer: str | None = None, year: int | str | None = None) -> Heading:
    """The issuer and the document(s) the exported records come from (``year`` as for export_rows)."""
    with db.session() as session:
        found = _issuer(session, issuer)
        if found is None:
            return Heading()
        stmt = select(Record.source_id).join(Project).where(Project.issuer_id == found.id).distinct()
        if isinstance(year, int):
            stmt = stmt.where(Record.fiscal_year == year)
        documents = [
            s
            for s in sources_by_id(session, {i for i in session.scalars(stmt) if i}).values()
            if s.kind == SourceKind.DOCUMENT
        ]
        documents.sort(key=lambda s: s.id)
        document = "・".join(dict.fromkeys(d.title for d in documents if d.title))
        as_of = "・".join(dict.fromkeys(d.as_of for d in documents if d.as_of))
        return Heading(
            issuer=found.name,
            document=document or found.source_document or DEFAULT_DOCUMENT,
            title=found.source_title,
            as_of=as_of or found.source_as_of,
        )


def _updated_text(record: Record) -> str:
    stamp = record.updated_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
    return f"{stamp}（{record.updated_by}）" if record.updated_by else stamp


def _source_text(record: Record, issuer: Issuer, sources: dict[int, Source]) -> str:
    """出典 of a row: the imported document, and the kensho updates of the values saved since."""
    document = sources.get(record.source_id) if record.source_id else None
    if document is not None:
        parts = [document_text(issuer.name, document.title, document.as_of)]
    else:
        parts = [document_text(issuer.name, issuer.source_document, issuer.source_as_of)]
    for sid in dict.fromkeys((record.value_sources or {}).values()):
        update = sources.get(sid)
        if update is not None and update.kind == SourceKind.UPDATE:
            parts.append(update_text(update))
    return "、".join(p for p in parts if p)


def _record_rows(record: Record, options: IssuerOptions, source: str = "") -> list[dict[str, str]]:
    """One row per KPI (one row with empty KPI cells when there is none), other cells repeated."""
    common = {
        "年度": values.fiscal_year_label(record.fiscal_year),
        "基本目標": record.goal.label if record.goal else "",
        "個別事業名": record.project.name,
        "担当課": record.department.name if record.department else "",
        "事業費（千円）": "" if record.project_cost is None else f"{record.project_cost:,}",
        "寄附額（千円）": "" if record.donation_amount is None else f"{record.donation_amount:,}",
        "寄附件数（件）": "" if record.donation_count is None else f"{record.donation_count:,}",
        "事業内容（実施結果）": record.result,
        "事業の評価": (
            ""
            if record.evaluation is None
            else f"{values.CIRCLED[record.evaluation - 1]}{options.evaluation[record.evaluation - 1]}"
        ),
        "KPI達成への有効性": (
            "" if record.kpi_effective is None else options.kpi_effective[0 if record.kpi_effective else 1]
        ),
        "外部有識者からの意見": record.expert_opinion,
        "今後の方針": record.policy_option.display if record.policy_option else "",
        "今後の方針の理由": record.policy_reason,
        "事業実施後の振り返り・今後の方針等": record.reflection,
        ALIAS_COLUMN: "、".join(record.project.aliases or []),
        OPINION_STATUS_COLUMN: ("案" if record.expert_opinion_status == ReviewStatus.DRAFT else "確定")
        if record.expert_opinion
        else "",
        SUBMISSION_COLUMN: values.SUBMISSION_LABELS[record.submission_status],
        UPDATED_COLUMN: _updated_text(record),
        SOURCE_COLUMN: source,
    }
    kpis = [
        {
            "KPI指標": k.name,
            "KPI単位": k.unit,
            "KPI目標値": kpi_value_text(k.target, k.target_status),
            "KPI実績値": kpi_value_text(k.actual, k.actual_status),
        }
        for k in record.kpis
    ] or [{"KPI指標": "", "KPI単位": "", "KPI目標値": "", "KPI実績値": ""}]
    return [{column: {**common, **kpi}[column] for column in EXPORT_COLUMNS} for kpi in kpis]


def export_rows(db: Database, year: int | str | None, issuer: str | None = None) -> list[dict[str, str]]:
    """The committee table of one fiscal year (default: the issuer's latest; ``"all"``: every year,
    oldest first) as rows of text.

    ``issuer`` is an issuer name; without it, the only (or first registered) issuer. Projects come
    in their stored order. An issuer or year without records gives no rows.
    """
    with db.session() as session:
        found = _issuer(session, issuer)
        if found is None:
            return []
        if year is None:
            year = session.scalar(
                select(func.max(Record.fiscal_year)).join(Project).where(Project.issuer_id == found.id)
            )
            if year is None:
                return []
        stmt = (
            select(Record)
            .join(Project)
            .where(Project.issuer_id == found.id)
            .order_by(Record.fiscal_year, Project.sort_order, Project.id)
            .options(*RECORD_DETAILS)
        )
        if year != "all":
            stmt = stmt.where(Record.fiscal_year == year)
        records = list(session.scalars(stmt))
        ids = {r.source_id for r in records if r.source_id} | {
            sid for r in records for sid in (r.value_sources or {}).values()
        }
        sources = sources_by_id(session, ids)
        options = options_of(session, found)
        return [
            row for record in records for row in _record_rows(record, options, _source_text(record, found, sources))
        ]


# --- CSV --------------------------------------------------------------------------------------------


def write_csv(rows: list[dict[str, str]], out: Path | str | IO[bytes] | IO[str]) -> None:
    """UTF-8 with a BOM (so Excel opens it as UTF-8), CRLF rows, every export column in order.

    ``out`` is a path, a binary stream (e.g. ``sys.stdout.buffer``) or a text stream opened with
    ``newline=""``.
    """
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    text = "\ufeff" + buffer.getvalue()
    if isinstance(out, str | Path):
        Path(out).write_bytes(text.encode("utf-8"))
    elif isinstance(out, io.TextIOBase):
        out.write(text)  # type: ignore[arg-type]
        out.flush()
    else:
        out.write(text.encode("utf-8"))  # type: ignore[arg-type]
        out.flush()


# --- Excel ------------------------------------------------------------------------------------------

_WIDTHS: dict[str, float] = {
    "年度": 11,
    "基本目標": 18,
    "個別事業名": 22,
    "担当課": 16,
    "事業費（千円）": 11,
    "寄附額（千円）": 11,
    "寄附件数（件）": 8,
    "事業内容（実施結果）": 40,
    "KPI指標": 18,
    "KPI単位": 7,
    "KPI目標値": 10,
    "KPI実績値": 10,
    "事業の評価": 16,
    "KPI達成への有効性": 18,
    "外部有識者からの意見": 45,
    "今後の方針": 8,
    "今後の方針の理由": 22,
    "事業実施後の振り返り・今後の方針等": 45,
    ALIAS_COLUMN: 14,
    SUBMISSION_COLUMN: 8,
    UPDATED_COLUMN: 17,
}
_NUMERIC_COLUMNS = {*AMOUNT_COLUMNS, *KPI_VALUE_COLUMNS}


def _amount_cell(text: str) -> int | str:
    """An amount column's text as an int for Excel; text it cannot hold exactly stays text."""
    if not text:
        return ""
    number = int(text.replace(",", ""))
    return number if abs(number) < _EXACT_IN_EXCEL else text


def _kpi_cell(text: str) -> tuple[Any, str | None]:
    """A KPI value as a number with a format showing exactly its digits, when a double holds it exactly."""
    if not text or text == "集計中":
        return text, None
    number = Decimal(text.replace(",", ""))
    if number == number.to_integral_value():
        whole = int(number)
        return (whole, "#,##0") if abs(whole) < _EXACT_IN_EXCEL else (text, None)
    as_float = float(number)
    if Decimal(repr(as_float)) != number:
        return text, None
    places = -int(number.normalize().as_tuple().exponent)
    return as_float, "#,##0." + "0" * places


def _sheet_title(rows: list[dict[str, str]], heading: Heading) -> str:
    years = {row["年度"] for row in rows}
    title = years.pop() if len(years) == 1 else heading.document
    for char in "[]:*?/\\":  # characters Excel forbids in sheet names
        title = title.replace(char, "")
    return title[:31] or "Sheet1"


def _page_text(text: str) -> str:
    return text.replace("&", "&&")  # "&" starts a code in Excel's header/footer syntax


def write_xlsx(rows: list[dict[str, str]], path: Path | str, heading: Heading | None = None) -> None:
    """A print-ready workbook: one sheet, the header on row 1 (so it imports as it is), A3 landscape."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    heading = heading or Heading()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_title(rows, heading)
    years = sorted({row["年度"] for row in rows})
    title = heading.title or "企業版ふるさと納税活用事業の効果検証"
    caption = f"{title}（{'・'.join(years)}）" if years else title
    workbook.properties.title = caption
    workbook.properties.subject = heading.document
    workbook.properties.creator = "kensho"

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True)
    header_fill = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    text_align = Alignment(vertical="top", wrap_text=True)
    number_align = Alignment(horizontal="right", vertical="top", wrap_text=True)

    for col, name in enumerate(EXPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.font, cell.fill, cell.alignment, cell.border = header_font, header_fill, header_align, border
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(name, 12)

    for r, row in enumerate(rows, start=2):
        for col, name in enumerate(EXPORT_COLUMNS, start=1):
            text = row.get(name, "")
            cell = sheet.cell(row=r, column=col)
            cell.border = border
            if name in AMOUNT_COLUMNS:
                cell.value = _amount_cell(text)
                if isinstance(cell.value, int):
                    cell.number_format = "#,##0"
                cell.alignment = number_align
            elif name in KPI_VALUE_COLUMNS:
                value, number_format = _kpi_cell(text)
                cell.value = value
                if number_format:
                    cell.number_format = number_format
                cell.alignment = number_align
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
                # openpyxl turns text starting with "=" into a formula; a cell's text stays text.
                if cell.data_type == "f":
                    cell.data_type = "s"
                cell.alignment = text_align

    last = get_column_letter(len(EXPORT_COLUMNS))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    sheet.row_dimensions[1].height = 33

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    sheet.oddHeader.left.text = _page_text(heading.document)
    sheet.oddHeader.center.text = _page_text(caption)
    sheet.oddHeader.right.text = _page_text(" ".join(filter(None, [heading.issuer, heading.as_of])))
    sheet.oddFooter.center.text = "&P / &N"
    workbook.save(path)
