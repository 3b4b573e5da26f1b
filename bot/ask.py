"""Answering a question: intent, name matching, an honest decision, then the answer.

Decision rule (measured on tests/questions.jsonl, the dev questions and bench/match_bench.py):
each mention is looked up among project, department and goal names, also without the issuer's
name in front and without generic words at the end (事業, 制度, 課 …). A name is *strong* when one
of its forms accounts for everything meaningful the user typed (``bot.match.explain``: no kanji
left over unless a homophone, at most one stray kana in a longer mention) and either scores at
least ACCEPT or is a whole, contiguous part of the name at least PART_MIN characters long
(環境学習, 自転車対策). Strong names are ranked by the mention as typed; the best answers when no
other project comes within MARGIN, otherwise the answer is ``ambiguous`` with candidates. A
mention that no name accounts for is looked up in what the projects are (name, 事業内容, KPI);
failing that nothing is answered (``not_found``) and the closest names are offered as
「もしかして」. A longer unknown name is never answered with the figures of a shorter known one:
医療機関支援基金 is not 医療機関応援金.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot import answer as A
from bot import citation
from bot.catalogue import (
    DEPARTMENT_SUFFIXES,
    GENERIC_SUFFIXES,
    Catalogue,
    CatalogueCache,
    ProjectEntry,
    issuer_prefixes,
)
from bot.intent import Intent, parse
from bot.match import QUERY_WEIGHT, FormIndex, is_kanji
from bot.normalize import fold
from bot.reading import compound_words, compounds, reading, verbs
from store import queries, values
from store.db import Database
from store.models import Issuer, Record
from store.people import department_ids_of, is_admin, may_update
from store.provenance import as_public
from store.readmodel import RecordView

log = logging.getLogger(__name__)

ACCEPT = 0.8
MARGIN = 0.06
SUGGEST = 0.55
PART_MIN = 3  # characters (matching key) of a mention that is a whole part of one name
EXPLAIN_FLOOR = QUERY_WEIGHT - 0.01  # a form accounting for every character scores at least this
MAX_QUESTION = 500
THING_LIMIT = 50  # names holding the words around a thing (自転車 of 自転車ヘルメット) for a search by it
LIST_LIMIT = 30
AMOUNT_FIELDS = ("donation_amount", "project_cost", "donation_count")
KIND_ORDER = {"project": 0, "department": 1, "goal": 2}
# Generic words a mention may end with that the name lacks (健康ポイント事業, 健康長寿課).
SUFFIXES: dict[str, tuple[str, ...]] = {"project": GENERIC_SUFFIXES, "department": DEPARTMENT_SUFFIXES, "goal": ()}
CONTENT_SUFFIXES = ("事業", "プロジェクト")
# Words that say nothing about which project is meant, left out of a content search.
CONTENT_STOP = frozenset(fold(w) for w in ("事業", "制度", "取組", "取り組み", "もの", "こと", "県", "本県", "全体"))
# fmt: off
GENERIC_VERBS = frozenset((
    "使う", "行う", "遣る", "やる", "為る", "進める", "取り組む", "扱う", "関わる", "関する",
    "対する", "向ける", "係る", "出来る", "有る", "居る", "成る", "言う", "思う", "教える",
    "知る", "見る", "分かる", "聞く", "調べる", "探す", "良い", "無い", "多い", "少ない",
))
# fmt: on
_CONJUNCTIONS = re.compile(r"と|及び|および|や|、|,|&|＆")

HELP_HINT = (
    "事業名と知りたい項目を書いてください。例：「ぐんま健康ポイントの寄附額は？」「寄附額の合計は？」"
    "「労働政策課の事業は？」「終了する事業は？」"
)


@dataclass
class Hit:
    kind: str  # project | department | goal
    index: int
    score: float
    explained: bool = False
    strong: bool = False


@dataclass
class Resolved:
    """What one mention names: projects (one, or several when ambiguous), departments or a goal."""

    projects: list[int] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)
    goal: int | None = None

    @property
    def ambiguous(self) -> bool:
        return len(self.projects) > 1


ADMINISTRATOR: None = None  # ``viewer`` of the command line: sees drafts, like the planning office
PUBLIC = ""  # ``viewer`` of someone with no department: sees only submitted or imported values


class Asker:
    """Answers questions against one database; safe to share between threads.

    ``issuer`` is the deployment's own issuer (KENSHO_ISSUER, default 群馬県): questions that name no
    issuer are about its projects; a project name unique across issuers still finds its issuer.
    ``viewer`` of ``ask`` is the asking Slack user id: 下書き values are shown only to the project's
    department and administrators; ``PUBLIC`` (the default) sees the last submitted or imported
    values, ``ADMINISTRATOR`` (None: the command line) sees drafts too.
    ``only_issuer`` restricts names and totals to one issuer (「山河県の…」 recognised by the caller)."""

    def __init__(self, db: Database, issuer: str | None = None) -> None:
        self.db = db
        self.cache = CatalogueCache(db)
        self.issuer = issuer or _configured_issuer()

    def ask(self, question: str, viewer: str | None = PUBLIC, only_issuer: str | None = None) -> A.Answer:
        question = (question or "").strip()
        if not question:
            return A.Answer(question, "not_found", f"質問が空です。{HELP_HINT}", kind="help")
        catalogue = self.cache.get()
        intent = parse(question[:MAX_QUESTION], catalogue.policy_labels)
        with self.db.session() as session:
            return self._answering(session, catalogue, intent, viewer, only_issuer).run()

    def answer_project(
        self, project_id: int, question: str = "", fields: list[str] | None = None, viewer: str | None = PUBLIC
    ) -> A.Answer:
        """Answer for one project chosen by id (a candidate button); ``fields`` as first asked."""
        catalogue = self.cache.get()
        intent = parse(question[:MAX_QUESTION], catalogue.policy_labels) if question else Intent("", "")
        with self.db.session() as session:
            if fields is not None:
                intent.fields = fields
            entry = next((p for p in catalogue.projects if p.id == project_id), None)
            if entry is None:
                return A.Answer(question, "not_found", "その事業は見つかりませんでした。", kind="lookup")
            return self._answering(session, catalogue, intent, viewer, None).project_answer(entry)

    def _answering(
        self, session, catalogue: Catalogue, intent: Intent, viewer: str | None, only_issuer: str | None
    ) -> _Answering:  # type: ignore[no-untyped-def]
        only = catalogue.issuer_id(only_issuer) if only_issuer else None
        if only_issuer and only is None:
            only = -1  # an issuer with nothing registered: nothing matches
        return _Answering(session, catalogue, intent, catalogue.issuer_id(self.issuer), only, viewer)


def _configured_issuer() -> str:
    from bot.settings import configured_issuer

    return configured_issuer()


class _Answering:
    def __init__(  # type: ignore[no-untyped-def]
        self,
        session,
        catalogue: Catalogue,
        intent: Intent,
        default_issuer: int | None = None,
        only_issuer: int | None = None,
        viewer: str | None = ADMINISTRATOR,
    ) -> None:
        self.session = session
        self.cat = catalogue
        self.intent = intent
        self.q = intent.question
        self.suggestions: dict[int, float] = {}  # project index -> best score, for 「もしかして」
        self.default_issuer = default_issuer
        self.only_issuer = only_issuer
        self.viewer = viewer

    # --- issuers and visibility ---------------------------------------------------------------
    def _issuer_of(self, kind: str, index: int) -> int:
        entity = {"project": self.cat.projects, "department": self.cat.departments, "goal": self.cat.goals}[kind]
        return entity[index].issuer_id

    def _prefer_issuer(self, projects: list[int]) -> list[int]:
        """Candidates of several issuers: those of the issuer asked about, else of the deployment's own."""
        wanted = self.only_issuer if self.only_issuer is not None else self.default_issuer
        if self.only_issuer is not None:
            return [i for i in projects if self.cat.projects[i].issuer_id == wanted]
        if len({self.cat.projects[i].issuer_id for i in projects}) < 2:
            return projects
        own = [i for i in projects if self.cat.projects[i].issuer_id == wanted]
        return own or projects

    def _draft_departments(self) -> tuple[int, ...] | None:
        """The departments whose drafts the viewer sees (None: all of them)."""
        if self.viewer is ADMINISTRATOR or (self.viewer and is_admin(self.session, self.viewer)):
            return None
        return tuple(department_ids_of(self.session, self.viewer)) if self.viewer else ()

    def _visible(self, record: RecordView) -> RecordView:
        """The record as the viewer may see it: a pending 下書き only for its department and administrators."""
        if not record.public_values or self.viewer is ADMINISTRATOR:
            return record
        if self.viewer and may_update(self.session, self.viewer, record.id):
            return record
        return as_public(record)

    # --- matching -----------------------------------------------------------------------------
    def _issuer_of_mention(self, mention: str) -> Issuer | None:
        """The issuer when the mention is only its name (群馬県の事業一覧 → every 群馬県 project)."""
        key = fold(mention)
        for issuer in self.cat.issuers.values():
            if key in {fold(p) for p in issuer_prefixes(issuer.name)}:
                return issuer
        return None

    def _variants(self, mention: str, suffixes: tuple[str, ...]) -> list[str]:
        """The mention, without the issuer's name in front, and without generic words at the end."""
        out = [mention]
        for issuer in self.cat.issuers.values():
            for prefix in issuer_prefixes(issuer.name):
                rest = _without_prefix(mention, fold(prefix))
                if rest is not None and len(rest) >= 2:
                    out.append(rest)
                    break  # the longest prefix only, as names are indexed (群馬県X → X, not 県X)
        for base in list(out):
            current = base
            while True:
                suffix = next((s for s in suffixes if current.endswith(s) and len(current) > len(s) + 1), None)
                if suffix is None:
                    break
                current = current[: -len(suffix)]
                out.append(current)
        return list(dict.fromkeys(out))

    def _hits(self, index: FormIndex, kind: str, mention: str) -> list[Hit]:
        best: dict[int, Hit] = {}
        seen: set[str] = set()
        for variant in self._variants(mention, SUFFIXES[kind]):
            key, spoken = fold(variant), reading(variant)
            if key in seen:
                continue
            seen.add(key)
            for entity, raw in index.best(key, spoken, limit=8):
                if self.only_issuer is not None and self._issuer_of(kind, entity) != self.only_issuer:
                    continue
                old = best.get(entity)
                if old is not None and old.strong:  # strong is as good as a hit gets: nothing to align
                    continue
                found = index.explain(entity, key, spoken, floor=EXPLAIN_FLOOR) if raw >= EXPLAIN_FLOOR else None
                explained = strong = False
                if found is not None and found.explained:
                    explained = True
                    strong = found.score >= ACCEPT or (found.whole and len(key) >= PART_MIN)
                if old is None or (strong, explained) > (old.strong, old.explained):
                    best[entity] = Hit(kind, entity, raw, explained, strong)
        # Rank by what was typed, not by the shortened variant that explained it: a name holding
        # all of 自転車安全対策 comes before one that holds only the peeled 自転車安全.
        typed_key, typed_reading = fold(mention), reading(mention)
        for hit in best.values():
            hit.score = index.score_of(hit.index, typed_key, typed_reading)
        return list(best.values())

    def resolve(self, mention: str) -> Resolved | None:
        """What ``mention`` names, or None when no name accounts for it."""
        exact = self._prefer_issuer(self.cat.exact_names.get(fold(mention), []))
        if len(exact) == 1:  # the official name (or an alias) as written beats every partial match
            return Resolved(projects=exact)
        hits = (
            self._hits(self.cat.project_index, "project", mention)
            + self._hits(self.cat.department_index, "department", mention)
            + self._hits(self.cat.goal_index, "goal", mention)
        )
        for h in hits:
            if h.kind == "project" and h.score >= SUGGEST:
                self.suggestions[h.index] = max(self.suggestions.get(h.index, 0.0), h.score)
        strong = sorted((h for h in hits if h.strong), key=lambda h: (-h.score, KIND_ORDER[h.kind]))
        if not strong:
            return None
        top = strong[0]
        close = [h for h in strong if h.score >= top.score - MARGIN]
        projects = self._prefer_issuer([h.index for h in close if h.kind == "project"])
        if top.kind == "project" and projects:
            return Resolved(projects=projects[:5])
        if top.kind == "department":
            return Resolved(departments=[h.index for h in close if h.kind == "department"])
        return Resolved(goal=top.index)

    def _split(self, mention: str) -> list[Resolved] | None:
        """「医療機関応援金と健康ポイント」: every part of a joined mention must name something."""
        parts = [p for p in _CONJUNCTIONS.split(mention) if p]
        if len(parts) < 2:
            return None
        found = [self.resolve(p) for p in parts]
        if any(r is None for r in found):
            return None
        return [r for r in found if r is not None]

    # --- decision ------------------------------------------------------------------------------
    def run(self) -> A.Answer:
        intent = self.intent
        if not self.cat.projects:
            return A.Answer(
                self.q, "not_found", "事業が登録されていません。kensho import でデータを取り込んでください。"
            )
        issuer: Issuer | None = None
        mentions = []
        for mention in intent.mentions:
            named = self._issuer_of_mention(mention)
            if named is not None:
                issuer = named
            else:
                mentions.append(mention)
        if intent.condition and not mentions:
            return self.unsupported_condition()
        if not mentions:
            if intent.asks_something or issuer is not None:
                return self.scope_answer(issuer or self._default_issuer(), departments=())
            return A.Answer(self.q, "not_found", f"ご質問の対象が分かりませんでした。{HELP_HINT}", kind="help")
        resolved: list[Resolved] = []
        unresolved: list[str] = []
        for mention in mentions:
            found = self.resolve(mention)
            if found is not None:
                resolved.append(found)
                continue
            parts = self._split(mention)
            if parts:
                resolved += parts
            else:
                unresolved.append(mention)
        if not resolved and intent.condition:
            return self.unsupported_condition()
        if not resolved:
            found_by_text = self.content_search(unresolved)
            if len(found_by_text) == 1:
                return self.project_answer(found_by_text[0], via_text=True)
            if 1 < len(found_by_text) <= 5:
                return self.ambiguous(found_by_text)
            return self.not_found()
        return self.decide(resolved)

    def decide(self, resolved: list[Resolved]) -> A.Answer:
        ambiguous = next((r for r in resolved if r.ambiguous), None)
        if ambiguous is not None:
            return self.ambiguous([self.cat.projects[i] for i in ambiguous.projects])
        projects = list(dict.fromkeys(i for r in resolved for i in r.projects))
        if len(projects) == 1:
            return self.project_answer(self.cat.projects[projects[0]])
        if projects:
            return self.projects_answer([self.cat.projects[i] for i in projects])
        departments = [self.cat.departments[i] for r in resolved for i in r.departments]
        goal = next((self.cat.goals[r.goal] for r in resolved if r.goal is not None), None)
        if goal is not None:
            self.intent.goal_number = goal.number
        owner = departments[0].issuer_id if departments else goal.issuer_id if goal else None
        issuer = self.cat.issuers[owner] if owner is not None else self._default_issuer()
        return self.scope_answer(issuer, departments=tuple(dict.fromkeys(d.id for d in departments)))

    def content_search(self, mentions: list[str]) -> list[ProjectEntry]:
        """``_content_search`` by whole compounds; when that finds nothing, ``_named_thing``."""
        found = self._content_search(mentions) or self._named_thing(mentions)
        if self.only_issuer is not None:
            found = [p for p in found if p.issuer_id == self.only_issuer]
        return found

    def _named_thing(self, mentions: list[str]) -> list[ProjectEntry]:
        """自転車ヘルメット, a compound found nowhere as a whole: the projects whose descriptive texts
        name the thing in katakana or Latin letters (ヘルメット) and whose name holds every other word
        (自転車). Stricter than a search by words, so that a made-up name of common words (5G推進事業,
        地域医療支援) is not taken apart into words that some project happens to use."""
        parts = [w for m in mentions for w in compound_words(m)]
        things = [fold(w) for w in parts if _name_like(w) and len(fold(w)) >= 3]
        others = [fold(w) for w in parts if not _name_like(w)]
        others = [w for w in others if w and w not in CONTENT_STOP and not any(w == fold(s) for s in CONTENT_SUFFIXES)]
        if not things or not others:
            return []
        # Names are short: look there first for the rarest-looking (longest) of the other words. A word
        # in dozens of names points to none of them (and would cost a scan of them all).
        named = self.cat.projects_named_with(max(others, key=len), limit=THING_LIMIT)
        if len(named) > THING_LIMIT:
            return []
        found: list[ProjectEntry] = []
        for i in named:
            p = self.cat.projects[i]
            name = p.text.split("|", 1)[0]
            if all(o in name for o in others) and all(t in p.text for t in things):
                found.append(p)
        return found

    def _content_search(self, mentions: list[str]) -> list[ProjectEntry]:
        """Projects described by every content word of the mentions (ヘルメット → 自転車安全対策).

        Common words must occur together in the project's name and one of its descriptive texts
        (事業内容, KPI, aliases); remarks (振り返り, 有識者意見) mention incidental things (子育て世代,
        整備) and are searched only for name-like words in katakana or Latin letters (ジョブカフェ)
        and for a phrase of several words found there as typed (若者の就職支援)."""
        stop = CONTENT_STOP | {fold(p) for i in self.cat.issuers.values() for p in issuer_prefixes(i.name)}
        common: list[str] = []
        named: list[str] = []
        for written in (w for m in mentions for w in compounds(m)):
            word = fold(written)
            for suffix in CONTENT_SUFFIXES:
                key = fold(suffix)
                if word.endswith(key) and len(word) > len(key):
                    word = word[: -len(key)]
            if not word or word in stop or (len(word) < 2 and not is_kanji(word)):
                continue
            (named if _name_like(written) and len(word) >= 3 else common).append(word)
        if not common and not named:
            return []
        # A verb of the mention must be found too: ぐんまで遊ぼう is not about every ぐんま project.
        common += [stem for m in mentions for lemma, stem in verbs(m) if lemma not in GENERIC_VERBS and stem]
        # A phrase of several words quoted as it stands in a remark is as good as a description.
        phrases = [fold(m) for m in mentions] if len(common) >= 2 else []
        found: list[ProjectEntry] = []
        words = sorted([*named, *common], key=len, reverse=True)  # the longest is the rarest, mostly
        for i in self.cat.projects_containing(words[0]):
            p = self.cat.projects[i]
            if not all(w in p.text or w in p.remarks for w in words):
                continue
            if _in_one_text(p.text, common) or any(ph in p.remarks for ph in phrases):
                found.append(p)
            else:  # every word is there, only not as a description: worth a 「もしかして」
                self.suggestions.setdefault(i, SUGGEST)
        return found

    def _default_issuer(self) -> Issuer:
        for wanted in (self.only_issuer, self.default_issuer):
            if wanted is not None and wanted in self.cat.issuers:
                return self.cat.issuers[wanted]
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
            f"どの事業のことでしょうか。次の事業が候補です。\n{listing}",
            field=self._field(),
            projects=names,
            project_ids=[e.id for e in entries],
            candidates=[A.Candidate(e.id, e.name) for e in entries],
            kind="lookup",
        )

    def unsupported_condition(self, condition: str = "") -> A.Answer:
        """「KPIが未達の事業」: a filter kensho cannot apply yet, said plainly rather than ignored."""
        condition = condition or self.intent.condition
        body = (
            f"申し訳ありません。「{condition}」のような条件での絞り込みには、まだ対応していません。\n"
            "「寄附額のランキング」「事業費が多い順に」「事業の一覧」などで全体をご確認ください。"
        )
        return A.Answer(self.q, "not_found", body, field=self._field(), kind="help")

    def not_found(self) -> A.Answer:
        mention = self.intent.mention_as_typed
        ranked = sorted(self.suggestions.items(), key=lambda kv: -kv[1])
        suggestions = [self.cat.projects[i] for i, _ in ranked[:3]]
        subject = f"「{mention}」という事業" if mention else "該当する事業"
        body = f"{subject}は、登録されている事業の中に見つかりませんでした。"
        if suggestions:
            body += "\nもしかして：" + "、".join(f"「{s.name}」" for s in suggestions) + "のことでしょうか。"
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

    def _project_fields(self) -> list[str]:
        fields = list(self.intent.fields)
        if self.intent.counting and "donation_count" not in fields:
            fields.append("donation_count")  # 健康ポイントは何件？: the donations of that project
        return fields

    def project_answer(self, entry: ProjectEntry, via_text: bool = False, note: str = "") -> A.Answer:
        intent = self.intent
        record = queries.record_for(self.session, entry.id, intent.year)
        fields = self._project_fields()
        if record is None:
            have = "、".join(values.fiscal_year_label(y) for y in entry.years) or "なし"
            year = values.fiscal_year_label(intent.year) if intent.year else ""
            return A.Answer(
                self.q,
                "not_found",
                f"{entry.name}の{year}のデータは登録されていません（登録されている年度：{have}）。",
                field=fields[0] if fields else None,
                candidates=[A.Candidate(entry.id, entry.name)],
                kind="lookup",
            )
        if via_text:
            note = f"「{intent.mention_as_typed}」に関する事業として、{entry.name}についてお答えします。\n" + note
        record = self._visible(record)
        context, cited = citation.project_line(self.session, record, fields)
        common = {
            "projects": [entry.name],
            "project_ids": [entry.id],
            "title": entry.name,
            "context": context,
            "fiscal_year": record.fiscal_year,
            "citations": cited,
            "figures": citation.figures([record], fields, cited),
        }
        if not fields:
            facts = A.summary_facts(record)
            body = note + A.summary_text(record, facts)
            return A.Answer(self.q, "answered", body, field="summary", facts=facts, kind="summary", **common)
        body = note + A.fields_text(record, fields)
        facts = [(A.FIELD_NAMES[f], A.field_value(record, f)) for f in fields]
        return A.Answer(self.q, "answered", body, field=fields[0], facts=facts, kind="lookup", **common)

    def projects_answer(self, entries: list[ProjectEntry]) -> A.Answer:
        """Several named projects at once (医療機関応援金と健康ポイントの寄附額)."""
        answers = [self.project_answer(e) for e in entries]
        found = [a for a in answers if a.status == "answered"]
        if not found:
            return answers[0]
        body = "\n\n".join(a.body for a in answers)
        fields = self._project_fields()
        return A.Answer(
            self.q,
            "answered",
            body,
            field=fields[0] if fields else "summary",
            projects=[name for a in found for name in a.projects],
            project_ids=[i for a in found for i in a.project_ids],
            facts=[fact for a in found for fact in a.facts],
            context=found[0].context,
            kind="lookup",
            fiscal_year=found[0].fiscal_year,
            citations=list({(c.kind, c.text): c for a in found for c in a.citations}.values()),
            figures=[f for a in found for f in a.figures],
        )

    def scope_answer(self, issuer: Issuer, departments: tuple[int, ...]) -> A.Answer:
        intent = self.intent
        years = self.cat.years_by_issuer.get(issuer.id, [])
        year = intent.year or (years[-1] if years else None)
        if year is None or year not in years:
            have = "、".join(values.fiscal_year_label(y) for y in years) or "なし"
            asked = values.fiscal_year_label(year) if year else "対象年度"
            return A.Answer(
                self.q,
                "not_found",
                f"{issuer.name}の{asked}のデータは登録されていません（登録されている年度：{have}）。",
                kind="aggregate" if intent.op else "list",
            )
        labels = tuple(dict.fromkeys(intent.policy_words))
        fields = [f for f in intent.fields if not (departments and f == "department")]
        threshold = self._threshold(fields)
        if intent.threshold is not None and threshold is None:
            return self.unsupported_condition(intent.threshold.written)
        scope = queries.Scope(
            issuer.id, year, departments, intent.goal_number, labels, threshold, self._draft_departments()
        )
        title = self._scope_title(scope)
        context, cited = citation.scope_line(self.session, issuer, scope, [], [])
        # The figure shown: the amount asked for, other than the one the threshold is on if two are named
        # (寄附件数が2件以上の事業の寄附額の合計: the sum of the amounts).
        amounts = [f for f in fields if f in AMOUNT_FIELDS]
        column = next((f for f in amounts if threshold is None or f != threshold[0]), amounts[0] if amounts else None)
        if intent.op in {"sum", "avg", "max", "min", "rank"} and not (intent.counting and intent.op == "sum"):
            answer = self._aggregate(scope, title, context, column or "donation_amount")
            answer.citations = cited
            return answer
        records = [self._visible(r) for r in queries.records_in(self.session, scope, limit=LIST_LIMIT)]
        total = queries.count_in(self.session, scope)
        field_name = fields[0] if fields else None
        if field_name:
            context, cited = citation.scope_line(self.session, issuer, scope, records, [field_name])
        if total == 1 and departments and fields and not intent.counting:
            # 労働政策課の寄附額: a department with one project answers for that project.
            entry = next(p for p in self.cat.projects if p.id == records[0].project_id)
            note = f"{title}は「{entry.name}」の1件です。\n"
            self.intent.fields = fields
            return self.project_answer(entry, note=note)
        if total == 0:
            return A.Answer(
                self.q,
                "answered",
                f"{title}はありません。",
                field=field_name,
                context=context,
                kind="list",
                fiscal_year=year,
                citations=cited,
            )
        lines = [f"・{r.project.name}" + (f"：{self._short(r, field_name)}" if field_name else "") for r in records]
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
            field=field_name,
            projects=[r.project.name for r in records],
            project_ids=[r.project_id for r in records],
            title=title,
            context=context,
            kind="list",
            fiscal_year=year,
            citations=cited,
        )

    def _short(self, record: Record, field_name: str) -> str:
        text = A.field_value(record, field_name).replace("\n", " ")
        return text if len(text) <= 80 else text[:79] + "…"

    def _threshold(self, fields: list[str]) -> tuple[str, str, int | float] | None:
        """The question's threshold as (column, comparator, value in the column's unit), or None when
        there is none or it names no amount (3件以上 is the donations; 1000万円 the amount asked, else the
        donations)."""
        asked = self.intent.threshold
        if asked is None:
            return None
        amounts = [f for f in fields if f in AMOUNT_FIELDS]
        if asked.unit == "件":
            return ("donation_count", asked.comparator, asked.value)
        money = [f for f in amounts if f != "donation_count"]
        column = money[0] if money else ("donation_amount" if asked.unit == "円" else None)
        if column is None:
            return None
        # Stored in 千円: yen when 円 or 万/億 was written (1000万円, 1億), else the sheet's 千円 as typed.
        value = asked.value / 1000 if asked.unit == "円" or asked.scaled else asked.value
        # Bound as a number the column can be compared with on any backend (500円 is 0.5千円).
        return (column, asked.comparator, int(value) if value == value.to_integral_value() else float(value))

    def _scope_title(self, scope: queries.Scope) -> str:
        parts = []
        if scope.department_ids:
            names = [d.name for d in self.cat.departments if d.id in scope.department_ids]
            parts.append("・".join(names))
        if scope.goal_number is not None:
            goal = next((g for g in self.cat.goals if g.number == scope.goal_number), None)
            number, _, title = (goal.label if goal else f"基本目標{scope.goal_number}").partition("：")
            parts.append(f"{number}「{title}」" if title else number)
        if scope.policy_labels:
            parts.append("今後の方針が「" + "・".join(scope.policy_labels) + "」")
        if scope.threshold is not None and self.intent.threshold is not None:
            parts.append(f"{A.FIELD_NAMES[scope.threshold[0]]}が{self.intent.threshold.written}")
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
            shown = A.average_count(average) if column == "donation_count" else A.average_amount(average)
            body = f"{title}（{n:,}件）の{label}の平均は{shown}です。"
            return A.Answer(self.q, "answered", body, title=title, **common)
        if op in {"max", "min"}:
            records = queries.extreme_ties(self.session, scope, column, descending=op == "max")
            word = "最も" + _order_word(column, ascending=op == "min")
            value = fmt(getattr(records[0], column))
            names = [r.project.name for r in records]
            if len(records) == 1:
                body = f"{title}のうち、{label}が{word}のは「{names[0]}」で、{value}です。"
            else:
                listing = "\n".join(f"・{n}" for n in names[:LIST_LIMIT])
                body = f"{title}のうち、{label}が{word}のは次の{len(names)}事業で、いずれも{value}です。\n{listing}"
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
        ascending = any(w in self.intent.text for w in ("少な", "小さ", "低い", "安い", "昇順"))
        nth = self.intent.nth
        if nth:
            records = queries.ranked(self.session, scope, column, descending=not ascending, limit=nth)
            if len(records) < nth:
                body = f"{title}で{label}のデータがあるのは{len(records)}件のため、{nth}番目はありません。"
                return A.Answer(self.q, "answered", body, title=title, **common)
            hit = records[-1]
            word = _order_word(column, ascending)
            value = fmt(getattr(hit, column))
            body = f"{title}のうち、{label}が{nth}番目に{word}のは「{hit.project.name}」で、{value}です。"
            return A.Answer(
                self.q,
                "answered",
                body,
                projects=[hit.project.name],
                project_ids=[hit.project_id],
                title=title,
                **common,
            )
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


def _name_like(written: str) -> bool:
    """A word in katakana or Latin letters, without kanji: the name of a thing (ヘルメット, ジョブカフェ)."""
    return not any(is_kanji(c) for c in written) and any(c.isascii() or "ァ" <= c <= "ヺ" for c in written)


def _in_one_text(text: str, words: list[str]) -> bool:
    """Whether the words occur together in the project's name and one of its texts (not spread
    over the 事業内容 of one topic and the 有識者意見 of another)."""
    if not words:
        return True
    name, *texts = text.split("|")
    return any(all(w in name or w in t for w in words) for t in texts or [""])


def _without_prefix(text: str, prefix_key: str) -> str | None:
    """``text`` without a leading ``prefix_key`` (a matching key: グンマケン matches ぐんまけん)."""
    if not prefix_key or not fold(text).startswith(prefix_key):
        return None
    for end in range(1, len(text) + 1):
        if fold(text[:end]) == prefix_key:
            return text[end:]
    return None


def _order_word(column: str, ascending: bool) -> str:
    """多い/少ない for donations, 大きい/小さい for a project's cost."""
    if column == "project_cost":
        return "小さい" if ascending else "大きい"
    return "少ない" if ascending else "多い"
