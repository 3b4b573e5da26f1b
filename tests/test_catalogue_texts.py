"""A saved self-evaluation refreshes the texts the bot searches, without rebuilding its name index."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.ask import Asker
from store.db import open_database
from store.models import Project, Record
from store.records import bump_catalogue_version, bump_texts_version, utcnow


def _set_result(db, name: str, text: str, names_changed: bool = False) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        record = session.scalars(select(Record).join(Project).where(Project.name == name)).one()
        record.result, record.updated_at = text, utcnow()
        (bump_catalogue_version if names_changed else bump_texts_version)(session)
        session.commit()


def test_a_text_change_is_searched_at_once_by_the_same_index(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path}/k.db")
    asker = Asker(db)
    before = asker.cache.get()
    index = before.project_index
    assert asker.ask("メタバース相談窓口の事業の寄附額").status == "not_found"
    _set_result(db, "医療機関応援金", "医療従事者への支援に加え、メタバース相談窓口を開設した。")
    answer = asker.ask("メタバース相談窓口の事業の寄附額")
    assert answer.status == "answered" and answer.projects == ["医療機関応援金"]
    after = asker.cache.get()
    assert after is before and after.project_index is index  # refreshed in place, not rebuilt


def test_a_name_change_still_rebuilds(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path}/k.db")
    asker = Asker(db)
    before = asker.cache.get()
    _set_result(db, "医療機関応援金", "医療従事者への支援等を実施した。", names_changed=True)
    assert asker.cache.get() is not before
