"""The numbers of two sentences compared as a whole, with a unit or without.

All the numbers each source states in digits are paired off when they can be the same amount
(equal, or a rounding, a unit conversion, a clock time, a year and its century); when exactly
one is left on each side, the others line up and that one is the same detail stated
differently ("832" / "708"). See :func:`number_clashes`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..types import Detail, Number
from .digits import canonical_number

# Units translators convert, per dimension, by the words right after a number ("20 pēdas",
# "6 m", "80 grādus", "300-kilogramski", "°C"), and the ratios between them: mile, foot,
# inch, yard, nautical mile and the metric steps; pound, ounce; gallon, pint; acre, square
# mile. Temperatures convert by the formula (°F = 1.8 °C + 32, and differences by 1.8).
_MEASURES: tuple[tuple[str, str, tuple[float, ...]], ...] = (
    (
        "length",
        (
            r"[kcm]?m\b|km/h|ft\b|mi\b|mph\b|(?:kilo|centi|milli?|senti)?(?:metr|meetr)\w*|jūdz\w*|"
            r"jūdž\w*|milj[ae]?\b|mílu\w*|mylio\w*|mylių|miil\w*|pēd\w*|čevlj\w*|fet\b|feta\b|pėd\w*|"
            r"jalga\w*|coll\w*|colių|palc\w*|toll\w*|tomm\w*|jard\w*|yards?|inch\w*|feet|foot|miles?"
        ),
        (1.609344, 0.3048, 2.54, 0.9144, 1.852, 10, 100, 1000),
    ),
    (
        "weight",
        (
            r"kg\b|g\b|t\b|lbs?\b|oz\b|mārciņ\w*|funt\w*|pund\w*|svar(?:ų|ai|us|o|as)\b|nael\w*|"
            r"(?:kilo)?gram\w*|tonn\w*|tons?\b|unc\w*|ounces?|pounds?"
        ),
        (0.45359, 28.35, 1000),
    ),
    ("temperature", r"°|grād\w*|stopin\w*|gráð\w*|laipsn\w*|kraad\w*|degrees?", ()),
    ("volume", r"l\b|litr\w*|liit\w*|gall?on\w*|gallo\w*|pint\w*", (3.785, 0.568, 1000)),
    ("area", r"ha\b|km²|hektār\w*|hektar\w*|akr\w*|aker\w*|acres?", (0.4047, 2.59, 100)),
)
_MEASURE_RES = tuple(
    (kind, re.compile(r"[-\s\u00a0(~]*(?:" + pattern + r")(?!\w)", re.IGNORECASE), factors)
    for kind, pattern, factors in _MEASURES
)
_FACTORS = {kind: factors for kind, _, factors in _MEASURES}


# Money ("$", "€", "USD", "eurot", "dolāru", "svarų"): a sum in cents against a whole sum
# is a currency conversion (26 750 dollars as 23 585,88 euros).
_MONEY_RE = re.compile(
    r"[$€£]|\b(?:USD|EUR|GBP)\b|\b(?:eur|eir|evr|dol[aāe]r|dollar|doler|pund|funt|svar|nael|mārciņ)\w*",
    re.IGNORECASE,
)
# A clock ("ob 13. uri", "klukkan 1 eftir hádegi", "1 p.m."): hours may be on a 12-hour dial.
_CLOCK_RE = re.compile(
    r"\b(?:plkst|pulksten\w*|ur[aeio]|ob|klukkan|kl|kell\w*|val|p\.\s?m|a\.\s?m|o'clock)\b",
    re.IGNORECASE,
)


def _precision(value: str) -> float:
    """Half the place of the last written digit: "2.7" -> 0.05, "7" and "300" -> 0.5."""
    return 0.5 * 10.0 ** -len(value.split(".")[1]) if "." in value else 0.5


def _digits_end(text: str) -> int:
    """Where the number written in digits at the start of ``text`` ends ("198-centimetrski")."""
    m = re.match(r"\D*\d[\d \u00a0.,:]*", text)
    return len(m[0].rstrip(" \u00a0.,:")) if m else len(text)


def sentence_numbers(sentence: str, details: Sequence[Detail]) -> list[Number]:
    """The numbers of a sentence: amounts and ordinals, and the digits of its dates."""
    measure = frozenset(
        kind
        for d in details
        if d.kind in ("quantity", "ordinal") and any(c.isdigit() for c in d.text)
        for kind, pattern, _ in _MEASURE_RES
        if pattern.match(sentence, d.start + _digits_end(d.text))
    ) | ({"length"} if any(d.unit == "km" for d in details) else set())
    money = _MONEY_RE.search(sentence) is not None
    clock = _CLOCK_RE.search(sentence) is not None
    out: list[Number] = []
    for d in details:
        digits = any(c.isdigit() for c in d.text)
        if d.kind in ("quantity", "ordinal") and re.fullmatch(r"\d+(?:\.\d+)?(?::\d{2})?", d.value):
            time = d.value if d.unit == "time" else None
            plain = float(d.value.replace(":", "."))
            written = re.search(r"\d[\d \u00a0.,]*", d.text)
            precision = _precision(d.value.replace(":", "."))
            canonical = canonical_number(written[0].rstrip(" \u00a0.,")) if written else ""
            if time is None and re.fullmatch(r"\d+(?:\.\d+)?", canonical):
                raw = float(canonical)  # "20" of "20 miljoni": 20 000 000 rounded to millions
                precision = _precision(canonical) * (plain / raw if raw else 1)
            glued = re.search(r"\d-?[^\W\d_]", d.text) is not None and d.unit is None  # "4-ame"
            out.append(
                Number(
                    plain,
                    time,
                    d.unit,
                    precision,
                    measure,
                    d.kind == "ordinal" or glued,
                    not digits,
                    d.text,
                    money,
                    clock,
                )
            )
        elif d.kind == "date" and digits:
            for m in re.finditer(r"\d+", d.text):
                out.append(
                    Number(
                        float(m[0]),
                        None,
                        None,
                        0.5,
                        frozenset(),
                        False,
                        d.note not in ("absolute", None),
                        m[0],
                    )
                )
    return out


def _numbers_compatible(x: Number, y: Number) -> bool:
    """Whether two numbers can be the same amount: equal (a clock time "19:30" and "19.30"),
    a multiple of a thousand apart ("20 miljoni" and "20 mln."), one a rounding of the other
    (294.65 and 300), in a sentence with a measure a unit conversion or within 10% (20 feet
    and 6.1 m, 80 °F and 27 °C, 85 mph as 136 and 137 km/h), or a year and what else names
    it (a number of years since or ago, its century "21. stoletje", its decade "níundi
    áratugurinn", its last two digits "1950-53")."""
    if x.time and y.time:
        return x.time == y.time
    if abs(x.value - y.value) < 1e-9:
        return True
    lo, hi = sorted((abs(x.value), abs(y.value)))
    if (x.clock or y.clock or x.time or y.time) and hi - lo == 12 and hi <= 24:
        return True  # 1 p.m. and 13.00
    if x.time or y.time:
        return False
    if (
        (x.money or y.money)
        and lo * 2 >= hi >= 100
        and any(round(n.value * 100) % 100 and n.precision == 0.005 for n in (x, y))
        and any(n.value == int(n.value) for n in (x, y))
    ):
        return True
    for year, other in ((x, y), (y, x)):
        if year.year_like and other.value == int(other.value) and not other.year_like:
            n = int(other.value)
            if other.unit in ("year", "decade") or n == int(year.value) % 100 and n >= 10:
                return True
            if other.ordinal and n in (int(year.value) // 100 + 1, int(year.value) % 100 // 10 + 1):
                return True
    if lo and any(abs(hi / lo - 1000**k) < 1e-6 * 1000**k for k in (1, 2, 3)):
        return True
    coarse, fine = sorted((x, y), key=lambda n: n.precision, reverse=True)
    if coarse.precision > fine.precision and abs(x.value - y.value) <= min(
        coarse.precision, 0.05 * hi
    ):
        return True
    measures = x.measure | y.measure
    if measures and hi - lo <= 0.1 * hi:
        return True
    for a, b in ((x, y), (y, x)):
        for f in (f for kind in measures for f in _FACTORS[kind]):
            for converted, spread in (
                (a.value * f, a.precision * f),
                (a.value / f, a.precision / f),
            ):
                if abs(converted - b.value) <= _slack(b, spread):
                    return True
        if "temperature" in measures and any(
            abs(c - b.value) <= max(_slack(b, a.precision * 1.8), 1)
            for c in (a.value * 1.8 + 32, a.value * 1.8)
        ):
            return True
    return False


def _slack(b: Number, spread: float) -> float:
    """How far a converted amount may land from ``b``: 5%, or the rounding of either side
    ("1 cm" is 5-15 mm)."""
    return max(0.05 * abs(b.value), b.precision, spread)


def _unmatched(a: list[Number], b: list[Number]) -> tuple[list[Number], list[Number]]:
    """The numbers of ``a`` and ``b`` left when compatible ones are paired off, equal first."""
    left_a, left_b = list(a), list(b)
    for same in (True, False):
        for x in list(left_a):
            y = next(
                (
                    y
                    for y in left_b
                    if (abs(x.value - y.value) < 1e-9 and x.time == y.time)
                    or (not same and _numbers_compatible(x, y))
                ),
                None,
            )
            if y is not None:
                left_a.remove(x)
                left_b.remove(y)
    return [x for x in left_a if not x.spare], [y for y in left_b if not y.spare]


def number_clashes(numbers: dict[str, list[Number]]) -> dict[str, list[Number]]:
    """The numbers that differ between the sources of a claim, per source.

    Two sources clash when, once each number of one is paired with an equal or compatible
    number of the other, exactly one number written in digits is left on each side: the
    others line up, so the odd one is the same detail stated differently ("832" / "708",
    "19-letna" / "37 metų"). Numbers one side gives and the other does not are not a clash.
    """
    out: dict[str, list[Number]] = {}
    names = sorted(numbers)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            left_a, left_b = _unmatched(numbers[a], numbers[b])
            if len(left_a) == 1 and len(left_b) == 1:
                for side, left in ((a, left_a), (b, left_b)):
                    if left[0] not in out.setdefault(side, []):
                        out[side].append(left[0])
    return out


def number_text(n: Number) -> str:
    """How a number is shown: its clock time, or its value without a needless \".0\"."""
    return n.time or (str(int(n.value)) if n.value == int(n.value) else f"{n.value:.12g}")
