"""Candidate sentence pairs across articles and the evidence each pair carries.

Restated news does not say one fact in the same words, so no single signal decides "same
claim" (issue 10: by similarity alone, half the seed gold's pairs come at 14% precision).
Each candidate pair gets a row of evidence, which :mod:`factcmp.align.score` turns into a
probability with weights fitted on labelled pairs (``benchmarks/fit_scorer.py``):

* similarity: cosine after centring each language, the distance margin (Artetxe & Schwenk
  2019: cosine less both sentences' mean similarity to their nearest neighbours, which
  discounts hubs), and where each sentence ranks the other among its neighbours in that
  article (a true pair is usually each other's best or second best);
* structure, from the annotate stage: shared name ids and numbers (plain and weighted by
  rarity), character n-grams of the names and numbers as written, content-word lemmas
  (strong within one language, as two Latvian or two Slovenian articles), and time: whether
  the dates the sentences state themselves clash or agree, and whether a clash rests only
  on the articles being written at different times;
* the article pair: how closely the two articles follow each other (translations of one
  story against independent reports), so that one set of weights serves both.

Candidates are each sentence's ``k`` nearest sentences in other articles, plus "blocked"
pairs that share a rare name id or number (a restated fact may be worded far apart).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ..annotate.eventtime import clash_pairs
from ..types import Annotation, EventTime, Sentence
from .neighbours import nearest_other
from .tfidf import PAIR_CHUNK, tfidf_similarity

RANK_CAP = 8
COS_CHUNK = 8192
"""Pairs per gather of their vectors for the cosine: 2 x 12 MB, which stays in cache (chunks of
100,000 pairs took 5 of 21 s of align() at 3,000 sentences)."""
MIN_VERSION_SENTENCES = 3
"""Fewer sentences than this in the smaller article cannot show that two articles follow each
other: their ``parallel`` evidence is 0 (one-sentence articles would otherwise score a pair's
own cosine, and every similar pair would look like two versions of one story)."""

FEATURES: tuple[str, ...] = (
    "cos", "margin", "radius", "rank_ab", "rank_ba", "mutual", "gap_a", "gap_b",
    "anchor", "names_shared", "names_jacc", "names_conflict", "nums_shared", "nums_conflict",
    "clash_own", "clash_one", "clash_inherited", "time_match_own", "months_apart",
    "lemma_same", "lemma_cross", "same_lang", "len_min", "len_max", "heading",
    "parallel", "names_idf", "nums_idf", "cos_par", "margin_par", "mutual_par",
)  # fmt: skip
"""The columns of :func:`pair_features`, in order (the fitted weights name them)."""

_EMPTY = Annotation(details=(), time=EventTime(), numbers=(), anchors="", lemmas=())


def article_groups(sentences: Sequence[Sentence]) -> np.ndarray:
    """Each sentence's article as a number (articles in id order)."""
    ids = {a: g for g, a in enumerate(sorted({s.article_id for s in sentences}))}
    return np.array([ids[s.article_id] for s in sentences], dtype=np.int64)


def names_of(annotation: Annotation) -> frozenset[str]:
    return frozenset(d.value for d in annotation.details if d.kind == "name")


def numbers_of(annotation: Annotation) -> frozenset[str]:
    """Stated amounts, ordinals and dates (not dates resolved against the article's date)."""
    return frozenset(
        d.value
        for d in annotation.details
        if d.kind in ("quantity", "ordinal", "date") and d.note in (None, "absolute")
    )


def _unique_pairs(pairs: np.ndarray, n: int) -> np.ndarray:
    """Each pair once, lower position first, in order (what ``np.unique(axis=0)`` gives of
    the sorted rows, without its call into ``numpy.ma``: a 0.1 s import on a warm run)."""
    low, high = pairs.min(axis=1, initial=n), pairs.max(axis=1, initial=-1)
    keys = np.sort(low * n + high)
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys
    return np.stack([keys // n, keys % n], axis=1).astype(np.int64)


def background_similarity(
    index: np.ndarray, sims: np.ndarray, groups: np.ndarray, k: int
) -> np.ndarray:
    """Each sentence's mean similarity to its ``k`` nearest sentences in other articles,
    leaving out its best match in each article (its would-be partners: with several
    versions of one story, counting them would make a true pair look ordinary).

    Args:
        index, sims: neighbours from :func:`nearest_other`, shape ``(n, K)``, best first.
        groups: the article of each sentence, shape ``(n,)``.
    """
    valid = index >= 0
    neighbour_group = np.where(valid, groups[np.maximum(index, 0)], -1)
    partner = np.zeros_like(valid)
    for col in range(index.shape[1]):
        seen_before = (neighbour_group[:, :col] == neighbour_group[:, col : col + 1]).any(axis=1)
        partner[:, col] = valid[:, col] & ~seen_before
    background = valid & ~partner
    use = background & (np.cumsum(background, axis=1) <= k)
    count = use.sum(axis=1)
    total = np.where(use, sims, 0.0).sum(axis=1)
    fallback = np.where(valid, sims, 0.0)[:, :k].sum(axis=1) / np.maximum(
        valid[:, :k].sum(axis=1), 1
    )
    radius: np.ndarray = np.where(count > 0, total / np.maximum(count, 1), fallback)
    return radius.astype(np.float32)


def blocked_pairs(
    groups: np.ndarray, keys: Sequence[frozenset[str]], max_df: int
) -> np.ndarray:
    """Cross-article pairs of sentences sharing a key (a name id, a number) that at most
    ``max_df`` sentences hold: rare keys only, so a corpus's protagonists add no pairs."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys):
        for key in ks:
            postings[key].append(i)
    out: list[tuple[int, int]] = []
    for ids in postings.values():
        if len(ids) > max_df:
            continue
        out.extend(
            (x, y) for n, x in enumerate(ids) for y in ids[n + 1 :] if groups[x] != groups[y]
        )
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def _ranks(
    pairs: np.ndarray, cos: np.ndarray, index: np.ndarray, sims: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (x, y): how many of x's neighbours in y's article are closer than y
    (exact when y is among x's neighbours, else a lower bound), and cos less x's best there.
    Chunks of pairs at a time: memory ``O(PAIR_CHUNK * K)``."""
    valid = index >= 0
    ngroup = np.where(valid, groups[np.maximum(index, 0)], -1)
    closer = np.empty(len(pairs), dtype=np.float32)
    gap = np.empty(len(pairs), dtype=np.float32)
    for lo in range(0, len(pairs), PAIR_CHUNK):
        x, y = pairs[lo : lo + PAIR_CHUNK, 0], pairs[lo : lo + PAIR_CHUNK, 1]
        c = cos[lo : lo + PAIR_CHUNK]
        same = ngroup[x] == groups[y][:, None]
        near = sims[x]
        closer[lo : lo + len(x)] = (same & (near > c[:, None] + 1e-6)).sum(axis=1)
        top = np.maximum(np.where(same, near, -np.inf).max(axis=1, initial=-np.inf), c)
        gap[lo : lo + len(x)] = c - top
    return closer, gap


def _runs(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``keys`` sorted (stable), ``values`` in that order, and where each run of one key starts."""
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else keys
    return keys, values, starts


def _parallel(
    index: np.ndarray, sims: np.ndarray, groups: np.ndarray, ga: np.ndarray, gb: np.ndarray
) -> np.ndarray:
    """For each pair of articles ``(ga[i], gb[i])``: the mean, over the smaller article's
    sentences, of their best similarity in the other (0 where none is a neighbour, and 0 when
    the smaller article has fewer than ``MIN_VERSION_SENTENCES``). Translations of one story
    score high, independent reports low. From the neighbour lists alone (no article x article
    or sentence x article matrix)."""
    n_groups = int(groups.max()) + 1
    valid = (index >= 0).ravel()
    rows = np.repeat(np.arange(len(index)), index.shape[1])[valid]
    other = groups[index.ravel()[valid]].astype(np.int64)
    # each sentence's best similarity in each other article it has a neighbour in
    keys, values, starts = _runs(rows * n_groups + other, np.maximum(sims.ravel()[valid], 0))
    best = np.maximum.reduceat(values, starts) if len(starts) else values
    row, h = keys[starts] // n_groups, keys[starts] % n_groups
    # summed over the sentences of each article
    keys, values, starts = _runs(groups[row] * n_groups + h, best.astype(np.float64))
    total = np.add.reduceat(values, starts) if len(starts) else values
    keys = keys[starts]
    sizes = np.bincount(groups, minlength=n_groups)
    lo_g, hi_g = np.minimum(ga, gb), np.maximum(ga, gb)
    small = np.where(sizes[lo_g] <= sizes[hi_g], lo_g, hi_g)
    want = small * n_groups + (lo_g + hi_g - small)
    at = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    hit = (keys[at] == want) if len(keys) else np.zeros(len(want), dtype=bool)
    out: np.ndarray = np.where(hit, total[at] if len(keys) else 0.0, 0.0)
    out = (out / np.maximum(sizes[small], 1)).astype(np.float32)
    out[(sizes[small] < MIN_VERSION_SENTENCES) | (ga == gb)] = 0.0
    return out


def _set_overlap(
    sets: Sequence[frozenset[str]], pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair (x, y): ``|sets[x] & sets[y]|``, ``|sets[x] | sets[y]|`` and whether both
    are non-empty and disjoint, without a Python step per pair (numpy: each pair's entries of
    x looked up among y's, by sorted codes ``sentence * vocabulary + key``)."""
    vocab: dict[str, int] = {}
    owner = [i for i, s in enumerate(sets) for _ in s]
    keys = [vocab.setdefault(v, len(vocab)) for s in sets for v in s]
    size = np.array([len(s) for s in sets], dtype=np.int64)
    x, y = pairs[:, 0], pairs[:, 1]
    shared = np.zeros(len(pairs), dtype=np.int64)
    if keys:
        width = len(vocab)
        codes = np.sort(np.array(owner, dtype=np.int64) * width + np.array(keys, dtype=np.int64))
        start = np.concatenate([[0], np.cumsum(size)])
        per = size[x]  # x's entries, one row per (pair, key of x)
        pair_of = np.repeat(np.arange(len(pairs)), per)
        offset = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
        x_codes = codes[start[x][pair_of] + offset]
        wanted = y[pair_of] * width + x_codes % width
        at = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
        shared = np.bincount(pair_of[codes[at] == wanted], minlength=len(pairs))
    union = size[x] + size[y] - shared
    conflict = (size[x] > 0) & (size[y] > 0) & (shared == 0)
    return shared.astype(np.float32), union.astype(np.float32), conflict.astype(np.float32)


def _own_time(time: EventTime) -> bool:
    """Whether the sentence states its time itself (not only its article's date)."""
    return bool(time.values) and time.values != ((time.written,) if time.written else ())


def _months(date: str | None) -> int | None:
    if not date:
        return None
    parts = date.split("-")
    try:
        return int(parts[0]) * 12 + (int(parts[1]) - 1 if len(parts) > 1 else 6)
    except ValueError:
        return None


def pair_features(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    langs: Sequence[str],
    annotations: Sequence[Annotation] | None,
    *,
    candidates: int = 32,
    neighbours: int = 4,
    block_df: int = 24,
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs and their evidence.

    Args:
        vectors: unit rows, shape ``(n, d)``, already centred by language.
        annotations: each sentence's (``None``: no structure, the embeddings alone).
        candidates: nearest sentences in other articles per sentence.
        neighbours: k of the margin.
        block_df: a name or number held by at most this many sentences makes its holders
            candidates of each other.

    Returns:
        ``(pairs, X)``: int array ``(m, 2)`` of sentence positions, lower first, and float32
        array ``(m, len(FEATURES))``.
    """
    n = len(sentences)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros((0, len(FEATURES)), np.float32)
    ann = list(annotations) if annotations is not None else [_EMPTY] * n
    groups = article_groups(sentences)
    index, sims = nearest_other(vectors, groups, min(max(candidates, neighbours), n))
    names = [names_of(x) for x in ann]
    numbers = [numbers_of(x) for x in ann]
    keys = [frozenset({"n:" + v for v in a} | {"x:" + v for v in b}) for a, b in zip(names, numbers)]
    rows = np.repeat(np.arange(n), index.shape[1])
    found = index.ravel() >= 0
    near = np.stack([rows[found], index.ravel()[found]], axis=1)
    both = np.concatenate([near, blocked_pairs(groups, keys, block_df)])
    pairs = _unique_pairs(both, n)
    if len(pairs) == 0:
        return pairs, np.zeros((0, len(FEATURES)), np.float32)
    a, b = pairs[:, 0], pairs[:, 1]
    cos = np.concatenate(  # in chunks: gathering rows for millions of pairs takes GBs
        [
            np.einsum("ij,ij->i", vectors[a[lo : lo + COS_CHUNK]], vectors[b[lo : lo + COS_CHUNK]])
            for lo in range(0, len(a), COS_CHUNK)
        ]
    ).astype(np.float32)
    radius = background_similarity(index, sims, groups, neighbours)
    rank_ab, gap_a = _ranks(pairs, cos, index, sims, groups)
    rank_ba, gap_b = _ranks(pairs[:, ::-1], cos, index, sims, groups)
    mutual = ((rank_ab == 0) & (rank_ba == 0)).astype(np.float32)
    parallel = _parallel(index, sims, groups, groups[a], groups[b])

    shared_names, union_names, names_conflict = _set_overlap(names, pairs)
    shared_nums, _, nums_conflict = _set_overlap(numbers, pairs)
    times = [x.time for x in ann]
    clash = clash_pairs(times, pairs).astype(np.float32)
    own = np.array([_own_time(t) for t in times])
    n_own = own[a].astype(int) + own[b].astype(int)
    month = np.array([_months(t.written) for t in times], dtype=np.float64)  # None: nan
    gap = np.abs(month[a] - month[b])  # (no Python step per pair: 2 million pairs at 10^5)
    apart = np.where(np.isnan(gap), 0.0, np.log1p(np.nan_to_num(gap))).astype(np.float32)
    lang_code = {lang: i for i, lang in enumerate(sorted(set(langs)))}
    code = np.array([lang_code[lang] for lang in langs], dtype=np.int64)
    same_lang = (code[a] == code[b]).astype(np.float32)
    lemma = tfidf_similarity([" ".join(x.lemmas) for x in ann], pairs)
    length = np.array([math.log1p(len(s.text.split())) for s in sentences], dtype=np.float32)
    heading = np.array([s.kind == "heading" for s in sentences], dtype=np.float32)
    margin = cos - (radius[a] + radius[b]) / 2
    X = np.column_stack(
        [
            cos, margin, (radius[a] + radius[b]) / 2,
            np.log1p(np.minimum(rank_ab, RANK_CAP)), np.log1p(np.minimum(rank_ba, RANK_CAP)),
            mutual, gap_a, gap_b,
            tfidf_similarity([x.anchors for x in ann], pairs, chars=True),
            np.minimum(shared_names, 4), shared_names / np.maximum(union_names, 1), names_conflict,
            np.minimum(shared_nums, 3), nums_conflict,
            clash * (n_own == 2), clash * (n_own == 1), clash * (n_own == 0),
            (1 - clash) * (n_own == 2), apart,
            lemma * same_lang, lemma * (1 - same_lang), same_lang,
            np.minimum(length[a], length[b]), np.maximum(length[a], length[b]),
            np.maximum(heading[a], heading[b]),
            parallel,
            tfidf_similarity([" ".join(sorted(x)) for x in names], pairs),
            tfidf_similarity([" ".join(sorted(x)) for x in numbers], pairs),
            cos * parallel, margin * parallel, mutual * parallel,
        ]
    ).astype(np.float32)  # fmt: skip
    return pairs, X

