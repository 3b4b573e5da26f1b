"""What a question asks: fields, aggregates, filters, fiscal year, and the name it mentions.

Patterns are written against ``bot.normalize.surface`` (NFKC, case-folded, 寄付 -> 寄附, no spaces).
Everything recognized is cut out of the question; what remains, trimmed of particles and
question words, is the mention that is matched against project, department and goal names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.normalize import surface

FIELDS = (
    "donation_amount",
    "donation_count",
    "project_cost",
    "department",
    "goal",
    "result",
    "kpi",
    "evaluation",
    "expert_opinion",
    "policy",
    "reflection",
)

FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "expert_opinion": (
        "外部有識者からの意見",
        "外部有識者からの評価",
        "外部有識者の意見",
        "外部有識者の評価",
        "有識者からの意見",
        "有識者からの評価",
        "有識者の意見",
        "有識者の評価",
        "有識者意見",
        "外部有識者",
        "有識者",
        "専門家の意見",
        "専門家の評価",
        "専門家",
        "外部評価",
        "委員の意見",
        "委員会の意見",
        "第三者の意見",
        "第三者評価",
    ),
    "reflection": (
        "事業実施後の振り返り・今後の方針等",
        "事業実施後の振り返り",
        "振り返り",
        "ふりかえり",
        "振返り",
        "反省点",
        "反省",
        "所感",
        "課題",
        "自己評価コメント",
        "担当課のコメント",
        "担当課の所見",
        "所見",
    ),
    "policy": (
        "今後の方針の理由",
        "今後の方針",
        "今後の予定",
        "今後どうなる",
        "今後どうする",
        "今後の見通し",
        "方針",
        "今後",
        "来年度も",
        "来年も",
        "次年度も",
        "続く",
        "続ける",
        "続きます",
        "存続",
    ),
    "evaluation": (
        "kpi達成への有効性",
        "事業の評価",
        "事業評価",
        "自己評価",
        "評価",
        "有効性",
        "効果はあった",
        "効果があった",
        "効果は",
        "効果",
    ),
    "kpi": (
        "kpiの目標値",
        "kpiの実績値",
        "kpi",
        "目標値",
        "実績値",
        "目標と実績",
        "実績",
        "指標",
        "達成状況",
        "達成度",
        "達成率",
        "達成した",
        "達成",
        "数値目標",
        "成果指標",
        "目標",
    ),
    "result": (
        "事業内容(実施結果)",
        "事業内容",
        "実施結果",
        "実施内容",
        "取組内容",
        "取り組み内容",
        "取組み内容",
        "内容",
        "何をした",
        "何をやった",
        "何をしている",
        "何をする",
        "何をやって",
        "なにをした",
        "どんな取り組み",
        "どんな取組",
        "取り組み",
        "取組",
        "やったこと",
        "実施状況",
        "成果",
        "実施した",
    ),
    "department": (
        "担当課",
        "担当部署",
        "担当部局",
        "担当の課",
        "担当部",
        "所管課",
        "所管部署",
        "所管部局",
        "所管",
        "担当者",
        "担当",
        "部署",
        "どこの課",
        "どの課",
        "何課",
        "誰が",
    ),
    "goal": ("総合戦略の位置付け", "総合戦略の位置づけ", "位置付け", "位置づけ", "基本目標"),
    "project_cost": (
        "総事業費",
        "事業費用",
        "事業費",
        "事業規模",
        "予算額",
        "予算",
        "費用",
        "経費",
        "コスト",
        "いくらかかった",
        "かかった",
    ),
    "donation_count": (
        "寄附件数",
        "寄附の件数",
        "寄附した企業の数",
        "寄附企業数",
        "寄附した企業",
        "寄附企業",
        "企業数",
        "企業の数",
        "件数",
        "何件",
        "なんけん",
        "何社",
        "社数",
        "何者",
        "いくつの企業",
        "何団体",
    ),
    "donation_amount": (
        "寄附額",
        "寄附金額",
        "寄附金",
        "寄附の額",
        "寄附の金額",
        "寄附実績",
        "寄附",
        "いくら集まった",
        "集まった額",
        "集まった",
        "集めた",
        "集まり",
        "ふるさと納税額",
        "納税額",
    ),
}
# Words that ask for money without saying which: the donation, unless another amount is named.
WEAK_AMOUNT = ("金額", "いくら", "幾ら", "額")

OPS: dict[str, tuple[str, ...]] = {
    "rank": (
        "ランキング",
        "順位",
        "順番",
        "ベスト",
        "上位",
        "トップ",
        "多い順",
        "少ない順",
        "大きい順",
        "小さい順",
        "高い順",
        "低い順",
        "順に",
        "並べ",
        "並び替え",
    ),
    "min": (
        "最小",
        "最も少ない",
        "一番少ない",
        "いちばん少ない",
        "最少",
        "最低",
        "最も小さい",
        "一番小さい",
        "いちばん小さい",
        "最も低い",
        "一番低い",
        "少ないのは",
        "少ない事業",
        "小さい事業",
        "少ない",
        "小さい",
    ),
    "max": (
        "最大",
        "最も多い",
        "一番多い",
        "いちばん多い",
        "最多",
        "最高",
        "最も大きい",
        "一番大きい",
        "いちばん大きい",
        "最も高い",
        "一番高い",
        "多いのは",
        "多い事業",
        "大きい事業",
        "多い",
        "大きい",
        "高い",
    ),
    "sum": (
        "合計",
        "総額",
        "総計",
        "トータル",
        "全体で",
        "全部で",
        "全体の",
        "累計",
        "合わせて",
        "あわせて",
        "計は",
        "総寄附",
    ),
    "avg": ("平均",),
    "count": (
        "何事業",
        "事業数",
        "事業の数",
        "いくつの事業",
        "事業はいくつ",
        "何個の事業",
        "事業は何件",
        "何件の事業",
        "事業件数",
        "いくつあ",
        "何件あ",
        "何個あ",
        "件ありますか",
        "ありますか",
    ),
}
POLICY_SYNONYMS: dict[str, str] = {
    "続く": "継続",
    "続ける": "継続",
    "継続中": "継続",
    "終わる": "終了",
    "終わった": "終了",
    "廃止": "終了",
    "中止": "終了",
    "やめる": "終了",
    "終了予定": "終了",
    "拡大": "拡充",
}
HISTORY_WORDS = ("更新履歴", "変更履歴", "修正履歴", "履歴", "誰が更新", "誰が変更")
LIST_WORDS = ("事業一覧", "一覧", "リスト", "どんな事業", "どの事業", "どれ", "何の事業", "なんの事業", "事業名")

_YEAR = re.compile(
    r"(?:令和|r)(元|\d{1,2})(?:年度|年)?|(?:平成|h)(\d{1,2})(?:年度|年)|(?:fy)?(20\d{2})(?:年度|年)|fy(20\d{2})"
)
_GOAL = re.compile(r"基本目標(\d+)")
_TOP_N = re.compile(r"(?:上位|トップ|ベスト)(\d+)|(\d+)位まで")
_START_NOISE = re.compile(r"^(?:ねえ|あの|えっと|すみません|すいません|質問です|質問|教えてください|教えて|、|。|,)+")
_END_NOISE = re.compile(
    r"(?:について教えて|について|に関して|に関する|を教えて|教えて|ください|下さい|ですか|でしょうか|ますか|"
    r"を知りたい|知りたい|が知りたい|見せて|表示して|出して|はなんですか|は何|はなに|なに|何|どこ|どれ|"
    r"いくら|どのくらい|どれくらい|どう|どうなって(?:い)?る|どうだった|だった|でした|です|ます|ある|あります|"
    r"なの|なん|いる|された|した|する|った|とは|って|という|と言う|は|を|が|も|の|と|で|に|か|ね|よ|"
    r"[?？。、!！・…\s])$"
)
_SEPARATOR = "\x00"


@dataclass
class Intent:
    question: str
    text: str  # surface form of the question
    fields: list[str] = field(default_factory=list)
    op: str | None = None
    top_n: int | None = None
    year: int | None = None
    goal_number: int | None = None
    policy_words: list[str] = field(default_factory=list)  # 継続 / 終了 / … as typed (normalized)
    history: bool = False
    list_cue: bool = False
    mentions: list[str] = field(default_factory=list)

    @property
    def mention(self) -> str:
        return max(self.mentions, key=len) if self.mentions else ""


def _alternation(words: object) -> re.Pattern[str]:
    unique = sorted({surface(w) for w in words}, key=len, reverse=True)  # type: ignore[attr-defined]
    return re.compile("|".join(re.escape(w) for w in unique))


_ALL_FIELD_WORDS = {surface(w): name for name, words in FIELD_WORDS.items() for w in words}
_FIELD_PATTERN = _alternation(_ALL_FIELD_WORDS)
_OP_WORDS = {surface(w): op for op, words in OPS.items() for w in words}
_OP_PATTERN = _alternation(_OP_WORDS)
_HISTORY_PATTERN = _alternation(HISTORY_WORDS)
_LIST_PATTERN = _alternation(LIST_WORDS)
_WEAK_PATTERN = _alternation(WEAK_AMOUNT)


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


def parse(question: str, policy_labels: list[str] | None = None) -> Intent:
    """Read what is asked. ``policy_labels`` are the issuer's 今後の方針 choices (継続, 終了, …)."""
    text = surface(question)
    intent = Intent(question=question, text=text)
    work = text

    def cut(pattern: re.Pattern[str], on_match: object) -> None:
        nonlocal work
        pieces: list[str] = []
        last = 0
        for m in pattern.finditer(work):
            if on_match(m) is False:  # type: ignore[operator]
                continue
            pieces += [work[last : m.start()], _SEPARATOR]
            last = m.end()
        pieces.append(work[last:])
        work = "".join(pieces)

    def on_year(m: re.Match[str]) -> None:
        if m.group(1):
            intent.year = 2018 + (1 if m.group(1) == "元" else int(m.group(1)))
        elif m.group(2):
            intent.year = 1988 + int(m.group(2))
        else:
            intent.year = int(m.group(3) or m.group(4))

    cut(_YEAR, on_year)
    cut(_GOAL, lambda m: setattr(intent, "goal_number", int(m.group(1))))
    cut(_HISTORY_PATTERN, lambda m: setattr(intent, "history", True))

    def on_top(m: re.Match[str]) -> None:
        intent.top_n = int(m.group(1) or m.group(2))
        intent.op = "rank"

    cut(_TOP_N, on_top)

    def on_field(m: re.Match[str]) -> None:
        name = _ALL_FIELD_WORDS[m.group(0)]
        if name not in intent.fields:
            intent.fields.append(name)

    cut(_FIELD_PATTERN, on_field)

    def on_op(m: re.Match[str]) -> None:
        op = _OP_WORDS[m.group(0)]
        if intent.op is None or (intent.op in {"max", "min"} and op == "rank"):
            intent.op = op

    cut(_OP_PATTERN, on_op)
    labels = {surface(p): surface(p) for p in policy_labels or []}
    labels.update({surface(k): surface(v) for k, v in POLICY_SYNONYMS.items() if surface(v) in labels})
    if labels:
        cut(_alternation(labels), lambda m: intent.policy_words.append(labels[m.group(0)]))
    if not intent.fields:
        cut(_WEAK_PATTERN, lambda m: intent.fields.append("donation_amount") if not intent.fields else None)
    cut(_LIST_PATTERN, lambda m: setattr(intent, "list_cue", True))
    mentions = []
    for piece in work.split(_SEPARATOR):
        piece = trim(piece)
        if piece in {"事業", "の事業", "事業は", "全事業", "全て", "すべて", "全部", "各事業"}:
            intent.list_cue = True
            continue
        if piece.endswith("事業") and not trim(piece[: -len("事業")]):
            intent.list_cue = True
            continue
        if piece.endswith("の事業") and len(piece) > 3:
            intent.list_cue = True
            piece = trim(piece[: -len("の事業")])
        if piece:
            mentions.append(piece)
    intent.mentions = mentions
    if intent.policy_words and "policy" not in intent.fields and mentions:
        # 「健康ポイントは継続？」: a policy word about a named project asks for its 今後の方針.
        intent.fields.append("policy")
    return intent
