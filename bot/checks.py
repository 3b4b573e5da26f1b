"""Figures the asker states to check them (24,450千円ではなかったですか, 18件で合っていますか) and the
project they say a ranking gives (2番目に小さいのは〇〇ですよね): the answer gives what is on record, and
says whether what was stated is among it."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from bot import answer as A
from bot.understand import Intent

_FIGURE = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)(千円|件)")


def with_check(intent: Intent, answer: A.Answer) -> A.Answer:
    """The answer with a line on each stated figure in 円 or 件 (others cannot be compared)."""
    if answer.status != "answered" or not (intent.stated or intent.claimed):
        return answer
    shown = {(Decimal(n.replace(",", "")), unit) for n, unit in _FIGURE.findall(answer.body)}
    lines = []
    for typed, value, unit in intent.stated:
        if unit == "円":
            key = (value / 1000, "千円")
        elif unit == "件":
            key = (value, "件")
        else:
            continue
        if key in shown:
            lines.append(f"お示しの「{typed}」は、登録されている値と一致しています。")
        else:
            lines.append(f"お示しの「{typed}」は、登録されている値と一致しません（登録されている値は上のとおりです）。")
    if intent.claimed:
        right = bool(answer.projects) and answer.projects[0] == intent.claimed
        lines.append(f"お示しの「{intent.claimed}」は、{'これと一致しています' if right else 'これに当たりません'}。")
    if not lines:
        return answer
    return replace(answer, body=answer.body + "\n" + "\n".join(lines))
