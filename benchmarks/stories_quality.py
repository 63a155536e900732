"""Story clustering quality on the NTREX-128 feed of ``stories_feed.py``, with cross-validation.

    python benchmarks/stories_quality.py [--methods factcmp,baseline] [--seed 11]

The feed: 123 NTREX documents as stories told by articles in six languages (versions with
dropped and moved lines, second outlets, briefs) plus decoys whose lines come from different
stories; truth: an article's document, a decoy a story of its own. Sentence vectors come
through factcmp's own embedding path (``load_embedder``, the cache under
``benchmarks/results/tmp``), annotations from ``factcmp.annotate``.

Methods:

* ``factcmp``: ``factcmp.stories`` (``article_features`` then ``cluster_articles``) with its
  shipped weights, and its bar (``ClusterParams.bar``, a pair probability) chosen by CV here
  too. The shipped weights are fitted on this very feed by ``benchmarks/stories_fit.py``
  (H1's), so its figures here are in-sample for the weights: the held-out figures, with the
  weights refitted per fold, are ``stories_fit.py``'s;
* ``baseline``: each article's mean language-centred sentence vector, its 10 nearest other
  articles (``nearest_other``), an edge where the cosine reaches a bar, connected components.

Anything with a bar is cross-validated over documents: the feed's 5 folds (decoys draw only
from their own fold), the bar with the best adjusted Rand index on four folds' feed is
measured on the fifth fold's feed. Reported per method: CV figures (mean over the held-out
folds, and per fold), the whole feed at the median of the fold bars, the bar curve.

Metrics (articles as items; a predicted singleton is a cluster of one): adjusted Rand index
(scikit-learn), purity (each cluster's largest true story, summed, over articles; a decoy
is its own story), inverse purity (each story's largest share in one cluster), story pairs
wrongly merged (distinct true stories that share a cluster), stories split, and where the
decoys went (alone, in a story's cluster, with decoys only).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from common import TMP, header, write_result
from stories_feed import EVENTS, FOLDS, Feed, build_feed

log = logging.getLogger("stories_quality")
TARGETS = {"adjusted_rand": 0.95, "purity": 0.95}
BASELINE_BARS = tuple(round(x, 2) for x in np.arange(0.30, 0.91, 0.05))
PROBABILITY_BARS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""Bars on factcmp's fitted pair probability (``ClusterParams.bar``)."""
NEIGHBOURS = 10


@dataclass
class Inputs:
    """What a clusterer gets for one feed: articles, sentences, their vectors and annotations."""

    feed: Feed
    articles: list[Any]
    sentences: list[Any]
    vectors: np.ndarray
    annotations: list[Any]
    langs: list[str]


def cached_inputs(feed: Feed, model: str, seed: int) -> Inputs:
    """``embed_feed``, kept in ``TMP`` under a key of the seed, the model, the feed and the source
    of ``factcmp/annotate`` (annotating the feed takes minutes on the loaded machine)."""
    import hashlib
    import pickle

    import factcmp.annotate

    h = hashlib.sha256(f"{seed}|{model}|{feed.summary()}".encode())
    for path in sorted(Path(factcmp.annotate.__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    path = TMP / f"stories-quality-inputs-{h.hexdigest()[:16]}.v2.pkl"
    if path.exists():  # our own file, in the gitignored TMP: the vectors and annotations
        vectors, annotations = pickle.loads(path.read_bytes())
        lang_of = {a.id: a.lang for a in feed.articles}
        sentences = feed.sentences
        return Inputs(feed, feed.articles, sentences, vectors, annotations,
                      [lang_of[s.article_id] for s in sentences])
    inputs = embed_feed(feed, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((inputs.vectors, inputs.annotations)))
    return inputs


def embed_feed(feed: Feed, model: str) -> Inputs:
    from factcmp.annotate import annotate
    from factcmp.config import Settings
    from factcmp.embed.model import embed_texts, load_embedder

    sentences = feed.sentences
    texts = [s.text for s in sentences]
    unique = sorted(set(texts))
    embedder = load_embedder(Settings(model=model, cache_dir=TMP / "cache", use_cache=True))
    t0 = time.perf_counter()
    rows = dict(zip(unique, embed_texts(embedder, unique).vectors, strict=True))
    log.info("vectors of %d distinct sentences in %.1f s", len(unique), time.perf_counter() - t0)
    vectors = np.stack([rows[t] for t in texts]).astype(np.float32)
    lang_of = {a.id: a.lang for a in feed.articles}
    t0 = time.perf_counter()
    annotations = annotate(feed.articles, sentences)
    log.info("annotated %d sentences in %.1f s", len(sentences), time.perf_counter() - t0)
    return Inputs(feed, feed.articles, sentences, vectors, annotations,
                  [lang_of[s.article_id] for s in sentences])


def restrict(inputs: Inputs, folds: list[int]) -> Inputs:
    """The inputs of the sub-feed of ``folds`` (rows in the same order as its sentences)."""
    sub = inputs.feed.subset(folds)
    keep = {a.id for a in sub.articles}
    rows = [i for i, s in enumerate(inputs.sentences) if s.article_id in keep]
    return Inputs(sub, sub.articles, [inputs.sentences[i] for i in rows], inputs.vectors[rows],
                  [inputs.annotations[i] for i in rows], [inputs.langs[i] for i in rows])


# --- clusterers: (inputs, bar or None) -> stories as lists of article indexes -----------------

def mean_vectors(inputs: Inputs) -> np.ndarray:
    """Each article's mean language-centred sentence vector, unit length."""
    from factcmp.embed.model import centre_by_language, normalise

    centred, _ = centre_by_language(inputs.vectors, inputs.langs)
    index = {a.id: i for i, a in enumerate(inputs.articles)}
    rows = np.array([index[s.article_id] for s in inputs.sentences])
    sums = np.zeros((len(inputs.articles), centred.shape[1]), dtype=np.float32)
    np.add.at(sums, rows, centred)
    return normalise(sums)


def baseline(inputs: Inputs, bar: float | None) -> list[list[int]]:
    """kNN edges at or above ``bar``, connected components (no all-pairs step)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from factcmp.align.neighbours import nearest_other

    assert bar is not None
    x = mean_vectors(inputs)
    n = len(x)
    idx, sims = nearest_other(x, np.arange(n), min(NEIGHBOURS, n - 1))
    rows, cols = np.nonzero((idx >= 0) & (sims >= bar))
    graph = coo_matrix((np.ones(len(rows)), (rows, idx[rows, cols])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(label):
        groups.setdefault(int(g), []).append(i)
    return sorted(g for g in groups.values() if len(g) > 1)


def factcmp_clusterer() -> tuple[Callable[[Inputs, float | None], list[list[int]]], str | None]:
    """``factcmp.stories``' clustering (``article_features`` then ``cluster_articles``), and the
    name of the ``ClusterParams`` field that is its bar, if it has one."""
    import dataclasses
    import importlib

    cluster = importlib.import_module("factcmp.stories.cluster")
    vectors = importlib.import_module("factcmp.stories.vectors")
    params_type = getattr(cluster, "ClusterParams", None)
    fields = {f.name for f in dataclasses.fields(params_type)} if params_type else set()
    bar_name = next((p for p in ("threshold", "bar", "min_similarity", "link_bar") if p in fields),
                    None)

    def run(inputs: Inputs, bar: float | None) -> list[list[int]]:
        features = vectors.article_features(inputs.articles, inputs.sentences, inputs.vectors,
                                            inputs.annotations)
        params = params_type(**{bar_name: bar}) if bar_name and bar is not None else None
        groups = cluster.cluster_articles(features, params)
        return [sorted(g) for g in groups if len(g) > 1]

    return run, bar_name


# --- scores ---------------------------------------------------------------------------------

def scores(labels: list[int], stories: list[list[int]], feed: Feed) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score
    from sklearn.metrics.cluster import contingency_matrix

    n = len(labels)
    pred = list(range(-1, -n - 1, -1))  # a singleton of its own unless in a story
    for k, story in enumerate(stories):
        for i in story:
            pred[i] = k
    table = contingency_matrix(labels, pred)
    truth = np.array(labels)
    merged: set[tuple[int, int]] = set()
    decoys = Counter()
    for story in stories:
        real = sorted({labels[i] for i in story if labels[i] >= 0})
        merged.update((a, b) for k, a in enumerate(real) for b in real[k + 1:])
        for i in story:
            if labels[i] < 0:
                decoys["in_story_cluster" if real else "with_decoys_only"] += 1
    decoys["alone"] = int((truth < 0).sum()) - sum(decoys.values())
    kinds = Counter(f.kind for f in feed.items)
    alone = Counter(f.kind for i, f in enumerate(feed.items) if pred[i] < 0 and labels[i] >= 0)
    split = sum(1 for s in set(labels) if s >= 0 and len({pred[i] for i in np.flatnonzero(truth == s)}) > 1)
    return {
        "adjusted_rand": round(float(adjusted_rand_score(labels, pred)), 4),
        "purity": round(float(table.max(axis=0).sum() / n), 4),
        "inverse_purity": round(float(table.max(axis=1).sum() / n), 4),
        "stories_merged_pairs": len(merged),
        "clusters_with_two_or_more_stories": sum(
            len({labels[i] for i in s if labels[i] >= 0}) > 1 for s in stories),
        "stories_split": split,
        "stories": len({s for s in labels if s >= 0}),
        "decoys": dict(sorted(decoys.items())),
        "story_articles_left_alone": {k: f"{alone[k]}/{kinds[k]}" for k in sorted(kinds) if k != "decoy"},
        "clusters": len(stories),
    }


def cross_validate(inputs: Inputs, run: Callable[[Inputs, float | None], list[list[int]]],
                   bars: tuple[float, ...], truth: str) -> dict[str, Any]:
    """Choose the bar on four folds, measure on the fifth; then the whole feed at the median bar."""
    folds = []
    made: dict[tuple[tuple[int, ...], float], tuple[Inputs, list[list[int]]]] = {}

    def measure(fold_set: list[int], bar: float) -> dict[str, Any]:
        key = (tuple(fold_set), bar)
        if key not in made:
            sub = restrict(inputs, fold_set) if len(fold_set) < FOLDS else inputs
            made[key] = sub, run(sub, bar)
        sub, stories = made[key]
        return scores(sub.feed.labels(truth), stories, sub.feed)

    for k in range(FOLDS):
        train = [f for f in range(FOLDS) if f != k]
        curve = {bar: measure(train, bar) for bar in bars}
        best = max(bars, key=lambda b: (curve[b]["adjusted_rand"], curve[b]["purity"], b))
        folds.append({"fold": k, "bar": best, "train_adjusted_rand": curve[best]["adjusted_rand"],
                      "test": measure([k], best)})
        log.info("%s truth, fold %d: bar %.2f, test ARI %s", truth, k, best,
                 folds[-1]["test"]["adjusted_rand"])
    mean = {m: round(float(np.mean([f["test"][m] for f in folds])), 4)
            for m in ("adjusted_rand", "purity", "inverse_purity")}
    mean["stories_merged_pairs"] = sum(f["test"]["stories_merged_pairs"] for f in folds)
    chosen = float(np.median([f["bar"] for f in folds]))
    everything = list(range(FOLDS))
    curve = {str(bar): {m: v for m, v in measure(everything, bar).items()
                        if m in ("adjusted_rand", "purity", "inverse_purity", "stories_merged_pairs")}
             for bar in bars}
    return {"truth": truth, "cv_mean": mean, "folds": folds, "median_bar": chosen,
            "whole_feed_at_median_bar": measure(everything, chosen), "whole_feed_curve": curve}


TRUTHS = ("event", "document")


def main(argv: list[str] | None = None) -> None:
    from factcmp.config import DEFAULT_MODEL

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--methods", default="factcmp,baseline")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    feed = build_feed(seed=args.seed)
    inputs = cached_inputs(feed, args.model, args.seed)
    results: dict[str, Any] = {}
    for method in args.methods.split(","):
        t0 = time.perf_counter()
        if method == "baseline":
            results[method] = {t: cross_validate(inputs, baseline, BASELINE_BARS, t) for t in TRUTHS}
        elif method == "factcmp":
            try:
                run, bar_name = factcmp_clusterer()
            except ImportError as e:
                results[method] = {"missing": f"factcmp.stories not importable: {e}"}
                continue
            try:
                stories = run(inputs, None)
            except Exception as e:  # a clusterer under construction: say so in the results
                log.exception("factcmp.stories failed")
                results[method] = {"error": f"{type(e).__name__}: {e}"}
                continue
            results[method] = {"defaults": {t: scores(feed.labels(t), stories, feed) for t in TRUTHS}}
            if bar_name:
                results[method] |= {"bar_argument": bar_name} | {
                    t: cross_validate(inputs, run, PROBABILITY_BARS, t) for t in TRUTHS}
        else:
            sys.exit(f"unknown method {method!r}: factcmp, baseline")
        results[method]["seconds"] = round(time.perf_counter() - t0, 1)
    primary = next((m for m in ("factcmp", "baseline") if "event" in results.get(m, {})), None)
    payload = header("stories-quality", args.model) | {
        "data": {"origin": "NTREX-128 (Federmann, Kocmi & Xin 2022, CC BY-SA 4.0) via "
                           "benchmarks/stories_feed.py", "seed": args.seed, **feed.summary(),
                 "events": len({x for x in feed.labels("event") if x >= 0}),
                 "event_groups": [list(g) for g in EVENTS]},
        "targets": TARGETS,
        "primary_metric": {"name": f"{primary}.event.cv_mean.adjusted_rand" if primary else None,
                           "value": results[primary]["event"]["cv_mean"]["adjusted_rand"]
                           if primary else None},
        "metrics": results,
    }
    path = write_result("stories-quality", args.model, payload, args.out)
    for method, r in results.items():
        print(method, {k: r.get(k) for k in ("defaults", "missing", "error") if k in r})
        for t in TRUTHS:
            if t in r:
                print(f"  {t} truth: CV {r[t]['cv_mean']}, median bar {r[t]['median_bar']}")
                print("    whole feed at the median bar:", r[t]["whole_feed_at_median_bar"])
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
