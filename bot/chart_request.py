"""Is a question asking for a chart, and of what: ``chart_spec_for(session, question)``.

Small and self-contained, so that the question-understanding pipeline can call it first: a question
is a chart request when one of its words (MeCab tokens, by lemma: never a substring of the raw text,
so 図書館 is not 図) is a chart noun — グラフ, チャート, 図 — or 推移 (a figure over the years,
which is drawn as a trend). The figures shown are the amount fields named with the words of
``bot.lexicon.FIELD_WORDS`` (事業費, 寄附件数 …; 寄附額 when none is named); a 年度 may be named
(令和3年度, R3, 2021年度). Without a chart word, ``None``: the answer is what it always was.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from bot.charts import FIELD_LABELS, ChartSpec, build_spec
from bot.lexicon import FIELD_WORDS
from bot.normalize import surface
from bot.reading import tokens
from store import values

CHART_NOUNS = frozenset({"グラフ", "チャート", "図"})
TREND_NOUNS = frozenset({"推移", "経年", "変化", "動向"})
_YEAR = re.compile(r"(?:令和|r)(?:元|\d{1,2})(?:年度|年)?|(?:20\d{2})(?:年度|年)", re.IGNORECASE)


def _nouns(question: str) -> set[str]:
    # unidic lemmas of loanwords carry their origin: グラフ-graph, チャート-chart.
    return {lemma.partition("-")[0] for pos, lemma in tokens(question) if pos == "名詞"}


def wants_chart(question: str) -> bool:
    nouns = _nouns(question)
    return bool(nouns & CHART_NOUNS) or "推移" in nouns


def chart_fields(question: str) -> list[str]:
    """The amount fields the question names, in the order it names them (longest words first, so
    寄附件数 is the count and not 寄附 + 件数)."""
    text = surface(question)
    taken = [False] * len(text)
    found: list[tuple[int, str]] = []
    words = sorted(
        ((surface(w), field) for field in FIELD_LABELS for w in FIELD_WORDS.get(field, ())),
        key=lambda item: -len(item[0]),
    )
    for word, field in words:
        start = text.find(word)
        while start >= 0:
            if not any(taken[start : start + len(word)]):
                taken[start : start + len(word)] = [True] * len(word)
                found.append((start, field))
            start = text.find(word, start + 1)
    return list(dict.fromkeys(field for _, field in sorted(found)))


def chart_year(question: str) -> int | None:
    match = _YEAR.search(surface(question))
    return values.parse_fiscal_year(match.group(0)) if match else None


def chart_spec_for(session: Session, question: str, issuer: str | None = None) -> ChartSpec | None:
    """The chart the question asks for, or None when it asks for none (or there is nothing to draw)."""
    if not wants_chart(question):
        return None
    trend = bool(_nouns(question) & TREND_NOUNS)
    try:
        year = chart_year(question)
    except ValueError:
        year = None
    return build_spec(session, chart_fields(question) or ["donation_amount"], year=year, trend=trend, issuer=issuer)
