"""Exporting the committee table (資料５－２) as rows of text, and as CSV (the import columns).

The export reads back through the importer unchanged: the import columns in order, 別名, 意見の状態,
then columns for the planning office (提出状況, 最終更新, 出典) that the importer ignores, and the
record's issuer and version (自治体, 版) that it checks: a row of an export older than its record is
refused when it would undo what was saved since (store.import_conflicts). The printed document is
built from the same rows (``store.export_xlsx``, ``store.export_pdf``) and shows neither.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store import values
from store.db import Database
from store.export_formula import neutralize
from store.issuers import options_of
from store.models import Issuer, Plan, Project, Record, ReviewStatus, Source, SourceKind
from store.options import IssuerOptions
from store.provenance import document_text, sources_by_id, update_text
from store.records import RECORD_DETAILS, kpi_value_text
from store.schemas import (
    ALIAS_COLUMN,
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    ISSUER_COLUMN,
    OPINION_STATUS_COLUMN,
    RECORD_COLUMNS,
    SOURCE_COLUMN,
    SUBMISSION_COLUMN,
    UPDATED_COLUMN,
    VERSION_COLUMN,
)

EXPORT_COLUMNS: list[str] = [*COLUMNS, ALIAS_COLUMN, OPINION_STATUS_COLUMN, *EXPORT_ONLY_COLUMNS, *RECORD_COLUMNS]
AMOUNT_COLUMNS: tuple[str, ...] = ("事業費（千円）", "寄附額（千円）", "寄附件数（件）")
KPI_VALUE_COLUMNS: tuple[str, ...] = ("KPI目標値", "KPI実績値")
_NUMERIC_COLUMNS = {*AMOUNT_COLUMNS, *KPI_VALUE_COLUMNS, VERSION_COLUMN}
# Japan has had no daylight saving time since 1951: a fixed offset needs no tz database.
JST = timezone(timedelta(hours=9), "JST")
DEFAULT_DOCUMENT = "資料５－２"


class ExportError(Exception):
    """Nothing can be exported as asked; the message says why, in Japanese."""


@dataclass(frozen=True)
class Heading:
    """Where the table comes from, for the printed page header."""

    issuer: str = ""
    document: str = DEFAULT_DOCUMENT
    title: str = ""
    as_of: str = ""
    plan: str = ""  # 地域再生計画（事業）名, printed above the table


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
            plan=session.scalar(select(Plan.name).where(Plan.issuer_id == found.id).order_by(Plan.id).limit(1)) or "",
        )


NOT_UPDATED = "取込時のまま"


def _updated_text(record: Record) -> str:
    """When and by whom the record last changed (an update in kensho or a later import); a record
    unchanged since it was first loaded says so, rather than when the database happened to be made."""
    if not record.updated_by:
        return NOT_UPDATED
    stamp = record.updated_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
    return f"{stamp}（{record.updated_by}）"


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


def _record_rows(record: Record, options: IssuerOptions, source: str = "", issuer: str = "") -> list[dict[str, str]]:
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
        ISSUER_COLUMN: issuer,
        VERSION_COLUMN: str(record.version),
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
            row
            for record in records
            for row in _record_rows(record, options, _source_text(record, found, sources), found.name)
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
    writer.writerows({k: v if k in _NUMERIC_COLUMNS else neutralize(v) for k, v in row.items()} for row in rows)
    text = "\ufeff" + buffer.getvalue()
    if isinstance(out, str | Path):
        Path(out).write_bytes(text.encode("utf-8"))
    elif isinstance(out, io.TextIOBase):
        out.write(text)  # type: ignore[arg-type]
        out.flush()
    else:
        out.write(text.encode("utf-8"))  # type: ignore[arg-type]
        out.flush()
