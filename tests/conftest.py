"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when configured.

``KENSHO_TEST_POSTGRES_URL`` (e.g. postgresql://postgres@127.0.0.1:5432/test) names a server;
each test gets its own uniquely named database there, dropped afterwards. Without the variable
the PostgreSQL half skips with a reason. ``../shared`` is optional: tests that need it skip.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))  # tests import their helpers (fakeslack) by name

from store.db import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_TEXT = SHARED / "seeds" / "000_ae44fa6d0b969c9c.txt"
DEV_QUERIES = SHARED / "eval" / "dev_queries.jsonl"
MANIFEST_SCHEMA = SHARED / "slack" / "manifest.schema.1.0.0.json"
PG_ENV = "KENSHO_TEST_POSTGRES_URL"


def shared_file(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent beside this checkout)")
    return path


def _admin_url(base: str) -> str:
    url = make_url(base)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests run in CI (.ci/run) or when you set it")
    admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
    name = f"kensho_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_admin_url(base)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kensho.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database holding the bundled Gunma data, on each backend."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    database = open_database(sqlite_url)
    try:
        yield database
    finally:
        database.dispose()
