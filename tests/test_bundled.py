"""The bundled Gunma data is a faithful transcription of the seed (資料５－２, 令和4年6月時点).

Every stored value of the 7 projects is checked against the seed text, a PDF flattened to text:
texts must occur in the project's own block of the seed once all whitespace is removed (the PDF
wraps lines anywhere); figures must appear as the seed prints them, in the seed's column order.
Runs on SQLite and on PostgreSQL (``db`` fixture).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from conftest import SEED_TEXT, shared_file
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from bot.ask import Asker
from store import values
from store.db import Database
from store.models import Issuer, KpiStatus, Project, Record, ReviewStatus

PENDING = "集計中"


# --- the seed, split into one block per project ----------------------------------------------------


def squash(value: str) -> str:
    """The text with every kind of whitespace (also full-width spaces and newlines) removed."""
    return re.sub(r"\s+", "", value)


@pytest.fixture(scope="module")
def seed() -> str:
    return shared_file(SEED_TEXT).read_text("utf-8")


@pytest.fixture(scope="module")
def blocks(seed: str) -> list[str]:
    """The seed's project rows, in published order: each starts at its 基本目標 cell."""
    body = seed.split("\nｐ\n")[0]  # the page footer and the column headings follow the rows
    parts = re.split(r"(?=^基本目標[0-9０-９]+：)", body, flags=re.M)[1:]
    assert len(parts) == 7, "the seed should hold 7 project rows"
    return parts


def tokens(block: str) -> list[str]:
    return block.split()


def has_run(block: str, run: list[str]) -> bool:
    """Whether ``run`` occurs as consecutive whitespace-separated cells of the block."""
    cells = tokens(block)
    return any(cells[i : i + len(run)] == run for i in range(len(cells) - len(run) + 1))


def seed_number(value: Decimal | int | None, status: KpiStatus = KpiStatus.KNOWN) -> str:
    """A value as the seed prints it: thousands separators, 集計中 for pending."""
    if status == KpiStatus.PENDING:
        return PENDING
    assert value is not None
    return f"{value:,}"


# --- what is stored, read once per test into plain values ---------------------------------------------


@dataclass
class StoredKpi:
    name: str
    unit: str
    target: Decimal | None
    target_status: KpiStatus
    actual: Decimal | None
    actual_status: KpiStatus


@dataclass
class Stored:
    name: str
    aliases: list[str]
    fiscal_year: int
    goal_label: str
    department: str
    project_cost: object
    donation_amount: object
    donation_count: object
    result: str
    evaluation: int | None
    kpi_effective: bool | None
    expert_opinion: str
    expert_opinion_status: ReviewStatus
    policy: str
    policy_reason: str
    reflection: str
    kpis: list[StoredKpi] = field(default_factory=list)


def stored(db: Database) -> list[Stored]:
    with db.session() as session:
        records = session.scalars(
            select(Record)
            .join(Project)
            .order_by(Project.sort_order, Project.id)
            .options(
                selectinload(Record.project),
                selectinload(Record.kpis),
                selectinload(Record.goal),
                selectinload(Record.department),
                selectinload(Record.policy_option),
            )
        ).all()
        return [
            Stored(
                name=r.project.name,
                aliases=list(r.project.aliases),
                fiscal_year=r.fiscal_year,
                goal_label=r.goal.label if r.goal else "",
                department=r.department.name if r.department else "",
                project_cost=r.project_cost,
                donation_amount=r.donation_amount,
                donation_count=r.donation_count,
                result=r.result,
                evaluation=r.evaluation,
                kpi_effective=r.kpi_effective,
                expert_opinion=r.expert_opinion,
                expert_opinion_status=r.expert_opinion_status,
                policy=r.policy_option.display if r.policy_option else "",
                policy_reason=r.policy_reason,
                reflection=r.reflection,
                kpis=[StoredKpi(k.name, k.unit, k.target, k.target_status, k.actual, k.actual_status) for k in r.kpis],
            )
            for r in records
        ]


def block_of(name: str, blocks: list[str]) -> str:
    found = [b for b in blocks if squash(name) in squash(b)]
    assert len(found) == 1, f"{name} should occur in exactly one project row of the seed, found {len(found)}"
    return found[0]


# --- tests ---------------------------------------------------------------------------------------------


def test_the_seven_projects_are_stored_in_the_order_the_seed_lists_them(db: Database, blocks: list[str]) -> None:
    records = stored(db)
    assert len(records) == 7
    assert [blocks.index(block_of(r.name, blocks)) for r in records] == list(range(7))
    assert {r.fiscal_year for r in records} == {2021}  # 令和3年度, evaluated in 令和4年6月


def test_project_cost_donation_amount_and_count_are_the_seeds_figures_in_its_column_order(
    db: Database, blocks: list[str]
) -> None:
    problems = []
    for r in stored(db):
        for column in ("project_cost", "donation_amount", "donation_count"):
            value = getattr(r, column)
            if type(value) is not int:
                problems.append(f"{r.name}: {column} is {value!r}, not an int")
        if problems:
            continue
        # 事業費（千円） 寄附額（千円） 寄附件数（件）, side by side as published
        run = [f"{r.project_cost:,}", f"{r.donation_amount:,}", f"{r.donation_count:,}"]
        if not has_run(block_of(r.name, blocks), run):
            problems.append(f"{r.name}: the seed does not print {' '.join(run)}")
    assert not problems, "\n".join(problems)


def test_every_stored_text_occurs_in_the_projects_row_of_the_seed(db: Database, blocks: list[str]) -> None:
    problems = []
    for r in stored(db):
        block = squash(block_of(r.name, blocks))
        texts = {
            "個別事業名": r.name,
            "担当課": r.department,
            "事業内容（実施結果）": r.result,
            "外部有識者からの意見": r.expert_opinion,
            "今後の方針の理由": r.policy_reason,
            "事業実施後の振り返り・今後の方針等": r.reflection,
            **{f"別名 {a}": a for a in r.aliases},
        }
        for column, value in texts.items():
            if not squash(value):
                problems.append(f"{r.name}: {column} is empty")
            elif squash(value) not in block:
                problems.append(f"{r.name}: {column} {value!r} is not in the seed")
        if not block.startswith(squash(r.goal_label)) or not r.goal_label:
            problems.append(f"{r.name}: 基本目標 {r.goal_label!r} is not the seed's")
    assert not problems, "\n".join(problems)


def test_evaluation_effectiveness_and_policy_are_the_seeds_choices(db: Database, blocks: list[str]) -> None:
    problems = []
    for r in stored(db):
        block = block_of(r.name, blocks)
        published = re.search(r"([①②③④])(地方創生に\S+)", block)
        assert published, f"no 事業の評価 in the seed row of {r.name}"
        expected = "①②③④".index(published[1]) + 1
        if r.evaluation != expected or values.EVALUATION_LABELS[expected] != published[2]:
            problems.append(f"{r.name}: 事業の評価 {r.evaluation} but the seed says {published[0]}")
        effective = "有効とは言えない" not in block and "KPI達成に有効であった" in block
        if r.kpi_effective is not effective:
            problems.append(f"{r.name}: KPI達成への有効性 {r.kpi_effective} but the seed says {effective}")
        if not r.policy or squash(r.policy + r.policy_reason) not in squash(block):
            problems.append(f"{r.name}: 今後の方針 {r.policy!r}（{r.policy_reason}）is not the seed's")
    assert not problems, "\n".join(problems)


def test_kpi_name_unit_target_and_actual_are_the_seeds(db: Database, blocks: list[str]) -> None:
    problems = []
    for r in stored(db):
        block = block_of(r.name, blocks)
        if len(r.kpis) != 1:
            problems.append(f"{r.name}: {len(r.kpis)} KPIs, the seed has 1")
            continue
        kpi = r.kpis[0]
        if not kpi.name or squash(kpi.name) not in squash(block):
            problems.append(f"{r.name}: KPI指標 {kpi.name!r} is not in the seed")
        # 指標 （単位） 目標値 実績値, side by side as published
        run = [
            f"（{kpi.unit}）",
            seed_number(kpi.target, kpi.target_status),
            seed_number(kpi.actual, kpi.actual_status),
        ]
        if not has_run(block, run):
            problems.append(f"{r.name}: the seed does not print {' '.join(run)}")
    assert not problems, "\n".join(problems)


def test_kpi_values_are_exact_decimals_and_the_negative_actual_is_minus_2208(db: Database) -> None:
    records = {r.name: r for r in stored(db)}
    jobs = records["ぐんまで働こう！若者の活躍促進事業"].kpis[0]
    assert jobs.actual == Decimal("-2208") and isinstance(jobs.actual, Decimal)
    assert str(jobs.actual) == "-2208"
    assert jobs.target == Decimal("-338") and jobs.actual_status == KpiStatus.KNOWN
    income = records["医療機関応援金"].kpis[0]
    assert isinstance(income.target, Decimal) and str(income.target) == "318.8"


def test_shukeichu_is_stored_as_null_with_pending_status_and_answered_as_shukeichu(db: Database, seed: str) -> None:
    pending_in_seed = seed.count(PENDING)
    assert pending_in_seed == 6
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT actual, actual_status, target, target_status FROM kpi")).all()
    pending = [row for row in rows if row.actual_status == "pending"]
    assert len(pending) == pending_in_seed
    assert all(row.actual is None for row in pending), "集計中 must be NULL, not a number"
    assert all(row.target is not None and row.target_status == "known" for row in rows)
    assert all(row.actual is None or Decimal(str(row.actual)) != 0 for row in rows)

    answer = Asker(db).ask("医療機関応援金のKPIは？")
    assert answer.status == "answered" and answer.field == "kpi"
    assert "目標値 318.8" in answer.text
    assert "実績値 集計中" in answer.text
    assert not re.search(r"実績値 0(?![.\d])", answer.text)


def test_expert_opinions_are_stored_as_drafts_as_the_seed_marks_them_draft(db: Database, seed: str) -> None:
    assert "外部有識者からの評価（案）" in seed
    assert {r.expert_opinion_status for r in stored(db)} == {ReviewStatus.DRAFT}
    answer = Asker(db).ask("医療機関応援金の外部有識者からの意見は？")
    assert answer.status == "answered"
    assert "外部有識者からの意見（案）" in answer.text


def test_issuer_plan_and_source_are_the_seeds(db: Database, seed: str) -> None:
    with db.session() as session:
        issuer = session.scalars(select(Issuer).options(selectinload(Issuer.plans))).one()
        plan_names = [p.name for p in issuer.plans]
        source = (issuer.source_document, issuer.source_as_of, issuer.source_title)
    assert issuer.name == "群馬県"
    assert len(plan_names) == 1 and f"地域再生計画（事業）名：　{plan_names[0]}" in seed
    document, as_of, title = source
    assert f"【{document}】" in seed and document == "資料５－２"
    assert as_of == "令和4年6月時点" and as_of in seed
    assert title and title in seed
