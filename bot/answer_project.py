"""Stage 6a: executing plans about named projects — one or several, compared, or not found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot import answer as A
from bot import citation
from bot.catalogue import Catalogue, ProjectEntry
from bot.examples import hint
from bot.understand import AMOUNTS, Field, Intent
from store import queries, values
from store.people import department_ids_of, is_admin, may_update
from store.provenance import as_public
from store.readmodel import RecordView

ADMINISTRATOR: None = None  # ``viewer`` of the command line: sees drafts, like the planning office
PUBLIC = ""  # ``viewer`` of someone with no department: sees only submitted or imported values


@dataclass
class Context:
    """One question's execution: its session, catalogue and intent."""

    session: Session
    cat: Catalogue
    intent: Intent
    default_issuer: int | None = None  # the deployment's own issuer (KENSHO_ISSUER)
    only_issuer: int | None = None  # the issuer the question names (山河県の…)
    viewer: str | None = ADMINISTRATOR  # the asking Slack user id; drafts only for its department

    def record(self, project_id: int, year: int | None) -> RecordView | None:
        """The project's record of ``year`` (else its latest), as the viewer may see it."""
        return self.visible(queries.record_for(self.session, project_id, year))

    def visible(self, record: RecordView | None) -> RecordView | None:
        """A pending 下書き only for its department and administrators; others see the public values."""
        if record is None or not record.public_values or self.viewer is ADMINISTRATOR:
            return record
        if self.viewer and may_update(self.session, self.viewer, record.id):
            return record
        return as_public(record)

    def draft_departments(self) -> tuple[int, ...] | None:
        """The departments whose drafts the viewer sees (None: all of them)."""
        if self.viewer is ADMINISTRATOR or (self.viewer and is_admin(self.session, self.viewer)):
            return None
        return tuple(department_ids_of(self.session, self.viewer)) if self.viewer else ()

    def cite(self, records: list[RecordView], fields: list[str]) -> dict[str, Any]:
        """The answer's context line, citations and per-figure sources: where the values really come from."""
        merged: dict[tuple[str, str], citation.Citation] = {}
        for r in records:
            for c in citation.record_citations(self.session, r, fields):
                old = merged.get((c.kind, c.text))
                keys = tuple(dict.fromkeys((*old.keys, *c.keys))) if old else c.keys
                merged[(c.kind, c.text)] = citation.Citation(c.kind, c.text, keys)
        cited = sorted(merged.values(), key=lambda c: c.kind != "document")
        year = records[-1].fiscal_year if records else None
        return {
            "context": citation.citation_line(year, cited),
            "citations": cited,
            "figures": citation.figures(records, fields, cited),
        }

    @property
    def q(self) -> str:
        return self.intent.question

    def field(self) -> str | None:
        return self.intent.fields[0].value if self.intent.fields else None

    def year_note(self, year: int) -> str:
        """How a relative year was read (昨年度 = the latest year on record), said in the answer."""
        if not self.intent.relative_year:
            return ""
        if self.intent.relative_from is not None:
            latest, shown = values.fiscal_year_label(self.intent.relative_from), values.fiscal_year_label(year)
            word = self.intent.relative_year
            return f"（「{word}」は、登録されている最新の{latest}の前年度、{shown}としてお答えします）\n"
        latest = values.fiscal_year_label(year)
        return f"（「{self.intent.relative_year}」は、登録されている最新の{latest}としてお答えします）\n"


def project_answer(ctx: Context, entry: ProjectEntry, fields: list[Field], note: str = "") -> A.Answer:
    intent = ctx.intent
    record = ctx.record(entry.id, intent.year)
    names = [f.value for f in fields]
    if record is None:
        have = "、".join(values.fiscal_year_label(y) for y in entry.years) or "なし"
        year = values.fiscal_year_label(intent.year) if intent.year else ""
        return A.Answer(
            ctx.q,
            "not_found",
            f"{entry.name}の{year}のデータは登録されていません（登録されている年度：{have}）。",
            field=names[0] if names else None,
            candidates=[A.Candidate(entry.id, entry.name)],
            kind="lookup",
        )
    note = ctx.year_note(record.fiscal_year) + note
    common = {
        "projects": [entry.name],
        "project_ids": [entry.id],
        "title": entry.name,
        "fiscal_year": record.fiscal_year,
        **ctx.cite([record], names),
    }
    if not names:
        facts = A.summary_facts(record)
        body = note + A.summary_text(record, facts)
        return A.Answer(ctx.q, "answered", body, field="summary", facts=facts, kind="summary", **common)
    body = note + A.fields_text(record, names)
    facts = [(A.FIELD_NAMES[f], A.field_value(record, f)) for f in names]
    return A.Answer(ctx.q, "answered", body, field=names[0], facts=facts, kind="lookup", **common)


def projects_answer(ctx: Context, entries: list[ProjectEntry], fields: list[Field]) -> A.Answer:
    """Several named projects at once (医療機関応援金と健康ポイントの寄附額)."""
    answers = [project_answer(ctx, e, fields) for e in entries]
    missing = [a for a in answers if a.status != "answered"]
    if missing:
        return missing[0]  # every project named must be answered, or the answer says which is not
    body = "\n\n".join(a.body for a in answers)
    if ctx.intent.compare and len(fields) == 1 and fields[0] not in AMOUNTS:
        # 今後の方針は同じ？: the verdict on what was compared, after each one's value.
        shown = {getattr(ctx.record(e.id, ctx.intent.year), fields[0].value, None) for e in entries}
        label = A.FIELD_NAMES[fields[0].value]
        body += f"\n\n{label}は{'同じです' if len(shown) == 1 else '異なります'}。"
    return A.Answer(
        ctx.q,
        "answered",
        body,
        field=fields[0].value if fields else "summary",
        projects=[name for a in answers for name in a.projects],
        project_ids=[i for a in answers for i in a.project_ids],
        facts=[fact for a in answers for fact in a.facts],
        context=answers[0].context,
        kind="lookup",
        fiscal_year=answers[0].fiscal_year,
        citations=list({(c.kind, c.text): c for a in answers for c in a.citations}.values()),
        figures=[f for a in answers for f in a.figures],
    )


def compare_answer(ctx: Context, entries: list[ProjectEntry], column: Field) -> A.Answer:
    """「医療機関応援金と健康ポイント、寄附額はどっちが多い？」: both figures and the verdict."""
    rows = []
    for e in entries:
        record = ctx.record(e.id, ctx.intent.year)
        if record is None:
            return project_answer(ctx, e, [column])
        rows.append((e, record, getattr(record, column.value)))
    label = A.FIELD_NAMES[column.value]
    fmt = A.count if column == Field.DONATION_COUNT else A.amount
    lines = [f"・{e.name}（{values.fiscal_year_label(r.fiscal_year)}）：{fmt(v)}" for e, r, v in rows]
    known = [(e, v) for e, _, v in rows if v is not None]
    ascending = ctx.intent.ascending
    if len(known) == len(rows):
        ordered = sorted(known, key=lambda ev: ev[1], reverse=not ascending)
        word = (
            ("少ない" if ascending else "多い")
            if column != Field.PROJECT_COST
            else ("小さい" if ascending else "大きい")
        )
        if ordered[0][1] == ordered[-1][1]:
            verdict = f"{label}は同じです。"
        else:
            verdict = f"{label}が{word}のは「{ordered[0][0].name}」です。"
            if len(ordered) == 2:
                verdict += f"差は{fmt(abs(ordered[0][1] - ordered[1][1]))}です。"
        entries = [e for e, _ in ordered]
    else:
        verdict = f"{label}が未記入の事業があるため、比べられません。"
    names = list(dict.fromkeys(e.name for e in entries))
    return A.Answer(
        ctx.q,
        "answered",
        f"{label}の比較\n" + "\n".join(lines) + f"\n{verdict}",
        field=column.value,
        projects=names,
        project_ids=list(dict.fromkeys(e.id for e in entries)),
        **ctx.cite([r for _, r, _ in rows], [column.value]),
        kind="aggregate",
        fiscal_year=rows[0][1].fiscal_year,
    )


def ambiguous_answer(ctx: Context, entries: list[ProjectEntry]) -> A.Answer:
    names = [e.name for e in entries]
    listing = "\n".join(f"・{n}" for n in names)
    body = (
        f"どの事業のことでしょうか。次の事業が候補です。\n{listing}"
        if names
        else ("どの事業のことでしょうか。事業名の一部でも結構ですので、もう少し詳しく教えてください。")
    )
    return A.Answer(
        ctx.q,
        "ambiguous",
        body,
        field=ctx.field(),
        projects=names,
        project_ids=[e.id for e in entries],
        candidates=[A.Candidate(e.id, e.name) for e in entries],
        kind="lookup",
    )


def not_found_answer(ctx: Context, typed: list[str], suggestions: list[ProjectEntry]) -> A.Answer:
    shown = "」「".join(t for t in typed if t)
    subject = f"「{shown}」という事業" if shown else "該当する事業"
    body = f"{subject}は、登録されている事業の中に見つかりませんでした。"
    if suggestions:
        body += "\nもしかして：" + "、".join(f"「{s.name}」" for s in suggestions) + "のことでしょうか。"
    body += f"\n{hint(ctx.cat, ctx.only_issuer or ctx.default_issuer)}"
    return A.Answer(
        ctx.q,
        "not_found",
        body,
        field=ctx.field(),
        candidates=[A.Candidate(s.id, s.name) for s in suggestions],
        kind="lookup",
    )


def total_answer(ctx: Context, entries: list[ProjectEntry], column: Field) -> A.Answer:
    """One amount of the named projects, each and added up (医療機関応援金と健康ポイントの寄附額の合計)."""
    fmt = A.count if column == Field.DONATION_COUNT else A.amount
    label = A.FIELD_NAMES[column.value]
    records = []
    for e in entries:
        record = ctx.record(e.id, ctx.intent.year)
        if record is None or getattr(record, column.value) is None:
            return project_answer(ctx, e, [column])  # the one not on record says so
        records.append(record)
    total = sum(getattr(r, column.value) for r in records)
    lines = [f"・{A.record_heading(r)}：{fmt(getattr(r, column.value))}" for r in records]
    body = f"{len(records)}事業の{label}の合計は{fmt(total)}です。\n" + "\n".join(lines)
    return A.Answer(
        ctx.q,
        "answered",
        body,
        field=column.value,
        projects=[e.name for e in entries],
        project_ids=[e.id for e in entries],
        kind="aggregate",
        fiscal_year=records[-1].fiscal_year,
        **ctx.cite(records, [column.value]),
    )


def per_donation_answer(ctx: Context, entries: list[ProjectEntry]) -> A.Answer:
    """寄附1件あたりの金額: 寄附額 ÷ 寄附件数 of each project."""
    lines, names, ids, records = [], [], [], []
    year = None
    for e in entries:
        record = ctx.record(e.id, ctx.intent.year)
        if record is None:
            return project_answer(ctx, e, [Field.DONATION_AMOUNT])
        year = record.fiscal_year
        records.append(record)
        amount, n = record.donation_amount, record.donation_count
        if amount is None or not n:
            lines.append(f"{A.record_heading(record)}は寄附額または寄附件数が未記入のため、計算できません。")
        else:
            each = A.average_amount(amount / n)
            lines.append(
                f"{A.record_heading(record)}の寄附1件あたりの金額は{each}です（寄附額{amount:,}千円÷寄附件数{n:,}件）。"
            )
        names.append(e.name)
        ids.append(e.id)
    return A.Answer(
        ctx.q,
        "answered",
        "\n".join(lines),
        field=Field.DONATION_AMOUNT.value,
        projects=names,
        project_ids=ids,
        kind="aggregate",
        fiscal_year=year,
        **ctx.cite(records, ["donation_amount"]),
    )


def field_difference_answer(ctx: Context, entry: ProjectEntry, first: Field, second: Field) -> A.Answer:
    """健康ポイントの事業費と寄附額の差: both amounts and their difference."""
    record = ctx.record(entry.id, ctx.intent.year)
    if record is None:
        return project_answer(ctx, entry, [first, second])
    a, b = getattr(record, first.value), getattr(record, second.value)
    la, lb = A.FIELD_NAMES[first.value], A.FIELD_NAMES[second.value]
    if a is None or b is None or Field.DONATION_COUNT in (first, second):
        body = f"{A.record_heading(record)}の{la}と{lb}の差は計算できません（未記入、または単位が異なります）。"
    else:
        body = (
            f"{A.record_heading(record)}の{la}は{A.amount(a)}、{lb}は{A.amount(b)}で、差は{A.amount(abs(a - b))}です。"
        )
    return A.Answer(
        ctx.q,
        "answered",
        body,
        field=first.value,
        projects=[entry.name],
        project_ids=[entry.id],
        **ctx.cite([record], [first.value, second.value]),
        kind="aggregate",
        fiscal_year=record.fiscal_year,
    )


AMOUNT_VALUES = frozenset({"donation_amount", "donation_count", "project_cost"})


def trend_answer(ctx: Context, entry: ProjectEntry, fields: list[Field]) -> A.Answer:
    """Each year's figures of one project, oldest first; for amounts, the change from the year before."""
    records = [r for r in map(ctx.visible, queries.record_history(ctx.session, entry.id)) if r]
    if not records:
        return project_answer(ctx, entry, fields)
    lines = []
    for f in fields:
        lines.append(f"【{A.FIELD_NAMES[f.value]}】")
        previous = None
        for r in records:
            line = f"・{values.fiscal_year_label(r.fiscal_year)}：" + A.field_value(r, f.value).replace("\n", " ")
            now = getattr(r, f.value) if f.value in AMOUNT_VALUES else None
            if now is not None and previous is not None:
                change = now - previous
                size = A.count(abs(change)) if f == Field.DONATION_COUNT else A.amount(abs(change))
                line += "（前年度と同じ）" if change == 0 else f"（前年度から{size}{'増' if change > 0 else '減'}）"
            previous = now
            lines.append(line)
        amounts = [getattr(r, f.value) for r in records] if f.value in AMOUNT_VALUES else []
        if len(records) > 1 and amounts and None not in amounts:
            size = A.count(sum(amounts)) if f == Field.DONATION_COUNT else A.amount(sum(amounts))
            lines.append(f"・{len(records)}か年度の合計：{size}")
    last = records[-1]
    if len(records) == 1:  # nothing to compare with: what is asked is not on record
        only = values.fiscal_year_label(last.fiscal_year)
        head = f"{entry.name}の記録は{only}の分だけのため、前年度とは比べられません。登録されている値は次のとおりです。"
    else:
        head = f"{entry.name}の年度ごとの推移"
    return A.Answer(
        ctx.q,
        "answered" if len(records) > 1 else "not_found",
        head + "\n" + "\n".join(lines),
        field=fields[0].value,
        projects=[entry.name],
        project_ids=[entry.id],
        **ctx.cite(records, [f.value for f in fields]),
        kind="aggregate",
        fiscal_year=last.fiscal_year,
    )


def years_answer(ctx: Context, entry: ProjectEntry) -> A.Answer:
    """The fiscal years a project is on record."""
    years = "、".join(values.fiscal_year_label(y) for y in entry.years)
    latest = entry.years[-1] if entry.years else None
    record = ctx.record(entry.id, latest)
    return A.Answer(
        ctx.q,
        "answered",
        f"{entry.name}が登録されている年度は、{years}です。",
        projects=[entry.name],
        project_ids=[entry.id],
        **ctx.cite([record] if record else [], ["goal"]),
        kind="lookup",
        fiscal_year=latest,
    )


def not_theirs_answer(ctx: Context, entry: ProjectEntry, departments: list[str]) -> A.Answer:
    """A project asked about as another department's: which department it is, and nothing else."""
    own = next((d.name for d in ctx.cat.departments if d.id == entry.department_id), None)
    named = "・".join(departments)
    if ctx.intent.checking and own:  # 担当課は〇〇課で合ってますか: the check is answered, and corrected
        others = [f for f in ctx.intent.fields if f != Field.DEPARTMENT]
        note = f"「{entry.name}」の担当課は{own}です（お示しの{named}ではありません）。\n" if others else ""
        answer = project_answer(ctx, entry, others or [Field.DEPARTMENT], note=note)
        if not others:
            answer.body += f"\nお示しの{named}ではありません。"
        return answer
    body = f"「{entry.name}」は{named}の事業としては登録されていません。"
    if own:
        body += f"（担当課は{own}です）"
    return A.Answer(
        ctx.q,
        "not_found",
        body,
        field=ctx.field(),
        candidates=[A.Candidate(entry.id, entry.name)],
        kind="lookup",
    )
