"""When each sentence happens: evidence for the aligner that two sentences are about one event.

Articles written at different times tell of different events in similar words ("Kim met
Putin" at Vostochny in September 2023, at Pyongyang airport in June 2024, in Beijing in
September 2025). A sentence's time is the dates it states itself ("pagājušā gada septembrī",
"junija lani", "trešdien"; not a start date such as "since 2006"), else the date of its
article: news reports its own day unless it says otherwise.

Two sentences *clash in time* when both have a time, no two of their values are compatible,
and at least one of the times rests on its article's date: the article's date itself, or a
date resolved against it ("trešdien", "last year", "24 years ago"). Two dates that both
sentences spell out ("in 2000" against "in 2001") clash only when their articles were
written at different times; from one news moment they are a detail that differs, for the
comparison to report, not evidence of another event.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..types import Detail, EventTime
from .dates import dates_compatible, in_since_clause


def event_time(text: str, details: Sequence[Detail], written: str | None) -> EventTime:
    """The time of a sentence (see the module docstring) from its date details.

    Args:
        text: the sentence.
        details: its details (:func:`factcmp.annotate.details.extract_all`).
        written: its article's date.
    """
    found = [
        d
        for d in details
        if d.kind == "date" and d.note != "since" and not in_since_clause(text, d.start)
    ]
    if found:
        values = tuple(sorted({d.value for d in found}))
        return EventTime(values, all(d.note == "absolute" for d in found), written)
    return EventTime((written,) if written else (), False, written)


def time_clash(a: EventTime, b: EventTime) -> bool:
    """Whether ``a`` and ``b`` cannot be one event's time (see the module docstring)."""
    if not a.values or not b.values:
        return False
    if a.absolute and b.absolute:
        one_moment = not a.written or not b.written or dates_compatible(a.written, b.written)
        if one_moment:
            return False
    return not any(dates_compatible(x, y) for x in a.values for y in b.values)


def clash_pairs(times: Sequence[EventTime], pairs: np.ndarray) -> np.ndarray:
    """``time_clash`` for each row ``(i, j)`` of ``pairs``, as a bool array.

    Computed once per pair of distinct times (a corpus has few), so millions of pairs cost
    one lookup each.
    """
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    keys = sorted(set(times), key=lambda t: (t.values, t.absolute, t.written or ""))
    code = {t: n for n, t in enumerate(keys)}
    table = np.array([[time_clash(x, y) for y in keys] for x in keys], dtype=bool)
    codes = np.array([code[t] for t in times], dtype=np.int64)
    out: np.ndarray = table[codes[pairs[:, 0]], codes[pairs[:, 1]]]
    return out
