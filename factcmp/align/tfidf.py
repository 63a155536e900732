"""Tf-idf cosine of sentence pairs, in numpy.

The same weights as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` with its defaults
(smoothed idf ``ln((1 + n) / (1 + df)) + 1``, rows scaled to unit length), for two analyzers:
space-separated tokens as written, and character 4-grams inside word boundaries of the
lower-cased text (``analyzer="char_wb"``). Importing scikit-learn for this pulled in scipy
and took 2-3 s of a warm run whose every other step takes less (issue 13); a pair's cosine
is a sum over the terms both documents hold, which one sorted array of keys gives without a
sparse-matrix library. ``tests/test_startup.py`` checks the values against scikit-learn's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

PAIR_CHUNK = 100_000
"""Pairs handled at once: bounds the memory of the gathered rows for millions of pairs."""

Analyzer = Callable[[str], Iterable[str]]
Rows = tuple[np.ndarray, np.ndarray, np.ndarray]
"""A matrix of unit rows as CSR arrays: ``(indptr, terms, weights)``."""


def char_wb_4grams(text: str) -> list[str]:
    """Character 4-grams of each lower-cased word padded with one space on either side; a
    word shorter than that is one term ("a" -> " a "), as in scikit-learn's ``char_wb``."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        grams.extend(padded[i : i + 4] for i in range(max(1, len(padded) - 3)))
    return grams


def tfidf_rows(docs: Sequence[str], analyzer: Analyzer) -> Rows:
    """Each document's unit tf-idf vector as CSR arrays ``(indptr, terms, weights)``; a row's
    terms are ascending, which :func:`pair_cosine` relies on."""
    vocab: dict[str, int] = {}
    indptr = [0]
    terms: list[int] = []
    counts: list[int] = []
    for doc in docs:
        counted = Counter(analyzer(doc)).items()
        row = sorted((vocab.setdefault(t, len(vocab)), c) for t, c in counted)
        terms.extend(t for t, _ in row)
        counts.extend(c for _, c in row)
        indptr.append(len(terms))
    term = np.array(terms, dtype=np.int64)
    df = np.bincount(term, minlength=len(vocab))
    idf = np.log((1 + len(docs)) / (1 + df)) + 1
    weight = (1 + np.log(np.array(counts, dtype=np.float64))) * idf[term]
    row_of = np.repeat(np.arange(len(docs)), np.diff(indptr))
    norm = np.sqrt(np.bincount(row_of, weights=weight * weight, minlength=len(docs)))
    weight /= np.where(norm > 0, norm, 1)[row_of]
    return np.array(indptr, dtype=np.int64), term, weight


def pair_cosine(rows: Rows, pairs: np.ndarray) -> np.ndarray:
    """Dot products of the rows of each pair ``(x, y)``, shape ``(len(pairs),)``, float32.

    Every entry of the matrix is keyed ``row * vocabulary + term``: with rows in order and
    terms ascending within a row, the keys come out sorted, so the terms of the pair's shorter
    row (x) are looked up in the other's (y) with one ``searchsorted`` over all keys.
    """
    indptr, term, weight = rows
    width = int(term.max()) + 1 if len(term) else 1
    row_of = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    keys = row_of * width + term
    out = np.zeros(len(pairs), dtype=np.float32)
    if len(keys) == 0:
        return out
    for lo in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[lo : lo + PAIR_CHUNK]
        size = np.diff(indptr)[chunk]
        chunk = np.where((size[:, 0] > size[:, 1])[:, None], chunk[:, ::-1], chunk)  # x: fewer
        order = np.lexsort((chunk[:, 0], chunk[:, 1]))  # by y: the looked-up keys ascend
        x, y = chunk[order, 0], chunk[order, 1]
        length = indptr[x + 1] - indptr[x]
        ends = np.cumsum(length)
        # x's entries, pair after pair: their positions, and the key each would have in y's row
        pos = np.arange(int(ends[-1])) + np.repeat(indptr[x] - (ends - length), length)
        wanted = np.repeat(y * width, length) + term[pos]
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        hit = np.flatnonzero(keys[at] == wanted)
        owner = np.searchsorted(ends, hit, side="right")  # the pair of each shared term
        products = weight[pos[hit]] * weight[at[hit]]
        out[lo + order] = np.bincount(owner, products, minlength=len(x))
    return out


def tfidf_similarity(docs: Sequence[str], pairs: np.ndarray, *, chars: bool = False) -> np.ndarray:
    """Cosine of the tf-idf vectors of two documents, for each pair: words (space-separated
    tokens) or character 4-grams. Weighted by rarity over ``docs``, so what every sentence
    shares (the story's protagonists) counts for little."""
    if len(pairs) == 0:
        return np.zeros(len(pairs), dtype=np.float32)
    return pair_cosine(tfidf_rows(docs, char_wb_4grams if chars else str.split), pairs)
