"""The bundled data is there on first use, on each backend."""

from sqlalchemy import func, select

from store.db import Database
from store.models import Project, Record


def test_first_use_creates_migrates_and_loads_bundled_data(db: Database) -> None:
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Project)) == 7
        assert session.scalar(select(func.sum(Record.donation_amount))) == 62254
