"""Where the work runs: the seam between what a stories run computes and where it runs.

A run embeds every sentence of the feed once and compares every story of two or more
articles. Both are handed to an :class:`Engine`: :class:`InProcessEngine` does them here, one
after another; the Ray engine (:mod:`.ray_engine`) spreads the same batches and the same
:class:`StoryJob` objects over a cluster. :func:`compare_story` is pure and module-level, so a
job can be pickled to a worker and the result is the same bytes wherever it ran.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..compare import build_timeline, compare
from ..config import Settings
from ..embed import CachedEmbedder, Progress
from ..pipeline import align_articles, settings_dict
from ..types import Annotation, Article, Report, Sentence

JobProgress = Callable[[int, int], None]
"""Called with (stories compared, stories in all)."""


@dataclass(frozen=True)
class StoryJob:
    """Everything one story's comparison needs, and nothing it would have to read or embed.

    ``articles`` in id order; ``sentences`` each article's in order, articles in the order of
    ``articles``; ``vectors`` one unit row per sentence (sliced from the run's one embedding);
    ``annotations`` one per sentence.
    """

    story_id: str
    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    vectors: np.ndarray = field(repr=False)
    annotations: tuple[Annotation, ...] = field(repr=False)
    settings: Settings
    model_id: str


def compare_story(job: StoryJob) -> Report:
    """Align and compare one story's articles: the report ``factcmp compare`` gives for them.

    Pure (no I/O, no model): the same job gives the same report in any process.
    """
    claims = align_articles(job.articles, job.sentences, job.vectors, job.annotations, job.settings)
    findings = compare(job.articles, job.sentences, claims, job.annotations)
    return Report(
        model_id=job.model_id,
        settings=settings_dict(job.settings),
        articles=job.articles,
        sentences=job.sentences,
        findings=tuple(findings),
        timeline=build_timeline(job.articles, findings),
    )


class Engine(Protocol):
    """Runs a stories run's two heavy steps: embedding the feed and comparing the stories."""

    def embed(
        self, embedder: CachedEmbedder, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        """The vectors of ``texts`` in order (the cache is the embedder's: only misses run)."""
        ...

    def compare(
        self, jobs: Sequence[StoryJob], progress: JobProgress | None = None
    ) -> list[Report]:
        """One report per job, in job order."""
        ...

    def close(self) -> None:
        """Release what the engine started (workers, a local cluster)."""
        ...


class InProcessEngine:
    """Everything in this process, one step after another."""

    def embed(
        self, embedder: CachedEmbedder, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        return embedder.embed(texts, progress)

    def compare(
        self, jobs: Sequence[StoryJob], progress: JobProgress | None = None
    ) -> list[Report]:
        reports = []
        for done, job in enumerate(jobs, 1):
            reports.append(compare_story(job))
            if progress:
                progress(done, len(jobs))
        return reports

    def close(self) -> None:
        return None
