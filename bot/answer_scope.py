"""Stage 6b: executing plans over many projects — lists, totals, averages, extremes, rankings.

Everything is computed in SQL over one scope (issuer, year, department, goal, 今後の方針, a threshold)
on the question's session.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot import answer as A
from bot import citation
from bot.answer_project import Context, project_answer
from bot.catalogue import ProjectEntry
from bot.plan import Scope as ScopePlan
from bot.understand import AMOUNTS, Comparator, Field, Op
from store import queries, values
from store.issuers import options_of
from store.models import Issuer, Record
from store.options import circled

LIST_LIMIT = 30
SUMMED_SHOWN = 5  # projects of a total or an average named in the answer, when there are no more


def default_issuer(ctx: Context) -> Issuer:
    """The issuer the question names, else the deployment's own, else the one with most projects."""
    for wanted in (ctx.only_issuer, ctx.default_issuer):
        if wanted is not None and wanted in ctx.cat.issuers:
            return ctx.cat.issuers[wanted]
    counts: dict[int, int] = {}
    for p in ctx.cat.projects:
        counts[p.issuer_id] = counts.get(p.issuer_id, 0) + 1
    return ctx.cat.issuers[max(counts, key=lambda k: counts[k])]


def scope_answer(ctx: Context, plan: ScopePlan) -> A.Answer:
    intent = ctx.intent
    issuer = ctx.cat.issuers[plan.issuer] if plan.issuer is not None else default_issuer(ctx)
    years = ctx.cat.years_by_issuer.get(issuer.id, [])
    if plan.years:
        shown = "、".join(values.fiscal_year_label(y) for y in years) or "なし"
        return A.Answer(ctx.q, "answered", f"{issuer.name}の登録されている年度は、{shown}です。", kind="list")
    year = intent.year or (years[-1] if years else None)
    if year is None or year not in years:
        have = "、".join(values.fiscal_year_label(y) for y in years) or "なし"
        asked = values.fiscal_year_label(year) if year else "対象年度"
        return A.Answer(
            ctx.q,
            "not_found",
            f"{issuer.name}の{asked}のデータは登録されていません（登録されている年度：{have}）。",
            kind="aggregate" if plan.op else "list",
        )
    fields = list(plan.fields)
    if plan.kpi_state:
        return _by_kpi(ctx, issuer, year, plan, fields)
    if plan.trend:
        return _trend(ctx, issuer, years, plan, fields[0])
    threshold = _threshold(ctx, fields)
    if intent.threshold is not None and threshold is None:
        return unsupported_answer(ctx, intent.threshold.written)
    labels = tuple(dict.fromkeys(intent.policies))
    excluded = tuple(ctx.cat.projects[i].id for i in plan.excluded)
    if plan.new and year - 1 not in years:
        before, now = values.fiscal_year_label(year - 1), values.fiscal_year_label(year)
        body = f"{before}のデータが登録されていないため、{now}の新規事業は判定できません。"
        return A.Answer(ctx.q, "not_found", body, kind="list")
    absent = year - 1 if plan.new else plan.absent_year  # 新規事業: on record this year, not the year before
    if absent is not None or plan.only_year:
        own = [ctx.cat.projects[i] for i in ctx.cat.projects_of(issuer.id)]
        if absent is not None:
            excluded += tuple(p.id for p in own if absent in p.years)
        if plan.only_year:
            excluded += tuple(p.id for p in own if any(y != year for y in p.years))
    turned = plan.negated
    if turned:  # 継続じゃない事業: every project but those the filter would give
        positive = queries.Scope(
            issuer.id,
            year,
            plan.departments if "department" in turned else (),
            plan.goal_number if "goal" in turned else None,
            labels if "policy" in turned else (),
            plan.evaluation if "evaluation" in turned else None,
            draft_departments=ctx.draft_departments(),
        )
        excluded += tuple(r.project_id for r in queries.records_in(ctx.session, positive))
    scope = queries.Scope(
        issuer.id,
        year,
        () if "department" in turned else plan.departments,
        None if "goal" in turned else plan.goal_number,
        () if "policy" in turned else labels,
        None if "evaluation" in turned else plan.evaluation,
        threshold,
        excluded_project_ids=excluded,
        draft_departments=ctx.draft_departments(),
    )
    title = _scope_title(ctx, replace(scope, excluded_project_ids=()) if turned else scope)
    if turned:
        title += "のうち、" + "・".join(_turned_words(ctx, plan, labels)) + "以外の事業"
    context, cited = citation.scope_line(ctx.session, issuer, scope, [], [])
    amounts = [f for f in fields if f in AMOUNTS]
    column = next((f for f in amounts if threshold is None or f.value != threshold[0]), amounts[0] if amounts else None)
    note = ctx.year_note(year)
    if plan.difference:
        return _totals_difference(ctx, scope, title, context, cited, amounts)
    if plan.per_donation:
        return _per_donation(ctx, scope, title, context, cited)
    if plan.op in {Op.SUM, Op.AVG, Op.MAX, Op.MIN, Op.RANK} and not (intent.counting and plan.op == Op.SUM):
        others = [f for f in fields if f not in AMOUNTS]
        if plan.op in {Op.MAX, Op.MIN} or intent.nth or plan.op == Op.SUM:
            # 事業費が一番小さい事業の寄附額: the first amount picks the project, the others are asked of it;
            # 事業費と寄附額の合計: each is summed.
            others += [f for f in amounts if f != column]
        found = _aggregate(ctx, scope, title, context, column or Field.DONATION_AMOUNT, others)
        found.body = note + found.body
        found.citations = cited
        return found
    records = [r for r in map(ctx.visible, queries.records_in(ctx.session, scope, limit=LIST_LIMIT)) if r]
    total = queries.count_in(ctx.session, scope)
    field_name = fields[0].value if fields else None
    if field_name:
        context, cited = citation.scope_line(ctx.session, issuer, scope, records, [field_name])
    if total == 1 and plan.departments and fields and not intent.counting:
        # 労働政策課の寄附額: a department with one project answers for that project.
        entry = next(p for p in ctx.cat.projects if p.id == records[0].project_id)
        return project_answer(ctx, entry, fields, note=f"{title}は「{entry.name}」の1件です。\n")
    if total == 0:  # 方針が拡充の事業 with none: what is asked for is not on record
        body = note + f"{title}はありません。"
        return A.Answer(
            ctx.q, "not_found", body, field=field_name, context=context, kind="list", fiscal_year=year, citations=cited
        )
    lines = [f"・{r.project.name}" + (f"：{_short(r, field_name)}" if field_name else "") for r in records]
    if total > len(records):
        lines.append(f"ほか{total - len(records):,}件")
    body = note + f"{title}は{total:,}件です。\n" + "\n".join(lines)
    if column:
        agg_total, _, _ = queries.aggregate(ctx.session, scope, column.value)
        unit = A.count(agg_total) if column == Field.DONATION_COUNT else A.amount(agg_total)
        body += f"\n{A.FIELD_NAMES[column.value]}の合計：{unit}"
    chosen_by = next(
        (
            f.value
            for f, chosen in (
                (Field.POLICY, bool(labels)),
                (Field.EVALUATION, plan.evaluation is not None),
                (Field.DEPARTMENT, bool(plan.departments)),
                (Field.GOAL, plan.goal_number is not None),
            )
            if chosen
        ),
        None,
    )
    return A.Answer(
        ctx.q,
        "answered",
        body,
        field=field_name or chosen_by,  # 継続の事業: a list by 今後の方針 is about that field
        projects=[r.project.name for r in records],
        project_ids=[r.project_id for r in records],
        title=title,
        context=context,
        kind="list",
        fiscal_year=year,
    )


def _by_kpi(ctx: Context, issuer: Issuer, year: int, plan: ScopePlan, fields: list[Field]) -> A.Answer:
    """KPIが未達の事業 / 達成した事業: judged from target and actual; 集計中 is unknown, never 未達, and
    asked about on its own (集計中の事業)."""
    if ctx.intent.op or ctx.intent.threshold or ctx.intent.policies:
        return unsupported_answer(ctx, "KPI", "KPIの達成状況とほかの条件の組み合わせ")
    scope = queries.Scope(issuer.id, year, plan.departments, plan.goal_number)
    title = _scope_title(ctx, scope)
    met, unmet, unknown = [], [], []
    records = list(filter(None, map(ctx.visible, queries.records_in(ctx.session, scope))))
    for record in records:
        states = {A.kpi_progress(k) for k in record.kpis}
        if "未達" in states:
            unmet.append(record)
        elif states == {"達成"}:
            met.append(record)
        else:
            unknown.append(record)
    pending = [r for r in records if any(A.kpi_progress(k) == "集計中" for k in r.kpis)]
    chosen = {"met": met, "unmet": unmet, "pending": pending}[plan.kpi_state]
    word = {"met": "KPIを達成した", "unmet": "KPIが未達の", "pending": "KPIの実績値が集計中の"}[plan.kpi_state]
    if plan.kpi_state == "pending":
        unknown = []  # what is asked about is what cannot be judged
    lines = [f"・{r.project.name}：" + "、".join(A.kpi_line(k) for k in r.kpis) for r in chosen[:LIST_LIMIT]]
    body = f"{title}のうち、{word}事業は{len(chosen)}件です。" + ("\n" + "\n".join(lines) if lines else "")
    context, cited = citation.scope_line(ctx.session, issuer, scope, chosen, ["kpi"])
    if unknown:
        body += f"\n（KPIの実績値が集計中または未記入のため判定できない事業が{len(unknown)}件あります）"
    return A.Answer(
        ctx.q,
        "answered" if chosen else "not_found",
        body,
        field=Field.KPI.value,
        projects=[r.project.name for r in chosen],
        project_ids=[r.project_id for r in chosen],
        title=title,
        context=context,
        citations=cited,
        kind="list",
        fiscal_year=year,
    )


def _trend(ctx: Context, issuer: Issuer, years: list[int], plan: ScopePlan, column: Field) -> A.Answer:
    """全体の寄附額は令和4年度から令和5年度でどう変わった？: the total of each year, and the change."""
    label = A.FIELD_NAMES[column.value]
    fmt = A.count if column == Field.DONATION_COUNT else A.amount
    lines = []
    previous = None
    overall = 0
    for year in years:
        scope = queries.Scope(issuer.id, year, plan.departments, plan.goal_number)
        total, _, n = queries.aggregate(ctx.session, scope, column.value)
        overall += total or 0
        line = f"・{values.fiscal_year_label(year)}（{n:,}件）：{fmt(total)}"
        if total is not None and previous is not None:
            change = total - previous
            line += (
                "（前年度と同じ）" if change == 0 else f"（前年度から{fmt(abs(change))}{'増' if change > 0 else '減'}）"
            )
        previous = total
        lines.append(line)
    if len(years) > 1:  # 2か年分を合わせた寄附額: every year on record together
        lines.append(f"{len(years)}か年度の合計：{fmt(overall)}")
    head = f"{issuer.name}の事業の{label}の合計（年度ごと）"
    if len(years) == 1:  # nothing to compare with: what is asked is not on record
        only = values.fiscal_year_label(years[0])
        head = (
            f"{issuer.name}の記録は{only}の分だけのため、前年度とは比べられません。"
            f"{only}の{label}の合計は次のとおりです。"
        )
    body = head + "\n" + "\n".join(lines)
    last = queries.Scope(issuer.id, years[-1], plan.departments, plan.goal_number)
    context, cited = citation.scope_line(ctx.session, issuer, last, [], [])
    return A.Answer(
        ctx.q,
        "answered" if len(years) > 1 else "not_found",
        body,
        field=column.value,
        context=context,
        kind="aggregate",
        fiscal_year=years[-1],
        citations=cited,
    )


def unsupported_answer(ctx: Context, condition: str, what: str = "", held: bool = True) -> A.Answer:
    """A filter or computation kensho cannot apply yet, said plainly rather than guessed; or, with
    ``held`` false, what the sheet does not record (寄附した企業, 連絡先, 金額の内訳)."""
    if not held:
        body = f"申し訳ありません。{what}はシートに記載がないため、お答えできません。"
        return A.Answer(ctx.q, "not_found", body, field=ctx.field(), kind="help")
    kind = f"（{what}）" if what else ""
    body = (
        f"申し訳ありません。「{condition}」を含むご質問{kind}には、まだ対応していません。\n"
        "「寄附額のランキング」「事業費が多い順に」「事業の一覧」などで全体をご確認ください。"
    )
    return A.Answer(ctx.q, "not_found", body, field=ctx.field(), kind="help")


def _short(record: Record, field_name: str) -> str:
    text = A.field_value(record, field_name).replace("\n", " ")
    return text if len(text) <= 80 else text[:79] + "…"


def _threshold(ctx: Context, fields: list[Field]) -> tuple[str, str, int | float] | None:
    """The question's threshold as (column, comparator, value in the column's unit), or None when
    there is none or it names no amount (3件以上 is the donations; 1000万円 the amount asked)."""
    asked = ctx.intent.threshold
    if asked is None:
        return None
    if asked.unit == "件":
        return (Field.DONATION_COUNT.value, asked.comparator.value, int(asked.value))
    money = [f for f in fields if f in AMOUNTS and f != Field.DONATION_COUNT]
    column = money[0] if money else (Field.DONATION_AMOUNT if asked.unit == "円" else None)
    if column is None:
        return None
    value = asked.value / 1000 if asked.unit == "円" or asked.scaled else asked.value
    number = int(value) if value == value.to_integral_value() else float(value)
    return (column.value, asked.comparator.value, number)


def _per_donation(ctx: Context, scope: queries.Scope, title: str, context: str, cited: list[Any]) -> A.Answer:
    """寄附1件あたりの金額 over a scope: the overall figure, or the projects ranked by it."""
    op = ctx.intent.op
    common = {"field": Field.DONATION_AMOUNT.value, "context": context, "kind": "aggregate", "fiscal_year": scope.year}
    if op in {Op.MAX, Op.MIN, Op.RANK}:
        ascending = ctx.intent.ascending or op == Op.MIN
        if op == Op.RANK:
            records = queries.ranked(ctx.session, scope, "per_donation", not ascending, ctx.intent.top_n or 10)
        else:
            records = queries.extreme_ties(ctx.session, scope, "per_donation", descending=not ascending)
        if not records:
            return A.Answer(ctx.q, "answered", f"{title}には寄附のある事業がありません。", **common)
        lines = [f"・{r.project.name}：{_each(r)}" for r in records]
        word = "小さい" if ascending else "大きい"
        head = (
            f"{title}のうち、寄附1件あたりの金額が最も{word}のは"
            if op != Op.RANK
            else f"{title}の寄附1件あたりの金額（{word}順）"
        )
        body = head + ("次のとおりです。\n" if op != Op.RANK else "\n") + "\n".join(lines)
        names = [r.project.name for r in records]
        return A.Answer(
            ctx.q, "answered", body, title=title, projects=names, project_ids=[r.project_id for r in records], **common
        )
    amount, count, n = queries.per_donation(ctx.session, scope)
    if not amount or not count:
        return A.Answer(ctx.q, "answered", f"{title}には寄附のある事業がありません。", **common)
    body = (
        f"{title}（寄附のある{n:,}件）の寄附1件あたりの金額は{A.average_amount(amount / count)}です"
        f"（寄附額の合計{amount:,}千円÷寄附件数の合計{count:,}件）。"
    )
    return A.Answer(ctx.q, "answered", body, title=title, **common)


def _each(record: Record) -> str:
    amount, n = record.donation_amount, record.donation_count
    return f"{A.average_amount(amount / n)}（寄附額{amount:,}千円÷{n:,}件）" if amount is not None and n else "寄附なし"


def _totals_difference(
    ctx: Context, scope: queries.Scope, title: str, context: str, cited: list[Any], columns: list[Field]
) -> A.Answer:
    """事業費の総額と寄附額の総額の差: each total and the difference."""
    first, second = columns[:2]
    a, _, n = queries.aggregate(ctx.session, scope, first.value)
    b, _, _ = queries.aggregate(ctx.session, scope, second.value)
    la, lb = A.FIELD_NAMES[first.value], A.FIELD_NAMES[second.value]
    if a is None or b is None:
        body = f"{title}の{la}と{lb}の合計の差は計算できません（データがありません）。"
    else:
        body = f"{title}（{n:,}件）の{la}の合計は{A.amount(a)}、{lb}の合計は{A.amount(b)}"
        body += f"で、差は{A.amount(abs(a - b))}です。"
    return A.Answer(
        ctx.q,
        "answered",
        body,
        field=first.value,
        title=title,
        context=context,
        kind="aggregate",
        fiscal_year=scope.year,
        citations=cited,
    )


def _turned_words(ctx: Context, plan: ScopePlan, labels: tuple[str, ...]) -> list[str]:
    """What a turned-round filter left out, in words: 今後の方針が「継続」, 港湾振興課の事業."""
    words = []
    if "department" in plan.negated:
        words.append("・".join(d.name for d in ctx.cat.departments if d.id in plan.departments) + "の事業")
    if "goal" in plan.negated and plan.goal_number is not None:
        words.append(f"基本目標{plan.goal_number}の事業")
    if "policy" in plan.negated:
        words.append("今後の方針が「" + "・".join(labels) + "」の事業")
    if "evaluation" in plan.negated and plan.evaluation is not None:
        words.append(f"事業の評価が{circled(plan.evaluation)}の事業")
    return words


def _scope_title(ctx: Context, scope: queries.Scope) -> str:
    parts = []
    if scope.department_ids:
        names = [d.name for d in ctx.cat.departments if d.id in scope.department_ids]
        parts.append("・".join(names))
    if scope.goal_number is not None:
        goal = next(
            (g for g in ctx.cat.goals if g.number == scope.goal_number and g.issuer_id == scope.issuer_id), None
        )
        number, _, title = (goal.label if goal else f"基本目標{scope.goal_number}").partition("：")
        parts.append(f"{number}「{title}」" if title else number)
    if scope.policy_labels:
        parts.append("今後の方針が「" + "・".join(scope.policy_labels) + "」")
    if scope.evaluation is not None:
        labels = options_of(ctx.session, ctx.cat.issuers.get(scope.issuer_id)).evaluation
        shown = labels[scope.evaluation - 1] if scope.evaluation <= len(labels) else str(scope.evaluation)
        parts.append(f"事業の評価が「{circled(scope.evaluation)}{shown}」")
    if scope.threshold is not None and ctx.intent.threshold is not None:
        parts.append(f"{A.FIELD_NAMES[scope.threshold[0]]}が{ctx.intent.threshold.written}")
    prefix = "、".join(parts)
    title = f"{values.fiscal_year_label(scope.year)}の{prefix + 'の' if prefix else ''}事業"
    if ctx.intent.new:
        title = title.replace("の事業", "の新規事業（前年度に登録のない事業）", 1)
    elif ctx.intent.absent_year is not None:
        title += f"のうち、{values.fiscal_year_label(ctx.intent.absent_year)}に登録のない事業"
    elif ctx.intent.only_year:
        title += "のうち、ほかの年度には登録のない事業"
    elif scope.excluded_project_ids:
        left_out = "・".join(p.name for p in ctx.cat.projects if p.id in scope.excluded_project_ids)
        title += f"（{left_out}を除く）"
    return title


def _figure(column: Field, value: int | None) -> str:
    return A.count(value) if column == Field.DONATION_COUNT else A.amount(value)


def _aggregate(
    ctx: Context, scope: queries.Scope, title: str, context: str, column: Field, others: list[Field]
) -> A.Answer:
    op = ctx.intent.op
    label = A.FIELD_NAMES[column.value]
    fmt = A.count if column == Field.DONATION_COUNT else A.amount
    shown_field = (
        others[0].value if (others and op in {Op.MAX, Op.MIN}) or (others and ctx.intent.nth) else column.value
    )
    common = {"field": shown_field, "context": context, "kind": "aggregate", "fiscal_year": scope.year}
    total, average, n = queries.aggregate(ctx.session, scope, column.value)
    if n == 0:
        return A.Answer(ctx.q, "answered", f"{title}には{label}のデータがありません。", **common)
    if op in {Op.SUM, Op.AVG}:
        if op == Op.SUM:
            # 事業費と寄附額の合計: every figure asked, each summed.
            more = [
                f"{A.FIELD_NAMES[f.value]}の合計は{_figure(f, queries.aggregate(ctx.session, scope, f.value)[0])}"
                for f in others
                if f in AMOUNTS and f != column
            ]
            body = f"{title}（{n:,}件）の{'、'.join([f'{label}の合計は{fmt(total)}', *more])}です。"
        else:
            assert average is not None
            shown = A.average_count(average) if column == Field.DONATION_COUNT else A.average_amount(average)
            body = f"{title}（{n:,}件）の{label}の平均は{shown}です。"
        # A few projects summed are named (基本目標１の事業の寄附額の合計: which two).
        named = scope.filtered and n <= SUMMED_SHOWN
        few = queries.records_in(ctx.session, scope, limit=SUMMED_SHOWN + 1) if named else []
        if few and len(few) <= SUMMED_SHOWN:
            names = [r.project.name for r in few]
            body += "\n対象：" + "、".join(names)
            return A.Answer(ctx.q, "answered", body, title=title, projects=names, **common)
        return A.Answer(ctx.q, "answered", body, title=title, **common)
    ascending = ctx.intent.ascending or op == Op.MIN
    if op in {Op.MAX, Op.MIN}:
        records = queries.extreme_ties(ctx.session, scope, column.value, descending=op == Op.MAX)
        word = "最も" + _order_word(column, ascending=op == Op.MIN)
        value = fmt(getattr(records[0], column.value))
        names = [r.project.name for r in records]
        if len(records) == 1:
            body = f"{title}のうち、{label}が{word}のは「{names[0]}」で、{value}です。"
            body += _chained(records[0], others)
        else:
            listing = "\n".join(f"・{n}" for n in names[:LIST_LIMIT])
            body = f"{title}のうち、{label}が{word}のは次の{len(names)}事業で、いずれも{value}です。\n{listing}"
        ids = [r.project_id for r in records]
        return A.Answer(ctx.q, "answered", body, projects=names, project_ids=ids, title=title, **common)
    nth = ctx.intent.nth
    if nth:
        records = queries.ranked(ctx.session, scope, column.value, descending=not ascending, limit=nth)
        if len(records) < nth:
            body = f"{title}で{label}のデータがあるのは{len(records)}件のため、{nth}番目はありません。"
            return A.Answer(ctx.q, "answered", body, title=title, **common)
        hit = records[-1]
        value = fmt(getattr(hit, column.value))
        word = _order_word(column, ascending)
        body = f"{title}のうち、{label}が{nth}番目に{word}のは「{hit.project.name}」で、{value}です。"
        body += _chained(hit, others)
        return A.Answer(
            ctx.q, "answered", body, projects=[hit.project.name], project_ids=[hit.project_id], title=title, **common
        )
    limit = ctx.intent.top_n or 10
    records = queries.ranked(ctx.session, scope, column.value, descending=not ascending, limit=min(limit, 50))
    lines = [f"{i}. {r.project.name}：{fmt(getattr(r, column.value))}" for i, r in enumerate(records, 1)]
    order = "少ない順" if ascending else "多い順"
    body = f"{title}の{label}（{order}、上位{len(records)}件）\n" + "\n".join(lines)
    return A.Answer(
        ctx.q,
        "answered",
        body,
        projects=[r.project.name for r in records],
        project_ids=[r.project_id for r in records],
        title=title,
        **common,
    )


def _chained(record: Record, others: list[Field]) -> str:
    """寄附額が一番多い事業の担当課: the other fields asked, of the project found."""
    return "".join("\n" + A.field_sentence(record, f.value) for f in others)


def _order_word(column: Field, ascending: bool) -> str:
    if column == Field.PROJECT_COST:
        return "小さい" if ascending else "大きい"
    return "少ない" if ascending else "多い"


__all__ = ["Comparator", "scope_answer", "text_list_answer", "unsupported_answer"]


def text_list_answer(ctx: Context, phrase: str, typed: str, found: list[ProjectEntry] | None = None) -> A.Answer:
    """The projects of the issuer asked about whose texts (事業内容, KPI, 振り返り, 有識者意見 of their
    latest year) hold ``phrase`` (or the projects ``found`` so already)."""
    issuer = default_issuer(ctx)
    if found is None:
        found = [ctx.cat.projects[i] for i in ctx.cat.projects_containing(phrase) if len(phrase) >= 2]
    found = [p for p in found if p.issuer_id == issuer.id]
    if not found:
        body = f"{issuer.name}の事業の記載（登録されているすべての年度）に「{typed}」は見つかりませんでした。"
        return A.Answer(ctx.q, "not_found", body, kind="search")
    listing = "\n".join(f"・{p.name}" for p in found)
    where = f"記載（登録されているすべての年度）に「{typed}」があるの" if typed else "お尋ねの内容に当たるの"
    body = f"{issuer.name}の事業のうち、{where}は次の{len(found)}件です。\n{listing}"
    return A.Answer(
        ctx.q,
        "answered",
        body,
        field=ctx.intent.fields[0].value if ctx.intent.fields else None,  # KPIが「…」の事業: the KPI's
        projects=[p.name for p in found],
        project_ids=[p.id for p in found],
        candidates=[A.Candidate(p.id, p.name) for p in found],
        kind="search",
    )
