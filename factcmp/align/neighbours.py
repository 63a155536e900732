"""Nearest neighbours in other articles: exact up to :data:`EXACT_UP_TO` sentences, a faiss
inverted-file (IVF) index above.

The exact search multiplies blocks of rows by all rows (numpy's BLAS) and keeps each row's
best ``k`` of other articles. faiss's own exact search (``faiss.knn``, ``IndexFlatIP``) was
measured in its place and is slower on the shared 2-core machine: 1.2-1.7 s for 3,000
sentences against 0.7-1.3 s here, 87 s against 13-23 s for 10^4 (faiss 1.15 computes inner
products without BLAS below 128,000 queries), so it is not used. Above the switch an IVF-Flat
index visits a few lists per query and does far less work. Blocks hold at most
:data:`BLOCK_ELEMENTS` similarities or results, so a run holds the vectors, the index and one
block besides the ``(n, k)`` answer, never an ``n x n`` matrix. Both use
:func:`factcmp.threads.current` threads. Results are deterministic: within a row, equal
similarities are ordered by index.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from .. import threads

log = logging.getLogger(__name__)

BLOCK_ROWS = 4096
BLOCK_ELEMENTS = 1 << 22
"""Similarities per block of the exact search (16 MB, and 32 MB of indices while selecting)."""
EXACT_UP_TO = 10_000
"""Up to this many sentences the search is exact: on the shared 2-core machine it was as fast
as the IVF index or faster at every size up to 10^4 (1 thread: 0.2 against 0.5 s at 10^3,
5 against 8 s at 7,000, 17-21 against 26-37 s at 10^4 under heavy load; the index wins by
far at 10^5: ``benchmarks/scale.py``, ``results/2026-12-02-scale-methods.json``)."""
LISTS_PER_ROOT = 4
PROBES = 16
TRAIN_PER_LIST = 16
TRAIN_ITERATIONS = 10


def nearest_other(
    vectors: np.ndarray,
    groups: np.ndarray,
    k: int,
    *,
    block_rows: int = BLOCK_ROWS,
    approximate: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar rows of other groups for each row.

    Args:
        vectors: L2-normalised float32, shape ``(n, d)``.
        groups: int array, shape ``(n,)``: the article of each row.
        k: neighbours per row.
        block_rows: at most this many queries at a time (blocks are also kept under
            :data:`BLOCK_ELEMENTS` similarities or results).
        approximate: search an IVF index; ``None``: above :data:`EXACT_UP_TO` rows.

    Returns:
        ``(index, similarity)``, both shape ``(n, k)``, most similar first (ties by index);
        index ``-1`` and similarity ``-inf`` pad rows with fewer than ``k`` others.
    """
    n = len(vectors)
    index = np.full((n, k), -1, dtype=np.int64)
    sims = np.full((n, k), -np.inf, dtype=np.float32)
    if n == 0 or k == 0:
        return index, sims
    groups = np.asarray(groups, dtype=np.int64)
    if approximate is None:
        approximate = n > EXACT_UP_TO
    if approximate:
        log.info("neighbour search: IVF index over %d sentences", n)
        data = np.ascontiguousarray(vectors, dtype=np.float32)
        _approximate(data, groups, index, sims, block_rows)
    else:
        _exact(np.asarray(vectors, dtype=np.float32), groups, index, sims, block_rows)
    index[~np.isfinite(sims)] = -1
    return index, sims


def _exact(
    vectors: np.ndarray,
    groups: np.ndarray,
    index: np.ndarray,
    sims: np.ndarray,
    block_rows: int,
    rows: np.ndarray | None = None,
) -> None:
    """Fill ``rows`` (default: all) of ``index`` and ``sims`` with their exact neighbours."""
    n, k = len(vectors), min(index.shape[1], len(vectors))
    rows = np.arange(n) if rows is None else rows
    step = max(1, min(block_rows, BLOCK_ELEMENTS // n))
    with threads.blas():
        for lo in range(0, len(rows), step):
            some = rows[lo : lo + step]
            block = vectors[some] @ vectors.T
            block[groups[some, None] == groups[None, :]] = -np.inf
            part = np.argpartition(block, n - k, axis=1)[:, n - k :]
            part_sims = np.take_along_axis(block, part, axis=1)
            rank = np.lexsort((part, -part_sims), axis=1)  # by similarity, ties by index
            index[some, :k] = np.take_along_axis(part, rank, axis=1)
            sims[some, :k] = np.take_along_axis(part_sims, rank, axis=1)


def _approximate(
    data: np.ndarray, groups: np.ndarray, index: np.ndarray, sims: np.ndarray, block_rows: int
) -> None:
    """Search the IVF index with room for each row's own article; a row whose probed lists
    still hold fewer than ``k`` others (its article fills them) gets an exact search."""
    n, k = len(data), index.shape[1]
    ivf = _ivf(data)
    sizes = np.bincount(groups)
    lo = 0
    while lo < n:
        width = min(n, k + int(sizes[groups[lo : lo + block_rows]].max()))
        hi = min(n, lo + max(1, min(block_rows, BLOCK_ELEMENTS // width)))
        _fill(index, sims, np.arange(lo, hi), ivf.search(data[lo:hi], width), groups)
        lo = hi
    others = n - sizes[groups]  # how many rows each row can find
    short = np.flatnonzero((index >= 0).sum(axis=1) < np.minimum(k, others))
    if len(short):
        log.info("neighbour search: %d sentences searched exactly", len(short))
        _exact(data, groups, index, sims, block_rows, short)


def _fill(
    index: np.ndarray,
    sims: np.ndarray,
    rows: np.ndarray,
    found: tuple[np.ndarray, np.ndarray],
    groups: np.ndarray,
) -> None:
    """Write the best ``k`` hits of other groups for ``rows``, ordered by similarity, then index."""
    found_sims, found_idx = found
    valid = (found_idx >= 0) & (groups[np.maximum(found_idx, 0)] != groups[rows][:, None])
    valid &= np.isfinite(found_sims)
    order = np.lexsort((found_idx, np.where(valid, -found_sims, np.inf)), axis=1)
    k = min(index.shape[1], found_idx.shape[1])
    best = order[:, :k]
    keep = np.take_along_axis(valid, best, axis=1)
    index[rows, :k] = np.where(keep, np.take_along_axis(found_idx, best, axis=1), -1)
    sims[rows, :k] = np.where(keep, np.take_along_axis(found_sims, best, axis=1), -np.inf)


def _ivf(data: np.ndarray) -> Any:
    """An IVF-Flat index over ``data``: ``4 * sqrt(n)`` lists (k-means on a sample, few
    iterations: training was most of the search's time at 10^5 sentences), 16 probed."""
    import faiss

    threads.apply_faiss(faiss)
    n, d = data.shape
    lists = max(1, min(n, int(LISTS_PER_ROOT * np.sqrt(n))))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, lists, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.niter = TRAIN_ITERATIONS
    ivf.cp.min_points_per_centroid = 1  # a small sample is enough here: no warning about it
    sample = np.random.default_rng(0).choice(n, min(n, lists * TRAIN_PER_LIST), replace=False)
    ivf.train(data[np.sort(sample)])
    ivf.add(data)
    ivf.nprobe = PROBES
    return ivf
