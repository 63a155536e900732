"""Score candidate sentence pairs across articles and keep the links (see :mod:`factcmp.align`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..annotate.eventtime import clash_pairs
from ..types import Annotation, Link, Sentence
from .group import STRONG_LINK
from .neighbours import nearest_other

PAIR_CHUNK = 100_000

@dataclass(frozen=True, slots=True)
class AlignParams:
    """Knobs of the aligner (see ``Settings`` for their meaning)."""

    neighbours: int = 4
    candidates: int = 16
    link_threshold: float = 0.12
    anchor_weight: float = 0.15
    time_penalty: float = 0.18
    versions_share: float = 0.30
    versions_threshold: float = 0.06
    per_article: int = 2


def anchor_similarity(anchors: Sequence[str], pairs: np.ndarray) -> np.ndarray:
    """Character n-gram overlap of the anchors (:func:`factcmp.annotate.words.anchor_words`:
    names and numbers, transliterated) of two sentences. Weighted by tf-idf over
    all sentences, so that the names every sentence shares (the story's protagonists)
    count for little.

    Returns:
        float array, shape ``(len(pairs),)``, cosine in [0, 1].
    """
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.float32)
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not any(anchors):
        return np.zeros(len(pairs), dtype=np.float32)
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True)
    matrix = tfidf.fit_transform(anchors)
    out = np.empty(len(pairs), dtype=np.float32)
    for lo in range(0, len(pairs), PAIR_CHUNK):  # bounded memory for millions of pairs
        chunk = pairs[lo : lo + PAIR_CHUNK]
        product = matrix[chunk[:, 0]].multiply(matrix[chunk[:, 1]])
        out[lo : lo + len(chunk)] = np.asarray(product.sum(axis=1)).ravel()
    return out


def background_similarity(
    index: np.ndarray, sims: np.ndarray, groups: np.ndarray, k: int
) -> np.ndarray:
    """Each sentence's mean similarity to its ``k`` nearest sentences in other articles,
    leaving out its best match in each article (its would-be partners).

    With several versions of one story, a sentence's nearest neighbours are its own
    translations; counting them would make a true pair look ordinary.

    Args:
        index, sims: neighbours from :func:`nearest_other`, shape ``(n, K)``, best first.
        groups: the article of each sentence, shape ``(n,)``.

    Returns:
        float array, shape ``(n,)``.
    """
    valid = index >= 0
    neighbour_group = np.where(valid, groups[np.maximum(index, 0)], -1)
    # The first (best) neighbour of each article in a row is a would-be partner.
    partner = np.zeros_like(valid)
    for col in range(index.shape[1]):
        seen_before = (neighbour_group[:, :col] == neighbour_group[:, col : col + 1]).any(axis=1)
        partner[:, col] = valid[:, col] & ~seen_before
    background = valid & ~partner
    rank = np.cumsum(background, axis=1)
    use = background & (rank <= k)
    count = use.sum(axis=1)
    total = np.where(use, sims, 0.0).sum(axis=1)
    # Rows with no background neighbour (tiny corpora) fall back to their partners.
    fallback = np.where(valid, sims, 0.0)[:, :k].sum(axis=1) / np.maximum(
        valid[:, :k].sum(axis=1), 1
    )
    radius: np.ndarray = np.where(count > 0, total / np.maximum(count, 1), fallback)
    return radius.astype(np.float32)


def version_pairs(
    groups: np.ndarray, a: np.ndarray, b: np.ndarray, strong: np.ndarray, share: float
) -> np.ndarray:
    """For each pair ``(a[i], b[i])``: whether its two articles are versions of one story,
    i.e. at least ``share`` of the smaller article's sentences have a strong link to the other.

    Two versions of one story (translations, rewrites of one wire report) make a weaker link
    between them credible; articles that only share a topic rarely have that many strong links.
    """
    sizes = np.bincount(groups)
    ga, gb = groups[a], groups[b]
    key = np.minimum(ga, gb) * len(sizes) + np.maximum(ga, gb)  # unordered article pair
    pairs, inverse = np.unique(key, return_inverse=True)
    n_strong = np.bincount(inverse[strong], minlength=len(pairs))
    smaller = np.minimum(sizes[pairs // len(sizes)], sizes[pairs % len(sizes)])
    versions: np.ndarray = (n_strong >= share * smaller)[inverse]
    return versions


def _article_groups(sentences: Sequence[Sentence]) -> np.ndarray:
    """Each sentence's article as a number (articles in id order)."""
    article_ids = {a: g for g, a in enumerate(sorted({s.article_id for s in sentences}))}
    return np.array([article_ids[s.article_id] for s in sentences], dtype=np.int64)


def score_pairs(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    params: AlignParams,
    annotations: Sequence[Annotation] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs (each sentence with its ``params.candidates`` nearest sentences
    in other articles) and their scores: margin, plus anchors, less the time penalty.

    Args:
        vectors: unit rows, shape ``(n, d)``, already centred by language.
        annotations: each sentence's; shared anchors add ``anchor_weight`` times their
            overlap, and a pair that clashes in time loses ``time_penalty``.

    Returns:
        ``(pairs, scores)``: int array ``(m, 2)`` of sentence positions, lower first, and
        float array ``(m,)``.
    """
    n = len(sentences)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32)
    groups = _article_groups(sentences)
    k = max(params.neighbours, params.candidates)
    index, sims = nearest_other(vectors, groups, min(k, n))
    radius = background_similarity(index, sims, groups, params.neighbours)

    rows = np.repeat(np.arange(n), index.shape[1])
    cols = index.ravel()
    found = cols >= 0
    pair_arr = np.unique(np.sort(np.stack([rows[found], cols[found]], axis=1), axis=1), axis=0)
    if len(pair_arr) == 0:
        return pair_arr, np.zeros(0, dtype=np.float32)
    a, b = pair_arr[:, 0], pair_arr[:, 1]
    cos = np.concatenate(  # in chunks: gathering rows for millions of pairs takes GBs
        [
            np.einsum(
                "ij,ij->i", vectors[a[lo : lo + PAIR_CHUNK]], vectors[b[lo : lo + PAIR_CHUNK]]
            )
            for lo in range(0, len(a), PAIR_CHUNK)
        ]
    )
    margin = cos - (radius[a] + radius[b]) / 2
    if annotations is None:
        return pair_arr, margin
    anchors = anchor_similarity([x.anchors for x in annotations], pair_arr)
    times = [x.time for x in annotations]
    score = margin + params.anchor_weight * anchors - params.time_penalty * clash_pairs(times, pair_arr)
    return pair_arr, score


def candidate_links(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    params: AlignParams,
    annotations: Sequence[Annotation] | None = None,
) -> list[Link]:
    """Scored (:func:`score_pairs`), mutual-best cross-article links whose score clears the
    threshold."""
    pair_arr, score = score_pairs(sentences, vectors, params, annotations)
    if len(pair_arr) == 0:
        return []
    groups = _article_groups(sentences)
    a, b = pair_arr[:, 0], pair_arr[:, 1]

    # Mutual best per (sentence, other article): each pair seen from both ends, the best
    # partner per (sentence, article) first (ties to the lower index), then both must agree.
    n_groups = int(groups.max()) + 1
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    both = np.concatenate([score, score])
    key = src * n_groups + groups[dst]
    order = np.lexsort((dst, -both, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    best_keys, best_dst = key[order][first], dst[order][first]  # sorted by key

    def best_partner(x: np.ndarray, group: np.ndarray) -> np.ndarray:
        found: np.ndarray = best_dst[np.searchsorted(best_keys, x * n_groups + group)]
        return found

    mutual = (best_partner(a, groups[b]) == b) & (best_partner(b, groups[a]) == a)
    threshold = np.where(
        version_pairs(groups, a, b, mutual & (score >= STRONG_LINK), params.versions_share),
        params.versions_threshold,
        params.link_threshold,
    )
    keep = (score >= threshold) & mutual
    return [
        Link(a=sentences[i].id, b=sentences[j].id, score=round(float(s), 4))
        for i, j, s in zip(a[keep].tolist(), b[keep].tolist(), score[keep].tolist())
    ]


