"""Fit the story clusterer's pair scorer and choose its bar by cross-validation, in one command.

    python benchmarks/stories_fit.py [--seed 11] [--no-write]

Data: the NTREX-128 story feed of ``stories_feed.py`` (Federmann et al. 2022, CC BY-SA 4.0):
123 documents told in six languages as versions with dropped and moved lines, second
outlets, briefs and decoys; the truth is the *event* (documents of one ``EVENTS`` group are
one story). Its five folds hold whole events, and the feed of one fold stands on its own.

For each fold: the fold's own feed is read as a stories run reads one (article vectors and
details, :func:`factcmp.stories.cluster.candidate_pairs`, :func:`pair_features`); a pair is
positive when both articles tell one event. The logistic regression is fitted on the pairs
of the four other folds and the held-out fold is clustered at every bar of a grid, by
average linkage on the candidate pairs (what ``factcmp stories`` does) and, for comparison,
by joining every pair over the bar (single linkage) and by the vector's cosine alone. The
bar with the best mean held-out adjusted Rand index is chosen; the scorer is then fitted on
all folds and written to ``factcmp/stories/weights.json`` with that bar; the figures go to
``benchmarks/results/<date>-stories-fit.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from common import TMP, header, write_result
from stories_feed import FOLDS, build_feed

from factcmp.annotate import annotate
from factcmp.config import Settings
from factcmp.embed.model import load_embedder
from factcmp.stories.cluster import (
    FEATURES,
    WEIGHTS_PATH,
    ClusterParams,
    StoryWeights,
    average_linkage,
    candidate_pairs,
    pair_features,
)
from factcmp.stories.vectors import article_features

BARS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
COS_BARS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)


def fit(X: np.ndarray, y: np.ndarray, bar: float) -> StoryWeights:
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000).fit((X - mean) / scale, y)
    return StoryWeights(
        low=X.min(axis=0), high=X.max(axis=0), mean=mean, scale=scale,
        coef=model.coef_[0], intercept=float(model.intercept_[0]), bar=bar,
    )


def components(n: int, links: np.ndarray) -> list[list[int]]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(links)), (links[:, 0], links[:, 1])), shape=(n, n))
    label = connected_components(graph, directed=False)[1]
    return sorted([list(np.flatnonzero(label == g)) for g in np.unique(label)])


def scores(truth: list[int], groups: list[list[int]]) -> dict[str, float]:
    """ARI, purity, inverse purity and wrongly merged story pairs of a grouping."""
    from sklearn.metrics import adjusted_rand_score

    label = np.empty(len(truth), dtype=np.int64)
    for g, members in enumerate(groups):
        label[members] = g
    t = np.array(truth)
    purity = sum(Counter(t[g]).most_common(1)[0][1] for g in groups) / len(t)
    inverse = sum(Counter(label[t == s]).most_common(1)[0][1] for s in set(truth)) / len(t)
    merged = sum(len({s for s in t[g]}) - 1 for g in groups if len(g) > 1)
    return {"ari": float(adjusted_rand_score(t, label)), "purity": purity,
            "inverse_purity": inverse, "merged_stories": merged}


SHRINKS = (0.0, 1.0, 2.0, 5.0, 20.0, 80.0, 1e9)
"""``article_vectors``' language shrink: 0 subtracts each language's whole mean, 1e9 none."""


def fold_data(feed: Any, embedder: Any, k: int, shrink: float, notes: dict[int, Any]) -> list[
    dict[str, Any]
]:
    """Candidate pairs, their features and labels, for the feed of each fold on its own."""
    folds = []
    for fold in range(FOLDS):
        part = feed.subset([fold])
        articles, sentences = part.articles, part.sentences
        vectors = embedder.embed([s.text for s in sentences])
        if fold not in notes:
            notes[fold] = annotate(articles, sentences)
        features = article_features(articles, sentences, vectors, notes[fold], shrink)
        pairs, rank, radius = candidate_pairs(features, k)
        truth = part.labels("event")
        X = pair_features(features, pairs, rank, radius, k)
        y = np.array([truth[i] == truth[j] for i, j in pairs], dtype=np.int64)
        folds.append({"n": len(articles), "pairs": pairs, "X": X, "y": y, "truth": truth})
    return folds


def cross_validate(folds: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Held-out scores per clustering and bar: fit on four folds, cluster the fifth."""
    rows: dict[str, dict[float, list[dict[str, float]]]] = {
        "average": {b: [] for b in BARS}, "single": {b: [] for b in BARS},
        "cosine_single": {b: [] for b in COS_BARS}, "cosine_average": {b: [] for b in COS_BARS},
    }
    for held, f in enumerate(folds):
        rest = [g for i, g in enumerate(folds) if i != held]
        w = fit(np.vstack([g["X"] for g in rest]), np.concatenate([g["y"] for g in rest]), 0.5)
        p = w.probability(f["X"])
        for b in BARS:
            rows["average"][b].append(scores(f["truth"], average_linkage(f["n"], f["pairs"], p, b)))
            rows["single"][b].append(scores(f["truth"], components(f["n"], f["pairs"][p >= b])))
        cos = f["X"][:, FEATURES.index("cos")]
        for b in COS_BARS:
            single = components(f["n"], f["pairs"][cos >= b])
            rows["cosine_single"][b].append(scores(f["truth"], single))
            rows["cosine_average"][b].append(
                scores(f["truth"], average_linkage(f["n"], f["pairs"], cos, b))
            )

    def mean(runs: list[dict[str, float]]) -> dict[str, float]:
        return {key: round(float(np.mean([r[key] for r in runs])), 4) for key in runs[0]} | {
            "ari_min": round(min(r["ari"] for r in runs), 4)
        }

    return {name: {str(b): mean(runs) for b, runs in grid.items()} for name, grid in rows.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    feed = build_feed(seed=args.seed)
    embedder = load_embedder(Settings(cache_dir=TMP / "cache", use_cache=True))
    k = ClusterParams().neighbours
    notes: dict[int, Any] = {}
    by_shrink: dict[float, dict[str, dict[str, dict[str, float]]]] = {}
    for shrink in SHRINKS:
        by_shrink[shrink] = cross_validate(fold_data(feed, embedder, k, shrink, notes))
        top = max(by_shrink[shrink]["average"].items(), key=lambda kv: kv[1]["ari"])
        print(f"shrink {shrink:g}: best bar {top[0]}: {top[1]}", flush=True)
    shrink, best = max(
        ((sh, b) for sh in SHRINKS for b in BARS),
        key=lambda sb: (by_shrink[sb[0]]["average"][str(sb[1])]["ari"], -sb[1]),
    )
    curves = by_shrink[shrink]
    for name, curve in curves.items():
        print(name)
        for b, m in curve.items():
            print(f"  {b:>5}  ARI {m['ari']:.4f} (min {m['ari_min']:.4f})  purity {m['purity']:.4f}"
                  f"  inverse {m['inverse_purity']:.4f}  merged {m['merged_stories']:.1f}")
    print(f"chosen (best mean held-out ARI, average linkage): shrink {shrink:g}, bar {best}")

    folds = fold_data(feed, embedder, k, shrink, notes)
    final = fit(np.vstack([f["X"] for f in folds]), np.concatenate([f["y"] for f in folds]), best)
    weights = {
        "model": "logistic regression on standardised pair features (scikit-learn), "
        "fitted on the NTREX-128 story feed (benchmarks/stories_fit.py)",
        "features": list(FEATURES),
        **{key: [round(float(v), 6) for v in getattr(final, key)]
           for key in ("low", "high", "mean", "scale", "coef")},
        "intercept": round(final.intercept, 6),
        "bar": best,
        "shrink": shrink,
        "neighbours": k,
        "feed_seed": args.seed,
    }
    payload = header("stories-fit", embedder.model_id) | {
        "feed": feed.summary(), "truth": "event", "neighbours": k, "chosen_bar": best,
        "chosen_shrink": shrink,
        "best_by_shrink": {
            str(sh): max(c["average"].items(), key=lambda kv: kv[1]["ari"])
            for sh, c in by_shrink.items()
        },
        "cv_curves": curves, "coef": dict(zip(FEATURES, weights["coef"], strict=True)),
    }
    if not args.no_write:
        WEIGHTS_PATH.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH} and {write_result('stories-fit', None, payload)}")


if __name__ == "__main__":
    main()
