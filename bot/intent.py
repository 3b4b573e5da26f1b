"""What a question asks: fields, aggregates, filters, fiscal year, and the name it mentions.

Patterns are written against ``bot.normalize.surface`` (NFKC, case-folded, 寄付 -> 寄附, no spaces).
Everything recognized is cut out of the question; what remains, trimmed of particles and
question words, is the mention that is matched against project, department and goal names.

A recognized word glued on both sides to other text without a particle (医療機関**評価**基金,
住み**続け**たくなる) was part of a longer name or word: it is put back, and means nothing. Pieces
that hold only particles, auxiliaries and generic words (「する事業のうち」) are no mention. Counting
words (何件, いくつ) are kept undecided: the donations of a named project, the projects of a list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.lexicon import (
    COUNT_WORDS,
    DONATION_WORDS,
    FIELD_WORDS,
    GENERIC_COUNT_WORDS,
    HISTORY_WORDS,
    LIST_WORDS,
    OPS,
    POLICY_SYNONYMS,
    SMALL_WORDS,
    SUMMARY_WORDS,
    SUPERLATIVES,
    WEAK_AMOUNT,
)
from bot.normalize import nfkc, surface

_YEAR = re.compile(
    r"(?:令和|r)(元|\d{1,2})(?:年度|年)?|(?:平成|h)(\d{1,2})(?:年度|年)|(?:fy)?(20\d{2})(?:年度|年)|fy(20\d{2})"
    r"|(?<![\d,.])(20\d{2})(?![\d,.万千億円件人%])"
)
_GOAL = re.compile(r"基本目標(\d+)")
# Whom a question is addressed to, typed as text (@kensho R3の…): cut with its space before the spaces
# go, so that it never takes the next word (R3, 5G) with it.
_ADDRESSEE = re.compile(r"^\s*[@＠][A-Za-z0-9_.\-]+\s+")
# A threshold on an amount or a count: 1000万円以上, 5件未満, 1億円を超える, 寄附件数が1件の事業.
_THRESHOLD = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)(億|万|千)?(円|件)?"
    r"(?:(以上|以下|未満|超え?る?|を超え?る?|より多い|より少ない|より大きい|より小さい)|(?=の事業))"
)
_COMPARATORS = {"以上": ">=", "以下": "<=", "未満": "<", "より少ない": "<", "より小さい": "<"}
_COMPARATOR_NOUNS = {">=": "以上", "<=": "以下", "<": "未満", ">": "超", "==": ""}  # 超える is shown as 超
_MULTIPLIERS = {"億": 100_000_000, "万": 10_000, "千": 1_000}
# A filter kensho cannot apply yet: KPI achievement (KPIが未達の事業). Recognized so that the answer
# says so instead of ignoring it.
_CONDITION = re.compile(r"(?:未達成?|達成でき(?:た|なかった|ていない)|達成した|達成していない)(?=の?事業)")


@dataclass(frozen=True)
class Threshold:
    """``value`` compared with ``comparator`` (>=, <=, <, >, ==); ``unit`` 円, 件 or "" as typed."""

    comparator: str
    value: Decimal  # with 億/万/千 applied: yen when unit is 円
    unit: str
    written: str  # for the answer, as typed but with the comparison as a noun: 1000万円以上, 5,000千円超
    scaled: bool  # whether 億/万/千 was written (1000万 is yen even without 円)


# 〜がやってる事業, 〜で実施している事業: the projects of a department, like 〜の事業.
_DOING = re.compile(r"(?:が|で)(?:やって|行って|おこなって|実施して|担当して|所管して|進めて|取り組んで)い?る(?=事業)")
_TOP_N = re.compile(r"(?:上位|トップ|ベスト)(\d+)|(\d+)位まで")
_NTH = re.compile(r"(\d+)番目|第(\d+)位|(\d+)位")
_START_NOISE = re.compile(r"^(?:ねえ|あの|えっと|すみません|すいません|質問です|質問|教えてください|教えて|、|。|,)+")
# Courtesies and addressing that carry no meaning for the answer, cut wherever they stand.
_COURTESY = re.compile(
    r"<@[a-z0-9]+(?:\|[^>]*)?>|^@[a-z0-9_.\-]+|"
    r"(?:いつも)?お世話になっております|お疲れ様です|お疲れさまです|おつかれさまです|恐れ入りますが|恐縮ですが|"
    r"お手数ですが|お忙しいところ(?:すみません|恐縮ですが)?|すみませんが|"
    r"よろしくお願い(?:いた|致)?します|お願い(?:いた|致)?します|ご教示(?:ください|いただけますか|願います)|"
    r"教えていただけ(?:ます|ません)(?:でしょう)?か|教えてもらえ(?:ます|ません)か|教えてほしい(?:です)?"
)
# Relative years mean the latest year on record: the only one a committee document reports.
_RELATIVE_YEAR = re.compile(r"最新|直近|今年度|本年度|昨年度|前年度|去年|今年|現在|これからも")
# Brackets and slashes separate mentions: 健康ポイント（健康長寿社会づくり推進課）, 医療機関応援金/寄附額.
_BRACKETS = re.compile(r"[()\[\]「」『』【】〔〕［］/:]")
# After a cut word, a piece may open with a conjunction: 「寄附額と件数」「健康ポイントの寄附額と医療…」.
_JOINING = re.compile(r"^(?:と|や|および|及び|また|あと|それと|それから|、|,|が|を|は|の|に|で|も|へ)+(?=.)")
_END_NOISE = re.compile(
    r"(?:について教えて|について|に関して|に関する|を教えて|教えて|ください|下さい|ですか|でしょうか|ますか|"
    r"を知りたい|知りたい|が知りたい|見せて|表示して|出して|はなんですか|は何|はなに|なに|何|どこ|どれ|"
    r"いくら|どのくらい|どれくらい|どう|どうなって(?:い)?る|どうだった|だった|でした|です|ました|ます|ある|あります|"
    r"の情報|のデータ|の状況|の中身|の様子|のすべて|の全て|の全部|の件|のこと|"
    r"なの|なん|いる|された|した|する|った|とは|って|という|と言う|は|を|が|も|の|と|で|に|か|ね|よ|"
    r"[?？。、!！・…\s])$"
)
_SEPARATOR = "\x00"

# A leftover piece made only of these (by part of speech or lemma) is no mention: 「する事業のうち」「の事業を全部」.
_NOISE_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白", "接続詞"})
# fmt: off
_NOISE_LEMMAS = frozenset((
    "事業", "全部", "全て", "総て", "全体", "各", "全", "総", "一番", "最",
    "最も", "尤も", "値", "額", "金額", "内", "中", "事", "物", "件",
    "数", "一覧", "順", "年度", "データ", "情報", "状況", "為る", "有る", "有り",
    "居る", "成る", "教える", "並べる", "知る", "見る", "見せる", "出す", "言う", "呉れる",
    "下さる", "付ける", "位置", "就く", "何", "何れ", "何の", "此れ", "其れ", "欲しい",
    "登録", "予定", "多い", "少ない", "大きい", "小さい", "高い", "低い", "位", "番",
    "目", "ところ", "方", "それぞれ", "合計", "現在", "時点", "今", "最新", "該当",
    "含む", "属する", "当て嵌まる", "入る",
))
# fmt: on


@dataclass
class Intent:
    question: str
    text: str  # surface form of the question
    fields: list[str] = field(default_factory=list)
    op: str | None = None
    top_n: int | None = None
    nth: int | None = None  # 2番目に多い: one place of the ranking
    year: int | None = None
    goal_number: int | None = None
    policy_words: list[str] = field(default_factory=list)  # 継続 / 終了 / … as typed (normalized)
    history: bool = False
    list_cue: bool = False
    mentions: list[str] = field(default_factory=list)
    counting: bool = False  # 何件 / いくつ without 寄附: donations of a project, or projects of a list
    summary_cue: bool = False  # 概要 / 詳細: everything about a project
    condition: str = ""  # a filter kensho does not support (KPIが未達の事業), as typed
    threshold: Threshold | None = None  # 寄附額が1000万円以上の事業

    @property
    def mention(self) -> str:
        return max(self.mentions, key=len) if self.mentions else ""

    @property
    def mention_as_typed(self) -> str:
        """``mention`` as the user wrote it, for echoing back (草津温泉PR事業, not 草津温泉pr事業)."""
        mention = self.mention
        written = re.sub(r"\s+", "", nfkc(self.question))
        folded = written.casefold().replace("寄付", "寄附")  # surface() without the whitespace
        at = folded.find(mention) if mention and len(folded) == len(written) else -1
        return written[at : at + len(mention)] if at >= 0 else mention

    @property
    def asks_something(self) -> bool:
        """Whether anything besides a name was recognized (a list or total can then be answered)."""
        return bool(
            self.op
            or self.list_cue
            or self.goal_number is not None
            or self.policy_words
            or self.fields
            or self.counting
            or self.year
        )


def _alternation(words: object) -> re.Pattern[str]:
    unique = sorted({surface(w) for w in words}, key=len, reverse=True)  # type: ignore[attr-defined]
    return re.compile("|".join(re.escape(w) for w in unique))


_ALL_FIELD_WORDS = {surface(w): name for name, words in FIELD_WORDS.items() for w in words}
_FIELD_PATTERN = _alternation(_ALL_FIELD_WORDS)
_OP_WORDS = {surface(w): op for op, words in OPS.items() for w in words}
_GENERIC_COUNT = frozenset(surface(w) for w in GENERIC_COUNT_WORDS)
_OP_PATTERN = _alternation(_OP_WORDS)
_SUPERLATIVE_PATTERN = _alternation(SUPERLATIVES)
_HISTORY_PATTERN = _alternation(HISTORY_WORDS)
_LIST_PATTERN = _alternation(LIST_WORDS)
_WEAK_PATTERN = _alternation(WEAK_AMOUNT)
_DONATION_PATTERN = _alternation(DONATION_WORDS)
_COUNT_PATTERN = _alternation(COUNT_WORDS)
_SUMMARY_PATTERN = _alternation(SUMMARY_WORDS)
_PARTICLE_EDGE = "のはがをとでにもへや"


def trim(mention: str) -> str:
    """Cut particles and question words off both ends of a mention."""
    previous = None
    while mention != previous:
        previous = mention
        mention = _START_NOISE.sub("", mention)
        m = _END_NOISE.search(mention)
        if m:
            mention = mention[: m.start()]
    return mention


def is_noise(piece: str) -> bool:
    """Whether a leftover piece holds nothing that could be a name (only particles, 事業, する …)."""
    from bot.reading import tokens  # the analyzer loads on first use, not on import

    return all(pos in _NOISE_POS or lemma in _NOISE_LEMMAS for pos, lemma in tokens(piece))


@dataclass(frozen=True)
class _Cut:
    """A recognized word cut out of the question, with what it means for the intent."""

    word: str
    match: re.Match[str]
    effect: Callable[[re.Match[str]], None]
    glue: bool = True  # whether it may have been cut from inside a name (punctuation may not)


def _no_effect(match: re.Match[str]) -> None:
    """Words that are cut out of the mention and change nothing else."""


def parse(question: str, policy_labels: list[str] | None = None) -> Intent:
    """Read what is asked. ``policy_labels`` are the issuer's 今後の方針 choices (継続, 終了, …)."""
    text = surface(_ADDRESSEE.sub("", nfkc(question)))
    intent = Intent(question=question, text=text)
    # The question as pieces: text still to read (str) and recognized words (_Cut) whose effect on
    # the intent is applied at the end, once words cut from inside a longer name have been put back.
    parts: list[str | _Cut] = [text]

    def cut(pattern: re.Pattern[str], effect: Callable[[re.Match[str]], None], glue: bool = True) -> None:
        out: list[str | _Cut] = []
        for part in parts:
            if isinstance(part, _Cut):
                out.append(part)
                continue
            last = 0
            for m in pattern.finditer(part):
                out += [part[last : m.start()], _Cut(m.group(0), m, effect, glue)]
                last = m.end()
            out.append(part[last:])
        parts[:] = out

    def on_year(m: re.Match[str]) -> None:
        if m.group(1):
            intent.year = 2018 + (1 if m.group(1) == "元" else int(m.group(1)))
        elif m.group(2):
            intent.year = 1988 + int(m.group(2))
        else:
            intent.year = int(m.group(3) or m.group(4) or m.group(5))

    def on_top(m: re.Match[str]) -> None:
        intent.top_n = int(m.group(1) or m.group(2))
        intent.op = "rank"

    def on_field(m: re.Match[str]) -> None:
        name = _ALL_FIELD_WORDS[m.group(0)]
        if name not in intent.fields:
            intent.fields.append(name)

    def on_op(m: re.Match[str]) -> None:
        op = _OP_WORDS[m.group(0)]
        if m.group(0) in _GENERIC_COUNT:
            flags.add("generic_count")
        if op == "sum":
            flags.add("sum")
        # 全部で何件: how many in all, not a sum of amounts.
        if (
            intent.op is None
            or (intent.op in {"max", "min"} and op == "rank")
            or (intent.op == "sum" and op == "count")
        ):
            intent.op = op

    def on_superlative(m: re.Match[str]) -> None:
        superlatives.append(m)

    superlatives: list[re.Match[str]] = []
    flags: set[str] = set()
    cut(_COURTESY, _no_effect, glue=False)
    cut(_BRACKETS, _no_effect, glue=False)
    cut(_YEAR, on_year)
    cut(_RELATIVE_YEAR, _no_effect)
    cut(_GOAL, lambda m: setattr(intent, "goal_number", int(m.group(1))))
    cut(_HISTORY_PATTERN, lambda m: setattr(intent, "history", True))
    cut(_TOP_N, on_top)

    def on_nth(m: re.Match[str]) -> None:
        intent.nth = int(m.group(1) or m.group(2) or m.group(3))
        intent.op = "rank"

    cut(_NTH, on_nth)
    cut(_CONDITION, lambda m: setattr(intent, "condition", intent.condition or m.group(0)), glue=False)

    def on_threshold(m: re.Match[str]) -> None:
        number, scale, unit, word = m.group(1, 2, 3, 4)
        comparator = _COMPARATORS.get(word or "", ">" if word else "==")
        value = Decimal(number.replace(",", "")) * _MULTIPLIERS.get(scale or "", 1)
        shown = _COMPARATOR_NOUNS[comparator]
        intent.threshold = Threshold(
            comparator, value, unit or "", f"{number}{scale or ''}{unit or ''}{shown}", bool(scale)
        )

    cut(_THRESHOLD, on_threshold, glue=False)
    cut(_SUMMARY_PATTERN, lambda m: setattr(intent, "summary_cue", True))
    cut(_FIELD_PATTERN, on_field)
    cut(_OP_PATTERN, on_op)
    cut(_SUPERLATIVE_PATTERN, on_superlative)
    labels = {surface(p): surface(p) for p in policy_labels or []}
    labels.update({surface(k): surface(v) for k, v in POLICY_SYNONYMS.items() if surface(v) in labels})
    if labels:
        cut(_alternation(labels), lambda m: intent.policy_words.append(labels[m.group(0)]))
    cut(_DONATION_PATTERN, lambda m: flags.add("donation"))
    cut(_COUNT_PATTERN, lambda m: flags.add("counting"))
    cut(_WEAK_PATTERN, lambda m: flags.add("weak_amount"))
    cut(_LIST_PATTERN, lambda m: setattr(intent, "list_cue", True))
    cut(_DOING, lambda m: setattr(intent, "list_cue", True), glue=False)
    kept = _put_back_glued(parts)
    for part in kept:
        if isinstance(part, _Cut):
            part.effect(part.match)
    superlative_at = superlatives[0].end() if superlatives else None
    if intent.nth == 1:
        intent.nth, intent.op, superlative_at = None, None, 0  # 1番目に多い is 一番多い
    if superlative_at is not None and intent.op is None:
        after = text[superlative_at:]
        intent.op = "min" if any(w in after for w in SMALL_WORDS) else "max"
    donation, counting = "donation" in flags, "counting" in flags
    donation = donation or any(f.startswith("donation") for f in intent.fields)
    if "generic_count" in flags and intent.op == "count" and donation:
        # 寄附は何件ありましたか: the donations are counted, not the projects (全部で: all of them).
        intent.op, counting = ("sum" if "sum" in flags else None), True
    if counting and (donation or intent.op in {"max", "min", "rank", "avg"}):
        # 寄附は何件 / 寄附額と件数 / 件数が一番多い事業: the number of donations.
        if "donation_count" not in intent.fields:
            intent.fields.append("donation_count")
    elif counting:
        intent.counting = True  # a project's donations, or the projects of a list: decided by the match
    elif donation and not any(f.startswith("donation") for f in intent.fields):
        intent.fields.append("donation_amount")
    if "weak_amount" in flags and not intent.fields and not intent.counting:
        intent.fields.append("donation_amount")
    _in_question_order(intent, kept)
    intent.mentions = _mentions(kept, intent)
    if intent.policy_words and "policy" not in intent.fields and intent.mentions:
        # 「健康ポイントは継続？」: a policy word about a named project asks for its 今後の方針.
        intent.fields.append("policy")
    return intent


def _in_question_order(intent: Intent, parts: list[str | _Cut]) -> None:
    """Fields in the order the question names them (寄附と事業費: the donation first)."""
    order: dict[str, int] = {}
    for i, part in enumerate(parts):
        if not isinstance(part, _Cut):
            continue
        word = part.word
        if word in _ALL_FIELD_WORDS:
            order.setdefault(_ALL_FIELD_WORDS[word], i)
        elif _DONATION_PATTERN.fullmatch(word):
            order.setdefault("donation_amount", i)
            order.setdefault("donation_count", i)
        elif _COUNT_PATTERN.fullmatch(word):
            order.setdefault("donation_count", i)
    intent.fields.sort(key=lambda f: order.get(f, len(parts)))


def _glued(left: str, right: str) -> bool:
    """Whether a cut word sat inside a longer name or word: text on both sides, no particle between.

    The right side may be a verb ending (住み続け|たくなる); a right side that is only a question
    word (健康ポイント事業費|教えて) or noise (全部) leaves the cut as it is."""
    if not left or not right or left[-1] in _PARTICLE_EDGE or right[0] in _PARTICLE_EDGE:
        return False
    tail = trim(right)
    if not trim(left) or is_noise(trim(left)) or not tail:
        return False
    return not is_noise(tail) or "\u3041" <= right[0] <= "\u309f"


def _put_back_glued(parts: list[str | _Cut]) -> list[str | _Cut]:
    """医療機関評価基金 is not 医療機関 + 評価 + 基金: a word cut from inside a name goes back into it."""
    merged: list[str | _Cut] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        left = merged[-1] if merged else None
        right = parts[i + 1] if i + 1 < len(parts) else None
        if (
            isinstance(part, _Cut)
            and part.glue
            and isinstance(left, str)
            and isinstance(right, str)
            and _glued(left, right)
        ):
            merged[-1] = left + part.word + right
            i += 2
            continue
        merged.append(part)
        i += 1
    return merged


def _mentions(parts: list[str | _Cut], intent: Intent) -> list[str]:
    mentions: list[str] = []
    after_cut = False
    for part in parts:
        if isinstance(part, _Cut):
            after_cut = True
            continue
        piece = _JOINING.sub("", part) if after_cut else part
        piece = trim(piece)
        after_cut = False
        if not piece:
            continue
        if piece.endswith("の事業") and len(piece) > 3:
            intent.list_cue = True
            piece = trim(piece[: -len("の事業")])
        if not piece:
            continue
        if is_noise(piece):
            if "事業" in piece:
                intent.list_cue = True
            continue
        mentions.append(piece)
    return mentions
