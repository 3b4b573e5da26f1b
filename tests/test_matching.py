"""The pieces under question answering: matching keys, readings, the typo rule, and money wording."""

from __future__ import annotations

import pytest

from bot.answer import amount, average_amount, man_yen
from bot.ask import Asker
from bot.match import Form, cover, explain
from bot.normalize import fold
from bot.reading import reading
from bot.tokens import tokenize
from store.db import Database
from store.importer import import_rows

POLICY_LABELS = ["拡充", "継続", "改善", "縮小", "終了"]


# --- normalize ---------------------------------------------------------------------------------


def test_both_wave_dashes_are_dropped_the_same_way() -> None:
    # U+301C survives NFKC and U+FF5E becomes "~": the keys must not differ.
    assert fold("健康〜ポイント") == fold("健康～ポイント") == fold("健康ポイント")


def test_a_range_of_numbers_is_never_merged_into_one_number() -> None:
    assert fold("10〜20万円") == fold("10～20万円")
    assert "1020" not in fold("10〜20万円")
    assert fold("10〜20万円") != fold("1020万円")


def test_thousands_separators_vanish_in_keys() -> None:
    assert fold("１３，２００") == fold("13,200") == "13200"


def test_stored_text_keeps_its_ranges_and_signs(sqlite_db: Database) -> None:
    row = {
        "年度": "令和3年度",
        "基本目標": "基本目標２：群馬に住み続けたくなる",
        "個別事業名": "尾瀬の木道補修事業",
        "担当課": "自然環境課",
        "事業費（千円）": "12,345",
        "寄附額（千円）": "5,000",
        "寄附件数（件）": "3",
        "事業内容（実施結果）": "木道を10〜20メートルずつ補修した（延べ１０～２０日）。",
        "事業の評価": "③地方創生に効果があった",
        "今後の方針": "②継続",
    }
    import_rows(sqlite_db, [row], issuer_name="群馬県", actor="test")
    asker = Asker(sqlite_db)
    answer = asker.ask("尾瀬の木道補修の事業内容")
    assert answer.projects == ["尾瀬の木道補修事業"]
    assert "10〜20メートル" in answer.text and "１０～２０日" in answer.text  # as stored, both dashes
    assert "-2,208" in asker.ask("ぐんまで働こうのKPI").text


def test_half_width_katakana_folds_like_full_width_and_hiragana() -> None:
    assert fold("ｸﾞﾝﾏ健康ﾎﾟｲﾝﾄ") == fold("グンマ健康ポイント") == fold("ぐんま健康ぽいんと")


def test_official_spelling_variants_are_unified() -> None:
    assert fold("寄付額") == fold("寄附額")
    assert fold("子供向け") == fold("子ども向け") == fold("こども向け")
    typed, official = tokenize("寄付件数"), tokenize("寄附件数")
    assert typed.key(0, len(typed)) == official.key(0, len(official))  # what the question pipeline compares


def test_long_vowel_marks_and_small_kana_do_not_matter() -> None:
    assert fold("ファクトリ") == fold("ファクトリー")
    assert fold("ｸﾘｴｲﾃｨﾌﾞ") == fold("クリエイティブ")


def test_full_width_letters_and_digits_fold_to_ascii() -> None:
    assert fold("５Ｇ") == fold("5g") == "5g"


def test_kanji_that_look_like_katakana_count_as_katakana_only_between_katakana() -> None:
    assert fold("プ口ジェクト") == fold("プロジェクト")  # 口 (kuchi) for ロ
    assert fold("ド口ーン") == fold("ドローン")
    assert fold("エネルギー工ネ") == fold("エネルギーエネ")
    assert fold("イノベ一ション") == fold("イノベーション")
    assert reading("ド口ーン") == reading("ドローン")
    # Next to a kanji, or before ヶ, they are the kanji they are.
    assert fold("人口") != fold("人ロ")
    assert fold("センター一覧") != fold("センターー覧")
    assert fold("デザイン力") != fold("デザインカ")
    assert fold("ツアー一ヶ月") != fold("ツアーーヶ月")


# --- readings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("群馬健康ポイント制度", "ぐんまけんこうぽいんとせいど"),
        ("医療機関応援金", "いりようきかんおうえんきん"),
        ("地域環境学習", "ちいきかんきようがくしゆう"),
        ("中高生", "ちゆうこうせい"),
        ("拠点化", "きよてんか"),
        ("横展開", "よこてんかい"),
        ("寄附額", "きふがく"),
    ],
)
def test_readings_of_catalogue_words(text: str, expected: str) -> None:
    assert reading(text) == expected


def test_kana_typed_names_read_like_the_official_name() -> None:
    assert reading("けんこうポイント") == reading("健康ポイント")
    assert reading("ｹﾝｺｳﾎﾟｲﾝﾄ") == reading("健康ポイント")


def test_ime_homophone_reads_like_the_word_meant() -> None:
    assert reading("医療期間") == reading("医療機関")


# --- the matching rule -------------------------------------------------------------------------------


def explains(mention: str, name: str) -> bool:
    return explain(fold(mention), reading(mention), Form(0, fold(name), reading(name))).explained


@pytest.mark.parametrize(
    ("mention", "name"),
    [
        ("健康ポイソト", "健康ポイント"),  # one stray katakana
        ("けんこうぽいんと", "健康ポイント"),  # typed in kana
        ("クリエイティブ拠典化", "クリエイティブ拠点化"),  # IME homophone kanji
        ("クリエーティブ拠点化", "クリエイティブ拠点化"),
        ("子供の環境学習", "子ども向け地域環境学習事業"),  # a particle added, words left out
        ("医療機関への応援金", "医療機関応援金"),
        ("デジタルファクトリ一実証", "デジタルファクトリー実証"),  # 一 (one) typed for ー before a kanji
    ],
)
def test_typos_and_shortenings_are_explained(mention: str, name: str) -> None:
    assert explains(mention, name)


@pytest.mark.parametrize(
    ("mention", "name"),
    [
        ("医療機関支援基金", "医療機関応援金"),  # 支援, 基金: other words, not typos
        ("医療機関応援基金", "医療機関応援金"),
        ("医療機関支援金", "医療機関応援金"),  # 支 and 応 do not sound alike
        ("ぐんまの観光拠点化推進", "ぐんまのクリエイティブ拠点化推進"),
        ("若者の定住促進", "若者の活躍促進"),
        ("中高生のスマホ安全対策", "中高生の自転車安全対策"),
        ("健康マイレージ", "健康ポイント"),
        ("ぐんま一番ポイント", "ぐんまポイント"),  # 一番 after kana: 一 is a word here, 番 is left over
    ],
)
def test_other_words_are_not_explained_away(mention: str, name: str) -> None:
    assert not explains(mention, name)


def test_scattered_kana_do_not_make_a_match() -> None:
    # のうぎょう's letters all occur in こどもむけちいきかんきょうがくしゅう, but not as a word.
    assert not explains("農業", "子ども向け地域環境学習事業")


# --- money wording ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("thousands", "expected"),
    [
        (13_200, "1,320万円"),
        (876_894, "8億7,689万4千円"),
        (200, "20万円"),
        (1, "1千円"),
        (100_000, "1億円"),
        (1_060_050, "10億6,005万円"),
        (0, "0円"),
    ],
)
def test_man_yen(thousands: int, expected: str) -> None:
    assert man_yen(thousands) == expected


def test_amounts_show_thousands_of_yen_and_man_yen() -> None:
    assert amount(13_200) == "13,200千円（1,320万円）"
    assert amount(None) == "未記入"
    assert average_amount(8893.43) == "8,893.4千円（約889万3千円）"


@pytest.mark.parametrize(
    ("typed", "name", "meaningful"),
    [
        ("防災gx推進事業", "防災dx推進事業", True),  # a code: GX is not DX
        ("5g活用事業", "4g活用事業", True),
        ("移住促進事業第1期", "移住促進事業第2期", True),
        ("kenkoupointo", "kenkoupoint", False),  # a long word in letters may carry a typo
        ("kenkouponto", "kenkoupointo", False),
    ],
)
def test_a_letter_or_digit_of_a_short_code_is_never_a_typo(typed: str, name: str, meaningful: bool) -> None:
    assert (cover(typed, name).meaningful > 0) is meaningful
