"""Stage 5: from an Intent to one plan — what will be answered, decided before anything is read.

Fail closed: a word beside a name that no name accounts for, a mention that names nothing, or an
operation kensho cannot apply gives NotFound or Unsupported, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answer import FIELD_NAMES
from bot.catalogue import Catalogue
from bot.names import NameHit
from bot.understand import AMOUNTS, Field, Intent, Op

UNSUPPORTED_WORDS = {
    "exclude": "特定の事業を除いた集計",
    "difference": "差の計算",
    "trend": "年度ごとの比較や推移",
    "ranking": "金額・件数以外の項目による順位付け",
    "per_donation": "1件あたりの金額",
    "kpi_achievement": "KPIの達成・未達による絞り込み",
    "text_search": "記載内容による絞り込み",
    "share": "割合や倍率の計算",
    "donor": "寄附した企業の名前",
    "when": "日付や期間についてのご質問",
    "comparison": "ほかの事業との比較による絞り込み",
    "chart": "グラフの作成（Slack でのメンション・DM、またはコマンド kensho chart でご利用ください）",
    "several": "複数の事業についての集計",
    "negation": "「〜ではない」という条件",
    "figure": "おおよその金額・件数による絞り込み",
    "breakdown": "金額の内訳",
    "contact": "担当者の連絡先",
    "same": "ある事業と同じ担当課・基本目標の事業を探すこと",
    "within": "1つの事業の中での最大・最小",
    "quantity": "KPI以外の人数・回数など",
    "no_figure": "金額・件数以外の項目の合計や平均",
}


# What the sheet does not record at all: said so, not "not supported yet".
NOT_HELD = frozenset({"donor", "contact", "breakdown"})
WRITTEN = frozenset({Field.RESULT, Field.REFLECTION, Field.EXPERT_OPINION})


@dataclass(frozen=True)
class Help:
    reason: str = ""


@dataclass(frozen=True)
class NoData:
    pass


@dataclass(frozen=True)
class Lookup:
    projects: tuple[int, ...]  # catalogue indexes
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class History:
    project: int


@dataclass(frozen=True)
class Compare:
    projects: tuple[int, ...]
    field: Field


@dataclass(frozen=True)
class Total:
    """医療機関応援金と健康ポイントの寄附額の合計: one amount of the named projects, added up."""

    projects: tuple[int, ...]
    field: Field


@dataclass(frozen=True)
class PerDonation:
    """寄附1件あたりの金額 of each named project."""

    projects: tuple[int, ...]


@dataclass(frozen=True)
class Years:
    """何年度に実施されていますか: the fiscal years a project is on record."""

    project: int


@dataclass(frozen=True)
class Trend:
    """前年度と比べて / 推移: every year's figure of one project, and the change."""

    project: int
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class FieldDifference:
    """健康ポイントの事業費と寄附額の差: two amounts of one project."""

    project: int
    first: Field
    second: Field


@dataclass(frozen=True)
class Ambiguous:
    projects: tuple[int, ...]


@dataclass(frozen=True)
class NotFound:
    typed: tuple[str, ...]  # what was not found, as typed
    suggestions: tuple[int, ...]


@dataclass(frozen=True)
class Unsupported:
    reason: str  # a key of UNSUPPORTED_WORDS
    typed: str
    runs: tuple[tuple[int, int], ...] = ()  # token spans to look for; the unknown runs by default


@dataclass(frozen=True)
class ByText:
    """No name was mentioned, but what was typed describes projects (ヘルメット)."""

    typed: str
    runs: tuple[tuple[int, int], ...] = ()  # token spans to look for; the unknown runs by default


@dataclass(frozen=True)
class NotTheirs:
    """労働政策課の中高生の自転車安全対策: a project named with a department that does not run it."""

    project: int
    departments: tuple[int, ...]  # catalogue indexes of the departments named


@dataclass(frozen=True)
class TextList:
    """「コロナ」に触れている事業: the projects whose texts hold the words, named or not."""

    phrase: str  # matching key of what is looked for
    typed: str  # as typed, for the answer


@dataclass(frozen=True)
class Scope:
    """A list or an aggregate over the projects of an issuer and year, filtered."""

    issuer: int | None
    departments: tuple[int, ...] = ()
    goal_number: int | None = None
    op: Op | None = None
    fields: tuple[Field, ...] = field(default_factory=tuple)
    trend: bool = False  # 全体の寄附額の推移: the total of every year on record
    kpi_state: str = ""  # met | unmet | pending: only projects whose KPIs are (not) achieved, or 集計中
    evaluation: int | None = None  # only projects of this 事業の評価 (1..4)
    excluded: tuple[int, ...] = ()  # catalogue indexes of projects left out (健康ポイントを除いた)
    new: bool = False  # only projects with no record the year before (新規事業)
    absent_year: int | None = None  # only projects with no record that year
    only_year: bool = False  # only projects on record in the year asked and no other
    negated: frozenset[str] = frozenset()  # filters turned round: policy, evaluation, goal, department
    difference: bool = False  # the totals of two amounts and their difference
    per_donation: bool = False  # 寄附1件あたりの金額: overall, or the projects ranked by it
    years: bool = False  # which fiscal years are on record


Plan = (
    Help
    | NoData
    | Lookup
    | History
    | Compare
    | PerDonation
    | Total
    | FieldDifference
    | Trend
    | Years
    | Ambiguous
    | NotFound
    | Unsupported
    | ByText
    | NotTheirs
    | TextList
    | Scope
)


def make_plan(intent: Intent, cat: Catalogue) -> Plan:
    names = intent.names
    if not cat.projects:
        return NoData()
    suggestions = names.best_suggestions()
    if names.unexplained:
        # The run as a whole may still describe one project in its own texts (環境アドバイザー); every
        # other unknown word must describe it too (子ども向けの環境学習会、何回開催: 何回 does not).
        stray = [u for u in names.unknown if not _within(u, names.unexplained)]
        runs = tuple(sorted([*names.unexplained, *stray]))
        return ByText(" ".join(intent.typed(u) for u in runs), runs)
    hits = names.hits
    searched = _text_list(intent)
    if searched is not None:
        return searched
    looked_for = intent.reasons == {"text_search"} and intent.fields
    if names.unknown and looked_for and any(h.kind == "project" for h in hits):
        names.unknown = []  # 健康ポイントの振り返りってインストール数とか書いてある？: what to read for, in that field
    if names.unknown:
        # A department's name beside unknown words (健康体育課がヘルメットを配った事業) is whose project the
        # words describe: looked for in that department's texts (ByText); a project's is not, unless
        # the question compares it with the one described (ヘルメットを配った事業と医療機関応援金、どっち).
        compared = intent.compare or intent.op in {Op.MAX, Op.MIN}
        if any(h.kind != "department" for h in hits) and not compared:
            return NotFound(tuple(intent.typed(u) for u in names.unknown), suggestions)
        # コミュニティバスの事業の1件あたり, ヘルメットを配った事業の事業費のうち寄附でまかなえてない分:
        # the project is found first, and what is asked of it is then planned as for a name.
        return ByText(" ".join(intent.typed(u) for u in names.unknown))
    if intent.help and not hits:
        return Help()
    hits = _narrowed(hits)
    ambiguous = next((h for h in hits if h.kind == "project" and h.ambiguous), None)
    if ambiguous is not None:
        return Ambiguous(ambiguous.ids)
    projects = tuple(dict.fromkeys(i for h in hits if h.kind == "project" for i in h.ids))
    named = tuple(dict.fromkeys(i for h in hits if h.kind == "department" and not h.ambiguous for i in h.ids))
    owners = {cat.departments[i].id for i in named}
    stranger = next((p for p in projects if owners and cat.projects[p].department_id not in owners), None)
    if stranger is not None:
        return NotTheirs(stranger, named)
    if projects and intent.checking and intent.op in {Op.MAX, Op.MIN, Op.RANK} and len(projects) == 1:
        # 事業費が2番目に小さいのは〇〇ですよね？: the ranking is asked; the project named is the claim.
        intent.claimed = cat.projects[projects[0]].name
        intent.names.hits = [h for h in hits if h.kind != "project"]
        return make_plan(intent, cat)
    if projects:
        return _about_projects(intent, projects, cat, tuple(dict.fromkeys(cat.departments[i].id for i in named)))
    if intent.placeholder:
        return Ambiguous(())  # 何とかっていう事業: one project, and nothing of its name to go by
    simple = intent.op in {None, Op.SUM} and not (intent.policies or intent.threshold or intent.evaluation)
    if intent.years_asked and not hits and not intent.unsupported:  # このデータって何年度分？
        return Scope(_issuer(intent, cat, (), None), years=True)
    if intent.reasons == {"trend"} and not hits and simple:
        fields = tuple(f for f in intent.fields if f in AMOUNTS) or (Field.DONATION_AMOUNT,)
        return Scope(_issuer(intent, cat, (), None), (), intent.goal_number, Op.SUM, fields, trend=True)
    if per_donation_asked(intent) and not hits and not intent.policies:
        # 寄附1件あたりの額が一番大きい事業 / 全体で見ると寄附1件あたりの平均額.
        return Scope(_issuer(intent, cat, (), None), (), intent.goal_number, intent.op, (), per_donation=True)
    amounts = tuple(f for f in intent.fields if f in AMOUNTS and f != Field.DONATION_COUNT)
    if intent.reasons == {"difference"} and not hits and simple and len(amounts) == 2:
        # 事業費の総額と寄附額の総額の差: both totals and their difference.
        return Scope(_issuer(intent, cat, (), None), (), intent.goal_number, Op.SUM, amounts, difference=True)
    if intent.unsupported:
        return _unsupported(intent)
    if intent.chart:
        return Unsupported("chart", "グラフ")
    vague = next((h for h in hits if h.kind == "department" and h.ambiguous), None)
    if vague is not None:  # 政策課: 労働政策課 or 環境政策課 — their projects are the candidates
        return Ambiguous(tuple(i for d in vague.ids for i in cat.projects_by_department.get(cat.departments[d].id, [])))
    departments = tuple(dict.fromkeys(cat.departments[i].id for h in hits if h.kind == "department" for i in h.ids))
    goal = next((h.ids[0] for h in hits if h.kind == "goal"), None)
    if goal is not None:
        intent.goal_number = cat.goals[goal].number
    issuer = _issuer(intent, cat, departments, goal)
    if not hits and not intent.asks_something and not intent.issuers:
        return Help("nothing")
    fields = tuple(f for f in intent.fields if not (departments and f == Field.DEPARTMENT))
    if intent.kpi_state:
        fields = tuple(f for f in fields if f != Field.KPI) or (Field.KPI,)
    if intent.op in {Op.MAX, Op.MIN, Op.RANK} and fields and not any(f in AMOUNTS for f in fields):
        # KPI達成率が最も高い事業: a ranking by what is no amount; never by another field instead.
        return Unsupported("ranking", FIELD_NAMES[fields[0].value])
    summed = _no_figure_summed(intent)
    if summed is not None:
        return summed
    if intent.stated and not intent.checking:
        # 寄附額が100万円くらいの事業: a figure that is no condition kensho can apply is never dropped
        # to list every project as if they met it.
        return Unsupported("figure", intent.stated[0][0])
    return Scope(
        issuer,
        departments,
        intent.goal_number,
        intent.op,
        fields,
        kpi_state=intent.kpi_state,
        evaluation=intent.evaluation,
        new=intent.new,
        absent_year=intent.absent_year,
        only_year=intent.only_year,
        negated=frozenset(intent.negated),
    )


def _text_list(intent: Intent) -> TextList | None:
    """「ジョブカフェ」と書かれている事業 / コロナに触れている事業: asked for by a verb of writing, about
    no project named, with the words in quotes or as the only unknown run."""
    if intent.reasons != {"text_search"} or intent.op:
        return None
    if not set(intent.fields) <= WRITTEN | {Field.KPI}:
        return None  # 振り返りとかでコロナに触れてる: a field of text says where, an amount asks something else
    names = intent.names
    quoted = intent.tokens.quoted()
    if any(h.exact or (h.kind == "project" and quoted) for h in names.outside(quoted)):
        return None  # 健康ポイントについて書かれていること: about a project named
    if quoted is not None:
        return TextList(intent.tokens.key(*quoted), intent.typed(quoted))
    # ジョブカフェ, 交流会: a word the texts use, whether or not it also resembles a name.
    mentions = names.unknown + [(h.start, h.end) for h in names.hits]
    spans = names.unexplained + [s for s in mentions if not _within(s, names.unexplained)]
    spans = spans or names.context  # 赤潮について触れている: a common noun is what is looked for
    if len(spans) == 1 and intent.fields and _owns_a_field(intent, spans[0]):
        return None  # 環境学習事業の振り返りってどう書いてある: that project's field
    if len(spans) == 1:
        return TextList(intent.tokens.key(*spans[0]), intent.typed(spans[0]))
    return None


def per_donation_asked(intent: Intent) -> bool:
    """寄附1件あたり, 1社あたり, 単価: per donation; 一人あたりの県民所得 is not (a KPI's own words)."""
    typed = [w for r, w in intent.unsupported if r == "per_donation"]
    if not typed or len(typed) != len(intent.unsupported):
        return False
    return all(any(c in w for c in ("件", "社", "単価", "けん", "しゃ")) for w in typed)


def _owns_a_field(intent: Intent, span: tuple[int, int]) -> bool:
    """Whether the words are followed by の and a field (環境学習事業の|振り返り)."""
    toks = intent.tokens.tokens
    end = span[1]
    return end + 1 < len(toks) and toks[end].surface == "の" and end + 1 in intent.field_starts


def _within(span: tuple[int, int], runs: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in runs)


def _unsupported(intent: Intent) -> Unsupported:
    reason, typed = intent.unsupported[0]
    return Unsupported(reason, typed)


def _no_figure_summed(intent: Intent) -> Unsupported | None:
    """担当課の合計, 今後の方針の平均: a sum or an average of what is no figure, never another field's."""
    fields = [f for f in intent.fields if f not in AMOUNTS]
    if intent.op in {Op.SUM, Op.AVG} and fields and len(fields) == len(intent.fields) and not intent.counting:
        return Unsupported("no_figure", FIELD_NAMES[fields[0].value])
    return None


def _about_projects(intent: Intent, projects: tuple[int, ...], cat: Catalogue, departments: tuple[int, ...]) -> Plan:
    summed = _no_figure_summed(intent)
    if summed is not None and (len(projects) > 1 or intent.reasons == {"exclude"}):
        return summed  # one project's 今後の方針、理由もあわせて: together, not summed
    if intent.reasons == {"exclude"}:
        # 医療機関応援金以外の寄附額の合計: everything of that issuer and year but the projects named;
        # 健康福祉課の事業のうち〇〇以外: of that department.
        issuer = cat.projects[projects[0]].issuer_id
        fields = tuple(intent.fields) or (Field.DONATION_AMOUNT,) * bool(intent.op)
        return Scope(issuer, departments, intent.goal_number, intent.op, fields, excluded=projects)
    if intent.history:
        return History(projects[0]) if len(projects) == 1 else Unsupported("several", "履歴")
    if intent.years_asked and len(projects) == 1 and not intent.unsupported:
        return Years(projects[0])
    if intent.chart:
        return Unsupported("chart", "グラフ")
    fields = list(intent.fields)
    if intent.counting and Field.DONATION_COUNT not in fields:
        fields.append(Field.DONATION_COUNT)  # 健康ポイントは何件？: that project's donations
    asked = set(intent.reasons)
    if asked == {"text_search"} and fields:
        asked = set()  # 振り返りにはどう書いてある？: what a named project's field says
        intent.unsupported.clear()
    amounts = [f for f in fields if f in AMOUNTS]
    if asked == {"per_donation"} and per_donation_asked(intent):
        return PerDonation(projects)
    several = len(projects) > 1
    if intent.same and not several:
        return Unsupported("same", "同じ")  # 医療機関応援金と同じ課の事業: a question about others, by one
    if several and (intent.compare or intent.op in {Op.MAX, Op.MIN} or asked & {"difference", "trend"}):
        if asked - {"difference", "trend"} or len(amounts) > 1:
            return _unsupported(intent)
        if fields and not amounts and not (intent.op or asked & {"difference"}):
            return Lookup(projects, tuple(fields))  # 今後の方針を比べると: each one's, side by side
        if fields and not amounts:
            return Unsupported("ranking", FIELD_NAMES[fields[0].value])  # 担当課の差: no figure to compare
        return Compare(projects, amounts[0] if amounts else Field.DONATION_AMOUNT)
    if asked <= {"trend", "difference"} and "trend" in asked and len(projects) == 1:
        return Trend(projects[0], tuple(fields) or (Field.DONATION_AMOUNT,))
    if asked == {"difference"} and len(projects) == 1 and len(amounts) == 2:
        return FieldDifference(projects[0], amounts[0], amounts[1])
    if asked:
        return _unsupported(intent)
    if len(projects) > 1 and intent.op == Op.SUM and len(amounts) <= 1:
        return Total(projects, amounts[0] if amounts else Field.DONATION_AMOUNT)
    if len(projects) > 1 and intent.op in {Op.SUM, Op.AVG, Op.RANK}:
        return Unsupported("several", "合計")
    if not several and intent.op in {Op.MAX, Op.MIN} and not intent.nth:
        # 不妊治療費助成事業の寄附の一番大きい1件: the largest of what one project holds, not recorded.
        return Unsupported("within", "最大・最小")
    return Lookup(projects, tuple(fields))


def _issuer(intent: Intent, cat: Catalogue, departments: tuple[int, ...], goal: int | None) -> int | None:
    if departments:
        return next(d.issuer_id for d in cat.departments if d.id == departments[0])
    if goal is not None:
        return cat.goals[goal].issuer_id
    if intent.issuers:
        return intent.issuers[0]
    return None


def _narrowed(hits: list[NameHit]) -> list[NameHit]:
    """移住促進事業（第1期）: an ambiguous mention narrowed by another one naming some of its candidates."""
    out = list(hits)
    changed = True
    while changed:
        changed = False
        for a in out:
            for b in out:
                if a is b or a.kind != "project" or b.kind != "project" or not (a.ambiguous or b.ambiguous):
                    continue
                common = tuple(i for i in a.ids if i in b.ids)
                if common:
                    merged = NameHit(min(a.start, b.start), max(a.end, b.end), "project", common, max(a.score, b.score))
                    out = [h for h in out if h is not a and h is not b] + [merged]
                    changed = True
                    break
            if changed:
                break
    return sorted(out, key=lambda h: h.start)
