"""The committee's document (資料５－２ as printed): one block per project, several KPIs as sub-rows.

Built from the export rows (``store.export.export_rows``), so the printed document, the CSV and the
data sheet show the same text. Both renderers (``store.export_xlsx``, ``store.export_pdf``) lay out
the columns declared here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from store.export import Heading
from store.schemas import OPINION_STATUS_COLUMN

OPINION_GROUP = "外部有識者からの評価"
DRAFT_MARK = "（案）"


@dataclass(frozen=True)
class Column:
    """One printed column: its key in a block, its header (under ``group`` when grouped), its width
    in Excel character units (the PDF scales the same proportions to the page)."""

    key: str
    header: str
    width: float
    group: str = ""
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("goal", "地方版総合戦略の\n位置付け\n（基本目標）", 14),
    Column("name", "個別事業名", 15),
    Column("department", "担当課", 13),
    Column("cost", "事業費\n（千円）", 10, numeric=True),
    Column("donation", "寄附額\n（千円）", 10, numeric=True),
    Column("count", "寄附件数\n（件）", 7, numeric=True),
    Column("result", "事業内容\n（実施結果）", 28),
    Column("kpi_name", "指標", 11, group="KPI"),
    Column("kpi_unit", "単位", 7, group="KPI"),
    Column("kpi_target", "目標値", 9, group="KPI", numeric=True),
    Column("kpi_actual", "実績値", 9, group="KPI", numeric=True),
    Column("evaluation", "事業の評価", 14, group="自己評価"),
    Column("effective", "KPI達成への有効性", 16, group="自己評価"),
    Column("opinion", "外部有識者からの意見", 40, group=OPINION_GROUP),
    Column("policy", "今後の方針", 9, group="今後の方針"),
    Column("reason", "理由等", 16, group="今後の方針"),
    Column("reflection", "事業実施後の振り返り・今後の方針等", 40),
)
KPI_KEYS = ("kpi_name", "kpi_unit", "kpi_target", "kpi_actual")
# The import columns each printed column shows (KPI columns per KPI row).
SOURCE: dict[str, str] = {
    "goal": "基本目標",
    "name": "個別事業名",
    "department": "担当課",
    "cost": "事業費（千円）",
    "donation": "寄附額（千円）",
    "count": "寄附件数（件）",
    "result": "事業内容（実施結果）",
    "kpi_name": "KPI指標",
    "kpi_unit": "KPI単位",
    "kpi_target": "KPI目標値",
    "kpi_actual": "KPI実績値",
    "evaluation": "事業の評価",
    "effective": "KPI達成への有効性",
    "opinion": "外部有識者からの意見",
    "policy": "今後の方針",
    "reason": "今後の方針の理由",
    "reflection": "事業実施後の振り返り・今後の方針等",
}


@dataclass
class Block:
    """One project: its cells (text as exported) and one dict of KPI cells per KPI (at least one)."""

    cells: dict[str, str]
    kpis: list[dict[str, str]]
    opinion_draft: bool = False


@dataclass
class Document:
    heading: Heading
    years: list[str]
    blocks: list[Block] = field(default_factory=list)

    @property
    def opinion_draft(self) -> bool:
        """（案） in the header while any opinion is still a draft."""
        return any(b.opinion_draft for b in self.blocks)

    @property
    def mixed_opinions(self) -> bool:
        """Some opinions final, some draft: the draft ones are marked （案） in their cells too."""
        finals = [b for b in self.blocks if b.cells["opinion"] and not b.opinion_draft]
        return self.opinion_draft and bool(finals)

    def group_title(self, group: str) -> str:
        if group == OPINION_GROUP:
            return OPINION_GROUP + (DRAFT_MARK if self.opinion_draft else "")
        return group

    def opinion_text(self, block: Block) -> str:
        text = block.cells["opinion"]
        return f"{DRAFT_MARK}{text}" if text and block.opinion_draft and self.mixed_opinions else text

    @property
    def caption(self) -> str:
        title = self.heading.title or "企業版ふるさと納税活用事業の効果検証"
        return f"{title}（{'・'.join(self.years)}）" if self.years else title


def goal_text(label: str) -> str:
    """基本目標２：群馬に住み続けたくなる, printed on two lines as in the published table."""
    number, sep, title = label.partition("：")
    return f"{number}：\n{title}" if sep and title else label


def unit_text(unit: str) -> str:
    return f"（{unit}）" if unit else ""


def build_document(rows: list[dict[str, str]], heading: Heading) -> Document:
    """Rows of the export (one per KPI) grouped into one block per project and year, in order."""
    document = Document(heading, list(dict.fromkeys(row["年度"] for row in rows)))
    current: tuple[str, str] | None = None
    for row in rows:
        key = (row["年度"], row["個別事業名"])
        kpi = {k: row[SOURCE[k]] for k in KPI_KEYS}
        kpi["kpi_unit"] = unit_text(kpi["kpi_unit"])
        if key != current:
            cells = {k: row[v] for k, v in SOURCE.items() if k not in KPI_KEYS}
            cells["goal"] = goal_text(cells["goal"])
            draft = bool(cells["opinion"]) and row.get(OPINION_STATUS_COLUMN) == "案"
            document.blocks.append(Block(cells, [], draft))
            current = key
        if any(kpi.values()) or not document.blocks[-1].kpis:  # a project without KPI: one empty row
            document.blocks[-1].kpis.append(kpi)
    return document
