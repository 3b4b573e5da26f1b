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
_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_DROP = re.compile(r"[^\w]|_|ー")  # punctuation, symbols, spaces, wave dashes, middle dots, ー
# Between two digits a dropped run (10〜20, 1/2, 3.5) leaves one separator, so that numbers are never
# merged into another number; thousands separators (13,200) are the exception and simply vanish.
_BETWEEN_DIGITS = re.compile(r"(?<=\d)(?:[^\w,，]|_|ー)[^\w]*(?=\d)")
NUMBER_SEPARATOR = "~"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def to_hiragana(text: str) -> str:
    """Katakana (U+30A1..U+30F6) to hiragana; other characters unchanged."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def unify_variants(text: str) -> str:
    for old, new in _VARIANT_ITEMS:
        if old in text:
            text = text.replace(old, new)
    return text


_VARIANT_ITEMS = sorted(
    {**VARIANTS, **{to_hiragana(k): v for k, v in VARIANTS.items()}}.items(), key=lambda kv: -len(kv[0])
)


# 一 (the kanji for one) typed or converted for the long vowel mark between katakana: イノベ一ション.
_KANJI_ONE_AS_LONG_VOWEL = re.compile(r"(?<=[ァ-ヶ])一(?=[ァ-ヶ])")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """The matching key of ``text`` (cached: names and question pieces recur constantly)."""
    text = _KANJI_ONE_AS_LONG_VOWEL.sub("ー", nfkc(text))
    text = to_hiragana(text.casefold())
    text = unify_variants(text)
    text = text.translate(_SMALL)
    return NUMBER_SEPARATOR.join(_DROP.sub("", part) for part in _BETWEEN_DIGITS.split(text))


@lru_cache(maxsize=50_000)
def surface(text: str) -> str:
    """NFKC, case-folded, without spaces: the form intent patterns are written against."""
    text = nfkc(text).casefold()
    text = text.replace("寄付", "寄附")
    return re.sub(r"\s+", "", text)
