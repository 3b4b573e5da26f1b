"""The question pipeline stage by stage: tokens, tags, names, intent and plan (no database for the
first two; the bundled catalogue for the rest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import plan as P
from bot.ask import Asker
from bot.names import NameFinder
from bot.tagging import Lexicon, read_vocabulary
from bot.tokens import tokenize
from bot.understand import Field
from store.db import Database, open_database
from store.importer import import_file

VOCABULARY = read_vocabulary()


# --- stage 1: tokens ------------------------------------------------------------------------------


def test_tokens_map_back_to_the_text_as_typed() -> None:
    question = "ｸﾘｴｲﾃｨﾌﾞ拠点化の寄附額は？"
    tokens = tokenize(question)
    assert tokens.typed(0, 1) == "ｸﾘｴｲﾃｨﾌﾞ"  # one token after NFKC, and the half-width text as typed
    assert tokens.tokens[0].surface == "クリエイティブ"
    assert [t.surface for t in tokens.tokens][-2:] == ["は", "?"]


def test_the_addressee_is_no_word_of_the_question() -> None:
    tokens = tokenize("<@U0123ABC> R3の寄附額")
    assert [t.surface for t in tokens.tokens][:2] == ["R", "3"]
    assert tokenize("@kensho 5Gの寄附額").typed(0, 2) == "5G"


def test_lookalike_kanji_between_katakana_are_read_as_katakana() -> None:
    assert "プロジェクト" in "".join(t.surface for t in tokenize("プ口ジェクトの寄附額").tokens)


# --- stage 2: tags ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "value", "word"), VOCABULARY, ids=[f"{k}-{w}" for k, _, w in VOCABULARY])
def test_every_vocabulary_entry_tags_itself(kind: str, value: str, word: str) -> None:
    """Each word of bot/vocab/words.tsv, typed alone, is tagged as its entry says, over all of it."""
    tokens = tokenize(word)
    tags = Lexicon().tag(tokens)
    assert any(t.kind == kind and t.value == value and (t.start, t.end) == (0, len(tokens)) for t in tags), [
        (t.kind, t.value, t.start, t.end) for t in tags
    ]


def test_numbers_are_read_as_years_thresholds_and_ranks() -> None:
    tags = Lexicon().tag(tokenize("令和3年度の寄附額が1000万円以上の上位3件"))
    by_kind = {t.kind: t for t in tags}
    assert int(by_kind["year"].number or 0) == 2021
    assert by_kind["threshold"].number == 10_000_000 and by_kind["threshold"].extra == ">=*"
    assert int(by_kind["top"].number or 0) == 3


def test_a_field_word_glued_inside_a_longer_word_is_no_field() -> None:
    tags = Lexicon().tag(tokenize("医療機関評価基金の寄附額"))
    assert [t.value for t in tags if t.kind == "field"] == ["donation_amount"]


# --- stages 3–5, on the bundled catalogue -----------------------------------------------------------


@pytest.fixture(scope="module")
def asker(tmp_path_factory: pytest.TempPathFactory) -> Asker:
    db: Database = open_database(f"sqlite:///{tmp_path_factory.mktemp('u')}/k.db")
    return Asker(db)


def names_of(asker: Asker, question: str) -> list[str]:
    cat = asker.cache.get()
    tokens = tokenize(question)
    found = NameFinder(cat, tokens, asker.lexicon(cat).tag(tokens)).find()
    return [cat.projects[i].name for h in found.hits if h.kind == "project" for i in h.ids]


@pytest.mark.parametrize(
    "question",
    [
        "医療機関応援金の寄附額",
        "寄附額、医療機関応援金の",
        "確認です！医療機関応援金、寄附額おいくらでしたっけ",
        "医療機関応援金に対する外部有識者の意見",
        "医療機関応援金について外部有識者からどんな意見が出てますか",
        "ねえ、医療機関応援金ってさ、いくら集まったの",
    ],
)
def test_a_name_is_found_wherever_it_stands(asker: Asker, question: str) -> None:
    assert names_of(asker, question) == ["医療機関応援金"]


def test_several_fields_are_read_in_order(asker: Asker) -> None:
    intent, _, _ = asker.understand("健康ポイントの事業費と寄附額と担当課", asker.cache.get())
    assert intent.fields == [Field.PROJECT_COST, Field.DONATION_AMOUNT, Field.DEPARTMENT]


def test_counting_words_count_donations_or_projects(asker: Asker) -> None:
    cat = asker.cache.get()
    assert asker.understand("寄附は全部で何件？", cat)[0].fields == [Field.DONATION_COUNT]
    projects, _, _ = asker.understand("事業は全部で何件？", cat)
    assert projects.counting and not projects.fields
    assert "7件" in asker.ask("事業は全部で何件？").text


@pytest.mark.parametrize(
    ("question", "year"), [("令和3年度の事業", 2021), ("R3の事業", 2021), ("2021年度の事業", 2021)]
)
def test_fiscal_year_forms(asker: Asker, question: str, year: int) -> None:
    assert asker.understand(question, asker.cache.get())[0].year == year


def plan_of(asker: Asker, question: str) -> P.Plan:
    cat = asker.cache.get()
    return P.make_plan(asker.understand(question, cat)[0], cat)


@pytest.mark.parametrize(
    "question",
    [
        "高齢者の自転車安全対策の寄附額",
        "医療機関支援基金の寄附額",
        "ぐんまで遊ぼう事業の事業費",
        "高崎医療機関応援金の寄附額",  # an official name glued into a longer one
    ],
)
def test_a_word_beside_a_name_that_nothing_explains_fails_closed(asker: Asker, question: str) -> None:
    assert isinstance(plan_of(asker, question), P.NotFound | P.ByText)
    answer = asker.ask(question)
    assert answer.status == "not_found" and not answer.projects


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("寄附額が健康ポイントより多い事業", "comparison"),
        ("健康ポイントの寄附額の割合は？", "share"),
        ("寄附件数が1件以上じゃない事業", "negation"),
    ],
)
def test_an_operation_kensho_cannot_apply_is_said_so(asker: Asker, question: str, reason: str) -> None:
    plan = plan_of(asker, question)
    assert isinstance(plan, P.Unsupported) and plan.reason == reason


def test_two_projects_compared_give_both_figures_and_the_verdict(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金と健康ポイント、寄附額はどっちが多い？")
    assert answer.status == "answered" and answer.projects[0] == "医療機関応援金"
    assert "13,672" in answer.text and "13,200" in answer.text and "差は472千円" in answer.text


def test_a_chained_question_answers_the_field_of_the_project_found(asker: Asker) -> None:
    answer = asker.ask("寄附額が一番多い事業の担当課は？")
    assert answer.field == "department" and "地域企業支援課" in answer.text


def test_per_donation_amount(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金の寄附1件あたりの金額は？")
    assert answer.status == "answered" and "2,278.7千円" in answer.text


def test_history_is_answered_the_same_way_everywhere(asker: Asker) -> None:
    answer = asker.ask("健康ポイントの更新履歴")
    assert answer.kind == "history" and answer.projects == ["群馬健康ポイント制度"]


def test_a_total_leaving_out_a_project(asker: Asker) -> None:
    answer = asker.ask("健康ポイントを除いた寄附額の合計")
    assert answer.status == "answered" and "49,054千円" in answer.text and "群馬健康ポイント制度を除く" in answer.text


def test_kpi_achievement_is_judged_from_target_and_actual_and_pending_is_unknown(asker: Asker) -> None:
    answer = asker.ask("KPIが未達の事業は？")
    assert answer.projects == ["ぐんまで働こう！若者の活躍促進事業"]  # -2,208 against a target of -338
    assert "判定できない事業が6件" in answer.text  # 集計中 is not 未達
    assert asker.ask("KPIを達成した事業").projects == []


@pytest.mark.parametrize(
    "question",
    [
        "健康ポイントの寄附額は前年度と比べて増えた？",
        "群馬健康ポイント制度の寄附件数の前年比",
        "前年度と比べて寄附額の合計は増えた？",
    ],
)
def test_year_over_year_with_one_year_on_record_is_not_found_and_says_so(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "not_found"
    assert "令和3年度の分だけのため、前年度とは比べられません" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "部長に聞かれたので、医療機関応援金の寄附額を教えてください",
        "会議資料に載せたいので、医療機関応援金の寄附額をお願いします",
        "来週の委員会で使うので医療機関応援金の寄附額は？",
    ],
)
def test_the_circumstances_of_a_question_are_no_name(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.projects == ["医療機関応援金"] and "13,672" in answer.text


def test_a_threshold_in_thousands_of_ten_thousands(asker: Asker) -> None:
    answer = asker.ask("事業費5千万円以上の事業は？")
    assert answer.status == "answered"
    assert set(answer.projects) == {
        "医療機関応援金",
        "５Ｇデジタルファクトリー横展開実証",
        "ぐんまで働こう！若者の活躍促進事業",
    }


# --- forgotten parts, text lists, verbs made of a noun, punctuation -------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "ぐんま何とかっていう事業の寄附額、いくらだっけ？",
        "ぐんま…って名前の事業の担当課を知りたいです",
        "ぐんまなんちゃらの事業費",
    ],
)
def test_a_name_with_a_forgotten_part_asks_which_of_the_names_holding_the_rest(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "ambiguous"
    assert {"ぐんまのクリエイティブ拠点化推進", "ぐんまで働こう！若者の活躍促進事業"} <= set(answer.projects)


def test_a_forgotten_part_beside_words_one_name_holds_answers_that_name(asker: Asker) -> None:
    answer = asker.ask("なんとか応援金の寄附額")
    assert (answer.status, answer.projects) == ("answered", ["医療機関応援金"])
    assert "13,672" in answer.text


def test_a_forgotten_name_with_nothing_else_to_go_by_asks_for_more(asker: Asker) -> None:
    answer = asker.ask("何とかっていう事業の寄附額を教えて")
    assert answer.status == "ambiguous" and "詳しく" in answer.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("寄附額が下から2番目の事業ってどれ？", "子ども向け地域環境学習事業"),
        ("寄附額が上から2番目の事業は？", "医療機関応援金"),
    ],
)
def test_a_ranking_counted_from_the_bottom_or_the_top(asker: Asker, question: str, expected: str) -> None:
    assert asker.ask(question).projects == [expected]


def test_the_first_n_of_a_ranking_counted_in_tsu(asker: Asker) -> None:
    answer = asker.ask("事業費の小さい順に3つ教えて")
    assert answer.projects == [
        "子ども向け地域環境学習事業",
        "中高生の自転車安全対策",
        "ぐんまのクリエイティブ拠点化推進",
    ]


CORONA = {"医療機関応援金", "群馬健康ポイント制度", "子ども向け地域環境学習事業"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("コロナについて触れている事業はどれ？", CORONA),
        ("ハンズオン支援に言及している事業を教えて", {"５Ｇデジタルファクトリー横展開実証"}),
        ("ジョブカフェって書いてある事業は？", {"ぐんまで働こう！若者の活躍促進事業"}),
        ("「KPIは未達」と書かれている事業", {"ぐんまで働こう！若者の活躍促進事業", "中高生の自転車安全対策"}),
    ],
)
def test_projects_listed_by_what_their_texts_say(asker: Asker, question: str, expected: set[str]) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and set(answer.projects) == expected


def test_a_quoted_field_of_a_named_project_is_that_field_not_a_text_search(asker: Asker) -> None:
    answer = asker.ask("ぐんまで働こうの「振り返り・今後の方針等」欄には何て書いてある？")
    assert answer.projects == ["ぐんまで働こう！若者の活躍促進事業"] and answer.field == "reflection"


def test_a_verb_made_of_a_noun_describes_the_project_it_stands_before(asker: Asker) -> None:
    answer = asker.ask("ジョブカフェぐんまを運営してる事業って寄附何件？")
    assert answer.projects == ["ぐんまで働こう！若者の活躍促進事業"] and "8件" in answer.text


def test_punctuation_belongs_to_neither_the_field_nor_the_name(asker: Asker) -> None:
    answer = asker.ask("事業費、子ども向け地域環境学習事業は？")
    assert (answer.field, answer.projects) == ("project_cost", ["子ども向け地域環境学習事業"])


def test_a_field_word_reaching_into_a_name_typed_in_full_is_still_read(asker: Asker) -> None:
    intent, _, _ = asker.understand("子ども向け地域環境学習事業の評価と今後の方針", asker.cache.get())
    assert intent.fields == [Field.EVALUATION, Field.POLICY]


def test_two_amounts_in_a_chained_question_pick_by_the_first_and_answer_the_second(asker: Asker) -> None:
    answer = asker.ask("事業費が一番小さい事業の寄附額を教えてください")
    assert answer.projects == ["子ども向け地域環境学習事業"] and "寄附額は750千円" in answer.text


def test_donations_counted_in_ken_filter_by_the_count(asker: Asker) -> None:
    answer = asker.ask("寄附が１件だけの事業は何事業？")
    assert answer.field == "donation_count" and "3件" in answer.text


@pytest.fixture(scope="module")
def minato(tmp_path_factory: pytest.TempPathFactory) -> Asker:
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('m')}/k.db", seed=False)
    import_file(db, Path(__file__).with_name("data") / "minato_r6.csv", issuer_name="みなと市")
    return Asker(db, issuer="みなと市")


def test_a_department_name_without_its_ka_that_projects_share_asks_which(minato: Asker) -> None:
    answer = minato.ask("子育て支援の事業費っていくら？")
    assert answer.status == "ambiguous"
    assert set(answer.projects) == {"子育て支援アプリ運用事業", "子育て支援センター整備事業"}
    assert minato.ask("子育て支援課の事業費").status == "answered"


def test_a_department_glued_to_another_departments_project_is_not_that_project(minato: Asker) -> None:
    answer = minato.ask("子育て支援タクシー事業の事業費")
    assert answer.status == "not_found" and "13,880" not in answer.text


@pytest.fixture(scope="module")
def sanga(tmp_path_factory: pytest.TempPathFactory) -> Asker:
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('s')}/k.db", seed=False)
    import_file(db, Path(__file__).with_name("data") / "sanga_r4_r5.csv", issuer_name="山河県")
    return Asker(db, issuer="山河県")


@pytest.mark.parametrize("word", ["前年度", "昨年度", "去年"])
def test_last_year_is_the_year_before_the_latest_on_record_and_the_answer_says_so(sanga: Asker, word: str) -> None:
    answer = sanga.ask(f"{word}の山河の米ブランド化推進事業の寄附額")
    assert answer.fiscal_year == 2022 and "12,000" in answer.text
    assert f"「{word}」は、登録されている最新の令和5年度の前年度、令和4年度" in answer.text


def test_last_year_of_an_issuer_with_one_year_on_record_is_not_guessed(asker: Asker) -> None:
    answer = asker.ask("昨年度の健康ポイントの寄附額")
    assert answer.status == "not_found" and "令和2年度" in answer.text and "13,200" not in answer.text


@pytest.mark.parametrize(
    "question", ["山河県移住促進プロジェクトの移住者数は？", "山河の米ブランド化推進事業の輸出量、実績どれくらい？"]
)
def test_words_of_a_named_projects_kpi_ask_for_that_kpi(sanga: Asker, question: str) -> None:
    answer = sanga.ask(question)
    assert answer.status == "answered" and answer.field == "kpi" and "目標値" in answer.text


def test_projects_on_record_one_year_and_not_another(sanga: Asker) -> None:
    new = sanga.ask("令和5年度にはあって令和4年度にはない事業はどれ？")
    assert set(new.projects) == {"山河県DX人材育成事業", "医療機関応援金"} and "令和4年度に登録のない事業" in new.text
    ended = sanga.ask("令和4年度にしかない事業ってある？")
    assert ended.projects == ["山河ヘルスケアポイント事業"] and "ほかの年度には登録のない" in ended.text
    assert sanga.ask("令和4年度だけの事業").projects == ["山河ヘルスケアポイント事業"]


def test_a_total_of_every_year_on_record(sanga: Asker) -> None:
    answer = sanga.ask("2か年分を合わせた寄附総額は？")
    assert "令和4年度" in answer.text and "令和5年度" in answer.text and "2か年度の合計" in answer.text


def test_a_project_described_by_what_it_does_is_found_by_the_words_of_its_texts(asker: Asker) -> None:
    answer = asker.ask("学生の県内就職を支援する事業、今後どうする方針？")
    assert answer.projects == ["ぐんまで働こう！若者の活躍促進事業"]
    assert "「学生の県内就職」に関する事業として" in answer.text
    # The same words as a would-be name are not a description: no project is guessed.
    assert asker.ask("学生県内就職事業の寄附額").status == "not_found"


def test_examples_and_hints_are_about_the_deployments_own_projects(minato: Asker) -> None:
    answer = minato.ask("八ッ場ダム整備事業の寄附額")
    assert answer.status == "not_found" and "ぐんま" not in answer.text
    assert "例：「子育て支援アプリ運用事業の寄附額は？」" in answer.text
    assert minato.examples()[0] == "子育て支援アプリ運用事業の寄附額は？"
    assert "子育て支援課の事業は？" in minato.examples()


@pytest.mark.parametrize("question", ["今後の方針が継続じゃない事業は？", "継続ではない事業", "継続以外の事業"])
def test_a_filter_turned_round_lists_the_other_projects(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert set(answer.projects) == {"医療機関応援金", "中高生の自転車安全対策"}
    assert "今後の方針が「継続」の事業以外の事業は2件" in answer.text


def test_a_filter_turned_round_within_another(asker: Asker) -> None:
    answer = asker.ask("基本目標2の事業のうち継続じゃないものは？")
    assert answer.projects == ["医療機関応援金"]


def test_a_department_turned_round_in_a_total(asker: Asker) -> None:
    answer = asker.ask("労働政策課以外の事業の寄附額の合計")
    assert "労働政策課の事業以外の事業（6件）の寄附額の合計は59,554千円" in answer.text


def test_a_project_named_with_a_department_that_does_not_run_it_is_not_answered(asker: Asker) -> None:
    answer = asker.ask("労働政策課の中高生の自転車安全対策の寄附額")
    assert answer.status == "not_found" and "200千円" not in answer.text and "担当課は健康体育課" in answer.text


def test_a_total_of_a_few_projects_names_them(asker: Asker) -> None:
    answer = asker.ask("基本目標１の事業の寄附額の合計")
    assert set(answer.projects) == {"ぐんまで働こう！若者の活躍促進事業", "中高生の自転車安全対策"}
    assert "対象：" in answer.text


@pytest.mark.parametrize(
    "question",
    ["健康ポイント、事業費から寄附額を引くといくら？", "健康ポイントの事業費のうち寄附で賄えていない分はいくら？"],
)
def test_what_the_donations_did_not_cover(asker: Asker, question: str) -> None:
    assert "差は10,845千円" in asker.ask(question).text


def test_the_difference_of_two_totals(asker: Asker) -> None:
    answer = asker.ask("事業費の総額と寄附額の総額の差はいくら？")
    assert "事業費の合計は1,060,050千円" in answer.text and "差は997,796千円" in answer.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("高齢者じゃなくて中高生の自転車の事業、担当課どこ？", "健康体育課"),
        (
            "何社からの寄附が…じゃなくて、寄附額が一番少ない事業ってどれ？",
            "寄附額が最も少ないのは「中高生の自転車安全対策」",
        ),
        ("健康ポイントの寄附額ではなく件数", "寄附件数は4件"),
    ],
)
def test_what_the_asker_takes_back_is_not_asked(asker: Asker, question: str, expected: str) -> None:
    assert expected in asker.ask(question).text


def test_a_trailing_ellipsis_is_no_forgotten_name(asker: Asker) -> None:
    assert asker.ask("寄附額が…一番多い事業は？").projects == ["５Ｇデジタルファクトリー横展開実証"]


@pytest.mark.parametrize(
    "question", ["ぐんまの事業の寄附額教えて", "群馬の事業の担当課を教えて", "ぐんま事業の事業費っていくら？"]
)
def test_the_issuers_name_as_projects_begin_asks_which_of_them(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "ambiguous"
    assert set(answer.projects) == {
        "群馬健康ポイント制度",
        "ぐんまのクリエイティブ拠点化推進",
        "ぐんまで働こう！若者の活躍促進事業",
    }


def test_the_issuers_full_name_is_every_project(asker: Asker) -> None:
    assert "（7件）の寄附額の合計は62,254千円" in asker.ask("群馬県の事業の寄附額の合計").text
    assert "（7件）の寄附額の合計は62,254千円" in asker.ask("ぐんまの寄附額の合計").text


def test_only_so_many_is_an_exact_threshold(asker: Asker) -> None:
    answer = asker.ask("寄附が１件しかなかった事業ってある？")
    assert len(answer.projects) == 3 and "寄附件数が１件の事業は3件" in answer.text


def test_a_top_n_before_another_word(asker: Asker) -> None:
    answer = asker.ask("寄附件数トップ３ 件数つきで")
    assert answer.projects[:2] == ["ぐんまで働こう！若者の活躍促進事業", "医療機関応援金"] and len(answer.projects) == 3


def test_a_text_search_in_a_field_of_text(asker: Asker) -> None:
    assert set(asker.ask("振り返りとかでコロナに触れてる事業ってどれ？").projects) == CORONA


def test_a_pasted_mail_and_the_question_after_it(asker: Asker) -> None:
    answer = asker.ask(
        "「環境政策課所管の子ども向け地域環境学習事業について、事業費の金額をご確認ください」"
        "ってメールが来てるんだけど、これいくら？"
    )
    assert answer.projects == ["子ども向け地域環境学習事業"] and "事業費は1,924千円" in answer.text
    assert answer.field == "project_cost"


def test_a_goals_title_in_brackets_after_its_number(asker: Asker) -> None:
    answer = asker.ask("基本目標１（暮らし始めたくなる）の事業の寄附額の合計")
    assert "寄附額の合計は2,900千円" in answer.text


def test_what_a_named_projects_field_says_is_that_field_not_a_search(asker: Asker) -> None:
    answer = asker.ask("環境学習事業の振り返りってどう書いてありました？")
    assert answer.projects == ["子ども向け地域環境学習事業"] and answer.field == "reflection"


def test_a_text_search_that_finds_nothing_is_not_found(asker: Asker) -> None:
    answer = asker.ask("ドローンについて書かれている事業は？")
    assert answer.status == "not_found" and not answer.projects


@pytest.mark.parametrize(
    "question",
    [
        "若者の自転車安全対策の担当課ってどこ？",  # pieces of two projects' names in one run
        "ぐんまのｅスポーツ拠点化推進、寄附額は？",  # a piece of a department's name glued to a project's
    ],
)
def test_pieces_of_two_names_glued_together_are_no_ones_name(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "not_found" and "もしかして" in answer.text


def test_two_projects_written_apart_are_still_both_asked(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金・中高生の自転車安全対策の寄附額")
    assert answer.status == "answered"
    assert set(answer.projects) == {"医療機関応援金", "中高生の自転車安全対策"}


def test_words_of_one_name_typed_in_another_order_are_that_name(minato: Asker) -> None:
    answer = minato.ask("デマンド実証タクシー事業の事業費")
    assert answer.status == "answered" and answer.projects == ["デマンドタクシー実証事業"]


def test_a_forgotten_part_after_words_no_name_begins_with_asks_rather_than_answers(asker: Asker) -> None:
    answer = asker.ask("地域なんとかの事業の寄附件数って何件でした？")  # 地域 stands inside one name only
    assert answer.status == "ambiguous" and answer.projects == ["子ども向け地域環境学習事業"]
    assert asker.ask("健康なんちゃらの事業費").projects == ["群馬健康ポイント制度"]  # a name beginning so


def test_a_short_latin_word_of_a_name_names_it_but_not_with_other_words(asker: Asker) -> None:
    assert asker.ask("5Gの寄附額").projects == ["５Ｇデジタルファクトリー横展開実証"]
    assert asker.ask("5G推進事業の事業費").status == "not_found"


def test_a_project_described_then_referred_to_as_the_one(asker: Asker) -> None:
    answer = asker.ask("高校生のヘルメット着用のやつ、担当どこ？")
    assert answer.projects == ["中高生の自転車安全対策"] and "健康体育課" in answer.text
    assert asker.ask("高齢者のヘルメット着用のやつ、担当どこ？").status == "not_found"


def test_a_project_found_by_its_texts_shows_the_text_that_holds_the_words(asker: Asker) -> None:
    answer = asker.ask("ヘルメットを購入した事業はどれ？")
    assert answer.field == "result" and "ヘルメット" in answer.text


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        ("子ども向け地域環境学習事業の担当課と今後の方針をご教示いただけますと幸いです。", {"department", "policy"}),
        ("ぐんまのクリエイティブ拠点化推進について、担当課・事業費・寄附額の3点をお願いします", {"department"}),
    ],
)
def test_courtesies_and_a_count_of_what_is_asked_are_no_names(asker: Asker, question: str, fields: set[str]) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.field in fields


def test_several_donations_is_two_or_more(asker: Asker) -> None:
    answer = asker.ask("寄附が複数件あった事業を教えてもらえますか")
    assert "2件以上" in answer.text and len(answer.projects) == 4


def test_words_in_quotes_that_are_no_name_are_looked_for_in_the_texts(asker: Asker) -> None:
    answer = asker.ask("KPIの指標が「一人あたりの県民所得」になっている事業を全部")
    assert answer.status == "answered" and answer.field == "kpi" and len(answer.projects) == 6
    quoted = asker.ask("「事業費が一番かかっている事業はどれか」とのことです。")  # a question passed on
    assert quoted.projects == ["医療機関応援金"] and quoted.field == "project_cost"


def test_a_filter_with_its_projects_left_out(asker: Asker) -> None:
    answer = asker.ask("終了の事業を除いたら、寄附件数は全部で何件？")
    assert answer.status == "answered" and "16件" in answer.text


def test_a_verb_of_a_clause_giving_the_reason_asks_nothing(minato: Asker) -> None:
    answer = minato.ask("来週の議会答弁で使うので、子育て支援アプリ運用事業の状況をまとめてもらえますか")
    assert answer.field == "summary"


def test_donations_asked_in_number_and_amount(minato: Asker) -> None:
    answer = minato.ask("子育て支援アプリ運用事業の寄附って何件でいくらだった？")
    assert "4,000千円" in answer.text and "3件" in answer.text


def test_a_threshold_that_only_so_many_were_is_not_the_years_only(sanga: Asker) -> None:
    intent, _, _ = sanga.understand("令和5年度に寄附が1件しかなかった事業はどれですか", sanga.cache.get())
    assert not intent.only_year and intent.threshold is not None


@pytest.mark.parametrize(
    "question",
    [
        "５Ｇ促進ファクトリー横展開実証の寄附額は？",  # a kana word inside a run that named nothing
        "子ども向け地域環境群馬事業の寄附額は？",  # the issuer's name where a word of the name was
        "子ども向け地域環境群馬学習事業の寄附額は？",
        "ぐんまで働こう！若者の活躍対策事業の寄附額は？",  # a generic word for another, before 事業
        "健康ポイント推進事業の寄附額は？",
        "応援で働こう！若者の活躍促進事業の寄附額は？",  # a word in place of ぐんま, not a circumstance
        "子どものクリエイティブ拠点化推進の寄附額は？",  # a piece of one name glued to another name
        "５Ｇデジタルファクトリー横事業実証の寄附額は？",  # a generic word put inside a name
    ],
)
def test_a_name_nobody_has_made_from_a_real_one_is_not_answered(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "not_found" and "もしかして" in answer.text


def test_the_last_generic_word_of_a_name_may_be_said_another_way(asker: Asker) -> None:
    assert asker.ask("健康ポイント事業の寄附額").projects == ["群馬健康ポイント制度"]
    assert asker.ask("部長に聞かれたので、医療機関応援金の寄附額を教えてください").projects == ["医療機関応援金"]


def test_a_typo_beside_characters_left_out_is_another_word() -> None:
    from bot.match import cover

    assert cover("ぽいそと", "ぽいんと", frozenset()).typos == 1  # one character for another
    assert cover("あおばのみりょくいんじぎょう", "あおばのみりょくはっしんじぎょう", frozenset()).typos >= 2
    assert cover("あおばのしよくらかすいしん", "あおばのしよくぶらんどかすいしん", frozenset()).typos >= 2


def test_a_tag_word_between_a_name_and_its_generic_word_is_part_of_the_name() -> None:
    tags = Lexicon(policies=["拡充", "継続"], aliases=[("拡大", "拡充")]).tag(tokenize("若者就労拡大事業の寄附額"))
    assert not [t for t in tags if t.kind == "policy"]
    alone = Lexicon(policies=["拡充", "継続"], aliases=[("拡大", "拡充")]).tag(tokenize("方針が拡大の事業"))
    assert [t.value for t in alone if t.kind == "policy"] == ["拡充"]
    kept = Lexicon(policies=["拡充", "継続"]).tag(tokenize("基本目標2の事業のうち継続じゃないものは？"))
    assert [t.value for t in kept if t.kind == "policy"] == ["継続"]


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("じてんしゃあんぜんたいさく 担当化 どこですか", "department"),  # a field word with the wrong kanji
        ("くりえいてぃぶきょてんかすいしん こんごの方心 どうなってますか", "policy"),
        ("わかもののかつやくそくしんじぎょう 事業比と寄付額 りょうほう", "project_cost"),
    ],
)
def test_a_name_typed_in_kana_between_spaces_is_looked_up_whole(asker: Asker, question: str, field: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and len(answer.projects) == 1 and answer.field == field


def test_words_of_the_vocabulary_typed_in_kana() -> None:
    lexicon = Lexicon(policies=["継続", "拡充"])
    tags = lexicon.tag(tokenize("れいわ3ねんど こんごのほうしん けいぞく の じぎょう 2けんいじょう"))
    kinds = {(t.kind, t.value) for t in tags}
    assert ("year", "") in kinds and ("field", "policy") in kinds and ("policy", "継続") in kinds
    threshold = next(t for t in tags if t.kind == "threshold")
    assert threshold.value == "件" and threshold.number == 2 and threshold.extra == ">="
    assert not [t for t in lexicon.tag(tokenize("しゅっさんひよう じょせいじぎょう")) if t.kind == "field"]
    assert not [t for t in lexicon.tag(tokenize("移住者数は？")) if t.kind == "field"]  # 者数 is not 社数


def test_latin_letters_read_out_in_kana_are_the_letters() -> None:
    assert "DX" in "".join(t.surface for t in tokenize("でぃーえっくす人材育成").tokens)
    assert "えー" in "".join(t.surface for t in tokenize("えーと、寄附額は").tokens)  # one letter is no spelling


@pytest.mark.parametrize(
    ("question", "stated", "matches"),
    [
        ("群馬健康ポイント制度の事業費、24,450千円ではなかったですか。", "24,450千円", False),
        ("医療機関応援金の寄附額は13,672千円ですよね", "13,672千円", True),
        ("全7事業の事業費合計は1,060,500千円で合ってますか。", "1,060,500千円", False),
    ],
)
def test_a_figure_stated_to_check_it_is_answered_and_compared(
    asker: Asker, question: str, stated: str, matches: bool
) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered"
    assert f"お示しの「{stated}」は、登録されている値と{'一致しています' if matches else '一致しません'}" in answer.text


def test_a_ranking_claimed_for_a_project_is_checked(asker: Asker) -> None:
    answer = asker.ask("事業費が2番目に小さいのは、ぐんまのクリエイティブ拠点化推進ですよね？")
    assert answer.projects == ["中高生の自転車安全対策"]
    assert "お示しの「ぐんまのクリエイティブ拠点化推進」は、これに当たりません" in answer.text


def test_a_department_stated_in_a_check_is_corrected_and_otherwise_refused(asker: Asker) -> None:
    answer = asker.ask("中高生の自転車安全対策の担当課は健康長寿社会づくり推進課で合ってますか。")
    assert (
        answer.status == "answered"
        and "健康体育課" in answer.text
        and "お示しの健康長寿社会づくり推進課ではありません" in answer.text
    )
    assert asker.ask("労働政策課の中高生の自転車安全対策の寄附額").status == "not_found"


@pytest.mark.parametrize(
    "question",
    [
        "厚生文化常任委員会の委員から、『中高生の自転車安全対策には、企業からの寄附が何件あったのか』と質問を受けています。"
        "答弁メモに件数だけ入れたいので教えてください。",
        "佐藤議員から医療機関応援金の寄附額について聞かれました",
    ],
)
def test_who_asked_and_where_are_no_names(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and len(answer.projects) == 1


def test_what_someone_said_in_quotes_is_left_out_when_the_question_stands_without_it(asker: Asker) -> None:
    answer = asker.ask(
        "議員から「寄附額の少ない事業は見直すべきではないか」との指摘がありました。寄附額が最も少ない事業はどれでしょうか。"
    )
    assert answer.projects == ["中高生の自転車安全対策"]
    named = asker.ask("議員から「医療機関応援金の寄附額はいくらか」と聞かれています。答えられますか。")
    assert named.projects == ["医療機関応援金"]  # the quote is the question


def test_a_reason_the_asker_gives_is_no_name(asker: Asker) -> None:
    answer = asker.ask(
        "議員が「医療機関応援金はコロナ対応の特殊な事業なので、それを除いた残りの事業の寄附額の合計を知りたい」と言っています。"
    )
    assert answer.status == "answered" and "48,582千円" in answer.text


def test_a_ranking_by_what_is_no_amount_is_not_answered_by_another_field(asker: Asker) -> None:
    answer = asker.ask("今後の方針が一番多い事業")
    assert answer.status == "not_found" and "まだ対応していません" in answer.text


def test_a_filter_nothing_meets_is_not_found(asker: Asker) -> None:
    answer = asker.ask("方針 拡充 事業")
    assert answer.status == "not_found" and "ありません" in answer.text


def test_a_total_of_named_projects(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金と健康ポイントの寄附額の合計")
    assert answer.status == "answered" and "26,872千円" in answer.text
    assert set(answer.projects) == {"医療機関応援金", "群馬健康ポイント制度"}


def test_together_with_is_no_sum(asker: Asker) -> None:
    answer = asker.ask("今後の方針が「終了」の事業を、担当課とあわせて挙げてください")
    assert answer.status == "answered" and "合計" not in answer.text


def test_a_name_in_kana_beside_kana_nobody_knows_leaves_that_kana_unknown(asker: Asker) -> None:
    answer = asker.ask("びじねすけあらー いりょうきかんおうえんきん の じぎょうひ")
    assert answer.status == "not_found" and "びじねすけあらー" in answer.text


def test_a_name_cut_short_is_no_persons_name(asker: Asker) -> None:
    # 健 reads as a given name and ポ as a symbol; together they are a name typed short, not a person.
    answer = asker.ask("健ポ　寄附額　件数")
    assert answer.status == "not_found" and "群馬健康ポイント制度" in answer.text
    assert "医療機関応援金" not in answer.text.split("もしかして")[1].split("\n")[0]


@pytest.mark.parametrize(
    "question",
    [
        "医療機関応援金について、外部有識者からはどのような意見が出ているでしょうか。",
        "医療機関応援金について有識者からどんな意見が出てますか",
        "医療機関応援金の有識者の意見はどのようなものでしたか",
    ],
)
def test_the_stem_of_an_auxiliary_is_a_function_word(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.projects == ["医療機関応援金"]
    assert "外部有識者からの意見" in answer.text


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> Asker:
    """みなと市's projects whose names differ in a code (GX, DX) or share a word (確保)."""
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('p')}/k.db", seed=False)
    import_file(db, Path(__file__).with_name("data") / "minato_pairs.csv", issuer_name="みなと市")
    return Asker(db, "みなと市")


def test_a_code_with_another_letter_is_another_project(pairs: Asker) -> None:
    # みなと観光GX推進事業 and 防災DX推進事業 exist; 防災GX推進事業 does not, and is no typo of either.
    answer = pairs.ask("防災GX推進事業のたんとうか")
    assert answer.status == "not_found" and "防災DX推進事業" in answer.text and "危機管理課" not in answer.text


@pytest.mark.parametrize("word", ["今年度", "本年度"])
def test_this_year_is_the_issuers_latest_year_not_the_projects(sanga: Asker, word: str) -> None:
    # 山河ヘルスケアポイント事業 has a record of 令和4年度 only; the issuer's latest year is 令和5年度.
    answer = sanga.ask(f"山河ヘルスケアポイント事業の{word}の事業費は？")
    assert answer.status == "not_found" and "令和5年度" in answer.text and "千円" not in answer.text
    latest = sanga.ask("山河ヘルスケアポイント事業の最新の事業費は？")
    assert latest.status == "answered" and "令和4年度" in latest.text


def test_a_project_described_with_its_own_department_is_found_in_its_texts(asker: Asker) -> None:
    answer = asker.ask("健康体育課がヘルメットを配った事業の事業費")
    assert answer.status == "answered" and answer.projects == ["中高生の自転車安全対策"]
    assert "4,006千円" in answer.text


def test_a_project_described_with_another_department_is_not_theirs(asker: Asker) -> None:
    answer = asker.ask("労働政策課がヘルメットを配った事業の事業費")
    assert answer.status == "not_found" and "健康体育課" in answer.text and "4,006" not in answer.text


def test_a_word_of_the_description_is_no_department(asker: Asker) -> None:
    # 健康 of 健康づくり is no department's name: the texts are searched regardless of departments.
    answer = asker.ask("ヘルメットを配った事業の担当課")
    assert answer.status == "answered" and "健康体育課" in answer.text


def test_a_forgotten_beginning_asks_among_every_name_holding_the_rest(pairs: Asker) -> None:
    # 介護人材確保事業 ends with 確保, 地域公共交通確保維持事業 holds it inside: both are candidates.
    answer = pairs.ask("なんとか確保のじぎょうの担当課どこ")
    assert answer.status == "ambiguous"
    assert set(answer.projects) == {"介護人材確保事業", "地域公共交通確保維持事業"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("きふがくが2ばんめに多いじぎょうは？", "医療機関応援金"),
        ("じぎょうひ 2ばんめに大きい事業", "ぐんまで働こう！若者の活躍促進事業"),
        ("きふがく じょうい3けんの事業", "群馬健康ポイント制度"),
    ],
)
def test_rank_words_typed_in_kana(asker: Asker, question: str, expected: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and expected in answer.projects


def test_a_goal_typed_in_kana(asker: Asker) -> None:
    answer = asker.ask("きほんもくひょう1の寄附額 合計")
    assert answer.status == "answered" and "基本目標１" in answer.text and "合計" in answer.text


SMALL = {"子ども向け地域環境学習事業", "中高生の自転車安全対策"}
LARGE = {"医療機関応援金", "群馬健康ポイント制度", "５Ｇデジタルファクトリー横展開実証"}


@pytest.mark.parametrize(
    ("question", "shown", "projects"),
    [
        ("寄附額が100万円に届かなかった事業を教えて", "100万円未満", SMALL),
        ("寄附額が100万円に満たない事業", "100万円未満", SMALL),
        ("寄附額が1000万円を上回った事業", "1000万円超", LARGE),
        ("寄附額が2000万円を超えていない事業", "2000万円以下", None),
    ],
)
def test_a_verb_of_reaching_a_figure_is_a_threshold(
    asker: Asker, question: str, shown: str, projects: set[str] | None
) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and shown in answer.text and "KPI" not in answer.text
    if projects is not None:
        assert set(answer.projects) == projects
    else:
        assert "５Ｇデジタルファクトリー横展開実証" not in answer.projects and len(answer.projects) == 6


def test_reaching_the_target_is_still_about_kpis(asker: Asker) -> None:
    answer = asker.ask("KPIが目標に届かなかった事業")
    assert answer.status == "answered" and "未達" in answer.text


@pytest.mark.parametrize("question", ["寄附額が100万円くらいの事業", "寄附額が100万円前後の事業は？"])
def test_a_figure_that_is_no_condition_is_never_dropped(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "not_found" and "まだ対応していません" in answer.text


def test_a_figure_at_the_end_of_the_question_is_checked(asker: Asker) -> None:
    answer = asker.ask("令和3年度の寄附額の合計は62,000千円でしょうか")
    assert answer.status == "answered" and "62,254千円" in answer.text and "一致しません" in answer.text


def test_a_breakdown_of_an_amount_is_not_held_and_of_a_project_is_its_overview(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金の事業費の内訳")
    assert answer.status == "not_found" and "記載がない" in answer.text and "千円" not in answer.text
    overview = asker.ask("医療機関応援金の内訳")
    assert overview.status == "answered" and "13,672千円" in overview.text


@pytest.mark.parametrize("question", ["子ども向け地域環境学習 事業費", "子ども向け地域環境学習事業費は？"])
def test_a_name_whose_end_begins_a_field_word_leaves_the_field(asker: Asker, question: str) -> None:
    # 事業 ends the name and begins 事業費: the cost is asked, not the overview.
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.field == "project_cost" and "1,924千円" in answer.text


def test_a_contact_the_sheet_does_not_hold_is_not_answered_with_the_department(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金の担当者の連絡先を教えていただけますでしょうか。")
    assert answer.status == "not_found" and "連絡先" in answer.text and "感染症" not in answer.text


def test_a_word_typed_between_spaces_stands_alone(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金 vs 健康ポイント 寄附件数")
    assert answer.status == "answered" and set(answer.projects) == {"医療機関応援金", "群馬健康ポイント制度"}
    assert "多いのは" in answer.text


def test_excluding_with_nuki(asker: Asker) -> None:
    answer = asker.ask("寄附額の合計、医療機関応援金は抜きで")
    assert answer.status == "answered" and "48,582千円" in answer.text


def test_a_kpi_named_after_the_project_and_a_year_is_that_kpi(asker: Asker) -> None:
    answer = asker.ask("ぐんまで働こう！若者の活躍促進事業の令和3年度の転入超過数は？")
    assert answer.status == "answered" and answer.field == "kpi" and "-2,208" in answer.text


def test_a_kpi_typed_with_a_no_put_in_is_found_in_the_texts(asker: Asker) -> None:
    answer = asker.ask("他の都道府県からの転入の超過数を指標にしてる事業は？")
    assert answer.status == "answered" and answer.projects == ["ぐんまで働こう！若者の活躍促進事業"]


@pytest.mark.parametrize(
    "question",
    [
        "KPIに一人あたりの県民所得を設定している事業はどれでしょうか。",
        "KPIが一人あたりの県民所得になってる事業を教えて",
        "県民所得KPI 目標/実績",
    ],
)
def test_a_kpi_several_projects_share_lists_them_all(asker: Asker, question: str) -> None:
    # 一人あたり is a per-person figure of a KPI, not a per-donation average.
    answer = asker.ask(question)
    assert answer.status == "answered" and len(answer.projects) == 6 and "318.8" in answer.text
    assert "ぐんまで働こう！若者の活躍促進事業" not in answer.projects and "寄附1件あたり" not in answer.text


@pytest.mark.parametrize(
    "question", ["介護人材確保会議事業の担当課", "会議介護人材確保事業の担当課", "会議人材確保事業の担当課"]
)
def test_a_who_or_where_word_glued_to_a_name_makes_another_name(pairs: Asker, question: str) -> None:
    answer = pairs.ask(question)
    assert answer.status == "not_found" and "介護人材確保事業" in answer.text and "健康福祉課" not in answer.text


def test_a_who_or_where_word_apart_from_a_name_is_a_circumstance(pairs: Asker) -> None:
    answer = pairs.ask("会議で介護人材確保事業の担当課を聞かれました")
    assert answer.status == "answered" and "健康福祉課" in answer.text


def test_a_count_word_of_a_kpi_is_the_kpis_not_the_donations(pairs: Asker) -> None:
    answer = pairs.ask("移住促進事業（第1期）の令和6年度の移住相談件数は？")
    assert answer.status == "answered" and answer.field == "kpi" and "298" in answer.text
    assert "寄附件数" not in answer.text


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("医療機関応援金と中高生の自転車安全対策の今後の方針を比べると？", ""),
        ("医療機関応援金と中高生の自転車安全対策って、今後の方針は同じ？", "今後の方針は同じです"),
        ("医療機関応援金と健康ポイントの担当課は同じですか", "担当課は異なります"),
    ],
)
def test_two_projects_compared_on_a_field_that_is_no_figure_show_that_field(
    asker: Asker, question: str, verdict: str
) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and len(answer.projects) == 2
    assert "寄附額" not in answer.text and verdict in answer.text


def test_the_same_as_one_project_is_not_answered_with_that_project(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金と同じ課の事業")
    assert answer.status == "not_found" and "まだ対応していません" in answer.text


@pytest.mark.parametrize("question", ["医療機関応援金と健康ポイントの担当課の合計", "医療機関応援金以外の担当課の合計"])
def test_a_sum_of_what_is_no_figure_is_never_another_fields_sum(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "not_found" and "千円" not in answer.text


def test_a_total_of_two_figures_gives_both(asker: Asker) -> None:
    answer = asker.ask("事業費と寄附額の合計")
    assert answer.status == "answered" and "1,060,050千円" in answer.text and "62,254千円" in answer.text


def test_a_description_before_a_verb_and_jigyou_is_no_circumstance(asker: Asker) -> None:
    # 学校の生徒向けに|やってる|事業 describes the project asked about; dropped, every project was listed.
    answer = asker.ask("学校の生徒向けにやってる事業の事業費を教えてください")
    assert answer.status == "not_found" and "学校の生徒向け" in answer.text


def test_a_reason_quoted_to_describe_a_project_is_not_the_askers_own(asker: Asker) -> None:
    answer = asker.ask("啓発活動が必要だから継続、っていう事業の事業費は？")
    assert answer.status == "not_found" and "啓発活動" in answer.text


def test_every_unknown_word_beside_a_description_must_describe_it_too(asker: Asker) -> None:
    answer = asker.ask("子ども向けの環境学習会、何回開催したんですか")
    assert answer.status == "not_found" and "何回" in answer.text


def test_a_condition_on_projects_found_by_their_texts_is_never_dropped(asker: Asker) -> None:
    answer = asker.ask("一人あたりの県民所得の目標を達成した事業はどれ？")
    assert answer.status == "not_found" and "まだ対応していません" in answer.text


def test_a_part_of_a_figure_is_not_held(asker: Asker) -> None:
    answer = asker.ask("5Gの寄附額のうち、デジタルソリューションラボの整備に使った額は？")
    assert answer.status == "not_found" and "28,732" not in answer.text


@pytest.mark.parametrize("question", ["医療機関応援金に寄附した企業ってどこ？", "医療機関応援金に寄附した企業の名前は"])
def test_which_companies_donated_is_not_held_and_never_their_number(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "not_found" and "記載がない" in answer.text and "6件" not in answer.text


def test_how_many_companies_donated_is_the_donation_count(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金に寄附した企業は何社？")
    assert answer.status == "answered" and "6件" in answer.text


@pytest.mark.parametrize(
    "question", ["寄附がだいたい13,200千円の事業の担当課", "約1300万円の寄附があった事業", "寄附額1300万円くらいの事業"]
)
def test_an_approximate_figure_is_no_exact_condition(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "not_found" and "おおよその" in answer.text


def test_an_approximate_figure_checked_is_checked(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金の寄附額は約13,672千円ですか")
    assert answer.status == "answered" and "一致" in answer.text


def test_a_project_described_is_asked_as_if_named(asker: Asker) -> None:
    # 事業費 less 寄附額 of the project the description finds (中高生の自転車安全対策: 4,006 − 200).
    answer = asker.ask("ヘルメットを配った事業、事業費のうち寄附でまかなえてない分っていくら？")
    assert answer.status == "answered" and answer.projects == ["中高生の自転車安全対策"] and "3,806" in answer.text


def test_two_projects_described_are_compared(asker: Asker) -> None:
    answer = asker.ask("ヘルメットを配った事業と医療従事者に応援金を出した事業、寄附額が多いのはどっち？")
    assert answer.status == "answered" and "多いのは「医療機関応援金」" in answer.text


def test_a_comparison_with_one_project_found_is_not_answered_as_a_lookup(asker: Asker) -> None:
    answer = asker.ask("ヘルメットを配った事業とロケットを打ち上げた事業、寄附額が多いのはどっち？")
    assert answer.status == "not_found"


def test_a_katakana_word_glued_to_more_katakana_is_part_of_it() -> None:
    tags = Lexicon().tag(tokenize("シェアサイクルの事業"))
    assert not any(t.kind == "unsupported" for t in tags)


def test_the_runs_of_one_description_are_in_one_text(asker: Asker) -> None:
    # ヘルメット is in the texts of 中高生の自転車安全対策, 医療従事者 is not: no project did both.
    answer = asker.ask("医療従事者にヘルメットを配った事業の寄附額は？")
    assert answer.status == "not_found"


def test_a_project_named_outside_what_was_said_is_what_is_asked(asker: Asker) -> None:
    question = "議員の発言に「医療機関応援金は終わった」ってあったけど、健康ポイントの今後の方針は？"
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.projects == ["群馬健康ポイント制度"]


def test_the_largest_of_what_one_project_holds_is_not_recorded(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金の寄附って6件あるけど、一番大きい1件はいくら？")
    assert answer.status == "not_found" and "13,672" not in answer.text


def test_how_many_apart_is_a_difference(asker: Asker) -> None:
    answer = asker.ask("医療機関応援金と健康ポイント、寄附件数何件ちがう？")
    assert answer.status == "answered" and "差は2件" in answer.text


def test_a_quoted_description_with_its_verb_of_writing_is_still_looked_for(asker: Asker) -> None:
    question = "議員が「外部有識者の意見で、KPIが未達だと書かれている事業」の寄附額を知りたいそうです。"
    answer = asker.ask(question)
    assert answer.status == "not_found" and len(answer.projects) == 0


def test_a_kpi_shows_its_achievement_rate(pairs: Asker) -> None:
    answer = pairs.ask("介護人材確保事業のKPIの達成率は何％？")
    assert answer.status == "answered" and "達成率105.0%" in answer.text


def test_a_target_of_zero_is_met_only_by_zero() -> None:
    from decimal import Decimal

    from bot.answer import kpi_progress
    from store.models import Kpi, KpiStatus

    waiting = Kpi(name="待機児童数", unit="人", target=Decimal(0), actual=Decimal(3))
    waiting.target_status = waiting.actual_status = KpiStatus.KNOWN
    assert kpi_progress(waiting) == "未達"
    waiting.actual = Decimal(0)
    assert kpi_progress(waiting) == "達成"


def test_how_many_of_what_the_sheet_does_not_count_is_not_answered_with_a_kpi(asker: Asker) -> None:
    answer = asker.ask("子ども向けの環境学習会、何回開催したんですか")
    assert answer.status == "not_found" and "県民所得" not in answer.text


@pytest.mark.parametrize("question", ["寄附額ワースト3おしえて", "寄附額の下位3件"])
def test_the_bottom_n_is_the_smallest_first(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.projects[0] == "中高生の自転車安全対策" and "少ない順" in answer.text
