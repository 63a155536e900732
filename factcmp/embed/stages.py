"""What a first run is doing while nothing seems to move: converting the model, loading it.

Those steps happen deep inside the first ``embed`` call (a model loads on a cache miss
only), far from whoever shows progress; the stage names travel back through a context
variable rather than through every signature in between. Nothing is shown unless a caller
asked (:func:`show_stages`): the library stays silent, the CLI puts them on its progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SHOW: ContextVar[Callable[[str], None] | None] = ContextVar("factcmp_stage", default=None)


@contextmanager
def show_stages(show: Callable[[str], None]) -> Iterator[None]:
    """Within the block, each stage the embedder enters is passed to ``show``."""
    token = _SHOW.set(show)
    try:
        yield
    finally:
        _SHOW.reset(token)


def enter_stage(name: str) -> None:
    """Announce a stage ("loading the model") to whoever asked, if anyone did."""
    show = _SHOW.get()
    if show is not None:
        show(name)
