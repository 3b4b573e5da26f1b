"""What every listener needs, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ask import Asker
from store.db import Database


@dataclass
class Services:
    db: Database
    asker: Asker
