"""Answer a topic question across languages: per article, its sentences on the topic."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .embed import centre_by_language, normalise
from .types import Article, QueryHit, QueryResult, Sentence

MIN_Z = 2.0
"""A hit stands this many standard deviations above the corpus's mean score for the query."""
MIN_SHARE_OF_TOP = 0.6
"""...and scores at least this share of the best sentence's score."""


def search(
    query: str,
    query_vector: np.ndarray,
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
) -> QueryResult:
    """Per article, the sentences that stand out as answers to ``query``.

    Args:
        query_vector: the query's unit vector, shape ``(d,)``.
        vectors: the sentences' unit vectors, shape ``(n, d)``.

    Returns:
        hits per article id, best first; an empty tuple means the article is silent.
    """
    hits: dict[str, list[QueryHit]] = {a.id: [] for a in articles}
    if len(sentences) >= 2:
        lang = {a.id: a.lang for a in articles}
        centred, mean = centre_by_language(vectors, [lang[s.article_id] for s in sentences])
        scores = centred @ normalise((query_vector - mean)[None, :])[0]
        spread = float(scores.std()) or 1.0
        z = (scores - scores.mean()) / spread
        top = float(scores.max())
        for i in np.argsort(-scores, kind="stable"):
            if z[i] >= MIN_Z and scores[i] >= MIN_SHARE_OF_TOP * top:
                hits[sentences[i].article_id].append(
                    QueryHit(sentence=sentences[i].id, score=round(float(scores[i]), 4))
                )
    return QueryResult(query=query, hits={a: tuple(h) for a, h in hits.items()})
