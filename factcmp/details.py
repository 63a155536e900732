"""Extract comparable details from a sentence: years and other numbers written in digits."""

from __future__ import annotations

import re

from .types import Detail

# A run of digits with optional thousands separators or a decimal part, not glued to letters
# or to a model code ("Su-35", "G7", "F-16"), and not part of a longer number. A hyphen after
# a digit is a range ("2000-2001"), after a letter a model code.
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(?<![A-Za-z]-)(\d{1,3}(?:[ \u00a0.,]\d{3})+|\d+(?:[.,]\d+)?)(?![\w-]*[A-Za-z])"
)
# A day.month.year date ("19.06.2024", "19. 6. 2024"): its year is the detail; day and month
# are left out, since other sources write the month as a word ("19. junija 2024").
_DATE_RE = re.compile(r"(?<![\w.,])\d{1,2}\.[ \u00a0]?\d{1,2}\.[ \u00a0]?(\d{4})(?![\w.,]?\d)")
_YEAR_MIN, _YEAR_MAX = 1900, 2100


def _value(raw: str) -> str:
    """A canonical spelling: thousands separators dropped, a decimal comma made a point."""
    digits = re.sub(r"[ \u00a0]", "", raw)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits):
        return re.sub(r"[.,]", "", digits)
    return digits.replace(",", ".")


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(lo <= span[0] and span[1] <= hi for lo, hi in spans)


def extract_details(text: str) -> tuple[Detail, ...]:
    """Years and numbers in ``text``, in order of appearance.

    A four-digit whole number from 1900 to 2100 is a year ("2000.gada", "árið 2022"), and so
    is the year of a full date ("19.06.2024"); any other number is a number ("pred 24 leti",
    "80. obletnici").
    """
    found: list[Detail] = []
    dates = list(_DATE_RE.finditer(text))
    spans = [m.span() for m in dates]
    numbers = [m for m in _NUMBER_RE.finditer(text) if not _inside(m.span(1), spans)]
    for match in sorted(numbers + dates, key=lambda m: m.start(1)):
        raw = match.group(1)
        value = _value(raw)
        is_year = re.fullmatch(r"\d{4}", raw) is not None and _YEAR_MIN <= int(raw) <= _YEAR_MAX
        found.append(
            Detail(
                kind="year" if is_year else "number",
                value=value,
                text=raw,
                start=match.start(1),
                end=match.end(1),
            )
        )
    return tuple(found)
