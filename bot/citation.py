"""Citing where the figures of an answer come from: the imported document, or a kensho update.

「出典：山河県 効果検証シート（令和6年7月時点）」 for imported values, 「kensho で更新（2026年12月1日、
健康長寿社会づくり推進課、提出済み）」 for values saved in Slack (or the CLI), both when an answer
shows some of each. ``project_line`` and ``scope_line`` give the context line of an answer;
``figures`` the per-figure provenance that ``kensho ask --json`` carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import queries, values
from store.models import Issuer, Record, SourceKind
from store.provenance import document_text, sources_by_id, update_text
from store.readmodel import IssuerRef, RecordView

# The stored values (store.records.record_snapshot keys) behind each answer field.
VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "donation_amount": ("donation_amount", "donation_count"),
    "donation_count": ("donation_count",),
    "project_cost": ("project_cost",),
    "department": ("department",),
    "goal": ("goal",),
    "result": ("result",),
    "kpi": ("kpis",),
    "evaluation": ("evaluation", "kpi_effective"),
    "expert_opinion": ("expert_opinion",),
    "policy": ("policy", "policy_reason"),
    "reflection": ("reflection",),
}
SUMMARY_FIELDS = ("department", "goal", "project_cost", "donation_amount", "evaluation", "policy", "kpi")
VALUE_LABELS = {
    "result": "事業内容（実施結果）",
    "kpis": "KPI実績値",
    "evaluation": "事業の評価",
    "kpi_effective": "KPI達成への有効性",
    "policy": "今後の方針",
    "policy_reason": "今後の方針の理由",
    "reflection": "事業実施後の振り返り",
}


@dataclass(frozen=True)
class Citation:
    kind: str  # document | update
    text: str  # 山河県 効果検証シート（令和6年7月時点） / kensho で更新（2026年12月1日、…、提出済み）
    keys: tuple[str, ...] = ()  # the values that come from it

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "values": list(self.keys)}


def _issuer_text(issuer: IssuerRef | Issuer) -> str:
    return document_text(issuer.name, issuer.source_document, issuer.source_as_of)


def record_citations(session: Session, record: RecordView, fields: list[str] | tuple[str, ...]) -> list[Citation]:
    """The sources of the values ``fields`` of ``record`` shows, the document first."""
    keys = list(dict.fromkeys(k for f in (fields or SUMMARY_FIELDS) for k in VALUE_KEYS.get(f, ())))
    updated = record.value_sources or {}
    ids = {record.source_id} if record.source_id else set()
    ids |= {updated[k] for k in keys if k in updated}
    sources = sources_by_id(session, ids)
    by_text: dict[tuple[str, str], list[str]] = {}
    issuer = record.project.issuer
    for key in keys:
        source = sources.get(updated[key]) if key in updated else None
        if source is not None and source.kind == SourceKind.UPDATE:
            by_text.setdefault(("update", update_text(source)), []).append(key)
            continue
        document = sources.get(record.source_id) if record.source_id else None
        text = document_text(issuer.name, document.title, document.as_of) if document else _issuer_text(issuer)
        by_text.setdefault(("document", text), []).append(key)
    ordered = sorted(by_text.items(), key=lambda item: item[0][0] != "document")
    return [Citation(kind, text, tuple(ks)) for (kind, text), ks in ordered]


def citation_line(year: int | None, citations: list[Citation]) -> str:
    """令和3年度・出典：群馬県 資料５－２（令和4年6月時点）。事業の評価は kensho で更新（…）"""
    head = f"{values.fiscal_year_label(year)}・" if year else ""
    documents = [c for c in citations if c.kind == "document"]
    updates = [c for c in citations if c.kind == "update"]
    if not updates:
        return head + ("出典：" + "、".join(c.text for c in documents) if documents else "")
    if not documents:
        return head + "、".join(c.text for c in updates)
    parts = [f"{_labels(c.keys)}は {c.text}" for c in updates]
    return head + "出典：" + "、".join(c.text for c in documents) + "。ただし" + "、".join(parts)


def _labels(keys: tuple[str, ...]) -> str:
    shown = [VALUE_LABELS.get(k, k) for k in keys]
    if "事業の評価" in shown and "KPI達成への有効性" in shown:
        shown.remove("KPI達成への有効性")
    if "今後の方針" in shown and "今後の方針の理由" in shown:
        shown.remove("今後の方針の理由")
    return "・".join(shown)


def project_line(session: Session, record: RecordView, fields: list[str]) -> tuple[str, list[Citation]]:
    citations = record_citations(session, record, fields)
    return citation_line(record.fiscal_year, citations), citations


def scope_line(
    session: Session, issuer: Issuer, scope: queries.Scope, records: list[RecordView], fields: list[str]
) -> tuple[str, list[Citation]]:
    """The documents behind the records of a list or total (one SQL query), and the kensho updates of
    the listed records' shown values."""
    ids = set(session.scalars(queries.scoped(select(Record.source_id).distinct(), scope)))
    sources = sources_by_id(session, {i for i in ids if i is not None})
    texts = [document_text(issuer.name, s.title, s.as_of) for s in sources.values()]
    if None in ids or not texts:
        texts.append(_issuer_text(issuer))
    citations = [Citation("document", t) for t in dict.fromkeys(texts)]
    keys = {k for f in fields for k in VALUE_KEYS.get(f, ())}
    updated = {r.value_sources[k] for r in records for k in keys if r.value_sources and k in r.value_sources}
    for source in sources_by_id(session, updated).values():
        if source.kind == SourceKind.UPDATE:
            shown = tuple(sorted(keys & set(VALUE_LABELS)))
            citations.append(Citation("update", update_text(source), shown))
    unique: dict[tuple[str, str], Citation] = {}
    for c in citations:
        unique.setdefault((c.kind, c.text), c)
    return citation_line(scope.year, list(unique.values())), list(unique.values())


def figures(records: list[RecordView], fields: list[str], citations: list[Citation]) -> list[dict[str, Any]]:
    """One entry per figure shown: the project, its issuer and fiscal year, the field and its source."""
    out = []
    for record in records:
        for name in fields or SUMMARY_FIELDS:
            keys = VALUE_KEYS.get(name, ())
            source = next((c.text for c in citations if keys and keys[0] in c.keys), None)
            out.append(
                {
                    "project": record.project.name,
                    "issuer": record.project.issuer.name,
                    "fiscal_year": record.fiscal_year,
                    "field": name,
                    "source": source,
                }
            )
    return out
