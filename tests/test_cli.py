"""The ``kensho`` command line as a user runs it, above all the ``kensho ask --json`` contract.

Each call is a real subprocess of this checkout (about 1.5 s), so questions are batched through
stdin. The JSON contract runs on SQLite, and on PostgreSQL when ``KENSHO_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from conftest import SEED_TEXT, shared_file
from kensho_cli import kensho
from sqlalchemy import create_engine, inspect, text

from kensho.cli import build_parser


class Published(NamedTuple):
    name: str
    department: str
    project_cost: int  # 千円
    donation_amount: int  # 千円
    donation_count: int  # 件


# The seed's figures (資料５－２, 令和4年6月時点), in its order.
PUBLISHED = [
    Published("医療機関応援金", "感染症・がん疾病対策課", 876_894, 13_672, 6),
    Published("群馬健康ポイント制度", "健康長寿社会づくり推進課", 24_045, 13_200, 4),
    Published("子ども向け地域環境学習事業", "環境政策課", 1_924, 750, 2),
    Published("５Ｇデジタルファクトリー横展開実証", "地域企業支援課（群馬産業技術センター）", 57_465, 28_732, 1),
    Published("ぐんまのクリエイティブ拠点化推進", "ｅスポーツ・新コンテンツ創出課", 17_563, 3_000, 1),
    Published("ぐんまで働こう！若者の活躍促進事業", "労働政策課", 78_153, 2_700, 8),
    Published("中高生の自転車安全対策", "健康体育課", 4_006, 200, 1),
]
CONTRACT_KEYS = {"question", "status", "projects", "field", "text"}
STATUSES = {"answered", "ambiguous", "not_found"}


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def shown(figure: str, text: str) -> bool:
    """Whether ``figure`` (e.g. 6件, 13,672千円) is in the text as a whole number, not inside 16件."""
    return re.search(rf"(?<![\d,.]){re.escape(figure)}", text) is not None


def contract_problems(payload: dict[str, Any], question: str) -> list[str]:
    problems = []
    if not payload.keys() >= CONTRACT_KEYS:
        problems.append(f"keys missing: {CONTRACT_KEYS - payload.keys()}")
    if payload.get("question") != question:
        problems.append(f"question {payload.get('question')!r} is not the one asked")
    if payload.get("status") not in STATUSES:
        problems.append(f"status {payload.get('status')!r}")
    if not isinstance(payload.get("projects"), list) or not all(isinstance(p, str) for p in payload["projects"]):
        problems.append(f"projects {payload.get('projects')!r} is not a list of names")
    if not isinstance(payload.get("field"), str | None):
        problems.append(f"field {payload.get('field')!r}")
    if not isinstance(payload.get("text"), str) or not payload["text"]:
        problems.append("text is empty")
    return problems


def test_the_expected_figures_are_the_seeds() -> None:
    seed = shared_file(SEED_TEXT).read_text("utf-8")
    squashed = re.sub(r"\s+", "", seed)
    for p in PUBLISHED:
        assert p.name in squashed and p.department in squashed
        figures = f"{p.project_cost:,} {p.donation_amount:,} {p.donation_count}"
        assert re.search(rf"(?<![\d,]){figures}(?![\d,])", re.sub(r"\s+", " ", seed)), figures


def test_ask_json_answers_cost_donation_count_and_department_for_every_official_name(
    db_url: str, tmp_path: Path
) -> None:
    asked: list[tuple[str, str, list[str]]] = []  # question, field, figures the text must show
    for p in PUBLISHED:
        amount, count = f"{p.donation_amount:,}千円", f"{p.donation_count}件"
        asked += [
            (f"{p.name}の事業費は？", "project_cost", [f"{p.project_cost:,}千円"]),
            (f"{p.name}の寄附額は？", "donation_amount", [amount, count]),
            (f"{p.name}の寄附件数は？", "donation_count", [count]),
            (f"{p.name}の担当課は？", "department", [p.department]),
        ]
    result = kensho("ask", "--json", db_url=db_url, home=tmp_path, stdin="".join(f"{q}\n" for q, _, _ in asked))

    assert result.returncode == 0, result.stderr
    answers = json_lines(result.stdout)
    assert len(answers) == len(asked)
    problems = []
    for (question, field, figures), answer, published in zip(
        asked, answers, [p for p in PUBLISHED for _ in range(4)], strict=True
    ):
        found = contract_problems(answer, question)
        if answer.get("status") != "answered":
            found.append(f"status {answer.get('status')}")
        if answer.get("projects", [None])[:1] != [published.name]:
            found.append(f"projects {answer.get('projects')}")
        if answer.get("field") != field:
            found.append(f"field {answer.get('field')}")
        found += [f"text does not show {f}" for f in figures if not shown(f, answer.get("text", ""))]
        problems += [f"{question}: {f}" for f in found]
    assert not problems, "\n".join(problems)


def test_questions_from_stdin_get_one_json_object_per_line_in_order(tmp_path: Path) -> None:
    lines = [
        "医療機関応援金の事業費は？",
        "",
        "中高生の自転車安全対策の寄附件数は？",
        "富士山登山鉄道の寄附額は？",
        "労働政策課の事業は？",
        "子ども向け地域環境学習事業の担当課は？",
    ]
    # Windows line endings on one line, and no newline after the last question.
    stdin = lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\r\n" + "\n".join(lines[3:])
    result = kensho("ask", "--json", db_url=f"sqlite:///{tmp_path / 'k.db'}", home=tmp_path, stdin=stdin)

    assert result.returncode == 0, result.stderr
    answers = json_lines(result.stdout)
    assert [a["question"] for a in answers] == lines
    for question, answer in zip(lines, answers, strict=True):
        assert contract_problems(answer, question) == []
    first, blank, bicycle, unknown, listing, environment = answers
    assert (first["status"], first["projects"]) == ("answered", ["医療機関応援金"])
    assert shown("876,894千円", first["text"])
    assert (blank["status"], blank["projects"]) == ("not_found", [])
    assert (bicycle["status"], bicycle["projects"]) == ("answered", ["中高生の自転車安全対策"])
    assert shown("1件", bicycle["text"])
    assert (unknown["status"], unknown["projects"]) == ("not_found", [])
    assert listing["status"] == "answered" and listing["projects"] == ["ぐんまで働こう！若者の活躍促進事業"]
    assert (environment["status"], environment["projects"]) == ("answered", ["子ども向け地域環境学習事業"])
    assert "環境政策課" in environment["text"]


def test_ask_prints_the_donation_amount_and_count_in_plain_japanese(tmp_path: Path) -> None:
    result = kensho("ask", "ぐんま健康ポイントの寄附額は？", db_url=f"sqlite:///{tmp_path / 'k.db'}", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not result.stdout.lstrip().startswith("{")
    assert "群馬健康ポイント制度" in result.stdout
    assert shown("13,200千円", result.stdout)
    assert shown("4件", result.stdout)


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {name: sub for action in actions for name, sub in action.choices.items()}


def test_help_lists_every_subcommand(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    commands = subparsers(build_parser())
    assert {"ask", "import", "db"} <= set(commands)
    result = kensho("--help", db_url=url, home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: kensho")
    listed = set(re.findall(r"^\s{4}(\S+)", result.stdout, flags=re.M))
    assert set(commands) <= listed, f"not in --help: {set(commands) - listed}"

    db_help = kensho("db", "--help", db_url=url, home=tmp_path)
    assert db_help.returncode == 0
    for action in subparsers(commands["db"]):
        assert re.search(rf"^\s+{action}\s", db_help.stdout, flags=re.M), action
    assert not (tmp_path / "k.db").exists(), "--help must not create a database"


def test_db_upgrade_migrates_a_fresh_file_and_can_run_again(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "fresh.db"
    url = f"sqlite:///{path}"
    first = kensho("db", "upgrade", db_url=url, home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "データベースを最新の状態に更新しました" in first.stdout
    assert path.exists()

    again = kensho("db", "upgrade", db_url=url, home=tmp_path)
    assert again.returncode == 0, again.stderr

    from alembic.script import ScriptDirectory

    from store.db import MIGRATIONS

    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()
    assert {"issuer", "project", "record", "kpi", "revision"} <= tables
    assert versions == [ScriptDirectory(str(MIGRATIONS)).get_current_head()]
