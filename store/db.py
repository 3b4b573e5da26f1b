"""Engine, sessions and first-use set-up (migrate, then load the bundled data)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from store.models import Issuer

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 7_316_450_001  # arbitrary advisory-lock key shared by all kensho processes
# SQLite: readers never wait for a writer (WAL); a writer waits this long for another to finish.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_database_path() -> Path:
    """$XDG_DATA_HOME/kensho/kensho.db, i.e. ~/.local/share/kensho/kensho.db by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kensho" / "kensho.db"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20, max_overflow=40
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable with WAL; far cheaper commits
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Serialize set-up across processes: a PostgreSQL advisory lock; SQLite locks the file itself."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
            conn.commit()


def upgrade(engine: Engine) -> None:
    """Apply every pending migration."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@dataclass
class Database:
    """One database: its engine and a session factory. Created through ``open_database``."""

    engine: Engine
    factory: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.factory = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        with self.factory() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, seed: bool = True) -> Database:
    """Open (creating, migrating and, when empty, loading the bundled data) the database at ``url``."""
    db = Database(make_engine(url or default_database_url()))
    with migration_lock(db.engine):
        upgrade(db.engine)
        if seed:
            with db.session() as session:
                empty = session.scalar(select(func.count()).select_from(Issuer)) == 0
            if empty:
                from store.bundled import load_bundled

                load_bundled(db)
    return db
