"""Answering a question: intent, name matching, an honest decision, then the answer.

Decision rule (measured on tests/questions and bench/): a project is answered when its best
form scores at least ACCEPT and leads every other project by MARGIN; close runners-up make the
answer ``ambiguous`` with candidates; below ACCEPT nothing is answered (``not_found``), with
「もしかして」 suggestions for scores above SUGGEST. A mention that matches no name is looked up in
the projects' texts (事業内容, 振り返り, KPI …) only when every content word of it occurs there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import answer as A
from bot.catalogue import Catalogue, CatalogueCache, ProjectEntry, issuer_prefixes
from bot.intent import Intent, parse
from bot.normalize import fold
from bot.reading import nouns, reading
from store import queries, values
from store.db import Database
from store.models import Issuer, Record

log = logging.getLogger(__name__)

ACCEPT = 0.8
MARGIN = 0.06
SUGGEST = 0.55
MAX_QUESTION = 500
LIST_LIMIT = 30
AMOUNT_FIELDS = ("donation_amount", "project_cost", "donation_count")

HELP_HINT = (
    "事業名と知りたい項目を書いてください。例：「ぐんま健康ポイントの寄附額は？」「寄附額の合計は？」"
    "「労働政策課の事業は？」「終了する事業は？」"
)


@dataclass
class Hit:
    index: int
    score: float


class Asker:
    """Answers questions against one database; safe to share between threads."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cache = CatalogueCache(db)

    def ask(self, question: str) -> A.Answer:
        question = (question or "").strip()
        if not question:
            return A.Answer(question, "not_found", f"質問が空です。{HELP_HINT}", kind="help")
        catalogue = self.cache.get()
        with self.db.session() as session:
            intent = parse(question[:MAX_QUESTION], queries.policy_labels(session))
            return _Answering(session, catalogue, intent).run()

    def answer_project(self, project_id: int, question: str = "", fields: list[str] | None = None) -> A.Answer:
        """Answer for one project chosen by id (a candidate button); ``fields`` as first asked."""
        catalogue = self.cache.get()
        with self.db.session() as session:
            intent = parse(question[:MAX_QUESTION], queries.policy_labels(session)) if question else Intent("", "")
            if fields is not None:
                intent.fields = fields
            entry = next((p for p in catalogue.projects if p.id == project_id), None)
            if entry is None:
                return A.Answer(question, "not_found", "その事業は見つかりませんでした。", kind="lookup")
            return _Answering(session, catalogue, intent).project_answer(entry)


class _Answering:
    def __init__(self, session, catalogue: Catalogue, intent: Intent) -> None:  # type: ignore[no-untyped-def]
        self.session = session
        self.cat = catalogue
        self.intent = intent
        self.q = intent.question

    # --- matching -----------------------------------------------------------------------------
    def _variants(self, mention: str) -> list[str]:
        out = [mention]
        for issuer in self.cat.issuers.values():
            for prefix in issuer_prefixes(issuer.name):
                if mention.startswith(prefix) and len(mention) - len(prefix) >= 2:
                    out.append(mention[len(prefix) :])
        return out

    def _hits(self, index_name: str) -> list[Hit]:
        index = getattr(self.cat, index_name)
        best: dict[int, float] = {}
        for mention in self.intent.mentions:
            for variant in self._variants(mention):
                for entity, score in index.best(fold(variant), reading(variant), limit=6):
                    best[entity] = max(best.get(entity, 0.0), score)
        return sorted((Hit(i, s) for i, s in best.items()), key=lambda h: -h.score)

    # --- decision ------------------------------------------------------------------------------
    def run(self) -> A.Answer:
        intent = self.intent
        if not self.cat.projects:
            return A.Answer(
                self.q, "not_found", "事業が登録されていません。kensho import でデータを取り込んでください。"
            )
        if not intent.mentions:
            if intent.op or intent.list_cue or intent.goal_number or intent.policy_words or intent.fields:
                return self.scope_answer(self._default_issuer(), departments=())
            return A.Answer(self.q, "not_found", f"ご質問の対象が分かりませんでした。{HELP_HINT}", kind="help")
        projects = self._hits("project_index")
        departments = self._hits("department_index")
        goals = self._hits("goal_index")
        top_p = projects[0].score if projects else 0.0
        top_d = departments[0].score if departments else 0.0
        top_g = goals[0].score if goals else 0.0
        if top_p >= ACCEPT and top_p >= top_d and top_p >= top_g:
            close = [h for h in projects if h.score >= top_p - MARGIN]
            if len(close) > 1:
                return self.ambiguous([self.cat.projects[h.index] for h in close[:5]])
            return self.project_answer(self.cat.projects[projects[0].index])
        if top_d >= ACCEPT and top_d >= top_g:
            close = [h for h in departments if h.score >= top_d - MARGIN]
            depts = [self.cat.departments[h.index] for h in close]
            issuer = self.cat.issuers[depts[0].issuer_id]
            return self.scope_answer(issuer, departments=tuple(d.id for d in depts))
        if top_g >= ACCEPT:
            goal = self.cat.goals[goals[0].index]
            self.intent.goal_number = goal.number
            return self.scope_answer(self.cat.issuers[goal.issuer_id], departments=())
        found = self.content_search()
        if len(found) == 1:
            return self.project_answer(found[0], via_text=True)
        if 1 < len(found) <= 5:
            return self.ambiguous(found)
        suggestions = [self.cat.projects[h.index] for h in projects if h.score >= SUGGEST][:3]
        return self.not_found(suggestions)

    def content_search(self) -> list[ProjectEntry]:
        words = [w for m in self.intent.mentions for w in nouns(m)]
        words = [w for w in words if len(w) >= 2]
        if not words:
            return []
        return [p for p in self.cat.projects if all(w in p.text for w in words)]

    def _default_issuer(self) -> Issuer:
        counts: dict[int, int] = {}
        for p in self.cat.projects:
            counts[p.issuer_id] = counts.get(p.issuer_id, 0) + 1
        return self.cat.issuers[max(counts, key=lambda k: counts[k])]

    # --- answers ---------------------------------------------------------------------------------
    def ambiguous(self, entries: list[ProjectEntry]) -> A.Answer:
        names = [e.name for e in entries]
        listing = "\n".join(f"・{n}" for n in names)
        return A.Answer(
            self.q,
            "ambiguous",
            f"どの事業のことでしょうか。候補が複数あります。\n{listing}",
            field=self._field(),
            projects=names,
            project_ids=[e.id for e in entries],
            candidates=[A.Candidate(e.id, e.name) for e in entries],
            kind="lookup",
        )

    def not_found(self, suggestions: list[ProjectEntry]) -> A.Answer:
        mention = self.intent.mention
        subject = f"「{mention}」に当たる事業" if mention else "該当する事業"
        body = f"{subject}は見つかりませんでした。"
        if suggestions:
            body += "\nもしかして：" + "、".join(s.name for s in suggestions)
        body += f"\n{HELP_HINT}"
        return A.Answer(
            self.q,
            "not_found",
            body,
            field=self._field(),
            candidates=[A.Candidate(s.id, s.name) for s in suggestions],
            kind="lookup",
        )

    def _field(self) -> str | None:
        return self.intent.fields[0] if self.intent.fields else None

    def project_answer(self, entry: ProjectEntry, via_text: bool = False) -> A.Answer:
        intent = self.intent
        record = queries.record_for(self.session, entry.id, intent.year)
        issuer = self.cat.issuers[entry.issuer_id]
        if record is None:
            have = "、".join(values.fiscal_year_label(y) for y in entry.years) or "なし"
            year = values.fiscal_year_label(intent.year) if intent.year else ""
            return A.Answer(
                self.q,
                "not_found",
                f"{entry.name}の{year}のデータはありません（登録されている年度：{have}）。",
                field=self._field(),
                candidates=[A.Candidate(entry.id, entry.name)],
                kind="lookup",
            )
        heading = A.record_heading(record)
        note = f"（「{intent.mention}」を含む事業として回答します）\n" if via_text else ""
        context = A.source_line(issuer, record.fiscal_year)
        common = {
            "projects": [entry.name],
            "project_ids": [entry.id],
            "title": entry.name,
            "context": context,
            "fiscal_year": record.fiscal_year,
        }
        if not intent.fields:
            facts = A.summary_facts(record)
            body = note + heading + "\n" + "\n".join(f"{k}：{v}" for k, v in facts)
            return A.Answer(self.q, "answered", body, field="summary", facts=facts, kind="summary", **common)
        sentences = [A.field_sentence(record, f) for f in intent.fields]
        if "donation_amount" in intent.fields and "donation_count" in intent.fields:
            sentences.remove(A.field_sentence(record, "donation_count"))
        body = note + f"{heading}の" + "\n".join(sentences)
        facts = [(A.FIELD_NAMES[f], A.field_value(record, f)) for f in intent.fields]
        return A.Answer(self.q, "answered", body, field=intent.fields[0], facts=facts, kind="lookup", **common)

    def scope_answer(self, issuer: Issuer, departments: tuple[int, ...]) -> A.Answer:
        intent = self.intent
        year = intent.year or queries.latest_year(self.session, issuer.id)
        if year is None:
            return A.Answer(self.q, "not_found", "データが登録されていません。", kind="aggregate")
        labels = tuple(dict.fromkeys(intent.policy_words))
        scope = queries.Scope(issuer.id, year, departments, intent.goal_number, labels)
        title = self._scope_title(scope)
        context = A.source_line(issuer, year)
        column = next((f for f in intent.fields if f in AMOUNT_FIELDS), None)
        if intent.op in {"sum", "avg", "max", "min", "rank"}:
            return self._aggregate(scope, title, context, column or "donation_amount")
        records = queries.records_in(self.session, scope, limit=LIST_LIMIT)
        total = queries.count_in(self.session, scope)
        names = [r.project.name for r in records]
        field = intent.fields[0] if intent.fields else None
        if total == 0:
            return A.Answer(
                self.q,
                "answered",
                f"{title}に該当する事業はありません。",
                field=field,
                context=context,
                kind="list",
                fiscal_year=year,
            )
        lines = [f"・{r.project.name}" + (f"：{self._short(r, field)}" if field else "") for r in records]
        if total > len(records):
            lines.append(f"ほか{total - len(records):,}件")
        body = f"{title}は{total:,}件です。\n" + "\n".join(lines)
        if column:
            agg_total, _, _ = queries.aggregate(self.session, scope, column)
            unit = A.count(agg_total) if column == "donation_count" else A.amount(agg_total)
            body += f"\n{A.FIELD_NAMES[column]}の合計：{unit}"
        return A.Answer(
            self.q,
            "answered",
            body,
            field=field,
            projects=names,
            project_ids=[r.project_id for r in records],
            title=title,
            context=context,
            kind="list",
            fiscal_year=year,
        )

    def _short(self, record: Record, field: str) -> str:
        text = A.field_value(record, field).replace("\n", " ")
        return text if len(text) <= 80 else text[:79] + "…"

    def _scope_title(self, scope: queries.Scope) -> str:
        parts = []
        if scope.department_ids:
            names = [d.name for d in self.cat.departments if d.id in scope.department_ids]
            parts.append("・".join(names))
        if scope.goal_number is not None:
            goal = next((g for g in self.cat.goals if g.number == scope.goal_number), None)
            parts.append(goal.label if goal else f"基本目標{scope.goal_number}")
        if scope.policy_labels:
            parts.append("今後の方針が「" + "・".join(scope.policy_labels) + "」")
        prefix = "、".join(parts)
        return f"{values.fiscal_year_label(scope.year)}の{prefix + 'の' if prefix else ''}事業"

    def _aggregate(self, scope: queries.Scope, title: str, context: str, column: str) -> A.Answer:
        op = self.intent.op
        label = A.FIELD_NAMES[column]
        fmt = A.count if column == "donation_count" else A.amount
        common = {"field": column, "context": context, "kind": "aggregate", "fiscal_year": scope.year}
        total, average, n = queries.aggregate(self.session, scope, column)
        if n == 0:
            return A.Answer(self.q, "answered", f"{title}には{label}のデータがありません。", **common)
        if op == "sum":
            body = f"{title}（{n:,}件）の{label}の合計は{fmt(total)}です。"
            return A.Answer(self.q, "answered", body, title=title, **common)
        if op == "avg":
            assert average is not None
            shown = f"{average:,.1f}件" if column == "donation_count" else f"{average:,.1f}千円"
            body = f"{title}（{n:,}件）の{label}の平均は{shown}です。"
            return A.Answer(self.q, "answered", body, title=title, **common)
        if op in {"max", "min"}:
            records = queries.extreme_ties(self.session, scope, column, descending=op == "max")
            word = (
                ("最も多い" if op == "max" else "最も少ない")
                if column != "project_cost"
                else ("最も大きい" if op == "max" else "最も小さい")
            )
            value = fmt(getattr(records[0], column))
            names = [r.project.name for r in records]
            if len(records) == 1:
                body = f"{title}のうち{label}が{word}のは「{names[0]}」で、{value}です。"
            else:
                listing = "\n".join(f"・{n}" for n in names[:LIST_LIMIT])
                body = f"{title}のうち{label}が{word}のは次の{len(names)}事業で、いずれも{value}です。\n{listing}"
            return A.Answer(
                self.q,
                "answered",
                body,
                projects=names,
                project_ids=[r.project_id for r in records],
                title=title,
                **common,
            )
        limit = self.intent.top_n or 10
        ascending = any(w in self.intent.text for w in ("少ない", "小さい", "低い", "昇順"))
        records = queries.ranked(self.session, scope, column, descending=not ascending, limit=min(limit, 50))
        lines = [f"{i}. {r.project.name}：{fmt(getattr(r, column))}" for i, r in enumerate(records, 1)]
        order = "少ない順" if ascending else "多い順"
        body = f"{title}の{label}（{order}、上位{len(records)}件）\n" + "\n".join(lines)
        return A.Answer(
            self.q,
            "answered",
            body,
            projects=[r.project.name for r in records],
            project_ids=[r.project_id for r in records],
            title=title,
            **common,
        )
