"""Hiragana readings from a real Japanese analyzer (fugashi + unidic-lite; see docs/readings.md).

Tokens the dictionary cannot read (Latin letters, digits, symbols) keep their surface form.
Readings are cached: names are read once per catalogue, questions once per distinct text.
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
def nouns(text: str) -> tuple[str, ...]:
    """Content words (nouns, their prefixes/suffixes joined) of ``text`` as matching keys."""
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
    return tuple(k for k in (fold(n) for n in out) if k)
