"""Progress on stderr for the CLI: what a run is doing while the user waits (rich bars, drawn
only on a terminal). The stages report through plain callbacks and never print."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console


@contextlib.contextmanager
def embedding_progress(stderr: Console) -> Iterator[Callable[[int, int], None]]:
    """What a run waits for, on stderr: converting the model (first use), loading it, then
    sentences embedded of all with the time left, so a first run's ~40 s never look like a
    hang. Shown only once there is something to embed (a warm run shows nothing) and only on
    a terminal (rich would still write a blank line elsewhere); ``-v`` logs the same steps."""
    if not stderr.is_terminal:
        yield lambda done, total: None
        return
    from rich.progress import (  # here, not at the top: a warm run draws no bar
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .embed.stages import show_stages

    bar = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=stderr,
        transient=True,
    )
    task = bar.add_task("embedding", total=None)
    todo, last_total = 0, -1  # sentences this embedding call must embed (not cached)

    def show(stage: str) -> None:
        current = bar.tasks[0]
        if stage == "embedding" or not bar.live.is_started:  # time and speed from here on
            bar.reset(task, completed=int(current.completed), total=current.total)
        if not bar.live.is_started:
            bar.start()
        text = f"embedding {todo:,} new sentences" if stage == "embedding" and todo else stage
        bar.update(task, description=text, refresh=True)  # a new stage shows at once

    def update(done: int, total: int) -> None:
        nonlocal todo, last_total
        bar.update(task, completed=done, total=total)
        if done < total and total != last_total:  # an embedding call with texts to embed
            todo, last_total = total - done, total
            show("embedding")

    try:
        with show_stages(show):
            yield update
    finally:
        if bar.live.is_started:
            bar.stop()


@contextlib.contextmanager
def stories_progress(
    stderr: Console,
) -> Iterator[tuple[Callable[[int, int], None], Callable[[int, int], None]]]:
    """Two bars on stderr, sentences embedded and stories compared, with rate and time left;
    the first names what a first run is doing meanwhile (converting, loading the model), as
    :func:`embedding_progress` does; silent when stderr is not a terminal."""
    if not stderr.is_terminal:
        yield (lambda done, total: None), (lambda done, total: None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .embed.stages import show_stages

    names = ("embedding sentences", "comparing stories")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("[dim]{task.fields[rate]}"),
        TimeRemainingColumn(), TimeElapsedColumn(), console=stderr, transient=True,
    ) as bar:
        tasks = [bar.add_task(name, total=None, rate="", visible=i == 0)
                 for i, name in enumerate(names)]

        def show(stage: str) -> None:  # until the next update names the bar again
            bar.update(tasks[0], description=stage, refresh=True)

        def updater(i: int) -> Callable[[int, int], None]:
            def update(done: int, total: int) -> None:
                speed = bar.tasks[tasks[i]].speed
                rate = f"{speed:,.1f}/s" if speed else ""
                bar.update(tasks[i], completed=done, total=total, visible=True, rate=rate,
                           description=names[i])

            return update

        with show_stages(show):
            yield updater(0), updater(1)
