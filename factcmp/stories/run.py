"""A stories run: a feed in, its stories found and each compared.

read -> segment -> annotate -> embed every sentence once (through the engine; the cache makes a
re-run embed only new texts) -> article features -> stories -> one :class:`StoryJob` per
story of two or more articles, its vectors sliced from the one embedding -> the engine compares
them. No printing and no file I/O beyond reading the input.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..annotate import annotate
from ..config import Settings
from ..embed import CachedEmbedder, Embedder, Progress, text_store
from ..errors import IngestError
from ..ingest import read_articles, segment
from ..types import Annotation, Article, Report, Sentence
from .cluster import ClusterParams, cluster_articles, default_weights
from .engine import Engine, InProcessEngine, JobProgress, StoryJob
from .vectors import article_features

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Story:
    """A story of two or more articles (ids in id order) and its comparison."""

    id: str
    articles: tuple[str, ...]
    report: Report


@dataclass(frozen=True)
class StoriesResult:
    """Every article of the feed, in id order; the stories, largest first; and the articles
    that joined no story (or had no sentence to place), in id order."""

    model_id: str
    articles: tuple[Article, ...]
    stories: tuple[Story, ...]
    unassigned: tuple[Article, ...]


def story_id(article_ids: Sequence[str]) -> str:
    """A story's id from its articles' ids: the same articles give the same id on any run."""
    # JSON, not a joined string: an id may hold any character, even the separator.
    digest = hashlib.sha256(json.dumps(sorted(article_ids)).encode("utf-8")).hexdigest()
    return f"story-{digest[:12]}"


def cached(embedder: Embedder) -> CachedEmbedder:
    """``embedder`` as a :class:`CachedEmbedder` (one without a cache when it is a bare model)."""
    return embedder if isinstance(embedder, CachedEmbedder) else CachedEmbedder(embedder, None)


def _segmented(articles: Sequence[Article]) -> tuple[list[Article], list[Sentence], list[Article]]:
    """Articles with sentences and theirs; articles left empty are warned about and set aside."""
    kept, sentences, empty = [], [], []
    for article in articles:
        found = segment(article)
        if found:
            kept.append(article)
            sentences.extend(found)
        else:
            log.warning("%s: no sentences left after removing captions and boilerplate; it "
                        "joins no story", article.path)
            empty.append(article)
    return kept, sentences, empty


def story_jobs(
    groups: Sequence[Sequence[int]],
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    annotations: Sequence[Annotation],
    settings: Settings,
    model_id: str,
) -> list[StoryJob]:
    """One job per group of two or more articles, its rows sliced from the feed's arrays."""
    rows: dict[str, list[int]] = {}
    for row, s in enumerate(sentences):
        rows.setdefault(s.article_id, []).append(row)
    jobs = []
    for group in groups:
        members = sorted((articles[i] for i in group), key=lambda a: a.id)
        take = [r for a in members for r in rows[a.id]]
        jobs.append(
            StoryJob(
                story_id=story_id([a.id for a in members]),
                articles=tuple(members),
                sentences=tuple(sentences[r] for r in take),
                vectors=vectors[take],
                annotations=tuple(annotations[r] for r in take),
                settings=settings,
                model_id=model_id,
            )
        )
    return jobs


def _read(source: Sequence[str | Path] | Sequence[Article]) -> list[Article]:
    given = list(source)
    articles = [x for x in given if isinstance(x, Article)]
    paths = [x for x in given if not isinstance(x, Article)]
    return articles + (read_articles(paths) if paths or not given else [])


def find_stories(
    source: Sequence[str | Path] | Sequence[Article],
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    embedder: Embedder | None = None,
    params: ClusterParams | None = None,
    embed_progress: Progress | None = None,
    compare_progress: JobProgress | None = None,
) -> StoriesResult:
    """Group the articles of ``source`` (paths, or articles already read) into stories and
    compare each story of two or more articles.

    Raises:
        IngestError: unreadable input, or no article at all.
        ModelUnavailable: the embedding model cannot be loaded.
    """
    from ..embed import model  # through the module: tests swap load_embedder there

    settings = settings or Settings()
    engine = engine or InProcessEngine()
    ordered = sorted(_read(source), key=lambda a: a.id)  # any argument order, same result
    if not ordered:
        raise IngestError("no articles given; pass files, folders or .jsonl feeds")
    articles, sentences, empty = _segmented(ordered)
    log.info("%d articles, %d sentences", len(articles), len(sentences))
    embedder = cached(embedder or model.load_embedder(settings))
    # Annotations are kept in the embedding cache too: a re-run annotates only new articles.
    annotations = annotate(articles, sentences, store=text_store(embedder))
    vectors = engine.embed(embedder, [s.text for s in sentences], embed_progress)
    weights = default_weights()
    features = article_features(articles, sentences, vectors, annotations, weights.shrink)
    groups = cluster_articles(features, params, weights) if articles else []
    stories = [g for g in groups if len(g) > 1]
    jobs = story_jobs(stories, articles, sentences, vectors, annotations, settings,
                      embedder.model_id)
    reports = engine.compare(jobs, compare_progress)
    found = sorted(
        (Story(j.story_id, tuple(a.id for a in j.articles), r) for j, r in zip(jobs, reports,
                                                                               strict=True)),
        key=lambda s: (-len(s.articles), s.id),
    )
    alone = [articles[g[0]] for g in groups if len(g) == 1]
    log.info("%d stories of two or more articles, %d articles in none", len(found),
             len(alone) + len(empty))
    return StoriesResult(
        model_id=embedder.model_id,
        articles=tuple(ordered),
        stories=tuple(found),
        unassigned=tuple(sorted([*alone, *empty], key=lambda a: a.id)),
    )

