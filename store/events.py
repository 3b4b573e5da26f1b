"""Exactly-once handling of Slack events across processes sharing one database."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from store.db import Database
from store.models import ProcessedEvent, utcnow

KEEP = timedelta(days=2)  # Slack retries within ~5 minutes; two days is generous
# SQLite has one writer at a time and makes the others poll with growing sleeps (1, 2, 5 … 100 ms).
# A burst of events claimed on many threads queues here instead, without sleeping.
_SQLITE_WRITER = threading.Lock()
_CLAIM = insert(ProcessedEvent)


def claim_event(db: Database, event_id: str) -> bool:
    """True for the first claim of ``event_id`` anywhere; False for a retry or a duplicate."""
    serialize = db.engine.dialect.name == "sqlite"
    try:
        with _SQLITE_WRITER if serialize else nullcontext(), db.engine.begin() as conn:
            # One Core INSERT: this runs before every event is acknowledged.
            conn.execute(_CLAIM, {"event_id": event_id, "received_at": utcnow()})
        return True
    except IntegrityError:
        return False


def prune_events(db: Database) -> int:
    with db.session() as session:
        result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < utcnow() - KEEP))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
