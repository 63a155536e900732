"""What the stories benchmarks measure of a process: CPU seconds, peak memory of it and of its
descendants (Ray's workers), and how a cost grows with the input."""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path
from typing import Any, Self

import numpy as np


class TreeSampler:
    """Peak summed RSS and last CPU time of this process's descendants, read from ``/proc``."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak_kb, self.child_cpu = every, 0, 0.0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _tree(self) -> list[tuple[int, int, float]]:
        parent: dict[int, int] = {}
        info: dict[int, tuple[int, float]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry)
            parent[pid] = int(stat[1])
            # utime, stime, cutime, cstime (clock ticks); rss (pages)
            cpu = sum(int(x) for x in stat[11:15]) / self._tick
            info[pid] = (int(stat[21]) * os.sysconf("SC_PAGE_SIZE") // 1024, cpu)
        me, out = os.getpid(), []
        for pid, (rss, cpu) in info.items():
            p = pid
            while p > 1 and p != me:
                p = parent.get(p, 0)
            if p == me and pid != me:
                out.append((pid, rss, cpu))
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        tree = self._tree()
        self.peak_kb = max(self.peak_kb, sum(rss for _, rss, _ in tree))
        for pid, _, cpu in tree:
            self._cpu[pid] = max(self._cpu.get(pid, 0.0), cpu)
        self.child_cpu = sum(self._cpu.values())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sample()
        self._stop.set()
        self._thread.join()


def own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def own_peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def exponent(rows: list[dict[str, Any]], key: str) -> float | None:
    """Slope of log(key) on log(articles): 1 is linear."""
    pts = [(r["articles"], r[key]) for r in rows if r.get(key)]
    if len(pts) < 2:
        return None
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return round(float(np.polyfit(x, y, 1)[0]), 3)
