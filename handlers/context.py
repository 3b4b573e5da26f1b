"""What every listener needs, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.ask import Asker
from handlers.charts import ChartWorker
from store.db import Database


def _as_is(user_id: str) -> str:
    return user_id


@dataclass
class Services:
    db: Database
    asker: Asker
    charts: ChartWorker = field(default_factory=ChartWorker)
    # A Slack user id -> the name people know (handlers.names.DisplayNames, set by build_app).
    names: Callable[[str], str] = field(default=_as_is)
