"""Numbers, quantities and ordinals in lv, sl, is (and en), in digits and in words.

Cardinal words come from num2words' spellings (1-100, hundreds, thousands, millions),
inverted into a lookup and widened with the case endings these languages put on them
("štiriindvajsetih", "septiņos"); the irregular forms of one to four are listed. A quantity
keeps its unit when a unit word follows ("24 years", "10 000 soldiers", "100 km"), so that
24 years is never compared with 24 km. Vague amounts are ranges: "več tisoč" (several
thousand) is ``"2000-9999"``; "dve uri in pol" is 2.5 hours. Ordinals ("septītā", "prvič",
"fyrsta", "80.") keep the thing they count ("visit", "meeting", "anniversary") when a word
for it is near.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .digits import NUMBER_RE, number_value

_LANGS = ("lv", "sl", "is", "en")
# Irregular cardinal forms num2words does not give (case and gender forms of 1-4).
_EXTRA: dict[str, dict[str, float]] = {
    "lv": {
        "viena": 1,
        "vienu": 1,
        "divas": 2,
        "diviem": 2,
        "divām": 2,
        "divus": 2,
        "trim": 3,
        "četras": 4,
        "pusotra": 1.5,
        "pusotru": 1.5,
        "pusotras": 1.5,
    },
    "sl": {
        "en": 1,
        "eden": 1,
        "eno": 1,
        "dva": 2,
        "dvema": 2,
        "dveh": 2,
        "trije": 3,
        "treh": 3,
        "trem": 3,
        "štirje": 4,
        "štirih": 4,
        "poldrugo": 1.5,
    },
    "is": {
        "eitt": 1,
        "ein": 1,
        "einu": 1,
        "einum": 1,
        "tvo": 2,
        "tvær": 2,
        "tvö": 2,
        "tveimur": 2,
        "tveggja": 2,
        "þrjá": 3,
        "þrjár": 3,
        "þrjú": 3,
        "þremur": 3,
        "þriggja": 3,
        "fjóra": 4,
        "fjórar": 4,
        "fjögur": 4,
        "fjórum": 4,
        "fjögurra": 4,
    },
    "en": {"a dozen": 12},
}
_ENDINGS = ("ih", "im", "imi", "i", "a", "u", "os", "iem", "ām", "um", "s", "o", "e")
_MULTIPLIERS: dict[str, tuple[tuple[str, int], ...]] = {
    "lv": (("simt", 100), ("tūksto", 1000), ("miljon", 10**6), ("miljard", 10**9)),
    "sl": (("sto", 100), ("tisoč", 1000), ("milijon", 10**6), ("milijard", 10**9)),
    "is": (("hundr", 100), ("þúsund", 1000), ("milljón", 10**6), ("milljarð", 10**9)),
    "en": (("hundred", 100), ("thousand", 1000), ("million", 10**6), ("billion", 10**9)),
}
_SEVERAL = {
    "lv": r"vairāk\w*|daž\w*|daudz\w*",
    "sl": r"več|nekaj|veliko",
    "is": r"nokk\w*|mörg\w*",
    "en": r"several|a\s+few|some|many",
}
_HALF = {"lv": r"ar\s+pusi", "sl": r"in\s+pol", "is": r"og\s+hálf\w*", "en": r"and\s+a\s+half"}
# Unit stems (transliteration not needed: each language's own spelling).
_UNITS: tuple[tuple[str, str], ...] = (
    ("decade", r"gadu\s+desmit\w*|desetlet\w*|áratug\w*|decades?"),
    ("year", r"gad(?:s|i|a|u|us|iem|os|ā)|let(?:o|a|i|u|om|ih)?|ár(?:a|um|s)?|years?"),
    ("hour", r"stund\w*|ur(?:a|i|e|o|ah)?|klukkustund\w*|klst\.?|hours?"),
    ("day", r"dien(?:a|as|u|ām|ās)|dni|dan(?:a|i|u)?|dnev\w*|dag(?:a|ar|ur|s)?|dögum|days?"),
    ("week", r"nedēļ\w*|ted(?:en|na|ne|nov)|vik(?:u|na|ur)|weeks?"),
    ("month", r"mēneš\w*|mēnes\w*|mesec\w*|mánuð\w*|months?"),
    ("km", r"km|kilometr\w*|kílómetr\w*|kilometers?|kilometres?"),
    ("soldier", r"karavīr\w*|vojak\w*|herm[aeö]n\w*|hermað\w*|soldiers?|troops"),
    ("person", r"cilvēk\w*|ljud\w*|oseb\w*|manns|manna|menn|fólk\w*|people|persons?"),
    ("percent", r"%|procent\w*|odstot\w*|prósent\w*|percent"),
    ("dollar", r"\$|dolār\w*|dolar\w*|dollar\w*|USD"),
    ("euro", r"€|eiro|evr\w*|evrur?|euros?"),
    ("pound", r"£|mārciņ\w*|funt\w*|pund\w*|pounds?"),
    ("missile", r"raķet\w*|rakete?\w*|eldflaug\w*|missiles?"),
)
_UNIT_RE = [
    (unit, re.compile(r"(?:" + pattern + r")(?![\w-])", re.IGNORECASE)) for unit, pattern in _UNITS
]
_ORDINALS: dict[str, tuple[tuple[str, int], ...]] = {
    "lv": (
        ("pirm(?:ais|ā|o|ajā|ajam|ās)", 1),
        ("otr(?:ais|ā|o|ajā|ajam)", 2),
        ("treš(?:ais|ā|o|ajā)", 3),
        ("ceturt(?:ais|ā|o)", 4),
        ("piekt(?:ais|ā|o)", 5),
        ("sest(?:ais|ā|o)", 6),
        ("septīt(?:ais|ā|o)", 7),
        ("astot(?:ais|ā|o)", 8),
        ("devīt(?:ais|ā|o)", 9),
        ("desmit(?:ais|ā|o)", 10),
    ),
    "sl": (
        ("prv(?:i|a|o|ič|ega|em)", 1),
        ("drug(?:ič)", 2),
        ("tretj(?:i|a|e|ič)", 3),
        ("četrt(?:i|a|o|ič)", 4),
        ("pet(?:ič)", 5),
        ("sedm(?:i|a|o|ič)", 7),
    ),
    "is": (
        ("fyrst(?:a|i|ur|u)", 1),
        ("þriðj(?:a|i|u)", 3),
        ("fjórð(?:a|i|u)", 4),
        ("fimmt(?:a|i|u)", 5),
        ("sjöund(?:a|i|u)", 7),
    ),
    "en": (("first", 1), ("second", 2), ("third", 3), ("fourth", 4), ("fifth", 5), ("seventh", 7)),
}
# "drugi", "annar" also mean "other": ordinals only right before a word for what they count.
_ORDINALS_IF_COUNTED = {"sl": (("drug(?:i|a|o)", 2),), "is": (("ann(?:ar|að|arri)|önnur", 2),)}
_COUNTED: tuple[tuple[str, str], ...] = (
    ("visit", r"vizīt\w*|apmeklē\w*|obisk\w*|heimsók\w*|heimsæk\w*|heimsótt\w*|visit\w*"),
    ("meeting", r"tikšan\w*|tikās|srečanj\w*|srečal\w*|fund\w*|vrh\w*|meetings?|summit\w*"),
    ("anniversary", r"obletnic\w*|gadadien\w*|afmæl\w*|anniversary"),
)


@dataclass(frozen=True, slots=True)
class QuantityMention:
    """A number in a sentence: ``text[start:end]``; ``value`` is ``"24"``, ``"2.5"`` or a
    range ``"2000-9999"``; ``kind`` is ``"quantity"`` or ``"ordinal"``."""

    kind: str
    value: str
    unit: str | None
    start: int
    end: int


@functools.cache
def _lexicon(lang: str) -> dict[str, float]:
    from num2words import num2words  # lazy: only when words are looked up

    words: dict[str, float] = {}
    if lang in ("lv", "sl", "is", "en"):
        for n in list(range(1, 101)) + [200, 300, 500]:
            spelled = num2words(n, lang=lang)
            if " " not in spelled:
                words[spelled] = n
    words.update(_EXTRA.get(lang, {}))
    return words


def word_number(token: str, lang: str) -> float | None:
    """The value of one number word in ``lang`` ("štiriindvajset" -> 24, "divām" -> 2)."""
    token = token.lower()
    lexicon = _lexicon(lang)
    if token in lexicon:
        return lexicon[token]
    for ending in _ENDINGS:
        for base in (
            token[: -len(ending)],
            token[: -len(ending)] + "i",
            token[: -len(ending)] + "a",
        ):
            # short words are left alone: "átti" (had) is not "átta" (eight)
            if token.endswith(ending) and len(base) >= 5 and base in lexicon:
                return lexicon[base]
    return None


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:.12g}"


def _unit_after(text: str, pos: int) -> tuple[str | None, int]:
    """The unit named in the next two words after ``pos``, and where it ends."""
    rest = text[pos : pos + 60]
    for skip in (r"\s*", r"\s+[^\W\d_]+\s+"):
        for unit, pattern in _UNIT_RE:
            m = re.match(skip, rest)
            if m is None:
                continue
            u = pattern.match(rest, m.end())
            if u and (skip == r"\s*" or unit in ("soldier", "person", "missile")):
                return unit, pos + u.end()
    return None, pos


def _multiplier(rest: str, lang: str) -> re.Match[str] | None:
    """A multiplier word at the start of ``rest`` ("tisoč", "miljoni"); "sto" (a hundred)
    only as a whole word, so "stopinj" (degrees) is not one."""
    mult_re = "|".join(stem for stem, _ in _MULTIPLIERS[lang])
    m = re.match(r"\s+(" + mult_re + r")\w*", rest, re.IGNORECASE)
    if m and m[1].lower() == "sto" and m[0].strip().lower() != "sto":
        return None
    return m


def _counted(text: str, start: int, end: int) -> str | None:
    window = text[max(0, start - 25) : end + 45]
    for thing, pattern in _COUNTED:
        if re.search(r"(?<![\w-])(?:" + pattern + ")", window, re.IGNORECASE):
            return thing
    return None


def find_quantities(
    text: str, lang: str, skip: list[tuple[int, int]] | None = None
) -> list[QuantityMention]:
    """Numbers, amounts and ordinals in ``text``, outside the ``skip`` spans (dates)."""
    lang = lang if lang in _LANGS else "en"
    skip = list(skip or [])
    found: list[QuantityMention] = []

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in skip)

    def add(kind: str, value: str, unit: str | None, s: int, e: int) -> None:
        if free(s, e):
            skip.append((s, e))
            found.append(QuantityMention(kind, value, unit, s, e))


    # Ordinals in digits: "80. obletnici" (a dot and then a lower-case word).
    for m in re.finditer(r"(?<![\w.,])(\d{1,3})\.(?=\s+[^\W\d_A-Z])", text):
        if lang in ("lv", "sl", "is") and not re.match(
            r"\.\s+[^\W\d_]*[A-ZČŠŽÞÆÖ]", text[m.end() - 1 :]
        ):
            add("ordinal", m[1], _counted(text, m.start(), m.end()), m.start(), m.end())
    # Clock times: "plkst. 15.00", "ob 6.00", "klukkan 15:00", "at 3:30", and any "19:30".
    for m in re.finditer(
        r"(?:(?<![\w-])(?:plkst\.?|ob|klukkan|kl\.|kell|at)\s+(\d{1,2})[.:](\d{2})"
        r"|(?<![\w.,:])(\d{1,2}):(\d{2}))(?![\d:])",
        text,
        re.IGNORECASE,
    ):
        hour, minute = (m[1], m[2]) if m[1] else (m[3], m[4])
        if int(hour) <= 24 and int(minute) < 60:
            start = m.start(1) if m[1] else m.start(3)
            add("quantity", f"{int(hour)}:{minute}", "time", start, m.end())
    # Numbers in digits, with an optional multiplier word and unit.

    # Compound adjectives: "52-letni" (52-year-old), "16-odstotna" (16-percent).
    for m in re.finditer(r"(?<![\w.,-])(\d+(?:[.,]\d+)?)-(?=[^\W\d_])", text):
        unit, ue = _unit_after(text, m.end())
        if unit is None and re.match(r"let|ár|gad", text[m.end() :], re.IGNORECASE):
            unit, ue = "year", m.end() + len(re.match(r"\w+", text[m.end() :])[0])  # type: ignore[index]
        value = number_value(m[1])
        if unit and value is not None:
            add("quantity", _fmt(value), unit, m.start(), ue)
    # Numbers glued to a suffix: "832-ni", "37-aastane", "1980ndatel" (not "Su-35", "G7").
    for m in re.finditer(r"(?<![\w.,-])(?<![^\W\d_]-)(\d+(?:[.,]\d+)?)-?(?=[^\W\d_A-Z])", text):
        value = number_value(m[1])
        if value is not None and free(m.start(1), m.end(1)):
            end = m.end() + len(re.match(r"\w*", text[m.end() :])[0])  # type: ignore[index]
            add("quantity", _fmt(value), None, m.start(1), end)
    mult_re = "|".join(stem for stem, _ in _MULTIPLIERS[lang])
    for m in NUMBER_RE.finditer(text):
        s, e = m.span(1)
        digits_value = number_value(m[1])
        if digits_value is None:
            continue
        value = digits_value
        mult = _multiplier(text[e:], lang)
        if mult:
            value *= dict(_MULTIPLIERS[lang])[
                next(k for k, _ in _MULTIPLIERS[lang] if mult[1].lower().startswith(k))
            ]
            e += mult.end()
        unit, ue = _unit_after(text, e)
        currency = re.search(r"([$€£])\s?$", text[:s])
        if unit is None and currency:  # "$2 million", "€5"
            unit, s = {"$": "dollar", "€": "euro", "£": "pound"}[currency[1]], currency.start(1)
        add("quantity", _fmt(value), unit, s, ue if unit and ue > e else e)
    # Vague amounts: "več tisoč vojakov", "vairākus gadu desmitus".
    several = _SEVERAL[lang]
    for m in re.finditer(
        r"(?<![\w-])(?:" + several + r")\s+(" + mult_re + r")\w*", text, re.IGNORECASE
    ):
        factor = next(v for k, v in _MULTIPLIERS[lang] if m[1].lower().startswith(k))
        unit, ue = _unit_after(text, m.end())
        add("quantity", f"{2 * factor}-{10 * factor - 1}", unit, m.start(), ue if unit else m.end())
    for m in re.finditer(r"(?<![\w-])(?:" + several + r")\s+(?=\w)", text, re.IGNORECASE):
        unit, ue = _unit_after(text, m.end())
        if unit in ("decade", "year", "hour", "day", "week", "month"):
            add("quantity", "2-9", unit, m.start(), ue)
    # Bare plural decades: "í áratugi", "desetletja", "gadu desmitiem" (for decades).
    decades = r"áratug(?:i|um)|desetletj(?:a|i|ih)|gadu\s+desmit(?:iem|us|i)|decades"
    for m in re.finditer(r"(?<![\w-])(?:" + decades + r")(?![\w-])", text, re.IGNORECASE):
        add("quantity", "2-9", "decade", m.start(), m.end())
    # Number words, with "and a half" and a unit: "dve uri in pol" -> 2.5 hours.
    for m in re.finditer(r"(?<![\w-])[^\W\d_]+(?![\w-])", text):
        word_value = word_number(m[0], lang)
        if word_value is None or not free(m.start(), m.end()):
            continue
        value = word_value
        e = m.end()
        # tens and units in two words: "piecdesmit astoņi", "fimmtíu og átta", "fifty-eight"
        units = re.match(r"(?:\s+(?:og|and)\s+|\s+|-)([^\W\d_]+)", text[e:], re.IGNORECASE)
        if value in range(20, 100, 10) and units:
            unit_value = word_number(units[1], lang)
            if unit_value is not None and 1 <= unit_value <= 9:
                value, e = value + unit_value, e + units.end()
        mult = _multiplier(text[e:], lang)
        if mult:
            value *= next(v for k, v in _MULTIPLIERS[lang] if mult[1].lower().startswith(k))
            e += mult.end()
        unit, ue = _unit_after(text, e)
        half = re.match(
            r"\s+(?:" + _HALF[lang] + r")(?![\w-])", text[ue if unit else e :], re.IGNORECASE
        )
        if half:
            value += 0.5
        end = (ue if unit else e) + (half.end() if half else 0)
        if unit or value > 1 or mult:  # a bare "one"/"ena" is mostly an article or pronoun
            add("quantity", _fmt(value), unit, m.start(), end)
    # Compounds: "dvodnevni obisk", "divdienu", "tveggja daga" (two-day).
    for m in re.finditer(
        r"(?<![\w-])(dvo|tri|štiri|div|trīs|četr)(dnevn\w*|dien\w*)", text, re.IGNORECASE
    ):
        n = {"dvo": 2, "div": 2, "tri": 3, "trīs": 3, "štiri": 4, "četr": 4}[m[1].lower()]
        add("quantity", str(n), "day", m.start(), m.end())
    # Ordinal words.
    for table, counted_only in ((_ORDINALS, False), (_ORDINALS_IF_COUNTED, True)):
        for pattern, n in table.get(lang, ()):
            for m in re.finditer(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", text, re.IGNORECASE):
                thing = _counted(text, m.start(), m.end())
                if counted_only:
                    nxt = re.match(r"\s+(\w+)", text[m.end() :])
                    if not nxt or not any(
                        re.fullmatch(p, nxt[1], re.IGNORECASE) for _, p in _COUNTED
                    ):
                        continue
                add("ordinal", str(n), thing, m.start(), m.end())
    return sorted(found, key=lambda q: q.start)


def _range(value: str) -> tuple[float, float] | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?", value)
    if not m:
        return None
    lo = float(m[1])
    return lo, float(m[2]) if m[2] else lo


def amounts_compatible(a: str, b: str, unit: str | None = None) -> bool:
    """Whether two amounts can be the same: equal numbers, or overlapping ranges.

    Distances (``unit="km"``) may differ by 10%: sources convert miles and round
    (385 miles is "620 km" in one and "600 km" in another).
    """
    ra, rb = _range(a), _range(b)
    if ra is None or rb is None:
        return a == b
    slack = 0.1 if unit == "km" else 0.0
    return ra[0] * (1 - slack) <= rb[1] and rb[0] * (1 - slack) <= ra[1]
