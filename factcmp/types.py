"""Dataclasses passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

SentenceId = str
"""``"<article id>:<index>"``, stable across runs and across subsets of articles."""

Verdict = Literal["agree", "differ", "partial", "unique"]
SentenceKind = Literal["body", "heading"]
DetailKind = Literal["year", "number"]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as read from one file.

    ``text`` is the article body: the file's text after any metadata header.
    ``text_offset`` is where ``text`` begins in the decoded file, in characters.
    """

    id: str
    path: str
    lang: str
    text: str
    date: str | None = None
    title: str | None = None
    source: str | None = None
    text_offset: int = 0


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article; ``article.text[start:end] == text``."""

    article_id: str
    index: int
    text: str
    start: int
    end: int
    kind: SentenceKind = "body"

    @property
    def id(self) -> SentenceId:
        return f"{self.article_id}:{self.index}"


@dataclass(frozen=True, slots=True)
class Embeddings:
    """L2-normalised float32 vectors of shape ``(n, d)``, one row per sentence."""

    model_id: str
    vectors: np.ndarray = field(repr=False)


@dataclass(frozen=True, slots=True)
class Link:
    """One cross-article sentence pair and the evidence score that linked it."""

    a: SentenceId
    b: SentenceId
    score: float


@dataclass(frozen=True, slots=True)
class Claim:
    """Sentences from one or more articles that state the same thing."""

    id: str
    members: tuple[SentenceId, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Detail:
    """A comparable detail found in a sentence: ``sentence.text[start:end] == text``."""

    kind: DetailKind
    value: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class DetailDiff:
    """One detail kind whose values differ between the sources of a claim.

    ``values`` maps each article id that states this kind of detail to its values.
    """

    kind: DetailKind
    values: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Finding:
    """A claim with its verdict: who carries it, who is silent, what differs."""

    claim: Claim
    articles: tuple[str, ...]
    silent: tuple[str, ...]
    verdict: Verdict
    differences: tuple[DetailDiff, ...]
    details: dict[SentenceId, tuple[Detail, ...]]


@dataclass(frozen=True, slots=True)
class QueryHit:
    sentence: SentenceId
    score: float


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Per article, the sentences on the query's topic (empty tuple: silent)."""

    query: str
    hits: dict[str, tuple[QueryHit, ...]]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything ``factcmp compare`` found: the input, the claims and their verdicts."""

    model_id: str
    settings: dict[str, object]
    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    findings: tuple[Finding, ...]
