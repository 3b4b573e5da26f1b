"""The wording of a record's options as its issuer writes them (事業の評価, KPI達成への有効性)."""

from __future__ import annotations

from typing import Any

from store import values


def evaluation_label(record: Any) -> str:
    """③地方創生に効果があった, in the issuer's words when it registered its own."""
    labels = getattr(record.project.issuer, "evaluation_options", None) or list(values.EVALUATION_LABELS.values())
    n = record.evaluation
    return f"{values.CIRCLED[n - 1]}{labels[n - 1]}"


def kpi_effective_label(record: Any) -> str:
    """（本事業が地方版）総合戦略のKPI達成に有効であった, or the issuer's own wording."""
    labels = getattr(record.project.issuer, "kpi_effective_options", None)
    if not labels:  # issuers registered before option lists were kept: the wording kensho always used
        return values.KPI_EFFECTIVE_LABELS[bool(record.kpi_effective)]
    return labels[0 if record.kpi_effective else 1]
