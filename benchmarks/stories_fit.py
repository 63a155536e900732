"""Fit the story clusterer's pair scorer and choose its bar by cross-validation, in one command.

    python benchmarks/stories_fit.py [--seed 11] [--no-write]

Data: the NTREX-128 story feed of ``stories_feed.py`` (Federmann et al. 2022, CC BY-SA 4.0):
123 documents told in six languages as versions with dropped and moved lines, second
outlets, briefs and decoys; the truth is the *event* (documents of one ``EVENTS`` group are
one story). Its five folds hold whole events, and the feed of one fold stands on its own.

A stories run's evidence depends on how crowded the feed is (an article's ranks and
neighbourhood), so the scorer is fitted and judged at two densities: the whole feed, and each
fold's feed on its own. For each fold, a logistic regression is fitted on the candidate pairs
of the four other folds (as parts of the whole feed and as feeds of their own); then (a) the
whole feed is clustered and the held-out fold's articles are scored, and those grouped with
another fold's articles counted (all wrong: folds hold whole events), and (b) the held-out
fold's feed is clustered and scored. Clustering is average linkage on the candidate pairs
(what ``factcmp stories`` does) and, for comparison, joining every pair over the bar (single
linkage). The language shrink of the article vectors and the bar with the best mean held-out pair
F1 over (a) and (b) are chosen (pairs with a held-out article: the held-out articles' ARI
cannot see them joined to another fold's stories); the scorer is then fitted on all pairs and
written to ``factcmp/stories/weights.json``; the figures go to
``benchmarks/results/<date>-stories-fit.json``.

``--evaluate SEED`` scores the shipped weights on the feed of another seed (the same
documents in other versions, outlets, briefs and decoys: not held out by document).
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


def pair_f1(truth: list[int], held: np.ndarray, groups: list[list[int]]) -> float:
    """F1 over the article pairs with at least one ``held`` article: a pair in one group is
    right when both tell one story; a held-out article grouped with any other fold's article
    is wrong (folds hold whole events), which the held-out articles' ARI alone cannot see."""
    t = np.array(truth)
    tp = fp = 0
    for g in map(np.array, groups):
        mine = g[held[g]]
        foreign = len(g) - len(mine)
        same = sum(c * (c - 1) // 2 for c in Counter(t[mine].tolist()).values())
        tp += same
        fp += len(mine) * (len(mine) - 1) // 2 - same + len(mine) * foreign
    stories = Counter(t[held].tolist())
    fn = sum(c * (c - 1) // 2 for c in stories.values()) - tp
    return 2 * tp / max(2 * tp + fp + fn, 1)


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


SHRINKS = (0.0, 2.0, 20.0)
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


def whole_feed(feed: Any, embedder: Any, k: int, shrink: float, notes: dict[Any, Any]) -> dict[
    str, Any
]:
    """Candidate pairs, features and labels of the whole feed at once."""
    articles, sentences = feed.articles, feed.sentences
    vectors = embedder.embed([s.text for s in sentences])
    if "whole" not in notes:
        notes["whole"] = annotate(articles, sentences)
    features = article_features(articles, sentences, vectors, notes["whole"], shrink)
    pairs, rank, radius = candidate_pairs(features, k)
    truth = feed.labels("event")
    X = pair_features(features, pairs, rank, radius, k)
    y = np.array([truth[i] == truth[j] for i, j in pairs], dtype=np.int64)
    return {"n": len(articles), "pairs": pairs, "X": X, "y": y, "truth": truth,
            "fold": np.array([f.fold for f in feed.items])}


def cross_validate(whole: dict[str, Any], folds: list[dict[str, Any]]) -> dict[str, Any]:
    """Held-out scores at two densities, for each clustering and bar. For each fold: the
    scorer is fitted on the other folds' pairs, both as parts of the whole feed and as feeds
    of their own; then (a) the whole feed is clustered and the held-out fold's articles are
    scored (and those grouped with another fold's articles counted: all wrong, folds hold
    whole events), and (b) the held-out fold's own feed is clustered and scored."""
    fold = whole["fold"]
    pairs = whole["pairs"]
    rows: dict[str, dict[float, list[dict[str, float]]]] = {
        f"{where}_{how}": {b: [] for b in BARS}
        for where in ("whole", "alone") for how in ("average", "single")
    }
    for held in range(FOLDS):
        train = (fold[pairs[:, 0]] != held) & (fold[pairs[:, 1]] != held)
        rest = [g for i, g in enumerate(folds) if i != held]
        w = fit(np.vstack([whole["X"][train], *(g["X"] for g in rest)]),
                np.concatenate([whole["y"][train], *(g["y"] for g in rest)]), 0.5)
        p = w.probability(whole["X"])
        mine = np.flatnonzero(fold == held)
        where = {int(i): n for n, i in enumerate(mine)}
        held_truth = [whole["truth"][i] for i in mine]

        def held_out(groups: list[list[int]], where: dict[int, int] = where) -> list[list[int]]:
            kept = [[where[i] for i in g if i in where] for g in groups]
            return [g for g in kept if g]

        def joined(groups: list[list[int]], held: int = held) -> float:
            return float(sum(
                int((fold[g] == held).sum()) for g in map(np.array, groups)
                if (fold[g] == held).any() and (fold[g] != held).any()
            ))

        own = folds[held]
        p_own = w.probability(own["X"])
        for b in BARS:
            is_held = fold == held
            for how, grouped in (("average", average_linkage(whole["n"], pairs, p, b)),
                                 ("single", components(whole["n"], pairs[p >= b]))):
                row = scores(held_truth, held_out(grouped)) | {
                    "joined_other_folds": joined(grouped),
                    "pair_f1": pair_f1(whole["truth"], is_held, grouped),
                }
                rows[f"whole_{how}"][b].append(row)
            everyone = np.ones(own["n"], dtype=bool)
            for how, grouped in (
                ("average", average_linkage(own["n"], own["pairs"], p_own, b)),
                ("single", components(own["n"], own["pairs"][p_own >= b])),
            ):
                row = scores(own["truth"], grouped) | {
                    "pair_f1": pair_f1(own["truth"], everyone, grouped)
                }
                rows[f"alone_{how}"][b].append(row)
    return {name: {str(b): _mean(runs) for b, runs in grid.items()} for name, grid in rows.items()}


def _both(curves: dict[str, Any], bar: str) -> float:
    """The selection score: the mean held-out pair F1 of the whole feed (a held-out article
    grouped with another fold's is an error) and of the folds' own feeds."""
    return float(
        (curves["whole_average"][bar]["pair_f1"] + curves["alone_average"][bar]["pair_f1"]) / 2
    )


def _mean(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(float(np.mean([r[key] for r in runs])), 4) for key in runs[0]} | {
        "ari_min": round(min(r["ari"] for r in runs), 4)
    }


def evaluate(seed: int, embedder: Any) -> dict[str, Any]:
    """The shipped clusterer (weights.json, :func:`cluster_articles`) on the feed of another
    seed (other versions, outlets, briefs and decoys of the same documents): each fold's
    feed on its own, and the whole feed at once."""
    from factcmp.stories.cluster import cluster_articles

    feed = build_feed(seed=seed)
    out: dict[str, Any] = {"seed": seed, "feed": feed.summary(), "folds": []}
    for part, key in [*((feed.subset([f]), "folds") for f in range(FOLDS)), (feed, "whole")]:
        articles, sentences = part.articles, part.sentences
        vectors = embedder.embed([s.text for s in sentences])
        features = article_features(articles, sentences, vectors, annotate(articles, sentences))
        groups = cluster_articles(features)
        found = scores(part.labels("event"), groups)
        decoys = {i for i, f in enumerate(part.items) if f.story is None}
        found["decoys_in_a_story"] = sum(len(decoys.intersection(g)) for g in groups if len(g) > 1)
        if key == "folds":
            out["folds"].append(found)
        else:
            out["whole"] = found
        print(f"seed {seed} {key}: {found}", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--evaluate", type=int, metavar="SEED",
                        help="only score the shipped weights on the feed of another seed")
    args = parser.parse_args(argv)
    if args.evaluate is not None:
        embedder = load_embedder(Settings(cache_dir=TMP / "cache", use_cache=True))
        result = evaluate(args.evaluate, embedder)
        if not args.no_write:
            payload = header("stories-heldout", embedder.model_id) | result
            print(f"wrote {write_result(f'stories-heldout-seed{args.evaluate}', None, payload)}")
        return

    feed = build_feed(seed=args.seed)
    embedder = load_embedder(Settings(cache_dir=TMP / "cache", use_cache=True))
    k = ClusterParams().neighbours
    notes: dict[Any, Any] = {}
    by_shrink: dict[float, dict[str, Any]] = {}
    data: dict[float, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for shrink in SHRINKS:
        data[shrink] = (whole_feed(feed, embedder, k, shrink, notes),
                        fold_data(feed, embedder, k, shrink, notes))
        by_shrink[shrink] = cross_validate(*data[shrink])
        print(f"shrink {shrink:g}: " + ", ".join(
            f"bar {b}: {_both(by_shrink[shrink], str(b)):.4f}" for b in BARS), flush=True)
    shrink, best = max(
        ((sh, b) for sh in SHRINKS for b in BARS),
        key=lambda sb: (_both(by_shrink[sb[0]], str(sb[1])), -sb[1]),
    )
    for name, curve in by_shrink[shrink].items():
        print(name)
        for b, m in curve.items():
            print(f"  {b:>5}  ARI {m['ari']:.4f} (min {m['ari_min']:.4f})  purity "
                  f"{m['purity']:.4f}  inverse {m['inverse_purity']:.4f}  merged "
                  f"{m['merged_stories']:.1f}  joined other folds "
                  f"{m.get('joined_other_folds', 0):.1f}  pair F1 {m['pair_f1']:.4f}")
    print(f"chosen (best mean held-out pair F1 of the whole feed and the folds' own feeds, "
          f"average linkage): shrink {shrink:g}, bar {best}")
    whole, folds = data[shrink]
    final = fit(np.vstack([whole["X"], *(f["X"] for f in folds)]),
                np.concatenate([whole["y"], *(f["y"] for f in folds)]), best)
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
        "mean_ari_by_shrink_and_bar": {
            str(sh): {str(b): round(_both(c, str(b)), 4) for b in BARS}
            for sh, c in by_shrink.items()
        },
        "cv_curves": by_shrink[shrink],
        "coef": dict(zip(FEATURES, weights["coef"], strict=True)),
    }
    if not args.no_write:
        WEIGHTS_PATH.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH} and {write_result('stories-fit', None, payload)}")


if __name__ == "__main__":
    main()
