"""Several issuers and years in one database, each figure cited by where it really comes from.

The second prefecture is tests/data/sanga_r4_r5.csv: 山河県, 令和4・5年度, a project that ends in
令和4年度 and two that start in 令和5年度, a 基本目標 retitled between the years, and the option
wording as real sheets write it (地方創生に対して効果がなかった, 有効とはいえなかった, 見直し, ２ …).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from kensho_cli import kensho
from sqlalchemy import func, select

from bot.ask import ADMINISTRATOR, PUBLIC, Asker
from bot.catalogue import issuer_names
from store import people
from store.db import Database, open_database
from store.export import export_rows, write_csv
from store.importer import ImportFailed, import_file, import_rows, read_table
from store.models import (
    Department,
    Goal,
    Issuer,
    Kpi,
    PolicyOption,
    Project,
    Record,
    Revision,
)
from store.options import NATIONAL, IssuerOptions, option_key
from store.schemas import SelfEvaluationDraft, SelfEvaluationSubmission
from store.selfeval import save_self_evaluation

SANGA_CSV = ROOT / "tests" / "data" / "sanga_r4_r5.csv"
SANGA = "山河県"
SANGA_SOURCE = "効果検証シート（令和6年7月時点）"
MEMBER = "U0MEMBER1"  # 健康長寿社会づくり推進課 of 群馬県
OUTSIDER = "U0OUTSIDE"


def dump(db: Database, issuer_name: str) -> str:
    """Every row of one issuer (issuer, options, goals, departments, projects, records, KPIs) as text."""

    def row(obj: Any) -> dict[str, Any]:
        return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}

    with db.session() as session:
        issuer = session.scalars(select(Issuer).where(Issuer.name == issuer_name)).one()
        parts: list[Any] = [row(issuer)]
        for model in (PolicyOption, Goal, Department, Project):
            parts += [
                row(o) for o in session.scalars(select(model).where(model.issuer_id == issuer.id).order_by(model.id))
            ]
        records = session.scalars(
            select(Record).join(Project).where(Project.issuer_id == issuer.id).order_by(Record.id)
        ).all()
        parts += [row(r) for r in records]
        parts += [
            row(k)
            for k in session.scalars(select(Kpi).where(Kpi.record_id.in_([r.id for r in records])).order_by(Kpi.id))
        ]
    return json.dumps(parts, ensure_ascii=False, default=str, sort_keys=True)


def import_sanga(db: Database) -> None:
    import_file(db, SANGA_CSV, issuer_name=SANGA, document=SANGA_SOURCE)


def _record(db: Database, issuer: str, project: str, year: int) -> Record:
    with db.session() as session:
        return session.scalars(
            select(Record)
            .join(Project)
            .join(Issuer)
            .where(Issuer.name == issuer, Project.name == project, Record.fiscal_year == year)
        ).one()


# --- option wording ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("③地方創生に効果があった", 3),
        ("地方創生に効果があった", 3),
        ("２ 地方創生に相当程度効果があった", 2),
        ("地方創生に対して効果がなかった", 4),
        ("④地方創生に効果がなかった", 4),
        ("①", 1),
        ("4", 4),
    ],
)
def test_evaluation_wordings_are_stored_as_the_option(typed: str, number: int) -> None:
    assert NATIONAL.evaluation_number(typed) == number


@pytest.mark.parametrize(
    ("typed", "effective"),
    [
        ("（本事業が地方版）総合戦略のKPI達成に有効とはいえなかった", False),
        ("有効とは言えない", False),
        ("有効とはいえなかった", False),
        ("有効ではなかった", False),
        ("総合戦略のＫＰＩ達成に有効でなかった", False),
        ("（本事業が地方版）総合戦略のKPI達成に有効であった", True),
        ("本事業が地方版総合戦略のKPI達成に有効であった", True),
        ("有効であった", True),
    ],
)
def test_kpi_effectiveness_wordings_are_one_conjugation_family(typed: str, effective: bool) -> None:
    assert NATIONAL.kpi_effective_value(typed) is effective


@pytest.mark.parametrize(
    ("typed", "label"),
    [("①拡充", "拡充"), ("拡充", "拡充"), ("1.拡充", "拡充"), ("発展", "拡充"), ("⑤終了", "終了"), ("見直し", "改善")],
)
def test_policy_wordings_find_the_option(typed: str, label: str) -> None:
    assert NATIONAL.policy_label(typed) == label


def test_a_wording_that_fits_two_options_is_refused_with_the_choices() -> None:
    # 効果があった ends both ②…相当程度効果があった and ③…効果があった: no guess.
    with pytest.raises(ValueError, match="①地方創生に非常に効果的であった"):
        NATIONAL.evaluation_number("効果があった")
    with pytest.raises(ValueError, match="選択肢にありません（①拡充、②継続"):
        NATIONAL.policy_label("廃止")


def test_the_folding_is_by_rule_not_by_list() -> None:
    assert option_key("有効とは言えない") == option_key("有効とはいえなかった") == option_key("有効ではなかった")
    assert option_key("（本事業が地方版）総合戦略のKPI達成に有効であった") == option_key(
        "総合戦略のKPI達成に有効である"
    )
    assert option_key("地方創生に効果がある") != option_key("地方創生に効果がない")


# --- a second prefecture in the same database -------------------------------------------------------


def test_a_second_prefecture_imports_as_its_own_issuer_and_gunma_is_unchanged_byte_for_byte(db: Database) -> None:
    before = dump(db, "群馬県")
    import_sanga(db)
    assert dump(db, "群馬県") == before
    with db.session() as session:
        assert issuer_names(session) == ["群馬県", SANGA]
        sanga = session.scalars(select(Issuer).where(Issuer.name == SANGA)).one()
        assert [o.display for o in sanga.policy_options] == ["①拡充", "②継続", "③改善", "④縮小", "⑤中止", "⑥終了"]
        goals = session.execute(
            select(Goal.fiscal_year, Goal.label).where(Goal.issuer_id == sanga.id, Goal.number == 1)
        ).all()
    assert sorted(goals) == [(2022, "基本目標１：山河で働く"), (2023, "基本目標１：山河でしごとをつくる")]
    moving = _record(db, SANGA, "山河県移住促進プロジェクト", 2022)
    assert (moving.evaluation, moving.kpi_effective) == (4, False)  # 対して…なかった, 有効とはいえなかった
    health = _record(db, SANGA, "山河ヘルスケアポイント事業", 2022)
    assert (health.evaluation, health.kpi_effective) == (2, False)  # ２ …, 有効ではなかった
    with db.session() as session:
        label = session.scalar(select(PolicyOption.label).where(PolicyOption.id == moving.policy_option_id))
    assert label == "改善"  # written 見直し


def test_reimporting_the_second_prefecture_changes_nothing(db: Database) -> None:
    import_sanga(db)
    before = dump(db, SANGA)
    report = import_file(db, SANGA_CSV, issuer_name=SANGA, document=SANGA_SOURCE)
    assert (report.result.created, report.result.updated, report.result.unchanged) == (0, 0, 7)
    assert dump(db, SANGA) == before


def test_a_bad_cell_for_a_new_issuer_imports_nothing_and_registers_nothing(db: Database) -> None:
    rows = read_table(SANGA_CSV)
    rows[0]["今後の方針"] = "廃止"
    before = dump(db, "群馬県")
    with pytest.raises(ImportFailed) as failed:
        import_rows(db, rows, issuer_name=SANGA)
    [problem] = failed.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "今後の方針", "廃止")
    assert "選択肢にありません（①拡充、②継続、③改善、④縮小、⑤中止、⑥終了）" in problem.message
    with db.session() as session:
        assert issuer_names(session) == ["群馬県"]
    assert dump(db, "群馬県") == before


def test_answers_about_the_second_prefecture_cite_only_its_own_source(db: Database) -> None:
    import_sanga(db)
    asker = Asker(db, issuer="群馬県")
    for question in (
        "山河の米ブランド化推進事業の寄附額は？",
        "山河県移住促進プロジェクトの評価",
        "山河県DX人材育成事業",
    ):
        answer = asker.ask(question)
        assert answer.status == "answered", answer.text
        assert f"出典：山河県 {SANGA_SOURCE}" in answer.context
        assert "群馬県" not in answer.context
    gunma = asker.ask("健康ポイントの寄附額は？")
    assert gunma.context == "令和3年度・出典：群馬県 資料５－２（令和4年6月時点）"
    # Each issuer's own wording of the stored option: 山河県 has the national one, Gunma its own.
    moving = asker.ask("令和4年度の山河県移住促進プロジェクトの評価")
    assert "「④地方創生に効果がなかった」" in moving.text
    assert "「総合戦略のKPI達成に有効とは言えない」" in moving.text
    assert "「（本事業が地方版）総合戦略のKPI達成に有効であった」" in asker.ask("健康ポイントの評価").text


def test_questions_by_year_new_and_ended_projects(db: Database) -> None:
    import_sanga(db)
    asker = Asker(db, issuer=SANGA)
    r4 = asker.ask("令和4年度の山河の米ブランド化推進事業の寄附額は？")
    assert "12,000千円" in r4.text and r4.fiscal_year == 2022
    r5 = asker.ask("山河の米ブランド化推進事業の寄附額は？")  # the latest year
    assert "15,500千円" in r5.text and r5.fiscal_year == 2023
    new = asker.ask("令和4年度の山河県DX人材育成事業の寄附額")
    assert new.status == "not_found"
    assert "登録されている年度：令和5年度" in new.text
    ended = asker.ask("山河ヘルスケアポイント事業の今後の方針")
    assert ended.fiscal_year == 2022 and "⑥終了" in ended.text
    total = asker.ask("令和4年度の寄附額の合計は？")
    assert "15,500千円" in total.text and total.fiscal_year == 2022  # 12,000 + 2,500 + 1,000
    figures = asker.ask("令和5年度の山河の米ブランド化推進事業の寄附額").to_json()["figures"]
    assert figures == [
        {
            "project": "山河の米ブランド化推進事業",
            "issuer": SANGA,
            "fiscal_year": 2023,
            "field": "donation_amount",
            "source": f"山河県 {SANGA_SOURCE}",
        }
    ]


def test_questions_that_name_no_issuer_are_about_the_deployments_own(db: Database) -> None:
    import_sanga(db)
    gunma = Asker(db, issuer="群馬県")
    sanga = Asker(db, issuer=SANGA)
    assert "令和3年度の事業（7件）" in gunma.ask("寄附額の合計は？").text
    assert "令和5年度の事業（4件）" in sanga.ask("寄附額の合計は？").text
    # 医療機関応援金 exists in both: the deployment's own, unless the caller restricts to the other.
    assert "13,672千円" in gunma.ask("医療機関応援金の寄附額").text
    assert "3,000千円" in sanga.ask("医療機関応援金の寄附額").text
    restricted = gunma.ask("医療機関応援金の寄附額", only_issuer=SANGA)
    assert "3,000千円" in restricted.text and "出典：山河県" in restricted.context
    assert gunma.ask("自転車安全対策の寄附額", only_issuer=SANGA).status == "not_found"
    assert gunma.ask("自転車安全対策の寄附額").status == "answered"


# --- values saved in kensho -------------------------------------------------------------------------


def _save(db: Database, user: str, project: str, submit: bool, **changes: Any) -> None:
    record = _record(db, "群馬県", project, 2021)
    raw = {
        "result": record.result,
        "kpi_actuals": ["集計中"],
        "evaluation": "2",
        "kpi_effective": "true",
        "policy": "継続",
        "policy_reason": "継続的な啓発活動が必要なため。",
        "reflection": "引き続き取り組む。",
        **changes,
    }
    model = SelfEvaluationSubmission if submit else SelfEvaluationDraft
    save_self_evaluation(
        db,
        user_id=user,
        record_id=record.id,
        expected_version=record.version,
        opened_at=datetime.now(UTC),
        data=model.model_validate(raw),
        submit=submit,
    )


@pytest.fixture
def member(db: Database) -> str:
    with db.session() as session:
        dept = session.scalars(select(Department.id).where(Department.name == "健康長寿社会づくり推進課")).one()
        people.add_member(session, MEMBER, dept, "test")
    return MEMBER


def test_a_value_saved_in_slack_is_cited_as_a_kensho_update(db: Database, member: str) -> None:
    _save(db, member, "群馬健康ポイント制度", submit=True, kpi_effective="false")
    asker = Asker(db)
    evaluation = asker.ask("健康ポイントの評価は？", viewer=PUBLIC)
    assert "②地方創生に相当程度効果があった" in evaluation.text
    day = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    stamp = f"{day.year}年{day.month}月{day.day}日"
    assert evaluation.context == f"令和3年度・kensho で更新（{stamp}、健康長寿社会づくり推進課、提出済み）"
    amount = asker.ask("健康ポイントの寄附額は？", viewer=PUBLIC)
    assert amount.context == "令和3年度・出典：群馬県 資料５－２（令和4年6月時点）"
    summary = asker.ask("健康ポイント", viewer=PUBLIC)
    assert summary.context == (
        "令和3年度・出典：群馬県 資料５－２（令和4年6月時点）。ただし事業の評価は "
        f"kensho で更新（{stamp}、健康長寿社会づくり推進課、提出済み）"
    )
    kinds = {s["kind"] for s in summary.to_json()["sources"]}
    assert kinds == {"document", "update"}


def test_a_draft_is_shown_only_to_its_department_and_administrators(db: Database, member: str) -> None:
    _save(db, member, "群馬健康ポイント制度", submit=False, evaluation="1", policy="拡充")
    asker = Asker(db)
    public = asker.ask("健康ポイントの今後の方針は？", viewer=OUTSIDER)
    assert "②継続" in public.text and "拡充" not in public.text
    assert public.context == "令和3年度・出典：群馬県 資料５－２（令和4年6月時点）"
    assert "②継続" in asker.ask("健康ポイントの今後の方針は？", viewer=PUBLIC).text
    own = asker.ask("健康ポイントの今後の方針は？", viewer=member)
    assert "①拡充" in own.text and "下書き" in own.context
    assert "①拡充" in asker.ask("健康ポイントの今後の方針は？", viewer=ADMINISTRATOR).text
    # Nor does a word only the draft uses find the project.
    _save(
        db,
        member,
        "群馬健康ポイント制度",
        submit=False,
        evaluation="1",
        policy="拡充",
        reflection="フワモコダンスを始める。",
    )
    assert asker.ask("フワモコダンスの事業は？", viewer=OUTSIDER).status == "not_found"
    # Lists by 今後の方針 follow the same rule: the draft's 拡充 only for those who see the draft.
    assert "群馬健康ポイント制度" not in asker.ask("拡充する事業は？", viewer=OUTSIDER).text
    assert "群馬健康ポイント制度" in asker.ask("継続する事業は？", viewer=OUTSIDER).text
    assert "群馬健康ポイント制度" in asker.ask("拡充する事業は？", viewer=member).text
    assert "群馬健康ポイント制度" not in asker.ask("継続する事業は？", viewer=member).text
    # So do lists by 事業の評価: the draft's ① only for those who see the draft.
    assert "群馬健康ポイント制度" not in asker.ask("非常に効果的だった事業は？", viewer=OUTSIDER).text
    assert "群馬健康ポイント制度" in asker.ask("効果があった事業は？", viewer=OUTSIDER).text
    assert asker.ask("非常に効果的だった事業は？", viewer=member).projects == ["群馬健康ポイント制度"]
    # Submitting makes it everyone's, cited as submitted.
    _save(db, member, "群馬健康ポイント制度", submit=True, evaluation="1", policy="拡充")
    after = asker.ask("健康ポイントの今後の方針は？", viewer=OUTSIDER)
    assert "①拡充" in after.text and "提出済み" in after.context and "下書き" not in after.context


def test_reimporting_the_document_attributes_changed_values_to_it_again(db: Database, member: str) -> None:
    _save(db, member, "群馬健康ポイント制度", submit=True)
    import_file(db, ROOT / "store" / "data" / "gunma_r4" / "records.csv", issuer_name="群馬県")
    answer = Asker(db).ask("健康ポイントの評価は？")
    assert "③地方創生に効果があった" in answer.text
    assert answer.context == "令和3年度・出典：群馬県 資料５－２（令和4年6月時点）"


# --- export and import round trip -------------------------------------------------------------------


def test_export_and_import_round_trip_several_issuers_and_years(db: Database, db_url: str, tmp_path: Path) -> None:
    import_sanga(db)
    rows = export_rows(db, "all", SANGA)
    assert {r["年度"] for r in rows} == {"令和4年度", "令和5年度"}
    assert {r["出典"] for r in rows} == {f"山河県 {SANGA_SOURCE}"}
    path = tmp_path / "sanga.csv"
    write_csv(rows, path)
    gunma_path = tmp_path / "gunma.csv"
    write_csv(export_rows(db, "all", "群馬県"), gunma_path)
    before = {name: dump(db, name) for name in ("群馬県", SANGA)}
    for name, file in ((SANGA, path), ("群馬県", gunma_path)):
        report = import_file(db, file, issuer_name=name)
        assert report.result.updated == 0 and report.result.created == 0
    assert {name: dump(db, name) for name in ("群馬県", SANGA)} == before


# --- command line -----------------------------------------------------------------------------------

OPTIONS_TOML = """
kind = "都道府県"
plan = "山河県まち・ひと・しごと創生推進計画"
source = "効果検証シート（令和6年7月時点）"
policy = ["①拡充", "②継続", { label = "③見直し", aliases = ["改善"] }, "④中止", "⑤終了"]
kpi_effective = [
    "（本事業が地方版）総合戦略のKPI達成に有効であった",
    "（本事業が地方版）総合戦略のKPI達成に有効とはいえなかった",
]
"""


def test_a_deployment_for_another_issuer_starts_without_gunma(sqlite_url: str, tmp_path: Path) -> None:
    env_issuer = {"KENSHO_ISSUER": SANGA}
    import os

    old = {k: os.environ.get(k) for k in env_issuer}
    os.environ.update(env_issuer)
    try:
        init = kensho("db", "init", "--no-sample", db_url=sqlite_url, home=tmp_path)
        assert init.returncode == 0, init.stderr
        options = tmp_path / "options.toml"
        options.write_text(OPTIONS_TOML, "utf-8")
        edit = kensho("issuer", "edit", SANGA, "--options", str(options), db_url=sqlite_url, home=tmp_path)
        assert edit.returncode == 0, edit.stderr
        imported = kensho("import", str(SANGA_CSV), db_url=sqlite_url, home=tmp_path)
        assert imported.returncode == 0, imported.stderr
        assert "山河県に8行を取り込みました" in imported.stdout
        listing = kensho("issuer", "list", "--json", db_url=sqlite_url, home=tmp_path)
        [issuer] = [json.loads(line) for line in listing.stdout.splitlines()]
        assert issuer["name"] == SANGA and issuer["policy"][2] == "③見直し"
        asked = kensho("ask", "--json", "寄附額の合計は？", db_url=sqlite_url, home=tmp_path)
        answer = json.loads(asked.stdout)
        assert answer["fiscal_year"] == 2023 and "出典：山河県 効果検証シート（令和6年7月時点）" in answer["text"]
        exported = kensho("export", "--year", "all", "--format", "csv", db_url=sqlite_url, home=tmp_path)
        assert exported.returncode == 0, exported.stderr
        assert "令和4年度" in exported.stdout and "令和5年度" in exported.stdout
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    db = open_database(sqlite_url, seed=False)
    try:
        with db.session() as session:
            assert issuer_names(session) == [SANGA]
            policy = session.scalar(
                select(PolicyOption.label)
                .join(Record, Record.policy_option_id == PolicyOption.id)
                .join(Project)
                .where(Project.name == "山河県移住促進プロジェクト", Record.fiscal_year == 2022)
            )
        assert policy == "見直し"
    finally:
        db.dispose()


def test_issuer_add_refuses_a_bad_options_file_and_registers_nothing(sqlite_url: str, tmp_path: Path) -> None:
    options = tmp_path / "options.toml"
    options.write_text('evaluation = ["良い", "悪い"]\n', "utf-8")
    added = kensho("issuer", "add", SANGA, "--options", str(options), db_url=sqlite_url, home=tmp_path)
    assert added.returncode == 1
    assert "事業の評価は4つ" in added.stderr and "何も変更していません" in added.stderr
    listing = kensho("issuer", "list", "--json", db_url=sqlite_url, home=tmp_path)
    assert [json.loads(line)["name"] for line in listing.stdout.splitlines()] == ["群馬県"]


def test_issuer_options_define_what_its_sheet_may_say() -> None:
    own = IssuerOptions(policy=NATIONAL.policy[:2])
    with pytest.raises(ValueError, match="選択肢にありません（①拡充、②継続）"):
        own.policy_label("⑥終了")


def test_rows_of_one_project_and_year_apart_are_refused_and_nothing_changes(db: Database) -> None:
    rows = read_table(SANGA_CSV)
    second_kpi = rows.pop(4)  # the 輸出量 KPI row of 山河の米 (令和5年度), moved to the end
    rows.append(second_kpi)
    with pytest.raises(ImportFailed) as failed:
        import_rows(db, rows, issuer_name=SANGA)
    [problem] = failed.value.problems
    assert problem.column == "個別事業名"
    assert "5行目と離れています（続けて並べてください）" in problem.message
    with db.session() as session:
        assert issuer_names(session) == ["群馬県"]


def test_migrations_split_goals_by_year_and_attribute_existing_values(db_url: str) -> None:
    """A database of revision 0004 (one goal used by two years, a value saved through the form)
    upgrades to goals per year and to values cited by where they come from."""
    from alembic import command
    from sqlalchemy import text

    from store.db import alembic_config, make_engine, upgrade

    engine = make_engine(db_url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    now = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO issuer (id, name, source_document, source_as_of, source_title) "
                "VALUES (1, '群馬県', '資料５－２', '令和4年6月時点', '')"
            )
        )
        conn.execute(
            text("INSERT INTO goal (id, issuer_id, number, title, label) VALUES (1, 1, 2, '住む', '基本目標２：住む')")
        )
        conn.execute(text("INSERT INTO department (id, issuer_id, name, aliases) VALUES (1, 1, '健康課', '[]')"))
        conn.execute(
            text(
                "INSERT INTO project (id, issuer_id, name, aliases, sort_order) VALUES (1, 1, '健康ポイント', '[]', 0)"
            )
        )
        for rid, year, status in ((1, 2021, "submitted"), (2, 2022, "not_submitted")):
            conn.execute(
                text(
                    "INSERT INTO record (id, project_id, fiscal_year, goal_id, department_id, result, expert_opinion, "
                    "expert_opinion_status, policy_reason, reflection, submission_status, version, updated_at, "
                    "updated_by) VALUES (:id, 1, :year, 1, 1, '', '', 'final', '', '', :status, 1, :now, '')"
                ),
                {"id": rid, "year": year, "status": status, "now": now},
            )
        conn.execute(
            text(
                "INSERT INTO revision (record_id, field, old_value, new_value, actor, source, created_at) "
                "VALUES (1, 'evaluation', '3', '2', 'U0MEMBER1', 'modal', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO kpi (record_id, position, name, unit, target, target_status, actual, actual_status) "
                "VALUES (1, 0, '参加者数', '人', 100, 'known', 90, 'known')"
            )
        )
        if conn.dialect.name == "postgresql":  # rows given ids by hand: move the sequences past them
            for table in ("issuer", "goal", "department", "project", "record"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 10)"))
    upgrade(engine)
    engine.dispose()
    db = open_database(db_url, seed=False)
    try:
        with db.session() as session:
            # Nothing that refers to a rebuilt table is lost (SQLite rebuilds goal with foreign keys on).
            assert session.scalar(select(func.count()).select_from(Kpi)) == 1
            assert session.scalar(select(func.count()).select_from(Revision)) == 1
            goals = session.execute(select(Goal.fiscal_year, Goal.label).order_by(Goal.fiscal_year)).all()
            assert goals == [(2021, "基本目標２：住む"), (2022, "基本目標２：住む")]
            years = {r.fiscal_year: r for r in session.scalars(select(Record))}
            assert years[2021].goal_id != years[2022].goal_id
        answer = Asker(db, issuer="群馬県").ask("令和3年度の健康ポイントの評価", viewer=PUBLIC)
        assert answer.context == (
            "令和3年度・出典：群馬県 資料５－２（令和4年6月時点）。ただし事業の評価は "
            "kensho で更新（2026年6月1日、健康課、提出済み）"
        )
        other = Asker(db, issuer="群馬県").ask("令和4年度の健康ポイントの評価", viewer=PUBLIC)
        assert other.context == "令和4年度・出典：群馬県 資料５－２（令和4年6月時点）"
    finally:
        db.dispose()
