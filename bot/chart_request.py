"""Is a question asking for a chart, and of what: ``chart_spec_for(session, question)``.

Read with the question pipeline's first two stages (``bot.tokens``, ``bot.tagging``): a question is a
chart request when a word is tagged ``chart`` (グラフ, チャート, 図 — whole tokens, so 図書館 is not 図)
or it asks for the 推移 (a figure over the years, drawn as a trend). The figures shown are the amount
fields the question names (寄附額 when none is); a 年度 may be named (令和3年度, R3, 2021年度).
Without a chart word, ``None``: the answer is what it always was.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from bot.charts import FIELD_LABELS, ChartSpec, build_spec
from bot.tagging import Lexicon
from bot.tokens import tokenize
from store.db import Database

TREND_LEMMAS = frozenset({"推移", "経年", "変化", "動向"})


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return Lexicon()


@dataclass(frozen=True)
class _Reading:
    """What a question says about a chart, read once from its tags."""

    chart: bool
    trend: bool
    fields: list[str]
    year: int | None


def _read(question: str) -> _Reading:
    tokens = tokenize(question)
    tags = _lexicon().tag(tokens)
    trend = {tokens.tokens[t.start].lemma for t in tags if t.kind == "unsupported" and t.value == "trend"}
    trend &= TREND_LEMMAS
    return _Reading(
        chart=any(t.kind == "chart" for t in tags) or "推移" in trend,
        trend=bool(trend),
        fields=list(dict.fromkeys(t.value for t in tags if t.kind == "field" and t.value in FIELD_LABELS)),
        year=next((int(t.number) for t in tags if t.kind == "year" and t.number is not None), None),
    )


def wants_chart(question: str) -> bool:
    return _read(question).chart


def chart_fields(question: str) -> list[str]:
    """The amount fields the question names, in the order it names them."""
    return _read(question).fields


def chart_spec_for(session: Session, question: str, issuer: str | None = None) -> ChartSpec | None:
    """The chart the question asks for, or None when it asks for none (or there is nothing to draw)."""
    read = _read(question)
    return _spec(session, read, issuer) if read.chart else None


def chart_for(db: Database, question: str, issuer: str | None = None) -> ChartSpec | None:
    """``chart_spec_for`` on a session of its own, opened only when the question asks for a chart
    (an ordinary question is told apart from its words alone)."""
    read = _read(question)
    if not read.chart:
        return None
    with db.session() as session:
        return _spec(session, read, issuer)


def _spec(session: Session, read: _Reading, issuer: str | None) -> ChartSpec | None:
    return build_spec(session, read.fields or ["donation_amount"], year=read.year, trend=read.trend, issuer=issuer)
