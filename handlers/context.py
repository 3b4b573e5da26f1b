"""What every listener needs, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ask import Asker
from handlers.charts import ChartWorker
from store.db import Database


@dataclass
class Services:
    db: Database
    asker: Asker
    charts: ChartWorker = field(default_factory=ChartWorker)
