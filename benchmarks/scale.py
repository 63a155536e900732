"""Alignment at scale: time and peak memory of ``align()`` on 10^2..10^5 synthetic sentences,
beside a plain faiss baseline.

    python benchmarks/scale.py [--sizes 1000,10000,100000] [--methods auto,exact,ivf,faiss-ivf]
                               [--threads 1] [--timeout 900]

The vectors are synthetic 384-d unit vectors shaped like sentence embeddings of news: a shared
direction (every sentence resembles every other, cosine about 0.6), a story direction, a fact
direction and noise, so that the sentences of one fact in the 2-4 articles of a story are
true pairs (cosine about 0.9) among look-alikes of the same story (about 0.75). One
``align()`` call gets all articles at once.

Methods (each (size, method) in its own process, so that its peak RSS is its own):

* ``auto``: ``align()`` as shipped (``nearest_other`` picks exact or the IVF index by size);
* ``exact`` / ``ivf``: ``align()`` with ``nearest_other`` forced exact / to the IVF index;
* ``faiss-ivf`` (the baseline): no ``align()``, only what plain faiss does for its first step
  with the same settings: an ``IndexIVFFlat`` (inner product) with the same lists (4 sqrt n)
  and probes (16), trained the way faiss is usually trained (faiss's k-means defaults, 40
  points per list, as factcmp did before issue 13), searching the same 32 neighbours plus 8 for
  the row's own article, dropped;
* ``faiss-flat``: the same with faiss's exact ``knn`` (inner product).

Time is wall seconds of the call; memory the rise of ``ru_maxrss`` during it over the inputs
already in memory. ``--threads`` applies to faiss, numpy's BLAS (threadpoolctl) and factcmp
alike. Runs shorter than ``--repeat-below`` are repeated (medians). A run that passes
``--timeout`` seconds is stopped and recorded as such. Writes ``results/<date>-scale.json``
and ``results/<date>-scale.png``.
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


CANDIDATES = 32  # factcmp's AlignParams().candidates: the neighbours align() asks for
ROOM = 8  # extra neighbours for the row's own article


def baseline(vectors: np.ndarray, groups: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Plain faiss: the 32 nearest sentences of other articles for every sentence."""
    import faiss

    n, d = vectors.shape
    k = min(n, CANDIDATES + ROOM)
    if method == "faiss-flat":
        sims, idx = faiss.knn(vectors, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    else:
        lists = int(4 * np.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, lists, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, min(n, lists * 40), replace=False)
        index.train(vectors[np.sort(sample)])
        index.add(vectors)
        index.nprobe = 16
        sims, idx = index.search(vectors, k)
    same = (idx < 0) | (groups[np.maximum(idx, 0)] == groups[:, None])
    sims = np.where(same, -np.inf, sims).astype(np.float32)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :CANDIDATES]
    return np.take_along_axis(idx, order, axis=1), np.take_along_axis(sims, order, axis=1)


def worker(n: int, method: str, seed: int, threads: int) -> dict[str, Any]:
    """One measurement, in this process: build the inputs, then time ``align()`` (or the
    baseline)."""
    import faiss
    from threadpoolctl import threadpool_limits

    from factcmp import threads as factcmp_threads
    from factcmp.align import align as align_all
    from factcmp.align import features
    from factcmp.types import Sentence

    threadpool_limits(threads)
    factcmp_threads.use(threads)
    faiss.omp_set_num_threads(threads)
    vectors, articles, facts = synthetic(n, seed)
    result: dict[str, Any] = {"n": n, "method": method, "threads": threads,
                              "articles": int(articles.max()) + 1}
    if method.startswith("faiss"):
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        baseline(vectors, articles, method)
        result["seconds"] = result["knn_seconds"] = round(time.perf_counter() - t0, 3)
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result["peak_rss_rise_mb"] = round((rss1 - rss0) / 1024, 1)
        result["inputs_rss_mb"] = round(rss0 / 1024, 1)
        return result
    sentences = [Sentence(f"a{a}", i, "", 0, 0) for i, a in enumerate(articles)]
    original = features.nearest_other
    approximate = {"exact": False, "ivf": True, "auto": None}[method]
    knn_s: list[float] = []

    def timed_knn(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = original(*args, **kwargs, approximate=approximate)
        knn_s.append(time.perf_counter() - t0)
        return out

    # Warm up: the first align() imports what it needs, which is no part of its cost.
    align_all([Sentence("w0", 0, "Riga 2024", 0, 9), Sentence("w1", 0, "Rīga 2024", 0, 9)],
             vectors[:2])
    features.nearest_other = timed_knn  # pair_features looks the name up at call time
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    claims = align_all(sentences, vectors)
    seconds = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    features.nearest_other = original
    fact_of = {s.id: int(f) for s, f in zip(sentences, facts, strict=True)}
    links = [(l.a, l.b) for c in claims for l in c.links]
    true_links = sum(fact_of[a] == fact_of[b] for a, b in links)
    # Gold pairs: same fact in two articles of its story.
    counts = np.bincount(facts)
    gold = int((counts * (counts - 1) // 2).sum())
    in_claim = sum(len(c.members) * (len(c.members) - 1) // 2 for c in claims)
    result |= {
        "seconds": round(seconds, 3), "knn_seconds": round(sum(knn_s), 3),
        "knn_calls": len(knn_s), "peak_rss_rise_mb": round((rss1 - rss0) / 1024, 1),
        "inputs_rss_mb": round(rss0 / 1024, 1), "links": len(links),
        "link_precision": round(true_links / max(1, len(links)), 4),
        "link_recall": round(true_links / max(1, gold), 4),
        "gold_pairs": gold, "claim_pairs": in_claim,
        "link_pairs": sorted(links) if n <= 10_000 else None,
    }
    return result


def run(n: int, method: str, seed: int, timeout: float, threads: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", "--sizes", str(n), "--methods", method,
           "--seed", str(seed), "--threads", str(threads)]
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


STYLE = {"auto": ("o-", "C0"), "exact": ("^:", "C2"), "ivf": ("s--", "C1"),
         "faiss-ivf": ("x-", "C3"), "faiss-flat": ("+:", "C4")}


def plot(rows: list[dict[str, Any]], path: Path) -> bool:
    """Draw the PNG; ``False`` when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        log.warning("matplotlib is not installed: no plot (pip install matplotlib)")
        return False

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for method, (style, colour) in STYLE.items():
        ok = [r for r in rows if r["method"] == method and r.get("seconds") is not None]
        if not ok:
            continue
        label = method if method.startswith("faiss") else f"align() {method}"
        ax1.plot([r["n"] for r in ok], [r["seconds"] for r in ok], style, color=colour, label=label)
        ax2.plot([r["n"] for r in ok], [max(r["peak_rss_rise_mb"], 0.1) for r in ok], style,
                 color=colour, label=label)
        for r in rows:
            if r["method"] == method and r.get("timed_out"):
                ax1.annotate(f"{method} > {r['timeout_s']:.0f} s", (r["n"], r["timeout_s"]),
                             fontsize=8)
    ax1.set(xscale="log", yscale="log", xlabel="sentences", ylabel="seconds (wall)",
            title="time")
    ax2.set(xscale="log", yscale="log", xlabel="sentences", ylabel="MB", title="peak RSS rise")
    ax1.legend(fontsize=7)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def crossover(rows: list[dict[str, Any]]) -> str:
    """Where the IVF index starts to beat the exact search (kNN seconds inside align())."""
    by = {(r["n"], r["method"]): r for r in rows}
    faster = []
    for n in sorted({r["n"] for r in rows}):
        e, h = by.get((n, "exact")), by.get((n, "ivf"))
        if not e or not h or h.get("knn_seconds") is None:
            continue
        e_s = e.get("knn_seconds") or math.inf
        faster.append((n, "ivf" if h["knn_seconds"] < e_s else "exact"))
    if not faster:
        return "not measured (run the exact and ivf methods)"
    for (n0, w0), (n1, w1) in itertools.pairwise(faster):
        if w0 == "exact" and w1 == "ivf":
            return f"exact search is faster up to {n0} sentences, the IVF index from {n1} on"
    if faster and len({w for _, w in faster}) == 1:
        return f"{faster[0][1]} is faster at every size measured"
    return "no single crossing: " + ", ".join(f"{n}: {w}" for n, w in faster)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,3000,10000,100000")
    ap.add_argument("--methods", default="auto,exact,ivf,faiss-ivf")
    ap.add_argument("--threads", type=int, default=1, help="for faiss, BLAS and factcmp")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per (size, method) run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3, help="runs per (size, method); medians")
    ap.add_argument("--repeat-below", type=float, default=20.0,
                    help="repeat only runs shorter than this many seconds")
    ap.add_argument("--max-exact", type=int, default=30_000,
                    help="skip the forced-exact and faiss-flat runs above this many sentences")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    methods = args.methods.split(",")
    if args.worker:
        print(json.dumps(worker(sizes[0], methods[0], args.seed, args.threads)))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rows = []
    for n in sizes:
        for method in methods:  # side by side: each size's methods run one after the other
            if method in ("exact", "faiss-flat") and n > args.max_exact:
                continue
            runs = [run(n, method, args.seed, args.timeout, args.threads)]
            # Repeat what is quick; a run of minutes is measured once.
            while (len(runs) < args.repeats and runs[-1].get("seconds") is not None
                   and runs[-1]["seconds"] < args.repeat_below):
                runs.append(run(n, method, args.seed, args.timeout, args.threads))
            r = runs[-1]
            if r.get("seconds") is not None:
                for key in ("seconds", "knn_seconds", "peak_rss_rise_mb"):
                    r[f"{key}_runs"] = [x[key] for x in runs]
                    r[key] = round(float(np.median(r[f"{key}_runs"])), 3)
            log.info("%s", {k: v for k, v in r.items() if k != "link_pairs"})
            rows.append(r)
    by = {(r["n"], r["method"]): r for r in rows}
    for n in sizes:  # how far the other methods' links agree with the exact search's
        e = by.get((n, "exact"))
        for method in ("auto", "ivf"):
            h = by.get((n, method))
            if e and h and e.get("link_pairs") is not None and h.get("link_pairs") is not None:
                a, b = {tuple(p) for p in e["link_pairs"]}, {tuple(p) for p in h["link_pairs"]}
                h["links_shared_with_exact"] = round(len(a & b) / max(1, len(a | b)), 4)
                h["links_identical_to_exact"] = a == b
    ratios = {}
    for n in sizes:
        auto, base = by.get((n, "auto")), by.get((n, "faiss-ivf"))
        if auto and base and auto.get("seconds") and base.get("seconds"):
            ratios[str(n)] = {
                "time": round(auto["seconds"] / base["seconds"], 3),
                "memory": round(auto["peak_rss_rise_mb"] / max(base["peak_rss_rise_mb"], 0.1), 3),
            }
    for r in rows:
        r.pop("link_pairs", None)
    day = time.strftime("%Y-%m-%d")
    png = (args.out.with_suffix(".png") if args.out else RESULTS / f"{day}-scale.png")
    plotted = plot(rows, png)
    big = str(max(sizes))
    payload = header("scale", "synthetic-384d") | {
        "params": {"dim": DIM, "weights": WEIGHTS, "facts_per_story": FACTS_PER_STORY,
                   "articles_per_story": "2-4", "drop": DROP, "seed": args.seed,
                   "threads": args.threads, "timeout_s": args.timeout,
                   "baseline": {"lists": "4 sqrt(n)", "nprobe": 16, "train_points_per_list": 40,
                                "kmeans_iterations": "faiss default (25)",
                                "neighbours": CANDIDATES, "room": ROOM}},
        "crossover": crossover(rows),
        "plot": png.name if plotted else None,
        "align_over_faiss_ivf": ratios,
        "targets": {"align_1e5_within_faiss_baseline": (
            ratios[big]["time"] <= 1 and ratios[big]["memory"] <= 1) if big in ratios else None},
        "primary_metric": {"name": f"auto.align_seconds@{big}",
                           "value": (by.get((max(sizes), "auto")) or {}).get("seconds")},
        "metrics": {"runs": rows},
    }
    path = write_result("scale", None, payload, args.out)
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"align() at scale (synthetic 384-d, {args.threads} thread(s))")
    for col in ("n", "method", "s", "kNN s", "peak RSS rise MB", "link precision",
                "links = exact"):
        t.add_column(col, justify="right")
    for r in rows:
        t.add_row(str(r["n"]), r["method"],
                  "timeout" if r.get("timed_out") else str(r.get("seconds", "error")),
                  str(r.get("knn_seconds", "")), str(r.get("peak_rss_rise_mb", "")),
                  str(r.get("link_precision", "")), str(r.get("links_identical_to_exact", "")))
    Console().print(t)
    print(payload["crossover"])
    print("align() (auto) / faiss-ivf baseline:", ratios)
    print(f"wrote {path}" + (f" and {png}" if plotted else ""))


if __name__ == "__main__":
    main()
