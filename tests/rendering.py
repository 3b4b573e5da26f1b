"""Reading documents back as people see them: LibreOffice renders a workbook to PDF, pdftotext reads a PDF.

Tests that need these tools skip with a reason when they are absent (.ci/run installs them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest


def squeeze(text: str) -> str:
    """Text without whitespace or line breaks, to compare a wrapped cell with its source."""
    return re.sub(r"\s", "", text)


def rendered_by_libreoffice(workbook: Path, outdir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False).stdout
    if not fonts.strip():
        pytest.skip("no Japanese font for LibreOffice: apt-get install fonts-ipafont-gothic")
    profile = outdir / "lo-profile"  # a private profile, so parallel runs do not share a lock
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = outdir / (workbook.stem + ".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF"
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, in the order the PDF draws it (``-raw``: a cell's lines stay together)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils poppler-data")
    done = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    pages = done.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
