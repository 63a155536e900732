"""Dataclasses passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

SentenceId = str
"""``"<article id>:<index>"``, stable across runs and across subsets of articles."""

Verdict = Literal["agree", "differ", "partial", "unique"]
Evidence = Literal["strong", "weak"]
SentenceKind = Literal["body", "heading"]
DetailKind = Literal["year", "number", "date", "quantity", "ordinal", "name", "quote"]


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
    possible: tuple[Link, ...] = ()
    """For each article with no sentence in the claim whose best candidate comes close but
    not close enough to link: ``Link(a=the member it matched best, b=the candidate, score)``."""


@dataclass(frozen=True, slots=True)
class Detail:
    """A comparable detail found in a sentence: ``sentence.text[start:end] == text``.

    ``value`` is the resolved value: a date ("2000", "2023-09", "2024-06/wed"), an amount
    ("24", "2.5", "2000-9999"), an ordinal ("7"), an entity id ("kim-jong-un") or, for a
    quote, the speaker's entity id ("?" when not found; ``text`` is then the quoted words).
    ``unit`` is what an amount or ordinal counts ("year", "soldier", "visit") or a name's
    type ("person", "place", "country", "org", "other"). ``note`` says how a date was stated
    ("absolute", "since", "ago", "relative", "weekday"), a person's family name ("kim"), or
    a quote's speaker as written ("Kims").
    """

    kind: DetailKind
    value: str
    text: str
    start: int
    end: int
    unit: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class EventTime:
    """The dates a sentence is about; ``absolute`` when the sentence spells them all out,
    False when they are its article's date or resolved against it; ``written``: its
    article's date."""

    values: tuple[str, ...] = ()
    absolute: bool = False
    written: str | None = None


@dataclass(frozen=True, slots=True)
class Number:
    """A number a sentence states: its value (a clock time "19:30" also reads as 19.30), the
    unit found with it, half its last written digit's place (its rounding), whether its
    sentence gives a measure (so it may be converted), whether it is an ordinal, and whether
    it may stand unmatched (``spare``: written in words, or part of a start or relative date).
    """

    value: float
    time: str | None
    unit: str | None
    precision: float
    measure: frozenset[str]
    ordinal: bool
    spare: bool
    text: str
    money: bool = False
    clock: bool = False

    @property
    def year_like(self) -> bool:
        return self.time is None and self.value == int(self.value) and 1900 <= self.value <= 2100


@dataclass(frozen=True, slots=True)
class Annotation:
    """What the annotate stage found in one sentence, computed once and read by align and
    compare: its details (names as entity ids, dates, amounts, ordinals, quotes with
    speakers), its time, its numbers as a whole, its names and numbers as transliterated
    words (``anchors``), and its content words' lemmas."""

    details: tuple[Detail, ...]
    time: EventTime
    numbers: tuple[Number, ...]
    anchors: str
    lemmas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DetailDiff:
    """One detail kind whose values differ between the sources of a claim.

    ``values`` maps each article id that states this kind of detail to its values;
    ``texts`` maps it to the words those values came from; ``unit`` is the shared unit
    ("year", "soldier", the family "kim" for persons, or None).
    """

    kind: DetailKind
    values: dict[str, tuple[str, ...]]
    unit: str | None = None
    texts: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finding:
    """A claim with its verdict: who carries it, who is silent, what differs."""

    claim: Claim
    articles: tuple[str, ...]
    silent: tuple[str, ...]
    verdict: Verdict
    differences: tuple[DetailDiff, ...]
    details: dict[SentenceId, tuple[Detail, ...]]
    first_seen: str | None = None
    """The earliest dated article carrying the claim (article order breaks ties)."""
    possibly: tuple[str, ...] = ()
    """Articles whose best candidate comes close (``claim.possible``): neither states nor
    silent, for the reader to judge; ``silent`` holds only the articles with no close one."""


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
class TimelineEntry:
    """One article in date order, with the claims it is the first to carry."""

    article: str
    date: str | None
    claims: tuple[str, ...]
    new_claims: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything ``factcmp compare`` found: the input, the claims and their verdicts."""

    model_id: str
    settings: dict[str, object]
    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    findings: tuple[Finding, ...]
    timeline: tuple[TimelineEntry, ...] = ()
