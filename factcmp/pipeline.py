"""The whole job: paths in, a :class:`Report` out."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .align import AlignParams, align, default_weights
from .annotate import annotate
from .compare import build_timeline, compare
from .config import Settings
from .embed import Embedder, Progress, embed_texts, load_embedder, text_store
from .errors import IngestError
from .ingest import read_articles, segment
from .query import search_texts
from .types import Annotation, Article, Claim, Embeddings, QueryResult, Report, Sentence

log = logging.getLogger(__name__)


def load_corpus(paths: Sequence[str | Path]) -> tuple[list[Article], list[Sentence]]:
    """Read and segment every article under ``paths``.

    Raises:
        IngestError: unreadable input, or an article with no sentences left.
    """
    # In id order, whatever the order of the arguments: the same set of articles gives the same
    # report (claim ids, first_seen ties, timeline).
    articles = sorted(read_articles(paths), key=lambda a: a.id)
    sentences: list[Sentence] = []
    for article in articles:
        found = segment(article)
        if not found:
            raise IngestError(
                f"{article.path}: no sentences left after removing captions and boilerplate"
            )
        sentences.extend(found)
    langs = sorted({a.lang for a in articles})
    log.info("%d articles (%s), %d sentences", len(articles), ", ".join(langs), len(sentences))
    if len(articles) > 1 and len(langs) == 1:
        log.warning("all articles are in one language (%s); comparing them all the same", langs[0])
    return articles, sentences


def settings_dict(settings: Settings) -> dict[str, object]:
    """The settings that shape the result (not where files live), with the bars actually
    used: a bar left ``None`` is recorded as the fitted one."""
    data = asdict(settings)
    for machine_specific in ("cache_dir", "device", "use_cache", "batch_size"):
        data.pop(machine_specific)
    fitted = default_weights()
    if data["link_threshold"] is None:
        data["link_threshold"] = fitted.link_bar
    if data["possible_threshold"] is None:
        data["possible_threshold"] = fitted.possible_bar
    return data


def align_articles(
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    annotations: Sequence[Annotation],
    settings: Settings | None = None,
) -> list[Claim]:
    """Group the sentences into claims, told each sentence's language and annotations."""
    settings = settings or Settings()
    lang = {a.id: a.lang for a in articles}
    return align(
        sentences,
        vectors,
        AlignParams(
            neighbours=settings.neighbours,
            link_threshold=settings.link_threshold,
            possible_threshold=settings.possible_threshold,
        ),
        langs=[lang[s.article_id] for s in sentences],
        annotations=annotations,
    )


def compare_articles(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> Report:
    """Read, segment, annotate, embed, align and compare the articles under ``paths``.

    Raises:
        IngestError: fewer than two articles, or unreadable input.
        ModelUnavailable: the embedding model cannot be loaded.
    """
    settings = settings or Settings()
    articles, sentences = load_corpus(paths)
    if len(articles) < 2:
        raise IngestError(
            f"need at least two articles to compare, got {len(articles)} ({articles[0].path}); "
            "pass more files or a folder"
        )
    embedder = embedder or load_embedder(settings)
    annotations = annotate(articles, sentences, store=text_store(embedder))
    embeddings = embed_texts(embedder, [s.text for s in sentences], progress)
    claims = align_articles(articles, sentences, embeddings.vectors, annotations, settings)
    findings = compare(articles, sentences, claims, annotations)
    return Report(
        model_id=embeddings.model_id,
        settings=settings_dict(settings),
        articles=tuple(articles),
        sentences=tuple(sentences),
        findings=tuple(findings),
        timeline=build_timeline(articles, findings),
    )


def query_articles(
    query: str,
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> tuple[QueryResult, list[Article], list[Sentence], Embeddings]:
    """Find each article's sentences on the topic of ``query``.

    Returns:
        the result, the articles, their sentences, and the sentence embeddings.
    """
    settings = settings or Settings()
    if not query.strip():
        raise IngestError('the query is empty; pass a topic, e.g. "the mutual defense clause"')
    articles, sentences = load_corpus(paths)
    embedder = embedder or load_embedder(settings)
    embedded: list[np.ndarray] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        embedded.append(embed_texts(embedder, texts, progress).vectors)
        return embedded[-1]

    result = search_texts(query, articles, sentences, embed)
    return result, articles, sentences, Embeddings(embedder.model_id, embedded[0][: len(sentences)])
