"""One normalization for names and questions, so that both sides of a comparison agree.

``fold`` makes a matching key: NFKC, case folding, katakana -> hiragana, small kana -> full size,
long-vowel marks, punctuation, wave dashes (〜 U+301C survives NFKC, ～ U+FF5E does not) and middle
dots removed, official spelling variants unified (寄付 -> 寄附, 子供/子ども -> こども …).
Between two digits a removed run leaves one separator, so 10〜20 never becomes 1020 (thousands
separators excepted: 13,200 is 13200). Stored text is never normalized: this is for matching only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Variant spellings unified for matching; applied after kana folding, longest first.
VARIANTS: dict[str, str] = {
    "寄付": "寄附",
    "子供": "こども",
    "子ども": "こども",
    "こども達": "こどもたち",
    "髙": "高",
    "﨑": "崎",
    "德": "徳",
    "邉": "辺",
    "邊": "辺",
    "嶋": "島",
    "ヶ": "け",
    "ケ所": "か所",
    "箇所": "か所",
    "取り組み": "取組",
    "取組み": "取組",
    "申し込み": "申込",
    "申込み": "申込",
}
_BMP = list(range(0x10000))


def _translation(mapping: dict[int, int]) -> list[int]:
    """A str.translate table as a list over the Basic Multilingual Plane. With a dict, every character
    the mapping leaves alone (most of them) raises and clears a KeyError inside translate; a list
    finds it mapped to itself, twice as fast. Characters beyond U+FFFF raise IndexError and are left
    unchanged, as with a dict. The tables share _BMP's int objects: about 0.5 MB each."""
    table = _BMP.copy()
    for code, to in mapping.items():
        table[code] = to
    return table


_SMALL = _translation(str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ"))
_DROP = re.compile(r"[^\w]|_|ー")  # punctuation, symbols, spaces, wave dashes, middle dots, ー
# Between two digits a dropped run (10〜20, 1/2, 3.5) leaves one separator, so that numbers are never
# merged into another number; thousands separators (13,200) are the exception and simply vanish.
_BETWEEN_DIGITS = re.compile(r"(?<=\d)(?:[^\w,，]|_|ー)[^\w]*(?=\d)")
NUMBER_SEPARATOR = "~"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# Katakana ァ..ヶ (U+30A1..U+30F6) -> hiragana ぁ..ゖ (U+3041..U+3096): one str.translate in C rather
# than a Python generator per character (fold and reading run it on every name and project text).
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_HIRAGANA = _translation(_KATAKANA_TO_HIRAGANA)


def to_hiragana(text: str) -> str:
    """Katakana (U+30A1..U+30F6) to hiragana; other characters unchanged."""
    return text.translate(_HIRAGANA)


def unify_variants(text: str) -> str:
    for old, new in _VARIANT_ITEMS:
        if old in text:
            text = text.replace(old, new)
    return text


_VARIANT_ITEMS = sorted(
    {**VARIANTS, **{to_hiragana(k): v for k, v in VARIANTS.items()}}.items(), key=lambda kv: -len(kv[0])
)


# Every character a variant may start with, in hiragana and katakana (the variants are looked for
# after to_hiragana): a text without any of them has no variant. A single character class is
# several times faster to scan than the variants one by one or an alternation of them.
_VARIANT_FIRSTS = {key[0] for key, _ in _VARIANT_ITEMS}
_VARIANT_START = re.compile(
    "["
    + "".join(
        re.escape(c)
        for c in sorted(_VARIANT_FIRSTS | {chr(ord(c) + 0x60) for c in _VARIANT_FIRSTS if "ぁ" <= c <= "ゖ"})
    )
    + "]"
)
# to_hiragana, then small kana -> full size: one table for texts without variants.
_HIRAGANA_FULL_SIZE = [_SMALL[code] for code in _HIRAGANA]


# Kanji that look like katakana, typed, converted or copied from a PDF in their place: イノベ一ション,
# プ口ジェクト, ド口ーン, ク力. Between two katakana (or ー) they can only stand for the katakana; next
# to a kanji they are themselves (センター一覧, 人口, 工場, デザイン力). ヵ/ヶ are left out of the
# context: 一ヶ月 is a kanji there, as is 一 before カ所/カ月 (一カ所).
LOOKALIKE_KATAKANA = {"一": "ー", "口": "ロ", "工": "エ", "力": "カ", "夕": "タ", "卜": "ト", "二": "ニ", "八": "ハ"}
_LOOKALIKE_ANY = re.compile(f"[{''.join(LOOKALIKE_KATAKANA)}]")
_LOOKALIKE = re.compile(f"(?<=[ァ-ヴー])[{''.join(LOOKALIKE_KATAKANA)}](?=[ァ-ヴー])(?<!一(?=カ[所月国年条]))")


def katakana_lookalikes(text: str) -> str:
    """``text`` with kanji look-alikes between katakana replaced by the katakana (see above)."""
    if _LOOKALIKE_ANY.search(text) is None:  # the usual case: skip the context scan
        return text
    return _LOOKALIKE.sub(lambda m: LOOKALIKE_KATAKANA[m.group()], text)


def fold_text(text: str) -> str:
    """The matching key of ``text``, uncached: for long texts read once (a project's 事業内容,
    KPIs, remarks), which would only push the short, recurring keys out of ``fold``'s cache."""
    text = katakana_lookalikes(nfkc(text))
    text = text.casefold()
    if _VARIANT_START.search(text) is None:
        # No variant can occur, so unify_variants would change nothing: to_hiragana and _SMALL
        # in one translate (a character map at a time costs as much as the variants' loop).
        text = text.translate(_HIRAGANA_FULL_SIZE)
    else:
        text = unify_variants(to_hiragana(text)).translate(_SMALL)
    parts = _BETWEEN_DIGITS.split(text)
    if len(parts) == 1:  # no run between two digits, the usual case
        return _DROP.sub("", text)
    return NUMBER_SEPARATOR.join(_DROP.sub("", part) for part in parts)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """The matching key of ``text`` (cached: names and question pieces recur constantly)."""
    return fold_text(text)
