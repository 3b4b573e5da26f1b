"""Import speed and memory: `kensho import`'s path on a synthetic national-scale sheet.

    python3 bench/import_bench.py [--rows 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
                                  [--format csv|xlsx] [--reimport]

Writes a sheet of ``--rows`` rows (projects of many issuers' kind, two KPIs each, two fiscal
years, wording as real sheets vary it), then imports it into a fresh SQLite database and, with
``--postgres``, a fresh PostgreSQL database, each in its own process so that the peak resident
memory is that import's alone. Prints rows/s, seconds and peak RSS per backend; ``--reimport``
also times importing the same file again (every row compared, nothing written).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVALUATIONS = ["③地方創生に効果があった", "地方創生に相当程度効果があった", "地方創生に対して効果がなかった", "①"]
EFFECTIVE = ["（本事業が地方版）総合戦略のKPI達成に有効であった", "有効とはいえなかった", "有効ではなかった"]
POLICIES = ["①拡充", "継続", "見直し", "⑥終了"]


def write_sheet(path: Path, rows: int) -> None:
    from store.schemas import COLUMNS

    projects = rows // 4  # two KPI rows per project and year, two years
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        written = 0
        for year in ("令和4年度", "令和5年度"):
            for p in range(projects):
                for k in range(2):
                    if written >= rows:
                        return
                    out.writerow(
                        [
                            year,
                            f"基本目標{p % 4 + 1}：目標{p % 4 + 1}（{year}）",
                            f"地域活性化モデル事業第{p:06d}号",
                            f"地域振興第{p % 300}課",
                            f"{10000 + p:,}",
                            f"{1000 + p % 997:,}",
                            str(p % 9 + 1),
                            f"事業{p}の実施結果です。研修会を{p % 12 + 1}回開催した。",
                            f"指標{k + 1}",
                            "人",
                            f"{100 + k}",
                            "集計中" if p % 11 == 0 else f"{95 + (p % 10)}.5",
                            EVALUATIONS[p % 4],
                            EFFECTIVE[p % 3],
                            "一定の効果があった。" if p % 2 else "",
                            POLICIES[p % 4],
                            "継続が必要なため。",
                            "引き続き取り組む。",
                        ]
                    )
                    written += 1


def to_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    with csv_path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            ws.append(row)
    wb.save(xlsx_path)


def run_one(url: str, path: Path, reimport: bool) -> dict[str, float]:
    """In this process: import ``path`` into the empty database at ``url`` (no sample)."""
    from store.db import open_database
    from store.importer import import_file

    db = open_database(url, seed=False)
    started = time.perf_counter()
    report = import_file(db, path, issuer_name="ベンチ県", document="ベンチ資料（令和6年7月時点）")
    seconds = time.perf_counter() - started
    result: dict[str, float] = {
        "rows": report.rows,
        "seconds": seconds,
        "rows_per_s": report.rows / seconds,
        "created": report.result.created,
    }
    if reimport:
        started = time.perf_counter()
        again = import_file(db, path, issuer_name="ベンチ県", document="ベンチ資料（令和6年7月時点）")
        result["reimport_seconds"] = time.perf_counter() - started
        result["reimport_rows_per_s"] = again.rows / result["reimport_seconds"]
        result["reimport_unchanged"] = again.result.unchanged
    db.dispose()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _pg_database(base: str) -> tuple[str, object]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    name = f"kensho_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a fresh database is created and dropped)")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--reimport", action="store_true", help="also time a second, unchanged import")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child[0], Path(args.child[1]), args.reimport)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "sheet.csv"
        write_sheet(sheet, args.rows)
        if args.format == "xlsx":
            xlsx = Path(tmp) / "sheet.xlsx"
            to_xlsx(sheet, xlsx)
            sheet = xlsx
        targets: list[tuple[str, str, object]] = [("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", None)]
        if args.postgres:
            url, drop = _pg_database(args.postgres)
            targets.append(("PostgreSQL", url, drop))
        print(f"{args.rows:,} rows ({args.format}), {os.cpu_count()} cores")
        for label, url, drop in targets:
            try:
                child = [sys.executable, __file__, "--child", url, str(sheet)]
                if args.reimport:
                    child.append("--reimport")
                out = subprocess.run(child, capture_output=True, text=True, check=False)
                if out.returncode != 0:
                    print(f"{label}: failed\n{out.stderr}")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                line = (
                    f"{label:<10} {r['rows_per_s']:>9,.0f} rows/s  {r['seconds']:6.1f} s  "
                    f"peak RSS {r['peak_rss_mb']:,.0f} MB  ({int(r['created']):,} records)"
                )
                if args.reimport:
                    again, same = r["reimport_rows_per_s"], int(r["reimport_unchanged"])
                    line += f"  re-import {again:,.0f} rows/s ({same:,} unchanged)"
                print(line, flush=True)
            finally:
                if callable(drop):
                    drop()


if __name__ == "__main__":
    main()
