"""The committee's workbook: the document as the committee reads it, then the data that imports back.

Sheet 1 is 資料５－２ as printed: grouped header rows with merged cells, one block per project
(several KPIs as sub-rows, the other cells merged down the block), wrapped text in rows tall enough
for it (``store.export_fit``), A3 landscape fitted to one page wide, the header rows on every page,
page breaks only between projects, issuer, title and 時点 in the page header and page numbers in
the footer. Sheet 2 holds the import columns (with 別名, 意見の状態, 提出状況, 最終更新, 出典, 自治体, 版)
as ``kensho import`` reads them; the importer picks that sheet by its header.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from store.export import AMOUNT_COLUMNS, EXPORT_COLUMNS, KPI_VALUE_COLUMNS, Heading
from store.export_document import COLUMNS, KPI_KEYS, Block, Document, build_document
from store.export_fit import BODY_POINTS, MAX_ROW_POINTS, text_points
from store.schemas import ALIAS_COLUMN, ISSUER_COLUMN, SUBMISSION_COLUMN, UPDATED_COLUMN, VERSION_COLUMN

DATA_SHEET = "取込用データ"
FONT_NAME = "ＭＳ ゴシック"  # metric-compatible with IPAGothic, which LibreOffice substitutes for it
_EXACT_IN_EXCEL = 2**53  # Excel keeps numbers as doubles: whole numbers beyond this are rounded

# A3 landscape in points, and the margins set below (inches x 72).
PAGE_WIDTH, PAGE_HEIGHT = 1190.55, 841.89
MARGIN_SIDE, MARGIN_TOP = 0.4, 0.6
PAGE_FILL = 0.88  # of a page's height given to rows: room for the rounding of spreadsheets' scaling

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FONT = Font(name=FONT_NAME, size=BODY_POINTS, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=BODY_POINTS)
HEADER_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TEXT_ALIGN = Alignment(vertical="top", wrap_text=True)
NUMBER_ALIGN = Alignment(horizontal="right", vertical="top", wrap_text=True)


def write_xlsx(rows: list[dict[str, str]], path: Path | str, heading: Heading | None = None) -> None:
    """Both sheets, from the export rows of one fiscal year."""
    heading = heading or Heading()
    document = build_document(rows, heading)
    workbook = Workbook()
    committee = workbook.active
    assert committee is not None
    committee.title = _sheet_title(document)
    write_committee_sheet(committee, document)
    write_data_sheet(workbook.create_sheet(DATA_SHEET), rows)
    workbook.properties.title = document.caption
    workbook.properties.subject = heading.document
    workbook.properties.creator = "kensho"
    workbook.save(path)


# --- sheet 1: the document ---------------------------------------------------------------------------


def write_committee_sheet(sheet: Worksheet, document: Document) -> None:
    letters = [get_column_letter(i) for i in range(1, len(COLUMNS) + 1)]
    for letter, column in zip(letters, COLUMNS, strict=True):
        sheet.column_dimensions[letter].width = column.width
    top = 1
    if document.heading.plan:
        cell = sheet.cell(row=1, column=1, value=_text(f"●地域再生計画（事業）名：　{document.heading.plan}"))
        cell.font = Font(name=FONT_NAME, size=BODY_POINTS + 1, bold=True)
        sheet.row_dimensions[1].height = 22
        top = 2
    header_height = _write_headers(sheet, document, top)
    first_body = top + 2
    row = first_body
    heights: list[tuple[int, float]] = []  # (first row of a block, its height)
    for block in document.blocks:
        used = _write_block(sheet, document, block, row)
        heights.append((row, sum(used)))
        row += len(used)

    sheet.freeze_panes = sheet.cell(row=first_body, column=3)
    sheet.print_title_rows = f"{top}:{top + 1}"
    _page_setup(sheet, document)
    for break_after in page_breaks(heights, header_height, first_page_extra=22 if top == 2 else 0):
        sheet.row_breaks.append(Break(id=break_after))


def _write_headers(sheet: Worksheet, document: Document, top: int) -> float:
    """Two header rows: groups (KPI, 自己評価 …) over their columns, single headers merged down both."""
    group_height = sub_height = single_height = 0.0
    index = 0
    while index < len(COLUMNS):
        column = COLUMNS[index]
        col = index + 1
        if not column.group:
            _header_cell(sheet, top, col, column.header)
            _header_cell(sheet, top + 1, col, None)
            sheet.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            single_height = max(single_height, text_points(column.header, column.width))
            index += 1
            continue
        end = index
        while end < len(COLUMNS) and COLUMNS[end].group == column.group:
            end += 1
        span = COLUMNS[index:end]
        title = document.group_title(column.group)
        for offset, member in enumerate(span):
            _header_cell(sheet, top, col + offset, title if offset == 0 else None)
            _header_cell(sheet, top + 1, col + offset, member.header)
            sub_height = max(sub_height, text_points(member.header, member.width))
        if len(span) > 1:
            sheet.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + len(span) - 1)
        group_height = max(group_height, text_points(title, sum(c.width for c in span)))
        if column.key == "kpi_name":  # 指標 stands over the indicator and its unit
            sheet.cell(row=top + 1, column=col + 1).value = None
            sheet.merge_cells(start_row=top + 1, start_column=col, end_row=top + 1, end_column=col + 1)
        index += len(span)
    sub_height = max(sub_height, single_height - group_height)
    sheet.row_dimensions[top].height = group_height
    sheet.row_dimensions[top + 1].height = sub_height
    return group_height + sub_height


def _header_cell(sheet: Worksheet, row: int, col: int, value: str | None) -> None:
    cell = sheet.cell(row=row, column=col, value=value)
    cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, BORDER


def block_row_heights(document: Document, block: Block) -> list[float]:
    """Heights of a block's rows: one per KPI, more when the texts need more than rows can hold
    (a row is at most 409 points); the merged cells' texts fit in the sum."""
    widths = {c.key: c.width for c in COLUMNS}
    kpi_heights = [max(text_points(kpi[key], widths[key]) for key in KPI_KEYS) for kpi in block.kpis]
    texts = {key: _shown(document, block, key) for key in widths if key not in KPI_KEYS}
    needed = max(text_points(text, widths[key]) for key, text in texts.items())
    count = max(len(kpi_heights), math.ceil(needed / (MAX_ROW_POINTS - 9)))
    heights = [*kpi_heights, *[0.0] * (count - len(kpi_heights))]
    while sum(heights) < needed:
        deficit = (needed - sum(heights)) / count
        heights = [min(MAX_ROW_POINTS, h + deficit) for h in heights]
    return [round(h + 0.49) for h in heights]


def _shown(document: Document, block: Block, key: str) -> str:
    return document.opinion_text(block) if key == "opinion" else block.cells[key]


def _write_block(sheet: Worksheet, document: Document, block: Block, first: int) -> list[float]:
    heights = block_row_heights(document, block)
    last = first + len(heights) - 1
    for offset, height in enumerate(heights):
        sheet.row_dimensions[first + offset].height = height
    for col, column in enumerate(COLUMNS, start=1):
        if column.key in KPI_KEYS:
            for i, kpi in enumerate(block.kpis):
                end = last if i == len(block.kpis) - 1 else first + i
                _body_cell(sheet, first + i, col, column.key, kpi[column.key], end)
        else:
            _body_cell(sheet, first, col, column.key, _shown(document, block, column.key), last)
    return heights


def _set_value(cell: Any, text: str, kind: str) -> None:
    """A cell's value as the committee reads it: amounts and KPI values as numbers, the rest as text
    (strings stay strings: nothing a spreadsheet would evaluate)."""
    if kind == "amount":
        cell.value = _amount_cell(text)
        if isinstance(cell.value, int):
            cell.number_format = "#,##0"
        cell.alignment = NUMBER_ALIGN
    elif kind == "kpi":
        cell.value, number_format = _kpi_cell(text)
        if number_format:
            cell.number_format = number_format
        cell.alignment = NUMBER_ALIGN
    else:
        cell.value = _text(text)
        _as_text(cell)
        cell.alignment = TEXT_ALIGN


def _body_cell(sheet: Worksheet, row: int, col: int, key: str, text: str, last_row: int) -> None:
    cell = sheet.cell(row=row, column=col)
    kind = "amount" if key in {"cost", "donation", "count"} else "kpi" if key in {"kpi_target", "kpi_actual"} else ""
    _set_value(cell, text, kind)
    cell.font = BODY_FONT
    for r in range(row, last_row + 1):  # merged cells keep their borders only when each cell has one
        sheet.cell(row=r, column=col).border = BORDER
    if last_row > row:
        sheet.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=col)


def sheet_width_points() -> float:
    """The table's width on paper at 100%: Excel widths are characters of 7 px plus 5 px padding."""
    return sum(c.width * 7 + 5 for c in COLUMNS) * 0.75


def print_scale() -> float:
    """The scale fitting the table to one A3 landscape page wide, rounded down to a whole percent
    as spreadsheets do."""
    printable = PAGE_WIDTH - 2 * MARGIN_SIDE * 72
    return min(100, math.floor(printable / sheet_width_points() * 100)) / 100


def page_breaks(blocks: list[tuple[int, float]], header: float, first_page_extra: float = 0.0) -> list[int]:
    """Rows after which a page ends: as many whole blocks as fit under the repeated header rows; a
    block taller than a page is left to the spreadsheet to split (nothing else can hold it)."""
    capacity = (PAGE_HEIGHT - 2 * MARGIN_TOP * 72) / print_scale() * PAGE_FILL - header
    breaks: list[int] = []
    used = first_page_extra
    for first_row, height in blocks:
        if used and used + height > capacity:
            breaks.append(first_row - 1)
            used = 0.0
        used += height
    return breaks


def _page_setup(sheet: Worksheet, document: Document) -> None:
    heading = document.heading
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = MARGIN_SIDE
    sheet.page_margins.top = sheet.page_margins.bottom = MARGIN_TOP
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    sheet.oddHeader.left.text = _page_text(f"【{heading.document}】" if heading.document else "")
    sheet.oddHeader.center.text = _page_text(document.caption)
    sheet.oddHeader.right.text = _page_text(" ".join(filter(None, [heading.issuer, heading.as_of])))
    sheet.oddFooter.center.text = "&P / &N"


# --- sheet 2: the data -------------------------------------------------------------------------------

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
    ISSUER_COLUMN: 10,
    VERSION_COLUMN: 5,
}


def write_data_sheet(sheet: Worksheet, rows: list[dict[str, str]]) -> None:
    """The import columns, header on row 1, one row per KPI: what ``kensho import`` reads back."""
    header_font = Font(bold=True)
    for col, name in enumerate(EXPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.font, cell.fill, cell.alignment, cell.border = header_font, HEADER_FILL, HEADER_ALIGN, BORDER
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(name, 12)
    for r, row in enumerate(rows, start=2):
        for col, name in enumerate(EXPORT_COLUMNS, start=1):
            text = row.get(name, "")
            cell = sheet.cell(row=r, column=col)
            cell.border = BORDER
            kind = "amount" if name in AMOUNT_COLUMNS or name == VERSION_COLUMN else ""
            _set_value(cell, text, "kpi" if name in KPI_VALUE_COLUMNS else kind)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{max(1, len(rows) + 1)}"
    sheet.row_dimensions[1].height = 33


# --- cells ---------------------------------------------------------------------------------------------


def _text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _as_text(cell: Any) -> None:
    # openpyxl turns text starting with "=" into a formula; a cell's text stays text (formula injection).
    if cell.data_type != "s" and isinstance(cell.value, str):
        cell.data_type = "s"


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


def _sheet_title(document: Document) -> str:
    title = document.years[0] if len(document.years) == 1 else document.heading.document
    for char in "[]:*?/\\":  # characters Excel forbids in sheet names
        title = title.replace(char, "")
    return title[:31] or "Sheet1"


def _page_text(text: str) -> str:
    return text.replace("&", "&&")  # "&" starts a code in Excel's header/footer syntax
