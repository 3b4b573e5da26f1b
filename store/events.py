"""Exactly-once handling of Slack events across processes sharing one database."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError, OperationalError

from store.db import SQLITE_BUSY_TIMEOUT_MS, Database
from store.models import ProcessedEvent, utcnow

log = logging.getLogger(__name__)
KEEP = timedelta(days=2)  # Slack retries within ~5 minutes; two days is generous
# SQLite has one writer at a time and makes the others poll with growing sleeps (1, 2, 5 … 100 ms).
# A burst of events claimed on many threads queues here instead, without sleeping.
_SQLITE_WRITER = threading.Lock()
_CLAIM = insert(ProcessedEvent)
# While another connection holds SQLite's write lock for long (a large import runs in one
# transaction), an event is claimed in this process's memory instead of waiting past Slack's
# 3 seconds: the question is answered, and retries reaching this process are still recognised.
SQLITE_CLAIM_WAIT_MS = 500
MEMORY_KEEP = 600.0  # seconds; Slack's last retry comes about 5 minutes after the first delivery
_in_memory: dict[str, float] = {}
_memory_lock = threading.Lock()


def claim_event(db: Database, event_id: str) -> bool:
    """True for the first claim of ``event_id`` anywhere; False for a retry or a duplicate."""
    if db.engine.dialect.name != "sqlite":
        return _claim_in_database(db, event_id)
    with _SQLITE_WRITER:
        if _seen_in_memory(event_id):
            return False
        try:
            return _claim_in_database(db, event_id, wait_ms=SQLITE_CLAIM_WAIT_MS)
        except OperationalError as exc:
            if "locked" not in str(exc).lower():
                raise
            log.warning("the database is busy with a long write (an import?); event %s is claimed in memory", event_id)
            return _claim_in_memory(event_id)


def _claim_in_database(db: Database, event_id: str, wait_ms: int | None = None) -> bool:
    try:
        with db.engine.connect() as conn:
            if wait_ms is not None:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
            try:
                # One Core INSERT: this runs before every event is acknowledged.
                conn.execute(_CLAIM, {"event_id": event_id, "received_at": utcnow()})
                conn.commit()
            finally:
                if wait_ms is not None:
                    conn.rollback()
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                    conn.commit()
        return True
    except IntegrityError:
        return False


def _seen_in_memory(event_id: str) -> bool:
    with _memory_lock:
        return event_id in _in_memory


def _claim_in_memory(event_id: str) -> bool:
    now = time.monotonic()
    with _memory_lock:
        for old in [k for k, at in _in_memory.items() if now - at > MEMORY_KEEP]:
            del _in_memory[old]
        if event_id in _in_memory:
            return False
        _in_memory[event_id] = now
        return True


def prune_events(db: Database) -> int:
    with db.session() as session:
        result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < utcnow() - KEEP))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
