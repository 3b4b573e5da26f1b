"""The committee status at a glance: 提出済 / 下書き / 未提出 per department, on one page (PDF or xlsx).

The figures come from ``bot.status_report`` (the same counts App Home shows administrators); this
module only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

STATUS_HEADERS = ("担当課", "提出済", "下書き", "未提出", "計")


@dataclass(frozen=True)
class DepartmentCounts:
    department: str
    submitted: int
    draft: int
    not_submitted: int

    @property
    def total(self) -> int:
        return self.submitted + self.draft + self.not_submitted


@dataclass
class StatusSheet:
    title: str  # 自己評価の提出状況（第1回委員会）
    lines: list[str]  # 対象年度, 締切, 出力日時 …
    departments: list[DepartmentCounts] = field(default_factory=list)
    issuer: str = ""

    @property
    def totals(self) -> DepartmentCounts:
        return DepartmentCounts(
            "合計",
            sum(d.submitted for d in self.departments),
            sum(d.draft for d in self.departments),
            sum(d.not_submitted for d in self.departments),
        )

    def table(self) -> list[list[str]]:
        rows = [*self.departments, self.totals]
        return [
            list(STATUS_HEADERS),
            *[[r.department, *(f"{n:,}" for n in (r.submitted, r.draft, r.not_submitted, r.total))] for r in rows],
        ]


def status_text(sheet: StatusSheet) -> str:
    """Plain text for a terminal."""
    lines = [sheet.title, *sheet.lines, ""]
    for row in sheet.table():
        lines.append("  ".join([row[0].ljust(20, "\u3000"), *(cell.rjust(6) for cell in row[1:])]))
    return "\n".join(lines)


def write_status_xlsx(sheet: StatusSheet, path: Path | str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "提出状況"
    ws["A1"] = sheet.title
    ws["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(sheet.lines, start=2):
        ws.cell(row=i, column=1, value=line)
    top = len(sheet.lines) + 3
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
    for r, row in enumerate(sheet.table()):
        for c, text in enumerate(row, start=1):
            number = r > 0 and c > 1
            cell = ws.cell(row=top + r, column=c, value=int(text.replace(",", "")) if number else text)
            cell.border = border
            if not number:
                cell.data_type = "s"  # a department's name is text, whatever it starts with
            if number:
                cell.number_format = "#,##0"
                cell.alignment = Alignment(horizontal="right")
            if r == 0 or r == len(sheet.departments) + 1:
                cell.font = Font(bold=True)
            if r == 0:
                cell.fill, cell.alignment = fill, Alignment(horizontal="center")
    ws.column_dimensions["A"].width = 40
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 10
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1  # one page
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.oddHeader.right.text = sheet.issuer.replace("&", "&&")
    workbook.save(path)


def write_status_pdf(sheet: StatusSheet, path: Path | str) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from store.export_pdf import GOTHIC, MINCHO, register_fonts

    register_fonts()
    title = ParagraphStyle("title", fontName=GOTHIC, fontSize=15, leading=20)
    body = ParagraphStyle("body", fontName=MINCHO, fontSize=10, leading=14)
    rows = sheet.table()
    table = Table(rows, colWidths=[80 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), MINCHO, 10),
                ("FONT", (0, 0), (-1, 0), GOTHIC, 10),
                ("FONT", (0, -1), (-1, -1), GOTHIC, 10),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ]
        )
    )
    story = [Paragraph(sheet.title, title), Spacer(1, 4 * mm)]
    story += [Paragraph(line, body) for line in sheet.lines]
    story += [Spacer(1, 6 * mm), table]
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=sheet.title, creator="kensho"
    )
    doc.build(story)
