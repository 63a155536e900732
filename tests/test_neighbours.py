"""Neighbour search: exact and IVF index against brute force, padding, ties, bounded blocks."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from factcmp.align import neighbours
from factcmp.align.neighbours import nearest_other


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def brute_force(vectors: np.ndarray, groups: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair, own group masked, sorted by similarity then index."""
    sims = vectors @ vectors.T
    sims[groups[:, None] == groups[None, :]] = -np.inf
    order = np.lexsort((np.broadcast_to(np.arange(len(sims)), sims.shape), -sims), axis=1)[:, :k]
    best = np.take_along_axis(sims, order, axis=1)
    return np.where(np.isfinite(best), order, -1), best


def clustered(
    n_facts: int, articles: int, seed: int, dim: int = 32
) -> tuple[np.ndarray, np.ndarray]:
    """Each article states every fact once (its own noise): a fact's sentences are one cluster."""
    rng = np.random.default_rng(seed)
    facts = rng.standard_normal((n_facts, dim))
    vectors = np.concatenate(
        [facts + 0.3 * rng.standard_normal(facts.shape) for _ in range(articles)]
    )
    return unit(vectors), np.repeat(np.arange(articles), n_facts)


@pytest.mark.parametrize("approximate", [False, True])
def test_matches_brute_force_on_clustered_data(approximate: bool) -> None:
    vectors, groups = clustered(150, 4, seed=3)
    index, sims = nearest_other(vectors, groups, 3, approximate=approximate)
    expected, expected_sims = brute_force(vectors, groups, 3)
    assert (groups[index] != groups[:, None]).all()
    if approximate:  # the index may miss a far neighbour, never a fact's own cluster
        assert (index == expected).mean() > 0.99
    else:
        assert (index == expected).all()
    hit = index == expected
    assert np.allclose(sims[hit], expected_sims[hit], atol=1e-5)


def test_exact_matches_brute_force_on_random_data_in_small_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(1)
    vectors = unit(rng.standard_normal((300, 16)))
    groups = rng.integers(0, 7, 300)
    whole = nearest_other(vectors, groups, 5, approximate=False)
    monkeypatch.setattr(neighbours, "BLOCK_ELEMENTS", 1000)  # 3 rows per block
    blocked = nearest_other(vectors, groups, 5, approximate=False)
    expected, _ = brute_force(vectors, groups, 5)
    assert (whole[0] == expected).all() and (blocked[0] == expected).all()
    assert (whole[1] == blocked[1]).all()


@pytest.mark.parametrize("approximate", [False, True])
def test_ties_are_ordered_by_index(approximate: bool) -> None:
    rng = np.random.default_rng(4)
    base = unit(rng.standard_normal((40, 16)))
    vectors = np.concatenate([base, base, base])  # three equal copies of every row
    groups = np.repeat([0, 1, 2], 40)
    index, sims = nearest_other(vectors, groups, 2, approximate=approximate)
    for row in range(120):
        twins = sorted(j for j in (row % 40, row % 40 + 40, row % 40 + 80) if j != row)
        assert list(index[row]) == twins
        assert sims[row, 0] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("approximate", [False, True])
def test_rows_with_few_others_are_padded(approximate: bool) -> None:
    vectors, groups = clustered(3, 2, seed=5)  # 6 rows: 3 others each
    index, sims = nearest_other(vectors, groups, 5, approximate=approximate)
    assert index.shape == (6, 5) and sims.shape == (6, 5)
    assert (index[:, 3:] == -1).all() and np.isneginf(sims[:, 3:]).all()
    assert (index[:, :3] >= 0).all()


def test_a_big_article_does_not_crowd_out_the_others() -> None:
    """More of a row's own article among its nearest than the room searched for: the index is
    searched again for that row, so it still gets ``k`` others."""
    rng = np.random.default_rng(6)
    vectors = unit(
        np.concatenate(
            [
                rng.standard_normal((1, 16)) + 0.05 * rng.standard_normal((60, 16)),
                rng.standard_normal((20, 16)),
            ]
        )
    )
    groups = np.r_[np.zeros(60, int), np.ones(20, int)]
    index, _ = nearest_other(vectors, groups, 10, approximate=True)
    assert (index[:60] >= 60).all()  # article 0's rows: 10 of article 1's, none of their own
    expected, _ = brute_force(vectors, groups, 10)
    assert (index[:60] == expected[:60]).all()


def test_empty_and_k_zero() -> None:
    empty = nearest_other(np.zeros((0, 8), np.float32), np.zeros(0, int), 3)
    assert empty[0].shape == (0, 3)
    none = nearest_other(unit(np.ones((4, 8))), np.arange(4), 0)
    assert none[0].shape == (4, 0)


def test_switches_to_the_index_above_the_measured_size(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    vectors, groups = clustered(30, 3, seed=7)
    monkeypatch.setattr(neighbours, "EXACT_UP_TO", len(vectors))
    with caplog.at_level(logging.INFO, logger=neighbours.__name__):
        nearest_other(vectors, groups, 2)
    assert "IVF" not in caplog.text
    monkeypatch.setattr(neighbours, "EXACT_UP_TO", len(vectors) - 1)
    with caplog.at_level(logging.INFO, logger=neighbours.__name__):
        approx = nearest_other(vectors, groups, 2)
    assert "IVF" in caplog.text
    assert (
        approx[0] == nearest_other(vectors, groups, 2, approximate=True)[0]
    ).all()  # deterministic
