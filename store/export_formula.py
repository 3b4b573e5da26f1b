"""Spreadsheet formula injection: text that a spreadsheet would evaluate is neutralized on export.

OWASP's CSV injection guidance lists the leading characters ``=``, ``+``, ``-``, ``@``, TAB and CR.
Japanese spreadsheets also evaluate the full-width ``＝``, ``＋``, ``－`` and ``＠`` typed through an
IME (Excel converts them on entry in the Japanese locale), so kensho treats them alike: a text cell
starting with any of them is written to CSV with one ``'`` in front, the prefix spreadsheets read as
"this is text". The importer strips exactly that one prefix again, so kensho's own CSV round-trips;
a text that itself starts with ``'`` followed by such a character gets a second ``'`` for the same
reason. In .xlsx no prefix is needed: every text cell is written as a string (data type ``s``).
Numeric columns (amounts, KPI values such as -338) are numbers, not text, and are left alone.
"""

from __future__ import annotations

FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
PREFIX = "'"


def _evaluable(text: str) -> bool:
    rest = text.lstrip(PREFIX)
    return bool(rest) and rest[0] in FORMULA_STARTS


def neutralize(text: str) -> str:
    """The cell text as CSV should carry it: one ``'`` before a text a spreadsheet would evaluate."""
    return PREFIX + text if _evaluable(text) else text


def restore(text: str) -> str:
    """The inverse of ``neutralize``: exactly one ``'`` removed where ``neutralize`` would have added it."""
    return text[1:] if text.startswith(PREFIX) and _evaluable(text) else text
