#!/usr/bin/env python3
"""How long the committee's document and a chart take: xlsx, PDF and PNG, for N projects.

    python3 bench/export_bench.py                 # 7 (bundled), 100 and 1,000 projects
    python3 bench/export_bench.py --sizes 7 300

Each size is a temporary SQLite database holding the bundled 7 projects plus synthetic ones (the
bundled texts, renamed), imported through the import path. Prints a markdown table: seconds for
export_rows, write_xlsx (both sheets), write_pdf, one chart (render_png), pages of the PDF.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.charts import build_spec, render_png  # noqa: E402
from store.db import open_database  # noqa: E402
from store.export import export_heading, export_rows  # noqa: E402
from store.export_pdf import write_pdf  # noqa: E402
from store.export_xlsx import write_xlsx  # noqa: E402
from store.importer import import_file  # noqa: E402
from store.schemas import ALIAS_COLUMN, COLUMNS  # noqa: E402

BUNDLED = ROOT / "store" / "data" / "gunma_r4" / "records.csv"


def synthetic(count: int) -> list[dict[str, str]]:
    with BUNDLED.open(encoding="utf-8-sig", newline="") as fh:
        base = list(csv.DictReader(fh))
    return [{**base[n % len(base)], "個別事業名": f"合成事業{n:05d}"} for n in range(count)]


def pages(pdf: Path) -> int:
    return pdf.read_bytes().count(b"/Type /Page\n") or pdf.read_bytes().count(b"/Type /Page")


def run(size: int, work: Path) -> list[str]:
    db = open_database(f"sqlite:///{work / f'k{size}.db'}")
    if size > 7:
        path = work / f"extra{size}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=[*COLUMNS, ALIAS_COLUMN], extrasaction="ignore")
            writer.writeheader()
            writer.writerows(synthetic(size - 7))
        import_file(db, path)
    timings = []
    start = time.perf_counter()
    rows, heading = export_rows(db, None), export_heading(db)
    timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    write_xlsx(rows, work / f"c{size}.xlsx", heading)
    timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    write_pdf(rows, work / f"c{size}.pdf", heading)
    timings.append(time.perf_counter() - start)
    with db.session() as session:
        spec = build_spec(session, ["donation_amount"])
    assert spec is not None
    render_png(spec)  # the first draw loads matplotlib and the font
    start = time.perf_counter()
    render_png(spec)
    timings.append(time.perf_counter() - start)
    db.dispose()
    return [f"{size:,}", *(f"{t:.2f} s" for t in timings), str(pages(work / f"c{size}.pdf"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[7, 100, 1000])
    args = parser.parse_args()
    print("| projects | export_rows | write_xlsx | write_pdf | render_png | PDF pages |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            print("| " + " | ".join(run(size, Path(tmp))) + " |", flush=True)


if __name__ == "__main__":
    main()
