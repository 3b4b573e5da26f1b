"""Answering about projects that were described rather than named (ByText).

The words the question typed are looked for in the projects' own texts (``bot.content_search``).
A project found so is then treated as if its name had been typed: the question is planned again
with it (事業費のうち寄附でまかなえてない分, 1件あたり, 前年度と比べて …), so what can be asked of a
named project can be asked of a described one. Several descriptions, each finding one project,
compare them (路線バスを支えてる事業と、住宅の太陽光に補助してる事業、どっちが多い). A condition on
several projects found by their texts is not applied yet, and said so.
"""

from __future__ import annotations

from collections.abc import Callable

from bot import answer as A
from bot import plan as P
from bot.answer_project import (
    Context,
    ambiguous_answer,
    not_found_answer,
    not_theirs_answer,
    project_answer,
    projects_answer,
)
from bot.answer_scope import text_list_answer
from bot.catalogue import ProjectEntry
from bot.content_search import described, search
from bot.names import NameHit
from bot.normalize import fold
from bot.tagging import Tag
from bot.understand import Field, Op

Execute = Callable[[P.Plan], A.Answer]


def by_text_answer(ctx: Context, plan: P.ByText, tags: list[Tag], execute: Execute) -> A.Answer:
    """The projects whose own texts the typed words describe (of the department named, if one is)."""
    intent = ctx.intent
    runs = list(plan.runs) or intent.names.unknown
    compared = intent.compare or intent.op in {Op.MAX, Op.MIN} or "difference" in intent.reasons
    named = [h for h in intent.names.hits if h.kind == "project" and not _inside(h, runs)]
    if compared and (len(runs) > 1 or named):
        return _compared(ctx, plan, tags, runs, execute)
    found = _found(ctx, tags, runs)
    departments = _departments(ctx, runs)
    theirs = [p for p in found if any(p.department_id == d for d, _ in departments)]
    if departments and found and not theirs:  # 子育て支援課が子ども食堂を支援してる事業: another's project
        return not_theirs_answer(ctx, found[0], [name for _, name in departments])
    found = theirs if departments else found
    asked = [(r, t) for r, t in intent.unsupported if r != "text_search"]  # looking in the texts is done here
    if len(found) != 1 and asked and not P.per_donation_asked(intent):
        return execute(P.Unsupported(*asked[0]))  # no one project to ask it of: what cannot be done, said
    filtered = intent.kpi_state or intent.policies or intent.threshold or intent.evaluation is not None
    if len(found) > 1 and filtered:
        # 一人あたりの県民所得の目標を達成した事業: a condition on several projects found by their texts
        # is not applied yet; never the projects as if they met it (one project's own value is shown).
        return execute(P.Unsupported("text_search", plan.typed))
    if len(found) == 1:
        note = f"「{plan.typed}」に関する事業として、{found[0].name}についてお答えします。\n"
        again = _as_named(ctx, runs, [found[0]])
        if compared and isinstance(again, P.Lookup):  # どっちが多い of one project: the other was not found
            return _not_found(ctx, plan)
        if not isinstance(again, P.Lookup):
            return _noted(execute(again), note)
        return project_answer(ctx, found[0], _fields(ctx) or _written_in(ctx, found[0], runs), note=note)
    if len(found) > 1 and not _fields(ctx) and not intent.op:
        return text_list_answer(ctx, "", plan.typed, found)  # アンケートを実施した事業: every one of them
    if len(found) > 1 and _fields(ctx) == [Field.KPI] and not intent.op and _kpi_of_all(ctx, runs, found):
        return projects_answer(ctx, found, [Field.KPI])  # 県民所得のKPI: every project with that KPI
    if 1 < len(found) <= 5:
        return ambiguous_answer(ctx, found)
    return _not_found(ctx, plan)


def _compared(ctx: Context, plan: P.ByText, tags: list[Tag], runs: list[tuple[int, int]], execute: Execute) -> A.Answer:
    """A comparison needs every project: each description must find exactly one, and another one."""
    picked: list[ProjectEntry] = []
    for run in runs:
        found = _found(ctx, tags, [run])
        if len(found) != 1 or found[0] in picked:
            picked = []
            break
        picked.append(found[0])
    named = [h for h in ctx.intent.names.hits if h.kind == "project" and not _inside(h, runs)]
    if picked and len(picked) + len(named) >= 2:
        shown = "」「".join(ctx.intent.typed(r) for r in runs)
        note = f"「{shown}」に関する事業として、{'、'.join(p.name for p in picked)}についてお答えします。\n"
        return _noted(execute(_as_named(ctx, runs, picked)), note)
    return _not_found(ctx, plan)


def _not_found(ctx: Context, plan: P.ByText) -> A.Answer:
    """What was typed is no project's description: 見つかりませんでした, with the names it resembles."""
    suggested = [ctx.cat.projects[i] for i in ctx.intent.names.best_suggestions()]
    return not_found_answer(ctx, [plan.typed], suggested)


def _found(ctx: Context, tags: list[Tag], runs: list[tuple[int, int]]) -> list[ProjectEntry]:
    found = search(ctx.cat, ctx.intent.tokens, tags, runs)
    if ctx.only_issuer is not None:
        found = [p for p in found if p.issuer_id == ctx.only_issuer]
    return found


def _departments(ctx: Context, runs: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(id, name) of the departments named on their own, not as a word of the description (交流|会 is
    no 観光交流課)."""
    cat = ctx.cat
    return [
        (cat.departments[i].id, cat.departments[i].name)
        for h in ctx.intent.names.hits
        if h.kind == "department" and not any(h.start < b and a < h.end for a, b in runs)
        for i in h.ids
    ]


def _inside(hit: NameHit, runs: list[tuple[int, int]]) -> bool:
    return any(hit.start < b and a < hit.end for a, b in runs)


def _as_named(ctx: Context, runs: list[tuple[int, int]], entries: list[ProjectEntry]) -> P.Plan:
    """The plan of the question with each run naming its project, as if the name had been typed."""
    intent, cat = ctx.intent, ctx.cat
    names = intent.names
    kept = [h for h in names.hits if not _inside(h, runs)]
    found = [NameHit(a, b, "project", (cat.projects.index(e),), 1.0) for (a, b), e in zip(runs, entries, strict=False)]
    if len(entries) == 1 and len(runs) > 1:  # several runs describing one project together
        found = [NameHit(runs[0][0], runs[-1][1], "project", (cat.projects.index(entries[0]),), 1.0)]
    names.hits = sorted([*kept, *found], key=lambda h: h.start)
    names.unknown, names.unexplained = [], []
    return P.make_plan(intent, cat)


def _noted(answer: A.Answer, note: str) -> A.Answer:
    if answer.status == "answered":
        answer.body = note + answer.body
    return answer


def _written_in(ctx: Context, entry: ProjectEntry, runs: list[tuple[int, int]]) -> list[Field]:
    """Asked which project did something (台湾の旅行博に出展したのはどの事業): the text of its record that
    holds every word it was found by, shown as the proof; none (the overview) otherwise."""
    tokens = ctx.intent.tokens
    if ctx.intent.summary_cue or not (ctx.intent.list_cue or any(described(tokens, b) for _, b in runs)):
        return []  # ヘルメットの事業, …の概要: the project itself, not which of its texts says so
    record = ctx.record(entry.id, ctx.intent.year)
    words = [tokens.tokens[i].key for a, b in runs for i in range(a, b)]
    words = [w for w in words if len(w) >= 2]
    if record is None or not words:
        return []
    for f in (Field.RESULT, Field.REFLECTION, Field.EXPERT_OPINION):
        text = fold(getattr(record, f.value) or "")
        if all(w in text for w in words):
            return [f]
    return []


def _kpi_of_all(ctx: Context, runs: list[tuple[int, int]], found: list[ProjectEntry]) -> bool:
    """Whether the words looked for are in a KPI name of every project found (一人あたりの県民所得)."""
    tokens = ctx.intent.tokens
    keys = ["".join(tokens.tokens[i].key for i in range(a, b) if tokens.tokens[i].key != "の") for a, b in runs]
    return all(k and all(k in p.kpis.replace("の", "") for p in found) for k in keys)


def _fields(ctx: Context) -> list[Field]:
    fields = list(ctx.intent.fields)
    if ctx.intent.counting and Field.DONATION_COUNT not in fields:
        fields.append(Field.DONATION_COUNT)
    return fields
