"""Stage 3: the names a question mentions, found anywhere in it.

Candidate spans are runs of tokens that no hard tag and no function word breaks (nouns, katakana
and Latin runs, numbers, with の allowed inside). First every span is looked up as written among the
name forms (an official name or alias typed in full always wins; a form several names share is
ambiguous); then each run that no exact form covers is scored as a whole against the FormIndex and,
failing that, its sub-spans, longest first. What a run holds beside its name must be accounted for:
a soft word (事業, 県), a name-like word the project's own texts use (自転車**ヘルメット**), or nothing.
Anything else is a different thing (**高齢者の**自転車安全対策, 第**1**期 for 第2期): the run is
``unexplained`` and the answer fails closed with 「もしかして」.

Decision rule for one span (unchanged from the measured matcher, ``bot.match.explain``): a name is
*strong* when one of its forms accounts for everything meaningful typed and either scores at least
ACCEPT or is a whole, contiguous part of the name at least PART_MIN characters long. The best strong
name answers when no other comes within MARGIN; otherwise the span is ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice, pairwise

from bot.catalogue import DEPARTMENT_SUFFIXES, GENERIC_SUFFIXES, Catalogue, ProjectEntry
from bot.match import QUERY_WEIGHT, FormIndex, is_kanji
from bot.normalize import fold
from bot.tagging import Tag
from bot.tokens import Token, Tokens

ACCEPT = 0.8
MARGIN = 0.06
SUGGEST = 0.55
PART_MIN = 3  # characters (matching key) of a mention that is a whole part of one name
EXPLAIN_FLOOR = QUERY_WEIGHT - 0.01
MAX_SPAN = 16  # tokens of one name
CIRCUMSTANCE_PARTICLES = frozenset({"に", "で", "から", "へ", "まで"})
KANA_RUN_MIN = 5  # characters of a kana run tried as a name
CATEGORY_WORDS = frozenset({"系", "関連", "関係", "ほう", "方", "方面", "系統", "分野"})  # デジタル系の事業
MAX_SUBSPANS = 8  # parts of one run looked up when the run as a whole names nothing (bounds the tail)
KINDS = ("project", "department", "goal")
KIND_ORDER = {"project": 0, "department": 1, "goal": 2}
_SUFFIX_KEYS = {
    "project": frozenset(fold(s) for s in GENERIC_SUFFIXES),
    "department": frozenset(fold(s) for s in DEPARTMENT_SUFFIXES),
    "goal": frozenset(),
}
NAME_ENDINGS = tuple(_SUFFIX_KEYS["project"])  # a mention ending so looks like a name (…事業, …推進)
_INNER = frozenset({"の", "・", "ー", "-"})  # may stand inside a name: 子供の環境学習, 感染症・がん
_BRACKETS = frozenset("「」『』（）()【】")
_ISSUER_KINDS = ("県", "都", "道", "府", "市", "区", "町", "村")


@dataclass(frozen=True)
class NameHit:
    """A span of tokens naming one entity, or several equally (ambiguous)."""

    start: int
    end: int
    kind: str  # project | department | goal
    ids: tuple[int, ...]  # catalogue indexes, best first
    score: float
    exact: bool = False
    vague: bool = False  # fits something else as well (子育て支援: 子育て支援課 or its projects): ask
    spelled: bool = False  # typed in kana between spaces as a whole: words of the vocabulary in it are its own

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1 or self.vague


@dataclass
class Names:
    """What the question names, and what of it no name accounts for."""

    hits: list[NameHit] = field(default_factory=list)
    unknown: list[tuple[int, int]] = field(default_factory=list)  # runs that name nothing known
    unexplained: list[tuple[int, int]] = field(default_factory=list)  # words beside a name, unaccounted
    context: list[tuple[int, int]] = field(default_factory=list)  # circumstances (部長に, 会議で), not names
    suggestions: dict[int, float] = field(default_factory=dict)  # project index -> score, for もしかして
    kpi_words: bool = False  # words of a named project's KPI were typed beside its name
    kpi_spans: list[tuple[int, int]] = field(default_factory=list)  # their tokens, with a 件数 of the KPI

    def outside(self, span: tuple[int, int] | None) -> list[NameHit]:
        """The hits outside a span of tokens (the words in 「」 of a text search); all without one."""
        return [h for h in self.hits if span is None or h.end <= span[0] or h.start >= span[1]]

    def best_suggestions(self, n: int = 3) -> tuple[int, ...]:
        """The project indexes to offer under 「もしかして」, best first."""
        return tuple(i for i, _ in sorted(self.suggestions.items(), key=lambda kv: -kv[1])[:n])


class NameFinder:
    def __init__(self, catalogue: Catalogue, tokens: Tokens, tags: list[Tag]) -> None:
        self.cat = catalogue
        self.tokens = tokens
        self.tags = tags
        self.hard = {i for t in tags if not t.soft for i in range(t.start, t.end)}
        self.soft = {i for t in tags if t.soft for i in range(t.start, t.end)}
        # シート|上, 資料|上: a suffix glued to a generic word is as generic as it.
        self.soft |= {
            i for i, t in enumerate(tokens.tokens) if t.pos == "接尾辞" and i - 1 in self.soft and i not in self.hard
        }
        self.issuer_words = {i for t in tags if t.kind == "issuer" for i in range(t.start, t.end)}
        self.sources = {i for t in tags if t.kind == "generic" and t.value == "source" for i in range(t.start, t.end)}
        # ぐんま何とか, 〇〇推進事業: the words beside a forgotten part are a fragment of a name.
        self.fragment_edges = {e for t in tags if t.kind == "placeholder" for e in (t.start, t.end)}
        self.indexes: dict[str, FormIndex] = {
            "project": catalogue.project_index,
            "department": catalogue.department_index,
            "goal": catalogue.goal_index,
        }
        self.found = Names()
        self._memo: dict[tuple[int, int], NameHit | None] = {}
        self._issuer_spans: dict[tuple[int, int], tuple[int, int] | None] = {}

    # --- spans ----------------------------------------------------------------------------------
    def _breaks(self, i: int) -> bool:
        """Hard tags and function words end a run; a verb nobody tagged (遊ぼう) is name material."""
        t = self.tokens.tokens[i]
        if i in self.hard:
            return True
        if t.key in _INNER or t.surface in _INNER or _name_like(t.surface):
            return False
        if self._predicate_noun(i):
            return True
        verb = self._verb_start(i)
        if verb is not None:  # a verb is name material as a slogan (暮らそう) or before a noun (遊ぼう事業), not 足すと
            # 課が持ってる事業, ジョブカフェを運営してる事業: a verb with its own subject or object describes.
            # 基本目標４にぶら下がってる事業 too; a slogan calls (ぐんまで働こう！), it does not describe.
            slogan = t.form.startswith("意志")
            case = {"が", "は", "を", "も"} if slogan else {"が", "は", "を", "も", "に", "で", "と"}
            clause = verb > 0 and self.tokens.tokens[verb - 1].surface in case
            return i in self.soft or clause or not (slogan or self._before_noun(i))
        if t.pos == "名詞" and self.tokens.tokens[i].pos2 == "普通名詞" and _adverbial(t) and i not in self.hard:
            return not self._inside_noun_run(i)  # 来週, 今回: time words, unless part of a longer noun
        return t.function

    def _predicate_noun(self, i: int) -> bool:
        """A noun after a conjunctive particle that ends the sentence with a copula (…いただけますと|
        幸い|です, …ば|幸甚|です): the predicate of a courtesy, not a name."""
        toks = self.tokens.tokens
        if i == 0 or toks[i].pos != "名詞" or toks[i - 1].pos2 != "接続助詞":
            return False
        j = i + 1
        while j < len(toks) and toks[j].pos == "助動詞":
            j += 1
        return j > i + 1 and all(t.stop or (t.pos == "助詞" and t.pos2 == "終助詞") for t in toks[j:])

    def _verb_start(self, i: int) -> int | None:
        """Where the verb that token ``i`` belongs to begins: ``i`` for a verb, the noun before する for
        a verb made of a サ変 noun (運営|する), None for anything else."""
        toks = self.tokens.tokens
        t = toks[i]
        if t.pos3 == "サ変可能" and i + 1 < len(toks) and _suru(toks[i + 1]):
            return i
        if not t.predicate:
            return None
        return i - 1 if _suru(t) and i > 0 and toks[i - 1].pos3 == "サ変可能" else i

    def runs(self, exact: list[NameHit]) -> list[tuple[int, int]]:
        """Maximal runs of name material not already covered by an exact name."""
        covered = {i for h in exact for i in range(h.start, h.end)}
        out: list[tuple[int, int]] = []
        start = None
        n = len(self.tokens)
        for i in range(n + 1):
            stop = i == n or i in covered or self._breaks(i)
            if stop:
                if start is not None:
                    out.append(self._trim(start, i))
                start = None
            elif start is None:
                start = i
        return [(a, b) for a, b in out if a < b and self._has_content(a, b)]

    def _trim(self, a: int, b: int) -> tuple[int, int]:
        toks = self.tokens.tokens
        while a < b and (toks[a].key in _INNER or toks[a].key == ""):
            a += 1
        while b > a and (toks[b - 1].key in _INNER or toks[b - 1].key == ""):
            b -= 1
        return a, b

    def _fragment(self, a: int, b: int) -> bool:
        return b in self.fragment_edges or a in self.fragment_edges

    def _named_after_issuer(self, a: int, b: int) -> tuple[int, int] | None:
        """ぐんまの事業, 群馬の事業: the issuer's name without 県 or 市, with 事業, where the issuer's own
        project names begin so (ぐんまのクリエイティブ…, 群馬健康ポイント制度): those projects, not all.
        The span of the issuer's name, or None; worked out once per run."""
        if (a, b) not in self._issuer_spans:
            self._issuer_spans[(a, b)] = self._issuer_span(a, b)
        return self._issuer_spans[(a, b)]

    def _issuer_span(self, a: int, b: int) -> tuple[int, int] | None:
        toks = self.tokens.tokens
        words = [i for i in range(a, b) if toks[i].key not in _INNER]
        bare = [i for i in words if i in self.issuer_words and not toks[i].key.endswith(_ISSUER_KINDS)]
        generic = [i for i in words if i in self.soft and i not in self.issuer_words]
        if not bare or not generic or len(bare) + len(generic) != len(words):
            return None
        if not any("事業" in toks[i].key for i in generic):
            return None
        span = (bare[0], bare[-1] + 1)
        spoken = self.tokens.reading(*span)
        begun = bool(self.cat.projects_named_with(self.tokens.key(*span), limit=1)) or any(
            f.reading.startswith(spoken) for f in self.cat.project_index.forms
        )
        return span if begun else None

    def _has_content(self, a: int, b: int) -> bool:
        toks = self.tokens.tokens
        if self._fragment(a, b) and any(i in self.issuer_words for i in range(a, b)):
            return True  # ぐんま何とか: the issuer's name begins the forgotten name
        if self._named_after_issuer(a, b) is not None:
            return True
        if any(i not in self.soft and toks[i].key and toks[i].key not in _INNER for i in range(a, b)):
            return True
        # ぐんま事業: the issuer's name glued to a noun is a name nobody has (群馬県の事業 is every project).
        issuers = [t for t in self.tags if t.kind == "issuer" and a <= t.start < b]
        return any(t.end < b and toks[t.end - 1].key not in _INNER and toks[t.end].key not in _INNER for t in issuers)

    def kana_runs(self, taken: set[int]) -> list[tuple[int, int]]:
        """Runs of kana that MeCab may have taken apart as particles (でじたるふぁくとりー): tried as
        names only; if they name nothing, they were the particles they seemed."""
        out: list[tuple[int, int]] = []
        start = None
        toks = self.tokens.tokens
        for i in range(len(toks) + 1):
            kana = i < len(toks) and i not in taken and i not in self.hard and _kana(toks[i].surface)
            if kana and start is None:
                start = i
            elif not kana and start is not None:
                if len(self.tokens.key(start, i)) >= KANA_RUN_MIN:
                    # DX すいしん…: Latin letters typed before a name read out in kana belong to it.
                    latin = start > 0 and start - 1 not in taken and toks[start - 1].surface.isascii()
                    out.append((start - 1 if latin and toks[start - 1].surface.isalnum() else start, i))
                start = None
        return out

    # --- exact forms ----------------------------------------------------------------------------
    def exact(self) -> list[NameHit]:
        """Spans typed exactly as a name form, longest first and not overlapping."""
        n = len(self.tokens)
        hits: list[NameHit] = []
        toks = self.tokens.tokens
        for i in range(n):
            if toks[i].stop:
                continue  # a name never begins or ends with punctuation (、青葉の…)
            for j in range(min(n, i + MAX_SPAN), i, -1):
                key = self.tokens.key(i, j)
                if len(key) < 2 or toks[j - 1].stop:
                    continue
                hit = self._exact_hit(i, j, key)
                if hit is not None:
                    hits.append(self._before_field(hit))
                    break
        hits.sort(key=lambda h: (-(h.end - h.start), h.start))
        chosen: list[NameHit] = []
        for h in hits:
            if all(h.end <= c.start or h.start >= c.end for c in chosen):
                chosen.append(h)
        return sorted(chosen, key=lambda h: h.start)

    def _before_field(self, hit: NameHit) -> NameHit:
        """A name whose last word begins a field word (地域公共交通確保維持 事業|費): the name without
        it, where that still names the same, and the field is asked."""
        field = next(
            (t for t in self.tags if t.kind == "field" and t.start > hit.start and t.start < hit.end < t.end), None
        )
        if field is None:
            return hit
        shorter = self._exact_hit(hit.start, field.start, self.tokens.key(hit.start, field.start))
        return shorter if shorter is not None and shorter.ids == hit.ids else hit

    def _exact_hit(self, i: int, j: int, key: str) -> NameHit | None:
        official = self.cat.exact_names.get(key)
        if official and len(official) == 1:
            return NameHit(i, j, "project", tuple(official), 1.0, exact=True)
        if any(k in self.hard for k in range(i, j)):
            return None  # a form holding a field word (評価) counts only as the whole official name
        if not self._whole_words(i, j):
            return None
        spoken = self.tokens.reading(i, j)
        for kind in KINDS:
            index = self.indexes[kind]
            entities = index.exact.get(key) or index.exact_reading.get(spoken)
            if entities:
                fuzzy = self.resolve(i, j)
                if fuzzy is not None and fuzzy.kind == kind and set(entities) < set(fuzzy.ids):
                    return fuzzy  # a short form of one name that other names contain too (観光誘客)
                if kind == "department" and not key.endswith(DEPARTMENT_SUFFIXES):
                    # 子育て支援: 子育て支援課, or a project named 子育て支援…: which is meant is not known.
                    named = self.cat.projects_named_with(key, limit=5)
                    if named:
                        return NameHit(i, j, "project", tuple(named[:5]), 0.0, vague=True)
                return NameHit(i, j, kind, entities[:5] if kind == "project" else entities, 1.0, exact=True)
        return None

    def _whole_words(self, i: int, j: int) -> bool:
        """A span must not start or end with a particle (の健康ポイント)."""
        toks = self.tokens.tokens
        return not (toks[i].function or toks[j - 1].pos == "助詞")

    # --- fuzzy ----------------------------------------------------------------------------------
    def resolve(self, a: int, b: int) -> NameHit | None:
        if (a, b) not in self._memo:
            self._memo[(a, b)] = self._resolve(a, b)
        return self._memo[(a, b)]

    def _resolve(self, a: int, b: int) -> NameHit | None:
        key = self.tokens.key(a, b)
        if len(key) < 2:
            return None
        scored: list[tuple[bool, float, str, int, int]] = []  # (strong, score, kind, entity, whole blocks)
        for kind in KINDS:
            scored += self._hits(kind, a, b)
        for _, score, kind, entity, _ in scored:
            if kind == "project" and score >= SUGGEST:
                self.found.suggestions[entity] = max(self.found.suggestions.get(entity, 0.0), score)
        strong = sorted((s for s in scored if s[0]), key=lambda s: (-s[1], KIND_ORDER[s[2]]))
        if not strong:
            return None
        top = strong[0]
        close = [s for s in strong if s[1] >= top[1] - MARGIN and s[2] == top[2]]
        # What several names hold whole (人材育成事業 of four 〇〇人材育成事業) names none of them, unless
        # the best-scoring name alone holds it in fewer pieces than every other.
        contained = [s for s in strong if s[4] and s[2] == top[2]]
        fewest = min((s[4] for s in contained), default=0)
        alike = [s for s in contained if s[4] == fewest]
        if len(contained) > 1 and not (len(alike) == 1 and alike[0] is top):
            close = sorted(contained, key=lambda s: (s[4], -s[1]))
        ids = tuple(dict.fromkeys(s[3] for s in close))
        return NameHit(a, b, top[2], ids[:5] if top[2] != "goal" else ids[:1], top[1])

    def _variants(self, kind: str, a: int, b: int) -> list[tuple[int, int]]:
        """The span, without a leading issuer name and without generic words at the end."""
        out = [(a, b)]
        start = a
        while start < b - 1 and start in self.issuer_words:
            start += 1
        if start != a:
            out.append((start, b))
        for s, e in list(out):
            while e - s > 1 and self.tokens.key(e - 1, e) in _SUFFIX_KEYS[kind]:
                e -= 1
                out.append((s, e))
        return list(dict.fromkeys(out))

    def _hits(self, kind: str, a: int, b: int) -> list[tuple[bool, float, str, int, int]]:
        index = self.indexes[kind]
        best: dict[int, tuple[bool, bool, int]] = {}  # entity -> (strong, explained, blocks of a whole part)
        for s, e in self._variants(kind, a, b):
            key, spoken = self.tokens.key(s, e), self.tokens.reading(s, e)
            if len(key) < 2:
                continue
            for entity, raw in index.best(key, spoken, limit=8):
                old = best.get(entity)
                if old is not None and old[0]:
                    continue
                found = (
                    index.explain(entity, key, spoken, floor=EXPLAIN_FLOOR, accept=ACCEPT)
                    if raw >= EXPLAIN_FLOOR
                    else None
                )
                explained = strong = False
                whole = 0  # blocks of a whole part, 0 when it is none
                if found is not None and found.explained and self._peeled_fits(kind, e, b, found.form.key):
                    explained = True
                    # 5G alone is the 5G project; 5G推進事業 is a name of its own, not 5G with 推進事業 peeled.
                    part = len(key) >= PART_MIN or ((s, e) == (a, b) and _acronym_of(key, found.form.key))
                    whole = found.blocks if found.whole and part else 0
                    strong = found.score >= ACCEPT or bool(whole)
                    if (s, e) != (a, b):
                        whole = 0  # a shortened mention (健康ポイント of 健康ポイント制度) proves no containment
                if old is None or (strong, explained, _piece_rank(whole)) > (old[0], old[1], _piece_rank(old[2])):
                    best[entity] = (strong, explained, whole)
        # Rank by what was typed, not by the shortened variant that explained it.
        typed_key, typed_reading = self.tokens.key(a, b), self.tokens.reading(a, b)
        return [
            (st, index.score_of(ent, typed_key, typed_reading), kind, ent, whole)
            for ent, (st, _, whole) in best.items()
        ]

    def _peeled_fits(self, kind: str, e: int, b: int, form: str) -> bool:
        """Generic words peeled off the end of a mention (…|推進|事業) that the name does not hold: the
        last may be said another way if the name too ends with such a word (健康ポイント事業 for …制度);
        one before it may not (若者の活躍対策事業 is not 若者の活躍促進事業, 5G推進事業 not the 5G project),
        nor one for a word of the name's own (みなと未来推進 is not みなと未来会議)."""
        missing = [k for k in range(e, b) if self.tokens.key(k, k + 1) not in form]
        if not missing:
            return True
        last = b == len(self.tokens) or self._breaks(b)  # nothing of the mention follows (…推進|事業)
        return missing == [b - 1] and last and form.endswith(tuple(_SUFFIX_KEYS[kind]))

    # --- the cover ------------------------------------------------------------------------------
    def find(self) -> Names:
        # A name typed in full with more name material glued to it (館輪|サイクリング見守り補助金) is part
        # of a longer name: the whole run is matched instead, and what the name leaves must be accounted for.
        exact = [h for h in self.exact() if not (self._glued(h.start - 1) or self._glued(h.end))]
        self.found.hits = list(exact)
        for a, b in self.runs(exact):
            self._cover_run(a, b)
        # 部長に聞かれた, 会議資料に載せたい: common nouns in a phrase of their own, marked by a case particle,
        # are the circumstances of the question, not a name; names look otherwise (katakana, proper nouns, 事業).
        self.found.context = [u for u in self.found.unknown if self._circumstance(*u)]
        self.found.unknown = [u for u in self.found.unknown if u not in self.found.context]
        taken = {i for h in self.found.hits for i in range(h.start, h.end)}
        # A kana word inside a run that, as a whole, was looked up already (５Ｇ促進|ファクトリー|横展開実証)
        # is no name of its own: the run named nothing, or it is unexplained.
        looked_up = [*self.found.unknown, *self.found.unexplained]
        taken |= {i for u, v in looked_up for i in range(u, v) if v - u > 1}
        for a, b in self.kana_runs(taken):
            s, e = self._trim(a, b)
            if all(i in self.soft or self.tokens.tokens[i].pos == "助詞" for i in range(s, e)):
                continue  # の じぎょう: a generic word in kana, no name
            hit = self.resolve(s, e)
            if hit is not None:
                self.found.hits.append(hit)
                self.found.unknown = [u for u in self.found.unknown if u[1] <= a or u[0] >= b]
            elif self._taken_apart(a, b):
                # あいうえお事業: kana MeCab could only read as fillers and prefixes is an unknown word,
                # with the nouns it is glued to.
                end = b
                while end < len(self.tokens) and end not in self.hard and not self._breaks(end):
                    end += 1
                self.found.unknown = [u for u in self.found.unknown if u[1] <= a or u[0] >= end]
                self.found.unknown.append(self._trim(a, end))
        for a, b in self._kana_chunks():
            hit = self.resolve(a, b)
            if hit is not None:  # しゅうろうしえんじぎょう: a name typed in kana between spaces, as a whole
                apart = [h for h in self.found.hits if h.end <= a or h.start >= b]
                self.found.hits = [*apart, replace(hit, spelled=True)]
                for spans in (self.found.unknown, self.found.unexplained, self.found.context):
                    spans[:] = [part for u in spans for part in _outside(u, (a, b))]
            elif any(a <= u and v <= b for u, v in self.found.unknown) and not any(
                h.start < b and h.end > a for h in self.found.hits
            ):  # びじねすけあらー: kana typed in one piece that names nothing is one unknown word, whole
                self.found.unknown = [*(u for u in self.found.unknown if u[1] <= a or u[0] >= b), (a, b)]
        self.found.hits.sort(key=lambda h: h.start)
        self.found.unexplained += self._glued_projects()
        self.found.unknown = [u for u in self.found.unknown if not self._goal_title(*u)]
        for run in [*self.found.unknown, *self.found.unexplained]:
            if self._kpi_of_name_before(*run):
                a, b = run
                self.found.unknown = [u for u in self.found.unknown if u != run]
                self.found.unexplained = [u for u in self.found.unexplained if u != run]
                self.found.hits = [h for h in self.found.hits if not (a <= h.start and h.end <= b)]
        return self.found

    def _kana_chunks(self) -> list[tuple[int, int]]:
        """Stretches of kana the asker typed between spaces (しゅうろうしえんじぎょう きふ いくら), long
        enough to be a name and holding no word kensho knows but generic ones: MeCab takes such kana
        apart at random, so they are looked up whole."""
        toks = self.tokens.tokens
        out: list[tuple[int, int]] = []
        start = 0
        for i in range(1, len(toks) + 1):
            if self.tokens.joined(i - 1):
                continue
            a, b = start, i
            start = i
            if not all(_kana(t.surface) for t in toks[a:b]) or len(self.tokens.key(a, b)) < KANA_RUN_MIN:
                continue
            if any(t.start == a and t.end == b for t in self.tags if not t.soft):
                continue  # こんごのほうしん: a word kensho knows, whole
            out.append(self._trim(a, b))
        return out

    def _glued_projects(self) -> list[tuple[int, int]]:
        """Two projects' names joined by の or nothing (子ども|の|クリエイティブ拠点化推進): one name nobody
        has, whichever of them was typed in full."""
        projects = [h for h in self.found.hits if h.kind == "project"]
        toks = self.tokens.tokens
        out = []
        for x, y in pairwise(projects):
            joint = [toks[i].surface for i in range(x.end, y.start)]
            inner = all(k in _INNER or k in _BRACKETS for k in joint)  # 「あおばウォーク」|教室推進事業
            if set(x.ids) & set(y.ids) or not inner or (x.start, y.end) in out:
                continue
            # 医療機関応援金・中高生の自転車安全対策 lists two; 発信・イノベーション・エコシステム形成事業 is a
            # name written with ・ (スタートアップ・イノベーション・…) with a part of it replaced.
            if "・" in joint and not any("・" in self.cat.projects[i].name for i in (*x.ids, *y.ids)):
                continue
            out.append((x.start, y.end))
        return [span for span in out if span not in self.found.unexplained]

    def _goal_title(self, a: int, b: int) -> bool:
        """基本目標１（安定した雇用）: words in brackets after a goal's number that its title holds."""
        toks = self.tokens.tokens
        opening = a - 1
        while opening >= 0 and toks[opening].surface not in {"(", "（"}:
            if toks[opening].pos2.startswith("括弧"):
                return False
            opening -= 1
        goal = next((t for t in self.tags if t.kind == "goal" and t.end == opening), None)
        if goal is None or goal.number is None:
            return False
        key = self.tokens.key(a, b).replace("の", "")
        return any(
            g.number == int(goal.number) and key and key in fold(g.label).replace("の", "") for g in self.cat.goals
        )

    def _kpi_of_name_before(self, a: int, b: int) -> bool:
        """縁結びセンターの|成婚数, 介護人材確保事業の令和5年度の|初任者研修修了者数: words after the one
        project named, and の, that are in that project's KPI names."""
        key = self.tokens.key(a, b)
        if len(key) < 3 or a < 1 or self.tokens.tokens[a - 1].surface != "の":
            return False
        named = {i for h in self.found.hits if h.kind == "project" and not a <= h.start < b for i in h.ids}
        before = next((h for h in self.found.hits if h.end < a and h.kind == "project" and not h.ambiguous), None)
        project = self.cat.projects[before.ids[0]] if before is not None else None
        if project is None or len(named) != 1 or not _in_kpis(key, project):
            return False
        self.found.kpi_words = True
        # 移住相談|件数: a count word after the words that the KPI's name goes on with is the KPI's own.
        after = next((t for t in self.tags if t.start == b and t.kind in {"count", "amount"}), None)
        end = after.end if after is not None and _in_kpis(self.tokens.key(a, after.end), project) else b
        self.found.kpi_spans.append((a, end))
        return True

    def _before_noun(self, i: int) -> bool:
        """Whether the token after ``i`` and its auxiliaries is a noun or a name's ！."""
        j = i + 1
        while j < len(self.tokens) and self.tokens.tokens[j].pos == "助動詞":
            j += 1
        return j < len(self.tokens) and (
            self.tokens.tokens[j].pos in {"名詞", "接尾辞"} or self.tokens.tokens[j].surface in "！!"
        )

    def _inside_noun_run(self, i: int) -> bool:
        toks = self.tokens.tokens
        return any(
            0 <= k < len(toks)
            and toks[k].pos in {"名詞", "接尾辞", "接頭辞"}
            and not toks[k].function
            and k not in self.hard
            and k not in self.soft
            for k in (i - 1, i + 1)
        )

    def _circumstance(self, a: int, b: int) -> bool:
        toks = self.tokens.tokens
        if self._who_or_where(a, b) or self._explaining(a, b):
            return True
        if b >= len(toks) or toks[b].pos != "助詞" or toks[b].surface not in CIRCUMSTANCE_PARTICLES:
            return False
        if self._a_kpi(a, b) or self._describes_a_project(b):
            return False  # KPIが一人あたりの県民所得に|なってる事業: the words of a KPI are what is asked
        # 応援で|働こう！若者の…, 強化芸術に|よる|地域活性化事業: a word in place of a name's own, before the
        # rest of that name, not a circumstance.
        after = b + 1
        while after < len(toks) and toks[after].pos in {"動詞", "助動詞"}:
            after += 1
        verb_next = b + 1 < len(toks) and toks[b + 1].pos == "動詞"
        if verb_next and any(h.start in {b + 1, after} for h in self.found.hits):
            return False
        if any(toks[i].pos2 == "固有名詞" or _name_like(toks[i].surface) for i in range(a, b)):
            return False
        return not any(toks[i].key in _SUFFIX_KEYS["project"] for i in range(a, b))

    def _a_whole_name(self, hit: NameHit) -> bool:
        """Whether the hit is typed as one of the forms of a name (子ども食堂支援事業), not a part of one."""
        key = self.tokens.key(hit.start, hit.end)
        return hit.exact or key in self.indexes[hit.kind].exact or key.endswith(NAME_ENDINGS)

    def _a_kpi(self, a: int, b: int) -> bool:
        """Whether the words are in a KPI name of some project (の aside)."""
        key = self.tokens.key(a, b)
        return len(key) >= 3 and bool(self.cat.projects_with_kpi(key, limit=0))

    def _who_or_where(self, a: int, b: int) -> bool:
        """厚生文化常任委員会, 佐藤議員, 答弁メモ: words ending with who asks or where (words.tsv, source),
        or a person's name: the asker's circumstances, not a name of a project."""
        toks = self.tokens.tokens
        last = b - 1
        while last > a and (toks[last].key in _INNER or toks[last].number or not toks[last].key.strip("-－")):
            last -= 1  # 資料５－２: the document's number after it
        if last in self.sources:
            return True
        # 佐藤さん, 田中: a person's name is the whole run (健|ポ is a name cut short, not a person).
        people = [i for i in range(a, b) if toks[i].pos3 == "人名"]
        return bool(people) and all(toks[i].pos3 == "人名" or toks[i].pos == "接尾辞" for i in range(a, b))

    def _explaining(self, a: int, b: int) -> bool:
        """Words of a clause that gives a reason (医療機関応援金はコロナ対応の特殊な事業なので、…): what the
        asker explains, not what they ask about."""
        toks = self.tokens.tokens
        for i in range(b, len(toks)):
            t = toks[i]
            if t.stop or t.surface in {"「", "」", "『", "』"}:
                return False
            if t.pos2 == "接続助詞" and t.surface in {"ので", "から", "けど", "けれど", "が"}:
                # 必要だから継続、っていう事業: a reason quoted to describe a project, not the asker's own.
                return not self._quoted_description(i + 1)
            if t.surface == "の" and i + 1 < len(toks) and toks[i + 1].surface == "で" and toks[i + 1].pos == "助動詞":
                return i + 2 < len(toks) and toks[i + 2].stop  # …事業なので、
        return False

    def _quoted_description(self, start: int) -> bool:
        """Whether と/って and いう follow before the sentence ends (…継続、っていう事業)."""
        toks = self.tokens.tokens
        for k in range(start + 1, len(toks)):
            if toks[k].surface in {"。", "?", "？", "!", "！"}:
                return False
            if toks[k].lemma == "言う" and toks[k - 1].surface in {"と", "って", "っていう"}:
                return True
        return False

    def _describes_a_project(self, b: int) -> bool:
        """Whether the run, its case particle at ``b`` and a verb modify 事業 or やつ (学校の生徒向けに|
        やってる|事業): a description of the project asked about, not the asker's circumstances."""
        toks = self.tokens.tokens
        k = b + 1
        while k < len(toks) and toks[k].pos != "動詞" and not toks[k].stop:
            k += 1  # 医療従事者に|ヘルメットを|配った事業, 住宅の太陽光に|補助|してる事業: the verb it belongs to
        if k >= len(toks) or toks[k].pos != "動詞" or toks[k].lemma in {"なる", "成る"}:
            return False  # 終了扱いに|なった事業: what became of it, as a state (the policy), not what it does
        while k < len(toks) and (toks[k].pos in {"動詞", "助動詞"} or toks[k].surface == "て"):
            k += 1
        return k < len(toks) and toks[k].key in {"事業", "じぎょう", "やつ", "もの"}

    def _glued(self, i: int) -> bool:
        """Whether token ``i`` is name material that no tag accounts for (a neighbour of a name)."""
        if i < 0 or i >= len(self.tokens) or (i in self.soft and not (i in self.sources and self.tokens.touching(i))):
            return False  # a who-or-where word glued to a name (…運用会議事業) is a word of a longer name
        t = self.tokens.tokens[i]
        return not self._breaks(i) and t.key not in _INNER and bool(t.key)

    def _taken_apart(self, a: int, b: int) -> bool:
        """A filler inside a run of kana (あ|いう|え|お): no reading of real words (どれとどれ is)."""
        return any(self.tokens.tokens[i].pos2 == "フィラー" for i in range(a + 1, b))

    def _cover_run(self, a: int, b: int) -> None:
        if self._fragment(a, b) and self._cover_fragment(a, b):
            return
        if self._category(a, b):
            return
        issuer = self._named_after_issuer(a, b)
        if issuer is not None and self._cover_fragment(*issuer):
            self.found.hits[-1] = NameHit(a, b, "project", self.found.hits[-1].ids, 0.0, vague=True)
            return
        if all(i in self.soft or self.tokens.tokens[i].key in _INNER for i in range(a, b)):
            self.found.unknown.append((a, b))  # ぐんま事業: only an issuer and generic words, no one's name
            return
        whole = self.resolve(a, b)
        if whole is not None:
            self.found.hits.append(whole)
            return
        # The longest sub-spans that name something, not overlapping; the rest must be accounted for.
        # At most MAX_SUBSPANS are looked up: a long run that names nothing as a whole stays unexplained.
        picked: list[NameHit] = []
        free = (span for span in self._subspans(a, b) if all(span[1] <= p.start or span[0] >= p.end for p in picked))
        for s, e in islice(free, MAX_SUBSPANS):
            hit = self.resolve(s, e)
            if hit is not None:
                picked.append(hit)
        if not picked:
            self.found.unknown.append((a, b))
            return
        covered = {i for p in picked for i in range(p.start, p.end)}
        first = next((i for i in range(a, b) if i not in self.issuer_words and self.tokens.tokens[i].key), b)
        inside = [i for i in range(first, b) if i in self.issuer_words]  # 子ども向け地域環境|群馬|学習事業
        between = range(min(p.start for p in picked), max(p.end for p in picked))
        inside += [
            i for i in between if i in self.soft and i not in covered and self.tokens.tokens[i].key not in _INNER
        ]
        left = [i for i in range(a, b) if i not in covered and not self._accounted(i, picked)] + inside
        left = [i for i in left if not self._kpi_named(i, left, picked)]
        self.found.hits += picked
        if left or not self._consistent(picked) or self._two_projects(picked):
            self.found.unexplained.append((a, b))

    def _category(self, a: int, b: int) -> bool:
        """デジタル系の事業, 港のほうの事業, 観光関連の事業: a kind of project, not one: the projects whose
        name or texts hold the words are asked about, never one of them answered."""
        toks = self.tokens.tokens
        last = b - 1
        while last > a and (
            toks[last].key in _INNER or (last in self.soft and toks[last].surface not in CATEGORY_WORDS)
        ):
            last -= 1  # デジタル系|の|事業
        if last <= a or toks[last].surface not in CATEGORY_WORDS:
            return False
        s, e = self._trim(a, last)
        key = self.tokens.key(s, e)
        if len(key) < 2 and not (key and is_kanji(key)):  # 港のほう: one kanji is a word
            return False
        ids = list(dict.fromkeys([*self.cat.projects_named_with(key, limit=5), *self.cat.projects_containing(key)]))
        if not ids:
            self.found.unknown.append((a, b))
        else:
            self.found.hits.append(NameHit(a, b, "project", tuple(ids[:5]), 0.0, vague=True))
        return True

    def _consistent(self, picked: list[NameHit]) -> bool:
        """A department glued to a project in one run (子育て支援|タクシー事業) must be the project's own,
        and named as a department: a piece of a department's name glued to a piece of a project's
        (ぐんまのｅスポーツ|拠点化推進, of eスポーツ・クリエイティブ推進課 and ぐんまのクリエイティブ拠点化推進)
        is a name of its own, which nobody has."""
        named = [h for h in picked if h.kind == "department"]
        departments = {self.cat.departments[d].id for h in named for d in h.ids}
        projects = [self.cat.projects[p] for h in picked if h.kind == "project" for p in h.ids]
        if not (departments and projects):
            return True
        return all(h.score >= ACCEPT for h in named) and any(p.department_id in departments for p in projects)

    def _two_projects(self, picked: list[NameHit]) -> bool:
        """Pieces of two projects' names in one run (若者の|自転車安全対策, 防災|GX) are one name nobody
        has, not both projects: two projects asked together are written apart (と, や, 、, ・). Pieces
        that one project's name holds both of (地域公共交通維持|確保事業, its words swapped) are its name."""
        projects = sorted((h for h in picked if h.kind == "project"), key=lambda h: h.start)
        toks = self.tokens.tokens
        return any(
            not set(x.ids) & set(y.ids) and not any(toks[i].surface in {"・", "、", ","} for i in range(x.end, y.start))
            for x, y in pairwise(projects)
        )

    def _cover_fragment(self, a: int, b: int) -> bool:
        """Every project whose name holds the fragment, as written or as read, is a candidate."""
        key, spoken = self.tokens.key(a, b), self.tokens.reading(a, b)
        if len(key) < 2:
            return False
        ids = list(self.cat.projects_named_with(key))
        index = self.cat.project_index
        if len(spoken) >= 2:
            ids += [f.entity for f in index.forms if spoken in f.reading and f.entity not in ids]
        ids = list(dict.fromkeys(ids))
        if not ids:
            return False
        # ぐんま何とか: a name beginning so; 何とか推進: ending so. Names holding the words elsewhere
        # (子ども向け地域環境学習事業 for 地域なんとか) are only asked about, never answered.
        begins, ends = b in self.fragment_edges, a in self.fragment_edges
        if begins != ends:
            edge = [
                i
                for i in ids
                if any(
                    (f.key.startswith(key) or f.reading.startswith(spoken))
                    if begins
                    else (f.key.endswith(key) or f.reading.endswith(spoken))
                    for f in index.forms_of(i)
                )
            ]
            if not edge or len(edge) < len(ids):
                # Where the fragment stands is a hint, not proof (なんとか確保 may be 地域公共交通確保維持事業
                # as well as 介護人材確保事業): those it fits first, and asked which.
                ids = [*edge, *(i for i in ids if i not in edge)]
                self.found.hits.append(NameHit(a, b, "project", tuple(ids[:5]), 0.0, vague=True))
                return True
        self.found.hits.append(NameHit(a, b, "project", tuple(ids), 1.0 if len(ids) == 1 else 0.0))
        return True

    def _subspans(self, a: int, b: int) -> Iterator[tuple[int, int]]:
        """The parts of a run that could be a name, longest first: not starting or ending with の,
        not only soft words, at least two characters."""
        toks = self.tokens.tokens
        for length in range(b - a - 1, 0, -1):
            for s in range(a, b - length + 1):
                e = s + length
                if toks[s].key in _INNER or toks[e - 1].key in _INNER:
                    continue
                if all(i in self.soft for i in range(s, e)) or len(self.tokens.key(s, e)) < 2:
                    continue
                yield s, e

    def _kpi_named(self, i: int, left: list[int], picked: list[NameHit]) -> bool:
        """A word of a stretch left beside a name that, whole, is in the named project's KPI names
        (子育てパスポートの|アプリ登録世帯数): the KPI is meant."""
        a = b = i
        while a - 1 in left:
            a -= 1
        while b + 1 in left:
            b += 1
        key = self.tokens.key(a, b + 1)
        projects = [self.cat.projects[p] for h in picked if h.kind == "project" and not h.ambiguous for p in h.ids]
        if len(key) < 3 or not projects or not all(_in_kpis(key, p) for p in projects):
            return False
        self.found.kpi_words = True
        return True

    def _accounted(self, i: int, picked: list[NameHit]) -> bool:
        """A soft word, の, or a katakana/Latin word that the named project's own texts use."""
        t = self.tokens.tokens[i]
        if i in self.issuer_words and any(p.start < i for p in picked):
            return False  # 子ども向け地域環境|群馬|事業: the issuer's name stands before a name, not in it
        beside = [p for p in picked if p.end == i or p.start == i + 1]
        if i in self.sources and self.tokens.touching(i) and any(self._a_whole_name(p) for p in beside):
            return False  # 子育て支援アプリ運用|会議|事業: a who-or-where word glued to a name is a word of another
        if i in self.soft or t.key in _INNER or not t.key:
            return True
        if not _name_like(t.surface) or len(t.key) < 3:
            return False
        projects = [self.cat.projects[p] for h in picked if h.kind == "project" and not h.ambiguous for p in h.ids]
        return bool(projects) and all(t.key in p.text or t.key in p.earlier for p in projects)


def _outside(span: tuple[int, int], cut: tuple[int, int]) -> list[tuple[int, int]]:
    """The parts of ``span`` outside ``cut``."""
    parts = [(span[0], min(span[1], cut[0])), (max(span[0], cut[1]), span[1])]
    return [(x, y) for x, y in parts if x < y]


def _in_kpis(key: str, project: ProjectEntry) -> bool:
    """Whether words are in a KPI name of the project, の aside (アプリ登録世帯数, アプリの登録世帯数)."""
    return key.replace("の", "") in project.kpis.replace("の", "")


def _acronym_of(key: str, form: str) -> bool:
    """A short word of Latin letters and digits (5G, DX) that the form holds as a word of its own
    (５Ｇデジタルファクトリー…, not the ai of mail): as much a part of the name as a longer one."""
    if not (key.isascii() and key.isalnum()):
        return False
    at = form.find(key)
    while at >= 0:
        before = form[at - 1] if at else ""
        after = form[at + len(key) : at + len(key) + 1]
        if not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum()):
            return True
        at = form.find(key, at + 1)
    return False


def _suru(token: Token) -> bool:
    return token.pos == "動詞" and token.lemma in {"する", "為る"}


def _adverbial(token: Token) -> bool:
    """A noun UniDic marks as usable as an adverb (来週, 今回, 最近): a time or degree word."""
    return token.pos3 == "副詞可能"


def _piece_rank(blocks: int) -> int:
    """A whole part in one piece ranks above one in two; not a whole part ranks last."""
    return 3 - blocks if blocks else 0


def _kana(written: str) -> bool:
    return bool(written) and all("\u3041" <= c <= "\u30ff" for c in written)


def _name_like(written: str) -> bool:
    """A word in katakana or Latin letters, without kanji: the name of a thing (ヘルメット)."""
    return not any(is_kanji(c) for c in written) and any(
        (c.isascii() and c.isalnum()) or "ァ" <= c <= "ヺ" for c in written
    )


def by_issuer(names: Names, cat: Catalogue, only: int | None, own: int | None) -> None:
    """Keep what the issuer asked about owns (山河県の…); where a name fits several issuers and none
    is named, prefer the deployment's own. A mention only another issuer owns is then unknown."""
    owner = {
        "project": lambda i: cat.projects[i].issuer_id,
        "department": lambda i: cat.departments[i].issuer_id,
        "goal": lambda i: cat.goals[i].issuer_id,
    }
    kept: list[NameHit] = []
    for hit in names.hits:
        ids = hit.ids
        if only is not None:
            ids = tuple(i for i in ids if owner[hit.kind](i) == only)
        elif len({owner[hit.kind](i) for i in ids}) > 1:
            ids = tuple(i for i in ids if owner[hit.kind](i) == own) or ids
        if ids:
            kept.append(replace(hit, ids=ids))
        else:
            names.unknown.append((hit.start, hit.end))
    names.hits = kept
    if only is not None:
        names.suggestions = {i: s for i, s in names.suggestions.items() if cat.projects[i].issuer_id == only}
