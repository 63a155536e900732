"""Alignment at scale: time and peak memory of ``align()`` on 10^2..10^5 synthetic sentences.

    python benchmarks/scale.py [--sizes 100,1000,10000,100000] [--timeout 540]

The vectors are synthetic 384-d unit vectors shaped like sentence embeddings of news: a shared
direction (every sentence resembles every other, cosine about 0.6), a story direction, a fact
direction and noise, so that the sentences of one fact in the 2-4 articles of a story are
true pairs (cosine about 0.9) among look-alikes of the same story (about 0.75). One
``align()`` call gets all articles at once.

Two kNN back ends under the same ``align()`` (the benchmark wraps ``nearest_other`` to time
it and to pick the back end):

* ``exact``: factcmp's blockwise ``nearest_other`` (memory ``O(block_rows * n)``), forced
  even where factcmp would switch to HNSW by itself;
* ``hnsw``: faiss ``IndexHNSWFlat`` (inner product): factcmp's own ``approximate=True`` path
  where it has one, else this module's ``hnsw_nearest_other``; both search extra neighbours
  and drop those of the same article.

Each (size, back end) runs in its own process (``--repeats`` times where a run is short;
medians reported), so its peak RSS is its own: reported as the
rise of ``ru_maxrss`` during ``align()`` over the inputs already in memory. A run that passes
``--timeout`` seconds is stopped and recorded as such. Writes
``results/<date>-scale.json`` and ``results/<date>-scale.png``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from common import RESULTS, header, write_result

log = logging.getLogger("scale")
DIM = 384
# Squared weights of the components: shared, story, fact, noise (they sum to 1).
WEIGHTS = {"shared": 0.60, "story": 0.15, "fact": 0.15, "noise": 0.10}
FACTS_PER_STORY = 24
DROP = 0.15


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` unit vectors, the article of each (int) and its fact (int, unique per story)."""
    rng = np.random.default_rng(seed)
    articles, facts, stories = [], [], []
    a = story = 0
    while len(facts) < n:
        for _ in range(int(rng.integers(2, 5))):
            kept = [f for f in range(FACTS_PER_STORY) if rng.random() >= DROP]
            rng.shuffle(kept)
            facts += [story * FACTS_PER_STORY + f for f in kept]
            articles += [a] * len(kept)
            stories += [story] * len(kept)
            a += 1
        story += 1
    facts_a, articles_a, stories_a = (np.array(x[:n]) for x in (facts, articles, stories))
    shared = _unit(rng, 1)[0]
    story_dir = _unit(rng, int(stories_a.max()) + 1)
    fact_dir = _unit(rng, int(facts_a.max()) + 1)
    w = {k: math.sqrt(v) for k, v in WEIGHTS.items()}
    out = np.empty((n, DIM), dtype=np.float32)
    for lo in range(0, n, 8192):  # in chunks, so generating adds little to the peak
        hi = min(n, lo + 8192)
        x = (w["shared"] * shared + w["story"] * story_dir[stories_a[lo:hi]]
             + w["fact"] * fact_dir[facts_a[lo:hi]] + w["noise"] * _unit(rng, hi - lo))
        out[lo:hi] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out, articles_a, facts_a


def hnsw_nearest_other(vectors: np.ndarray, groups: np.ndarray, k: int, **_: Any
                       ) -> tuple[np.ndarray, np.ndarray]:
    """``nearest_other`` through faiss HNSW: same contract (index -1 / -inf pad rows)."""
    import faiss

    n = len(vectors)
    index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 64
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    index.add(x)
    extra = k + 32  # room for same-article neighbours, which are dropped
    index.hnsw.efSearch = max(64, 2 * extra)
    sims, idx = index.search(x, min(n, extra))
    same = (idx < 0) | (groups[np.maximum(idx, 0)] == groups[:, None])
    sims = np.where(same, -np.inf, sims).astype(np.float32)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    out_idx = np.take_along_axis(idx, order, axis=1)
    out_sims = np.take_along_axis(sims, order, axis=1)
    out_idx[~np.isfinite(out_sims)] = -1
    if out_idx.shape[1] < k:
        pad = k - out_idx.shape[1]
        out_idx = np.pad(out_idx, ((0, 0), (0, pad)), constant_values=-1)
        out_sims = np.pad(out_sims, ((0, 0), (0, pad)), constant_values=-np.inf)
    return out_idx, out_sims


def knn_backends(original: Any) -> tuple[Any, Any, dict[str, str]]:
    """Exact and HNSW kNN with ``nearest_other``'s contract.

    factcmp's own ``nearest_other`` when it has an ``approximate`` switch (it may pick HNSW
    by itself above some size, so "exact" forces it off); else factcmp's exact search and
    this module's faiss HNSW.
    """
    import functools
    import inspect

    if "approximate" in inspect.signature(original).parameters:
        return (functools.partial(original, approximate=False),
                functools.partial(original, approximate=True),
                {"exact": "factcmp nearest_other(approximate=False)",
                 "hnsw": "factcmp nearest_other(approximate=True)"})
    return original, hnsw_nearest_other, {"exact": "factcmp nearest_other",
                                          "hnsw": "benchmarks/scale.py hnsw_nearest_other"}


def worker(n: int, method: str, seed: int) -> dict[str, Any]:
    """One measurement, in this process: build the inputs, then time ``align()``."""
    import factcmp.align.score as fa
    from factcmp.align import align as align_all
    from factcmp.types import Sentence

    vectors, articles, facts = synthetic(n, seed)
    sentences = [Sentence(f"a{a}", i, "", 0, 0) for i, a in enumerate(articles)]
    original = fa.nearest_other
    exact_knn, approx_knn, impl = knn_backends(original)
    knn_s: list[float] = []

    def timed_knn(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = (approx_knn if method == "hnsw" else exact_knn)(*args, **kwargs)
        knn_s.append(time.perf_counter() - t0)
        return out

    # Warm up: the first align() imports sklearn and unidecode, which is no part of its cost.
    align_all([Sentence("w0", 0, "Riga 2024", 0, 9), Sentence("w1", 0, "Rīga 2024", 0, 9)],
             vectors[:2])
    if method == "hnsw":
        import faiss  # noqa: F401
    fa.nearest_other = timed_knn  # align() looks the name up at call time
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    claims = align_all(sentences, vectors)
    seconds = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fa.nearest_other = original
    fact_of = {s.id: int(f) for s, f in zip(sentences, facts, strict=True)}
    links = [(l.a, l.b) for c in claims for l in c.links]
    true_links = sum(fact_of[a] == fact_of[b] for a, b in links)
    # Gold pairs: same fact in two articles of its story.
    counts = np.bincount(facts)
    gold = int((counts * (counts - 1) // 2).sum())
    in_claim = sum(len(c.members) * (len(c.members) - 1) // 2 for c in claims)
    result = {
        "n": n, "method": method, "knn_impl": impl[method], "seconds": round(seconds, 3),
        "knn_seconds": round(sum(knn_s), 3), "knn_calls": len(knn_s),
        "peak_rss_rise_mb": round((rss1 - rss0) / 1024, 1),
        "inputs_rss_mb": round(rss0 / 1024, 1),
        "articles": int(articles.max()) + 1, "links": len(links),
        "link_precision": round(true_links / max(1, len(links)), 4),
        "gold_pairs": gold, "claim_pairs": in_claim,
        "link_pairs": sorted(links) if n <= 10_000 else None,
    }
    if method == "hnsw" and n <= 10_000 and knn_s:  # kNN recall against the exact neighbours
        groups = articles
        k = max(fa.AlignParams().neighbours, fa.AlignParams().candidates)
        e_idx, _ = exact_knn(vectors, groups, min(k, n))
        h_idx, _ = approx_knn(vectors, groups, min(k, n))
        hits = sum(len(set(e[e >= 0]) & set(h[h >= 0])) for e, h in zip(e_idx, h_idx, strict=True))
        result["hnsw_knn_recall"] = round(hits / max(1, int((e_idx >= 0).sum())), 4)
    return result


def run(n: int, method: str, seed: int, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", "--sizes", str(n), "--methods", method,
           "--seed", str(seed)]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"n": n, "method": method, "timed_out": True, "seconds": None, "timeout_s": timeout}
    except subprocess.CalledProcessError as e:
        return {"n": n, "method": method, "error": e.stderr[-2000:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - t0, 1)
    return result


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for method, style, colour in (("exact", "o-", "C0"), ("hnsw", "s--", "C1")):
        ok = [r for r in rows if r["method"] == method and r.get("seconds") is not None]
        ax1.plot([r["n"] for r in ok], [r["seconds"] for r in ok], style, color=colour,
                 label=f"{method}: align()")
        ax1.plot([r["n"] for r in ok], [r["knn_seconds"] for r in ok], style, color=colour,
                 alpha=0.35, label=f"{method}: kNN only")
        ax2.plot([r["n"] for r in ok], [max(r["peak_rss_rise_mb"], 0.1) for r in ok], style,
                 color=colour, label=method)
        for r in rows:
            if r["method"] == method and r.get("timed_out"):
                ax1.annotate(f"{method} > {r['timeout_s']:.0f} s", (r["n"], r["timeout_s"]),
                             fontsize=8)
    ax1.axhline(60, color="grey", lw=0.8, ls=":")
    ax1.annotate("60 s target", (min(r["n"] for r in rows), 60), fontsize=7, color="grey")
    ax1.set(xscale="log", yscale="log", xlabel="sentences", ylabel="seconds (wall)",
            title="align() time")
    ax2.set(xscale="log", yscale="log", xlabel="sentences", ylabel="MB", title="peak RSS rise in align()")
    ax1.legend(fontsize=7)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def crossover(rows: list[dict[str, Any]]) -> str:
    by = {(r["n"], r["method"]): r for r in rows}
    sizes = sorted({r["n"] for r in rows})
    faster = []
    for n in sizes:
        e, h = by.get((n, "exact")), by.get((n, "hnsw"))
        if not e or not h or h.get("seconds") is None:
            continue
        e_s = e.get("seconds") or math.inf
        faster.append((n, "hnsw" if h["seconds"] < e_s else "exact"))
    for (n0, w0), (n1, w1) in itertools.pairwise(faster):
        if w0 == "exact" and w1 == "hnsw":
            return f"exact is faster up to {n0} sentences, HNSW from {n1} on"
    if faster and all(w == "hnsw" for _, w in faster):
        return "HNSW is faster at every size measured"
    if faster and all(w == "exact" for _, w in faster):
        return "exact is faster at every size measured"
    return "no single crossing: " + ", ".join(f"{n}: {w}" for n, w in faster)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000,100000")
    ap.add_argument("--methods", default="exact,hnsw")
    ap.add_argument("--timeout", type=float, default=540.0, help="seconds per (size, method) run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3, help="runs per (size, method); medians")
    ap.add_argument("--repeat-below", type=float, default=60.0,
                    help="repeat only runs shorter than this many seconds")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    methods = args.methods.split(",")
    if args.worker:
        print(json.dumps(worker(sizes[0], methods[0], args.seed)))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rows = []
    for n in sizes:
        for method in methods:
            runs = [run(n, method, args.seed, args.timeout)]
            # Repeat what is quick; a run of minutes is measured once.
            while (len(runs) < args.repeats and runs[-1].get("seconds") is not None
                   and runs[-1]["seconds"] < args.repeat_below):
                runs.append(run(n, method, args.seed, args.timeout))
            r = runs[-1]
            if r.get("seconds") is not None:
                for key in ("seconds", "knn_seconds", "peak_rss_rise_mb"):
                    r[f"{key}_runs"] = [x[key] for x in runs]
                    r[key] = round(float(np.median(r[f"{key}_runs"])), 3)
            log.info("%s", {k: v for k, v in r.items() if k != "link_pairs"})
            rows.append(r)
    by = {(r["n"], r["method"]): r for r in rows}
    for n in sizes:  # how far HNSW's links agree with exact ones
        e, h = by.get((n, "exact")), by.get((n, "hnsw"))
        if e and h and e.get("link_pairs") is not None and h.get("link_pairs") is not None:
            a, b = {tuple(p) for p in e["link_pairs"]}, {tuple(p) for p in h["link_pairs"]}
            h["links_shared_with_exact"] = round(len(a & b) / max(1, len(a | b)), 4)
    for r in rows:
        r.pop("link_pairs", None)
    day = time.strftime("%Y-%m-%d")
    png = (args.out.with_suffix(".png") if args.out else RESULTS / f"{day}-scale.png")
    plot(rows, png)
    big = by.get((max(sizes), "exact")), by.get((max(sizes), "hnsw"))
    payload = header("scale", "synthetic-384d") | {
        "params": {"dim": DIM, "weights": WEIGHTS, "facts_per_story": FACTS_PER_STORY,
                   "articles_per_story": "2-4", "drop": DROP, "seed": args.seed,
                   "timeout_s": args.timeout, "hnsw": {"M": 32, "efConstruction": 64}},
        "crossover": crossover(rows),
        "plot": png.name,
        "targets": {"align_1e5_under_60s": {
            m: (r.get("seconds") is not None and r["seconds"] < 60) if r else None
            for m, r in zip(("exact", "hnsw"), big)}},
        "primary_metric": {"name": f"exact.align_seconds@{max(sizes)}",
                           "value": big[0].get("seconds") if big[0] else None},
        "metrics": {"runs": rows},
    }
    path = write_result("scale", None, payload, args.out)
    from rich.console import Console
    from rich.table import Table

    t = Table(title="align() at scale (synthetic 384-d)")
    for col in ("n", "method", "align s", "kNN s", "peak RSS rise MB", "link precision", "links = exact"):
        t.add_column(col, justify="right")
    for r in rows:
        t.add_row(str(r["n"]), r["method"],
                  "timeout" if r.get("timed_out") else str(r.get("seconds", "error")),
                  str(r.get("knn_seconds", "")), str(r.get("peak_rss_rise_mb", "")),
                  str(r.get("link_precision", "")), str(r.get("links_shared_with_exact", "")))
    Console().print(t)
    print(payload["crossover"])
    print(f"wrote {path} and {png}")


if __name__ == "__main__":
    main()
