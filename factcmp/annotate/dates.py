"""Dates in lv, sl, is (and en) sentences, resolved against the article's date.

Values are ISO-like strings of the precision the text gives: ``"2000"``, ``"2023-09"``,
``"2024-06-19"``, and ISO 8601's ``"--06-12"`` / ``"--06"`` for a day or month whose year is
unknown (no year in the text, no article date). A weekday ("trešdien", "v sredo") resolves to a day when the article has a
full date (the latest such weekday on or before it); with only the article's month known it is
``"2024-06/wed"`` (that month, that weekday); with no article date it is left out. Relative
expressions ("pagājušā gada septembrī", "pred 24 leti", "í 24 ár", "junija lani", "danes")
need the article date; without it they are left out (the caller may keep "24 years" as a
quantity). Inflected month names come from explicit per-language inflection patterns.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .quantities import word_number

_M = r"(?<![\w-])"  # start of a word
_E = r"(?![\w-])"  # end of a word

# Month name patterns per language, index 0 = January. Inflected forms are spelled out.
_MONTHS: dict[str, list[str]] = {
    "lv": [
        r"janvār(?:is|ī|a|im)",
        r"februār(?:is|ī|a|im)",
        r"mart(?:s|ā|a|am)",
        r"aprīl(?:is|ī|a|im)",
        r"maij(?:s|ā|a|am)",
        r"jūnij(?:s|ā|a|am)",
        r"jūlij(?:s|ā|a|am)",
        r"august(?:s|ā|a|am)",
        r"septembr(?:is|ī|a|im)",
        r"oktobr(?:is|ī|a|im)",
        r"novembr(?:is|ī|a|im)",
        r"decembr(?:is|ī|a|im)",
    ],
    "sl": [
        r"januar(?:ja|ju|jem)?",
        r"februar(?:ja|ju|jem)?",
        r"mar(?:ec|ca|cu|cem)",
        r"april(?:a|u|om)?",
        r"maj(?:a|u|em)?",
        r"junij(?:a|u|em)?",
        r"julij(?:a|u|em)?",
        r"avgust(?:a|u|om)?",
        r"septemb(?:er|ra|ru|rom)",
        r"oktob(?:er|ra|ru|rom)",
        r"novemb(?:er|ra|ru|rom)",
        r"decemb(?:er|ra|ru|rom)",
    ],
    "is": [
        r"janúar",
        r"febrúar",
        r"mars",
        r"apríl",
        r"maí",
        r"júní",
        r"júlí",
        r"ágúst",
        r"september",
        r"október",
        r"nóvember",
        r"desember",
    ],
    "en": [
        r"january",
        r"february",
        r"march",
        r"april",
        r"may",
        r"june",
        r"july",
        r"august",
        r"september",
        r"october",
        r"november",
        r"december",
    ],
}
# Month words that are also ordinary words need a number or a preposition next to them.
_AMBIGUOUS_MONTHS = {("sl", 4), ("is", 2), ("is", 4), ("en", 2), ("en", 4)}
_WEEKDAYS: dict[str, list[str]] = {
    "lv": ["pirmdien", "otrdien", "trešdien", "ceturtdien", "piektdien", "sestdien", "svētdien"],
    "sl": ["ponedeljek", "torek", "sredo", "četrtek", "petek", "soboto", "nedeljo"],
    "is": ["mánudag", "þriðjudag", "miðvikudag", "fimmtudag", "föstudag", "laugardag", "sunnudag"],
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
}
_WD = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Year context before / after a four-digit number.
_YEAR_BEFORE = r"(?:leta|letu|leto|letih|letom|árið|árinu|ársins|ári|year|in|since|kopš|od|frá)\s+"
_YEAR_AFTER = r"\.?\s?(?:gad(?:a|ā|s|u|am|os)|\.?\s?g\.)"
_SINCE = r"(?:kopš|od|frá|since|frá\s+árinu)"
# A date may close a short clause that a since-word opens: "kopš Krievija 2022.gada februārī
# iebruka", "since Russia invaded in February 2022". Only unambiguous words ("od", "frá" also
# mean "from").
_SINCE_CLAUSE = r"(?:kopš|since|síðan)\s+(?:[^\W\d_]+\s+){1,3}$"
_LAST_YEAR = {
    "lv": r"pagājuš(?:ā|ajā|o)\s+gad(?:a|ā|u)|pērn",
    "sl": r"lani|lansk\w*\s+let\w*",
    "is": r"í\s+fyrra|á\s+síðasta\s+ári|síðasta\s+árs?",
    "en": r"last\s+year",
}
_THIS_YEAR = {
    "lv": r"šogad|šā\s+gada|šī\s+gada",
    "sl": r"letos",
    "is": r"á\s+þessu\s+ári",
    "en": r"this\s+year",
}
_TODAY = {
    "lv": r"šodien",
    "sl": r"danes|današnj\w*",
    "is": r"í\s+dag|í\s+kvöld",
    "en": r"today|tonight",
}
_N = r"(\d{1,3}|[^\W\d_]+)"
_AGO = {
    "lv": rf"pirms\s+{_N}\s+gad(?:iem|a)",
    "sl": rf"pred\s+{_N}\s+let(?:i|om)?",
    "is": rf"fyrir\s+{_N}\s+árum",
    "en": rf"{_N}\s+years\s+ago",
}
# "the first visit in 24 years": the last one was 24 years before.
_IN_YEARS = {
    "is": rf"í\s+{_N}\s+ár",
    "en": rf"in\s+{_N}\s+years",
    "sl": rf"po\s+{_N}\s+letih",
    "lv": rf"pēc\s+{_N}\s+gadiem",
}


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date in a sentence: ``text[start:end]``, its resolved value and how it was stated.

    ``how`` is ``"absolute"``, ``"since"``, ``"ago"``, ``"relative"`` or ``"weekday"``.
    """

    value: str
    start: int
    end: int
    how: str


def parse_article_date(date: str | None) -> tuple[int | None, int | None, int | None]:
    """``"2024-06"`` -> ``(2024, 6, None)``; anything unreadable, or no day of the calendar
    (``"2024-02-30"``, ``"2024-13"``), -> all None: a weekday cannot be resolved against it."""
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", date or "")
    if not m:
        return None, None, None
    y, mo, d = (int(g) if g else None for g in m.groups())
    try:
        dt.date(y or 0, 1 if mo is None else mo, 1 if d is None else d)
    except ValueError:
        return None, None, None
    return y, mo, d


def _month_re(lang: str) -> re.Pattern[str]:
    names = _MONTHS.get(lang, []) + (_MONTHS["en"] if lang != "en" else [])
    return re.compile(_M + "(" + "|".join(f"({p})" for p in names) + ")" + _E, re.IGNORECASE)


def _month_index(match: re.Match[str], lang: str) -> int:
    groups = match.groups()[1:]
    n = next(i for i, g in enumerate(groups) if g)
    count = len(_MONTHS.get(lang, []))
    return n if n < count else n - count


def _month_value(
    year: int | None, month: int, ref: tuple[int | None, int | None, int | None]
) -> str | None:
    if year is not None:
        return f"{year:04d}-{month:02d}"
    ry, rm, _ = ref
    if ry is None:
        return f"--{month:02d}"  # ISO 8601 for a month of an unknown year
    # A bare month is the latest such month not after the article's month.
    return f"{ry if rm is None or month <= rm else ry - 1:04d}-{month:02d}"


def _n(raw: str, lang: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    value = word_number(raw.lower(), lang)
    return int(value) if value is not None and value == int(value) else None


def _weekday_value(day: int, ref: tuple[int | None, int | None, int | None]) -> str | None:
    ry, rm, rd = ref
    if ry is None:
        return None
    if rm is not None and rd is not None:
        base = dt.date(ry, rm, rd)
        return (base - dt.timedelta(days=(base.weekday() - day) % 7)).isoformat()
    return f"{ry:04d}{f'-{rm:02d}' if rm else ''}/{_WD[day]}"


def in_since_clause(text: str, start: int) -> bool:
    """Whether the date at ``text[start:]`` closes a clause opened by a since-word: the date of
    the event that began a state ("since Russia invaded in February 2022"), not the time
    the sentence tells of. (The date itself is an event's, compared as such.)"""
    return bool(re.search(_M + _SINCE_CLAUSE, text[max(0, start - 40) : start], re.IGNORECASE))


def find_dates(text: str, lang: str, article_date: str | None = None) -> list[DateMention]:
    """Dates in ``text``, resolved against ``article_date`` ("YYYY", "YYYY-MM" or "YYYY-MM-DD").

    Only date-like contexts count: a year needs a year word, a month, "since", or to stand
    alone (not "Su-35", not "2000 vojakov" when the caller reports it as a count, not "80.").
    """
    ref = parse_article_date(article_date)
    ry, rm = ref[0], ref[1]
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(value: str | None, start: int, end: int, how: str) -> None:
        if value is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(DateMention(value, start, end, how))

    flags = re.IGNORECASE
    months = _month_re(lang)
    lang_ = lang if lang in _MONTHS else "en"
    # 1. Full numeric dates: 19.06.2024, 19. 6. 2024, 2024-06-19.
    for m in re.finditer(r"(?<![\w.,])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?![\w.,]?\d)", text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        if 1 <= mo <= 12 and 1 <= d <= 31:
            add(f"{y:04d}-{mo:02d}-{d:02d}", m.start(), m.end(), "absolute")
    for m in re.finditer(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])", text):
        add(m[0], m.start(), m.end(), "absolute")
    # 2. Relative: "pagājušā gada septembrī", "junija lani", "septembra 2023", "2022.gada februārī".
    last = _LAST_YEAR.get(lang_, _LAST_YEAR["en"])
    this = _THIS_YEAR.get(lang_, _THIS_YEAR["en"])
    for m in months.finditer(text):
        month = _month_index(m, lang_) + 1
        before, after = text[max(0, m.start() - 40) : m.start()], text[m.end() : m.end() + 30]
        day = re.search(r"(?<!\d)(\d{1,2})\.?\s*$", before)
        year_after = re.match(r"\s*,?\s*(?:(?:leta|árið|year|of)\s+)?(\d{4})(?!\d)", after, flags)
        # "2022.gada februārī", and Latvian full dates "1918. gada 4. oktobrī"
        year_before = re.search(r"(\d{4})" + _YEAR_AFTER + r"\s*(?:\d{1,2}\.\s*)?$", before, flags)
        last_before = re.search(r"(?:" + last + r")\s*$", before, flags)
        last_after = re.match(r"\s*(?:" + last + ")" + _E, after, flags)
        this_before = re.search(r"(?:" + this + r")\s*$", before, flags)
        start, end, year = m.start(), m.end(), None
        if year_after:
            year, end = int(year_after[1]), m.end() + year_after.end()
        elif year_before:
            year, start = int(year_before[1]), m.start() - len(before) + year_before.start()
        elif (last_before or last_after) and ry is not None:
            year = ry - 1
            if last_before:
                start = m.start() - len(before) + last_before.start()
            else:
                end = m.end() + last_after.end()  # type: ignore[union-attr]
        elif this_before and ry is not None:
            year, start = ry, m.start() - len(before) + this_before.start()
        elif (lang_, month - 1) in _AMBIGUOUS_MONTHS and not (
            day or re.search(r"(?:í|v|in)\s+$", before)
        ):
            continue
        if day and 1 <= int(day[1]) <= 31 and not before[: day.start()].rstrip().endswith(","):
            start = min(start, m.start() - len(before) + day.start())
            if year is None and ry is not None:
                year = ry if rm is None or month <= rm else ry - 1
            # no year known: ISO 8601's "--MM-DD" (and "12." is a day, not an ordinal)
            prefix = f"{year:04d}" if year is not None else "-"
            add(f"{prefix}-{month:02d}-{int(day[1]):02d}", start, end, "absolute")
            continue
        how = "absolute" if year_after or year_before else "relative"
        add(_month_value(year, month, ref), start, end, how)
    # 3. "N years ago" and "(first) in N years".
    for table, how in ((_AGO, "ago"), (_IN_YEARS, "since")):
        pattern = table.get(lang_)
        if not pattern:
            continue
        for m in re.finditer(_M + pattern + _E, text, flags):
            n = _n(m[1], lang_)
            if n is not None and ry is not None and 0 < n < 200:
                add(f"{ry - n:04d}", m.start(), m.end(), how)
    # 4. Years: "kopš 2000.gada", "leta 2000", "árið 2022", "(2000)", "2000-2001".
    for m in re.finditer(r"(?<![\w.,])(?<![A-Za-z]-)(\d{4})(?!\w|[.,]\d)", text):
        year = int(m[1])
        if not 1900 <= year <= 2100:
            continue
        before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 20]
        since = re.search(_M + _SINCE + r"\s+(?:(?:leta|árinu|year)\s+)?$", before, flags)
        dated = re.search(_M + _YEAR_BEFORE + r"$", before, flags) or re.match(
            _YEAR_AFTER, after, flags
        )
        counted = re.match(r"\s+[^\W\d_]{3,}", after) and not dated and not since
        if counted and not re.match(r"\s+(?:in|un|og|and|–|-)\s", after):
            continue  # "2000 vojakov": a count, not a year
        start = m.start() - len(before) + since.start() if since else m.start()
        year_word = re.match(_YEAR_AFTER, after, flags)
        end = m.end() + (year_word.end() if year_word else 0)
        add(f"{year:04d}", start, end, "since" if since else "absolute")
    # 5. This / last year, today, weekdays.
    if ry is not None:
        for pattern, value in ((last, f"{ry - 1:04d}"), (this, f"{ry:04d}")):
            for m in re.finditer(_M + "(?:" + pattern + ")" + _E, text, flags):
                add(value, m.start(), m.end(), "relative")
        today = "-".join(
            f"{x:02d}" if i else f"{x:04d}" for i, x in enumerate(ref) if x is not None
        )
        for m in re.finditer(_M + "(?:" + _TODAY.get(lang_, _TODAY["en"]) + ")" + _E, text, flags):
            add(today, m.start(), m.end(), "relative")
        for weekday, stem in enumerate(_WEEKDAYS.get(lang_, _WEEKDAYS["en"])):
            pattern = _M + "(?:v\\s+|á\\s+|on\\s+)?" + stem + r"(?:a|inn|s)?" + _E
            for m in re.finditer(pattern, text, flags):
                add(_weekday_value(weekday, ref), m.start(), m.end(), "weekday")
    return sorted(found, key=lambda d: d.start)


def _parts(value: str) -> tuple[int | None, int | None, int | None, str | None]:
    m = re.fullmatch(r"(\d{4}|-)(?:-(\d{2}))?(?:-(\d{2}))?(?:/(\w{3}))?", value)
    if not m:
        return None, None, None, None
    y, mo, d, wd = m.groups()
    return int(y) if y != "-" else 0, int(mo) if mo else None, int(d) if d else None, wd


def dates_compatible(a: str, b: str) -> bool:
    """Whether two date values can name the same time: "2000" and "2000-07" can, "2000" and
    "2001" cannot; "2024-06/wed" and "2024-06-19" can (19 June 2024 was a Wednesday)."""
    ya, ma, da, wa = _parts(a)
    yb, mb, db, wb = _parts(b)
    if ya is None or yb is None:
        return a == b
    if (ya and yb and ya != yb) or (ma and mb and ma != mb) or (da and db and da != db):
        return False  # (year 0: "--06-12", a day of an unknown year)
    if wa and wb:
        return wa == wb
    for day, wd, month in ((db, wa, mb), (da, wb, ma)):
        if wd and day and month and ya and yb:
            try:
                return _WD[dt.date(ya, month, day).weekday()] == wd
            except ValueError:  # "30. februārī": no such day, so no weekday to hold against
                return True
    return True
