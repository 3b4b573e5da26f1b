"""Fuzzy matching of a name mention against many name forms (surface and reading).

Score of a mention ``q`` against a form ``f`` (both matching keys, see ``bot.normalize.fold``):
with ``l`` the length of their longest common subsequence (rapidfuzz ``LCSseq``),
``0.65 * l/len(q) + 0.35 * l/len(f)``: how much of what the user typed the name explains,
and how much of the name the user typed. Taken on surface keys and on reading keys; the
higher wins. Chosen by measurement (bench/match_bench.py): whitespace-token scorers do nothing
for Japanese and WRatio/partial_ratio tie hundreds of names at 100 in a large catalogue.

For large catalogues a character-bigram inverted index picks the candidate forms first, so a
question costs a few hundred comparisons rather than one per name.

A score alone cannot tell a typo from a different name: 医療機関支援基金 scores higher against
医療機関応援金 than ポイソト against ポイント. ``explain`` therefore looks at what the alignment
leaves over: a kanji of the mention that no name character accounts for carries meaning
(支援, 基金, 観光) unless the reading accounts for it (an IME homophone such as 拠典化); a
stray kana or letter is a typo only when there is at most one of them in a longer mention.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

import numpy as np
from rapidfuzz.distance import LCSseq, Levenshtein, Opcode
from rapidfuzz.process import cdist

QUERY_WEIGHT = 0.65
FULL_SCAN_LIMIT = 4000  # forms; above this, prefilter with the bigram index
CANDIDATES = 400
BEST_CACHE = 20_000  # mentions, per index
EXPLAIN_CACHE = 50_000  # (entity, mention) pairs, per index
TYPO_MIN_LENGTH = 5  # a mention this long may carry one stray kana or letter
FREE = frozenset("の")  # a particle the user may add inside a name (子供の環境学習)
CODE_MAX = 4  # letters and digits: a run this short is a code (DX, ICT, 5G), every character meaningful
EXACT_READING_MIN = 5  # kana: a reading this long, typed exactly, names its form (ぐんまではたらこう)


@dataclass(frozen=True)
class Form:
    """One way of writing an entity's name: its matching key and reading key."""

    entity: int  # index of the entity in its FormIndex
    key: str
    reading: str


@dataclass(frozen=True)
class Cover:
    """An edit alignment of a query against a form, seen from the query's side."""

    meaningful: int  # kanji the form does not account for (支援 in 医療機関支援基金)
    typos: int  # stray kana or letters, and single characters swapped for another (拠典化)
    blocks: int  # contiguous matched blocks of the query

    @property
    def whole(self) -> bool:
        return self.meaningful == 0 and self.typos == 0 and self.blocks <= 2


@dataclass(frozen=True)
class Explanation:
    """How well a form accounts for a mention: ``explained`` and, stricter, ``whole``."""

    score: float
    explained: bool  # nothing meaningful left over: particles, one typo, homophone kanji at most
    whole: bool  # every character accounted for, in at most two blocks (a part of the name)
    form: Form
    blocks: int = 0  # of a whole part: 1 when the name holds it in one piece (健康ポイント制度)


_KANJI = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff々"
_KANJI_RUN = re.compile(f"[{_KANJI}]")


def is_kanji(char: str) -> bool:
    """CJK ideographs (and 々), the characters that carry a name's meaning."""
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or char == "々"


def _is_kana(char: str) -> bool:
    return "\u3041" <= char <= "\u30fa"


def _kanji_count(text: str) -> int:
    return len(_KANJI_RUN.findall(text))


def same_sound(a: str, b: str) -> bool:
    """Whether two kanji read alike on their own (典 and 点 are both てん)."""
    from bot.reading import reading  # the analyzer loads on first use, not on import

    return reading(a) == reading(b)


def cover(query: str, form: str, free: frozenset[str] = FREE) -> Cover:
    """Align ``query`` with ``form`` and sort out what of the query the form does not account for.

    A single matching character with two or more skipped characters of the form on either side
    (inside the form) is a coincidence, not a match: the う of のうぎょう is not the う of じぎょう."""
    meaningful = typos = blocks = 0
    ops = list(Levenshtein.opcodes(query, form))

    def long_vowels(start: int, end: int) -> int:
        """一 right after a kana of the query: a long vowel typed as the kanji for one (ファクトリ一環境)."""
        return sum(1 for j in range(max(start, 1), end) if query[j] == "一" and _is_kana(query[j - 1]))

    def left_over(start: int, end: int) -> None:
        nonlocal meaningful, typos
        chars = query[start:end]
        kanji = _kanji_count(chars) - long_vowels(start, end)
        meaningful += kanji
        typos += len(chars) - kanji - sum(chars.count(c) for c in free)  # free characters are kana

    def skipped(i: int) -> int:
        """Form characters skipped by the operation at ``i`` (0 at either end of the form)."""
        if i < 0 or i >= len(ops) or ops[i].tag == "equal":
            return 0
        op = ops[i]
        if op.dest_start == 0 or op.dest_end == len(form):
            return 0
        return op.dest_end - op.dest_start

    def edge(i: int) -> int:
        """Form characters left out at either end by the operation at ``i`` (an insert)."""
        if i < 0 or i >= len(ops) or ops[i].tag != "insert":
            return 0
        return ops[i].dest_end - ops[i].dest_start

    def typo(i: int) -> bool:
        return 0 <= i < len(ops) and ops[i].tag == "replace"

    for i, op in enumerate(ops):
        if op.tag == "equal":
            # く of くす人材育成 for ものづくり人材育成: one character between the name's start left out
            # and a typo is as much a coincidence as one between characters left out.
            lone = (edge(i - 1) >= 2 and typo(i + 1)) or (edge(i + 1) >= 2 and typo(i - 1))
            if op.src_end - op.src_start == 1 and (max(skipped(i - 1), skipped(i + 1)) >= 2 or lone):
                left_over(op.src_start, op.src_end)
                typos += 1  # and the word of the name it stands in: ら of らー for ぶらんど
            else:
                blocks += 1
            continue
        left = [c for c in query[op.src_start : op.src_end] if c not in free]
        if op.tag == "replace" and len(left) == 1 and op.dest_end - op.dest_start == 1:
            # One character typed for another: a typo, but a kanji only for a homophone (拠典化); one
            # beside characters of the name left out is a word typed for another (いん for はっしん).
            if (
                is_kanji(left[0])
                and not long_vowels(op.src_start, op.src_end)
                and not same_sound(left[0], form[op.dest_start])
            ) or _in_code(query, op.src_start):
                meaningful += 1
            else:
                typos += 1
            if _beside_left_out(ops, i, len(form)):
                typos += 1
        else:
            left_over(op.src_start, op.src_end)
    return Cover(meaningful, typos, blocks)


def _in_code(text: str, i: int) -> bool:
    """Whether ``text[i]`` is a letter or digit of a short run of them (GX, DX, 5G, 第1期): a code whose
    every character carries meaning, not a long word in Latin letters (kenkou) where one may be a typo."""
    if not (text[i].isascii() and text[i].isalnum()):
        return False
    a, b = i, i + 1
    while a > 0 and text[a - 1].isascii() and text[a - 1].isalnum():
        a -= 1
    while b < len(text) and text[b].isascii() and text[b].isalnum():
        b += 1
    return b - a <= CODE_MAX


def _beside_left_out(ops: Sequence[Opcode], i: int, form_length: int) -> bool:
    """Whether the operation at ``i`` has characters of the form left out beside it, inside the form, or
    one matching character away (い|ん|ぐ: いん typed for やんぐ)."""

    def left_out(j: int) -> bool:
        op = ops[j] if 0 <= j < len(ops) else None
        return op is not None and op.tag == "insert" and op.dest_start > 0 and op.dest_end < form_length

    def single(j: int) -> bool:
        return 0 <= j < len(ops) and ops[j].tag == "equal" and ops[j].src_end - ops[j].src_start == 1

    return any(left_out(i + d) or (single(i + d) and left_out(i + 2 * d)) for d in (-1, 1))


def explain(query: str, query_reading: str, form: Form) -> Explanation:
    """Whether ``form`` accounts for everything meaningful in the mention (see the module doc)."""
    return _explain(query, query_reading, form, score(query, query_reading, form))


def _explain(query: str, query_reading: str, form: Form, form_score: float) -> Explanation:
    tolerance = 1 if len(query) >= TYPO_MIN_LENGTH else 0
    explained = whole = False
    blocks = 0
    surface = cover(query, form.key) if query else None
    if surface is not None:
        explained = surface.meaningful == 0 and surface.typos <= tolerance
        whole = surface.whole
        blocks = surface.blocks if whole else 0
    if query_reading and not (explained and whole):  # the surface may already account for everything
        # Readings explain kana-typed names; a kanji the surface leaves over must be a homophone.
        spoken = cover(query_reading, form.reading, free=frozenset())  # の is only a particle in writing
        allowed = 0 if surface is not None and surface.meaningful else tolerance
        # A kanji the surface leaves over must be read in one piece, not pieced together from the
        # name's reading (漁業 ぎょぎょう is not the ぎょ of 農業 and the ぎょう of 事業).
        contiguous = not (surface is not None and surface.meaningful) or spoken.blocks <= 2
        explained = explained or (spoken.typos + spoken.meaningful <= allowed and contiguous)
        if spoken.whole and not whole:
            whole, blocks = True, spoken.blocks
    return Explanation(form_score, explained, whole, form, blocks)


def score(query: str, query_reading: str, form: Form) -> float:
    return max(_pair(query, form.key), _pair(query_reading, form.reading))


def _pair(q: str, f: str) -> float:
    if not q or not f:
        return 0.0
    common = LCSseq.similarity(q, f)
    return QUERY_WEIGHT * common / len(q) + (1 - QUERY_WEIGHT) * common / len(f)


def _holds_all(query: str, query_reading: str, form: Form) -> bool:
    """Whether the form holds every character of the mention, as written (particles aside) or as
    read: the condition for ``cover(...).whole``, cheap to test before aligning."""
    if query and LCSseq.similarity(query, form.key) >= len(query) - sum(query.count(c) for c in FREE):
        return True
    return bool(query_reading) and LCSseq.similarity(query_reading, form.reading) == len(query_reading)


def _as_list(picked: str | tuple[str, ...]) -> list[str]:
    """``itemgetter`` of one index gives the item itself, of several a tuple."""
    return [picked] if isinstance(picked, str) else list(picked)


def _bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


class FormIndex:
    """All forms of one kind of entity (projects, departments or goals)."""

    def __init__(self, forms: Sequence[Form]) -> None:
        self.forms = list(forms)
        self.keys = [f.key for f in self.forms]
        self.readings = [f.reading for f in self.forms]
        self._key_len = np.array([max(len(k), 1) for k in self.keys], dtype=np.float32)
        self._read_len = np.array([max(len(r), 1) for r in self.readings], dtype=np.float32)
        # The prefilter's tie-break: a form's length as a fraction below 1 (longer forms rank lower).
        total_len = self._key_len + self._read_len
        self._length_rank = total_len / (float(total_len.max(initial=0.0)) + 1.0)
        self._entity = np.array([f.entity for f in self.forms], dtype=np.int64)
        self._postings: dict[str, np.ndarray] = {}
        if len(self.forms) > FULL_SCAN_LIMIT:
            # gram -> ascending ids (int32) of the forms with that gram in _bigrams(key) | _bigrams(reading),
            # computed with numpy over all texts at once: a Python set and list appends per form cost
            # several times more. Temporaries stay small (int32, in place) for large catalogues.
            n = len(self.forms)
            texts = [text for f in self.forms for text in (f.key, f.reading)]  # form i: texts 2i, 2i+1
            lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            chars = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            text_of = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
            inside = text_of[:-1] == text_of[1:]  # two adjacent characters of one text: a bigram
            # A gram as one number: a bigram as (first + 1) << 21 | second, a one-character text (its
            # own gram, as in _bigrams) as its code point; code points are below 2**21, so the two
            # never collide. With its form: gram * n + form, which sorts by gram, then form (gram
            # < 2**42, so within int64 for n < 2**21 forms: eight times the 100,000-project bench).
            assert n < 1 << 21, "too many forms to pack a (gram, form) pair in 64 bits"
            owners = text_of[:-1][inside] >> 1
            del text_of
            pairs = chars[:-1][inside].astype(np.int64)
            pairs += 1
            pairs <<= 21
            pairs |= chars[1:][inside]
            del inside
            pairs *= n
            pairs += owners
            del owners
            single = np.flatnonzero(lengths == 1)
            if len(single):
                lone = chars[(np.cumsum(lengths) - lengths)[single]].astype(np.int64) * n + (single >> 1)
                pairs = np.concatenate([pairs, lone])
            del texts, chars

            def run_starts(a: np.ndarray) -> np.ndarray:
                """Where each run of equal values of the sorted ``a`` starts (a mask)."""
                mask = np.empty(len(a), dtype=bool)
                mask[:1] = True
                np.not_equal(a[1:], a[:-1], out=mask[1:])
                return mask

            pairs.sort()  # and a mask, not np.unique: numpy 2's unique hashes and is many times slower
            pairs = pairs[run_starts(pairs)]  # each (gram, form) once
            ids = np.empty(len(pairs), dtype=np.int32)
            np.remainder(pairs, n, out=ids, casting="unsafe")  # the form, below n
            pairs //= n  # the gram of each id
            starts = np.flatnonzero(run_starts(pairs)).tolist()  # each gram's forms: a slice of ids
            ends = [*starts[1:], len(ids)] if starts else []
            for code, start, end in zip(pairs[starts].tolist(), starts, ends, strict=True):
                gram = chr(code) if code < 1 << 21 else chr((code >> 21) - 1) + chr(code & ((1 << 21) - 1))
                self._postings[gram] = ids[start:end]
        self._by_entity: dict[int, list[Form]] = defaultdict(list)
        exact: dict[str, dict[int, None]] = defaultdict(dict)
        for form in self.forms:
            self._by_entity[form.entity].append(form)
            exact[form.key][form.entity] = None
        # Matching key of a form -> the entities written so (a form several names share, such as
        # 人材育成事業 of four 〇〇人材育成事業, names them all alike).
        self.exact: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in exact.items()}
        spoken: dict[str, dict[int, None]] = defaultdict(dict)
        for form in self.forms:
            if len(form.reading) >= EXACT_READING_MIN:
                spoken[form.reading][form.entity] = None
        self.exact_reading: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in spoken.items()}
        # Questions repeat their words (a project asked about all morning, the parts of a long name):
        # the index never changes, so what a mention scores and how a form explains it is kept.
        self._best_kept = lru_cache(maxsize=BEST_CACHE)(self._best)
        self._explain_kept = lru_cache(maxsize=EXPLAIN_CACHE)(self._explain_entity)

    def forms_of(self, entity: int) -> list[Form]:
        return self._by_entity.get(entity, [])

    def score_of(self, entity: int, query: str, query_reading: str) -> float:
        """The entity's best score over its forms."""
        return max((score(query, query_reading, f) for f in self.forms_of(entity)), default=0.0)

    def explain(
        self, entity: int, query: str, query_reading: str, floor: float = 0.0, accept: float | None = None
    ) -> Explanation | None:
        """The entity's form that best accounts for the mention (see ``_explain_entity``), kept."""
        return self._explain_kept(entity, query, query_reading, floor, accept)

    def _explain_entity(
        self, entity: int, query: str, query_reading: str, floor: float = 0.0, accept: float | None = None
    ) -> Explanation | None:
        """The entity's form that best accounts for the mention: explained first, then by score.
        Forms scoring below ``floor`` are not aligned (an explained form scores at least 0.65).
        With ``accept``, only forms that could make the mention a name are aligned: scoring at least
        ``accept``, or holding every character of it (a whole part); the others cannot change whether
        it is one, and aligning them is most of the cost of a mention that names nothing."""
        scored = [(score(query, query_reading, f), f) for f in self.forms_of(entity)]
        found = [
            _explain(query, query_reading, f, s)
            for s, f in scored
            if s >= floor and (accept is None or s >= accept or _holds_all(query, query_reading, f))
        ]
        return max(found, key=lambda e: (e.explained, e.whole, e.score), default=None)

    def _candidates(self, query: str, query_reading: str) -> np.ndarray | None:
        if not self._postings:
            return None
        grams = _bigrams(query) | _bigrams(query_reading)
        lists = [self._postings[g] for g in grams if g in self._postings]
        if not lists:
            return np.empty(0, dtype=np.int64)
        counts = np.bincount(np.concatenate(lists), minlength=len(self.forms))
        found = np.flatnonzero(counts)
        if len(found) <= CANDIDATES:
            return found
        # Most grams shared first; among forms sharing as many, the shorter first: they score higher
        # (a name holding 健康ポイント is not as close to it as 健康ポイント itself). Without this, which
        # of hundreds of tied forms made the cut was arbitrary, and the right one could be left out.
        priority = counts[found] - self._length_rank[found]
        return found[np.argpartition(-priority, CANDIDATES - 1)[:CANDIDATES]]

    def best(self, query: str, query_reading: str, limit: int = 5) -> tuple[tuple[int, float], ...]:
        """The best ``limit`` entities as (entity, score), best first (see ``_best``), kept."""
        return self._best_kept(query, query_reading, limit)

    def _best(self, query: str, query_reading: str, limit: int = 5) -> tuple[tuple[int, float], ...]:
        """The best ``limit`` entities as (entity, score), best first; one row per entity."""
        if not self.forms or not (query or query_reading):
            return ()
        ids = self._candidates(query, query_reading)
        if ids is not None and len(ids) == 0:
            return ()
        pick = None if ids is None else itemgetter(*ids.tolist())
        keys = self.keys if pick is None else _as_list(pick(self.keys))
        readings = self.readings if pick is None else _as_list(pick(self.readings))
        key_len = self._key_len if ids is None else self._key_len[ids]
        read_len = self._read_len if ids is None else self._read_len[ids]
        entity = self._entity if ids is None else self._entity[ids]
        if len(keys) == 0:
            return ()
        scores = np.zeros(len(keys), dtype=np.float32)
        for q, choices, lengths in ((query, keys, key_len), (query_reading, readings, read_len)):
            if not q:
                continue
            common = cdist([q], choices, scorer=LCSseq.similarity, dtype=np.int32, workers=1)[0]
            pair = QUERY_WEIGHT * common / len(q) + (1 - QUERY_WEIGHT) * common / lengths
            np.maximum(scores, pair, out=scores)
        order = np.argsort(-scores, kind="stable")
        out: list[tuple[int, float]] = []
        seen: set[int] = set()
        for i in order:
            ent = int(entity[i])
            if ent in seen:
                continue
            seen.add(ent)
            out.append((ent, round(float(scores[i]), 4)))
            if len(out) >= limit:
                break
        return tuple(out)
