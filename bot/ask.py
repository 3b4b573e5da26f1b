"""Answering a question, in stages with typed hand-offs (no Slack here; the CLI and Slack share it):

1. ``bot.tokens``      the question as tokens, normalized once, with offsets (Tokens)
2. ``bot.tagging``     fields, operations, years, thresholds … from data files (list[Tag])
3. ``bot.names``       names found anywhere, everything beside them accounted for (Names)
4. ``bot.understand``  what is asked (Intent)
5. ``bot.plan``        one plan: Lookup, Compare, Scope, Ambiguous, NotFound, Unsupported … (Plan)
6. ``bot.answer_project`` / ``bot.answer_scope``  SQL on one session, then the Japanese answer (Answer)
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot import answer as A
from bot import plan as P
from bot.answer_project import (
    ADMINISTRATOR,
    PUBLIC,
    Context,
    ambiguous_answer,
    compare_answer,
    field_difference_answer,
    not_found_answer,
    not_theirs_answer,
    per_donation_answer,
    project_answer,
    projects_answer,
    total_answer,
    trend_answer,
    years_answer,
)
from bot.answer_scope import scope_answer, text_list_answer, unsupported_answer
from bot.by_text import by_text_answer
from bot.catalogue import Catalogue, CatalogueCache, issuer_prefixes
from bot.checks import with_check
from bot.examples import example_questions, hint
from bot.names import NameFinder, Names, by_issuer
from bot.selfeval import history
from bot.settings import configured_issuer
from bot.tagging import Lexicon, Tag
from bot.tokens import tokenize
from bot.understand import Field, Intent, understand
from store.db import Database

__all__ = ["ADMINISTRATOR", "PUBLIC", "Asker"]
OWN = frozenset({"県の", "本県", "本県の"})


class Asker:
    """Answers questions against one database; safe to share between threads.

    ``issuer`` is the deployment's own issuer (KENSHO_ISSUER, default 群馬県): questions that name no
    issuer are about its projects; a project name unique across issuers still finds its issuer; a
    question naming an issuer (山河県の…) is answered from that issuer alone. ``viewer`` is the asking
    Slack user id: 下書き values are shown only to the project's department and administrators;
    ``PUBLIC`` (the default) sees submitted or imported values, ``ADMINISTRATOR`` (the command line)
    sees drafts too."""

    def __init__(self, db: Database, issuer: str | None = None) -> None:
        self.db = db
        self.cache = CatalogueCache(db)
        self.issuer = issuer or configured_issuer()
        self._lexicon: tuple[int, Lexicon] | None = None
        self._lock = threading.Lock()

    def lexicon(self, cat: Catalogue) -> Lexicon:
        current = self._lexicon
        if current is not None and current[0] == cat.version:
            return current[1]
        with self._lock:
            # 県の / 本県 stand for the deployment's own issuer: generic words, not any issuer's name.
            issuers = [(i.id, [p for p in issuer_prefixes(i.name) if p not in OWN]) for i in cat.issuers.values()]
            lexicon = Lexicon(issuers, cat.policy_labels, cat.policy_aliases)
            self._lexicon = (cat.version, lexicon)
            return lexicon

    def examples(self) -> tuple[str, ...]:
        """Example questions about the deployment's own issuer (help, App Home)."""
        cat = self.cache.get()
        return example_questions(cat, cat.issuer_id(self.issuer))

    def hint(self) -> str:
        cat = self.cache.get()
        return hint(cat, cat.issuer_id(self.issuer))

    def understand(
        self, question: str, cat: Catalogue, only_issuer: str | None = None
    ) -> tuple[Intent, list[Tag], int | None]:
        """Stages 1–4; also the issuer the answer is restricted to (named in the question or given).

        Words in quotes that make the question fail (佐藤議員から「…べきではないか」との指摘がありました。
        最新年度で寄附額が最も少ない事業は？) are what someone said: if the question stands without them,
        it is asked without them."""
        understood = self._understand(question, cat, only_issuer)
        intent = understood[0]
        names = intent.names
        told = _without_quotes(question)
        if told != question and any(h.kind == "project" for h in names.hits):
            # 議員の発言に「移住促進事業は第1期で終わった」ってあったけど、第2期の今後の方針は？: a project
            # named outside what was said is what is asked; the one inside was only said.
            again = self._understand(told, cat, only_issuer)
            bare = again[0]
            if any(h.kind == "project" for h in bare.names.hits) and not (
                bare.names.unknown or bare.names.unexplained or bare.unsupported
            ):
                bare.question = question
                return again
        if not (names.unknown or names.unexplained or intent.unsupported):
            return understood
        quoted = intent.tokens.quotes()
        inside = [
            span
            for span in [*((h.start, h.end) for h in names.hits), *names.unknown, *names.unexplained]
            if any(a <= span[0] and span[1] <= b for a, b in quoted)
        ]
        if told == question or inside:
            return understood  # a name (or a would-be one) in quotes is what is asked about
        again = self._understand(told, cat, only_issuer)
        bare = again[0]
        definite = bare.names.hits or bare.op or bare.threshold or bare.policies or bare.evaluation is not None
        if definite and not (bare.names.unknown or bare.names.unexplained or bare.unsupported):
            bare.question = question
            return again
        return understood

    def _understand(
        self, question: str, cat: Catalogue, only_issuer: str | None = None
    ) -> tuple[Intent, list[Tag], int | None]:
        tokens = tokenize(question)
        taken_back = tokens.retracted()
        if taken_back:  # 高齢者じゃなくて中高生の自転車の事業: what was taken back is not asked
            start, end = taken_back
            tokens = tokenize(question[:start] + question[end:])
        tags = self.lexicon(cat).tag(tokens)
        finder = NameFinder(cat, tokens, tags)
        names = finder.find()
        named = {int(t.value) for t in tags if t.kind == "issuer"}
        only = cat.issuer_id(only_issuer) if only_issuer else (named.pop() if len(named) == 1 else None)
        if only_issuer and only is None:
            only = -1  # an issuer with nothing registered: nothing matches
        by_issuer(names, cat, only, cat.issuer_id(self.issuer))
        # A word inside a name typed in full is part of the name (評価 of an official 〇〇評価事業); a word
        # reaching into one is tagged again without it (〇〇実証事業|の評価).
        inside = frozenset(i for h in names.hits if h.exact or h.spelled for i in range(h.start, h.end))
        if any(i in inside for t in tags for i in range(t.start, t.end)):
            tags = self.lexicon(cat).tag(tokens, names=inside)
        quoted = tokens.quoted()
        named = quoted and any(h.kind == "project" for h in names.outside(quoted))
        written = any(t.kind == "unsupported" and t.value == "text_search" for t in tags)
        if quoted and not named and (written or _literal(quoted, tags, names)):
            # 「KPIは未達」と書かれている事業, KPIが「一人あたりの県民所得」の事業: the words in quotes are
            # looked for as written, not asked.
            tags = [t for t in tags if t.end <= quoted[0] or t.start >= quoted[1]]
            if not any(t.kind == "unsupported" and t.value == "text_search" for t in tags):
                # 「…と書かれている事業」 quoted whole: the verb of writing went with the quote, the search stays
                tags.append(Tag(quoted[0], quoted[1], "unsupported", "text_search"))
        return understand(question, tokens, tags, names), tags, only

    def ask(
        self,
        question: str,
        viewer: str | None = PUBLIC,
        only_issuer: str | None = None,
        names: Callable[[str], str] = str,
    ) -> A.Answer:
        """The answer; ``names`` shows a user id as people know the person (in an update history)."""
        question = (question or "").strip()
        if not question:
            return A.Answer(question, "not_found", f"質問が空です。{self.hint()}", kind="help")
        cat = self.cache.get()
        intent, tags, only = self.understand(question, cat, only_issuer)
        plan = P.make_plan(intent, cat)
        _relative_year(intent, plan, cat, only or cat.issuer_id(self.issuer))
        with self.db.session() as session:
            ctx = Context(session, cat, intent, cat.issuer_id(self.issuer), only, viewer)
            return with_check(intent, self._execute(ctx, plan, tags, names))

    def answer_project(
        self, project_id: int, question: str = "", fields: list[str] | None = None, viewer: str | None = PUBLIC
    ) -> A.Answer:
        """Answer for one project chosen by id (a candidate button); ``fields`` as first asked."""
        cat = self.cache.get()
        intent, _, _ = self.understand(question or "", cat)
        chosen = [Field(f) for f in fields] if fields is not None else list(intent.fields)
        entry = next((p for p in cat.projects if p.id == project_id), None)
        with self.db.session() as session:
            ctx = Context(session, cat, intent, viewer=viewer)
            if entry is None:
                return A.Answer(question, "not_found", "その事業は見つかりませんでした。", kind="lookup")
            return project_answer(ctx, entry, chosen)

    def _execute(self, ctx: Context, plan: P.Plan, tags: list[Tag], names: Callable[[str], str] = str) -> A.Answer:
        cat = ctx.cat
        match plan:
            case P.NoData():
                body = "事業が登録されていません。kensho import でデータを取り込んでください。"
                return A.Answer(ctx.q, "not_found", body)
            case P.Help():
                body = f"ご質問の対象が分かりませんでした。{hint(cat, ctx.only_issuer or ctx.default_issuer)}"
                return A.Answer(ctx.q, "not_found", body, kind="help")
            case P.Unsupported(reason=reason, typed=typed):
                held = reason not in P.NOT_HELD
                return unsupported_answer(ctx, typed, P.UNSUPPORTED_WORDS.get(reason, ""), held)
            case P.NotFound(typed=typed, suggestions=suggestions):
                return not_found_answer(ctx, list(typed), [cat.projects[i] for i in suggestions])
            case P.Ambiguous(projects=projects):
                return ambiguous_answer(ctx, [cat.projects[i] for i in projects])
            case P.Lookup(projects=projects, fields=fields):
                entries = [cat.projects[i] for i in projects]
                if len(entries) == 1:
                    return project_answer(ctx, entries[0], list(fields))
                return projects_answer(ctx, entries, list(fields))
            case P.Compare(projects=projects, field=column):
                return compare_answer(ctx, [cat.projects[i] for i in projects], column)
            case P.Total(projects=projects, field=column):
                return total_answer(ctx, [cat.projects[i] for i in projects], column)
            case P.PerDonation(projects=projects):
                return per_donation_answer(ctx, [cat.projects[i] for i in projects])
            case P.FieldDifference(project=index, first=first, second=second):
                return field_difference_answer(ctx, cat.projects[index], first, second)
            case P.Trend(project=index, fields=fields):
                return trend_answer(ctx, cat.projects[index], list(fields))
            case P.Years(project=index):
                return years_answer(ctx, cat.projects[index])
            case P.History(project=index):
                return self._history(ctx, index, names)
            case P.Scope():
                return scope_answer(ctx, plan)
            case P.NotTheirs(project=index, departments=named):
                return not_theirs_answer(ctx, cat.projects[index], [cat.departments[i].name for i in named])
            case P.TextList(phrase=phrase, typed=typed):
                return text_list_answer(ctx, phrase, typed)
            case P.ByText():
                return by_text_answer(ctx, plan, tags, lambda again: self._execute(ctx, again, tags, names))
        raise AssertionError(plan)

    def _history(self, ctx: Context, index: int, names: Callable[[str], str]) -> A.Answer:
        entry = ctx.cat.projects[index]
        name, lines = history(self.db, entry.id, names=names)
        body = f"{name}の更新履歴（新しい順）\n" + (
            "\n".join(f"・{line}" for line in lines) or "更新履歴はありません。"
        )
        return A.Answer(
            ctx.q,
            "answered",
            body,
            projects=[name],
            project_ids=[entry.id],
            title=f"{name}の更新履歴",
            kind="history",
        )


def _without_quotes(question: str) -> str:
    """The question without what it quotes as said (「…ではないか」, 『…』, nested ones with them) and
    the と/という/との that reports it; a word in quotes (今後の方針が「終了」の事業) stays."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(question):
        c = question[i]
        if c in "「『":
            if depth == 0:
                start = i
            depth += 1
        elif c in "」』" and depth:
            depth -= 1
            if depth == 0:
                said = tokenize(question[start + 1 : i]).tokens
                if not any(t.predicate or t.pos == "助動詞" for t in said):
                    out.append(question[start : i + 1])  # a term, not something said
                else:
                    for tail in ("という", "との", "と"):
                        if question.startswith(tail, i + 1):
                            i += len(tail)
                            break
        elif depth == 0:
            out.append(c)
        i += 1
    return "".join(out)


def _literal(quoted: tuple[int, int], tags: list[Tag], names: Names) -> bool:
    """Words in quotes that are no name and no one word kensho knows (「終了」, 「寄附額」), but hold
    words it does (「一人あたりの県民所得」), none of them a field: a passage of the texts, quoted."""
    a, b = quoted
    if any(h.start < b and h.end > a for h in names.hits):
        return False
    inside = [t for t in tags if a <= t.start and t.end <= b]
    if any(t.kind == "field" and t.start < b and t.end > a for t in tags):
        return False  # 「事業費が一番かかっている事業はどれか」とのこと: a question passed on, asked
    return bool(inside) and not any((t.start, t.end) == quoted for t in inside)


def _relative_year(intent: Intent, plan: P.Plan, cat: Catalogue, issuer: int | None) -> None:
    """昨年度 / 前年度 with no year named: the year before the latest on record of the issuer the plan
    is about (a comparison with the year before, 前年度と比べて, needs no year of its own); 今年度: that
    latest year itself, also for a project with no record in it (最新 is each project's latest)."""
    relative = intent.previous_year or intent.current_year
    if not relative or intent.year is not None or isinstance(plan, P.Trend):
        return
    if isinstance(plan, P.Scope) and plan.trend:
        return
    first = next(iter(getattr(plan, "projects", ()) or ()), getattr(plan, "project", None))
    if isinstance(first, int):
        issuer = cat.projects[first].issuer_id
    elif isinstance(plan, P.Scope) and plan.issuer is not None:
        issuer = plan.issuer
    years = cat.years_by_issuer.get(issuer, []) if issuer is not None else []
    if years and intent.current_year:
        intent.year = years[-1]
    elif years:
        intent.relative_from = years[-1]
        intent.year = years[-1] - 1
