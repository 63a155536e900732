"""Score detail extraction and "differ" verdicts against corpus/putin-kim/details_gold.json.

    python benchmarks/details.py [--gold PATH] [--out PATH]

Extraction: per detail type, precision and recall of the resolved values against the hand
gold (dates as values, quantities and ordinals as (value, unit), names as spans that overlap
a gold name plus the accuracy of their entity id, quotes as spans plus the accuracy of the
speaker). Verdicts: for each gold pair (two sentences of one claim, or a sentence and an
edited copy), the pair is compared as a two-article claim and "differ" is scored.
The gold was made while writing the rules (a development set). The held-out check uses
NTREX-128 (../shared/data/ntrex128): each line's lv/sl/is translations as one claim, each
document in a language one article (they should not differ; also all five NTREX languages of the stories), and the same with one
number of the sl line altered (they should). The NTREX stories (``ntrex_stories.py``, seed
13) are scored with gold alignment: each document line's versions are one claim, and the
recall of altered numbers/years/names flagged ``differ`` and the precision of ``differ`` are
given over all 5 languages and over lav/slv/isl (see :func:`score_stories`).
No embedding model is used: this measures compare/details only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))
from common import header, write_result

from factcmp.annotate import annotate
from factcmp.annotate.details import extract_all, with_context_speakers
from factcmp.annotate.digits import NUMBER_RE, canonical_number
from factcmp.compare import compare
from factcmp.ingest.read import read_articles
from factcmp.types import Article, Claim, Detail, Link, Sentence

GOLD = ROOT / "corpus" / "putin-kim" / "details_gold.json"


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _multiset_score(pred: list[Any], gold: list[Any]) -> tuple[int, int, int]:
    p, g = Counter(map(tuple, pred) if pred and isinstance(pred[0], list) else pred), Counter(gold)
    tp = sum((p & g).values())
    return tp, sum(p.values()) - tp, sum(g.values()) - tp


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where each gold phrase occurs, taking repeated phrases in order of appearance."""
    spans, seen = [], Counter[str]()
    for w in words:
        hits = [m.span() for m in re.finditer(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", text)]
        hits = hits or [m.span() for m in re.finditer(re.escape(w), text)]
        spans.append(hits[min(seen[w], len(hits) - 1)])
        seen[w] += 1
    return spans


def score_extraction(gold: dict[str, Any], meta: dict[str, Article]) -> dict[str, Any]:
    counts = {k: [0, 0, 0] for k in ("dates", "quantities", "ordinals", "names", "quotes")}
    ids = [0, 0]  # correct, compared (names with a gold id)
    speakers = [0, 0]
    errors: list[dict[str, Any]] = []
    # Sentences of one article in order, so quotes get context speakers as in compare().
    found_all = {}
    for article_id, article in meta.items():
        texts = [s["text"] for s in gold["sentences"] if s["article"] == article_id]
        per = with_context_speakers([extract_all(t, article.lang, article.date) for t in texts])
        found_all.update({(article_id, t): d for t, d in zip(texts, per)})
    for s in gold["sentences"]:
        found = found_all[(s["article"], s["text"])]
        by_kind: dict[str, list[Detail]] = {}
        for d in found:
            by_kind.setdefault(d.kind, []).append(d)
        pred = {
            "dates": [d.value for d in by_kind.get("date", [])],
            "quantities": [(d.value, d.unit) for d in by_kind.get("quantity", [])],
            "ordinals": [(d.value, d.unit) for d in by_kind.get("ordinal", [])],
        }
        gold_vals = {
            "dates": list(s["dates"]),
            "quantities": [tuple(q) for q in s["quantities"]],
            "ordinals": [tuple(o) for o in s["ordinals"]],
        }
        for key, values in pred.items():
            tp, fp, fn = _multiset_score(values, gold_vals[key])
            for i, v in enumerate((tp, fp, fn)):
                counts[key][i] += v
            if fp or fn:
                errors.append({"text": s["text"][:80], "kind": key, "pred": values, "gold": gold_vals[key]})
        # Names and quotes: by overlapping spans, then the resolved id.
        for key, kind, gold_items in (("names", "name", s["names"]), ("quotes", "quote", s["quotes"])):
            spans = _spans(s["text"], [g[0] for g in gold_items])
            preds = by_kind.get(kind, [])
            matched_gold: set[int] = set()
            for d in preds:
                hit = next(
                    (i for i, (a, b) in enumerate(spans) if i not in matched_gold and d.start < b and a < d.end),
                    None,
                )
                if hit is None and any(d.start < b and a < d.end for a, b in spans):
                    continue  # one gold name found in parts ("Tālajos" "Austrumos"): no error
                if hit is None:
                    counts[key][1] += 1
                    errors.append({"text": s["text"][:80], "kind": key, "extra": d.text[:40]})
                    continue
                matched_gold.add(hit)
                counts[key][0] += 1
                want = gold_items[hit][1]
                tally = ids if key == "names" else speakers
                if want is not None:
                    tally[1] += 1
                    tally[0] += d.value == want
                    if d.value != want:
                        errors.append({"text": s["text"][:80], "kind": key, "pred_id": d.value, "gold_id": want})
            missed = [gold_items[i][0] for i in range(len(gold_items)) if i not in matched_gold]
            counts[key][2] += len(missed)
            if missed:
                errors.append({"text": s["text"][:80], "kind": key, "missed": missed})
    result: dict[str, Any] = {k: prf(*v) for k, v in counts.items()}
    result["names"]["id_accuracy"] = round(ids[0] / ids[1], 4) if ids[1] else None
    result["quotes"]["speaker_accuracy"] = round(speakers[0] / speakers[1], 4) if speakers[1] else None
    all_counts = [sum(c[i] for c in counts.values()) for i in range(3)]
    result["all"] = prf(*all_counts)
    result["errors"] = errors
    return result


def score_differ(gold: dict[str, Any], meta: dict[str, Article]) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    wrong: list[dict[str, Any]] = []
    for n, pair in enumerate(gold["pairs"]):
        a, b = pair["a"], pair["b"]
        text_b = b["text"].replace(*b["replace"]) if "replace" in b else b["text"]
        art_a = meta[a["article"]]
        art_b = meta[b["article"]]
        arts = [Article(id="x", path="", lang=art_a.lang, text="", date=art_a.date),
                Article(id="y", path="", lang=art_b.lang, text="", date=art_b.date)]
        sents = [Sentence("x", 0, a["text"], 0, len(a["text"])), Sentence("y", 0, text_b, 0, len(text_b))]
        (finding,) = compare(arts, sents, [Claim(f"p{n}", ("x:0", "y:0"), (Link("x:0", "y:0", 1.0),))],
                             annotate(arts, sents))
        said = finding.verdict == "differ"
        if said and pair["differ"]:
            tp += 1
        elif said:
            fp += 1
        elif pair["differ"]:
            fn += 1
        else:
            tn += 1
        if said != pair["differ"]:
            wrong.append({"a": a["text"][:70], "b": text_b[:70], "gold_differ": pair["differ"],
                          "verdict": finding.verdict,
                          "differences": [(d.kind, d.unit, d.values) for d in finding.differences]})
    return {**prf(tp, fp, fn), "tn": tn, "pairs": len(gold["pairs"]), "errors": wrong}


NTREX = ROOT.parent / "shared" / "data" / "ntrex128"


def _alter(text: str, raw: str, start: int) -> str:
    """The text with the number at ``start`` changed: a year by 3, another number doubled + 1."""
    value = float(canonical_number(raw))
    new = value + 3 if re.fullmatch(r"\d{4}", raw) and 1900 <= value <= 2100 else value * 2 + 1
    return text[:start] + (str(int(new)) if new == int(new) else str(new)) + text[start + len(raw) :]


def score_ntrex(folder: Path, limit: int | None = None) -> dict[str, Any] | None:
    """Held-out check on NTREX-128 (lines translated from one English text, so they never
    differ on their own): the verdict on each line's lv/sl/is versions as one claim, and on
    the same claim with one number of the sl version altered (expected: differ)."""
    files = {lang: folder / f"newstest2019-ref.{code}.txt" for lang, code in (("lv", "lav"), ("sl", "slv"), ("is", "isl"))}
    if not all(f.exists() for f in files.values()):
        return None
    lines = {lang: f.read_text(encoding="utf-8").splitlines()[:limit] for lang, f in files.items()}
    english = (folder / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    n = len(lines["lv"])
    doc_ids = (folder / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()[:n]
    docs: dict[str, list[int]] = {}
    for i, doc in enumerate(doc_ids):
        docs.setdefault(doc.split("\t")[0], []).append(i)

    def judge(texts: dict[str, list[str]]) -> list[Any]:
        """Each line's versions as one claim; each document in a language is one article."""
        found: dict[int, Any] = {}
        arts = [Article(id=lang, path="", lang=lang, text="", date=None) for lang in texts]
        for rows in docs.values():
            sents = [Sentence(lang, i, texts[lang][i], 0, len(texts[lang][i])) for lang in texts for i in rows]
            claims = [Claim(f"l{i}", tuple(f"{lang}:{i}" for lang in texts), ()) for i in rows]
            found.update(zip(rows, compare(arts, sents, claims, annotate(arts, sents))))
        return [found[i] for i in range(n)]

    plain = judge(lines)
    altered = {lang: list(v) for lang, v in lines.items()}
    changed: dict[int, str] = {}
    for i in range(n):
        numbers = {lang: {canonical_number(m[1]): m for m in NUMBER_RE.finditer(lines[lang][i])} for lang in lines}
        common = sorted(set(numbers["lv"]) & set(numbers["sl"]) & set(numbers["is"]))
        if common:
            m = numbers["sl"][common[0]]
            altered["sl"][i] = _alter(lines["sl"][i], m[1], m.start(1))
            changed[i] = common[0]
    perturbed = judge(altered)
    # The same unaltered lines told by all five NTREX languages of the stories.
    five = {lang: folder / f"newstest2019-ref.{code}.txt"
            for lang, code in (("lv", "lav"), ("sl", "slv"), ("is", "isl"), ("lt", "lit"), ("et", "est"))}
    five_lines = {lang: f.read_text(encoding="utf-8").splitlines()[:limit] for lang, f in five.items()}
    five_found = judge(five_lines)
    five_differ = [
        {"line": i, "en": english[i][:100], "differences": [(d.kind, d.unit, d.values, d.texts) for d in f.differences]}
        for i, f in enumerate(five_found) if f.verdict == "differ"
    ]
    verdicts = Counter(f.verdict for f in plain)
    false_differ = [
        {"line": i, "en": english[i][:100], "differences": [(d.kind, d.unit, d.values, d.texts) for d in f.differences]}
        for i, f in enumerate(plain) if f.verdict == "differ"
    ]
    caught = [i for i in changed if perturbed[i].verdict == "differ"]
    comparable = [
        i for i in changed
        if any(d.kind == "date" or (d.kind in ("quantity", "ordinal") and d.unit)
               for d in plain[i].details[f"sl:{i}"] if changed[i] in d.value.replace("-", " ").split()
               or d.value.startswith(changed[i]))
    ]
    tp, fp = len(caught), len(false_differ)
    return {
        "lines": n,
        "verdicts_unaltered": dict(sorted(verdicts.items())),
        "differ_on_unaltered": false_differ,
        "differ_rate_unaltered": round(len(false_differ) / n, 4),
        "verdicts_unaltered_all_5": dict(sorted(Counter(f.verdict for f in five_found).items())),
        "differ_rate_unaltered_all_5": round(len(five_differ) / n, 4),
        "differ_on_unaltered_all_5": five_differ,
        "altered_lines": len(changed),
        "altered_caught": tp,
        "recall": round(tp / len(changed), 4) if changed else None,
        "recall_comparable": round(len([i for i in comparable if i in caught]) / len(comparable), 4) if comparable else None,
        "comparable_altered": len(comparable),
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
    }


def _story_subset(story: Any, langs: tuple[str, ...]) -> Any:
    """The story told only by its versions in ``langs`` (alterations of the others dropped)."""
    from ntrex_stories import Story

    versions = [v for v in story.versions if v.lang in langs]
    kept = {v.article_id for v in versions}
    return Story(story.doc_index, story.doc_id, story.doc_lines, versions,
                 [a for a in story.alterations if a.article in kept])


def score_stories(folder: Path, seed: int = 13, docs: int | None = None) -> dict[str, Any] | None:
    """Differ recall and precision on the NTREX stories (``ntrex_stories.py``) with gold
    alignment: each document line's versions form one claim, so only compare() is judged.

    An altered number/year (name) is detected iff its claim's verdict is ``differ`` with a
    non-name (name) difference naming the altered version, as in ``metrics.py``. A ``differ``
    on a line with no alteration is a false one; precision = differ claims on altered lines /
    all differ claims. Scored over all 5 languages and over the lav/slv/isl versions only.
    """
    if not (folder / "DOCUMENT_IDS.tsv").exists():
        return None
    from ntrex_stories import build_stories, load_ntrex

    stories = build_stories(load_ntrex(folder), seed=seed, docs=docs)
    out: dict[str, Any] = {"seed": seed, "stories": len(stories)}
    for label, langs in (("all_5", ("lav", "slv", "isl", "lit", "est")), ("lv_sl_is", ("lav", "slv", "isl"))):
        tally = Counter[str]()
        missed: list[dict[str, Any]] = []
        false: list[dict[str, Any]] = []
        for full in stories:
            story = _story_subset(full, langs)
            line_of = story.line_of
            by_line: dict[int, list[str]] = {}
            for sid, line in line_of.items():
                by_line.setdefault(line, []).append(sid)
            claims = [Claim(f"l{line}", tuple(m), ()) for line, m in sorted(by_line.items())]
            notes = annotate(story.articles, story.sentences)
            findings = {f.claim.id: f for f in compare(story.articles, story.sentences, claims, notes)}
            text_of = {s.id: s.text for s in story.sentences}
            altered_lines = set()
            for a in story.alterations:
                f = findings[f"l{a.line}"]
                if len(f.articles) < 2:
                    continue  # the other carriers are outside this language subset
                altered_lines.add(a.line)
                group = "name" if a.kind == "name" else "detail"
                flagged = f.verdict == "differ" and any(
                    a.article in d.values for d in f.differences if (d.kind == "name") == (group == "name"))
                tally.update({f"{group}_total": 1, f"{group}_detected": int(flagged),
                              f"{a.kind}_total": 1, f"{a.kind}_detected": int(flagged)})
                if not flagged and sum(m["kind"] == a.kind for m in missed) < 40:
                    missed.append({"sentence": f"{a.article}:{a.line}", "kind": a.kind, "old": a.old, "new": a.new,
                                   "verdict": f.verdict,
                                   "texts": {m: text_of[m] for m in f.claim.members}})
            for line, f in ((int(k[1:]), f) for k, f in findings.items()):
                if len(f.articles) < 2:
                    continue
                tally.update(lines=1, altered_lines=int(line in altered_lines))
                if f.verdict != "differ":
                    continue
                tally.update(differ=1, differ_correct=int(line in altered_lines))
                if line not in altered_lines:
                    false.append({"doc": story.doc_id, "line": line,
                                  "texts": {m: text_of[m] for m in f.claim.members},
                                  "differences": [(d.kind, d.unit, d.values, d.texts) for d in f.differences]})

        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        unaltered = tally["lines"] - tally["altered_lines"]
        out[label] = {
            "numbers_years": {"recall": ratio(tally["detail_detected"], tally["detail_total"]),
                              "detected": tally["detail_detected"], "altered": tally["detail_total"]},
            "numbers": {"recall": ratio(tally["number_detected"], tally["number_total"]),
                        "detected": tally["number_detected"], "altered": tally["number_total"]},
            "years": {"recall": ratio(tally["year_detected"], tally["year_total"]),
                      "detected": tally["year_detected"], "altered": tally["year_total"]},
            "names": {"recall": ratio(tally["name_detected"], tally["name_total"]),
                      "detected": tally["name_detected"], "altered": tally["name_total"]},
            "differ_precision": ratio(tally["differ_correct"], tally["differ"]),
            "differ_claims": tally["differ"],
            "lines_compared": tally["lines"],
            "unaltered_lines": unaltered,
            "false_differ": len(false),
            "false_differ_rate": ratio(len(false), unaltered),
            "examples_false_differ": false[:40],
            "examples_missed": missed,
        }
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--out", type=Path, default=None, help="default: results/<date>-details.json")
    parser.add_argument("--ntrex", type=Path, default=NTREX, help="NTREX-128 folder ('' to skip)")
    args = parser.parse_args(argv)
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    meta = {a.id: a for a in read_articles([args.gold.parent])}
    start = time.perf_counter()
    extraction = score_extraction(gold, meta)
    differ = score_differ(gold, meta)
    ntrex = score_ntrex(args.ntrex) if args.ntrex else None
    stories = score_stories(args.ntrex) if args.ntrex else None
    result = {
        **header("details", None),
        "gold": str(args.gold.relative_to(ROOT) if args.gold.is_relative_to(ROOT) else args.gold),
        "seconds": round(time.perf_counter() - start, 3),
        "primary_metric": {"name": "details_f1", "value": extraction["all"]["f1"]},
        "extraction": extraction,
        "differ": differ,
        "ntrex_heldout": ntrex,
        "ntrex_stories": stories,
    }
    out = write_result("details", None, result, args.out)
    summary = {k: {m: v[m] for m in ("precision", "recall", "f1")} for k, v in extraction.items() if k != "errors"}
    sys.stdout.write(json.dumps({"extraction": summary,
                                 "names_id_accuracy": extraction["names"]["id_accuracy"],
                                 "quote_speaker_accuracy": extraction["quotes"]["speaker_accuracy"],
                                 "differ": {m: differ[m] for m in ("precision", "recall", "f1", "tp", "fp", "fn", "tn")},
                                 "ntrex_heldout": {k: v for k, v in (ntrex or {}).items() if not k.startswith("differ_on")},
                                 "ntrex_stories": {
                                     label: {k: v for k, v in part.items() if not k.startswith("examples")}
                                     for label, part in (stories or {}).items() if isinstance(part, dict)},
                                 "written": str(out)}, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
