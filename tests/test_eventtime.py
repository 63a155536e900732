"""When sentences happen, and time as evidence against linking look-alikes of other events."""

from __future__ import annotations

import numpy as np

from factcmp.align import scored_links
from factcmp.annotate import annotate
from factcmp.annotate.eventtime import clash_pairs, time_clash
from factcmp.embed import centre_by_language
from factcmp.types import Annotation, Article, EventTime, Sentence


def event_times(articles: list[Article], sentences: list[Sentence]) -> list[EventTime]:
    return [a.time for a in annotate(articles, sentences)]


def _article(id_: str, lang: str, date: str | None, *texts: str) -> tuple[Article, list[Sentence]]:
    body = " ".join(texts)
    sentences, at = [], 0
    for n, t in enumerate(texts):
        start = body.index(t, at)
        sentences.append(Sentence(id_, n, t, start, start + len(t)))
        at = start + len(t)
    return Article(id_, f"{id_}.txt", lang, body, date=date), sentences


def test_a_sentence_without_dates_takes_its_article_date() -> None:
    art, sents = _article("a", "lv", "2024-06", "Kims sagaidīja Putinu lidostā.")
    assert event_times([art], sents) == [EventTime(("2024-06",), absolute=False, written="2024-06")]


def test_stated_dates_win_over_the_article_date_and_since_dates_do_not_count() -> None:
    art, sents = _article(
        "d",
        "sl",
        "2025-09",
        "Sporazum so podpisali junija lani.",
        "Rusijo je obiskal septembra 2023.",
        "Sankcije veljajo od leta 2006.",
        "Vezi so se okrepile, since Russia invaded in February 2022.",
    )
    signed, visited, since, clause = event_times([art], sents)
    assert signed == EventTime(("2024-06",), absolute=False, written="2025-09")  # resolved against 2025-09
    assert visited == EventTime(("2023-09",), absolute=True, written="2025-09")
    assert since == EventTime(("2025-09",), absolute=False, written="2025-09")  # a start date is not the event's
    assert clause == since  # nor the date of what began the state


def test_undated_article_gives_no_time() -> None:
    art, sents = _article("x", "sl", None, "Putin je obiskal Pjongjang.")
    assert event_times([art], sents) == [EventTime()]


def test_clash_needs_two_times_that_cannot_meet_and_one_resting_on_the_article() -> None:
    june_2024 = EventTime(("2024-06",))
    sept_2023 = EventTime(("2023-09/wed",))
    assert time_clash(june_2024, sept_2023)
    assert not time_clash(june_2024, EventTime(("2024",), absolute=True))  # compatible
    assert not time_clash(june_2024, EventTime())  # no time: no evidence
    # Two dates both spelled out are a detail that differs, left to compare():
    assert not time_clash(EventTime(("2000",), absolute=True), EventTime(("2001",), absolute=True))
    # ... from one news moment; articles written at different times tell of different events.
    same_day = EventTime(("2000",), True, "2024-06"), EventTime(("2001",), True, "2024-06")
    assert not time_clash(*same_day)
    apart = EventTime(("2023-09",), True, "2025-09"), EventTime(("2022",), True, "2024-06")
    assert time_clash(*apart)
    assert not time_clash(apart[0], EventTime(("2023",), True, "2024-06"))  # compatible
    assert time_clash(EventTime(("2000",), absolute=True), sept_2023)


def test_clash_pairs_matches_time_clash_row_by_row() -> None:
    times = [EventTime(("2024-06",)), EventTime(("2023-09",)), EventTime(), EventTime(("2024",))]
    pairs = np.array([(i, j) for i in range(4) for j in range(4)])
    got = clash_pairs(times, pairs)
    assert got.tolist() == [time_clash(times[i], times[j]) for i, j in pairs]
    assert clash_pairs(times, np.zeros((0, 2), dtype=np.int64)).shape == (0,)


def test_look_alike_from_another_time_loses_to_the_same_time_partner() -> None:
    # B's second sentence is a little closer to A's, but it tells of September last year.
    filler = [f"Teikums {n}." for n in range(12)]  # unrelated sentences around them
    a, sa = _article("A", "lv", "2024-06", "Kims sagaidīja Putinu.", *filler)
    b, sb = _article("B", "sl", "2024-06", "Kim je pričakal Putina.", "Septembra lani sta se srečala.",
                     *[f"Stavek {n}." for n in range(12)])
    sentences = sa + sb
    rng = np.random.default_rng(0)
    fact, other = rng.standard_normal(64), rng.standard_normal(64)
    noise = rng.standard_normal((24, 64))
    vectors = np.stack([fact, *noise[:12], fact + 0.6 * other, fact + 0.4 * other, *noise[12:]])
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    annotations = annotate([a, b], sentences)
    assert annotations[len(sa) + 1].time == EventTime(("2023-09",), written="2024-06")
    langs = ["lv"] * len(sa) + ["sl"] * len(sb)
    centred, _ = centre_by_language(vectors, langs)

    def ranked(notes: list[Annotation] | None) -> list[str]:
        """A:0's partners in B, most probable first."""
        pairs, p, _ = scored_links(sentences, centred, None, notes, langs)
        found = [(float(x), sentences[j].id) for (i, j), x in zip(pairs.tolist(), p) if i == 0]
        return [sid for _, sid in sorted(found, reverse=True)]

    assert ranked(None)[0] == "B:1"  # by the vectors alone, the look-alike
    assert ranked(annotations)[0] == "B:0"  # its time clashes: the same-time partner wins
