"""The in-memory name index: every project, department and goal under all its name forms.

Built once per catalogue version (``catalogue_version`` in the database) and shared by all
questions; rebuilt when an import or an edit changes names. Record figures are not cached here:
answers read them from the database, so they are always current.
"""

from __future__ import annotations

import gc
import re
import threading
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from bot.match import Form, FormIndex
from bot.normalize import fold_text
from bot.reading import read, reading
from store.db import Database
from store.models import CatalogueVersion, Department, Goal, Issuer, Kpi, PolicyOption, Project, Record
from store.records import TEXTS_ROW, catalogue_version, current_versions

# Generic words peeled off the end of names, one at a time, keeping every intermediate form.
GENERIC_SUFFIXES = (
    "モデル事業",
    "事業",
    "制度",
    "推進",
    "促進",
    "対策",
    "プロジェクト",
    "キャンペーン",
)
DEPARTMENT_SUFFIXES = ("課", "室", "局")
_BRACKETS = re.compile(r"[（(「『【]([^）)」』】]*)[）)」』】]")
_SEPARATORS = re.compile(r"[！!？?・／/\s　]+")


def issuer_prefixes(issuer: str) -> list[str]:
    """群馬県 -> 群馬県, 群馬, ぐんま (+ の): prefixes a name may carry that users leave out."""
    short = re.sub(r"[都道府県市町村]$", "", issuer)
    prefixes = {p + suffix for p in (issuer, short, reading(issuer), reading(short)) if p for suffix in ("の", "")}
    # A bare 県 is the start of words (県民, 県央, 県立): only 県の and 本県 stand for the issuer.
    prefixes |= {"県の", "本県", "本県の"}
    return sorted(prefixes, key=len, reverse=True)


def name_forms(name: str, suffixes: tuple[str, ...], prefixes: list[str]) -> list[str]:
    """Official name, name without brackets, text in brackets, parts around ！・, minus generic words."""
    bases = [name, _BRACKETS.sub("", name), *(m for m in _BRACKETS.findall(name))]
    parts = [p for b in list(bases) for p in _SEPARATORS.split(b) if len(p) >= 2]
    if len(parts) > 1:
        bases += parts
    # str.startswith/endswith with a tuple test all prefixes/suffixes in one C call: most bases
    # carry none, and the loops below only pick the first that applies (in the given order).
    any_prefix = tuple(prefixes)
    forms: list[str] = []
    # A name without brackets or separators is its own base four times over: its forms once will
    # do (the duplicates' forms would only be dropped by the dict.fromkeys below).
    for base in dict.fromkeys(bases):
        stems = [base]
        if base.startswith(any_prefix):
            for prefix in prefixes:
                if base.startswith(prefix) and len(base) - len(prefix) >= 2:
                    stems.append(base[len(prefix) :])
                    break
        for stem in stems:
            current = stem
            forms.append(current)
            while current.endswith(suffixes):
                for suffix in suffixes:
                    if current.endswith(suffix) and len(current) - len(suffix) >= 2:
                        current = current[: -len(suffix)]
                        forms.append(current)
                        break
                else:
                    break  # only suffixes that would leave fewer than two characters
    return list(dict.fromkeys(f for f in forms if f))


@dataclass
class ProjectEntry:
    id: int
    name: str
    issuer_id: int
    aliases: list[str]
    years: list[int] = field(default_factory=list)
    department_id: int | None = None  # in the latest year
    goal_number: int | None = None
    # Matching keys for content search, "|"-separated, of the latest year: what the project is
    # (name, 事業内容, KPI, aliases) and what was said about it (振り返り, 有識者意見, 方針の理由).
    text: str = ""
    remarks: str = ""
    kpis: str = ""  # matching keys of the latest year's KPI names, "|"-separated
    # The same texts of the years before (事業内容, KPI, 振り返り, 有識者意見): a project described by
    # what it did then (シルバー人材センターと連携した事業) is found, and text searches cover every year.
    earlier: str = ""

    @property
    def texts(self) -> list[str]:
        """Every text of the project that describes it, of every year: name, 事業内容, KPI, aliases."""
        return [*self.text.split("|"), *self.earlier.split("|")]


@dataclass
class DepartmentEntry:
    id: int
    name: str
    issuer_id: int


@dataclass
class GoalEntry:
    issuer_id: int
    number: int
    label: str


class Catalogue:
    """Entities with their form indexes."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.texts_version = 0  # record texts as of this version of catalogue_version row 2
        self.examples: dict[int | None, tuple[str, ...]] = {}  # bot.examples, by issuer
        self.texts_seen: Any = None  # the latest Record.updated_at whose texts are in memory
        self.projects: list[ProjectEntry] = []
        self.exact_names: dict[str, list[int]] = {}  # folded official name or alias -> projects
        self.departments: list[DepartmentEntry] = []
        self.goals: list[GoalEntry] = []
        self.issuers: dict[int, Issuer] = {}
        self.policy_labels: list[str] = []  # 今後の方針 choices of every issuer (継続, 終了 …)
        self.policy_aliases: list[tuple[str, str]] = []  # (other word, label): 発展 for 拡充
        self.project_index = FormIndex([])
        self.department_index = FormIndex([])
        self.goal_index = FormIndex([])
        self.projects_by_department: dict[int, list[int]] = defaultdict(list)
        self.years_by_issuer: dict[int, list[int]] = {}  # fiscal years on record, ascending
        self._texts = TextIndex([])  # name and texts (``text``, ``remarks``) of each project
        self._kpi_texts: TextIndex | None = None  # KPI names of each project, の aside, on first use
        self._names = TextIndex([])  # matching key of each project's official name

    def issuer_id(self, name: str | None) -> int | None:
        """The id of the issuer called ``name`` (as registered), or None."""
        return next((i.id for i in self.issuers.values() if i.name == name), None) if name else None

    def issuer_names(self) -> list[str]:
        """Every registered issuer's name, in registration order (for 「山河県の…」 in questions)."""
        return [i.name for i in sorted(self.issuers.values(), key=lambda i: i.id)]

    def projects_of(self, issuer_id: int) -> list[int]:
        """Indexes (into ``projects``) of one issuer's projects."""
        return [i for i, p in enumerate(self.projects) if p.issuer_id == issuer_id]

    def projects_containing(self, word: str) -> list[int]:
        """Indexes of the projects whose name or texts (``text``, ``remarks``) contain ``word``."""
        return self._texts.containing(word)

    def projects_with_kpi(self, word: str, limit: int | None = None) -> list[int]:
        """Indexes of the projects whose latest KPI names (の aside) contain ``word`` (の aside); built on
        first use, and again when the texts are (``_index_texts``)."""
        if self._kpi_texts is None:
            self._kpi_texts = TextIndex([p.kpis.replace("の", "") for p in self.projects])
        return self._kpi_texts.containing(word.replace("の", ""), limit)

    def projects_named_with(self, word: str, limit: int | None = None) -> list[int]:
        """Indexes of the projects whose official name (matching key) contains ``word``; with ``limit``,
        at most ``limit + 1`` of them (enough to tell that there are more)."""
        return self._names.containing(word, limit)

    @classmethod
    def load(cls, db: Database) -> Catalogue:
        with _collector_paused():
            return cls._load(db)

    @classmethod
    def _load(cls, db: Database) -> Catalogue:
        # Memos for this load only: name forms recur (健康ポイント is a form of every 〇〇健康ポイント事業),
        # and so do KPI names and stock remarks. The cached ``fold``/``reading`` are left to
        # questions: 250,000 forms of a 100,000-project catalogue would push the questions' entries
        # out and stay in memory after the build.
        fold_once = lru_cache(maxsize=None)(fold_text)
        read_once = lru_cache(maxsize=None)(read)
        with db.session() as session:
            catalogue = cls(catalogue_version(session))
            texts = session.get(CatalogueVersion, TEXTS_ROW)
            catalogue.texts_version = texts.version if texts else 0
            catalogue.texts_seen = session.scalar(select(func.max(Record.updated_at)))
            catalogue.issuers = {i.id: i for i in session.scalars(select(Issuer))}
            options = session.execute(select(PolicyOption.label, PolicyOption.aliases)).all()
            catalogue.policy_labels = sorted({label for label, _ in options})
            catalogue.policy_aliases = sorted({(a, label) for label, aliases in options for a in aliases or ()})
            prefixes = {iid: issuer_prefixes(i.name) for iid, i in catalogue.issuers.items()}
            # The bulk reads go through the session's connection (Core rows, no ORM loading); the
            # projects are put in order here, which costs less than SQLite's temporary B-tree.
            connection = session.connection()
            projects = connection.execute(
                select(Project.id, Project.name, Project.issuer_id, Project.aliases, Project.sort_order)
            ).all()
            projects.sort(key=lambda p: (p.issuer_id, p.sort_order, p.id))
            entries: dict[int, ProjectEntry] = {}
            for pid, name, issuer_id, aliases, _ in projects:
                entries[pid] = ProjectEntry(pid, name, issuer_id, list(aliases or []))
            del projects
            kpi_names: dict[int, list[str]] = defaultdict(list)
            for record_id, kpi_name in connection.execute(select(Kpi.record_id, Kpi.name)):
                kpi_names[record_id].append(kpi_name)
            goals = session.scalars(select(Goal).order_by(Goal.issuer_id, Goal.number, Goal.fiscal_year)).all()
            goal_numbers = {g.id: g.number for g in goals}
            # Goals are per fiscal year; the name index knows each (issuer, number) once, by its latest title.
            goals = list({(g.issuer_id, g.number): g for g in goals}.values())
            rows = connection.execute(
                select(
                    Record.id,
                    Record.project_id,
                    Record.fiscal_year,
                    Record.department_id,
                    Record.goal_id,
                    Record.result,
                    Record.reflection,
                    Record.expert_opinion,
                    Record.policy_reason,
                    Record.public_values,
                ).order_by(Record.project_id, Record.fiscal_year)
            )
            # Only the latest year's record describes the project (department, goal, texts): keep the
            # last row of each project and fold the texts of that one alone, not those of every year.
            latest: dict[int, Row[Any]] = {}
            earlier: dict[int, list[str]] = defaultdict(list)
            for row in rows:
                entries[row.project_id].years.append(row.fiscal_year)
                before = latest.get(row.project_id)
                if before is not None:
                    earlier[row.project_id] += _record_texts(before, kpi_names.get(before.id, []))
                latest[row.project_id] = row
            for pid, texts in earlier.items():
                entries[pid].earlier = "|".join(fold_once(t) for t in texts if t)
            del earlier
            for pid, (rid, _, _, dept, goal, result, reflection, opinion, reason, public) in latest.items():
                if public:  # a pending 下書き is not searchable: its texts are not public yet
                    result, reflection, reason = public["result"], public["reflection"], public["policy_reason"]
                remarks = (reflection, opinion, reason)
                entry = entries[pid]
                entry.department_id, entry.goal_number = dept, goal_numbers.get(goal) if goal else None
                # One key per text, kept apart so that a word never spans two fields.
                described = [entry.name, result, *kpi_names.get(rid, []), *entry.aliases]
                entry.text = "|".join(fold_once(t) for t in described if t)
                entry.remarks = "|".join(fold_once(t) for t in remarks if t)
                entry.kpis = "|".join(fold_once(t) for t in kpi_names.get(rid, []) if t)
            del latest, kpi_names  # the texts as stored: not needed while the indexes are built
            catalogue.projects = list(entries.values())
            departments = session.scalars(select(Department)).all()
            catalogue.departments = [DepartmentEntry(d.id, d.name, d.issuer_id) for d in departments]
            dept_aliases = {d.id: list(d.aliases or []) for d in departments}
            catalogue.goals = [GoalEntry(g.issuer_id, g.number, g.label) for g in goals]
        for i, p in enumerate(catalogue.projects):
            if p.department_id is not None:
                catalogue.projects_by_department[p.department_id].append(i)
        years: dict[int, set[int]] = defaultdict(set)
        for p in catalogue.projects:
            years[p.issuer_id].update(p.years)
        catalogue.years_by_issuer = {issuer: sorted(ys) for issuer, ys in years.items()}
        catalogue._index_texts()
        for i, p in enumerate(catalogue.projects):
            for name in dict.fromkeys(fold_once(n) for n in [p.name, *p.aliases]):
                catalogue.exact_names.setdefault(name, []).append(i)
        project_forms = _forms(
            (
                (i, name_forms(n, GENERIC_SUFFIXES, prefixes.get(p.issuer_id, [])))
                for i, p in enumerate(catalogue.projects)
                for n in [p.name, *p.aliases]
            ),
            fold_once,
            read_once,
        )
        department_forms = _forms(
            (
                (i, name_forms(n, DEPARTMENT_SUFFIXES, []))
                for i, d in enumerate(catalogue.departments)
                for n in [d.name, *dept_aliases.get(d.id, [])]
            ),
            fold_once,
            read_once,
        )
        goal_forms = _forms(
            ((i, [g.label, g.label.split("：")[-1], f"基本目標{g.number}"]) for i, g in enumerate(catalogue.goals)),
            fold_once,
            read_once,
        )
        del fold_once, read_once  # free the memos before the bigram postings need memory (the peak)
        catalogue.project_index = FormIndex(project_forms)
        catalogue.department_index = FormIndex(department_forms)
        catalogue.goal_index = FormIndex(goal_forms)
        return catalogue

    def _index_texts(self) -> None:
        self._texts = TextIndex([f"{p.text}|{p.remarks}|{p.earlier}" for p in self.projects])
        self._kpi_texts = None
        self._names = TextIndex([p.text.split("|", 1)[0] for p in self.projects])

    def refresh_texts(self, db: Database) -> None:
        """Take in the texts of records saved since the catalogue was built (a self-evaluation), without
        rebuilding the name index: names, departments, goals and years do not change by a save."""
        by_id = {p.id: p for p in self.projects}
        with db.session() as session:
            texts = session.get(CatalogueVersion, TEXTS_ROW)
            version = texts.version if texts else 0
            stmt = select(
                Record.id,
                Record.project_id,
                Record.fiscal_year,
                Record.result,
                Record.updated_at,
                Record.reflection,
                Record.expert_opinion,
                Record.policy_reason,
                Record.public_values,
            )
            if self.texts_seen is not None:
                stmt = stmt.where(Record.updated_at >= self.texts_seen)  # ties are taken in again, harmlessly
            rows = session.execute(stmt).all()
            kpi_names = _kpi_names(session, [r.id for r in rows])
            # A record of a year before the latest: that project's earlier texts are read again.
            older = {
                r.project_id for r in rows if r.project_id in by_id and r.fiscal_year != _latest(by_id[r.project_id])
            }
            for pid, text in _earlier_texts(session, older, by_id).items():
                by_id[pid].earlier = text
        for rid, pid, year, result, updated, reflection, opinion, reason, public in rows:
            if self.texts_seen is None or updated > self.texts_seen:
                self.texts_seen = updated
            entry = by_id.get(pid)
            if entry is None or not entry.years or year != entry.years[-1]:
                continue  # the latest year's record describes a project; the others are its earlier texts
            if public:  # a pending 下書き is not searchable: its texts are not public yet
                result, reflection, reason = public["result"], public["reflection"], public["policy_reason"]
            remarks = (reflection, opinion, reason)
            described = [entry.name, result, *kpi_names.get(rid, []), *entry.aliases]
            entry.text = "|".join(fold_text(t) for t in described if t)
            entry.remarks = "|".join(fold_text(t) for t in remarks if t)
            entry.kpis = "|".join(fold_text(t) for t in kpi_names.get(rid, []) if t)
        self._index_texts()
        self.texts_version = version


def _latest(entry: ProjectEntry) -> int | None:
    return entry.years[-1] if entry.years else None


def _kpi_names(session: Session, record_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        for record_id, name in session.execute(select(Kpi.record_id, Kpi.name).where(Kpi.record_id.in_(chunk))):
            names[record_id].append(name)
    return names


def _earlier_texts(session: Session, projects: set[int], by_id: dict[int, ProjectEntry]) -> dict[int, str]:
    """The folded texts of the years before each project's latest, read again (one was saved)."""
    if not projects:
        return {}
    rows = session.execute(
        select(
            Record.id,
            Record.project_id,
            Record.fiscal_year,
            Record.result,
            Record.reflection,
            Record.expert_opinion,
            Record.policy_reason,
            Record.public_values,
        )
        .where(Record.project_id.in_(sorted(projects)))
        .order_by(Record.project_id, Record.fiscal_year)
    ).all()
    rows = [r for r in rows if r.fiscal_year != _latest(by_id[r.project_id])]
    kpis = _kpi_names(session, [r.id for r in rows])
    texts: dict[int, list[str]] = {pid: [] for pid in projects}
    for row in rows:
        texts[row.project_id] += _record_texts(row, kpis.get(row.id, []))
    return {pid: "|".join(fold_text(t) for t in ts if t) for pid, ts in texts.items()}


def _record_texts(row: Row[Any], kpis: list[str]) -> list[str]:
    """A record's texts as the public sees them (a pending 下書き's are not public yet), KPI names too."""
    result, reflection, reason = row.result, row.reflection, row.policy_reason
    if row.public_values:
        public = row.public_values
        result, reflection, reason = public["result"], public["reflection"], public["policy_reason"]
    return [result, *kpis, reflection, row.expert_opinion, reason]


def issuer_names(session: Session) -> list[str]:
    """Every registered issuer's name, in registration order."""
    return list(session.scalars(select(Issuer.name).order_by(Issuer.id)))


class TextIndex:
    """One text per project in one string, so that a word is found with str.find, not a loop."""

    def __init__(self, texts: list[str]) -> None:
        self._corpus = "".join(f"{t}\x00" for t in texts)
        self._starts = list(accumulate((len(t) + 1 for t in texts), initial=0))[: len(texts)]

    def containing(self, word: str, limit: int | None = None) -> list[int]:
        """Indexes of the texts containing ``word``, ascending; at most ``limit + 1`` with a limit."""
        found: list[int] = []
        at = self._corpus.find(word) if word else -1
        while at >= 0 and (limit is None or len(found) <= limit):
            i = bisect_right(self._starts, at) - 1
            found.append(i)
            at = self._corpus.find(word, self._starts[i + 1] if i + 1 < len(self._starts) else len(self._corpus))
        return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (process-wide) while a catalogue is built.

    A build allocates several objects per name form (24,000 forms at 10,000 projects) that live as
    long as the catalogue and make no reference cycles: the collector would walk them again and
    again for nothing (5% of the load at 10,000 projects, 12% at 100,000). Reference counting
    frees everything else as usual; the collector resumes, as it was, when the build ends or fails."""
    if not gc.isenabled():  # paused by the caller (or another build): leave it as it is
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _forms(
    entity_forms: Iterable[tuple[int, Iterable[str]]], key_of: Callable[[str], str], reading_of: Callable[[str], str]
) -> list[Form]:
    forms: list[Form] = []
    for entity, names in entity_forms:
        for name in names:
            key = key_of(name)
            if len(key) >= 2:
                forms.append(Form(entity, key, reading_of(name)))
    return forms


class CatalogueCache:
    """Hands out the current catalogue, rebuilding it when the database's version moved on."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None

    def get(self) -> Catalogue:
        version, texts = current_versions(self.db)
        current = self._catalogue
        if current is not None and current.version == version and current.texts_version == texts:
            return current
        with self._lock:
            if self._catalogue is None or self._catalogue.version != version:
                self._catalogue = Catalogue.load(self.db)
            elif self._catalogue.texts_version != texts:
                self._catalogue.refresh_texts(self.db)
            return self._catalogue
