"""Make the README's pictures from a fresh database of the bundled data.

    python3 docs/make_pictures.py

docs/committee-sheet.png: the first page of ``kensho export --format xlsx`` as LibreOffice prints it
(needs soffice and pdftoppm); docs/committee-pdf.png: the first page of ``--format pdf``;
docs/chart-cost-donation.png: 「事業費と寄附額を比べるグラフ」 as posted in Slack.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from bot.chart_request import chart_spec_for  # noqa: E402
from bot.charts import render_png  # noqa: E402
from store.db import open_database  # noqa: E402
from store.export import export_heading, export_rows  # noqa: E402
from store.export_pdf import write_pdf  # noqa: E402
from store.export_xlsx import write_xlsx  # noqa: E402


def first_page_png(pdf: Path, out: Path, dpi: int = 60) -> None:
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", pdf, stem], check=True)
    print(f"wrote {out}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = open_database(f"sqlite:///{work / 'kensho.db'}")
        rows, heading = export_rows(db, None), export_heading(db)
        write_xlsx(rows, work / "committee.xlsx", heading)
        write_pdf(rows, work / "committee.pdf", heading)
        with db.session() as session:
            spec = chart_spec_for(session, "事業費と寄附額を比べるグラフ")
        assert spec is not None
        (DOCS / "chart-cost-donation.png").write_bytes(render_png(spec, dpi=80))
        print(f"wrote {DOCS / 'chart-cost-donation.png'}")
        db.dispose()

        first_page_png(work / "committee.pdf", DOCS / "committee-pdf.png")
        soffice = shutil.which("soffice")
        if soffice is None:
            print("soffice is not installed: docs/committee-sheet.png not made", file=sys.stderr)
            return
        subprocess.run(
            [soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", work, work / "committee.xlsx"],
            check=True,
            capture_output=True,
        )
        first_page_png(work / "committee.pdf", DOCS / "committee-sheet.png")


if __name__ == "__main__":
    main()
