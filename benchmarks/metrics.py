"""Scores of factcmp's claims and findings against NTREX story gold, and bitext retrieval scores.

NTREX stories (see ``ntrex_stories``): two sentences of different versions belong to the same
claim iff they state the same document line.

* claim links: every cross-version sentence pair is a gold pair iff same line, a predicted
  pair iff same claim; precision/recall/F1 per language pair.
* silent sources: a gold line is right iff all its carriers' sentences land in one claim and
  that claim's articles are exactly the carriers (so every silent version is silent there).
* coverage: the report's three answers per (line, version) cell, read on the line's main claim
  (the one holding most of its sentences): "states" (the version is among the claim's
  articles), "possibly" (``Finding.possibly``: a close sentence, not linked) or "silent".
  "states" is right iff the version carries the line (``_sentence``: and its sentence of the
  line is in the claim), "silent" iff it does not; "possibly" is true iff it carries the line
  (``_sentence``: and the sentence shown is that line's).
* differences: an altered number/year (name) is detected iff the altered sentence's claim also
  holds another version's sentence of the same line and its verdict is ``differ`` with a
  non-name (name) clash naming the altered article; a ``differ`` claim is correct iff it
  holds an altered sentence (any kind) and another version's sentence of that line.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from common import prf

from factcmp.compare import answer
from factcmp.types import Claim, Finding


def lang_of(article_id: str) -> str:
    return article_id.rsplit("-", 1)[1]


def pair_key(a: str, b: str) -> str:
    return "-".join(sorted((lang_of(a), lang_of(b))))


class StoryScores:
    """Accumulates the NTREX story metrics over many stories."""

    def __init__(self) -> None:
        self.links: dict[str, Counter[str]] = defaultdict(Counter)
        self.by_versions: dict[int, Counter[str]] = defaultdict(Counter)
        self.lines = Counter[str]()
        self.cells = Counter[str]()
        self.coverage = Counter[str]()
        self.possible_scores: list[tuple[float, bool]] = []
        self.alter = Counter[str]()
        self.differ = Counter[str]()
        self.false_differ: list[dict[str, Any]] = []
        self.missed_alterations: list[dict[str, Any]] = []

    def add(self, story: Any, claims: Sequence[Claim], findings: Sequence[Finding]) -> None:
        line_of = story.line_of
        claim_of = {sid: c.id for c in claims for sid in c.members}
        members = {c.id: c.members for c in claims}
        text_of = {s.id: s.text for s in story.sentences}
        self._links(story, line_of, claim_of)
        self._silent(story, line_of, claim_of, members)
        self._coverage(story, line_of, claim_of, findings)
        self._differences(story, line_of, claim_of, findings, text_of)

    def _links(self, story: Any, line_of: dict[str, int], claim_of: dict[str, str]) -> None:
        by_article: dict[str, list[str]] = defaultdict(list)
        for sid in line_of:
            by_article[sid.split(":")[0]].append(sid)
        for a, b in itertools.combinations(sorted(by_article), 2):
            key = pair_key(a, b)
            gold = {line_of[x] for x in by_article[a]} & {line_of[y] for y in by_article[b]}
            tp = fp = 0
            for x in by_article[a]:
                for y in by_article[b]:
                    if claim_of[x] == claim_of[y]:
                        if line_of[x] == line_of[y]:
                            tp += 1
                        else:
                            fp += 1
            self.links[key].update(tp=tp, fp=fp, fn=len(gold) - tp)
            self.by_versions[len(story.versions)].update(tp=tp, fp=fp, fn=len(gold) - tp)

    def _silent(self, story: Any, line_of: dict[str, int], claim_of: dict[str, str],
                members: dict[str, tuple[str, ...]]) -> None:
        sids_of_line: dict[int, list[str]] = defaultdict(list)
        for sid, line in line_of.items():
            sids_of_line[line].append(sid)
        all_versions = [v.article_id for v in story.versions]
        for line, sids in sids_of_line.items():
            carriers = {sid.split(":")[0] for sid in sids}
            claims = Counter(claim_of[s] for s in sids)
            main = min(claims, key=lambda c: (-claims[c], c))
            predicted = {m.split(":")[0] for m in members[main]}
            group = "all_carry" if len(carriers) == len(all_versions) else "some_silent"
            ok = len(claims) == 1 and predicted == carriers
            self.lines.update({f"{group}_total": 1, f"{group}_correct": int(ok)})
            for v in all_versions:  # per (line, version): carries or silent, as the claim says
                self.cells.update(total=1, correct=int((v in predicted) == (v in carriers)))

    def _coverage(self, story: Any, line_of: dict[str, int], claim_of: dict[str, str],
                  findings: Sequence[Finding]) -> None:
        finding_of = {f.claim.id: f for f in findings}
        sids_of_line: dict[int, list[str]] = defaultdict(list)
        for sid, line in line_of.items():
            sids_of_line[line].append(sid)
        for line, sids in sids_of_line.items():
            claims = Counter(claim_of[s] for s in sids)
            finding = finding_of[min(claims, key=lambda c: (-claims[c], c))]
            own = {sid.split(":")[0]: sid for sid in sids}  # version -> its sentence of the line
            for v in [version.article_id for version in story.versions]:
                carries = v in own
                said = answer(finding, v)
                self.coverage.update({said: 1, f"{said}_carrier": int(carries)})
                if said == "states":
                    self.coverage.update(states_sentence=int(own.get(v) in finding.claim.members))
                elif said == "possibly":
                    shown = next(p for p in finding.claim.possible if p.b.split(":")[0] == v)
                    self.coverage.update(possibly_sentence=int(shown.b == own.get(v)))
                    self.possible_scores.append((shown.score, carries))

    def _differences(self, story: Any, line_of: dict[str, int], claim_of: dict[str, str],
                     findings: Sequence[Finding], text_of: dict[str, str]) -> None:
        finding_of = {f.claim.id: f for f in findings}
        sid_of = {(sid.split(":")[0], line): sid for sid, line in line_of.items()}
        altered = {}
        for a in story.alterations:
            sid = sid_of[(a.article, a.line)]
            altered[sid] = a
            f = finding_of[claim_of[sid]]
            linked = any(line_of[m] == a.line for m in f.claim.members if m != sid)
            flagged = f.verdict == "differ" and any(
                a.article in d.values for d in f.differences
                if (d.kind == "name") == (a.kind == "name"))
            group = "name" if a.kind == "name" else "detail"
            self.alter.update({f"{group}_total": 1, f"{group}_detected": int(linked and flagged),
                               f"{group}_not_linked": int(not linked),
                               f"{group}_linked_not_flagged": int(linked and not flagged)})
            if group == "detail" and not (linked and flagged) and len(self.missed_alterations) < 20:
                self.missed_alterations.append({
                    "sentence": sid, "kind": a.kind, "old": a.old, "new": a.new,
                    "text": text_of[sid], "linked": linked, "verdict": f.verdict})
        for f in findings:
            if f.verdict != "differ":
                continue
            hits = [m for m in f.claim.members if m in altered
                    and any(line_of[o] == line_of[m] for o in f.claim.members if o != m)]
            self.differ.update(predicted=1, correct=int(bool(hits)))
            if not hits and len(self.false_differ) < 20:
                lines = {line_of[m] for m in f.claim.members}
                self.false_differ.append({
                    "claim": [text_of[m] for m in f.claim.members],
                    "misaligned": len(lines) > 1,
                    "values": {d.kind: d.values for d in f.differences}})

    def result(self) -> dict[str, Any]:
        pairs = {k: prf(c["tp"], c["fp"], c["fn"]) for k, c in sorted(self.links.items())}
        total = Counter[str]()
        core = Counter[str]()
        for k, c in self.links.items():
            total.update(c)
            if set(k.split("-")) <= {"lav", "slv", "isl"}:
                core.update(c)
        lines = self.lines
        n_lines = lines["all_carry_total"] + lines["some_silent_total"]
        ok_lines = lines["all_carry_correct"] + lines["some_silent_correct"]
        alter, differ = self.alter, self.differ

        def ratio(a: int, b: int) -> float:
            return round(a / b, 4) if b else 0.0

        return {
            "claim_links": {
                "all": prf(total["tp"], total["fp"], total["fn"]),
                "lv_sl_is": prf(core["tp"], core["fp"], core["fn"]),
                "pairs": pairs,
                "by_story_versions": {str(k): prf(c["tp"], c["fp"], c["fn"])
                                      for k, c in sorted(self.by_versions.items())},
            },
            "silent": {
                "line_accuracy": ratio(ok_lines, n_lines),
                "lines": n_lines,
                "line_accuracy_all_carry": ratio(lines["all_carry_correct"], lines["all_carry_total"]),
                "line_accuracy_some_silent": ratio(
                    lines["some_silent_correct"], lines["some_silent_total"]),
                "lines_some_silent": lines["some_silent_total"],
                "cell_accuracy": ratio(self.cells["correct"], self.cells["total"]),
            },
            "coverage": coverage_result(self.coverage, self.possible_scores),
            "differences": {
                "recall": ratio(alter["detail_detected"], alter["detail_total"]),
                "precision": ratio(differ["correct"], differ["predicted"]),
                "altered": alter["detail_total"],
                "detected": alter["detail_detected"],
                "missed_not_linked": alter["detail_not_linked"],
                "missed_linked_not_flagged": alter["detail_linked_not_flagged"],
                "differ_claims": differ["predicted"],
                "differ_claims_correct": differ["correct"],
                "name_altered": alter["name_total"],
                "name_recall": ratio(alter["name_detected"], alter["name_total"]),
                "name_altered_still_linked": ratio(
                    alter["name_total"] - alter["name_not_linked"], alter["name_total"]),
                "examples_false_differ": self.false_differ[:8],
                "examples_missed": self.missed_alterations[:8],
            },
        }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def coverage_result(cov: Counter[str], scores: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    """Precision of "states" and "silent", share and truth of "possibly", from cell counts.

    ``silent_precision_two_way`` is what "silent" would score if "possibly" were said silent
    (the two-answer report before schema 1.3); ``possibly_by_score`` splits the possibly cells
    at their score quartiles, to show whether a higher score means a truer "possibly".
    """
    cells = cov["states"] + cov["possibly"] + cov["silent"]
    silent_true = cov["silent"] - cov["silent_carrier"]
    possibly_false = cov["possibly"] - cov["possibly_carrier"]
    out: dict[str, Any] = {
        "cells": cells,
        "states": cov["states"],
        "states_precision": _ratio(cov["states_carrier"], cov["states"]),
        "states_precision_sentence": _ratio(cov["states_sentence"], cov["states"]),
        "silent": cov["silent"],
        "silent_precision": _ratio(silent_true, cov["silent"]),
        "possibly": cov["possibly"],
        "possibly_share": _ratio(cov["possibly"], cells),
        "possibly_carriers": cov["possibly_carrier"],
        "possibly_precision": _ratio(cov["possibly_carrier"], cov["possibly"]),
        "possibly_right_sentence": cov["possibly_sentence"],
        "silent_precision_two_way": _ratio(silent_true + possibly_false,
                                           cov["silent"] + cov["possibly"]),
        "carriers_not_stated": {"possibly": cov["possibly_carrier"],
                                "silent": cov["silent_carrier"]},
        "truly_silent": {"possibly": possibly_false, "silent": silent_true},
    }
    if len(scores) >= 4:
        ranked = sorted(scores)
        bounds = sorted({ranked[len(ranked) * q // 4][0] for q in range(4)}) + [float("inf")]
        out["possibly_by_score"] = [
            {"from": round(lo, 4), "cells": len(inside := [t for s, t in ranked if lo <= s < hi]),
             "carriers": sum(inside)}
            for lo, hi in itertools.pairwise(bounds)
        ]
        # A higher possible bar turns the possibly cells under it into silent ones.
        out["possible_bar_curve"] = [
            {"bar": round(bar, 4),
             "possibly": len(above := [t for s, t in ranked if s >= bar]),
             "possibly_carriers": sum(above),
             "silent_precision": _ratio(
                 silent_true + sum(1 for s, t in ranked if s < bar and not t),
                 cov["silent"] + sum(1 for s, _ in ranked if s < bar))}
            for bar in bounds[:-1] + [ranked[len(ranked) * 9 // 10][0]]
        ]
    return out


def seed_coverage(facts: dict[str, set[str]], findings: Sequence[Finding],
                  articles: Sequence[str]) -> dict[str, Any]:
    """The three answers on the seed corpus, per (claim, article) cell, against the gold facts.

    ``facts`` maps each gold claim (a fact two or more articles state,
    ``corpus/putin-kim/gold.json``) to the sentence ids that state it. A claim's facts are those
    its sentences state. "states" is right iff the article's sentences in the claim share a fact
    with another article's sentences in it; "silent" iff no fact of the claim has a sentence of
    the article; "possibly" is true iff one has (``possibly_right_sentence``: the sentence
    shown). Cells of claims stated by one article count only for silent and possibly (they are
    unique claims: "states" is trivially right). ``shown``: only the claims the terminal
    report's coverage matrix shows (stated by two or more articles, or possibly).
    """
    fact_of: dict[str, set[str]] = defaultdict(set)
    for fact, sids in facts.items():
        for sid in sids:
            fact_of[sid].add(fact)
    result = {}
    for scope in ("all", "shown"):
        cov = Counter[str]()
        for f in findings:
            if scope == "shown" and len(f.articles) < 2 and not f.possibly:
                continue
            by_article: dict[str, set[str]] = defaultdict(set)
            for m in f.claim.members:
                by_article[m.split(":")[0]] |= fact_of.get(m, set())
            stated = set().union(*by_article.values())
            for a in articles:
                said = answer(f, a)
                in_facts = any(sid.split(":")[0] == a for g in stated for sid in facts[g])
                if said == "states":
                    if len(f.articles) < 2:
                        continue
                    others = set().union(*(g for b, g in by_article.items() if b != a))
                    cov.update(states=1, states_carrier=int(bool(by_article[a] & others)))
                elif said == "possibly":
                    shown = next(p for p in f.claim.possible if p.b.split(":")[0] == a)
                    cov.update(possibly=1, possibly_carrier=int(in_facts),
                               possibly_sentence=int(bool(fact_of.get(shown.b, set()) & stated)))
                else:
                    cov.update(silent=1, silent_carrier=int(in_facts))
        out = coverage_result(cov, ())
        result[scope] = {k: out[k] for k in (
            "cells", "states", "states_precision", "silent", "silent_precision", "possibly",
            "possibly_share", "possibly_carriers", "possibly_right_sentence",
            "silent_precision_two_way")}
    return result


# --- bitext retrieval (Tatoeba, NTREX) ------------------------------------------------------


def top1(src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Index of each source row's most similar target row (cosine of unit vectors)."""
    return np.asarray((src @ tgt.T).argmax(axis=1))


def retrieval(src: np.ndarray, tgt: np.ndarray) -> dict[str, float]:
    """MTEB BitextMining scores: query = each ``src`` row, corpus = ``tgt``; gold is i -> i.

    accuracy = share of queries whose nearest target is their translation; F1 is sklearn's
    weighted F1 over the predicted target labels, as ``mteb``'s BitextMiningEvaluator does.
    """
    from sklearn.metrics import f1_score

    pred = top1(src, tgt)
    gold = np.arange(len(src))
    return {"accuracy": round(float((pred == gold).mean()), 4),
            "f1": round(float(f1_score(gold, pred, average="weighted", zero_division=0)), 4)}


def mutual_nn(src: np.ndarray, tgt: np.ndarray) -> dict[str, float]:
    """Pairs that are each other's nearest neighbour; recall over gold, precision over pairs."""
    fwd, back = top1(src, tgt), top1(tgt, src)
    mutual = back[fwd] == np.arange(len(src))
    correct = mutual & (fwd == np.arange(len(src)))
    return {"recall": round(float(correct.mean()), 4),
            "precision": round(float(correct.sum() / max(1, mutual.sum())), 4),
            "pairs": int(mutual.sum())}


def ratio_margin(src: np.ndarray, tgt: np.ndarray, k: int = 4) -> dict[str, float]:
    """Artetxe & Schwenk (2019) ratio margin retrieval, k nearest neighbours, both directions.

    margin(x, y) = cos(x, y) / ((mean top-k cos of x in tgt + mean top-k cos of y in src) / 2)
    """
    sims = src @ tgt.T
    r_src = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
    r_tgt = np.sort(sims, axis=0)[-k:, :].mean(axis=0)
    margin = sims / ((r_src[:, None] + r_tgt[None, :]) / 2)
    gold = np.arange(len(src))
    return {"accuracy_src_to_tgt": round(float((margin.argmax(axis=1) == gold).mean()), 4),
            "accuracy_tgt_to_src": round(float((margin.argmax(axis=0) == gold).mean()), 4)}


def claims_as_pairs(claims: Sequence[Claim], src_article: str, tgt_article: str) -> dict[int, int]:
    """Source index -> target index for each claim holding one sentence of both articles."""
    out = {}
    for c in claims:
        by_article = {m.split(":")[0]: int(m.split(":")[1]) for m in c.members}
        if src_article in by_article and tgt_article in by_article:
            out[by_article[src_article]] = by_article[tgt_article]
    return out
