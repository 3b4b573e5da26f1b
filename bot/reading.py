"""Hiragana readings from a real Japanese analyzer (fugashi + unidic-lite; see docs/readings.md).

Tokens the dictionary cannot read (Latin letters, digits, symbols) keep their surface form.
Readings are cached: names are read once per catalogue, questions once per distinct text.
The same analyzer also tells the question parser which words are particles or generic
(``tokens``) and gives content search its nouns and verbs (``compounds``, ``verbs``).
"""

from __future__ import annotations

import threading
from functools import lru_cache

import fugashi

from bot.normalize import fold, nfkc, to_hiragana

_local = threading.local()


def _tagger() -> fugashi.Tagger:
    # MeCab taggers are not thread-safe: one per thread (Bolt answers on a thread pool).
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = fugashi.Tagger()
    return tagger


@lru_cache(maxsize=200_000)
def reading(text: str) -> str:
    """The matching key of the reading of ``text``: ぐんまけんこうぽいんとせいど for 群馬健康ポイント制度."""
    text = nfkc(text)
    if not text.strip():
        return ""
    parts: list[str] = []
    for word in _tagger()(text):
        kana = getattr(word.feature, "kana", None)
        parts.append(to_hiragana(kana) if kana and kana != "*" else word.surface)
    return fold("".join(parts))


@lru_cache(maxsize=50_000)
def compounds(text: str) -> tuple[str, ...]:
    """Content words (nouns, their prefixes/suffixes joined) of ``text`` as written (NFKC)."""
    out: list[str] = []
    current = ""
    for word in _tagger()(nfkc(text)):
        pos = word.feature.pos1
        if pos in {"名詞", "接頭辞", "接尾辞"} or (pos == "形状詞" and word.surface.isascii() is False):
            current += word.surface
            continue
        if current:
            out.append(current)
        current = ""
    if current:
        out.append(current)
    return tuple(out)


@lru_cache(maxsize=50_000)
def tokens(text: str) -> tuple[tuple[str, str], ...]:
    """(part of speech, lemma) of each word of ``text``; unknown words stand for themselves."""
    out = []
    for word in _tagger()(nfkc(text)):
        lemma = getattr(word.feature, "lemma", None)
        out.append((word.feature.pos1 or "", lemma if lemma and lemma != "*" else word.surface))
    return tuple(out)


@lru_cache(maxsize=50_000)
def verbs(text: str) -> tuple[tuple[str, str], ...]:
    """(lemma, stem) of each content verb and adjective of ``text``: (遊ぶ, 遊) for 遊ぼう; the stem is
    the written form without its kana ending, as a matching key."""
    out = []
    for word in _tagger()(nfkc(text)):
        if word.feature.pos1 in {"動詞", "形容詞"} and word.feature.pos2 != "非自立可能":
            stem = "".join(c for c in word.surface if not "\u3041" <= c <= "\u309f")
            out.append((word.feature.lemma or word.surface, fold(stem or word.surface)))
    return tuple(out)
