"""Digit rules shared by the detail parsers: what a number written in digits looks like, and its
canonical spelling."""

from __future__ import annotations

import re

MAX_DIGITS = 15
"""The most digits a number may have to be read as an amount. Longer runs are identifiers
(account, phone, serial numbers) or noise, and past 15 digits a float no longer holds every
digit; a 400-digit run even overflows a float and used to abort the whole run."""

# A run of digits with optional thousands separators or a decimal part, not glued to letters
# or to a model code ("Su-35", "G7", "F-16"), and not part of a longer number. A hyphen after
# a digit is a range ("2000-2001"), after a letter a model code.
NUMBER_RE = re.compile(
    r"(?<![\w.,])(?<![A-Za-z]-)("
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?"  # 1,000.5 / 1.234,5
    r"|\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"  # 10 000,50 / 3,5
    r")(?![\w-]*[A-Za-z])(?![.,]\d)"
)


def canonical_number(raw: str) -> str:
    """A canonical spelling: thousands separators dropped, a decimal comma made a point."""
    grouped = re.fullmatch(r"(\d{1,3}(?:([ \u00a0.,])\d{3})+)(?:([.,])(\d+))?", raw)
    if grouped and grouped.group(3) != grouped.group(2):
        whole = re.sub(r"[ \u00a0.,]", "", grouped.group(1))
        return whole + ("." + grouped.group(4) if grouped.group(4) else "")
    return re.sub(r"[ \u00a0]", "", raw).replace(",", ".")


def number_value(raw: str) -> float | None:
    """The value of a number written in digits (as :data:`NUMBER_RE` matches it), or ``None``
    when it has more than :data:`MAX_DIGITS` digits and so is no amount."""
    canonical = canonical_number(raw)
    if sum(c.isdigit() for c in canonical) > MAX_DIGITS:
        return None
    return float(canonical)
