"""The import's fast path (bind processors + sqlite3 executemany / PostgreSQL COPY, KPI rows validated
alone) writes exactly what SQLAlchemy Core writes, keeps the file all or nothing at national scale,
and records a revision for every change. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import PG_ENV, _admin_url
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

import store.import_writer as import_writer
import store.importer as importer
from store.db import Database, open_database
from store.importer import ImportFailed, import_file
from store.models import Department, Goal, Issuer, Kpi, PolicyOption, Project, Record, Revision
from store.schemas import ALIAS_COLUMN, COLUMNS

ISSUER = "試験県"
FIXED = datetime(2026, 12, 1, 1, 32, tzinfo=UTC)
EVALUATIONS = ["③地方創生に効果があった", "地方創生に相当程度効果があった", "地方創生に対して効果がなかった", "①"]
EFFECTIVE = ["（本事業が地方版）総合戦略のKPI達成に有効であった", "有効とはいえなかった", ""]
POLICIES = ["①拡充", "継続", "見直し", "⑥終了", ""]


def sheet_rows(projects: int, *, years: tuple[str, ...] = ("令和4年度", "令和5年度"), edit: int = 0) -> list[list[str]]:
    """A sheet like real ones: 1-3 KPIs a project (集計中, negatives, decimals), several years, goals,
    departments, aliases, wordings of the options; ``edit`` changes some values (a later version)."""
    rows = []
    for year in years:
        for p in range(projects):
            kpis = 1 + (p + edit) % 3
            for k in range(kpis):
                rows.append(
                    [
                        year,
                        f"基本目標{p % 3 + 1}：目標{p % 3 + 1}（{year}）" if p % 7 else "",
                        f"地域活性化モデル事業第{p:05d}号",
                        f"地域振興第{p % 5}課" if p % 11 else "",
                        f"{10000 + p * (1 + edit):,}",
                        "" if p % 13 == 0 else f"{1000 + p % 97:,}",
                        str(p % 9),
                        f"事業{p}の実施結果です。\n研修会を{(p + edit) % 12 + 1}回開催した。",
                        f"指標{k + 1}",
                        "（人）" if k else "万円",
                        f"{100 + k}" if p % 5 else "",
                        "集計中" if (p + k + edit) % 4 == 0 else f"{-3 if p % 6 == 0 else 95 + p % 10}.{k}5",
                        EVALUATIONS[(p + edit) % 4],
                        EFFECTIVE[p % 3],
                        "一定の効果があった。" if p % 2 else "",
                        POLICIES[(p + edit) % 5],
                        "継続が必要なため。",
                        "　引き続き取り組む。",
                        f"モデル{p}、第{p}号事業" if p % 4 == 0 else "",
                    ]
                )
    return rows


def write_sheet(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow([*COLUMNS, ALIAS_COLUMN])
        out.writerows(rows)
    return path


@pytest.fixture
def second_db_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    admin = create_engine(_admin_url(os.environ[PG_ENV]), isolation_level="AUTOCOMMIT")
    name = f"kensho_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_admin_url(os.environ[PG_ENV])).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def dump(db: Database) -> str:
    """Every row an import writes (ids included, the document's own Source row aside) as the driver
    reads it back: the stored text on SQLite (decimals, datetimes, JSON as written), values on PostgreSQL."""
    parts: list[Any] = []
    with db.engine.connect() as conn:
        for model in (Issuer, PolicyOption, Goal, Department, Project, Record, Kpi, Revision):
            table = model.__table__.name
            parts.append([list(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY id')])
    return json.dumps(parts, ensure_ascii=False, default=repr)


_WRITER_INIT = import_writer.BatchWriter.__init__


def _import(db: Database, path: Path, bulk: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        _WRITER_INIT(self, *args, **{**kwargs, "bulk": bulk})

    monkeypatch.setattr(import_writer.BatchWriter, "__init__", init)
    import_file(db, path, issuer_name=ISSUER, document="試験資料（令和6年7月時点）", actor="tester")


def test_the_fast_path_writes_exactly_what_sqlalchemy_core_writes(
    db_url: str, second_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "utcnow", lambda: FIXED)
    monkeypatch.setattr(importer, "BATCH_ROWS", 50)  # many batches: ids carried from one to the next
    first = write_sheet(tmp_path / "v1.csv", sheet_rows(60))
    second = write_sheet(tmp_path / "v2.csv", sheet_rows(70, edit=1))  # updates, KPIs added and removed, new
    fast, core = open_database(db_url, seed=False), open_database(second_db_url, seed=False)
    try:
        for path in (first, second):
            _import(fast, path, True, monkeypatch)
            _import(core, path, False, monkeypatch)
            assert dump(fast) == dump(core)
        with fast.session() as session:
            revisions = session.scalar(select(func.count()).select_from(Revision).where(Revision.field != "record"))
            versions = set(session.scalars(select(Revision.record_version)))
        assert revisions and versions == {1, 2}  # every change a revision, each naming the version it made
    finally:
        fast.dispose()
        core.dispose()


def national_rows(rows: int) -> Iterator[list[str]]:
    """``rows`` rows of two KPIs per project, as the benchmark writes them."""
    for n in range(rows):
        p, k = divmod(n, 2)
        yield [
            "令和5年度",
            f"基本目標{p % 4 + 1}：目標{p % 4 + 1}",
            f"全国モデル事業第{p:06d}号",
            f"地域振興第{p % 300}課",
            f"{10000 + p:,}",
            f"{1000 + p % 997:,}",
            str(p % 9 + 1),
            f"事業{p}の実施結果です。",
            f"指標{k + 1}",
            "人",
            "100",
            "集計中" if p % 11 == 0 else f"{95 + p % 10}.5",
            "③地方創生に効果があった",
            "有効とはいえなかった",
            "",
            "②継続",
            "継続が必要なため。",
            "引き続き取り組む。",
            "",
        ]


def test_a_bad_cell_in_row_99999_of_100000_imports_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow([*COLUMNS, ALIAS_COLUMN])
        for number, row in enumerate(national_rows(100_000), start=2):
            if number == 99_999:
                row[4] = "約1万"
            out.writerow(row)

    def counts() -> list[int]:
        with db.session() as session:
            return [session.scalar(select(func.count()).select_from(m)) or 0 for m in (Project, Record, Kpi, Revision)]

    before = counts()
    with pytest.raises(ImportFailed) as failed:
        import_file(db, path, issuer_name=ISSUER)
    assert [(p.row, p.column, p.value) for p in failed.value.problems] == [(99_999, "事業費（千円）", "約1万")]
    assert counts() == before  # the batches written before row 99,999 are rolled back


def test_a_text_longer_than_the_limit_is_refused_in_japanese(db: Database, tmp_path: Path) -> None:
    rows = sheet_rows(1, years=("令和4年度",))
    for row in rows:
        row[7] = "長" * 3001
    with pytest.raises(ImportFailed) as failed:
        import_file(db, write_sheet(tmp_path / "long.csv", rows), issuer_name=ISSUER)
    assert {p.message for p in failed.value.problems} == {"長すぎます（3000文字まで）"}


def test_a_database_error_while_writing_rolls_everything_back(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when PostgreSQL reports it at the end of a COPY that ended in the background."""
    monkeypatch.setattr(importer, "BATCH_ROWS", 50)
    real = import_writer.BatchWriter._insert_records
    batches = []

    def broken(self: Any, rows: list[dict[str, Any]], *args: Any) -> None:
        batches.append(rows)
        if len(batches) == 2:
            rows[-1]["project_id"] = 10**9  # no such project: the foreign key check fails
        real(self, rows, *args)

    monkeypatch.setattr(import_writer.BatchWriter, "_insert_records", broken)

    def counts() -> list[int]:
        with db.session() as session:
            return [session.scalar(select(func.count()).select_from(m)) or 0 for m in (Project, Record, Kpi, Revision)]

    before = counts()
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        import_file(db, write_sheet(tmp_path / "sheet.csv", sheet_rows(60)), issuer_name=ISSUER)
    assert len(batches) >= 2
    assert counts() == before
    with db.session() as session:
        assert session.scalar(select(Issuer.id).where(Issuer.name == ISSUER)) is None
