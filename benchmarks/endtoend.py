"""What a user waits for: `factcmp compare` on the seed corpus, end to end, beside Python.

Four commands, timed as whole processes in interleaved, rotated rounds on one machine:

- ``python -c "import numpy"``: the floor any Python tool on numpy pays;
- warm: every sentence's vector and every article's annotations already cached (a second
  run on the same articles);
- cold: the cache of vectors and annotations empty, the model already converted (a run on
  new articles);
- first: an empty cache folder (the first run after install: convert the model, load it,
  embed).

Each runs the installed ``factcmp compare corpus/putin-kim`` with its text report going to
a pipe and ``$FACTCMP_CACHE_DIR`` pointing at its own folder. Medians, and ratios both of the
medians and paired within rounds. Beside them, per-stage times measured inside one process
per kind of run (``--stages``), so the end-to-end figure can be read against the stages.

    python benchmarks/endtoend.py [--repeats 5] [--first-repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import ROOT, TMP, header, write_result

CORPUS = ROOT / "corpus" / "putin-kim"
WORK = TMP / "endtoend"
FACTCMP = Path(sys.executable).with_name("factcmp")
KINDS = ("numpy", "warm", "cold", "first")


def prepare_dir(kind: str) -> Path:
    """The cache folder a run of ``kind`` starts from (the converted model is shared)."""
    folder = WORK / kind
    if kind == "first":
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    elif kind == "cold":
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            (folder / f"embeddings.sqlite3{suffix}").unlink(missing_ok=True)
    if kind in ("cold", "warm") and not (folder / "models").exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "models").symlink_to(WORK / "base" / "models", target_is_directory=True)
    return folder


def command(kind: str) -> list[str]:
    if kind == "numpy":
        return [sys.executable, "-c", "import numpy"]
    return [str(FACTCMP), "compare", str(CORPUS)]


def run_once(kind: str) -> dict[str, float]:
    """Wall and CPU seconds of one whole process."""
    env = dict(os.environ, FACTCMP_CACHE_DIR=str(prepare_dir(kind)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command(kind), env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{kind} run failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "stderr_chars": len(done.stderr)}


def stages(kind: str) -> dict[str, float]:
    """Seconds per stage of one run of ``kind``, inside one fresh process (this script with
    ``--stages``), the stages of ``factcmp.pipeline.compare_articles`` called one by one."""
    env = dict(os.environ, FACTCMP_CACHE_DIR=str(prepare_dir(kind)))
    out = subprocess.run([sys.executable, __file__, "--stages", kind], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def _stage_run(kind: str) -> None:
    """Child of :func:`stages`: print one JSON line of stage times."""
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    clock, cpu_clock = time.perf_counter(), time.process_time()

    def lap(name: str) -> None:
        nonlocal clock, cpu_clock
        now, cpu_now = time.perf_counter(), time.process_time()
        times[name] = round(now - clock, 4)
        cpu[name] = round(cpu_now - cpu_clock, 4)
        clock, cpu_clock = now, cpu_now

    import io

    import factcmp.cli  # noqa: F401  (what the command imports before it reads a file)
    from factcmp.pipeline import compare_articles  # noqa: F401
    lap("import factcmp")
    from rich.console import Console

    from factcmp.annotate import annotate
    from factcmp.compare import build_timeline, compare
    from factcmp.config import Settings, default_cache_dir
    from factcmp.embed import embed_texts, load_embedder, text_store
    from factcmp.pipeline import align_articles, load_corpus
    from factcmp.report.render import render_report
    from factcmp.types import Report
    lap("import stages")
    settings = Settings(cache_dir=default_cache_dir())
    articles, sentences = load_corpus([CORPUS])
    lap("read + segment")
    embedder = load_embedder(settings)
    annotations = annotate(articles, sentences, store=text_store(embedder))
    lap("annotate (or read from the cache)")
    if kind != "warm":
        from factcmp.embed.e5convert import ensure_default_model

        ensure_default_model(settings.cache_dir)
        lap("convert model")
        embedder.inner._load()  # type: ignore[attr-defined]
        lap("import torch + load model")
    vectors = embed_texts(embedder, [s.text for s in sentences]).vectors
    lap("embed (cache read + model)")
    claims = align_articles(articles, sentences, vectors, annotations, settings)
    lap("align")
    findings = compare(articles, sentences, claims, annotations)
    report = Report(model_id=embedder.model_id, settings={}, articles=tuple(articles),
                    sentences=tuple(sentences), findings=tuple(findings),
                    timeline=build_timeline(articles, findings))
    lap("compare")
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_report(report, console)
    lap("render")
    heavy = ("torch", "sentence_transformers", "transformers", "sklearn", "scipy", "simplemma")
    print(json.dumps({"wall": times, "cpu": cpu, "sentences": len(sentences),
                      "heavy_modules_loaded": [m for m in heavy if m in sys.modules]}))


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by = {k: [r for r in rows if r["kind"] == k] for k in KINDS}
    med = {k: statistics.median(r["wall"] for r in v) for k, v in by.items() if v}
    out: dict[str, Any] = {
        k: {"runs": len(v), "median_wall_s": round(med[k], 3),
            "median_cpu_s": round(statistics.median(r["cpu"] for r in v), 3),
            "min_wall_s": round(min(r["wall"] for r in v), 3),
            "max_wall_s": round(max(r["wall"] for r in v), 3)}
        for k, v in by.items() if v
    }

    def paired(a: str, b: str) -> float | None:
        ratios = [x["wall"] / y["wall"] for x in by[a] for y in by[b] if x["round"] == y["round"]]
        return round(statistics.median(ratios), 2) if ratios else None

    out["ratios"] = {
        f"{a}/{b}": {"of_medians": round(med[a] / med[b], 2), "paired_median": paired(a, b)}
        for a, b in (("warm", "numpy"), ("cold", "warm"), ("first", "warm"), ("first", "cold"))
        if a in med and b in med
    }
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="rounds of numpy, warm and cold")
    ap.add_argument("--first-repeats", type=int, default=3, help="rounds that include a first run")
    ap.add_argument("--stage-repeats", type=int, default=3, help="in-process runs per kind")
    ap.add_argument("--stages", choices=KINDS[1:], help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    if args.stages:
        _stage_run(args.stages)
        return {}
    from factcmp.embed.e5convert import ensure_default_model

    ensure_default_model(WORK / "base")  # the converted model cold and warm runs share
    shutil.rmtree(WORK / "warm", ignore_errors=True)
    run_once("warm")  # fills the warm cache (itself a cold run)
    load = [os.getloadavg()[0]]
    rows: list[dict[str, Any]] = []
    for rnd in range(max(args.repeats, args.first_repeats)):
        kinds = [k for k in KINDS if k != "first" or rnd < args.first_repeats]
        kinds = kinds[rnd % len(kinds):] + kinds[: rnd % len(kinds)]  # rotate the order
        for kind in kinds:
            rows.append({"round": rnd, "kind": kind, **run_once(kind)})
            print(f"round {rnd} {kind:5} {rows[-1]['wall']:7.2f} s", flush=True)
        load.append(os.getloadavg()[0])
    per_stage = {k: [stages(k) for _ in range(args.stage_repeats if k != "first" else 1)]
                 for k in KINDS[1:]}
    stage_medians = {
        k: {clock: {name: round(statistics.median(r[clock][name] for r in runs), 4)
                    for name in runs[0][clock]} for clock in ("wall", "cpu")}
        for k, runs in per_stage.items()
    }
    payload = header("endtoend", None) | {
        "corpus": str(CORPUS.relative_to(ROOT)),
        "command": "factcmp compare corpus/putin-kim (text report to a pipe)",
        "kinds": {
            "numpy": 'python -c "import numpy"',
            "warm": "every vector, lemma and annotation cached",
            "cold": "empty cache of vectors, lemmas and annotations; model already converted",
            "first": "empty cache folder: convert the model, load it, embed",
        },
        "load_average_1min": [round(x, 2) for x in load],
        "summary": summarise(rows),
        "stages_median_s": stage_medians,
        "stages_heavy_modules": {k: runs[0]["heavy_modules_loaded"] for k, runs in per_stage.items()},
        "runs": rows,
    }
    path = write_result("endtoend", None, payload, args.out)
    print(json.dumps(payload["summary"], indent=1))
    print(json.dumps(stage_medians, indent=1))
    print(f"wrote {path}")
    return payload


if __name__ == "__main__":
    main()
