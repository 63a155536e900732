"""Extract comparable details from a sentence.

:func:`extract_all` finds, for a sentence of a known language and article date, the details
compared across sources: dates resolved against the article date, amounts and ordinals in
digits and words with their units, names resolved to entities, and quotes with speakers.
"""

from __future__ import annotations

import dataclasses

from ..types import Detail, DetailKind
from .dates import find_dates
from .names import find_names
from .quantities import find_quantities
from .quotes import find_quotes


def extract_all(text: str, lang: str, article_date: str | None = None) -> tuple[Detail, ...]:
    """Every comparable detail of a sentence, in order of appearance.

    Args:
        text: the sentence.
        lang: its language code (lv, sl, is, en; others get the English rules).
        article_date: "YYYY", "YYYY-MM" or "YYYY-MM-DD", to resolve "last September",
            "24 years ago", "on Wednesday"; None leaves those out (an unresolved
            "24 years ago" stays a quantity of 24 years).

    Returns:
        details of kind ``date``, ``quantity``, ``ordinal``, ``name`` and ``quote``.
    """
    out: list[Detail] = []
    dates = find_dates(text, lang, article_date)
    since = any(d.how == "since" for d in dates)
    for d in dates:
        out.append(Detail("date", d.value, text[d.start : d.end], d.start, d.end, None, d.how))
    for q in find_quantities(text, lang, [(d.start, d.end) for d in dates]):
        unit = q.unit
        if q.kind == "ordinal" and q.value == "1" and since and unit:
            unit += "-since"  # "the first visit since 2000" does not count all visits
        kind: DetailKind = "ordinal" if q.kind == "ordinal" else "quantity"
        out.append(Detail(kind, q.value, text[q.start : q.end], q.start, q.end, unit))
    names = find_names(text, lang)
    for n in names:
        out.append(
            Detail("name", n.entity, text[n.start : n.end], n.start, n.end, n.type, n.family)
        )
    for qt in find_quotes(text, names):
        said = text[qt.speaker_start : qt.speaker_end] if qt.speaker_start is not None else None
        known = any(n.entity == qt.speaker and n.type == "person" for n in names)
        # Only a known person is compared; an unknown speaker ("Rússlandsforseti") is shown.
        speaker = qt.speaker if known and qt.speaker else "?"
        out.append(Detail("quote", speaker, text[qt.start : qt.end], qt.start, qt.end, None, said))
    return tuple(sorted(out, key=lambda d: (d.start, d.end, d.kind)))


def with_context_speakers(sentences: list[tuple[Detail, ...]]) -> list[tuple[Detail, ...]]:
    """Give quotes without a speaker ("…,” viņš piebilda", "je dodal") the last speaker of
    the article: the speaker of the latest attributed quote, or the first person named in
    the latest sentence that names one. Such speakers get ``note="context"``.

    Args:
        sentences: the details of one article's sentences, in article order.

    Returns:
        the same details, with context speakers filled in.
    """
    last: str | None = None
    out = []
    for details in sentences:
        filled = tuple(
            dataclasses.replace(d, value=last, note="context")
            if d.kind == "quote" and d.value == "?" and last
            else d
            for d in details
        )
        said = [d.value for d in filled if d.kind == "quote" and d.value != "?"]
        quoted = [(d.start, d.end) for d in details if d.kind == "quote"]
        persons = [
            d.value
            for d in details
            if d.kind == "name"
            and d.unit == "person"
            and not any(a <= d.start < b for a, b in quoted)
        ]
        if said:
            last = said[-1]
        elif persons:
            last = persons[0]
        out.append(filled)
    return out
