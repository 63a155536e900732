"""The JSON wire format, versioned. Adding a key bumps the minor version; renaming or
removing one bumps the major version. Readers reject an unknown major version.

The document grows with its input, never with claims x articles: a claim names the articles
that state it and those that possibly state it, and a consumer derives the silent ones (every
article less those two). A ``possibly`` entry comes from one of the aligner's candidate pairs
(a sentence among a member's nearest candidates, or sharing a rare name or number with it), so
there are at most two per candidate pair: linear in the sentences. Sentence text is written
once, in ``sentences``; claims refer to sentences by id."""

from __future__ import annotations

from typing import TypedDict

SCHEMA_VERSION = "2.0"
# 1.1: detail unit/note, difference unit/texts, first_seen, timeline; 1.2: claim evidence;
# 1.3: claim possibly (an article's close sentence, not linked; such an article is not silent);
# 2.0: claim silent and possibly text removed (claims x articles entries; text said twice)
READABLE_MAJORS = ("1", "2")
"""Major versions :func:`~factcmp.report.serialize.from_dict` reads: 1.x files list the silent
articles, which 2.x readers derive anyway."""


class ArticleDict(TypedDict):
    id: str
    path: str
    lang: str
    date: str | None
    title: str | None
    source: str | None


class SentenceDict(TypedDict):
    id: str
    article: str
    index: int
    text: str
    start: int
    end: int
    kind: str


class LinkDict(TypedDict):
    a: str
    b: str
    score: float


class PossiblyDict(TypedDict):
    """An article that possibly states the claim: its closest sentence (its text is in
    ``sentences``), which did not become a link, and the score of its pair with ``member``
    (the claim's sentence it is closest to)."""

    article: str
    sentence: str
    score: float
    member: str


class DetailDict(TypedDict):
    sentence: str
    kind: str
    value: str
    text: str
    start: int
    end: int
    unit: str | None
    note: str | None


class DifferenceDict(TypedDict):
    kind: str
    unit: str | None
    values: dict[str, list[str]]
    texts: dict[str, list[str]]


class FirstSeenDict(TypedDict):
    article: str
    date: str | None


class ClaimDict(TypedDict):
    """A claim. Its silent articles are not listed (schema 2.0): they are the report's
    articles less ``articles`` and ``possibly``'s articles."""

    id: str
    sentences: list[str]
    articles: list[str]
    possibly: list[PossiblyDict]
    verdict: str
    details: list[DetailDict]
    differences: list[DifferenceDict]
    links: list[LinkDict]
    first_seen: FirstSeenDict | None
    evidence: str | None


class TimelineDict(TypedDict):
    article: str
    date: str | None
    claims: list[str]
    new_claims: list[str]


class ReportDict(TypedDict):
    schema_version: str
    factcmp_version: str
    model: str
    settings: dict[str, object]
    articles: list[ArticleDict]
    sentences: list[SentenceDict]
    claims: list[ClaimDict]
    timeline: list[TimelineDict]


class QueryHitDict(TypedDict):
    sentence: str
    text: str
    score: float


class QueryArticleDict(TypedDict):
    article: str
    silent: bool
    hits: list[QueryHitDict]


class QueryReportDict(TypedDict):
    schema_version: str
    factcmp_version: str
    model: str
    query: str
    articles: list[ArticleDict]
    results: list[QueryArticleDict]


INDEX_VERSION = "1.0"
"""Version of the ``stories.json`` index of ``factcmp stories``, by the rules above."""


class StoryDatesDict(TypedDict):
    first: str
    last: str


class StoryRowDict(TypedDict):
    """One story in the index; its comparison is the report in ``file``."""

    id: str
    title: str
    articles: list[str]
    languages: dict[str, int]
    sources: list[str]
    dates: StoryDatesDict | None
    shared_claims: int
    differing_details: int
    claims_that_differ: int
    file: str


class UnassignedDict(ArticleDict):
    """An article that joined no story: listed in the index, not dropped."""


class StoriesIndexDict(TypedDict):
    index_version: str
    factcmp_version: str
    model: str
    articles: int
    stories: list[StoryRowDict]
    unassigned: list[UnassignedDict]
