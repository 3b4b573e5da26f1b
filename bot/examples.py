"""Example questions built from the deployment's own catalogue, so that help, App Home and a
not-found answer suggest questions about the issuer's real projects and departments."""

from __future__ import annotations

import heapq

from bot.catalogue import Catalogue

GENERIC = ("寄附額の合計は？", "寄附額が一番多い事業", "終了する事業は？")


def example_questions(cat: Catalogue, issuer_id: int | None) -> tuple[str, ...]:
    """Two of the issuer's projects (shortest names first), a department, and questions over all;
    worked out once per catalogue."""
    if issuer_id not in cat.examples:
        cat.examples[issuer_id] = _examples(cat, issuer_id)
    return cat.examples[issuer_id]


def _examples(cat: Catalogue, issuer_id: int | None) -> tuple[str, ...]:
    projects = [p for p in cat.projects if p.issuer_id == issuer_id] or list(cat.projects)
    named = heapq.nsmallest(2, projects, key=lambda p: (len(p.name), p.id))
    asked = [f"{named[0].name}の寄附額は？"] if named else []
    if len(named) > 1:
        asked.append(f"{named[1].name}の今後の方針")
    ids = {p.department_id for p in projects}
    department = next((d.name for d in cat.departments if d.id in ids), None)
    return (*asked, *GENERIC[:2], *([f"{department}の事業は？"] if department else []), GENERIC[2])


def hint(cat: Catalogue, issuer_id: int | None) -> str:
    """One line for the end of an answer that found nothing."""
    shown = example_questions(cat, issuer_id)
    picked = [shown[0], "寄附額の合計は？", shown[-2], shown[-1]] if len(shown) > 3 else list(shown)
    return "事業名と知りたい項目を書いてください。例：" + "".join(f"「{q}」" for q in dict.fromkeys(picked))
