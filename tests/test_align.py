"""Alignment on synthetic vectors: neighbours, links, claims."""

from __future__ import annotations

import numpy as np
import pytest

from factcmp.align import AlignParams, align
from factcmp.align.group import group_claims
from factcmp.align.neighbours import nearest_other
from factcmp.types import Link, Sentence

DIM = 384  # as the default model
WORDS = " ".join(["word"] * 18)  # news-length sentences: the scorer was fitted on those


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def story(n_facts: int, versions: int, seed: int = 0, drop: float = 0.0, noise: float = 0.3):
    """Versions of one story: sentence i of every version states fact i (plus noise)."""
    rng = np.random.default_rng(seed)
    facts = rng.standard_normal((n_facts, DIM))
    sentences, vectors, truth = [], [], []
    for v in range(versions):
        kept = [i for i in range(n_facts) if rng.random() >= drop]
        rng.shuffle(kept)  # order differs between versions
        for index, fact in enumerate(kept):
            sentences.append(Sentence(f"v{v}", index, f"fact {fact} {WORDS}", 0, 0))
            vectors.append(facts[fact] + noise * rng.standard_normal(DIM))
            truth.append(fact)
    return sentences, unit(np.array(vectors)), truth


def brute_force(vectors: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    sims = vectors @ vectors.T
    sims[groups[:, None] == groups[None, :]] = -np.inf
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def test_exact_neighbours_match_brute_force_and_skip_own_article() -> None:
    rng = np.random.default_rng(1)
    vectors = unit(rng.standard_normal((300, 16)))
    groups = rng.integers(0, 7, 300)
    index, sims = nearest_other(vectors, groups, 5, block_rows=64, approximate=False)
    assert (groups[index] != groups[:, None]).all()
    expected = brute_force(vectors, groups, 5)
    assert (index == expected).all()
    assert np.allclose(sims, np.take_along_axis(vectors @ vectors.T, index, axis=1), atol=1e-5)


def test_approximate_neighbours_mostly_agree_with_exact() -> None:
    pytest.importorskip("faiss")
    sentences, vectors, _ = story(400, 5, seed=2)
    groups = np.array([int(s.article_id[1:]) for s in sentences])
    exact, _ = nearest_other(vectors, groups, 4, approximate=False)
    approx, _ = nearest_other(vectors, groups, 4, approximate=True)
    assert (groups[approx] != groups[:, None]).all()
    recall = np.mean([len(set(e) & set(a)) / 4 for e, a in zip(exact, approx)])
    assert recall > 0.9


def test_translated_versions_link_every_fact_in_any_order() -> None:
    sentences, vectors, truth = story(30, 3)
    claims = align(sentences, vectors)
    fact_of = {s.id: t for s, t in zip(sentences, truth)}
    for claim in claims:
        assert len({fact_of[m] for m in claim.members}) == 1  # no wrong links
    assert sum(len(c.members) == 3 for c in claims) >= 27  # nearly every fact found thrice


def test_dropped_sentences_stay_unique_and_claims_are_capped() -> None:
    sentences, vectors, truth = story(40, 4, seed=3, drop=0.3)
    claims = align(sentences, vectors)
    fact_of = {s.id: t for s, t in zip(sentences, truth)}
    right = wrong = 0
    for claim in claims:
        articles = [m.split(":")[0] for m in claim.members]
        assert max(articles.count(a) for a in articles) <= AlignParams().per_article
        for i, x in enumerate(claim.members):
            for y in claim.members[i + 1 :]:
                if x.split(":")[0] != y.split(":")[0]:
                    right += fact_of[x] == fact_of[y]
                    wrong += fact_of[x] != fact_of[y]
    truth_pairs = sum(
        fact_of[x.id] == fact_of[y.id]
        for i, x in enumerate(sentences)
        for y in sentences[i + 1 :]
        if x.article_id != y.article_id
    )
    assert wrong <= 0.1 * (right + wrong)  # precision of the linked pairs (30% of lines dropped)
    assert right >= 0.9 * truth_pairs  # and their recall


def test_result_does_not_depend_on_input_order() -> None:
    sentences, vectors, _ = story(25, 3, seed=4)
    claims = align(sentences, vectors)
    perm = np.random.default_rng(5).permutation(len(sentences))
    shuffled = align([sentences[i] for i in perm], vectors[perm])
    assert {frozenset(c.members) for c in claims} == {frozenset(c.members) for c in shuffled}


def test_unrelated_articles_leave_most_sentences_unlinked() -> None:
    # Random sentences of three articles: nothing is one claim, and (nearly) nothing links.
    linked = total = 0
    for seed in range(5):
        rng = np.random.default_rng(seed)
        sentences = [Sentence(f"a{i % 3}", i // 3, f"s{i} {WORDS}", 0, 0) for i in range(60)]
        claims = align(sentences, unit(rng.standard_normal((60, 256))), AlignParams())
        linked += sum(len(c.members) for c in claims if len(c.members) > 1)
        total += len(sentences)
    assert linked / total < 0.05


def scored(n: int, pairs: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([(i, j) for i, j, _ in pairs], dtype=np.int64).reshape(-1, 2),
        np.array([p for _, _, p in pairs], dtype=np.float32),
    )


BARS = {"link_bar": 0.5, "duplicate_bar": 0.5, "possible_bar": 0.2}


def test_a_claim_holds_two_sentences_of_one_article_when_both_link_to_it() -> None:
    # A:0 and A:1 both state what B:0 and C:0 state (an article that says a fact twice).
    s = [Sentence("A", 0, "x", 0, 0), Sentence("A", 1, "x", 0, 0)]
    s += [Sentence("B", 0, "y", 0, 0), Sentence("C", 0, "z", 0, 0)]
    pairs, p = scored(4, [(0, 2, 0.9), (0, 3, 0.9), (2, 3, 0.9), (1, 2, 0.8), (1, 3, 0.7)])
    claims = group_claims(s, pairs, p, **BARS)
    assert [c.members for c in claims] == [("A:0", "A:1", "B:0", "C:0")]


def test_a_second_sentence_on_one_link_alone_does_not_join() -> None:
    # A:1 resembles B:0 only (a translation's neighbouring line): the groups do not agree.
    s = [Sentence("A", 0, "x", 0, 0), Sentence("A", 1, "x", 0, 0)]
    s += [Sentence("B", 0, "y", 0, 0), Sentence("C", 0, "z", 0, 0)]
    pairs, p = scored(4, [(0, 2, 0.9), (0, 3, 0.9), (2, 3, 0.9), (1, 2, 0.6)])
    claims = group_claims(s, pairs, p, **BARS)
    assert ("A:0", "B:0", "C:0") in [c.members for c in claims]
    assert ("A:1",) in [c.members for c in claims]


def test_the_per_article_cap_stops_a_chain_swallowing_an_article() -> None:
    s = [Sentence("A", i, "x", 0, 0) for i in range(4)] + [Sentence("B", 0, "y", 0, 0)]
    pairs, p = scored(5, [(i, 4, 0.9 - i / 100) for i in range(4)])
    claims = group_claims(s, pairs, p, **BARS, per_article=2)
    big = max(claims, key=lambda c: len(c.members))
    assert big.members == ("A:0", "A:1", "B:0")  # the weaker links were refused


def test_an_article_outside_a_claim_is_possible_between_the_bars_else_silent() -> None:
    s = [Sentence("A", 0, "x", 0, 0), Sentence("B", 0, "y", 0, 0)]
    s += [Sentence("C", 0, "z", 0, 0), Sentence("C", 1, "z", 0, 0), Sentence("D", 0, "w", 0, 0)]
    pairs, p = scored(5, [(0, 1, 0.9), (0, 2, 0.25), (1, 3, 0.3), (1, 4, 0.1)])
    claims = group_claims(s, pairs, p, **BARS)
    claim = next(c for c in claims if "A:0" in c.members)
    assert claim.members == ("A:0", "B:0")
    # C's best candidate (C:1, closest to B:0) is shown; D (0.1 < possible bar) is silent.
    assert [(l.a, l.b, l.score) for l in claim.possible] == [("B:0", "C:1", 0.3)]
    assert [l.score for l in claim.links] == [0.9]


def test_evidence_is_only_as_strong_as_the_weakest_link() -> None:
    from factcmp.align import STRONG_LINK, evidence
    from factcmp.types import Claim

    strong = Link("A:0", "B:0", STRONG_LINK + 0.1)
    weak = Link("B:0", "C:0", STRONG_LINK - 0.1)
    assert 0 < STRONG_LINK < 1  # a probability
    assert evidence(Claim("c1", ("A:0", "B:0"), (strong,))) == "strong"
    assert evidence(Claim("c2", ("A:0", "B:0", "C:0"), (strong, weak))) == "weak"
    assert evidence(Claim("c3", ("A:0",), ())) is None


def test_link_scores_are_probabilities_and_a_lower_bar_links_more() -> None:
    sentences, vectors, _ = story(20, 3, seed=8, noise=0.6)
    strict = align(sentences, vectors, AlignParams(link_threshold=0.9))
    loose = align(sentences, vectors, AlignParams(link_threshold=0.05))
    scores = [l.score for c in loose for l in c.links]
    assert scores and all(0.0 <= x <= 1.0 for x in scores)
    assert all(l.score >= 0.9 for c in strict for l in c.links)
    assert sum(len(c.members) > 1 for c in loose) >= sum(len(c.members) > 1 for c in strict)


def test_each_pair_may_have_its_own_link_bar() -> None:
    # A-B are versions of one story (a low bar), A-C independent reports (a high bar).
    s = [Sentence("A", 0, "x", 0, 0), Sentence("B", 0, "y", 0, 0), Sentence("C", 0, "z", 0, 0)]
    pairs, p = scored(3, [(0, 1, 0.2), (0, 2, 0.3)])
    bars = np.array([0.1, 0.5], dtype=np.float32)
    claims = group_claims(s, pairs, p, link_bar=bars, duplicate_bar=0.5, possible_bar=0.2)
    claim = next(c for c in claims if "A:0" in c.members)
    assert claim.members == ("A:0", "B:0")
    assert [(l.b, l.score) for l in claim.possible] == [("C:0", 0.3)]
