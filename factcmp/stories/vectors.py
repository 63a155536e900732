"""What a stories run knows of each article: one vector, and the names, numbers and times it
states.

The vector is the mean of the article's sentence vectors less its language's mean over the
feed (:func:`article_vectors`): multilingual embeddings carry a per-language offset.

A vector alone cannot tell two events with the same actors apart ("Kim met Putin" at
Vostochny in 2023, in Pyongyang in 2024, in Beijing in 2025): the names, the stated numbers
and dates, and the times the sentences are about (:mod:`factcmp.annotate.eventtime`) are kept
per article for :mod:`.cluster` to weigh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..align.features import names_of, numbers_of
from ..embed import normalise
from ..types import Annotation, Article, Sentence


@dataclass(frozen=True)
class ArticleFeatures:
    """Per article, in the order of the articles given: ``vectors`` (n, d) unit rows; its
    language; the entity ids it names; the amounts, ordinals and spelled-out dates it states; the times
    its sentences state themselves (not their article's date); its own date as a day range
    (``None`` when undated)."""

    vectors: np.ndarray = field(repr=False)
    langs: tuple[str, ...]
    names: tuple[frozenset[str], ...]
    numbers: tuple[frozenset[str], ...]
    times: tuple[frozenset[str], ...]
    written: tuple[tuple[int, int] | None, ...]

    def __len__(self) -> int:
        return len(self.names)


def day_range(date: str | None) -> tuple[int, int] | None:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date as (first day, last day), as ordinals."""
    if not date:
        return None
    parts = [int(p) for p in date.split("-")]
    year, month, day = (parts + [0, 0])[:3]
    first = dt.date(year, month or 1, day or 1)
    if day:
        last = first
    elif month:
        last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    else:
        last = dt.date(year, 12, 31)
    return first.toordinal(), last.toordinal()


def article_vectors(
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    shrink: float = 0.0,
) -> np.ndarray:
    """Each article's unit vector: the mean of its sentence vectors, less its language's mean.

    Multilingual embeddings carry a per-language offset, so without centring two unrelated
    Latvian articles look closer than one story told in Latvian and Icelandic. The mean is
    subtracted in proportion ``n / (n + shrink)`` to the language's ``n`` articles (towards
    zero, not towards the feed's mean as :func:`factcmp.embed.centre_by_language` does for
    sentences: the clusterer was fitted this way); the fitted ``shrink`` is in
    ``weights.json`` (chosen by held-out pair F1 on the NTREX feed,
    ``benchmarks/stories_fit.py``). In a feed where all articles of a language tell one
    story, that mean is the story itself, and those articles end up far apart.

    Args:
        articles: the feed's articles (rows of the result, in this order).
        sentences: their sentences, any order; ``vectors`` has one row per sentence.
    """
    row = {a.id: i for i, a in enumerate(articles)}
    owner = np.array([row[s.article_id] for s in sentences], dtype=np.int64)
    sums = np.zeros((len(articles), vectors.shape[1] if vectors.ndim == 2 else 0), np.float64)
    np.add.at(sums, owner, vectors)
    means = normalise(sums).astype(np.float64)
    langs = np.array([a.lang for a in articles])
    centred = means.copy()
    for lang in sorted(set(langs.tolist())):
        rows = langs == lang
        n = int(rows.sum())
        centred[rows] -= n / (n + shrink) * means[rows].mean(axis=0)
    return normalise(centred)


def article_features(
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    annotations: Sequence[Annotation],
    shrink: float | None = None,
) -> ArticleFeatures:
    """Vectors and stated details of every article (see :class:`ArticleFeatures`).

    Args:
        articles: the feed's articles.
        sentences: their sentences; ``vectors`` and ``annotations`` one per sentence.
        shrink: see :func:`article_vectors`; ``None``: the one the clusterer was fitted with.
    """
    if shrink is None:
        from .cluster import default_weights  # cluster imports this module

        shrink = default_weights().shrink
    row = {a.id: i for i, a in enumerate(articles)}
    names: list[set[str]] = [set() for _ in articles]
    numbers: list[set[str]] = [set() for _ in articles]
    times: list[set[str]] = [set() for _ in articles]
    for s, note in zip(sentences, annotations, strict=True):
        i = row[s.article_id]
        names[i] |= names_of(note)
        numbers[i] |= numbers_of(note)
        if note.time.values and note.time.values != (note.time.written,):
            times[i].update(note.time.values)
    return ArticleFeatures(
        vectors=article_vectors(articles, sentences, vectors, shrink),
        langs=tuple(a.lang for a in articles),
        names=tuple(frozenset(x) for x in names),
        numbers=tuple(frozenset(x) for x in numbers),
        times=tuple(frozenset(x) for x in times),
        written=tuple(day_range(a.date) for a in articles),
    )
