"""Extract comparable details from a sentence: years and other numbers written in digits."""

from __future__ import annotations

import re

from .types import Detail

# A run of digits with optional thousands separators or a decimal part, not glued to letters
# or to a model code ("Su-35", "G7", "F-16"), and not part of a longer number.
_NUMBER_RE = re.compile(
    r"(?<![\w.,-])(?<![A-Za-z]-)(\d{1,3}(?:[ \u00a0.,]\d{3})+|\d+(?:[.,]\d+)?)(?![\w-]*[A-Za-z])"
)
_YEAR_MIN, _YEAR_MAX = 1900, 2100


def _value(raw: str) -> str:
    """A canonical spelling: thousands separators dropped, a decimal comma made a point."""
    digits = re.sub(r"[ \u00a0]", "", raw)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits):
        return re.sub(r"[.,]", "", digits)
    return digits.replace(",", ".")


def extract_details(text: str) -> tuple[Detail, ...]:
    """Years and numbers in ``text``, in order of appearance.

    A four-digit whole number from 1900 to 2100 is a year ("2000.gada", "árið 2022");
    any other number is a number ("pred 24 leti", "80. obletnici").
    """
    found: list[Detail] = []
    for match in _NUMBER_RE.finditer(text):
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
