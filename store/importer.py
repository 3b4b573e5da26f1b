"""Reading committee tables (.csv in UTF-8 or Shift_JIS/CP932, .xlsx) and importing them atomically."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from store.db import Database
from store.issuers import (
    IssuerProblem,
    create_issuer,
    document_source,
    ensure_policy_options,
    find_issuer,
    options_of,
    parse_source,
)
from store.models import Issuer, ReviewStatus
from store.options import IssuerOptions
from store.records import ApplyResult, RowProblem, apply_rows
from store.schemas import (
    ALIAS_COLUMN,
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    OPINION_STATUS_COLUMN,
    ImportRow,
    japanese_errors,
)

MAX_FILE_BYTES = 200 * 1024 * 1024
EXTRA_CELLS = "\x00extra"  # cells beyond the header, e.g. from an unquoted comma


class ImportFailed(Exception):
    """The file cannot be imported; ``problems`` says why, row by row, in Japanese."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    rows: int
    result: ApplyResult = field(default_factory=ApplyResult)


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else CP932 (Japanese Excel's 'CSV'), else a clear error."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(
        [RowProblem(0, "", "", "文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）")]
    )


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows as dicts keyed by header; raises ImportFailed for unreadable files or wrong headers."""
    if not path.exists():
        raise ImportFailed([RowProblem(0, "", str(path), "ファイルが見つかりません")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFailed([RowProblem(0, "", str(path), "ファイルが大きすぎます（200MBまで）")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = decode_csv(path.read_bytes())
        table = list(csv.reader(io.StringIO(text, newline="")))
    elif suffix in {".xlsx", ".xlsm"}:
        table = _read_xlsx(path)
    else:
        raise ImportFailed([RowProblem(0, "", path.suffix, "対応していない形式です（.csv または .xlsx）")])
    while table and not any(str(c).strip() for c in table[-1]):
        table.pop()
    if not table:
        raise ImportFailed([RowProblem(1, "", "", "空のファイルです")])
    header = [str(h).strip().lstrip("\ufeff") for h in table[0]]
    check_header(header)
    rows = []
    for cells in table[1:]:
        padded = [*cells, *([""] * (len(header) - len(cells)))]
        row = dict(zip(header, padded[: len(header)], strict=True))
        extra = [c for c in padded[len(header) :] if str(c).strip()]
        if extra:
            row[EXTRA_CELLS] = extra
        rows.append(row)
    return rows


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ImportFailed(
            [RowProblem(0, "", path.name, f"Excelファイルを開けません（{type(exc).__name__}）")]
        ) from exc
    try:
        sheet = wb.worksheets[0]
        return [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()


def check_header(header: list[str]) -> None:
    expected = [*COLUMNS]
    known = {*expected, ALIAS_COLUMN, OPINION_STATUS_COLUMN, *EXPORT_ONLY_COLUMNS}
    extra = [h for h in header if h and h not in known]
    missing = [c for c in expected if c not in header]
    problems = [RowProblem(1, c, "", "列がありません") for c in missing]
    problems += [RowProblem(1, h, h, "想定外の列です") for h in extra]
    if not problems and [h for h in header if h in expected] != expected:
        problems.append(RowProblem(1, "", "、".join(header), "列の順序が資料５－２の様式と異なります"))
    if problems:
        raise ImportFailed(problems)


def validate_rows(
    rows: list[dict[str, Any]], options: IssuerOptions | None = None
) -> tuple[list[tuple[int, ImportRow, dict[str, Any]]], list[RowProblem]]:
    """Rows validated against the issuer's option lists (national ones when None)."""
    context = {"options": options} if options is not None else None
    valid: list[tuple[int, ImportRow, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    for index, raw in enumerate(rows):
        number = index + 2  # the header is row 1
        if not any(str(v).strip() for v in raw.values()):
            continue
        extra = raw.get(EXTRA_CELLS)
        if extra:
            problems.append(
                RowProblem(
                    number,
                    "",
                    "、".join(map(str, extra)),
                    '列の数が見出しより多くなっています（カンマを含む値は " で囲んでください）',
                )
            )
            continue
        cells = {k: ("" if v is None else v) for k, v in raw.items() if k and k not in EXPORT_ONLY_COLUMNS}
        if ALIAS_COLUMN not in cells:
            cells[ALIAS_COLUMN] = None
        try:
            valid.append((number, ImportRow.model_validate(cells, context=context), cells))
        except ValidationError as exc:
            for column, value, message in japanese_errors(exc):
                problems.append(RowProblem(number, column, value, message))
    return valid, problems


def import_rows(
    db: Database,
    rows: list[dict[str, Any]],
    *,
    issuer_name: str | None = None,
    document: str | None = None,
    file_name: str = "",
    actor: str = "import",
    source: str = "import",
    expert_status: ReviewStatus = ReviewStatus.FINAL,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate every row, then write all of them in one transaction, or nothing at all.

    The rows are filed under ``issuer_name``, created with the national defaults when new. Each
    value is attributed to ``document`` (「資料３（令和6年7月時点）」), by default the issuer's own
    document, else the file's name."""
    with db.session() as session:
        existing = _issuer(session, issuer_name)
        options = options_of(session, existing)
    valid, problems = validate_rows(rows, options)
    if problems:
        raise ImportFailed(problems)
    report = ImportReport(rows=len(valid))
    with db.session() as session:  # any exception rolls the whole file back
        issuer = find_issuer(session, issuer_name) if issuer_name else None
        if issuer is None and issuer_name:
            try:
                issuer = create_issuer(session, issuer_name, source=document)
            except IssuerProblem as exc:
                raise ImportFailed([RowProblem(0, "", issuer_name, str(exc))]) from None
        elif issuer is None:
            issuer = _issuer(session, None)
            assert issuer is not None
        ensure_policy_options(session, issuer)
        title, as_of = parse_source(document) if document else (issuer.source_document, issuer.source_as_of)
        if not title:
            title = Path(file_name).stem if file_name else "取り込みファイル"
        if not issuer.source_document:
            issuer.source_document, issuer.source_as_of = title, as_of
        doc = document_source(session, issuer, title, as_of)
        report.result = apply_rows(session, issuer, valid, actor, source, expert_status, progress, doc.id)
        if report.result.problems:
            raise ImportFailed(report.result.problems)
    return report


def _issuer(session: Any, name: str | None) -> Issuer | None:
    """The named issuer (None when new); without a name, the only registered one."""
    if name:
        return find_issuer(session, name)
    issuers = list(session.scalars(select(Issuer).order_by(Issuer.id)))
    if len(issuers) == 1:
        return issuers[0]
    what = "自治体が登録されていません" if not issuers else "自治体が複数あります"
    raise ImportFailed([RowProblem(0, "", "", f"{what}。--issuer で自治体名を指定してください")])


def import_file(db: Database, path: Path, **kwargs: Any) -> ImportReport:
    kwargs.setdefault("file_name", path.name)
    return import_rows(db, read_table(path), **kwargs)
