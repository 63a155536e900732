"""Scores of factcmp's claims and findings against NTREX story gold, and bitext retrieval scores.

NTREX stories (see ``ntrex_stories``): two sentences of different versions belong to the same
claim iff they state the same document line.

* claim links: every cross-version sentence pair is a gold pair iff same line, a predicted
  pair iff same claim; precision/recall/F1 per language pair.
* silent sources: a gold line is right iff all its carriers' sentences land in one claim and
  that claim's articles are exactly the carriers (so every silent version is silent there).
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
