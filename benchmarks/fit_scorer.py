"""Fit the aligner's pair scorer and choose its bars by cross-validation, in one command.

    python benchmarks/fit_scorer.py [--gbm] [--no-write]

Labelled pairs come from two sources (every candidate pair that ``factcmp.align`` scores):

* NTREX-128 stories (Federmann et al. 2022, CC BY-SA 4.0; ``ntrex_stories.py``): versions
  of one document; two sentences state one claim iff they are the same document line. Pairs of
  an article of one story with an article of another ("unrelated") are all negatives.
* the seed gold (``corpus/putin-kim/gold.json``, made by us): five independently written
  articles; gold same-claim pairs are positives, the rest negatives (the 22 near misses too).

NTREX gives ~100,000 pairs of translations, the seed ~1,700 of independent reports; each
source gets the same total weight (the unrelated pairs 0.3 of it), so the independent-article
case is not drowned out.

Cross-validation, five folds: fold f leaves out seed article f (the model never sees a pair
involving it: leave-one-article-out) and the NTREX stories numbered f mod 5. Every seed pair
gets the mean of its two held-out predictions, every NTREX pair its one. Claims are built from
those held-out probabilities and the bars chosen on the curves:

* the link bar (independent articles) on the seed: the best F0.5 of its links (recall over
  the 51 gold pairs; precision over every cross-article pair put in one claim, since the gold
  lists every sentence of every shared claim), with at most 2 of the 22 near misses linked.
  Precision counts twice: every "states" must be true, and what falls short is "possibly";
* the versions bar (two versions of one story, ``parallel`` >= ``VERSIONS_PARALLEL``) and the
  duplicate bar on NTREX: the best silent-line accuracy with claim-link F1 >= 0.95;
* the possible bar on the seed (independent articles: where claims go unlinked): the lowest
  bar under the link bar at which at most half of the truly silent (article, gold claim) cells
  are "possibly" (the curve also counts the missed carriers it catches).

Then the scorer is fitted on all pairs and written to ``factcmp/align/weights.json``;
figures go to ``benchmarks/results/<date>-scorer.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from common import ROOT, TMP, header, write_result
from metrics import StoryScores
from ntrex_stories import DEFAULT_SEED, build_stories, load_ntrex
from seedgold import gold_pairs, locate

from factcmp.align.features import FEATURES, pair_features
from factcmp.align.group import STRONG_LINK, group_claims
from factcmp.align.score import WEIGHTS_PATH
from factcmp.annotate import annotate
from factcmp.config import Settings
from factcmp.embed import centre_by_language, embed_texts, load_embedder
from factcmp.pipeline import load_corpus
from factcmp.types import Article, Claim, Sentence

STORY = ROOT / "corpus" / "putin-kim"
FOLDS = 5
SEED_SHARE = 1.0  # the seed's total weight, relative to NTREX's
UNRELATED_SHARE = 0.3
SINGLES_SHARE = 0.3
LINK_BARS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
VERSIONS_BARS = (0.03, 0.05, 0.1, 0.2, 0.3, 0.5)
DUPLICATE_BARS = (0.3, 0.5, 0.7)
SEED_DUPLICATE = 0.5
VERSIONS_PARALLEL = 0.3
"""Article pairs whose ``parallel`` evidence reaches this are versions of one story. Measured
(results JSON, ``parallel``): independent seed article pairs 0.19-0.25, unrelated NTREX
article pairs 0.07-0.23, versions of one NTREX story 0.20-0.65 (1st percentile 0.29)."""
POSSIBLE_BARS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
PER_ARTICLE = 3
TARGET_NEAR = 2
TARGET_NTREX = 0.95


@dataclass
class Corpus:
    """One set of articles aligned together, its candidate pairs, evidence and labels."""

    name: str
    source: str  # "seed", "ntrex" or "unrelated"
    fold: int  # -1: the seed (its folds are its articles)
    articles: list[Article]
    sentences: list[Sentence]
    pairs: np.ndarray
    X: np.ndarray
    y: np.ndarray
    story: Any = None
    annotations: list[Any] | None = None


def build(name: str, source: str, fold: int, articles: list[Article], sentences: list[Sentence],
          same: Any, story: Any = None, *, rows: dict[str, np.ndarray]) -> Corpus:
    vectors = np.stack([rows[s.text] for s in sentences])
    lang = {a.id: a.lang for a in articles}
    langs = [lang[s.article_id] for s in sentences]
    annotations = annotate(articles, sentences)
    centred, _ = centre_by_language(vectors, langs)
    pairs, X = pair_features(sentences, centred, langs, annotations)
    ids = [s.id for s in sentences]
    y = np.array([same(ids[i], ids[j]) for i, j in pairs.tolist()], dtype=np.int8)
    return Corpus(name, source, fold, articles, sentences, pairs, X, y, story, annotations)


def load_data() -> tuple[Corpus, list[Corpus], list[Corpus], dict[str, Any]]:
    embedder = load_embedder(Settings(cache_dir=TMP / "cache"))
    articles, sentences = load_corpus([STORY])
    stories = build_stories(load_ntrex(), seed=DEFAULT_SEED)
    texts = sorted({s.text for s in sentences} | {s.text for st in stories for s in st.sentences})
    rows = dict(zip(texts, embed_texts(embedder, texts).vectors, strict=True))

    gold = json.loads((STORY / "gold.json").read_text(encoding="utf-8"))
    same, near = gold_pairs(gold, articles, sentences)
    positive = {frozenset((x, y)) for a, b in same for x in a for y in b}
    seed = build("seed", "seed", -1, articles, sentences,
                 lambda x, y: frozenset((x, y)) in positive, rows=rows)
    ntrex = []
    for k, st in enumerate(stories):
        line = st.line_of
        ntrex.append(build(f"story{k}", "ntrex", k % FOLDS, st.articles, st.sentences,
                           lambda x, y, line=line: line[x] == line[y], st, rows=rows))
    unrelated = []
    for k, (first, second) in enumerate(zip(stories[0::2], stories[1::2])):
        a, b = first.articles[0], second.articles[-1]
        if a.lang == b.lang:
            continue
        ss = [s for s in first.sentences if s.article_id == a.id]
        ss += [s for s in second.sentences if s.article_id == b.id]
        unrelated.append(build(f"unrelated{k}", "unrelated", (2 * k) % FOLDS, [a, b], ss,
                               lambda x, y: False, rows=rows))
    singles = [build(f"singles{k}", "singles", k % FOLDS, *one_line_articles(stories, k),
                     rows=rows) for k in range(0, len(stories), 3)]
    by_id = {a.id: a for a in articles}
    gold_claims = [sorted({sid for r in c["sentences"] for sid in locate(r, by_id, sentences)})
                   for c in gold["claims"]]
    return seed, ntrex, unrelated + singles, {"same": same, "near": near, "claims": gold_claims,
                                              "model": embedder.model_id}


def one_line_articles(stories: list[Any], k: int) -> tuple[list[Article], list[Sentence], Any]:
    """Articles of one sentence each (where ranks within an article say nothing): four lines
    of story ``k``, each told by two of its versions, and eight lines of other stories."""
    story = stories[k]
    line_of = story.line_of
    shared = sorted({n for n in line_of.values() if len(story.carriers(n)) >= 2})[:4]
    picked: list[tuple[str, str, str]] = []  # (label, lang, text)
    for n in shared:
        sids = [sid for sid, m in line_of.items() if m == n][:2]
        for sid in sids:
            art = next(a for a in story.articles if a.id == sid.split(":")[0])
            text = next(s.text for s in story.sentences if s.id == sid)
            picked.append((f"{k}-{n}", art.lang, text))
    for j in range(1, 9):
        other = stories[(k + 7 * j) % len(stories)]
        s = other.sentences[j % len(other.sentences)]
        lang = next(a.lang for a in other.articles if a.id == s.article_id)
        picked.append((f"other{j}", lang, s.text))
    articles = [Article(id=f"s{k}-{i:02d}", path="ntrex", lang=lang, text=text)
                for i, (_, lang, text) in enumerate(picked)]
    sentences = [Sentence(a.id, 0, a.text, 0, len(a.text)) for a in articles]
    label = {a.id + ":0": lab for a, (lab, _, _) in zip(articles, picked)}
    return articles, sentences, lambda x, y: label[x] == label[y]


def make_model(kind: str) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "lr":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                          min_samples_leaf=40, l2_regularization=1.0,
                                          random_state=0)


def seed_folds(seed: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """Each seed pair's two articles as fold numbers (articles in id order)."""
    fold = {a: n for n, a in enumerate(sorted(a.id for a in seed.articles))}
    art = np.array([fold[s.article_id] for s in seed.sentences])
    return art[seed.pairs[:, 0]], art[seed.pairs[:, 1]]


def training_set(seed: Corpus, seed_rows: np.ndarray, others: list[Corpus]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ntrex = [c for c in others if c.source == "ntrex"]
    unrelated = [c for c in others if c.source == "unrelated"]
    singles = [c for c in others if c.source == "singles"]
    n_ntrex = sum(len(c.y) for c in ntrex)
    n_unrelated = max(sum(len(c.y) for c in unrelated), 1)
    n_singles = max(sum(len(c.y) for c in singles), 1)
    X = [seed.X[seed_rows]] + [c.X for c in ntrex + unrelated + singles]
    y = [seed.y[seed_rows]] + [c.y for c in ntrex + unrelated + singles]
    w = [np.full(int(seed_rows.sum()), SEED_SHARE * n_ntrex / max(int(seed_rows.sum()), 1))]
    w += [np.ones(len(c.y)) for c in ntrex]
    w += [np.full(len(c.y), UNRELATED_SHARE * n_ntrex / n_unrelated) for c in unrelated]
    w += [np.full(len(c.y), SINGLES_SHARE * n_ntrex / n_singles) for c in singles]
    return np.concatenate(X), np.concatenate(y), np.concatenate(w)


def fit(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> Any:
    model = make_model(kind)
    if kind == "lr":
        model.fit(X, y, logisticregression__sample_weight=w)
    else:
        model.fit(X, y, sample_weight=w)
    return model


def held_out(kind: str, seed: Corpus, corpora: list[Corpus]) -> dict[str, np.ndarray]:
    """Each corpus's pair probabilities from the fold that did not see it."""
    fa, fb = seed_folds(seed)
    seed_sum = np.zeros(len(seed.y))
    out: dict[str, np.ndarray] = {}
    for f in range(FOLDS):
        keep = (fa != f) & (fb != f)
        model = fit(kind, *training_set(seed, keep, [c for c in corpora if c.fold != f]))
        seed_sum[~keep] += model.predict_proba(seed.X[~keep])[:, 1]
        for c in corpora:
            if c.fold == f:
                out[c.name] = model.predict_proba(c.X)[:, 1]
    out["seed"] = seed_sum / np.where(fa == fb, 1, 2)
    return out


def claims(c: Corpus, p: np.ndarray, link: float, versions: float, duplicate: float,
           possible: float) -> list[Claim]:
    parallel = c.X[:, FEATURES.index("parallel")]
    bars = np.where(parallel >= VERSIONS_PARALLEL, versions, link).astype(np.float32)
    return group_claims(c.sentences, c.pairs, p.astype(np.float32), link_bar=bars,
                        duplicate_bar=duplicate, possible_bar=possible, per_article=PER_ARTICLE)


def seed_score(found: list[Claim], gold: dict[str, Any]) -> tuple[int, int, int, int]:
    """Gold pairs linked, near misses linked, and the cross-article sentence pairs put in one
    claim that are gold pairs / that are not (the gold lists every sentence of every claim
    two articles state, so any other pair in a claim is a false link)."""
    claim_of = {sid: c.id for c in found for sid in c.members}
    positive = {frozenset((x, y)) for a, b in gold["same"] for x in a for y in b}

    def linked(a: list[str], b: list[str]) -> bool:
        return any(claim_of[x] == claim_of[y] for x in a for y in b)

    true = false = 0
    for c in found:
        for n, x in enumerate(c.members):
            for y in c.members[n + 1 :]:
                if x.split(":")[0] != y.split(":")[0]:
                    true += int(frozenset((x, y)) in positive)
                    false += int(frozenset((x, y)) not in positive)
    return (sum(int(linked(a, b)) for a, b in gold["same"]),
            sum(int(linked(a, b)) for a, b in gold["near"]), true, false)


def ntrex_score(corpora: list[Corpus], probs: dict[str, np.ndarray], link: float,
                versions: float, duplicate: float) -> tuple[float, float]:
    scores = StoryScores()
    for c in corpora:
        found = claims(c, probs[c.name], link, versions, duplicate, 1.0)
        claim_of = {sid: cl.id for cl in found for sid in cl.members}
        scores._links(c.story, c.story.line_of, claim_of)
        scores._silent(c.story, c.story.line_of, claim_of, {cl.id: cl.members for cl in found})
    r = scores.result()
    return r["claim_links"]["lv_sl_is"]["f1"], r["silent"]["line_accuracy"]


def unrelated_linked(corpora: list[Corpus], probs: dict[str, np.ndarray], link: float,
                     versions: float, duplicate: float) -> float:
    linked = total = 0
    for c in corpora:
        found = claims(c, probs[c.name], link, versions, duplicate, 1.0)
        linked += sum(len(cl.members) for cl in found if len(cl.members) > 1)
        total += len(c.sentences)
    return round(linked / max(total, 1), 4)


def seed_curve(seed: Corpus, unrelated: list[Corpus], probs: dict[str, np.ndarray],
               gold: dict[str, Any]) -> list[dict[str, Any]]:
    """Per link bar (independent articles): the seed's gold pairs and near misses linked, its
    link precision and F0.5, and the share of sentences linked between unrelated articles."""
    rows = []
    for link in LINK_BARS:
        pl, nl, true, false = seed_score(
            claims(seed, probs["seed"], link, link, SEED_DUPLICATE, 1.0), gold)
        recall, precision = pl / len(gold["same"]), true / max(true + false, 1)
        f05 = 1.25 * precision * recall / max(0.25 * precision + recall, 1e-9)
        rows.append({"link_bar": link, "duplicate_bar": SEED_DUPLICATE,
                     "seed_pairs_linked": pl, "seed_pairs": len(gold["same"]),
                     "seed_near_misses_linked": nl, "seed_near_misses": len(gold["near"]),
                     "seed_claim_pairs_true": true, "seed_claim_pairs_false": false,
                     "seed_link_precision": round(precision, 4), "seed_f05": round(f05, 4),
                     "unrelated_sentences_linked": unrelated_linked(unrelated, probs, link, link,
                                                                    SEED_DUPLICATE)})
    return rows


def choose_link(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The best F0.5 of seed links (precision counts twice: every "states" must be true, and
    what falls short is shown as "possibly") with at most 2 of 22 near misses."""
    ok = [r for r in rows if r["seed_near_misses_linked"] <= TARGET_NEAR] or rows
    return max(ok, key=lambda r: (r["seed_f05"], r["link_bar"]))


def ntrex_curve(ntrex: list[Corpus], probs: dict[str, np.ndarray], link: float
                ) -> list[dict[str, Any]]:
    """Per versions bar and duplicate bar, with the chosen link bar: NTREX claim-link F1
    (lv/sl/is) and silent-line accuracy."""
    rows = []
    for versions in VERSIONS_BARS:
        for duplicate in DUPLICATE_BARS:
            f1, silent = ntrex_score(ntrex, probs, link, versions, duplicate)
            rows.append({"versions_bar": versions, "duplicate_bar": duplicate,
                         "ntrex_f1_lv_sl_is": f1, "ntrex_silent_line_accuracy": silent})
    return rows


def choose_versions(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The best silent-line accuracy with claim-link F1 >= 0.95 (the binding NTREX target)."""
    ok = [r for r in rows if r["ntrex_f1_lv_sl_is"] >= TARGET_NTREX] or rows
    return max(ok, key=lambda r: (r["ntrex_silent_line_accuracy"], r["ntrex_f1_lv_sl_is"]))


def possible_curve(seed: Corpus, probs: dict[str, np.ndarray], gold: dict[str, Any],
                   link: float, duplicate: float) -> list[dict[str, Any]]:
    """Per possible bar, on the seed (independent articles, where a claim goes unlinked): for
    each gold claim, the predicted claim holding most of its sentences; of the articles that
    claim does not hold, those that state the gold claim (missed carriers) and those that do
    not (truly silent), and how many of each it calls "possibly"."""
    out = []
    articles = sorted(a.id for a in seed.articles)
    for bar in POSSIBLE_BARS:
        found = claims(seed, probs["seed"], link, link, duplicate, bar)
        claim_of = {sid: c for c in found for sid in c.members}
        silent = silent_possible = missed = missed_caught = 0
        for sids in gold["claims"]:
            carriers = {s.split(":")[0] for s in sids}
            main = max((claim_of[s] for s in sids), key=lambda c: (
                sum(m in sids for m in c.members), -int(c.id[1:])))
            stated = {m.split(":")[0] for m in main.members}
            possibly = {p.b.split(":")[0] for p in main.possible}
            for a in articles:
                if a in stated:
                    continue
                if a in carriers:
                    missed += 1
                    missed_caught += int(a in possibly)
                else:
                    silent += 1
                    silent_possible += int(a in possibly)
        out.append({"possible_bar": bar, "silent_cells": silent,
                    "silent_cells_possibly": silent_possible, "missed_carriers": missed,
                    "missed_carriers_possibly": missed_caught})
    return out


def pair_auc(probs: dict[str, np.ndarray], corpora: list[Corpus]) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.concatenate([c.y for c in corpora])
    p = np.concatenate([probs[c.name] for c in corpora])
    return round(float(roc_auc_score(y, p)), 4) if 0 < y.sum() < len(y) else float("nan")


def strong_links(seed: Corpus, ntrex: list[Corpus], probs: dict[str, np.ndarray],
                 gold: dict[str, Any]) -> dict[str, Any]:
    """What ``STRONG_LINK`` means in held-out probabilities: the share of true NTREX pairs at
    or above it, and the seed gold pairs and near misses whose best sentence pair reaches it."""
    y = np.concatenate([c.y for c in ntrex])
    p = np.concatenate([probs[c.name] for c in ntrex])
    ids = [s.id for s in seed.sentences]
    row = {frozenset((ids[i], ids[j])): m for m, (i, j) in enumerate(seed.pairs.tolist())}

    def best(a: list[str], b: list[str]) -> float:
        found = [probs["seed"][row[frozenset((x, z))]] for x in a for z in b
                 if frozenset((x, z)) in row]
        return max(found, default=0.0)

    return {"bar": STRONG_LINK,
            "ntrex_true_pairs_share": round(float((p[y == 1] >= STRONG_LINK).mean()), 4),
            "seed_pairs": sum(int(best(a, b) >= STRONG_LINK) for a, b in gold["same"]),
            "seed_near_misses": sum(int(best(a, b) >= STRONG_LINK) for a, b in gold["near"])}


def write_weights(model: Any, X: np.ndarray, bars: dict[str, float], meta: dict[str, Any]
                  ) -> None:
    """Coefficients, scaling, and each feature's range in the training pairs (0.1th to 99.9th
    percentile), to which the scorer clips its input."""
    scaler, lr = model.named_steps["standardscaler"], model.named_steps["logisticregression"]
    low, high = np.percentile(X, 0.1, axis=0), np.percentile(X, 99.9, axis=0)
    data = {"model": "logistic regression on standardised features (scikit-learn)",
            "features": list(FEATURES),
            "low": [round(float(v), 6) for v in low],
            "high": [round(float(v), 6) for v in high],
            "mean": [round(float(v), 6) for v in scaler.mean_],
            "scale": [round(float(v), 6) for v in scaler.scale_],
            "coef": [round(float(v), 6) for v in lr.coef_[0]],
            "intercept": round(float(lr.intercept_[0]), 6),
            "bars": bars, "fitted": meta}
    WEIGHTS_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gbm", action="store_true", help="also cross-validate gradient boosting")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite weights.json")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    seed, ntrex, others, gold = load_data()
    corpora = ntrex + others
    unrelated = [c for c in others if c.source == "unrelated"]
    singles = [c for c in others if c.source == "singles"]
    result: dict[str, Any] = header("scorer", gold["model"]) | {
        "features": list(FEATURES),
        "data": {"seed_pairs": len(seed.y), "seed_positive": int(seed.y.sum()),
                 "ntrex_pairs": sum(len(c.y) for c in ntrex),
                 "ntrex_positive": int(sum(c.y.sum() for c in ntrex)),
                 "unrelated_pairs": sum(len(c.y) for c in unrelated),
                 "singles_pairs": sum(len(c.y) for c in singles),
                 "singles_positive": int(sum(c.y.sum() for c in singles)),
                 "weights": {"seed": SEED_SHARE, "ntrex": 1.0, "unrelated": UNRELATED_SHARE,
                             "singles": SINGLES_SHARE}},
        "models": {}}
    result["parallel"] = {name: parallel_range(cs) for name, cs in
                          (("seed", [seed]), ("ntrex", ntrex), ("unrelated", unrelated))}
    chosen: dict[str, Any] = {}
    for kind in ("lr", "gbm") if args.gbm else ("lr",):
        probs = held_out(kind, seed, corpora)
        seed_rows = seed_curve(seed, unrelated, probs, gold)
        link = choose_link(seed_rows)
        ntrex_rows = ntrex_curve(ntrex, probs, link["link_bar"])
        versions = choose_versions(ntrex_rows)
        entry: dict[str, Any] = {
            "pair_auc": {"seed": _seed_auc(seed, probs), "ntrex": pair_auc(probs, ntrex)},
            "seed_curve": seed_rows, "ntrex_curve": ntrex_rows,
            "chosen": {"link": link, "versions": versions}}
        pl, nl, true, false = seed_score(claims(seed, probs["seed"], link["link_bar"],
                                                link["link_bar"], versions["duplicate_bar"], 1.0),
                                         gold)
        entry["at_bars"] = {
            "seed_pairs_linked": pl, "seed_near_misses_linked": nl,
            "seed_link_precision": round(true / max(true + false, 1), 4),
            "ntrex_f1_lv_sl_is": versions["ntrex_f1_lv_sl_is"],
            "ntrex_silent_line_accuracy": versions["ntrex_silent_line_accuracy"],
            "unrelated_sentences_linked": link["unrelated_sentences_linked"],
            "one_sentence_articles": singles_score(singles, probs, link["link_bar"],
                                                   versions["versions_bar"],
                                                   versions["duplicate_bar"])}
        if kind == "lr":
            entry["possible"] = possible_curve(seed, probs, gold, link["link_bar"],
                                               versions["duplicate_bar"])
            entry["strong_link"] = strong_links(seed, ntrex, probs, gold)
            chosen = entry
        result["models"][kind] = entry
        print(f"{kind}: pair AUC seed {entry['pair_auc']['seed']} ntrex {entry['pair_auc']['ntrex']}")
        for r in seed_rows:
            print(f"  link {r['link_bar']:.2f}: seed {r['seed_pairs_linked']}/{r['seed_pairs']} "
                  f"near {r['seed_near_misses_linked']}/{r['seed_near_misses']} precision "
                  f"{r['seed_link_precision']} ({r['seed_claim_pairs_true']} of "
                  f"{r['seed_claim_pairs_true'] + r['seed_claim_pairs_false']}) F0.5 "
                  f"{r['seed_f05']}  unrelated {r['unrelated_sentences_linked']}")
        for r in ntrex_rows:
            print(f"  versions {r['versions_bar']:.2f} dup {r['duplicate_bar']:.1f}: ntrex F1 "
                  f"{r['ntrex_f1_lv_sl_is']} silent {r['ntrex_silent_line_accuracy']}")
        print(f"  chosen: link {link['link_bar']}, versions {versions['versions_bar']}, "
              f"duplicate {versions['duplicate_bar']}: {entry['at_bars']}")
    for p in chosen["possible"]:
        print(f"  possible {p['possible_bar']}: silent cells possibly "
              f"{p['silent_cells_possibly']}/{p['silent_cells']}, missed carriers caught "
              f"{p['missed_carriers_possibly']}/{p['missed_carriers']}")
    link, versions = chosen["chosen"]["link"], chosen["chosen"]["versions"]
    bars = {"link": link["link_bar"], "versions_link": versions["versions_bar"],
            "versions_parallel": VERSIONS_PARALLEL, "duplicate": versions["duplicate_bar"],
            "possible": choose_possible(chosen["possible"], link["link_bar"])}
    result["bars"] = bars
    if not args.no_write:
        X, y, w = training_set(seed, np.ones(len(seed.y), dtype=bool), corpora)
        model = fit("lr", X, y, w)
        write_weights(model, X, bars, {"date": result["date"], "commit": result["git"]["commit"],
                                       "data": result["data"], "cv_at_bars": chosen["at_bars"]})
    path = write_result("scorer", None, result, args.out)
    print(f"bars {bars}; wrote {path}")
    return result


def singles_score(corpora: list[Corpus], probs: dict[str, np.ndarray], link: float,
                  versions: float, duplicate: float) -> dict[str, int]:
    """On the one-sentence articles: cross-article pairs put in one claim that are true / false,
    and the true pairs there are."""
    true = false = 0
    for c in corpora:
        found = claims(c, probs[c.name], link, versions, duplicate, 1.0)
        index = {s.id: n for n, s in enumerate(c.sentences)}
        label = {(int(i), int(j)): int(v) for (i, j), v in zip(c.pairs.tolist(), c.y)}
        for cl in found:
            for n, x in enumerate(cl.members):
                for y in cl.members[n + 1 :]:
                    i, j = sorted((index[x], index[y]))
                    ok = label.get((i, j), 0)
                    true += ok
                    false += 1 - ok
    gold = sum(int(c.y.sum()) for c in corpora)
    return {"claim_pairs_true": true, "claim_pairs_false": false, "gold_pairs": gold}


def parallel_range(corpora: list[Corpus]) -> list[float]:
    """Min, 1st percentile, median, 99th percentile, max of the article pairs' ``parallel``."""
    k = FEATURES.index("parallel")
    v = np.concatenate([np.unique(c.X[:, k]) for c in corpora])
    return [round(float(x), 3) for x in np.quantile(v, [0, 0.01, 0.5, 0.99, 1])]


def _seed_auc(seed: Corpus, probs: dict[str, np.ndarray]) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(seed.y, probs["seed"])), 4)


def choose_possible(rows: list[dict[str, Any]], link_bar: float) -> float:
    """The lowest bar under the link bar at which at most half of the truly silent cells are
    called "possibly" (lower bars catch more missed carriers, but then "possibly" would say
    less about an article than a coin does)."""
    below = [r for r in rows if r["possible_bar"] < link_bar] or rows
    ok = [r for r in below if 2 * r["silent_cells_possibly"] <= r["silent_cells"]]
    return min(r["possible_bar"] for r in ok) if ok else max(r["possible_bar"] for r in below)


if __name__ == "__main__":
    main()
