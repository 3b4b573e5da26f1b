"""Stage 4: what the question asks, from its tags and names — a typed ``Intent``.

No text is read here: only tags (``bot.tagging``) and name spans (``bot.names``). Fields come in the
order the question names them; 寄附 alone is the amount unless a count is asked; a bare superlative
is a maximum unless a word of smallness goes with it; 何件 counts a project's donations or the
projects of a list (decided when the names are known).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from bot.names import Names
from bot.tagging import Tag
from bot.tokens import Token, Tokens


class Field(StrEnum):
    DONATION_AMOUNT = "donation_amount"
    DONATION_COUNT = "donation_count"
    PROJECT_COST = "project_cost"
    DEPARTMENT = "department"
    GOAL = "goal"
    RESULT = "result"
    KPI = "kpi"
    EVALUATION = "evaluation"
    EXPERT_OPINION = "expert_opinion"
    POLICY = "policy"
    REFLECTION = "reflection"


AMOUNTS = (Field.DONATION_AMOUNT, Field.PROJECT_COST, Field.DONATION_COUNT)


class Op(StrEnum):
    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"
    RANK = "rank"
    COUNT = "count"


class Comparator(StrEnum):
    GE = ">="
    LE = "<="
    LT = "<"
    GT = ">"
    EQ = "=="


# Verbs of receiving a favour: 教えていただけないでしょうか asks politely, it negates nothing.
POLITE_LEMMAS = frozenset({"いただく", "いただける", "もらう", "もらえる", "くれる", "くださる", "ある"})
_NOUNS = {Comparator.GE: "以上", Comparator.LE: "以下", Comparator.LT: "未満", Comparator.GT: "超", Comparator.EQ: ""}


@dataclass(frozen=True)
class Threshold:
    """``value`` compared with ``comparator``; ``unit`` 円, 件 or "" as typed."""

    comparator: Comparator
    value: Decimal  # with 億/万/千 applied: yen when unit is 円
    unit: str
    written: str  # for the answer: 1000万円以上, 5,000千円超
    scaled: bool  # whether 億/万/千 was written (1000万 is yen even without 円)


# What an overview of a project shows (answer.summary_facts).
SUMMARY = frozenset(
    {
        *(Field.RESULT, Field.PROJECT_COST, Field.DONATION_AMOUNT, Field.DONATION_COUNT, Field.DEPARTMENT),
        *(Field.GOAL, Field.EVALUATION, Field.POLICY, Field.KPI),
    }
)


@dataclass
class Intent:
    question: str
    tokens: Tokens
    names: Names
    fields: list[Field] = field(default_factory=list)
    op: Op | None = None
    ascending: bool = False
    top_n: int | None = None
    nth: int | None = None
    year: int | None = None
    relative_year: str = ""  # 昨年度, 最新 … as typed
    previous_year: bool = False  # 昨年度, 前年度: the year before the latest on record
    same: bool = False  # 同じ: two projects' values compared for sameness, or "the same … as" one
    current_year: bool = False  # 今年度, 本年度: the issuer's latest year on record, not each project's
    relative_from: int | None = None  # the latest year on record that a relative year was read from
    goal_number: int | None = None
    policies: list[str] = field(default_factory=list)
    evaluation: int | None = None  # 効果がなかった事業: 事業の評価 4
    issuers: list[int] = field(default_factory=list)
    threshold: Threshold | None = None
    counting: bool = False  # 何件 without 寄附: a project's donations, or the projects of a list
    history: bool = False
    list_cue: bool = False
    summary_cue: bool = False
    chart: bool = False
    help: bool = False
    compare: bool = False
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (what, as typed)
    kpi_state: str = ""  # met | unmet | pending: KPIの達成・未達・集計中 asked about
    years_asked: bool = False  # 何年度に実施: the years a project is on record
    new: bool = False  # 新規事業: projects with no record the year before
    absent_year: int | None = None  # 令和5年度にはあって令和4年度にはない: not on record that year
    only_year: bool = False  # 令和4年度にしかない事業: on record in ``year`` and no other
    negated: set[str] = field(default_factory=set)  # 継続じゃない, 港湾振興課以外: filters turned round
    placeholder: bool = False  # 何とかっていう事業: one project, its name not remembered
    stated: list[tuple[str, Decimal, str]] = field(default_factory=list)  # figures the asker states: typed, value, unit
    checking: bool = False  # …で合ってますか, ではなかったですか: the asker checks what they state
    claimed: str = ""  # 2番目に小さいのは〇〇ですよね: the project the asker says a ranking gives
    field_starts: set[int] = field(default_factory=set)  # token indexes where a field word begins

    @property
    def asks_something(self) -> bool:
        return bool(
            self.op
            or self.list_cue
            or self.goal_number is not None
            or self.policies
            or self.evaluation is not None
            or self.fields
            or self.counting
            or self.year
            or self.threshold
        )

    def typed(self, span: tuple[int, int]) -> str:
        return self.tokens.typed(*span)

    @property
    def reasons(self) -> frozenset[str]:
        """What kensho was asked and cannot apply as such (exclude, trend, text_search …)."""
        return frozenset(reason for reason, _ in self.unsupported)


def understand(question: str, tokens: Tokens, tags: list[Tag], names: Names) -> Intent:
    intent = Intent(question, tokens, names)
    flags: set[str] = set()
    order: dict[Field, int] = {}
    size_words: list[str] = []
    breakdown = ""
    quantity = ""
    for tag in tags:
        if any(a <= tag.start and tag.end <= b for a, b in names.kpi_spans):
            continue  # 移住相談件数: the KPI's own words, no 寄附件数
        kind, value = tag.kind, tag.value
        at = tag.start
        if kind == "field" and (_relative_clause(tokens, tag) or _subordinate(tokens, tag)):
            continue  # スマホアプリを使った事業, 答弁で使うので: 使う describes or explains; it asks no cost
        if kind == "field" and value == "department" and _describes_by_department(tokens, names, tag):
            continue  # 環境政策課所管の〇〇事業: says whose project it is, asks nothing
        if kind == "field":
            intent.field_starts.add(tag.start)
            f = Field(value)
            order.setdefault(f, at)
            if f not in intent.fields:
                intent.fields.append(f)
        elif kind == "op" and value == "sum" and _along_with(tokens, tag):
            continue  # 方針とあわせて挙げて: along with, not added up
        elif kind == "op":
            op = Op(value)
            if intent.op is None or (intent.op in {Op.MAX, Op.MIN} and op == Op.RANK) or op == Op.COUNT:
                intent.op = op
        elif kind == "donation" and _names_the_projects(tokens, tags, tag):
            continue  # 企業版ふるさと納税の対象事業: the scheme's name says which projects, not their donations
        elif kind in {"donation", "count", "amount", "superlative"}:
            flags.add(kind)
            if kind == "donation":
                order.setdefault(Field.DONATION_AMOUNT, at)
                order.setdefault(Field.DONATION_COUNT, at)
            elif kind == "count":
                order.setdefault(Field.DONATION_COUNT, at)
        elif kind in {"small", "large"}:
            size_words.append(kind)
            if _after_yori(tokens, tag):
                intent.unsupported.append(("comparison", tokens.typed(tag.start - 1, tag.end)))
        elif kind == "policy":
            intent.policies.append(value)
        elif kind == "issuer":
            intent.issuers.append(int(value))
        elif kind == "year":
            assert tag.number is not None
            if intent.year is not None and intent.year != int(tag.number):
                # 2022年度と2023年度の…: two years named ask how the figure went from one to the other.
                intent.unsupported.append(("trend", tokens.typed(tag.start, tag.end)))
            intent.year = int(tag.number)
        elif kind == "relative_year":
            intent.relative_year = tokens.typed(tag.start, tag.end)
            intent.previous_year = value == "previous"
            intent.current_year = value == "current"
        elif kind == "goal":
            intent.goal_number = int(tag.number or 0)
        elif kind == "top":
            intent.top_n, intent.op = int(tag.number or 0), Op.RANK
            if tag.extra == "ascending":
                size_words.append("small")  # ワースト3: as 少ない順の上位3
        elif kind == "nth":
            intent.nth, intent.op = int(tag.number or 0), Op.RANK
        elif kind == "threshold":
            intent.threshold = _threshold(tokens, tag)
        elif kind == "kpi_state":
            intent.kpi_state = value
            if Field.KPI not in intent.fields:
                intent.fields.append(Field.KPI)
                order.setdefault(Field.KPI, at)
        elif kind == "negation" and _only_so_many(tokens, tags, tag):
            continue  # 寄附が1件しかなかった: しか…ない says only, not not
        elif kind == "negation" and _checks(tokens, tags, names, tag):
            intent.checking = True  # 24,450千円ではなかったですか: was it not so?, not a condition
        elif kind == "negation" and intent.kpi_state in {"met", "unmet"} and _negates(tags, tag, "kpi_state"):
            intent.kpi_state = "unmet" if intent.kpi_state == "met" else "met"  # 達成していない
        elif kind == "negation":
            # ない after a verb of asking (教えていただけないでしょうか) is politeness, not a condition.
            if not _polite(tokens, tag.start):
                intent.unsupported.append(("negation", tokens.typed(max(tag.start - 1, 0), tag.end)))
        elif kind == "unsupported":
            intent.unsupported.append((value, tokens.typed(tag.start, tag.end)))
        elif kind == "years":
            intent.years_asked = True
        elif kind == "shortfall":  # 寄附で賄えなかった分: 事業費 less 寄附額
            intent.unsupported.append(("difference", tokens.typed(tag.start, tag.end)))
            for f in (Field.PROJECT_COST, Field.DONATION_AMOUNT):
                order.setdefault(f, at)
                if f not in intent.fields:
                    intent.fields.append(f)
        elif kind == "evaluation":
            intent.evaluation = int(value)
        elif kind == "placeholder":  # …, 〇〇 only mark a forgotten part beside what was typed (names)
            intent.placeholder = intent.placeholder or value != "mark"
        elif kind == "new":
            intent.new, intent.list_cue = True, True
        elif kind in {"history", "summary", "chart", "help", "compare"}:
            setattr(intent, {"summary": "summary_cue"}.get(kind, kind), True)
            intent.same = intent.same or value == "same"
        elif kind == "list":
            intent.list_cue = True
        elif kind == "breakdown":
            breakdown = tokens.typed(tag.start, tag.end)
        elif kind == "quantity":
            quantity = tokens.typed(tag.start, tag.end)
        elif kind == "stated":
            intent.stated.append((tokens.typed(tag.start, tag.end), tag.number or Decimal(0), tag.value))
        elif kind == "generic" and value == "check":
            intent.checking = True
    checked = _checked(tokens, tags)
    approximate = {e for t in tags if t.kind == "approximate" for e in (t.start, t.end)}
    figure = next((t for t in tags if t.kind in {"threshold", "stated"} and {t.start, t.end} & approximate), None)
    if figure is not None and not checked:  # 寄附がだいたい1000万円の事業: not exactly that figure
        intent.unsupported.append(("figure", tokens.typed(figure.start, figure.end)))
    if _which_donors(tokens, tags):
        intent.unsupported.append(("donor", "企業"))  # 寄附した企業ってどこ？: who, not how many
    if _portion(tokens, tags):
        breakdown = breakdown or "うち"  # 寄附額のうち、ラボの整備に使った額: a part of a figure, not held
    if breakdown and any(f in AMOUNTS for f in intent.fields):
        intent.unsupported.append(("breakdown", breakdown))  # 事業費の内訳: the sheet has the total only
    elif breakdown:
        intent.summary_cue = True  # 医療機関応援金の内訳: what the project is made of, its overview
    _years_apart(intent, tokens, tags)
    _negated_filters(intent, tokens, tags, names)
    toks = tokens.tokens
    if any(a.surface == "よ" and b.surface == "ね" and a.pos2 == "終助詞" for a, b in itertools.pairwise(toks)):
        intent.checking = True  # 〇〇ですよね？: the asker says what they believe, to have it checked
    if checked:
        intent.checking = True  # 事業費合計は434,560千円でしょうか: the figure is what is asked about
    if intent.nth == 1:
        intent.nth, intent.op = None, None
        flags.add("superlative")
    if "small" in size_words:
        intent.ascending = True
    if intent.op is None and ("superlative" in flags or size_words) and not intent.compare:
        intent.op = Op.MIN if intent.ascending else Op.MAX
    _donation_fields(intent, flags)
    intent.fields.sort(key=lambda f: order.get(f, len(tokens)))
    including = any(t.lemma in {"含める", "含む"} for t in tokens.tokens)
    if intent.summary_cue and (intent.fields == [Field.RESULT] or (including and set(intent.fields) <= SUMMARY)):
        intent.fields = []  # ざっくりどんな内容？, 概要を事業費・寄附額を含めて: the overview, which holds them
    if intent.policies and Field.POLICY not in intent.fields and _names_projects(names):
        intent.fields.append(Field.POLICY)  # 「健康ポイントは継続？」 asks for its 今後の方針
    if quantity and Field.KPI not in intent.fields and not names.kpi_words:
        # 環境学習会は何回開催した？: how many of something the sheet does not count (a KPI's is asked,
        # 達成率は何％？, with the KPI named)
        intent.unsupported.append(("quantity", quantity))
    if names.kpi_words and Field.KPI not in intent.fields:
        intent.fields.append(Field.KPI)  # 子育てパスポートのアプリ登録世帯数: that KPI
    if intent.evaluation is not None and Field.EVALUATION not in intent.fields and _names_projects(names):
        intent.fields.append(Field.EVALUATION)  # 健康ポイントは効果があった？: its 事業の評価
    return intent


def _names_projects(names: Names) -> bool:
    return any(h.kind == "project" for h in names.hits)


def _donation_fields(intent: Intent, flags: set[str]) -> None:
    donation = "donation" in flags or any(f in {Field.DONATION_AMOUNT, Field.DONATION_COUNT} for f in intent.fields)
    counting = "count" in flags
    if counting and intent.op == Op.COUNT and donation:
        intent.op = None  # 寄附は何件ありましたか: the donations are counted, not the projects
    if counting and (donation or intent.op in {Op.MAX, Op.MIN, Op.RANK, Op.AVG}):
        if Field.DONATION_COUNT not in intent.fields:
            intent.fields.append(Field.DONATION_COUNT)
    elif counting:
        intent.counting = True
    elif donation and not any(f in {Field.DONATION_AMOUNT, Field.DONATION_COUNT} for f in intent.fields):
        # 寄附が1件だけの事業: donations counted in 件 are the count, not the amount.
        counted = intent.threshold is not None and intent.threshold.unit == "件"
        intent.fields.append(Field.DONATION_COUNT if counted else Field.DONATION_AMOUNT)
    if "amount" in flags and not intent.fields and not intent.counting:
        intent.fields.append(Field.DONATION_AMOUNT)
    elif "amount" in flags and counting and donation and Field.DONATION_AMOUNT not in intent.fields:
        intent.fields.append(Field.DONATION_AMOUNT)  # 寄附って何件でいくら: both


def _years_apart(intent: Intent, tokens: Tokens, tags: list[Tag]) -> None:
    """令和5年度にはあって令和4年度にはない事業 (on record one year, not another) and 令和4年度にしかない /
    令和4年度だけの事業 (on record that year alone): which projects, not how a figure changed."""
    years = [t for t in tags if t.kind == "year"]
    negations = [t for t in tags if t.kind == "negation" and not _polite(tokens, t.start)]
    if len(years) == 2 and negations and negations[-1].start >= years[1].end and years[0].number != years[1].number:
        intent.year, intent.absent_year = int(years[0].number or 0), int(years[1].number or 0)
    elif len(years) == 1 and (
        _alone_after(tokens, years[0], {"だけ", "のみ"})
        or (negations and negations[-1].start >= years[0].end and _alone_after(tokens, years[0], {"しか"}))
    ):
        intent.only_year = True
    else:
        return
    intent.list_cue = True
    intent.unsupported = [(r, typed) for r, typed in intent.unsupported if r not in {"trend", "negation"}]


_NEGATION_GLUE = frozenset({"じゃ", "では", "で", "は", "が", "の", "も", "と", "」", "』"})


def _negated_filters(intent: Intent, tokens: Tokens, tags: list[Tag], names: Names) -> None:
    """継続じゃない事業, 子育て支援課じゃない事業, 港湾振興課以外の事業: a negation or 以外 right after a
    filter (今後の方針, 事業の評価, 基本目標, a department) turns that filter round."""
    turned: list[Tag] = []
    for neg in tags:
        if not (neg.kind == "negation" or (neg.kind == "unsupported" and neg.value == "exclude")):
            continue
        j = neg.start
        # 終了の事業を除いた: the projects themselves may stand between the filter and the negation.
        projects = {
            i
            for t in tags
            if t.kind == "generic" and "事業" in tokens.key(t.start, t.end)
            for i in range(t.start, t.end)
        }
        while j > 0 and (tokens.tokens[j - 1].surface in _NEGATION_GLUE | {"を"} or j - 1 in projects):
            j -= 1
        ends = range(j, neg.start + 1)  # 「継続」以外: the closing bracket may be the filter's or glue
        kind = next((t.kind for t in tags if t.end in ends and t.kind in {"policy", "evaluation", "goal"}), None)
        if kind is None and any(h.kind == "department" and h.end in ends for h in names.hits):
            kind = "department"
        if kind is not None:
            intent.negated.add(kind)
            turned.append(neg)
    if turned:
        typed = {tokens.typed(max(t.start - 1, 0), t.end) for t in turned} | {
            tokens.typed(t.start, t.end) for t in turned
        }
        intent.unsupported = [
            (r, w) for r, w in intent.unsupported if not (r in {"negation", "exclude"} and w in typed)
        ]
        intent.list_cue = True


def _describes_by_department(tokens: Tokens, names: Names, tag: Tag) -> bool:
    """A department word right after a department's name and before の (環境政策課|所管|の)."""
    after = tag.end < len(tokens) and tokens.tokens[tag.end].surface == "の"
    return after and any(h.kind == "department" and h.end == tag.start for h in names.hits)


def _only_so_many(tokens: Tokens, tags: list[Tag], negation: Tag) -> bool:
    """A negation after a threshold and しか (1件しかなかった): the threshold is exact."""
    threshold = next((t for t in tags if t.kind == "threshold" and t.end < negation.start), None)
    return threshold is not None and any(
        tokens.tokens[i].surface == "しか" for i in range(threshold.end, negation.start)
    )


def _alone_after(tokens: Tokens, year: Tag, words: set[str]) -> bool:
    """令和4年度だけの事業, 令和4年度のみに, 令和4年度にしか(ない): one of ``words`` right after the year
    (a particle between); not the しか of 令和5年度に寄附が1件しかなかった, which is the threshold's."""
    i = year.end
    while i < len(tokens) and tokens.tokens[i].surface in {"に", "で", "は"}:
        i += 1
    return i < len(tokens) and tokens.tokens[i].surface in words


def _names_the_projects(tokens: Tokens, tags: list[Tag], tag: Tag) -> bool:
    """A donation word followed by the projects (企業版ふるさと納税の対象事業), or by a verb of using it
    and them (ふるさと納税を使った事業, を活用している事業): which projects, not their donations."""
    toks = tokens.tokens
    j = tag.end
    if j < len(toks) and toks[j].surface == "を":
        j += 1
        while j < len(toks) and (
            toks[j].pos in {"動詞", "助動詞"} or toks[j].pos3 == "サ変可能" or toks[j].surface == "て"
        ):
            j += 1
        if j == tag.end + 1:
            return False
    elif j < len(toks) and toks[j].surface == "の":
        j += 1
    else:
        return False
    return any(t.kind == "generic" and t.start == j and "事業" in tokens.key(t.start, t.end) for t in tags)


def _after_yori(tokens: Tokens, tag: Tag) -> bool:
    """健康ポイントより多い: a comparison with something named, not a superlative."""
    return tag.start > 0 and tokens.tokens[tag.start - 1].surface == "より"


def _threshold(tokens: Tokens, tag: Tag) -> Threshold:
    comparator = Comparator(tag.extra.rstrip("*"))
    scaled = tag.extra.endswith("*")
    written = tokens.typed(tag.start, tag.end)
    digits = "".join(c for c in written if c.isdigit() or c in ",.") or f"{tag.number:,}"  # 複数件: 2件以上
    scale = "".join(c for c in written.replace("せん", "千") if c in "億千百万")
    shown = f"{digits}{scale}{tag.value}{_NOUNS[comparator]}"  # 10,000千円以上 for 10,000せんえん いじょう
    return Threshold(comparator, tag.number or Decimal(0), tag.value, shown, scaled)


def _along_with(tokens: Tokens, tag: Tag) -> bool:
    """あわせて after と (方針とあわせて): together with, not a sum (寄附額をあわせると)."""
    return tag.start > 0 and tokens.tokens[tag.start - 1].surface == "と" and tokens.tokens[tag.start].pos == "動詞"


def _checks(tokens: Tokens, tags: list[Tag], names: Names, negation: Tag) -> bool:
    """ない after a figure or a name and では/じゃ, asked (24,450千円ではなかったですか, 健康体育課じゃ
    なかった？): the asker checks what they say."""
    j = negation.start
    while j > 0 and tokens.tokens[j - 1].surface in {"で", "は", "じゃ", "では"}:
        j -= 1
    if j == negation.start:
        return False
    return any(t.kind == "stated" and t.end == j for t in tags) or any(h.end == j for h in names.hits)


_WHO = frozenset({"どこ", "どちら", "誰", "だれ", "名前", "一覧", "リスト", "どの"})


def _which_donors(tokens: Tokens, tags: list[Tag]) -> bool:
    """寄附した企業ってどこ？, 寄附企業の名前: the donors themselves asked for, not their number."""
    toks = tokens.tokens
    for t in tags:
        if t.kind == "field" and t.value == "donation_count" and tokens.key(t.start, t.end).endswith("企業"):
            ahead = [x for x in toks[t.end : t.end + 3] if not x.function or x.key in _WHO]
            if ahead and ahead[0].key in _WHO:
                return True
    return False


def _checked(tokens: Tokens, tags: list[Tag]) -> bool:
    """Whether the question checks a figure it states (…は約13,672千円ですか, …で合ってますか)."""
    stated = any(t.kind == "stated" and _predicate_alone(tokens, t.end) for t in tags)
    return stated or any(t.kind == "generic" and t.value == "check" for t in tags)


def _portion(tokens: Tokens, tags: list[Tag]) -> bool:
    """An amount, の|うち, and another amount after it (寄附額のうち…使った額): a part of the first."""
    toks = tokens.tokens
    if any(t.kind == "shortfall" for t in tags):
        return False  # 事業費のうち寄附で賄えていない分: the cost less the donations, which is known
    amounts = [t for t in tags if t.kind == "field" and Field(t.value) in AMOUNTS]
    for first in amounts:
        k = first.end
        part = k + 1 < len(toks) and toks[k].surface == "の" and toks[k + 1].surface in {"うち", "内"}
        if part and any(t.start > k + 1 and (t in amounts or t.kind == "amount") for t in tags):
            return True
    return False


def _predicate_alone(tokens: Tokens, at: int) -> bool:
    """Whether only a copula and a question ending follow ``at`` (…でしょうか, …ですか？, …だっけ)."""
    rest = tokens.tokens[at:]
    return bool(rest) and rest[0].pos == "助動詞" and all(t.pos in {"助動詞", "助詞", "補助記号"} for t in rest)


def _polite(tokens: Tokens, at: int) -> bool:
    """Whether the negation at ``at`` follows a verb of receiving a favour (教えてもらえませんか)."""
    i = at - 1
    while i >= 0 and tokens.tokens[i].pos == "助動詞":
        i -= 1
    return i >= 0 and tokens.tokens[i].lemma in POLITE_LEMMAS


def _relative_clause(tokens: Tokens, tag: Tag) -> bool:
    """A verb that modifies the noun after it (使った事業) rather than asking something."""
    if not tokens.tokens[tag.start].predicate:
        return False  # a phrase (何をした) asks; only a verb on its own may describe
    i = tag.end
    while i < len(tokens) and _verb_ending(tokens.tokens[i]):
        i += 1
    return i < len(tokens) and tokens.tokens[i].pos == "名詞"


def _subordinate(tokens: Tokens, tag: Tag) -> bool:
    """A verb that ends a clause giving a reason or circumstance (議会答弁で使うので, 使うけど): it is not
    what is asked."""
    if not tokens.tokens[tag.start].predicate:
        return False
    i = tag.end
    while i < len(tokens) and _verb_ending(tokens.tokens[i]):
        i += 1
    if i >= len(tokens):
        return False
    t = tokens.tokens[i]
    if t.pos2 == "接続助詞" and t.surface != "て":
        return True
    return t.surface == "の" and i + 1 < len(tokens) and tokens.tokens[i + 1].surface in {"で", "に"}


def _verb_ending(token: Token) -> bool:
    """What may follow a verb before the noun it describes: 使っ|て|いる事業, 使っ|た事業."""
    return token.pos == "助動詞" or token.surface == "て" or (token.pos == "動詞" and token.pos2 == "非自立可能")


def _negates(tags: list[Tag], negation: Tag, kind: str) -> bool:
    """Whether the negation follows a tag of ``kind`` closely (達成していない, クリアできていない)."""
    before = [t for t in tags if t.kind == kind and t.end <= negation.start]
    return bool(before) and negation.start - before[-1].end <= 4
