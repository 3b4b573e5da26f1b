"""How tall wrapped text gets in a spreadsheet cell, estimated from East Asian widths.

Spreadsheets do not size rows of merged cells to their text, and a row height written in the file
is taken as it is: kensho computes the heights itself. A full-width (or ambiguous-width: ①, ○)
character takes two units, anything else one; a column of width ``w`` (Excel character units)
holds about ``(w - 1) * UNITS_PER_WIDTH`` units per line in the body font. The factor is on the
safe side of what Excel and LibreOffice fit (measured: LibreOffice fits 26 units in a width of 20),
so a row can come out a little tall, never clipped.
"""

from __future__ import annotations

import math
import unicodedata

UNITS_PER_WIDTH = 1.15
BODY_POINTS = 10.0
LINE_POINTS = 14.0  # one line of 10-point text, with leading, in LibreOffice and Excel
PADDING_POINTS = 6.0
MAX_ROW_POINTS = 409.0  # Excel's limit for one row


def char_units(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in {"F", "W", "A"} else 1


def line_count(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` wide: each paragraph wrapped character by
    character, a Latin word kept whole when it fits on a line (as spreadsheets break them)."""
    per_line = max(2.0, (width - 1) * UNITS_PER_WIDTH)
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0.0, 1
        for word in _pieces(paragraph):
            units = sum(char_units(c) for c in word)
            if used + units > per_line:
                if units > per_line:  # a word longer than a line is broken anywhere
                    total = used + units
                    count += math.ceil(total / per_line) - 1
                    used = total - (math.ceil(total / per_line) - 1) * per_line
                    continue
                count += 1
                used = 0.0
            used += units
        lines += count
    return lines


def _pieces(paragraph: str) -> list[str]:
    """Each full-width character alone; runs of ASCII letters and digits together (a word)."""
    pieces: list[str] = []
    for char in paragraph:
        if pieces and char.isascii() and char not in " " and pieces[-1].isascii() and pieces[-1][-1] != " ":
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def text_points(text: str, width: float) -> float:
    """The row height (points) that shows ``text`` whole in a column ``width`` wide."""
    if not text:
        return LINE_POINTS + PADDING_POINTS
    return line_count(text, width) * LINE_POINTS + PADDING_POINTS
