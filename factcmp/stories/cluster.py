"""Articles joined into stories: candidate neighbours, a fitted pair probability, a linkage.

No step looks at all pairs of the feed. Each article's ``k`` nearest articles by vector
(:func:`factcmp.align.neighbours.nearest_other`, faiss-backed at scale, one group per
article) are its only candidates; each candidate pair gets a row of evidence
(:func:`pair_features`) and a probability of telling one story from a logistic regression
fitted on the NTREX-128 story feed (``benchmarks/stories_fit.py``: the language shrink of the
vectors and the bar chosen by cross-validation over held-out events). Stories are grown by
average linkage over the candidate pairs only (:func:`average_linkage`); an article that
joins no group joins no story.

Why not the vector alone: two reports of different events with the same actors are close
in any sentence embedding. Names, stated numbers and the times the sentences are about
weigh in; and articles written further apart than ``window_days`` are never joined (a
prior, see :class:`ClusterParams`). On the seed corpus (three Putin-Kim events in five
articles) it is the window that keeps the events apart.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..align.logistic import Logistic, read_fitted
from ..align.neighbours import nearest_other
from ..annotate.dates import dates_compatible
from .vectors import ArticleFeatures

WEIGHTS_PATH = Path(__file__).with_name("weights.json")

FEATURES: tuple[str, ...] = (
    "cos", "margin", "rank", "mutual", "same_lang",
    "names", "names_any", "numbers", "numbers_any", "times", "time_clash",
)  # fmt: skip
"""The columns of :func:`pair_features`, in order (the fitted weights name them)."""


@dataclass(frozen=True)
class ClusterParams:
    """The knobs of :func:`cluster_articles`.

    Attributes:
        neighbours: candidates per article (its nearest articles by vector).
        bar: the pair probability from which two articles tell one story; ``None``: the
            fitted bar.
        window_days: articles whose dates lie further apart are never joined. Not fitted:
            our story data (NTREX-128) has no dates; the seed's three events with the same
            actors lie 9 and 15 months apart. ``None``: no window.
    """

    neighbours: int = 10
    bar: float | None = None
    window_days: int | None = 30


@dataclass(frozen=True)
class StoryWeights(Logistic):
    """The fitted pair scorer (P(one story)) and its bar."""

    bar: float
    shrink: float = 0.0
    """The language shrink of the article vectors it was fitted on (``article_vectors``)."""


def load_weights(path: Path = WEIGHTS_PATH) -> StoryWeights:
    """Read the fitted weights.

    Raises:
        FactcmpError: unreadable, or fitted on other features.
    """
    fields, data = read_fitted(
        path, FEATURES, "the story weights", "python benchmarks/stories_fit.py", np.float64
    )
    return StoryWeights(**fields, bar=float(data["bar"]), shrink=float(data.get("shrink", 0.0)))


@functools.cache
def default_weights() -> StoryWeights:
    return load_weights()


def candidate_pairs(
    features: ArticleFeatures, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each article's ``k`` nearest other articles, as unique pairs ``(i < j)``, sorted.

    Returns:
        ``(pairs (m, 2), rank (m, 2), radius (n,))``: where ``j`` ranks in ``i``'s list and
        ``i`` in ``j``'s (``k`` when not in it); each article's mean similarity to its
        neighbours (how crowded its part of the feed is).
    """
    n = len(features)
    vectors = np.ascontiguousarray(features.vectors, dtype=np.float32)
    index, sims = nearest_other(vectors, np.arange(n), min(k, max(n - 1, 0)))
    found = np.isfinite(sims)
    radius = np.where(found, sims, 0.0).sum(axis=1) / np.maximum(found.sum(axis=1), 1)
    rank_of: dict[tuple[int, int], int] = {}
    for i, row in enumerate(index.tolist()):
        for r, j in enumerate(row):
            if j >= 0:
                rank_of[i, j] = r
    pairs = sorted({(min(i, j), max(i, j)) for i, j in rank_of})
    rank = [[rank_of.get((i, j), k), rank_of.get((j, i), k)] for i, j in pairs]
    return (
        np.array(pairs, np.int64).reshape(-1, 2), np.array(rank, np.int64).reshape(-1, 2), radius
    )


def _idf(sets: Sequence[frozenset[str]]) -> dict[str, float]:
    df = Counter(x for s in sets for x in s)
    n = len(sets)
    return {x: math.log((1 + n) / (1 + c)) + 1.0 for x, c in df.items()}


def _overlaps(
    sets: Sequence[frozenset[str]], pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each pair: the rarity-weighted share of the smaller set found in the other (0 when
    either is empty), and whether both sets hold something."""
    idf = _idf(sets)
    total = [sum(idf[x] for x in s) for s in sets]
    share = np.zeros(len(pairs))
    both = np.zeros(len(pairs))
    for row, (i, j) in enumerate(pairs.tolist()):
        if sets[i] and sets[j]:
            both[row] = 1.0
            share[row] = sum(idf[x] for x in sets[i] & sets[j]) / min(total[i], total[j])
    return share, both


@functools.lru_cache(maxsize=65536)
def _time_clash(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both articles state times and none of one is compatible with any of the other."""
    return bool(a and b) and not any(dates_compatible(x, y) for x in a for y in b)


def pair_features(
    features: ArticleFeatures, pairs: np.ndarray, rank: np.ndarray, radius: np.ndarray, k: int
) -> np.ndarray:
    """The evidence rows (columns :data:`FEATURES`) of candidate ``pairs``: the cosine and its
    margin over the two articles' mean neighbour similarity (Artetxe & Schwenk 2019: a hub
    is close to everything), ranks, shared names, numbers and times (rarer ones weigh
    more), and whether the times clash."""
    a, b = pairs[:, 0], pairs[:, 1]
    vec = features.vectors
    cos = np.array([float(vec[i] @ vec[j]) for i, j in pairs.tolist()])
    langs = np.array(features.langs)
    names, names_any = _overlaps(features.names, pairs)
    numbers, numbers_any = _overlaps(features.numbers, pairs)
    times, _ = _overlaps(features.times, pairs)
    clash = [_time_clash(features.times[i], features.times[j]) for i, j in pairs.tolist()]
    columns = (
        cos, cos - (radius[a] + radius[b]) / 2, rank.min(axis=1) / k,
        (rank.max(axis=1) < k).astype(np.float64), (langs[a] == langs[b]).astype(np.float64),
        names, names_any, numbers, numbers_any, times, np.array(clash, dtype=np.float64),
    )
    return np.stack(columns, axis=1).reshape(len(pairs), len(FEATURES))


def days_apart(a: tuple[int, int] | None, b: tuple[int, int] | None) -> int:
    """Days between two date ranges (0 when they overlap or either is undated)."""
    if a is None or b is None:
        return 0
    return max(0, a[0] - b[1], b[0] - a[1])


def _groups(labels: Sequence[int] | np.ndarray) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(labels):
        groups.setdefault(int(g), []).append(i)
    return sorted(groups.values())


def average_linkage(n: int, pairs: np.ndarray, p: np.ndarray, bar: float) -> list[list[int]]:
    """Groups of ``n`` items by average linkage over the candidate ``pairs`` only.

    scikit-learn's structured average linkage does the merging: two groups merge while
    their distance is at most ``1 - bar``, and only groups joined by a candidate pair are
    ever compared (there is no all-pairs matrix). After a merge, the distance to a
    neighbouring group is the size-weighted mean of the merged groups' distances to it, a
    group with no candidate to it contributing the distance of the one that has one: so it is
    not the plain mean over candidate pairs. A weak candidate pair still pulls the distance
    between two groups up, and this chains less than joining every pair over the bar (single
    linkage), as measured on the NTREX feed in ``benchmarks/stories_fit.py``. Each
    candidate's distance is read through a callable metric on the item's index, so no
    ``n x n`` matrix is built.

    Returns:
        every item in exactly one group: sorted lists, sorted by their first item.
    """
    if n < 2 or not len(pairs):
        return [[i] for i in range(n)]
    limit = 1.0 - bar + 1e-12
    distances = 1.0 - np.asarray(p, dtype=np.float64)
    # Two groups merge only at a distance within the bar, and a weighted mean of distances is
    # within it only if one of them is: so no group ever spans two components of the graph
    # of pairs within the bar. Each component is linked on its own, and merging stops at
    # its edge; one linkage over the whole feed went on merging far past the bar (scikit-
    # learn builds the full tree) and grew as n^1.8 (10^5 articles did not end in 31 min).
    strong = distances <= limit
    _, component = connected_components(
        coo_matrix((np.ones(int(strong.sum())), (pairs[strong, 0], pairs[strong, 1])),
                   shape=(n, n)),
        directed=False,
    )
    labels = np.arange(n) + n  # alone: a label of its own
    inside = component[pairs[:, 0]] == component[pairs[:, 1]]
    by_component = _split(component[pairs[inside, 0]], pairs[inside], distances[inside])
    members = _split(component, np.arange(n)[:, None], np.zeros(n))
    for c, (own, _) in members.items():
        items = own[:, 0]
        if len(items) == 2:
            labels[items] = c
        elif len(items) > 2:
            edges, lengths = by_component[c]
            local = np.searchsorted(items, edges)  # items are sorted
            labels[items] = _linkage(len(items), local, lengths, limit) + 2 * n + c * n
    return _groups(labels)


def _split(
    keys: np.ndarray, rows: np.ndarray, values: np.ndarray
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """``rows`` and ``values`` grouped by ``keys``, in their order within each key."""
    order = np.argsort(keys, kind="stable")
    starts = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1]])
    return {
        int(keys[order[lo]]): (rows[order[lo:hi]], values[order[lo:hi]])
        for lo, hi in zip(starts, [*starts[1:], len(order)], strict=True)
    }


def _linkage(m: int, edges: np.ndarray, lengths: np.ndarray, limit: float) -> np.ndarray:
    """scikit-learn's average linkage of ``m`` items connected by ``edges``, cut at ``limit``;
    each edge's length is read through a callable metric on the item's index, so no ``m x m``
    matrix is built."""
    from sklearn.cluster import AgglomerativeClustering

    distance: dict[tuple[int, int], float] = {}
    for (i, j), d in zip(edges.tolist(), lengths.tolist(), strict=True):
        distance[i, j] = distance[j, i] = d

    def metric(x: np.ndarray, y: np.ndarray) -> float:
        return distance[int(x[0]), int(y[0])]

    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(m, m))
    model = AgglomerativeClustering(
        n_clusters=None,
        distance_threshold=limit,
        metric=metric,
        linkage="average",
        connectivity=(graph + graph.T).tocsr(),
    )
    labels: np.ndarray = model.fit_predict(np.arange(m, dtype=np.float64).reshape(-1, 1))
    return labels


def score_candidates(
    features: ArticleFeatures, params: ClusterParams, weights: StoryWeights
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs and their probability of telling one story (0 outside the window)."""
    pairs, rank, radius = candidate_pairs(features, params.neighbours)
    p = weights.probability(pair_features(features, pairs, rank, radius, params.neighbours))
    if params.window_days is not None:
        apart = np.array([days_apart(features.written[i], features.written[j]) for i, j in pairs])
        p = np.where(apart > params.window_days, 0.0, p) if len(pairs) else p
    return pairs, p


def cluster_articles(
    features: ArticleFeatures,
    params: ClusterParams | None = None,
    weights: StoryWeights | None = None,
) -> list[list[int]]:
    """Every article in exactly one group (a group of one joins no story): sorted index
    lists, sorted by their first index. The same features give the same groups.

    Args:
        features: :func:`~factcmp.stories.vectors.article_features` of the feed.
    """
    params = params or ClusterParams()
    weights = weights or default_weights()
    bar = weights.bar if params.bar is None else params.bar
    pairs, p = score_candidates(features, params, weights)
    return average_linkage(len(features), pairs, p, bar)
