"""Reading committee tables (.csv in UTF-8 or Shift_JIS/CP932, .xlsx) and importing them atomically."""

from __future__ import annotations

import codecs
import csv
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import values
from store.db import Database
from store.export_formula import restore
from store.import_conflicts import StaleRow
from store.import_writer import BatchWriter, Group
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
from store.records import ApplyResult, RowProblem, bump_catalogue_version, key_of
from store.schemas import (
    ALIAS_COLUMN,
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    ISSUER_COLUMN,
    KPI_FIELDS,
    OPINION_STATUS_COLUMN,
    RECORD_COLUMNS,
    ImportRow,
    KpiCells,
    japanese_errors,
)

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000  # rows of one file (a national sheet of several years is about 10^5)
MAX_CELL_CHARS = 20_000  # characters of one cell (the longest texts of a sheet are a few hundred)
MAX_XLSX_PART_BYTES = 100 * 1024 * 1024  # one part of an .xlsx once unzipped (the sheet, its shared strings)
BATCH_ROWS = 5000  # rows validated and written per batch: bounds memory, amortizes statements
GC_YOUNG_THRESHOLD = 50_000  # allocations between collections of the youngest generation while importing
EXTRA_CELLS = "\x00extra"  # cells beyond the header, e.g. from an unquoted comma


class ImportFailed(Exception):
    """The file cannot be imported; ``problems`` says why, row by row, in Japanese."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems

    @property
    def stale(self) -> list[StaleRow]:
        """The rows refused because their record changed since the file was exported (see --force)."""
        return [p for p in self.problems if isinstance(p, StaleRow)]


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
    raise ImportFailed([_UNKNOWN_ENCODING])


_UNKNOWN_ENCODING = RowProblem(0, "", "", "文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）")


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or CP932, decided by decoding the whole file in chunks (not kept)."""
    for encoding in ("utf-8-sig", "cp932"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportFailed([_UNKNOWN_ENCODING])


def _cells(path: Path) -> Iterator[list[Any]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        encoding = csv_encoding(path)
        csv.field_size_limit(MAX_CELL_CHARS + 1)
        with path.open(encoding=encoding, newline="") as f:
            reader = csv.reader(f)
            number = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error:
                    raise ImportFailed([_too_long(reader.line_num, "", "")]) from None
                number += 1
                if number > MAX_ROWS or (row and max(map(len, row)) > MAX_CELL_CHARS):
                    _check_size(number, row)
                # Text a spreadsheet would evaluate was exported with a ' in front: remove exactly that one.
                yield [restore(c) if c[:1] == "'" else c for c in row]
    elif suffix in {".xlsx", ".xlsm"}:
        yield from _xlsx_cells(path)
    else:
        raise ImportFailed([RowProblem(0, "", path.suffix, "対応していない形式です（.csv または .xlsx）")])


def iter_table(path: Path) -> Iterator[dict[str, Any]]:
    """Rows as dicts keyed by header, read as they are needed (a national sheet is never held in
    memory); raises ImportFailed for unreadable files or wrong headers before the first row."""
    if not path.exists():
        raise ImportFailed([RowProblem(0, "", str(path), "ファイルが見つかりません")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFailed([RowProblem(0, "", str(path), "ファイルが大きすぎます（200MBまで）")])
    cells = _cells(path)
    first = next(cells, None)
    if first is None or not any(str(c).strip() for c in first):
        blank = first is not None and all(not any(str(c).strip() for c in row) for row in cells)
        if first is None or blank:
            raise ImportFailed([RowProblem(1, "", "", "空のファイルです")])
    header = [str(h).strip().lstrip("\ufeff") for h in first]
    check_header(header)
    return _rows(header, cells)


def _rows(header: list[str], cells: Iterator[list[Any]]) -> Iterator[dict[str, Any]]:
    width = len(header)
    for row in cells:
        if len(row) == width:
            yield dict(zip(header, row, strict=True))
            continue
        padded = [*row, *([""] * (width - len(row)))]
        out = dict(zip(header, padded[:width], strict=True))
        extra = [c for c in padded[width:] if str(c).strip()]
        if extra:
            out[EXTRA_CELLS] = extra
        yield out


def read_table(path: Path) -> list[dict[str, Any]]:
    """Every row of ``iter_table`` (for small files and tests)."""
    return list(iter_table(path))


def _too_long(row: int, column: str, value: Any) -> RowProblem:
    shown = str(value)[:100] + ("…" if len(str(value)) > 100 else "")
    return RowProblem(row, column, shown, f"セルが長すぎます（1つのセルは{MAX_CELL_CHARS:,}文字まで）")


def _check_size(number: int, row: list[Any]) -> None:
    """Refuse a file past MAX_ROWS rows or a cell past MAX_CELL_CHARS characters, before going on."""
    if number > MAX_ROWS:
        raise ImportFailed([RowProblem(number, "", "", f"行が多すぎます（1つのファイルは{MAX_ROWS:,}行まで）")])
    for col, value in enumerate(row):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise ImportFailed([_too_long(number, f"{col + 1}列目", value)])


def _xlsx_parts_fit(path: Path) -> None:
    """An .xlsx is a zip: refuse one whose sheet or shared strings unzip to more than we will read."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            big = [i for i in archive.infolist() if i.file_size > MAX_XLSX_PART_BYTES]
    except zipfile.BadZipFile:
        return  # openpyxl says it cannot open the file, in Japanese, below
    if big:
        limit = MAX_XLSX_PART_BYTES // (1024 * 1024)
        message = f"Excelファイルの中身が大きすぎます（展開後{limit}MBまで）。セルの内容をご確認ください"
        raise ImportFailed([RowProblem(0, "", path.name, message)])


def _xlsx_cells(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    _xlsx_parts_fit(path)
    try:
        # Not data_only: a formula must be seen as one (scripts write formulas without cached values,
        # which data_only would read as empty cells) and refused, never imported as something else.
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ImportFailed(
            [RowProblem(0, "", path.name, f"Excelファイルを開けません（{type(exc).__name__}）")]
        ) from exc
    try:
        # kensho's own export prints the document first and the import columns on a later sheet:
        # read the first sheet whose header row has the import columns (else the first sheet).
        sheet = next((ws for ws in wb.worksheets if set(COLUMNS) <= _header_cells(ws)), wb.worksheets[0])
        if (sheet.max_row or 0) > MAX_ROWS:  # the sheet's own dimension, known before any row is read
            message = f"行が多すぎます（1つのファイルは{MAX_ROWS:,}行まで）"
            raise ImportFailed([RowProblem(0, "", f"{sheet.max_row:,}行", message)])
        header: list[str] = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            values = []
            for col, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    name = header[col] if col < len(header) else f"{col + 1}列目"
                    formula = str(cell.value)
                    shown = formula if len(formula) <= 100 else formula[:100] + "…"
                    message = "数式のセルは取り込めません（値として貼り付けてから取り込んでください）"
                    raise ImportFailed([RowProblem(number, name, shown, message)])
                values.append("" if cell.value is None else cell.value)
            _check_size(number, values)
            if number == 1:
                header = [str(v).strip() for v in values]
            yield values
    finally:
        wb.close()


def _header_cells(sheet: Any) -> set[str]:
    first = next(sheet.iter_rows(max_row=1, values_only=True), ())
    return {str(h).strip() for h in first if h is not None}


def check_header(header: list[str]) -> None:
    expected = [*COLUMNS]
    known = {*expected, ALIAS_COLUMN, OPINION_STATUS_COLUMN, *EXPORT_ONLY_COLUMNS, *RECORD_COLUMNS}
    extra = [h for h in header if h and h not in known]
    missing = [c for c in expected if c not in header]
    problems = [RowProblem(1, c, "", "列がありません") for c in missing]
    problems += [RowProblem(1, h, h, "想定外の列です") for h in extra]
    if not problems and [h for h in header if h in expected] != expected:
        problems.append(RowProblem(1, "", "、".join(header), "列の順序が資料５－２の様式と異なります"))
    if problems:
        raise ImportFailed(problems)


def _blank(raw: dict[str, Any]) -> bool:
    for value in raw.values():
        if value is not None and (value if type(value) is str else str(value)).strip():
            return False
    return True


def validate_row(
    number: int, raw: dict[str, Any], context: dict[str, Any] | None
) -> tuple[ImportRow | None, list[RowProblem]]:
    """One row validated (None for a blank row), or its problems. Columns the model does not know
    (提出状況, 最終更新, 出典 of the export) are ignored."""
    if _blank(raw):
        return None, []
    extra = raw.get(EXTRA_CELLS)
    if extra:
        message = '列の数が見出しより多くなっています（カンマを含む値は " で囲んでください）'
        return None, [RowProblem(number, "", "、".join(map(str, extra)), message)]
    if None in raw.values():
        raw = {k: ("" if v is None else v) for k, v in raw.items()}
    try:
        return ImportRow.model_validate(raw, context=context), []
    except ValidationError as exc:
        return None, _problems(number, exc)


def _problems(number: int, exc: ValidationError) -> list[RowProblem]:
    return [RowProblem(number, column, value, message) for column, value, message in japanese_errors(exc)]


_KPI_COLUMNS = frozenset(ImportRow.model_fields[name].alias for name in KPI_FIELDS)
_GROUP_FIELDS = tuple(name for name in ImportRow.model_fields if name not in KPI_FIELDS)


class _SameProject:
    """The cells of a group's first row other than the KPI cells. A later row repeating all of them
    (the project's next KPI, as the export and most sheets write it) would validate to the same
    values: only its KPI cells are validated (``KpiCells``, ImportRow's own field definitions)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        keys = [k for k in raw if k not in _KPI_COLUMNS]
        self.size = len(raw)
        self.cells = itemgetter(*keys) if keys else None
        self.values = self.cells(raw) if self.cells else None

    def repeats(self, raw: dict[str, Any]) -> bool:
        try:
            return len(raw) == self.size and self.cells is not None and self.cells(raw) == self.values
        except KeyError:
            return False


def _disagreements(group: Group) -> list[RowProblem]:
    """Rows of one group must agree on every non-KPI column (blank cells repeat the first row's)."""
    head = group[0][1]
    problems = []
    for number, row, _ in group[1:]:
        if not isinstance(row, ImportRow):
            continue  # it repeats the first row's cells (_SameProject)
        for name in _GROUP_FIELDS:
            value = getattr(row, name)
            if value != getattr(head, name) and value not in ("", None, []):
                column = ImportRow.model_fields[name].alias or name
                problems.append(RowProblem(number, column, value, "同じ年度・事業の前の行と値が異なります"))
    return problems


def import_rows(
    db: Database,
    rows: Iterable[dict[str, Any]],
    *,
    issuer_name: str | None = None,
    document: str | None = None,
    file_name: str = "",
    actor: str = "import",
    source: str = "import",
    expert_status: ReviewStatus = ReviewStatus.FINAL,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> ImportReport:
    """Validate and write every row in one transaction: all of them, or nothing at all.

    The rows are filed under ``issuer_name``, created with the national defaults when new. Each
    value is attributed to ``document`` (「資料３（令和6年7月時点）」), by default the issuer's own
    document, else the file's name. Rows are read, validated and written in batches of BATCH_ROWS
    (memory stays bounded); a problem anywhere stops the writing, the remaining rows are still
    checked (also against the database) so that every problem is listed, and the transaction is
    rolled back.

    A row of kensho's export carries its record's version (版): when the record has changed since
    and the row would undo that change, the row is refused naming who changed what and when
    (``StaleRow``), unless ``force``."""
    with db.session() as session:
        existing = _issuer(session, issuer_name)
        context = {"options": options_of(session, existing)}
    report = ImportReport(rows=0)
    problems: list[RowProblem] = []
    with _fewer_collections(), db.session() as session:  # any exception rolls the whole file back
        issuer = _target_issuer(session, existing, issuer_name, document)
        title, as_of = parse_source(document) if document else (issuer.source_document, issuer.source_as_of)
        if not title:
            title = Path(file_name).stem if file_name else "取り込みファイル"
        if not issuer.source_document:
            issuer.source_document, issuer.source_as_of = title, as_of
        doc = document_source(session, issuer, title, as_of)
        writer = BatchWriter(session, issuer, doc.id, actor, source, expert_status, force=force)
        result = report.result
        done: dict[tuple[int, str], int] = {}  # groups written (or checked): first row
        group: Group = []
        group_key: tuple[int, str] = (0, "")
        batch: list[Group] = []
        batch_rows = 0

        def close_group() -> None:
            nonlocal group, batch_rows
            if not group:
                return
            number, row, _ = group[0]
            if row.issuer and key_of(row.issuer) != key_of(issuer.name):
                problems.append(
                    RowProblem(
                        number,
                        ISSUER_COLUMN,
                        row.issuer,
                        f"この行は「{row.issuer}」の書き出しで、取り込み先は「{issuer.name}」です"
                        f"（--issuer {row.issuer} で取り込むか、「{ISSUER_COLUMN}」の列を空にしてください）",
                    )
                )
            elif group_key in done:
                problems.append(
                    RowProblem(
                        number,
                        "個別事業名",
                        row.project,
                        f"同じ年度・事業の行が{done[group_key]}行目と離れています（続けて並べてください）",
                    )
                )
            else:
                done[group_key] = number
                problems.extend(_disagreements(group))
                batch.append(group)
                batch_rows += len(group)
            group = []

        def flush() -> None:
            nonlocal batch, batch_rows
            if batch:  # after a problem, only checked: every problem is listed, nothing is written
                writer.write(batch, result, dry=bool(problems or result.problems))
            if progress and batch_rows:
                progress(batch_rows)
            batch, batch_rows = [], 0

        try:
            same: _SameProject | None = None  # the current group's first row
            for index, raw in enumerate(rows):
                number = index + 2  # the header is row 1
                if same is not None and same.repeats(raw):
                    try:
                        cells = KpiCells.model_validate(raw, context=context)
                    except ValidationError as exc:
                        problems.extend(_problems(number, exc))
                        continue
                    report.rows += 1
                    group.append((number, cells, ""))
                    continue
                row, found = validate_row(number, raw, context)
                if found:
                    problems.extend(found)
                if row is None:
                    continue
                report.rows += 1
                key = (row.fiscal_year, key_of(row.project))
                if group and key != group_key:
                    close_group()
                    if batch_rows >= BATCH_ROWS:
                        flush()
                if not group:
                    group_key, same = key, _SameProject(raw)
                group.append((number, row, values.clean(raw.get("基本目標"))))
            close_group()
            flush()
            writer.close(write=not (problems or result.problems))
        except BaseException:
            with suppress(Exception):  # a COPY still ending in the background: wait, keep the first error
                writer.settle()
            raise
        if problems or result.problems:
            raise ImportFailed(problems + result.problems)
        # Names and texts are indexed in memory (bot/catalogue.py): any new or changed record refreshes it.
        if writer.changed_catalogue:
            bump_catalogue_version(session)
    return report


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A batch keeps thousands of young objects alive (cells, models, row dicts) that Python's cyclic
    collector would scan every 700 allocations, a sixth of an import's time: while importing, the
    youngest generation is collected every GC_YOUNG_THRESHOLD allocations instead (still bounded)."""
    old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _target_issuer(session: Session, existing: Issuer | None, name: str | None, document: str | None) -> Issuer:
    if existing is not None:
        issuer = session.get(Issuer, existing.id)
        assert issuer is not None
    else:
        assert name  # without a name, _issuer found the only one or refused
        try:
            issuer = create_issuer(session, name, source=document)
        except IssuerProblem as exc:
            raise ImportFailed([RowProblem(0, "", name, str(exc))]) from None
    ensure_policy_options(session, issuer)
    return issuer


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
    return import_rows(db, iter_table(path), **kwargs)
