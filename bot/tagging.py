"""Stage 2: tagging the tokens with what kensho knows — fields, operations, years, thresholds …

The words are data (``bot/vocab/words.tsv``, plus each issuer's name and 今後の方針 options), matched
over runs of whole tokens, longest first. Numbers in patterns (years, thresholds, 上位3件, 2番目,
基本目標2) are read from the tokens' text. Particles, auxiliaries, adverbs, verbs and the like need no
entry: ``bot.tokens.Token.function`` knows them by part of speech.

A word tag that stands glued between two untagged nouns (医療機関**評価**基金) is part of a longer
name, not the field: it is dropped, and the name stage sees the whole word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from bot.match import is_kanji
from bot.normalize import fold
from bot.tokens import Tokens

VOCABULARY = Path(__file__).with_name("vocab") / "words.tsv"
MAX_WORD_TOKENS = 12
CIRCLED = frozenset("①②③④⑤⑥⑦⑧⑨⑩")
KANA_WORD_MIN = 3  # a word typed in kana is looked up by its reading from this length on
HOMOPHONE_MIN = 4  # kana of reading: a field word typed with the wrong kanji (担当化) is read from this on
HOMOPHONE_KINDS = frozenset({"field", "relative_year", "policy"})
# Tags that may also be a part of a name (事業, 県): they never cut a name apart.
SOFT = frozenset({"generic", "issuer"})


@dataclass(frozen=True)
class Tag:
    start: int  # token index
    end: int  # token index, exclusive
    kind: str  # field, op, year, threshold, … (see words.tsv)
    value: str = ""
    number: Decimal | None = None  # years, thresholds, ranks
    extra: str = ""  # thresholds: comparator; a threshold's unit in ``value``

    @property
    def soft(self) -> bool:
        return self.kind in SOFT


@dataclass(frozen=True)
class Entry:
    kind: str
    value: str


def read_vocabulary(path: Path = VOCABULARY) -> list[tuple[str, str, str]]:
    """(tag, value, word) of every entry of the vocabulary file."""
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, value, word = line.split("\t")[:3]
        rows.append((kind, value, word))
    return rows


@lru_cache(maxsize=1)
def _base_readings() -> dict[str, tuple[Entry, ...]]:
    """The vocabulary by reading, for words typed in kana (きふがく, こんごのほうしん)."""

    readings: dict[str, list[Entry]] = {}
    for kind, value, word in read_vocabulary():
        spoken = _reading_of(word)
        if len(spoken) >= KANA_WORD_MIN:
            readings.setdefault(spoken, []).append(Entry(kind, value))
    return {k: tuple(v) for k, v in readings.items()}


@lru_cache(maxsize=1)
def _base_words() -> dict[str, tuple[Entry, ...]]:
    from bot.tokens import tokenize  # the analyzer loads on first use

    words: dict[str, list[Entry]] = {}
    for kind, value, word in read_vocabulary():
        for spoken in _colloquial(word):
            words.setdefault(fold(spoken), []).append(Entry(kind, value))
    # Each word also by the dictionary form MeCab gives it (かかる is 掛かる, あげる 挙げる): a question
    # spelling the verb either way meets the same entry through its lemma.
    for kind, value, word in read_vocabulary():
        tokens = tokenize(word)
        lemma = tokens.lemma_key(0, len(tokens))
        if lemma and lemma != fold(word) and Entry(kind, value) not in words.get(lemma, []):
            words.setdefault(lemma, []).append(Entry(kind, value))
    return {k: tuple(v) for k, v in words.items()}


def _colloquial(word: str) -> list[str]:
    """The word, and as people type it with the い of ている dropped (賄えていない → 賄えてない)."""
    dropped = word.replace("ていない", "てない").replace("ている", "てる").replace("ていた", "てた")
    return [word] if dropped == word else [word, dropped]


class Lexicon:
    """The vocabulary with one catalogue's own words: issuers' names and 今後の方針 options."""

    def __init__(
        self,
        issuers: Iterable[tuple[int, Iterable[str]]] = (),
        policies: Iterable[str] = (),
        aliases: Iterable[tuple[str, str]] = (),
    ) -> None:
        words = dict(_base_words())
        for label in policies:
            words[fold(label)] = (Entry("policy", label),)
        for alias, label in aliases:  # 発展 for 拡充, as the issuer's option list has it
            key = fold(alias)
            if key and key not in words:
                words[key] = (Entry("policy", label),)
        for issuer_id, prefixes in issuers:
            for prefix in prefixes:
                key = fold(prefix)
                if key and key not in words:
                    words[key] = (Entry("issuer", str(issuer_id)),)
        self.words = words
        self.policies = {e.value for es in words.values() for e in es if e.kind == "policy"}
        # By reading too: けいぞく for 継続, and the catalogue's words typed in kana.
        readings = dict(_base_readings())
        for key, entries in words.items():
            if any(e.kind in {"policy", "issuer"} for e in entries):
                spoken = _reading_of(key)
                if len(spoken) >= KANA_WORD_MIN and spoken not in readings:
                    readings[spoken] = entries
        self.readings = readings

    def tag(self, tokens: Tokens, names: frozenset[int] = frozenset()) -> list[Tag]:
        """Number patterns first, then words over the tokens those leave, longest first. A word never
        begins or ends with punctuation (事業費、), nor takes in tokens of ``names`` (a name typed in
        full: the 事業 of 〇〇実証事業の評価)."""
        tags = [t for t in _number_tags(tokens) if not any(i in names for i in range(t.start, t.end))]
        taken = {i for t in tags for i in range(t.start, t.end)} | names
        n = len(tokens)
        i = 0
        while i < n:
            if i in taken or tokens.tokens[i].stop:
                i += 1
                continue
            found = None
            for j in range(min(n, i + MAX_WORD_TOKENS), i, -1):
                if tokens.tokens[j - 1].stop or any(k in taken for k in range(i, j)):
                    continue
                last = tokens.tokens[j - 1]
                # いっ|た is 言う/行く by its lemma, never いつ by its folded spelling.
                clipped = last.pos == "動詞" and last.form.endswith("促音便")
                entries = (None if clipped else self.words.get(tokens.key(i, j))) or self.words.get(
                    tokens.lemma_key(i, j)
                )
                if not entries and _kana(tokens, i, j):
                    entries = self.readings.get(tokens.reading(i, j))
                elif not entries and _homophone_span(tokens, i, j):
                    # 担当化, 方心, 寄付学, 今語の方針: a word of the vocabulary converted to the wrong kanji.
                    entries = tuple(e for e in self.readings.get(tokens.reading(i, j), ()) if e.kind in HOMOPHONE_KINDS)
                if entries:
                    found = (j, entries)
                    break
            if found is None:
                i += 1
                continue
            j, entries = found
            tags += [Tag(i, j, e.kind, e.value) for e in entries]
            i = j
        words = [False] * n  # tokens some tag holds
        for t in tags:
            for k in range(t.start, t.end):
                words[k] = True
        tags = [t for t in tags if not _inside_kana_word(tokens, t, words)]
        tags = _unglued(tokens, sorted(tags, key=lambda t: (t.start, t.end)))
        return _reached(tokens, _with_codes(tokens, [t for t in tags if not _per_other(tokens, t)]))


_DONORS = frozenset({"件", "社", "けん", "しゃ"})
_COUNT = re.compile(r"(?:\d|一)([^\d一]+)$")


def _per_other(tokens: Tokens, tag: Tag) -> bool:
    """あたり after a count of something other than donations (一人あたりの県民所得, 1世帯当たり): words
    of a KPI or a text, not a per-donation figure."""
    if (tag.kind, tag.value) != ("unsupported", "per_donation") or tag.end - tag.start != 1 or tag.start < 1:
        return False
    before = tokens.key(max(0, tag.start - 2), tag.start)  # 一人 is one token, 1|世帯 two
    count = _COUNT.search(before)
    return count is not None and count.group(1) not in _DONORS


_FLIPPED = {">=": "<", ">": "<=", "<": ">=", "<=": ">"}


def _reached(tokens: Tokens, tags: list[Tag]) -> list[Tag]:
    """A figure, に or を, and a verb of reaching or passing it (100万円に届かなかった, 1億円を超えた,
    10件に満たない): a threshold, the verb's comparator turned round by a negation after it. The
    verb says nothing of KPIs there (目標に届かなかった does)."""
    toks = tokens.tokens
    out = list(tags)
    for figure in [t for t in tags if t.kind in {"stated", "threshold"}]:
        if figure.kind == "threshold":  # 2000万円を超え|ていない: the pattern took the verb in already
            if not toks[figure.end - 1].predicate:
                continue
            verb_end, comparator = figure.end, figure.extra.rstrip("*")
            scaled = figure.extra.endswith("*")
        else:
            particle = figure.end
            if particle >= len(toks) or toks[particle].surface not in {"に", "を"}:
                continue
            verb = next((t for t in tags if t.kind == "comparator" and t.start == particle + 1), None)
            if verb is None:
                continue
            verb_end, comparator = verb.end, verb.value
            scaled = any(c in "億万千" for c in tokens.typed(figure.start, figure.end))
        end = verb_end
        negation = next((t for t in tags if t.kind == "negation" and verb_end <= t.start <= verb_end + 3), None)
        between = range(verb_end, negation.start) if negation else range(0)
        if negation and comparator in _FLIPPED and all(toks[k].pos in {"助詞", "助動詞", "動詞"} for k in between):
            end, comparator = negation.end, _FLIPPED[comparator]
        if figure.kind == "threshold" and end == verb_end:
            continue
        out = [t for t in out if t is not figure and not (figure.end <= t.start and t.end <= end)]
        out.append(Tag(figure.start, end, "threshold", figure.value, figure.number, comparator + "*" * scaled))
    return sorted(out, key=lambda t: (t.start, t.end))


def _with_codes(tokens: Tokens, tags: list[Tag]) -> list[Tag]:
    """①拡充, ④地方創生に効果がなかった: an option's circled number, typed before it, is part of it."""
    out = []
    for t in tags:
        before = t.start - 1
        if t.kind in {"policy", "evaluation"} and before >= 0 and tokens.typed(before, t.start) in CIRCLED:
            t = Tag(before, t.end, t.kind, t.value, t.number, t.extra)
        out.append(t)
    return out


def _inside_kana_word(tokens: Tokens, tag: Tag, words: list[bool]) -> bool:
    """A word of the vocabulary inside kana the asker typed between spaces with no particle in it
    (しゅっさん|ひよう じょせいじぎょう): a part of a longer word, whatever MeCab made of the kana."""
    toks = tokens.tokens
    if tag.number is not None:
        return False
    a = tag.start
    while tokens.joined(a - 1):
        a -= 1
    b = tag.end
    while tokens.joined(b - 1):
        b += 1
    chunk = toks[a:b]
    if (a, b) == (tag.start, tag.end) or not all(_is_kana_text(t.surface) for t in chunk):
        return False
    if all(words[k] or toks[k].function for k in range(a, b)):
        return False  # いちばん|すくない: known words side by side, nothing left over
    spaced = (a == 0 or tokens.text[toks[a - 1].end : toks[a].start].strip() == "") and (
        b == len(toks) or tokens.text[toks[b - 1].end : toks[b].start].strip() == ""
    )
    return spaced and (a > 0 or b < len(toks)) and not any(t.pos == "助詞" for t in chunk)


def _is_kana_text(text: str) -> bool:
    return bool(text) and all("\u3041" <= c <= "\u309f" or c == "ー" for c in text)


def _reading_of(word: str) -> str:
    from bot.tokens import tokenize  # the analyzer loads on first use

    tokens = tokenize(word)
    return tokens.reading(0, len(tokens))


def _homophone_span(tokens: Tokens, i: int, j: int) -> bool:
    """Nouns (with の) written in kanji, read as long as a field's name: what an IME may have converted
    wrongly. Words glued inside longer words are dropped later, as any tag (_unglued)."""
    toks = tokens.tokens[i:j]
    # The cheap tests first: this is asked of every span no word of the vocabulary matched.
    if toks[-1].surface == "の" or not all(t.pos in {"名詞", "接尾辞", "接頭辞"} or t.surface == "の" for t in toks):
        return False
    if _content(tokens, i - 1) and tokens.joined(i - 1):
        return False  # 移住|者数: the end of a longer word, not 社数 typed wrongly
    return any(is_kanji(c) for t in toks for c in t.surface) and len(tokens.reading(i, j)) >= HOMOPHONE_MIN


def _kana(tokens: Tokens, i: int, j: int) -> bool:
    text = "".join(t.surface for t in tokens.tokens[i:j])
    return len(text) >= KANA_WORD_MIN and all("\u3041" <= c <= "\u309f" for c in text)


def _content(tokens: Tokens, i: int, right: bool = False) -> bool:
    """A noun (or, on the left, a verb; on the right, a verb ending) that a tag would be glued to."""
    if i < 0 or i >= len(tokens):
        return False
    t = tokens.tokens[i]
    if t.pos in {"名詞", "接尾辞", "接頭辞"} and not t.function:
        return True
    return t.pos == "動詞" or (right and t.pos == "助動詞")


def _katakana(text: str) -> bool:
    return bool(text) and all("ァ" <= c <= "ヺ" or c == "ー" for c in text)


def _in_katakana_word(tokens: Tokens, tag: Tag) -> bool:
    """A tag in katakana glued to more katakana on either side (シェア|サイクル, ポイント|カード)."""
    toks = tokens.tokens
    if not all(_katakana(t.surface) for t in toks[tag.start : tag.end]):
        return False
    before = tokens.joined(tag.start - 1) and _katakana(toks[tag.start - 1].surface)
    after = tokens.joined(tag.end - 1) and _katakana(toks[tag.end].surface)
    return before or after


def _unglued(tokens: Tokens, tags: list[Tag]) -> list[Tag]:
    """Drop word tags glued between two nouns that no other word tag holds (a generic word such as 事業
    may be either): they are inside a longer word."""
    covered = {i for t in tags for i in range(t.start, t.end)}
    # 事業 and an issuer's name may be parts of a name (若者就労拡大事業); other soft words (うち) may not.
    named = {
        i
        for t in tags
        if t.kind == "issuer" or (t.kind == "generic" and "事業" in tokens.key(t.start, t.end))
        for i in range(t.start, t.end)
    }
    hard = covered - named
    out = []
    for t in tags:
        suffix = t.kind in {"count", "amount"} and t.end - t.start == 1 and len(tokens.tokens[t.start].key) == 1
        if suffix and _content(tokens, t.start - 1) and t.start - 1 not in covered:
            continue  # インストール数, 参加者数: 数 and 額 end the word before them (寄附|数 is tagged whole)
        word = t.number is None and not t.soft
        n = len(tokens)
        # 観光誘客促進 vs インバウンド: a word typed between spaces stands alone
        spaced = (t.start > 0 and not tokens.joined(t.start - 1)) or (t.end < n and not tokens.joined(t.end - 1))
        if word and _in_katakana_word(tokens, t):
            continue  # シェア|サイクル: a part of a longer word in katakana, not シェア (a share)
        if (
            word
            and not spaced
            and _content(tokens, t.start - 1)
            and _content(tokens, t.end, right=True)
            and t.start - 1 not in hard
            and t.end not in hard
        ):
            continue  # 医療機関評価基金, 若者就労拡大事業
        out.append(t)
    return out


# --- numbers ------------------------------------------------------------------------------------
_YEAR = re.compile(
    r"(?:令和|r|れいわ)(元|\d{1,2})(?:年度|年|ねんど|ねん)?|(?:平成|h|へいせい)(\d{1,2})(?:年度|年|ねんど)|(?:fy)?(20\d{2})(?:年度|年)"
    r"|fy(20\d{2})"
    r"|(?<![\d,.])(20\d{2})(?![\d,.万千億円件人%])"
    r"|(?<![\d,.])(\d{1,2})(?:年度|ねんど)"  # 5年度 in a 令和 question (令和4年度と5年度)
)
_THRESHOLD = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)(億|千万|百万|万|千|せん)?(円|件|えん|けん)?"
    r"(?:(以上|以下|未満|いじょう|いか|みまん|超え?る?|を超え?る?|より多い|より少ない|より大きい|より小さい)"
    r"|(?=だけ|のみ|ちょうど|しか|の事業))"
)
_COMPARATORS = {"以上": ">=", "以下": "<=", "未満": "<", "より少ない": "<", "より小さい": "<"}
_COMPARATORS |= {"いじょう": ">=", "いか": "<=", "みまん": "<"}  # typed in kana
_MULTIPLIERS = {"億": 100_000_000, "千万": 10_000_000, "百万": 1_000_000, "万": 10_000, "千": 1_000, "せん": 1_000}
_TOP_N = re.compile(
    r"(?:上位|じょうい|トップ|ベスト|top|best)(\d+)(?:件|けん|位|事業|つ)?|(\d+)位まで|(\d+)(?:つ|個)(?!目)"
)
_BOTTOM_N = re.compile(r"(?:ワースト|worst|下位)(\d+)(?:件|けん|位|事業|つ)?")
_TOP_N_BARE = re.compile(r"(?:上位|じょうい|トップ|ベスト|top|best)(\d+)")
# The same words typed in kana (2ばんめ, きほんもくひょう1, じょうい3), as the thresholds' いじょう / みまん.
_NTH = re.compile(r"(\d+)番目|第(\d+)位|(\d+)位|(\d+)ばんめ")
_GOAL = re.compile(r"(?:基本目標|きほんもくひょう)(\d+)")
_ITEMS = re.compile(r"(?:\d+|[一二三四五])(?:点|項目)")  # 担当課・事業費・寄附額の3点: how many things are asked
# A figure the asker states (24,450千円ではなかったですか, 18件で合っていますか): no name, and no condition.
_STATED = re.compile(r"全?(\d[\d,]*(?:\.\d+)?)(億|千万|百万|万|千)?(円|件|人泊|人|%|％|回|事業|社)")
_WHAT_PERCENT = re.compile(r"何(?:%|パーセント)")
_SEVERAL = re.compile(r"複数(?:件|社|回)?")  # 寄附が複数件あった: two or more donations
_PER_DONATION = re.compile(r"(?:1|一)(?:件|社|けん|しゃ)(?:あたり|当たり|平均)")  # 1社あたり: per donating company
_PER_PROJECT = re.compile(r"(?:1|一)事業(?:あたり|当たり)(?:の)?(?:平均)?")
# ぐんま…って名前, 〇〇事業, ぐんま〜ってついてる: a forgotten part of a name.
_ELLIPSIS = re.compile(r"\.{2,}|…+|・{2,}|[〇○◯]{2,}|[〜~](?=って|と|の事業|事業)")


def _number_tags(tokens: Tokens) -> list[Tag]:
    """Years, thresholds, ranks and goal numbers, each over whole tokens."""
    text = "".join(t.surface for t in tokens.tokens).casefold()
    owner: list[int] = []
    starts: list[int] = []
    for i, t in enumerate(tokens.tokens):
        starts.append(len(owner))
        owner += [i] * len(t.surface)
    starts.append(len(owner))
    tags: list[Tag] = []
    taken: set[int] = set()

    def add(m: re.Match[str], kind: str, value: str = "", number: Decimal | None = None, extra: str = "") -> None:
        first, last = owner[m.start()], owner[m.end() - 1]
        if starts[first] != m.start() or starts[last + 1] != m.end():
            return  # not on token boundaries: part of another word (r3 inside a name, 2025の…)
        if any(k in taken for k in range(first, last + 1)):
            return
        taken.update(range(first, last + 1))
        tags.append(Tag(first, last + 1, kind, value, number, extra))

    for m in _PER_DONATION.finditer(text):
        add(m, "unsupported", "per_donation")
    for m in _ELLIPSIS.finditer(text):
        add(m, "placeholder", "mark")
    for m in _PER_PROJECT.finditer(text):
        add(m, "op", "avg")  # 1事業あたりの寄附額: the average over the projects
    for m in _GOAL.finditer(text):
        add(m, "goal", number=Decimal(m.group(1)))
    for pattern in (_TOP_N, _TOP_N_BARE):  # トップ3件数: the bare number when a suffix is another word's
        for m in pattern.finditer(text):
            add(m, "top", number=Decimal(next(g for g in m.groups() if g)))
    for m in _BOTTOM_N.finditer(text):
        add(m, "top", number=Decimal(m.group(1)), extra="ascending")  # ワースト3, 下位3件: the smallest first
    for m in _NTH.finditer(text):
        add(m, "nth", number=Decimal(next(g for g in m.groups() if g)))
    for m in _YEAR.finditer(text):
        if m.group(1):
            year = 2018 + (1 if m.group(1) == "元" else int(m.group(1)))
        elif m.group(2):
            year = 1988 + int(m.group(2))
        elif m.group(6):
            year = 2018 + int(m.group(6))
        else:
            year = int(m.group(3) or m.group(4) or m.group(5))
        add(m, "year", number=Decimal(year))
    for m in _WHAT_PERCENT.finditer(text):
        add(m, "quantity")  # 何％: the percent sign has no matching key, so no vocabulary word can hold it
    for m in _ITEMS.finditer(text):
        add(m, "generic", "items")
    for m in _SEVERAL.finditer(text):
        add(m, "threshold", "件", Decimal(2), ">=")
    for m in _THRESHOLD.finditer(text):
        number, scale, unit, word = m.group(1, 2, 3, 4)
        if not word and not unit:
            continue
        comparator = _COMPARATORS.get(word or "", ">" if word else "==")
        value = Decimal(number.replace(",", "")) * _MULTIPLIERS.get(scale or "", 1)
        unit = {"えん": "円", "けん": "件"}.get(unit or "", unit or "")  # typed in kana
        add(m, "threshold", unit, value, f"{comparator}{'*' if scale else ''}")
    for m in _STATED.finditer(text):
        number, scale, unit = m.group(1, 2, 3)
        add(m, "stated", unit, Decimal(number.replace(",", "")) * _MULTIPLIERS.get(scale or "", 1))
    return tags
