"""Score claims against the seed corpus gold (``corpus/putin-kim/gold.json``).

Gold sentences are quoted as text; each is mapped to the segmented sentence(s) its span
overlaps, so the gold does not depend on factcmp's own sentence split.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from factcmp.types import Article, Claim, Sentence


@dataclass(frozen=True)
class GoldScore:
    pairs: int
    pairs_linked: int
    near_misses: int
    near_misses_linked: int
    missed: list[tuple[str, str]]
    wrongly_linked: list[tuple[str, str]]

    @property
    def recall(self) -> float:
        return self.pairs_linked / self.pairs if self.pairs else 0.0

    @property
    def false_link_rate(self) -> float:
        return self.near_misses_linked / self.near_misses if self.near_misses else 0.0


def locate(ref: dict[str, str], articles: dict[str, Article], sentences: Sequence[Sentence]) -> list[str]:
    """Sentence ids whose span overlaps the gold text ``ref`` in its article."""
    article = articles[ref["article"]]
    at = article.text.find(ref["text"])
    if at < 0:
        raise ValueError(f"gold text not found in {ref['article']}: {ref['text'][:60]!r}")
    end = at + len(ref["text"])
    return [
        s.id for s in sentences if s.article_id == article.id and s.start < end and at < s.end
    ]


def gold_pairs(gold: dict, articles: Sequence[Article], sentences: Sequence[Sentence]):
    """(same-claim pairs, near-miss pairs) as lists of (sentence ids a, sentence ids b)."""
    by_id = {a.id: a for a in articles}
    same = []
    for claim in gold["claims"]:
        refs = [r for r in claim["sentences"] if r["article"] in by_id]
        for x, y in itertools.combinations(refs, 2):
            if x["article"] != y["article"]:
                same.append((locate(x, by_id, sentences), locate(y, by_id, sentences)))
    near = [
        (locate(m["a"], by_id, sentences), locate(m["b"], by_id, sentences))
        for m in gold["near_misses"]
        if m["a"]["article"] in by_id and m["b"]["article"] in by_id
    ]
    return same, near


def score(gold_path: Path, articles: Sequence[Article], sentences: Sequence[Sentence], claims: Sequence[Claim]) -> GoldScore:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    claim_of = {sid: c.id for c in claims for sid in c.members}
    same, near = gold_pairs(gold, articles, sentences)

    def linked(a: list[str], b: list[str]) -> bool:
        return any(claim_of[x] == claim_of[y] for x in a for y in b)

    missed = [(a[0], b[0]) for a, b in same if not linked(a, b)]
    wrong = [(a[0], b[0]) for a, b in near if linked(a, b)]
    return GoldScore(len(same), len(same) - len(missed), len(near), len(wrong), missed, wrong)
