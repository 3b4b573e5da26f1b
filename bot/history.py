"""「健康ポイントの更新履歴」: the revision history of one project, as an answer."""

from __future__ import annotations

from collections.abc import Callable

from bot.answer import Answer
from bot.ask import Asker
from bot.lexicon import HISTORY_WORDS
from bot.normalize import surface
from bot.selfeval import history

_WORDS = tuple(surface(w) for w in HISTORY_WORDS)


def asks_history(question: str) -> bool:
    text = surface(question)
    return any(w in text for w in _WORDS)


def history_answer(asker: Asker, question: str, names: Callable[[str], str] = str) -> Answer:
    """The project's history, people by ``names``; ambiguous or not_found answers pass through unchanged."""
    found = asker.ask(question)
    if found.status != "answered" or len(found.project_ids) != 1:
        return found
    name, lines = history(asker.db, found.project_ids[0], names=names)
    body = f"{name}の更新履歴（新しい順）\n" + ("\n".join(f"・{line}" for line in lines) or "更新履歴はありません。")
    return Answer(
        question,
        "answered",
        body,
        field=None,
        projects=[name],
        project_ids=found.project_ids,
        title=f"{name}の更新履歴",
        kind="history",
    )
