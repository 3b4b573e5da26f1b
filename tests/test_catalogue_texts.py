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


def _set_earlier_result(db, name: str, year: int, text: str) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        record = session.scalars(
            select(Record).join(Project).where(Project.name == name, Record.fiscal_year == year)
        ).one()
        record.result, record.updated_at = text, utcnow()
        bump_texts_version(session)
        session.commit()


def test_a_project_is_found_by_what_an_earlier_year_says_and_a_save_of_that_year_refreshes_it(
    tmp_path: Path,
) -> None:
    from store.importer import import_file

    db = open_database(f"sqlite:///{tmp_path}/k.db", seed=False)
    import_file(db, Path(__file__).with_name("data") / "sanga_r4_r5.csv", issuer_name="山河県")
    asker = Asker(db, issuer="山河県")
    cat = asker.cache.get()
    entry = next(p for p in cat.projects if len(p.years) == 2)
    assert asker.ask("シルバー人材センターと連携した事業の寄附額").status == "not_found"
    _set_earlier_result(db, entry.name, entry.years[0], "シルバー人材センターと連携し、就労相談会を開いた。")
    answer = asker.ask("シルバー人材センターと連携した事業の寄附額")
    assert answer.status == "answered" and answer.projects == [entry.name]
    assert asker.cache.get() is cat  # refreshed in place
    listed = asker.ask("「シルバー人材センター」と書かれている事業")
    assert listed.projects == [entry.name] and "すべての年度" in listed.text
    assert Asker(db, issuer="山河県").ask("シルバー人材センターと連携した事業の寄附額").projects == [entry.name]
