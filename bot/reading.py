"""Hiragana readings from a real Japanese analyzer (fugashi + unidic-lite; see docs/readings.md).

Tokens the dictionary cannot read (Latin letters, digits, symbols) keep their surface form.
Readings of questions are cached (``reading``: once per distinct text); the catalogue reads its
names with ``read``, uncached, so that hundreds of thousands of name forms do not push the
questions out of the cache (nor keep memory after the catalogue is built).
Questions are analyzed once, with offsets and parts of speech, by ``bot.tokens``.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import fugashi

from bot.normalize import fold_text, katakana_lookalikes, nfkc, to_hiragana

_local = threading.local()

# ``read`` asks MeCab for its text output in a format of our own, "surface<TAB>kana" per word, so
# that one C call does the analysis and Python only splits a string: building a fugashi node and
# its feature namedtuple per word cost more than the analysis itself. Unknown words get no kana
# (fugashi gives them None), so they keep their surface, as do words whose kana is empty or "*".
# -O '' overrides unidic's ``output-format-type = unidic`` (dicrc), without which -F is ignored.
_KANA_FIELD = 17  # of unidic-lite's 26 features (fugashi's UnidicFeatures26.kana)


def _format_options(kana_field: int | None) -> str:
    kana = f"%f[{kana_field}]" if kana_field is not None else ""
    return f"-O '' -F '%m\\t{kana}\\n' -U '%m\\t\\n' -E ''"


def _new_tagger() -> fugashi.Tagger:
    tagger = fugashi.Tagger(_format_options(_KANA_FIELD))
    # Where ``kana`` is depends on the dictionary fugashi found (unidic 2.1.2 has none, full unidic
    # has it at 20): take it from fugashi's own field names, so that both paths read alike.
    fields = type(tagger("群馬")[0].feature)._fields
    kana_field = fields.index("kana") if "kana" in fields else None
    if kana_field != _KANA_FIELD:
        tagger = fugashi.Tagger(_format_options(kana_field))
    return tagger


def _tagger() -> fugashi.Tagger:
    # MeCab taggers are not thread-safe: one per thread (Bolt answers on a thread pool). The same
    # tagger gives nodes (``tagger(text)``) and the formatted text (``tagger.parse(text)``).
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = _new_tagger()
    return tagger


def read(text: str) -> str:
    """The matching key of the reading of ``text``: ぐんまけんこうぽいんとせいど for 群馬健康ポイント制度.
    Uncached; ``reading`` is the cached form for questions."""
    text = katakana_lookalikes(nfkc(text))  # プ口ジェクト is read as プロジェクト, not プくちジェクト
    if not text.strip():
        return ""
    # fugashi hands MeCab a C string for nodes, which ends at a NUL; the text output is made from the
    # whole length (and its own NULs would cut it short): stop where the nodes stopped.
    text = text.partition("\x00")[0]
    parts: list[str] = []
    # fugashi strips the output's trailing whitespace, so the last word may lack its tab: partition
    # then gives an empty kana and the surface is kept, as for any unknown word.
    for line in _tagger().parse(text).split("\n"):
        surface, _, kana = line.partition("\t")
        parts.append(_hiragana(kana) if kana and kana != "*" else surface)
    return fold_text("".join(parts))


@lru_cache(maxsize=20_000)
def _hiragana(kana: str) -> str:
    # A word's kana recurs from name to name (ケンコウ, ジギョウ): a cache hit is cheaper than a translate.
    return to_hiragana(kana)


@lru_cache(maxsize=200_000)
def reading(text: str) -> str:
    """``read``, cached: questions and their pieces recur."""
    return read(text)
