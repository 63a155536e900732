"""Merge scored pairs into claims, find each claim's possible sentences, and say how strong a
claim's evidence is.

Links (pairs whose probability clears the link bar) are merged best-first. An article may
state a fact twice ("will sign an agreement", "the agreement includes mutual assistance"),
so a claim may hold several sentences of one article, but a chain of look-alikes must not
swallow an article: a merge that puts a second sentence of an article into a claim needs the
two groups to agree as a whole (their mean pair probability, unscored pairs counting 0,
reaches the duplicate bar), and a claim holds at most ``per_article`` sentences of one
article. Translations of one story never state a line twice, and this is what keeps them
apart; independent reports that do restate a fact pass it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..types import Claim, Evidence, Link, Sentence

STRONG_LINK = 0.5
"""A claim whose every link has at least this probability is strong evidence: more likely
one claim than not. In held-out probabilities (``benchmarks/fit_scorer.py``, 2026-12-02)
95% of the true NTREX pairs reach it, and none of the seed gold's 22 near misses."""


def group_claims(
    sentences: Sequence[Sentence],
    pairs: np.ndarray,
    probability: np.ndarray,
    *,
    link_bar: float | np.ndarray,
    duplicate_bar: float,
    possible_bar: float,
    per_article: int = 3,
) -> list[Claim]:
    """Merge scored pairs into claims, strongest first.

    Args:
        pairs: int array ``(m, 2)`` of sentence positions.
        probability: each pair's probability of stating one claim, shape ``(m,)``.
        link_bar: a pair at or above it is a link: one bar, or each pair's, shape ``(m,)``.
        duplicate_bar: what a merge bringing a second sentence of one article must reach.
        possible_bar: from here an article's best candidate outside a claim is "possible".
        per_article: at most this many sentences of one article per claim.

    Returns:
        every sentence in exactly one claim (a sentence without links is a claim of its own),
        ordered by first sentence; each claim's links are its member pairs above the bar.
    """
    n = len(sentences)
    article = [s.article_id for s in sentences]
    lookup = {(int(i), int(j)): float(p) for (i, j), p in zip(pairs.tolist(), probability)}
    parent = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def agree(left: list[int], right: list[int]) -> bool:
        scores = [
            lookup.get((min(x, y), max(x, y)), 0.0)
            for x in left
            for y in right
            if article[x] != article[y]
        ]
        return bool(scores) and sum(scores) / len(scores) >= duplicate_bar

    bars = np.broadcast_to(np.asarray(link_bar, dtype=np.float32), probability.shape)
    is_link = probability >= bars
    order: np.ndarray = np.lexsort((pairs[:, 1], pairs[:, 0], -probability))
    for m in order[is_link[order]].tolist():
        ra, rb = root(int(pairs[m, 0])), root(int(pairs[m, 1]))
        if ra == rb:
            continue
        merged = members[ra] + members[rb]
        most = max(Counter(article[x] for x in merged).values())
        if most > per_article:
            continue
        if most > 1 and not agree(members[ra], members[rb]):
            continue
        parent[rb] = ra
        members[ra] = merged
        del members[rb]

    claim_of = [root(i) for i in range(n)]
    links: dict[int, list[tuple[int, int, float]]] = {}
    best_out: dict[tuple[int, str], tuple[float, int, int]] = {}
    for (i, j), p, linked in zip(pairs.tolist(), probability.tolist(), is_link.tolist()):
        if claim_of[i] == claim_of[j]:
            if linked:
                links.setdefault(claim_of[i], []).append((i, j, p))
            continue
        if p < possible_bar:
            continue
        for x, y in ((i, j), (j, i)):  # y's article as a candidate for x's claim
            key = (claim_of[x], article[y])
            if key not in best_out or p > best_out[key][0]:
                best_out[key] = (p, x, y)
    # Each claim's candidates, by article: one pass, not one pass per claim (that was
    # quadratic: 890 of 970 s of align() at 10^4 sentences).
    possible_of: dict[int, list[tuple[str, float, int, int]]] = {}
    for (root_, art), (p, x, y) in sorted(best_out.items(), key=lambda kv: kv[0][1]):
        possible_of.setdefault(root_, []).append((art, p, x, y))
    claims = []
    for number, r in enumerate(sorted(members, key=lambda r: min(members[r])), start=1):
        inside = {article[x] for x in members[r]}
        possible = tuple(
            _link(sentences, x, y, p) for art, p, x, y in possible_of.get(r, []) if art not in inside
        )
        claims.append(
            Claim(
                id=f"c{number}",
                members=tuple(sentences[x].id for x in sorted(members[r])),
                links=tuple(_link(sentences, *t) for t in sorted(links.get(r, []))),
                possible=possible,
            )
        )
    return claims


def _link(sentences: Sequence[Sentence], i: int, j: int, p: float) -> Link:
    return Link(a=sentences[i].id, b=sentences[j].id, score=round(float(p), 4))


def evidence(claim: Claim) -> Evidence | None:
    """How sure the alignment is that the claim's sentences state one thing: ``strong``
    when its weakest link's probability reaches ``STRONG_LINK``, else ``weak``; ``None``
    for one sentence."""
    if not claim.links:
        return None
    return "strong" if min(link.score for link in claim.links) >= STRONG_LINK else "weak"
