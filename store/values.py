"""Parsers for values as Japanese offices type them: 令和3年度, １３，２００, ▲338, 集計中, ③….

Each parser raises ``ValueError`` with a Japanese message; the pydantic models in
``store.schemas`` turn those into per-field errors for the importer, the CLI and the modal.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

PENDING_WORDS = ("集計中", "未確定", "調査中")
# What the columns hold on every backend: BIGINT 千円, INTEGER 件, NUMERIC(24, 6) KPI values.
MAX_AMOUNT = 10**15 - 1
MAX_COUNT = 2**31 - 1
KPI_INTEGER_DIGITS = 18
KPI_FRACTION_DIGITS = 6
REIWA_START = 2018  # 令和N年 = 2018 + N
HEISEI_START = 1988

# Minus signs seen in Japanese documents: ASCII, U+2212, full-width, ▲/△ (accounting style).
_MINUS = "-−－‐‒–—▲△"
_NUM_RE = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")

EVALUATION_LABELS: dict[int, str] = {
    1: "地方創生に非常に効果的であった",
    2: "地方創生に相当程度効果があった",
    3: "地方創生に効果があった",
    4: "地方創生に効果がなかった",
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"

KPI_EFFECTIVE_LABELS: dict[bool, str] = {
    True: "（本事業が地方版）総合戦略のKPI達成に有効であった",
    False: "（本事業が地方版）総合戦略のKPI達成に有効とは言えない",
}

# 提出状況, keyed by store.models.SubmissionStatus values (a StrEnum, so its members work as keys).
SUBMISSION_LABELS: dict[str, str] = {
    "not_submitted": "未提出",
    "draft": "下書き",
    "submitted": "提出済",
}


def clean(value: object) -> str:
    """Cell text with surrounding (also full-width) whitespace removed; None becomes ''."""
    if value is None:
        return ""
    return str(value).strip().strip("\u3000").strip()


def plain_number(value: object) -> object:
    """A numeric cell (openpyxl gives int/float) as exact plain text; anything else unchanged.

    Floats go through repr, the shortest text that reads back as the same float, so 318.8 stays
    318.8 (never 318.80000000000001) and 1e-05 becomes 0.00001; whole floats lose their ".0".
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _number_text(value: object) -> str:
    text = unicodedata.normalize("NFKC", clean(plain_number(value))).replace(" ", "")
    if text and text[0] in _MINUS:
        text = "-" + text[1:]
    return text


@lru_cache(maxsize=8192, typed=True)  # a sheet repeats its cells; results are immutable
def parse_amount(value: object) -> int | None:
    """A whole amount in 千円 or a count: 13,200 / １３，２００ / 13200. Empty means unknown."""
    text = _number_text(value)
    if not text:
        return None
    if text.endswith("千円"):
        text = text[:-2]
    if not _NUM_RE.match(text) or "." in text:
        raise ValueError("整数（例: 13,200）で入力してください")
    number = int(text.replace(",", ""))
    if number < 0:
        raise ValueError("0以上の整数で入力してください")
    if number > MAX_AMOUNT:
        raise ValueError(f"大きすぎます（{MAX_AMOUNT:,}まで）")
    return number


@lru_cache(maxsize=8192, typed=True)  # a sheet repeats its cells; results are immutable
def parse_count(value: object) -> int | None:
    text = _number_text(value)
    if text.endswith("件"):
        text = text[:-1]
    try:
        number = parse_amount(text)
    except ValueError:
        raise ValueError("件数は0以上の整数で入力してください") from None
    if number is not None and number > MAX_COUNT:
        raise ValueError(f"件数が大きすぎます（{MAX_COUNT:,}まで）")
    return number


@lru_cache(maxsize=8192, typed=True)  # a sheet repeats its cells; results are immutable
def parse_kpi_value(value: object) -> tuple[Decimal | None, bool]:
    """A KPI value: (Decimal, False) or (None, True) for 集計中. Empty is (None, False)."""
    raw = clean(plain_number(value))
    if any(word in raw for word in PENDING_WORDS):
        return None, True
    text = _number_text(raw)
    if not text:
        return None, False
    if not _NUM_RE.match(text):
        raise ValueError("数値（例: 318.8、-2,208）または「集計中」で入力してください")
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError("数値として読めません") from None
    whole, _, fraction = format(abs(number), "f").partition(".")
    if len(whole.lstrip("0")) > KPI_INTEGER_DIGITS or len(fraction.rstrip("0")) > KPI_FRACTION_DIGITS:
        raise ValueError(f"整数部{KPI_INTEGER_DIGITS}桁・小数点以下{KPI_FRACTION_DIGITS}桁までの数値で入力してください")
    return number, False


@lru_cache(maxsize=8192, typed=True)  # a sheet repeats its cells; results are immutable
def parse_fiscal_year(value: object) -> int:
    """令和3年度 / R3 / 令和元年度 / 2021 / 2021年度 / H30 -> the Western year the fiscal year starts."""
    text = unicodedata.normalize("NFKC", clean(value)).replace(" ", "").upper()
    text = text.removesuffix("年度").removesuffix("年")
    text = text.replace("元", "1")
    m = re.fullmatch(r"(?:令和|R)(\d{1,2})", text)
    if m and int(m.group(1)) >= 1:
        return REIWA_START + int(m.group(1))
    m = re.fullmatch(r"(?:平成|H)(\d{1,2})", text)
    if m and 1 <= int(m.group(1)) <= 31:
        return HEISEI_START + int(m.group(1))
    m = re.fullmatch(r"(?:FY)?(\d{4})", text)
    if m and 1990 <= int(m.group(1)) <= 2100:
        return int(m.group(1))
    raise ValueError("年度は「令和3年度」「R3」「2021」のように入力してください")


def fiscal_year_label(year: int) -> str:
    """2021 -> 令和3年度 (令和元年度 for 2019)."""
    if year >= 2019:
        n = year - REIWA_START
        return f"令和{'元' if n == 1 else n}年度"
    return f"平成{year - HEISEI_START}年度"


@lru_cache(maxsize=8192, typed=True)  # a sheet repeats its cells; results are immutable
def parse_goal(value: object) -> tuple[int, str]:
    """基本目標２：群馬に住み続けたくなる -> (2, '群馬に住み続けたくなる'); the title may be absent."""
    text = clean(value)
    m = re.match(r"^\s*基本目標\s*([0-9０-９]+)\s*[:：]?\s*(.*)$", text, re.S)
    if not m:
        raise ValueError("「基本目標２：〇〇」の形で入力してください")
    number = int(unicodedata.normalize("NFKC", m.group(1)))
    title = re.sub(r"\s+", "", m.group(2))
    return number, title


def split_aliases(value: object) -> list[str]:
    return [a for a in (clean(x) for x in re.split(r"[、,，;；\n]", clean(value))) if a]


def format_decimal(value: Decimal) -> str:
    """-2208 -> '-2,208'; 318.80 -> '318.8'."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    text = format(value.normalize(), "f")
    whole, frac = text.split(".")
    return f"{int(whole):,}.{frac}" if whole not in {"-0", "0"} else f"{whole}.{frac}"
