"""Fuzzy matching of a name mention against many name forms (surface and reading).

Score of a mention ``q`` against a form ``f`` (both matching keys, see ``bot.normalize.fold``):
with ``l`` the length of their longest common subsequence (rapidfuzz ``LCSseq``),
``0.65 * l/len(q) + 0.35 * l/len(f)``: how much of what the user typed the name explains,
and how much of the name the user typed. Taken on surface keys and on reading keys; the
higher wins. Chosen by measurement (bench/match_bench.py): whitespace-token scorers do nothing
for Japanese and WRatio/partial_ratio tie hundreds of names at 100 in a large catalogue.

For large catalogues a character-bigram inverted index picks the candidate forms first, so a
question costs a few hundred comparisons rather than one per name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import LCSseq
from rapidfuzz.process import cdist

QUERY_WEIGHT = 0.65
FULL_SCAN_LIMIT = 4000  # forms; above this, prefilter with the bigram index
CANDIDATES = 400


@dataclass(frozen=True)
class Form:
    """One way of writing an entity's name: its matching key and reading key."""

    entity: int  # index of the entity in its FormIndex
    key: str
    reading: str


def score(query: str, query_reading: str, form: Form) -> float:
    return max(_pair(query, form.key), _pair(query_reading, form.reading))


def _pair(q: str, f: str) -> float:
    if not q or not f:
        return 0.0
    common = LCSseq.similarity(q, f)
    return QUERY_WEIGHT * common / len(q) + (1 - QUERY_WEIGHT) * common / len(f)


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
        self._entity = np.array([f.entity for f in self.forms], dtype=np.int64)
        self._postings: dict[str, np.ndarray] = {}
        if len(self.forms) > FULL_SCAN_LIMIT:
            postings: dict[str, list[int]] = defaultdict(list)
            for i, form in enumerate(self.forms):
                for gram in _bigrams(form.key) | _bigrams(form.reading):
                    postings[gram].append(i)
            self._postings = {g: np.array(ids, dtype=np.int32) for g, ids in postings.items()}

    def _candidates(self, query: str, query_reading: str) -> np.ndarray | None:
        if not self._postings:
            return None
        grams = _bigrams(query) | _bigrams(query_reading)
        lists = [self._postings[g] for g in grams if g in self._postings]
        if not lists:
            return np.empty(0, dtype=np.int64)
        counts = np.bincount(np.concatenate(lists), minlength=len(self.forms))
        top = min(CANDIDATES, int(np.count_nonzero(counts)))
        if top == 0:
            return np.empty(0, dtype=np.int64)
        return np.argpartition(-counts, top - 1)[:top]

    def best(self, query: str, query_reading: str, limit: int = 5) -> list[tuple[int, float]]:
        """The best ``limit`` entities as (entity, score), best first; one row per entity."""
        if not self.forms or not (query or query_reading):
            return []
        ids = self._candidates(query, query_reading)
        keys = self.keys if ids is None else [self.keys[i] for i in ids]
        readings = self.readings if ids is None else [self.readings[i] for i in ids]
        key_len = self._key_len if ids is None else self._key_len[ids]
        read_len = self._read_len if ids is None else self._read_len[ids]
        entity = self._entity if ids is None else self._entity[ids]
        if len(keys) == 0:
            return []
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
        return out
