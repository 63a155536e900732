"""Rich tables of a quality results file: ``python benchmarks/quality_report.py results/X.json``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def render(payload: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    m = payload["metrics"]
    nt = m["ntrex"]
    t = Table(title=f"NTREX stories: claim links ({payload['model']})")
    for col in ("pair", "precision", "recall", "F1", "reordered-only F1"):
        t.add_column(col, justify="right" if col != "pair" else "left")
    re_pairs = nt["reordered_only"]["claim_links"]["pairs"]
    for key, s in nt["claim_links"]["pairs"].items():
        t.add_row(key, _f(s["precision"]), _f(s["recall"]), _f(s["f1"]), _f(re_pairs[key]["f1"]))
    for key in ("lv_sl_is", "all"):
        s = nt["claim_links"][key]
        t.add_row(f"[b]{key}[/b]", _f(s["precision"]), _f(s["recall"]), _f(s["f1"]),
                  _f(nt["reordered_only"]["claim_links"][key]["f1"]))
    console.print(t)

    t = Table(title="NTREX stories: silent sources and differing details")
    t.add_column("metric")
    t.add_column("value", justify="right")
    sil, dif = nt["silent"], nt["differences"]
    rows = [
        ("silent: lines exactly right", f"{_f(sil['line_accuracy'])} of {sil['lines']}"),
        ("  lines all versions carry", _f(sil["line_accuracy_all_carry"])),
        ("  lines some version is silent on", f"{_f(sil['line_accuracy_some_silent'])} of {sil['lines_some_silent']}"),
        ("silent: (line, version) cells right", _f(sil["cell_accuracy"])),
        ("reordered-only: lines exactly right", _f(nt["reordered_only"]["silent"]["line_accuracy"])),
        ("altered numbers/years: recall", f"{_f(dif['recall'])} ({dif['detected']}/{dif['altered']})"),
        ("  missed: not linked / linked, not flagged",
         f"{dif['missed_not_linked']} / {dif['missed_linked_not_flagged']}"),
        ("'differ' claims: precision", f"{_f(dif['precision'])} ({dif['differ_claims_correct']}/{dif['differ_claims']})"),
        ("altered names: recall", f"{_f(dif.get('name_recall', 0.0))} of {dif['name_altered']}"),
        ("name-altered lines still linked", _f(dif["name_altered_still_linked"])),
    ]
    seed = m["seed_corpus"]
    rows += [
        ("seed corpus: gold pairs linked", f"{_f(seed['recall'])} ({seed['pairs_linked']}/{seed['pairs']})"),
        ("seed corpus: near misses linked", f"{_f(seed['false_link_rate'])} ({seed['near_misses_linked']}/{seed['near_misses']})"),
    ]
    for r in rows:
        t.add_row(*r)
    console.print(t)

    if "ntrex_thresholds" in m:
        t = Table(title="link_threshold: NTREX stories vs unrelated stories (every link false)")
        for col in ("threshold", "claim-link F1 lv/sl/is", "silent lines right",
                    "unrelated sentences linked"):
            t.add_column(col, justify="right")
        for key, s in m["ntrex_thresholds"].items():
            t.add_row(key, _f(s["claim_links_f1_lv_sl_is"]), _f(s["silent_line_accuracy"]),
                      _f(s["unrelated_sentences_linked"]))
        console.print(t)

    pub = payload["published_multilingual_e5_small"]
    if "tatoeba" in m:
        t = Table(title="Tatoeba retrieval accuracy (x->eng unless noted), same embeddings")
        for col in ("pair", "published e5-small", "top-1 cos", "F1 (MTEB)", "eng->x", "mutual NN R/P",
                    "margin x->eng", "align() R/P"):
            t.add_column(col, justify="right")
        for key, s in m["tatoeba"].items():
            t.add_row(key, f"{pub['tatoeba'][key]['accuracy']:.3f} / {pub['tatoeba'][key]['f1']:.3f}",
                      _f(s["top1_cosine"]["accuracy"]), _f(s["top1_cosine"]["f1"]),
                      _f(s["top1_cosine_eng_to_x"]["accuracy"]),
                      f"{_f(s['mutual_nn']['recall'])}/{_f(s['mutual_nn']['precision'])}",
                      _f(s["ratio_margin_k4"]["accuracy_src_to_tgt"]),
                      f"{_f(s['factcmp_align']['recall'])}/{_f(s['factcmp_align']['precision'])}")
        console.print(t)

    t = Table(title="NTREX bitext mining (1,997 lines), top-1 accuracy")
    t.add_column("direction")
    t.add_column("published e5-small", justify="right")
    t.add_column(payload["model_arg"], justify="right")
    base = m.get("baseline")
    if base:
        t.add_column("baseline", justify="right")
    for key, s in m["ntrex_bitext"].items():
        row = [key, _f(pub["ntrex"][key]["accuracy"]), _f(s["accuracy"])]
        if base:
            row.append(_f(base["ntrex_bitext"][key]["accuracy"]))
        t.add_row(*row)
    console.print(t)

    if base:
        t = Table(title=f"default vs baseline on NTREX stories ({base['model']})")
        t.add_column("metric")
        t.add_column(payload["model_arg"], justify="right")
        t.add_column("baseline", justify="right")
        for label, path in (("claim-link F1 lv/sl/is", ("claim_links", "lv_sl_is", "f1")),
                            ("claim-link F1 all pairs", ("claim_links", "all", "f1")),
                            ("silent line accuracy", ("silent", "line_accuracy")),
                            ("altered number/year recall", ("differences", "recall")),
                            ("altered name recall", ("differences", "name_recall")),
                            ("'differ' precision", ("differences", "precision"))):
            a, b = nt, base["ntrex"]
            for p in path:
                a, b = a[p], b[p]
            t.add_row(label, _f(a), _f(b))
        console.print(t)

    t = Table(title="targets (issue 3)")
    for col in ("metric", "target", "value", "met"):
        t.add_column(col)
    for key, s in payload["targets"].items():
        t.add_row(key, f">= {s['target']}", _f(s["value"]), "yes" if s["met"] else "[red]no[/red]")
    console.print(t)


if __name__ == "__main__":
    render(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
