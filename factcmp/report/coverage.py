"""Who states each claim, laid out for a reader: a matrix of claims x articles while the
articles are few enough to read across, else one line per claim naming the articles that
state it and those that possibly do.

A matrix grows as claims x articles. On a handful of articles that is what a reader wants
(every answer at a glance, one column per source); on 400 articles it is neither readable
nor small: 142 claims gave 10 MB of HTML and a 324 kB terminal report whose columns rich
squeezed to nothing. The list names only the articles that state or possibly state a claim,
as the JSON does (schema 2.0), so it grows with the report; the silent ones are the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..types import Article, Finding, Report, Sentence

HTML_MATRIX_ARTICLES = 26
"""The HTML page draws the matrix for at most this many articles: one-letter labels (A-Z),
and at 2.6rem a column the matrix fits a laptop's screen (26 x 2.6rem is about 68rem)."""

def terminal_matrix_width(
    claim_ids: Sequence[str], verdicts: Sequence[str], labels: Mapping[str, str]
) -> int:
    """Columns a rich table (default box) needs for the matrix: each column is its widest
    cell plus one space either side and a rule, and the table closes with one more rule."""
    widths = [
        max(len("claim"), *map(len, claim_ids)),
        *map(len, labels.values()),
        max(len("verdict"), *map(len, verdicts)),
    ]
    return 1 + sum(3 + w for w in widths)


def named(articles: Sequence[str], labels: Mapping[str, str]) -> str:
    """Labels of ``articles`` in order, space-separated ("" for none)."""
    return " ".join(labels[a] for a in articles)


def silent_text(finding: Finding, labels: Mapping[str, str], listed: bool) -> str:
    """The silent articles of a claim: their labels when ``listed`` (few articles), else how
    many they are ("the other 398"), since listing them would repeat every article under
    every claim."""
    if not finding.silent:
        return "none"
    if listed:
        return ", ".join(labels[a] for a in finding.silent)
    return f"the other {len(finding.silent)}"


def labels(articles: Sequence[Article]) -> dict[str, str]:
    """Short article labels: A, B, C, ... (AA, AB after Z), the terminal's and the page's."""

    def label(n: int) -> str:
        return chr(65 + n) if n < 26 else label(n // 26 - 1) + chr(65 + n % 26)

    return {a.id: label(n) for n, a in enumerate(articles)}


@dataclass(frozen=True, slots=True)
class View:
    """Look-ups a report's blocks share, built once per report (not once per claim: on 400
    articles and thousands of claims that was claims x sentences of work)."""

    labels: dict[str, str]
    by_id: dict[str, Sentence]
    lang: dict[str, str]
    date: dict[str, str | None]
    matrix: bool = True
    """Whether the articles are few enough for a matrix (and to list the silent ones)."""

    @classmethod
    def of(cls, report: Report, matrix: bool = True) -> View:
        return cls(
            labels=labels(report.articles),
            by_id={s.id: s for s in report.sentences},
            lang={a.id: a.lang for a in report.articles},
            date={a.id: a.date for a in report.articles},
            matrix=matrix,
        )
