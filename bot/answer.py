"""Answers as people read them: the Answer object and the Japanese wording of figures and fields."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default
from decimal import Decimal
from typing import Any

from bot import option_labels
from store import values
from store.models import Kpi, KpiStatus, Record, ReviewStatus

FIELD_NAMES: dict[str, str] = {
    "donation_amount": "寄附額",
    "donation_count": "寄附件数",
    "project_cost": "事業費",
    "department": "担当課",
    "goal": "基本目標",
    "result": "事業内容（実施結果）",
    "kpi": "KPI",
    "evaluation": "事業の評価",
    "expert_opinion": "外部有識者からの意見",
    "policy": "今後の方針",
    "reflection": "事業実施後の振り返り・今後の方針等",
}


@dataclass(frozen=True)
class Candidate:
    project_id: int
    name: str


@dataclass
class Answer:
    """One answer: the JSON contract (question, status, projects, field, text) plus what Slack renders."""

    question: str
    status: str  # answered | ambiguous | not_found
    body: str
    field: str | None = None
    projects: list[str] = default(default_factory=list)
    project_ids: list[int] = default(default_factory=list)
    title: str | None = None
    facts: list[tuple[str, str]] = default(default_factory=list)
    context: str = ""
    candidates: list[Candidate] = default(default_factory=list)
    kind: str = "lookup"  # lookup | summary | aggregate | list | search | help | error
    fiscal_year: int | None = None
    citations: list[Any] = default(default_factory=list)  # bot.citation.Citation: where the figures come from
    figures: list[dict[str, Any]] = default(default_factory=list)  # per figure: project, fiscal_year, field, source

    @property
    def text(self) -> str:
        return f"{self.body}\n{self.context}" if self.context else self.body

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "projects": self.projects,
            "field": self.field,
            "text": self.text,
            "kind": self.kind,
            "fiscal_year": self.fiscal_year,
            "candidates": [c.name for c in self.candidates],
            "sources": [c.to_json() for c in self.citations],
            "figures": self.figures,
        }


def man_yen(thousands: int) -> str:
    """13,200 (千円) -> 1,320万円; 876,894 -> 8億7,689万4千円."""
    yen = thousands * 1000
    oku, rest = divmod(yen, 10**8)
    man, rest = divmod(rest, 10**4)
    sen = rest // 1000
    parts = [f"{oku:,}億" if oku else "", f"{man:,}万" if man else "", f"{sen}千" if sen else ""]
    text = "".join(parts)
    return f"{text}円" if text else "0円"


def amount(thousands: int | None) -> str:
    if thousands is None:
        return "未記入"
    return f"{thousands:,}千円（{man_yen(thousands)}）"


def count(n: int | None) -> str:
    return "未記入" if n is None else f"{n:,}件"


def average_amount(thousands: float) -> str:
    """8893.43 (千円) -> 8,893.4千円（約889万3千円）."""
    return f"{thousands:,.1f}千円（約{man_yen(round(thousands))}）"


def average_count(n: float) -> str:
    return f"{n:,.1f}件"


def kpi_value(value: Decimal | None, status: KpiStatus) -> str:
    if status == KpiStatus.PENDING:
        return "集計中"
    return "―" if value is None else values.format_decimal(value)


def kpi_progress(kpi: Kpi) -> str:
    if kpi.actual_status == KpiStatus.PENDING:
        return "集計中"
    if kpi.actual is None or kpi.target is None:
        return "未記入"
    if kpi.target == 0:  # 待機児童数 0: a target of none is met by none, not by any number above it
        return "達成" if kpi.actual <= 0 else "未達"
    return "達成" if kpi.actual >= kpi.target else "未達"


def kpi_rate(kpi: Kpi) -> str:
    """実績値÷目標値 as a percentage, where it means something (a positive target, an actual)."""
    if kpi.actual_status == KpiStatus.PENDING or kpi.actual is None or kpi.target is None or kpi.target <= 0:
        return ""
    if kpi.actual < 0:
        return ""
    return f"達成率{kpi.actual / kpi.target * 100:.1f}%"


def kpi_line(kpi: Kpi) -> str:
    unit = f"（{kpi.unit}）" if kpi.unit else ""
    actual = kpi_value(kpi.actual, kpi.actual_status)
    progress = "、".join(p for p in (kpi_progress(kpi), kpi_rate(kpi)) if p)
    shown = f"{actual}（{progress}）" if progress != actual else actual  # 集計中 once, not twice
    return f"{kpi.name}{unit}：目標値 {kpi_value(kpi.target, kpi.target_status)}、実績値 {shown}"


def evaluation_text(record: Record) -> str:
    if record.evaluation is None:
        return "未記入"
    return option_labels.evaluation_label(record)


def policy_text(record: Record) -> str:
    return record.policy_option.display if record.policy_option else "未記入"


def field_value(record: Record, name: str) -> str:
    """The value of one field of a record, as a short text."""
    match name:
        case "donation_amount":
            return amount(record.donation_amount)
        case "donation_count":
            return count(record.donation_count)
        case "project_cost":
            return amount(record.project_cost)
        case "department":
            return record.department.name if record.department else "未記入"
        case "goal":
            return record.goal.label if record.goal else "未記入"
        case "result":
            return record.result or "未記入"
        case "kpi":
            return "\n".join(kpi_line(k) for k in record.kpis) or "未記入"
        case "evaluation":
            return evaluation_text(record)
        case "expert_opinion":
            return record.expert_opinion or "未記入"
        case "policy":
            return policy_text(record)
        case "reflection":
            return record.reflection or "未記入"
    raise KeyError(name)


def field_sentence(record: Record, name: str) -> str:
    """A sentence about one field of a named record, to follow 「〇〇事業（令和3年度）の」."""
    value = field_value(record, name)
    label = FIELD_NAMES[name]
    match name:
        case "donation_amount":
            return f"寄附額は{value}、寄附件数は{count(record.donation_count)}です。"
        case "donation_count" | "project_cost" | "department":
            return f"{label}は{value}です。"
        case "goal":
            return f"基本目標は「{value}」です。"
        case "evaluation":
            effective = option_labels.kpi_effective_label(record) if record.kpi_effective is not None else "未記入"
            return f"事業の評価は「{value}」です。KPI達成への有効性は「{effective}」とされています。"
        case "policy":
            reason = record.policy_reason.rstrip("。") if record.policy_reason else ""
            return f"今後の方針は「{value}」です" + (f"（理由：{reason}）。" if reason else "。")
        case "expert_opinion":
            draft = "（案）" if record.expert_opinion_status == ReviewStatus.DRAFT and record.expert_opinion else ""
            return f"外部有識者からの意見{draft}は次のとおりです。\n{value}"
        case "kpi":
            return f"KPIは次のとおりです。\n{value}" if record.kpis else "KPIは登録されていません。"
        case _:
            return f"{label}は次のとおりです。\n{value}"


def fields_text(record: Record, names: list[str]) -> str:
    """The answer to one or more fields of a record: 「〇〇（令和3年度）の寄附額は…です。」."""
    sentences = [field_sentence(record, n) for n in names if not (n == "donation_count" and "donation_amount" in names)]
    return f"{record_heading(record)}の" + "\n".join(sentences)


def summary_text(record: Record, facts: list[tuple[str, str]]) -> str:
    lines = "\n".join(f"・{label}：{value}" for label, value in facts)
    return f"{record_heading(record)}の概要は次のとおりです。\n{lines}"


def summary_facts(record: Record) -> list[tuple[str, str]]:
    facts = [
        ("担当課", field_value(record, "department")),
        ("基本目標", field_value(record, "goal")),
        ("事業費", amount(record.project_cost)),
        ("寄附額", amount(record.donation_amount)),
        ("寄附件数", count(record.donation_count)),
        ("事業内容", field_value(record, "result").replace("\n", " ")),
        ("事業の評価", evaluation_text(record)),
        ("今後の方針", policy_text(record)),
    ]
    facts += [("KPI", kpi_line(k)) for k in record.kpis]
    return facts


def record_heading(record: Record) -> str:
    return f"{record.project.name}（{values.fiscal_year_label(record.fiscal_year)}）"
