"""What every benchmark run records: schema, commit, machine, and where its JSON goes."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1.0"
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TMP = RESULTS / "tmp"  # gitignored: embedding caches, the converted model
SHARED_DATA = ROOT.parent / "shared" / "data"


def git_commit() -> dict[str, Any]:
    """HEAD and whether the work tree differs from it (results of a dirty tree say so)."""

    def run(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    status = run("status", "--porcelain", "--", "factcmp")
    return {"commit": run("rev-parse", "HEAD") or None, "factcmp_dirty": bool(status)}


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "processor": _cpu_model(),
    }
    try:
        import numpy
        import torch

        info.update(numpy=numpy.__version__, torch=torch.__version__,
                    torch_threads=torch.get_num_threads(), device="cpu")
    except ImportError:
        pass
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def header(benchmark: str, model: str | None) -> dict[str, Any]:
    """The top of a results file."""
    import factcmp

    return {
        "schema_version": SCHEMA_VERSION,
        "benchmark": benchmark,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "factcmp_version": factcmp.__version__,
        "git": git_commit(),
        "model": model,
        "machine": machine(),
    }


def model_slug(model: str) -> str:
    return Path(model).name.replace("/", "_") if model else "none"


def write_result(benchmark: str, model: str | None, payload: dict[str, Any],
                 out: Path | None = None) -> Path:
    """Write ``results/<date>-<benchmark>-<model>.json`` (or ``out``) and return its path."""
    day = dt.date.today().isoformat()
    suffix = f"-{model_slug(model)}" if model else ""
    path = out or RESULTS / f"{day}-{benchmark}{suffix}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def timed(fn: Callable[[], Any], repeats: int = 3) -> tuple[list[float], Any]:
    """Run ``fn`` ``repeats`` times; wall-clock seconds of each run and the last result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn}


def align_claims(sentences: Any, vectors: Any, langs: list[str] | None = None,
                 params: Any = None, annotations: Any = None) -> Any:
    """``factcmp.align.align`` told each sentence's language and annotations, as the pipeline
    does; with its current defaults unless ``params`` (an ``AlignParams``) says otherwise."""
    from factcmp.align import align

    return align(sentences, vectors, params, langs=langs, annotations=annotations)
