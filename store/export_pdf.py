"""The committee's document as a PDF: the same layout and page rules as the workbook's first sheet.

ReportLab with its built-in Japanese CID fonts (HeiseiMin-W3 for text, HeiseiKakuGo-W5 for
headings; no font file is needed, and the text stays extractable). A3 landscape; the two header
rows are drawn at the top of every page; each project is one table kept on one page (only a project
taller than a whole page is split, inside its rows); long texts wrap (CJK line breaking). The page
header carries the document number, title and year, issuer and 時点; the footer ``n / N``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle

from store.export import Heading
from store.export_document import COLUMNS, KPI_KEYS, Block, Document, build_document

MINCHO = "HeiseiMin-W3"
GOTHIC = "HeiseiKakuGo-W5"
PAGE = landscape(A3)
SIDE, BOTTOM, TOP_TEXT = 12 * mm, 14 * mm, 22 * mm  # TOP_TEXT: the page header lines above the table
BODY_SIZE, HEADER_SIZE = 8.0, 8.0
GRID = colors.HexColor("#808080")
HEADER_BACKGROUND = colors.HexColor("#DDEBF7")


def register_fonts() -> None:
    for name in (MINCHO, GOTHIC):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def _style(name: str, font: str, size: float, **kw: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.35, wordWrap="CJK", **kw)


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class _Styles:
    def __init__(self) -> None:
        self.body = _style("body", MINCHO, BODY_SIZE)
        self.number = _style("number", MINCHO, BODY_SIZE, alignment=TA_RIGHT)
        self.header = _style("header", GOTHIC, HEADER_SIZE, alignment=TA_CENTER)


def column_widths(total: float) -> list[float]:
    """The workbook's column proportions, scaled to the page."""
    units = sum(c.width for c in COLUMNS)
    return [total * c.width / units for c in COLUMNS]


def header_table(document: Document, widths: list[float], styles: _Styles) -> Table:
    """Two rows: groups over their columns (KPI, 自己評価 …), single headers spanning both rows."""
    top: list[Any] = []
    sub: list[Any] = []
    spans: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    index = 0
    while index < len(COLUMNS):
        column = COLUMNS[index]
        if not column.group:
            top.append(_paragraph(column.header, styles.header))
            sub.append("")
            spans.append(("SPAN", (index, 0), (index, 1)))
            index += 1
            continue
        end = index
        while end < len(COLUMNS) and COLUMNS[end].group == column.group:
            end += 1
        top.append(_paragraph(document.group_title(column.group), styles.header))
        top.extend([""] * (end - index - 1))
        sub.extend(_paragraph(c.header, styles.header) for c in COLUMNS[index:end])
        spans.append(("SPAN", (index, 0), (end - 1, 0)))
        if column.key == "kpi_name":  # 指標 stands over the indicator and its unit
            sub[index + 1] = ""
            spans.append(("SPAN", (index, 1), (index + 1, 1)))
        index = end
    table = Table([top, sub], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                *spans,
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, -1), HEADER_BACKGROUND),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def block_table(document: Document, block: Block, widths: list[float], styles: _Styles) -> Table:
    """One project: a row per KPI, the other cells spanning the block."""
    rows: list[list[Any]] = []
    for i, kpi in enumerate(block.kpis):
        row: list[Any] = []
        for column in COLUMNS:
            style = styles.number if column.numeric else styles.body
            if column.key in KPI_KEYS:
                row.append(_paragraph(kpi[column.key], style))
            elif i == 0:
                text = document.opinion_text(block) if column.key == "opinion" else block.cells[column.key]
                row.append(_paragraph(text, style))
            else:
                row.append("")
        rows.append(row)
    spans = []
    if len(rows) > 1:
        spans = [("SPAN", (i, 0), (i, len(rows) - 1)) for i, column in enumerate(COLUMNS) if column.key not in KPI_KEYS]
    table = Table(rows, colWidths=widths, splitInRow=1)
    table.setStyle(TableStyle([*spans, ("GRID", (0, 0), (-1, -1), 0.5, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


class _NumberedCanvas(canvas.Canvas):
    """Draws ``n / N`` once the number of pages is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(GOTHIC, 9)
            self.drawCentredString(PAGE[0] / 2, BOTTOM / 2, f"{self._pageNumber} / {total}")
            super().showPage()
        super().save()


def write_pdf(rows: list[dict[str, str]], path: Path | str, heading: Heading | None = None) -> None:
    """The committee's document from the export rows of one fiscal year."""
    register_fonts()
    document = build_document(rows, heading or Heading())
    styles = _Styles()
    width = PAGE[0] - 2 * SIDE
    widths = column_widths(width)
    header = header_table(document, widths, styles)
    _, header_height = header.wrap(width, PAGE[1])
    top_margin = TOP_TEXT + header_height

    def on_page(pdf: canvas.Canvas, _doc: Any) -> None:
        heading = document.heading
        pdf.saveState()
        line = PAGE[1] - 10 * mm
        pdf.setFont(GOTHIC, 10)
        if heading.document:
            pdf.drawString(SIDE, line, f"【{heading.document}】")
        pdf.drawCentredString(PAGE[0] / 2, line, document.caption)
        pdf.drawRightString(PAGE[0] - SIDE, line, " ".join(filter(None, [heading.issuer, heading.as_of])))
        if heading.plan and pdf.getPageNumber() == 1:
            pdf.setFont(GOTHIC, 9)
            pdf.drawString(SIDE, line - 7 * mm, f"●地域再生計画（事業）名：　{heading.plan}")
        header.drawOn(pdf, SIDE, PAGE[1] - top_margin)
        pdf.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=SIDE,
        rightMargin=SIDE,
        topMargin=top_margin,
        bottomMargin=BOTTOM,
        title=document.caption,
        subject=document.heading.document,
        author=document.heading.issuer,
        creator="kensho",
    )
    story = [KeepTogether([block_table(document, block, widths, styles)]) for block in document.blocks]
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_NumberedCanvas)
