"""How many threads embedding (torch) and neighbour search (numpy's BLAS, faiss's OpenMP) use.

Both libraries start one thread per core. On a machine whose cores are busy with other work
that is slower than fewer threads, since the threads wait for each other at every step
(``benchmarks/flops.py`` measures it). The count comes from ``--threads``, else
``$FACTCMP_THREADS``, else :data:`DEFAULT_THREADS`.

This module never imports torch (a warm run must not pay for it): the embedder calls
:func:`apply_torch` once it has imported torch itself, and the neighbour search calls
:func:`apply_faiss` with the faiss module it imported.
"""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager
from typing import Any

from .errors import ConfigError

ENV = "FACTCMP_THREADS"
DEFAULT_THREADS = 1
"""Measured fastest on the shared 2-core machine (``benchmarks/flops.py``,
``benchmarks/results/*-flops.json``): see :func:`resolve`."""

_chosen: int | None = None


def parse(raw: str, source: str = ENV) -> int:
    """A thread count from text.

    Args:
        raw: what the user gave.
        source: where it came from (``FACTCMP_THREADS`` or ``--threads``), named in the error.

    Raises:
        ConfigError: ``raw`` is not a whole number of at least 1.
    """
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value < 1:
        cores = os.cpu_count() or 2
        raise ConfigError(
            f"{source}={raw!r} is not a number of threads; set it to a whole number of at least "
            f"1, e.g. {source}={DEFAULT_THREADS} (the default) or {source}={cores} (one per core)"
        )
    return value


def resolve(threads: int | None = None) -> int:
    """``threads`` if given, else ``$FACTCMP_THREADS``, else :data:`DEFAULT_THREADS`.

    Raises:
        ConfigError: ``threads`` is below 1, or the variable is not a number of threads.
    """
    if threads is not None:
        return parse(str(threads), "--threads")
    raw = os.environ.get(ENV, "")
    return parse(raw) if raw.strip() else DEFAULT_THREADS


def use(threads: int | None = None) -> int:
    """Choose the thread count for this process (see :func:`resolve`) and apply it to torch and
    faiss where they are already imported; returns the count."""
    global _chosen
    _chosen = resolve(threads)
    if "faiss" in sys.modules:
        apply_faiss(sys.modules["faiss"])
    apply_torch()
    return _chosen


def current() -> int:
    """The count :func:`use` chose, else :func:`resolve`'s."""
    return _chosen if _chosen is not None else resolve()


def apply_faiss(faiss: Any) -> None:
    """Give faiss's OpenMP loops :func:`current` threads."""
    faiss.omp_set_num_threads(current())


def apply_torch() -> None:
    """Give torch :func:`current` threads, if torch is imported (it is never imported here)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(current())


def blas() -> AbstractContextManager[Any]:
    """Limit numpy's BLAS to :func:`current` threads inside a ``with`` block (threadpoolctl:
    5 ms to import, 2 ms a call)."""
    from threadpoolctl import threadpool_limits

    limits: AbstractContextManager[Any] = threadpool_limits(limits=current(), user_api="blas")
    return limits
