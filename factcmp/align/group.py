"""Merge links into claims, and say how strong a claim's evidence is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..types import Claim, Evidence, Link, Sentence

STRONG_LINK = 0.30
"""A claim whose every link scores this much is strong evidence: 70% of true links between
translated NTREX stories do, and none of the look-alikes in the seed gold."""


def group_claims(
    sentences: Sequence[Sentence],
    links: Sequence[Link],
    per_article: int = 2,
) -> list[Claim]:
    """Merge links into claims, strongest first (single linkage with caps).

    A merge is refused when the claim would hold more than ``per_article`` sentences of one
    article, or more than ``per_article`` times the number of articles in all: chains of
    look-alike sentences cannot grow one claim over the corpus.

    Every sentence ends up in exactly one claim; a sentence without links is a claim of its
    own. Claims are ordered by their first sentence (article order, then position).
    """
    position = {s.id: n for n, s in enumerate(sentences)}
    article_of = {s.id: s.article_id for s in sentences}
    parent = {s.id: s.id for s in sentences}
    members: dict[str, list[str]] = {s.id: [s.id] for s in sentences}
    kept: dict[str, list[Link]] = {s.id: [] for s in sentences}
    max_size = per_article * len(set(article_of.values()))

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in sorted(links, key=lambda l: (-l.score, position[l.a], position[l.b])):
        ra, rb = root(link.a), root(link.b)
        if ra == rb:
            kept[ra].append(link)
            continue
        merged = members[ra] + members[rb]
        counts = Counter(article_of[m] for m in merged)
        if len(merged) > max_size or max(counts.values()) > per_article:
            continue
        if max(counts.values()) > 1 and link.score < STRONG_LINK:
            continue  # a second sentence of one article joins on strong evidence only
        parent[rb] = ra
        members[ra] = merged
        del members[rb]
        kept[ra] += kept.pop(rb) + [link]

    roots = sorted(members, key=lambda r: min(position[m] for m in members[r]))
    claims = []
    for n, r in enumerate(roots, start=1):
        ordered = tuple(sorted(members[r], key=position.__getitem__))
        links_here = tuple(sorted(kept[r], key=lambda l: (position[l.a], position[l.b])))
        claims.append(Claim(id=f"c{n}", members=ordered, links=links_here))
    return claims


def evidence(claim: Claim) -> Evidence | None:
    """How sure the alignment is that the claim's sentences state one thing: ``strong``
    when its weakest link reaches ``STRONG_LINK``, else ``weak``; ``None`` for one sentence."""
    if not claim.links:
        return None
    return "strong" if min(link.score for link in claim.links) >= STRONG_LINK else "weak"
