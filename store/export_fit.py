"""How tall wrapped text gets in a spreadsheet cell, estimated from East Asian widths.

Spreadsheets do not size rows of merged cells to their text, and a row height written in the file
is taken as it is: kensho computes the heights itself. A column of width ``w`` (Excel character
units of the default font, 7 px each plus 5 px) is ``7w + 5`` px wide, less the cell's padding; a
full-width (or ambiguous-width: ①, ○) character of the 10-point body font (ＭＳ ゴシック) takes
13.3 px, two "units", anything else one unit, counted as 1.3 for the proportional Latin font
LibreOffice may substitute. That is on the safe side of both Excel and LibreOffice (measured:
LibreOffice fits 26 units where this counts 20), so a row can come out a little tall, never clipped.
"""

from __future__ import annotations

import math
import unicodedata

BODY_POINTS = 10.0
UNIT_PX = BODY_POINTS * 96 / 72 / 2  # half a full-width character at 96 dpi
CELL_PADDING_PX = 8
NARROW_UNITS = 1.3
LINE_POINTS = 14.0  # one line of 10-point text, with leading, in LibreOffice and Excel
PADDING_POINTS = 6.0
MAX_ROW_POINTS = 409.0  # Excel's limit for one row


def char_units(char: str) -> float:
    return 2 if unicodedata.east_asian_width(char) in {"F", "W", "A"} else NARROW_UNITS


def units_per_line(width: float) -> float:
    return max(2.0, (width * 7 + 5 - CELL_PADDING_PX) / UNIT_PX)


def line_count(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` wide: each paragraph wrapped character by
    character, a Latin word kept whole when it fits on a line (as spreadsheets break them)."""
    per_line = units_per_line(width)
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
