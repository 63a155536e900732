"""Answer a topic question across languages: per article, its sentences on the topic.

How a sentence is scored (measured in ``benchmarks/queries.py``):

1. Cosine between the query and each sentence, after subtracting each language's mean
   sentence vector (and the corpus mean from the query), so that a language's offset and the
   story all articles share do not decide the score.
2. A short query (``MAX_PART_WORDS`` content words or fewer, three or more of them) is also
   embedded as its adjacent content-word pairs ("the mutual defense clause" -> "mutual
   defense", "defense clause"); a sentence then has to match the pairs as well as the whole.
3. Every such score is turned into a z-score over all sentences of the corpus (how far the
   sentence stands above the corpus's typical score for that text); the sentence's score is
   the mean of the whole-query z and the mean pair z, standardised again.

A sentence is a hit when its score is at least ``MIN_Z``: it stands out from the corpus for
this query. An article with no such sentence is *silent* on the topic.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

import numpy as np

from .embed import centre_by_language, normalise
from .types import Article, QueryHit, QueryResult, Sentence

MIN_Z = 2.25
"""A hit's score, in standard deviations above the corpus's mean score for the query."""
MAX_PART_WORDS = 6
"""Queries with more content words than this (whole sentences) are scored as a whole only."""

_WORD_RE = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "from", "has", "have",
    "in", "into", "is", "it", "its", "of", "on", "or", "since", "than", "that", "the",
    "their", "this", "to", "was", "were", "will", "with",
})
"""English function words left out of the query's word pairs."""


def query_parts(query: str) -> list[str]:
    """The adjacent content-word pairs of a short query (empty for long or very short ones).

    >>> query_parts("the mutual defense clause")
    ['mutual defense', 'defense clause']
    """
    words = [w for w in _WORD_RE.findall(query) if w.lower() not in STOPWORDS]
    if not 3 <= len(words) <= MAX_PART_WORDS:
        return []
    return [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _z(scores: np.ndarray) -> np.ndarray:
    spread = float(scores.std()) or 1.0
    standard: np.ndarray = (scores - scores.mean()) / spread
    return standard


def score_sentences(
    query_vector: np.ndarray,
    vectors: np.ndarray,
    langs: Sequence[str],
    part_vectors: np.ndarray | None = None,
) -> np.ndarray:
    """Each sentence's score for the query, in standard deviations over the corpus.

    Args:
        query_vector: the query's unit vector, shape ``(d,)``.
        vectors: the sentences' unit vectors, shape ``(n, d)``.
        langs: each sentence's language.
        part_vectors: unit vectors of the query's parts (:func:`query_parts`), ``(k, d)``.
    """
    centred, mean = centre_by_language(vectors, langs)
    whole = _z(centred @ normalise((query_vector - mean)[None, :])[0])
    if part_vectors is None or not len(part_vectors):
        return whole
    parts = centred @ normalise(part_vectors - mean[None, :]).T  # (n, k)
    part_z = np.mean([_z(parts[:, j]) for j in range(parts.shape[1])], axis=0)
    return _z((whole + part_z) / 2)


def search(
    query: str,
    query_vector: np.ndarray,
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    part_vectors: np.ndarray | None = None,
) -> QueryResult:
    """Per article, the sentences that stand out as answers to ``query``.

    Args:
        query_vector: the query's unit vector, shape ``(d,)``.
        vectors: the sentences' unit vectors, shape ``(n, d)``.
        part_vectors: unit vectors of ``query_parts(query)``, or ``None``.

    Returns:
        hits per article id, best first; an empty tuple means the article is silent.
    """
    hits: dict[str, list[QueryHit]] = {a.id: [] for a in articles}
    if len(sentences) >= 2:
        lang = {a.id: a.lang for a in articles}
        scores = score_sentences(
            query_vector, vectors, [lang[s.article_id] for s in sentences], part_vectors
        )
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] < MIN_Z:
                break
            hits[sentences[i].article_id].append(
                QueryHit(sentence=sentences[i].id, score=round(float(scores[i]), 4))
            )
    return QueryResult(query=query, hits={a: tuple(h) for a, h in hits.items()})


def search_texts(
    query: str,
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    embed: Callable[[Sequence[str]], np.ndarray],
) -> QueryResult:
    """:func:`search` with the embedding done here: ``embed`` maps texts to unit rows."""
    parts = query_parts(query)
    vectors = embed([s.text for s in sentences] + [query] + parts)
    n = len(sentences)
    return search(query, vectors[n], articles, sentences, vectors[:n],
                  vectors[n + 1 :] if parts else None)
