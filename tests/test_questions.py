"""Questions as staff type them, answered from the bundled Gunma data and scored like the dev hook.

Two sets: the shared dev questions (``../shared/eval/dev_queries.jsonl``, skipped when absent) and
our own ``tests/questions.jsonl`` (lookups, aggregates, lists, summaries, content search and
questions about projects that do not exist). A case passes when the status matches and, for an
answer, the first project, the set of listed projects, the field and every expected string (NFKC,
whitespace removed) match — exactly the rule of ``shared/hooks/before-stop``. Each question is its
own test, so a failure names the question.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DEV_QUERIES, shared_file

from bot.ask import Asker
from store.db import Database, open_database

OWN_QUESTIONS = Path(__file__).with_name("questions.jsonl")
STATUSES = {"answered", "ambiguous", "not_found"}


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def squash(text: str | None) -> str:
    """NFKC without any whitespace: how the hook compares names and expected strings."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def problems(case: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """What differs between the expected case and the ``kensho ask --json`` object (hook rules)."""
    found: list[str] = []
    if out.get("status") != case["status"]:
        return [f"status {out.get('status')!r}, expected {case['status']!r}"]
    if case["status"] != "answered":
        return found
    names = [squash(n) for n in out.get("projects") or []]
    if case.get("project") and (not names or names[0] != squash(case["project"])):
        found.append(f"first project {names[:1]}, expected {case['project']!r}")
    if "projects" in case and set(names) != {squash(n) for n in case["projects"]}:
        found.append(f"projects {names}, expected {case['projects']}")
    if case.get("field") and out.get("field") != case["field"]:
        found.append(f"field {out.get('field')!r}, expected {case['field']!r}")
    text = squash(out.get("text"))
    found += [f"text lacks {e!r}" for e in case.get("expect", []) if squash(e) not in text]
    return found


def cases(path: Path) -> list[Any]:
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{path} is not available"))]
    return [pytest.param(c, id=f"{i:03d}-{c['kind']}-{c['q']}") for i, c in enumerate(load(path), 1)]


@pytest.fixture(scope="module")
def asker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Asker]:
    """The ``sqlite_db`` fixture's database (migrated, bundled data), opened once for the module:
    questions only read, and one database per question would cost minutes."""
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('questions') / 'kensho.db'}")
    try:
        yield Asker(database)
    finally:
        database.dispose()


def test_own_question_set_is_large_and_varied() -> None:
    own = load(OWN_QUESTIONS)
    kinds = {c["kind"] for c in own}
    assert len(own) >= 200
    assert {"lookup", "aggregate", "list", "negative", "summary"} <= kinds
    assert sum(c["status"] == "not_found" for c in own) >= 30
    assert len({c["q"] for c in own}) == len(own), "every question once"
    assert all(c["status"] in STATUSES for c in own)


@pytest.mark.parametrize("case", cases(DEV_QUERIES))
def test_dev_question(asker: Asker, case: dict[str, Any]) -> None:
    shared_file(DEV_QUERIES)
    out = asker.ask(case["q"]).to_json()
    assert not problems(case, out), f"{case['q']} -> {out}"


@pytest.mark.parametrize("case", cases(OWN_QUESTIONS))
def test_own_question(asker: Asker, case: dict[str, Any]) -> None:
    out = asker.ask(case["q"]).to_json()
    assert not problems(case, out), f"{case['q']} -> {out}"


def test_question_about_a_missing_project_never_shows_another_projects_figures(asker: Asker) -> None:
    answer = asker.ask("医療機関支援基金の寄附額は？")
    assert answer.status == "not_found"
    assert "13,672" not in answer.text  # 医療機関応援金's figure
    assert "医療機関応援金" in [c.name for c in answer.candidates]  # offered as もしかして


def test_an_unknown_name_is_echoed_as_it_was_typed(asker: Asker) -> None:
    answer = asker.ask("草津温泉PR事業の予算")
    assert answer.status == "not_found"
    assert "「草津温泉PR事業」" in answer.text


def test_ambiguous_question_offers_candidates(asker: Asker) -> None:
    answer = asker.ask("コロナの事業の寄附額")
    assert answer.status == "ambiguous"
    assert len(answer.candidates) >= 2
    assert "13,672" not in answer.text


def test_candidate_button_answers_the_fields_first_asked(asker: Asker) -> None:
    first = asker.ask("コロナの事業の寄附額")
    chosen = next(c for c in first.candidates if c.name == "医療機関応援金")
    answer = asker.answer_project(chosen.project_id, first.question, ["donation_amount"])
    assert answer.status == "answered"
    assert answer.projects == ["医療機関応援金"]
    assert "13,672千円" in answer.text


def test_thresholds_filter_the_records_on_each_backend(db: Database) -> None:
    asker = Asker(db)
    over = asker.ask("寄附額が1000万円以上の事業")
    assert set(over.projects) == {"医療機関応援金", "群馬健康ポイント制度", "５Ｇデジタルファクトリー横展開実証"}
    assert "寄附額が1000万円以上の事業は3件" in over.text
    # 500円 is 0.5千円: a fraction of the stored unit compares correctly on both backends.
    assert len(asker.ask("寄附額が500円以上の事業").projects) == 7
    assert asker.ask("事業費が1億円以上の事業").projects == ["医療機関応援金"]
    assert set(asker.ask("寄附件数が1件の事業").projects) == {
        "５Ｇデジタルファクトリー横展開実証",
        "ぐんまのクリエイティブ拠点化推進",
        "中高生の自転車安全対策",
    }


def test_lists_by_the_evaluation_on_each_backend(db: Database) -> None:
    asker = Asker(db)
    effective = asker.ask("効果があった事業は？")
    assert len(effective.projects) == 7 and "事業の評価が「③地方創生に効果があった」の事業は7件" in effective.text
    assert asker.ask("評価が「④地方創生に効果がなかった」の事業").projects == []
    assert asker.ask("健康ポイントは効果があった？").field == "evaluation"


def test_the_amount_per_donation_over_all_projects_on_each_backend(db: Database) -> None:
    asker = Asker(db)
    top = asker.ask("寄附1件あたりの額が一番大きい事業は？")
    assert top.projects == ["５Ｇデジタルファクトリー横展開実証"] and "28,732.0千円" in top.text
    overall = asker.ask("全体で見ると寄附1件あたりの平均額はどのくらい？")
    assert "2,706.7千円" in overall.text and "62,254千円÷寄附件数の合計23件" in overall.text
