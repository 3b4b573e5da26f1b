"""Stage 1 of understanding a question: the text as tokens, read once.

A character filter first (as in SudachiPy's input-text plugins and kuromoji's char filters): NFKC,
katakana look-alikes (プ口ジェクト), and the addressee (``<@U123>``, a typed ``@kensho``) blanked out,
with an offset map back to the text as typed. Then one MeCab pass (fugashi + unidic-lite). Every
later stage works on these tokens only; none re-reads or re-normalizes the question.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import fugashi
import jaconv

from bot.normalize import fold, katakana_lookalikes, to_hiragana

MAX_QUESTION = 500  # characters: a longer text is cut (a question, not a document)

# Parts of speech that never name anything by themselves (UniDic pos1).
FUNCTION_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白", "接続詞", "感動詞", "連体詞", "副詞", "代名詞"})
PREDICATE_POS = frozenset({"動詞", "形容詞"})
_ADDRESSEE = re.compile(r"<[@#!][^>]*>|^\s*[@＠][A-Za-z0-9_.\-]+\s+")
_local = threading.local()
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_DOUBLED = re.compile(r"([bcdfghjkmpqrstvwxyz])\1|tch")
# Kanji dictionary forms of verbs mostly written in kana: one spelling for lemma matching.
_LEMMA_SPELLING = {
    "為る": "する",
    "有る": "ある",
    "居る": "いる",
    "成る": "なる",
    "出来る": "できる",
    "無い": "ない",
    "遣る": "やる",
    "貰う": "もらう",
    "下さる": "くださる",
    "頂く": "いただく",
    "呉れる": "くれる",
    "致す": "いたす",
    "御": "お",
    "頂ける": "いただける",
    "貰える": "もらえる",
}


_QUOTES = {"「": "」", "『": "』"}


def _phrase_start(toks: tuple[Token, ...], k: int) -> bool:
    """Whether a phrase taken back starts at token ``k``: after 、 or after a noun's の (健康ポイントの|寄附額),
    not after the の of a particle (何社からの寄附 is one phrase)."""
    before = toks[k - 1]
    if before.pos2 == "読点" or before.surface in {"、", ","}:
        return True
    return before.surface == "の" and k > 1 and toks[k - 2].pos != "助詞"


@dataclass(frozen=True, slots=True)
class Token:
    surface: str  # as analyzed (NFKC)
    lemma: str  # dictionary form (除い → 除く), the surface for unknown words
    pos: str  # UniDic pos1: 名詞, 助詞, 動詞 …
    pos2: str  # UniDic pos2: 普通名詞, 数詞, 格助詞, 非自立可能 …
    pos3: str  # UniDic pos3: 副詞可能, サ変可能, 一般 …
    form: str  # UniDic conjugation form: 意志推量形 (働こう), 終止形-一般 …
    reading: str  # matching key of the reading (hiragana), the key itself for unknown words
    key: str  # matching key of the surface (bot.normalize.fold)
    start: int  # offsets into the question as typed
    end: int

    @property
    def function(self) -> bool:
        """A particle, auxiliary, symbol, conjunction, interjection, 連体詞 (どういう), adverb or pronoun."""
        if self.pos == "接頭辞" and self.lemma == "お":  # お/ご of politeness (おいくら, ご担当)
            return True
        if self.pos == "記号" and any("ァ" <= c <= "ヺ" for c in self.surface):
            return False  # katakana the dictionary does not know (健|ポ): name material; hiragana so is noise
        # よう / そう / みたい (どのような, …そうな) are the stems of auxiliaries, whatever their pos1.
        return self.pos in FUNCTION_POS or self.pos2 == "助動詞語幹"

    @property
    def stop(self) -> bool:
        """Punctuation that ends or separates (、。！？ and the like), never part of a word; brackets are."""
        return not self.key and self.pos == "補助記号" and not self.pos2.startswith("括弧")

    @property
    def predicate(self) -> bool:
        return self.pos in PREDICATE_POS

    @property
    def number(self) -> bool:
        return self.pos2 == "数詞" or self.surface.isdigit()


@dataclass(frozen=True)
class Tokens:
    """The question as typed and its tokens."""

    text: str
    tokens: tuple[Token, ...]

    def __len__(self) -> int:
        return len(self.tokens)

    def typed(self, i: int, j: int) -> str:
        """Tokens i..j-1 as the user typed them."""
        if i >= j:
            return ""
        return self.text[self.tokens[i].start : self.tokens[j - 1].end].strip()

    def key(self, i: int, j: int) -> str:
        return "".join(t.key for t in self.tokens[i:j])

    def reading(self, i: int, j: int) -> str:
        return "".join(t.reading for t in self.tokens[i:j])

    def joined(self, i: int) -> bool:
        """Whether tokens ``i`` and ``i + 1`` are typed with nothing between them (no space)."""
        toks = self.tokens
        return i >= 0 and i + 1 < len(toks) and toks[i].end == toks[i + 1].start

    def touching(self, i: int) -> bool:
        """Whether token ``i`` is typed with no space before or after it, beside another token."""
        return self.joined(i - 1) or self.joined(i)

    def retracted(self) -> tuple[int, int] | None:
        """What the asker took back (高齢者じゃなくて中高生の…, 健康ポイントの寄附額ではなく件数): the
        words before じゃなくて / ではなく back to の, 、 or the start, with it; offsets into the text."""
        toks = self.tokens
        for i, t in enumerate(toks[:-1]):
            negated = toks[i + 1]
            if not (t.lemma == "だ" or (t.surface == "は" and i > 0 and toks[i - 1].surface == "で")):
                continue
            if negated.lemma != "ない" or not negated.form.startswith("連用形"):
                continue
            if negated.form.endswith("促音便"):
                continue  # 24,450千円ではなかったですか: asked whether it was not so, nothing taken back
            j = i + 2
            while j < len(toks) and (toks[j].surface == "て" or toks[j].stop):
                j += 1
            if j == len(toks):
                return None
            k = i - 1 if t.surface == "は" else i
            while k > 0 and not _phrase_start(toks, k):
                k -= 1
            return toks[k].start, toks[j].start
        return None

    def quoted(self) -> tuple[int, int] | None:
        """The tokens between the first 「 or 『 and its closing bracket, if any are."""
        opening = next((i for i, t in enumerate(self.tokens) if t.surface in _QUOTES), None)
        if opening is None:
            return None
        close = _QUOTES[self.tokens[opening].surface]
        end = next((j for j in range(opening + 1, len(self.tokens)) if self.tokens[j].surface == close), None)
        if end is None or end == opening + 1 or not self.key(opening + 1, end):
            return None
        return opening + 1, end

    def quotes(self) -> list[tuple[int, int]]:
        """The token spans inside 「」 or 『』, the outermost of nested ones."""
        spans, depth, start = [], 0, 0
        for i, t in enumerate(self.tokens):
            if t.surface in _QUOTES:
                if depth == 0:
                    start = i + 1
                depth += 1
            elif t.surface in _QUOTES.values() and depth:
                depth -= 1
                if depth == 0:
                    spans.append((start, i))
        return spans

    def lemma_key(self, i: int, j: int) -> str:
        """Keys of tokens i..j-2 and the lemma of the last: 除いた → 除く, 比べて → 比べる."""
        if i >= j:
            return ""
        return self.key(i, j - 1) + fold(self.tokens[j - 1].lemma)


def char_filter(question: str) -> tuple[str, list[int]]:
    """NFKC (combining marks with their base: ｶﾞ → ガ) and katakana look-alikes, with the offset in
    ``question`` of every character of the result; the addressee becomes spaces."""
    question = _ADDRESSEE.sub(lambda m: " " * len(m.group()), question[:MAX_QUESTION])
    # Format controls (bidi marks, zero-width spaces) are invisible and mean nothing: they go.
    question = "".join(" " if unicodedata.category(c) == "Cf" else c for c in question)
    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(question):
        j = i + 1
        while j < len(question) and (unicodedata.combining(question[j]) or question[j] in "ﾞﾟ゛゜"):
            j += 1
        piece = unicodedata.normalize("NFKC", question[i:j])
        out.append(piece)
        origin += [i] * len(piece)
        i = j
    origin.append(len(question))
    text = "".join(out)
    if text.isascii() and len(_WORD.findall(text)) >= 2:  # a sentence in romaji, not one code (no1, R3)
        text, origin = _romaji(text, origin)
    text, origin = _spelled_letters(text, origin)
    return katakana_lookalikes(text), origin


# Latin letters as read out in kana (でぃーえっくす for DX, じーえっくす for GX).
_LETTER_NAMES = {
    "えー": "A",
    "びー": "B",
    "しー": "C",
    "でぃー": "D",
    "いー": "E",
    "えふ": "F",
    "じー": "G",
    "えいち": "H",
    "あい": "I",
    "じぇー": "J",
    "けー": "K",
    "える": "L",
    "えむ": "M",
    "えぬ": "N",
    "おー": "O",
    "ぴー": "P",
    "きゅー": "Q",
    "あーる": "R",
    "えす": "S",
    "てぃー": "T",
    "ゆー": "U",
    "ぶい": "V",
    "だぶりゅー": "W",
    "えっくす": "X",
    "わい": "Y",
    "ぜっと": "Z",
}
_LETTERS = re.compile("(?:" + "|".join(sorted(map(re.escape, _LETTER_NAMES), key=len, reverse=True)) + ")")
_KANA_RUN = re.compile(r"[ぁ-ゖー]+")


def _spelled_letters(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """A run of hiragana that is wholly two or more letters read out (でぃーえっくす) is those letters
    (DX), as a name holds them; anything else in kana stays as it is."""
    out: list[str] = []
    mapped: list[int] = []
    at = 0
    for run in _KANA_RUN.finditer(text):
        letters = []
        pos = run.start()
        while pos < run.end():
            m = _LETTERS.match(text, pos, run.end())
            if m is None:
                break
            letters.append((m.start(), _LETTER_NAMES[m.group()]))
            pos = m.end()
        if pos != run.end() or len(letters) < 2:
            continue
        out.append(text[at : run.start()])
        mapped += origin[at : run.start()]
        for start, letter in letters:
            out.append(letter)
            mapped.append(origin[start])
        at = run.end()
    if not out:
        return text, origin
    out.append(text[at:])
    mapped += origin[at:]
    return "".join(out), mapped


def _romaji(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """A question typed all in romaji (kenkou pointo no kifugaku) read as kana, word by word; acronyms
    (DX, IoT) and words that are not romaji (っ where nothing is doubled) stay as they are."""
    out: list[str] = []
    mapped: list[int] = []
    at = 0
    for m in _WORD.finditer(text):
        out.append(text[at : m.start()])
        mapped += origin[at : m.start()]
        word = m.group()
        kana = jaconv.alphabet2kana(word.lower())
        romaji = not (word.isupper() or any(c.isupper() for c in word[1:]))
        romaji = romaji and not re.search("[a-z]", kana) and ("っ" not in kana or bool(_DOUBLED.search(word.lower())))
        piece = kana if romaji else word
        out.append(piece)
        mapped += [origin[m.start()]] * len(piece) if romaji else origin[m.start() : m.end()]
        at = m.end()
    out.append(text[at:])
    mapped += origin[at:]
    return "".join(out), mapped


def _tagger() -> fugashi.Tagger:
    tagger = getattr(_local, "tagger", None)
    if tagger is None:  # MeCab taggers are not thread-safe: one per thread
        tagger = _local.tagger = fugashi.Tagger()
    return tagger


@lru_cache(maxsize=20_000)
def tokenize(question: str) -> Tokens:
    """The question's tokens, with offsets into ``question`` (cached: questions recur)."""
    text, origin = char_filter(question)
    tokens: list[Token] = []
    at = 0
    for word in _tagger()(text):
        surface = word.surface
        start = text.find(surface, at)
        if start < 0:  # MeCab never drops characters, but stay safe
            start = at
        end = start + len(surface)
        at = end
        feature = word.feature
        lemma = getattr(feature, "lemma", None) or surface
        lemma = lemma.split("-", 1)[0] if lemma != "-" else lemma  # ポイント-point → ポイント
        lemma = _LEMMA_SPELLING.get(lemma, lemma)
        kana = getattr(feature, "kana", None)
        key = fold(surface)
        spoken = fold(to_hiragana(kana)) if kana and kana != "*" else key
        tokens.append(
            Token(
                surface,
                lemma,
                feature.pos1 or "",
                feature.pos2 or "",
                feature.pos3 or "",
                getattr(feature, "cForm", None) or "",
                spoken,
                key,
                origin[start],
                origin[end],
            )
        )
    return Tokens(question, tuple(tokens))
