"""Answer a topic question across languages: per article, its sentences on the topic.

Each sentence gets a hub-corrected score for the query (:mod:`.score`): its cosine minus how
close it is to any text at all and to the rest of the corpus, in its own units. Then, per
article, a sentence is a hit when

1. it clears the article's **floor**: above what unrelated everyday sentences reach anywhere in
   the corpus (9 times in 10) and what meaningless strings reach in that article (3 times in 4),
   so a query that says nothing, or nothing about these articles, finds nothing; and
2. it **stands out in its article**: within ``ARTICLE_MARGIN`` of the article's best sentence.

Each article is judged on its own sentences, so an article's answer is found even where another
article scores higher overall. A hit's score is its height above its article's floor.
Parameters were chosen by measurement on ``benchmarks/queries.py`` (seed gold + NTREX-128).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..types import Article, QueryHit, QueryResult, Sentence
from . import reference
from .score import (
    ARTICLE_MARGIN,
    GARBAGE_QUANTILE,
    K_BANK,
    K_CORPUS,
    NULL_QUANTILE,
    Scorer,
    floors,
    garbage,
)

__all__ = [
    "ARTICLE_MARGIN",
    "GARBAGE_QUANTILE",
    "K_BANK",
    "K_CORPUS",
    "NULL_QUANTILE",
    "reference_texts",
    "search",
    "search_texts",
]


def reference_texts() -> tuple[list[str], list[str], list[str]]:
    """The texts every query is compared with: ``(hub, null, garbage)`` (see :mod:`.reference`)."""
    return list(reference.HUB), list(reference.NULL), garbage(reference.GARBAGE)


def search(
    query: str,
    query_vector: np.ndarray,
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    references: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> QueryResult:
    """Per article, the sentences that answer ``query``.

    Args:
        query_vector: the query's unit vector, shape ``(d,)``.
        vectors: the sentences' unit vectors, shape ``(n, d)``.
        references: unit vectors of :func:`reference_texts`, each ``(m_i, d)``.

    Returns:
        hits per article id, best first; an empty tuple means the article is silent.
    """
    hits: dict[str, tuple[QueryHit, ...]] = {a.id: () for a in articles}
    if not sentences or float(np.linalg.norm(query_vector)) < 1e-6:
        return QueryResult(query=query, hits=hits)  # nothing was embedded: nothing to find
    lang = {a.id: a.lang for a in articles}
    owner = [s.article_id for s in sentences]
    hub, null, noise = references
    scorer = Scorer.build(vectors, [lang[a] for a in owner], owner, hub)
    floor = floors(scorer, null, noise, owner)
    scores = scorer.scores(query_vector[None, :])[:, 0]
    ids = np.asarray(owner)
    for article in hits:
        rows = np.flatnonzero(ids == article)
        if not len(rows):
            continue
        best = float(scores[rows].max())
        keep = [
            QueryHit(sentence=sentences[i].id, score=round(float(scores[i]) - floor[article], 4))
            for i in rows[np.argsort(-scores[rows], kind="stable")]
            if scores[i] >= floor[article] and scores[i] >= best - ARTICLE_MARGIN
        ]
        hits[article] = tuple(keep)
    return QueryResult(query=query, hits=hits)


def search_texts(
    query: str,
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    embed: Callable[[Sequence[str]], np.ndarray],
) -> QueryResult:
    """:func:`search` with the embedding done here, in one call whose first rows are the
    sentences (callers keep those as the corpus's vectors): ``embed`` maps texts to unit rows.
    The reference texts are the same for every query, so a cached embedder embeds them once."""
    hub, null, noise = reference_texts()
    n = len(sentences)
    vectors = embed([s.text for s in sentences] + [query] + hub + null + noise)
    cut = np.cumsum([n, 1, len(hub), len(null)])
    refs = (vectors[cut[1] : cut[2]], vectors[cut[2] : cut[3]], vectors[cut[3] :])
    return search(query, vectors[n], articles, sentences, vectors[:n], refs)
