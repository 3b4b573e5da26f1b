"""The fast paths behind Catalogue.load give exactly what the straightforward code gave.

``read`` parses MeCab's text output instead of building fugashi nodes; ``fold_text`` skips the
variants' loop when no variant can occur and translates with list tables; FormIndex builds its
bigram postings with numpy; ``name_forms`` skips duplicate bases. Each is compared here with the
code it replaced (kept below as the reference), on the bundled data, the question set and
strings made of the characters the rules treat specially.
"""

from __future__ import annotations

import csv
import gc
import json
import random
from collections import defaultdict
from pathlib import Path

import fugashi
import numpy as np
import pytest

from bot.catalogue import DEPARTMENT_SUFFIXES, GENERIC_SUFFIXES, Catalogue, issuer_prefixes, name_forms
from bot.match import FULL_SCAN_LIMIT, Form, FormIndex, _bigrams
from bot.normalize import (
    _BETWEEN_DIGITS,
    _DROP,
    NUMBER_SEPARATOR,
    fold,
    fold_text,
    katakana_lookalikes,
    nfkc,
    to_hiragana,
    unify_variants,
)
from bot.reading import read, reading
from store.db import Database

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "store" / "data" / "gunma_r4" / "records.csv"
QUESTIONS = ROOT / "tests" / "questions.jsonl"

# --- the replaced code ------------------------------------------------------------------------

_TAGGER = fugashi.Tagger()
_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")


def reference_to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def reference_fold(text: str) -> str:
    text = katakana_lookalikes(nfkc(text))
    text = reference_to_hiragana(text.casefold())
    text = unify_variants(text)
    text = text.translate(_SMALL)
    return NUMBER_SEPARATOR.join(_DROP.sub("", part) for part in _BETWEEN_DIGITS.split(text))


def reference_reading(text: str) -> str:
    text = katakana_lookalikes(nfkc(text))
    if not text.strip():
        return ""
    parts: list[str] = []
    for word in _TAGGER(text):
        kana = getattr(word.feature, "kana", None)
        parts.append(reference_to_hiragana(kana) if kana and kana != "*" else word.surface)
    return reference_fold("".join(parts))


def reference_name_forms(name: str, suffixes: tuple[str, ...], prefixes: list[str]) -> list[str]:
    from bot.catalogue import _BRACKETS, _SEPARATORS

    bases = [name, _BRACKETS.sub("", name), *(m for m in _BRACKETS.findall(name))]
    parts = [p for b in list(bases) for p in _SEPARATORS.split(b) if len(p) >= 2]
    if len(parts) > 1:
        bases += parts
    forms: list[str] = []
    for base in bases:
        stems = [base]
        for prefix in prefixes:
            if base.startswith(prefix) and len(base) - len(prefix) >= 2:
                stems.append(base[len(prefix) :])
                break
        for stem in stems:
            current = stem
            forms.append(current)
            peeled = True
            while peeled:
                peeled = False
                for suffix in suffixes:
                    if current.endswith(suffix) and len(current) - len(suffix) >= 2:
                        current = current[: -len(suffix)]
                        forms.append(current)
                        peeled = True
                        break
    return list(dict.fromkeys(f for f in forms if f))


def reference_postings(forms: list[Form]) -> dict[str, np.ndarray]:
    postings: dict[str, list[int]] = defaultdict(list)
    for i, form in enumerate(forms):
        for gram in _bigrams(form.key) | _bigrams(form.reading):
            postings[gram].append(i)
    return {g: np.array(ids, dtype=np.int32) for g, ids in postings.items()}


# --- what to compare on -------------------------------------------------------------------------

# Characters the rules treat specially: katakana at the ends of the range, small kana, ー and 一
# between katakana, variants and their parts, digits and separators, half-width and combining
# kana, case, astral characters, whitespace MeCab skips or keeps, CSV quoting in features.
RISKY = [
    *"ァアィイゥウヵヶケけこコゖゕっッゃャーー一12３,，.・〜～_ 　寄付附子供どもドモ達取りリ組みミ申しシ込箇所",
    *"髙﨑德邉邊嶋ヷワｶﾞｰabcABCİßΣ!？（）「」*＊\"'々〃ゝ①Ⅲ㈱",
    *["\u3099", "\u309a", "𠮷", "\u200b", "\t", "\n", "\r", "\x00"],
    *["群馬", "健康", "ポイント", "ファクトリ", "ション", "イノベ", "八ッ場", "上毛", "13,200", "1〜2", "５Ｇ", "ｸﾞﾝﾏ"],
    *["申し込み", "取り組み", "こども達", "ヶ所", "ケ所", "新型コロナウイルス", "令和3年度", "テレワーク"],
]


def random_strings(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(RISKY) for _ in range(rng.randint(0, 8))) for _ in range(count)]


def bundled_texts() -> list[str]:
    with RECORDS.open(encoding="utf-8") as f:
        cells = {cell for row in csv.reader(f) for cell in row if cell}
    names = {row_name for row_name in cells if len(row_name) < 40}
    forms = {f for n in names for f in name_forms(n, GENERIC_SUFFIXES, issuer_prefixes("群馬県"))}
    questions = {json.loads(line)["q"] for line in QUESTIONS.open(encoding="utf-8")}
    return sorted(cells | forms | questions)


# --- the comparisons ----------------------------------------------------------------------------


def test_to_hiragana_maps_every_character_as_before() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert to_hiragana(every) == reference_to_hiragana(every)


def test_fold_text_and_fold_give_the_keys_they_gave() -> None:
    texts = [*bundled_texts(), *RISKY, *random_strings(20_000, seed=1)]
    assert [fold_text(t) for t in texts] == [reference_fold(t) for t in texts]
    assert [fold(t) for t in texts] == [reference_fold(t) for t in texts]


def test_fold_of_every_single_character_is_unchanged() -> None:
    chars = [chr(c) for c in range(0x3000, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    assert [fold_text(c) for c in chars] == [reference_fold(c) for c in chars]


def test_read_gives_the_readings_fugashi_nodes_gave() -> None:
    texts = [*bundled_texts(), *RISKY, *random_strings(3_000, seed=2)]
    assert [read(t) for t in texts] == [reference_reading(t) for t in texts]
    assert [reading(t) for t in texts[:200]] == [reference_reading(t) for t in texts[:200]]


def test_name_forms_are_unchanged() -> None:
    names = [
        *(t for t in bundled_texts() if len(t) < 40),
        *random_strings(2_000, seed=3),
        *["（a）", "「」", "a・b・c", "x／y（z！w）", "群馬県群馬県事業事業", "県の事業", "aモデル事業"],
        "本県の（ぐんまの推進）",
    ]
    for prefixes in (issuer_prefixes("群馬県"), [], ["a", "ab", "abc"]):
        for suffixes in (GENERIC_SUFFIXES, DEPARTMENT_SUFFIXES):
            for name in names:
                assert name_forms(name, suffixes, prefixes) == reference_name_forms(name, suffixes, prefixes), name


@pytest.mark.parametrize("seed", range(5))
def test_bigram_postings_are_unchanged(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = ["a", "b", "あ", "\x00", "\ud800", "𠮷", "\U0010ffff", "ー", "|", "群", "馬"]

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 1, 2, 3, 5, 9])))

    forms = [Form(rng.randrange(100), text(), text()) for _ in range(FULL_SCAN_LIMIT + 1 + rng.randrange(500))]
    postings = FormIndex(forms)._postings
    expected = reference_postings(forms)
    assert postings.keys() == expected.keys()
    for gram, ids in expected.items():
        assert postings[gram].dtype == np.int32
        assert postings[gram].tolist() == ids.tolist(), gram


def test_bigram_postings_of_empty_and_one_character_forms() -> None:
    for forms in ([Form(0, "", "")], [Form(0, "a", "")], [Form(0, "", "ab")], [Form(0, "ab", "ab")]):
        many = forms * (FULL_SCAN_LIMIT + 1)
        postings = FormIndex(many)._postings
        expected = reference_postings(many)
        assert {g: a.tolist() for g, a in postings.items()} == {g: a.tolist() for g, a in expected.items()}


def test_the_loaded_catalogue_holds_the_keys_and_readings_of_the_cached_functions(sqlite_db: Database) -> None:
    catalogue = Catalogue.load(sqlite_db)
    prefixes = {iid: issuer_prefixes(i.name) for iid, i in catalogue.issuers.items()}
    for i, project in enumerate(catalogue.projects):
        expected = [
            Form(i, fold(f), reading(f))
            for n in [project.name, *project.aliases]
            for f in name_forms(n, GENERIC_SUFFIXES, prefixes[project.issuer_id])
            if len(fold(f)) >= 2
        ]
        assert catalogue.project_index.forms_of(i) == expected
        assert project.text.split("|")[0] == fold(project.name)
        for name in [project.name, *project.aliases]:
            assert i in catalogue.exact_names[fold(name)]


def test_load_leaves_the_garbage_collector_as_it_found_it(sqlite_db: Database) -> None:
    assert gc.isenabled()
    Catalogue.load(sqlite_db)
    assert gc.isenabled()
    gc.disable()
    try:
        Catalogue.load(sqlite_db)
        assert not gc.isenabled()
    finally:
        gc.enable()
