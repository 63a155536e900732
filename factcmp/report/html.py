"""Render a :class:`~factcmp.types.Report` as one self-contained HTML page.

A page is what a reader shares and scrolls: the coverage matrix, each claim's sentences side
by side with their differing details marked, the timeline drawn, each article in full. It
opens offline: CSS inline, no script, no font, image or request of any kind (a
Content-Security-Policy says so to the browser too). Python builds a view of the report
(labels, anchors, marked-up sentences, timeline coordinates); the Jinja2 templates in
``templates/`` lay it out with autoescaping on, so no text from an article is ever trusted
as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import __version__
from ..align import STRONG_LINK, evidence
from ..compare import Answer, answer, slot
from ..types import Article, Detail, DetailDiff, Finding, Report, Sentence
from .coverage import HTML_MATRIX_ARTICLES, labels, silent_text
from .render import diff_label, member_score
from .schema import SCHEMA_VERSION

MARKS: dict[Answer, str] = {"states": "●", "possibly": "◐", "silent": "○"}
VERDICT_MARKS = {"agree": "=", "differ": "≠", "partial": "⊂", "unique": "1"}


@dataclass(frozen=True, slots=True)
class Piece:
    """One step of a marked-up sentence: its text, or where a detail's mark opens or closes.
    A flat list keeps the template loop simple while marks nest (a date inside a quote)."""

    kind: Literal["text", "open", "close"]
    text: str = ""
    cls: str = ""
    title: str = ""
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class TimelineBox:
    """One article drawn on the timeline: its box's corner and the claims first seen in it."""

    label: str
    lang: str
    date: str
    x: float
    y: float
    claims: int
    new: int
    shared: tuple[tuple[str, str], ...]  # (claim id, anchor)


def anchor(kind: str, name: str) -> str:
    """An element id safe in a URL fragment, whatever a claim id holds."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _odd(detail: Detail, article: str, diffs: Sequence[DetailDiff]) -> bool:
    """Whether this detail is one of the values its article's source differs in."""
    for diff in diffs:
        values = {v.partition("@")[0] for v in diff.values.get(article, ())}
        if diff.kind == detail.kind and detail.value.partition("@")[0] in values:
            return True
        # number and swapped-name differences name the words they came from
        if diff.kind in ("number", "name") and detail.text in diff.texts.get(article, ()):
            return True
    return False


def _title(detail: Detail, odd: bool) -> str:
    if detail.kind == "quote":
        what = f"quote, speaker: {detail.value}"
    else:
        unit = f" {detail.unit}" if detail.unit and detail.kind != "name" else ""
        what = f"{detail.kind}: {detail.value}{unit}"
    return what + (" (differs)" if odd else "")


def _nest(a: tuple[int, int, bool, str, str], b: tuple[int, int, bool, str, str]) -> bool:
    """Whether two spans can both be marked: apart, or one inside the other."""
    return (
        a[1] <= b[0]
        or b[1] <= a[0]
        or (a[0] >= b[0] and a[1] <= b[1])
        or (b[0] >= a[0] and b[1] <= a[1])
    )


def mark_up(sentence: Sentence, details: Sequence[Detail], finding: Finding | None) -> list[Piece]:
    """The sentence's text with its details marked at their exact character spans.

    Differing details get the ``diff`` mark; other compared details a light one; names only
    when they differ (they are many and mostly agree). Marks must nest, so of two spans that
    cross, the differing or else the longer one is marked (a quote keeps its mark, and the date
    inside it nests in it). A span that does not match its text is left unmarked.
    """
    text = sentence.text
    diffs = finding.differences if finding else ()
    candidates: list[tuple[int, int, bool, str, str]] = []
    for d in details:
        if not (0 <= d.start < d.end <= len(text)) or text[d.start : d.end] != d.text:
            continue
        odd = _odd(d, sentence.article_id, diffs)
        if d.kind == "name" and not odd:
            continue
        cls = "d diff" if odd else ("d quote" if d.kind == "quote" else "d")
        candidates.append((d.start, d.end, odd, cls, _title(d, odd)))
    chosen: list[tuple[int, int, bool, str, str]] = []
    for c in sorted(candidates, key=lambda c: (not c[2], c[0] - c[1], c[0])):
        if all((c[0], c[1]) != (o[0], o[1]) and _nest(c, o) for o in chosen):
            chosen.append(c)
    chosen.sort(key=lambda c: (c[0], -c[1]))
    pieces: list[Piece] = []
    cursor, stack = 0, list[int]()  # stack: ends of the open marks

    def to(end: int) -> None:
        nonlocal cursor
        if end > cursor:
            pieces.append(Piece("text", text[cursor:end]))
            cursor = end

    for start, end, _, cls, title in chosen:
        while stack and stack[-1] <= start:
            to(stack.pop())
            pieces.append(Piece("close"))
        to(start)
        pieces.append(Piece("open", cls=cls, title=title, start=start, end=end))
        stack.append(end)
    while stack:
        to(stack.pop())
        pieces.append(Piece("close"))
    to(len(text))
    return pieces


def compared(finding: Finding, article_of: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """Per comparison slot, each stating article's values with the words they came from."""
    per_slot: dict[str, dict[str, list[str]]] = {}
    for sid in finding.claim.members:
        for d in finding.details.get(sid, ()):
            key = slot(d)
            if key is None:
                continue
            shown = f"{d.value} «{d.text if len(d.text) <= 40 else d.text[:39] + '…'}»"
            values = per_slot.setdefault(key, {}).setdefault(article_of[sid], [])
            if shown not in values:
                values.append(shown)
    return [(k, {a: "; ".join(v) for a, v in per_slot[k].items()}) for k in sorted(per_slot)]


def _month(date: str) -> float | None:
    """A date ("2024", "2024-06", "2024-06-19") as months since year 0, or None."""
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
    if not m:
        return None
    return int(m[1]) * 12 + int(m[2] or 1) - 1 + (int(m[3] or 1) - 1) / 31


BOX_W, BOX_H, GAP, MARGIN = 170, 74, 12, 20


def timeline(
    report: Report, shown: set[str]
) -> tuple[list[TimelineBox], list[tuple[float, str]], float, float]:
    """Boxes for the timeline SVG: one column per distinct date, in date order, spaced in
    proportion to time but never closer than a box's width; undated articles last.

    Returns:
        the boxes, the axis ticks (x, date), the SVG's width and height.
    """
    label = labels(report.articles)
    lang = {a.id: a.lang for a in report.articles}
    columns: dict[str, list[str]] = {}
    for t in report.timeline:
        columns.setdefault(
            t.date if t.date and _month(t.date) is not None else "undated", []
        ).append(t.article)
    dated = sorted((d for d in columns if d != "undated"), key=lambda d: _month(d) or 0.0)
    order = dated + (["undated"] if "undated" in columns else [])
    span = max(1.0, (_month(dated[-1]) or 0) - (_month(dated[0]) or 0)) if dated else 1.0
    step, width = BOX_W + GAP, 760.0
    xs: list[float] = []
    for n, d in enumerate(order):
        at = MARGIN if not xs else xs[-1] + step
        if d != "undated" and n > 0:
            at = max(
                at,
                MARGIN
                + ((_month(d) or 0) - (_month(dated[0]) or 0))
                / span
                * (width - 2 * MARGIN - BOX_W),
            )
        xs.append(at)
    width = max(width, (xs[-1] if xs else 0) + BOX_W + MARGIN)
    entries = {t.article: t for t in report.timeline}
    boxes: list[TimelineBox] = []
    for x, d in zip(xs, order, strict=True):
        for row, art in enumerate(columns[d]):
            t = entries[art]
            boxes.append(
                TimelineBox(
                    label=label[art],
                    lang=lang[art],
                    date=d,
                    x=x,
                    y=MARGIN + row * (BOX_H + GAP),
                    claims=len(t.claims),
                    new=len(t.new_claims),
                    shared=tuple((c, anchor("claim", c)) for c in t.new_claims if c in shown),
                )
            )
    rows = max((len(v) for v in columns.values()), default=0)
    height = MARGIN + rows * (BOX_H + GAP) + 40
    ticks = [(x + BOX_W / 2, d) for x, d in zip(xs, order, strict=True)]
    return boxes, ticks, width, height


def article_paragraphs(
    article: Article, sentences: Sequence[Sentence]
) -> list[list[tuple[str, Sentence | str]]]:
    """The article in full as paragraphs of sentences and, between them, the text the
    segmenter left out (captions, boilerplate): ``("s", sentence)`` or ``("skip", text)``.
    A report read back from JSON has no article text: its sentences then stand alone."""
    paragraphs: list[list[tuple[str, Sentence | str]]] = [[]]
    text, cursor = article.text, 0
    for s in sentences:
        if text and text[s.start : s.end] == s.text:
            gap = text[cursor : s.start]
            for n, part in enumerate(re.split(r"\n\s*\n", gap)):
                if n and paragraphs[-1]:
                    paragraphs.append([])
                if part.strip():
                    paragraphs[-1].append(("skip", part.strip()))
            cursor = s.end
        elif s.kind == "heading" and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(("s", s))
    if text and text[cursor:].strip():
        paragraphs.append([("skip", text[cursor:].strip())])
    return [p for p in paragraphs if p]


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("factcmp.report", "templates"),
        autoescape=True,  # every template: article text is never trusted as HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # the style sheet goes in as it is, not parsed as a template ("{#" would open a comment)
    css = PackageLoader("factcmp.report", "templates").get_source(env, "style.css")[0]
    env.globals.update(
        MARKS=MARKS, VERDICT_MARKS=VERDICT_MARKS, anchor=anchor, css=Markup(css.strip())
    )
    return env


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (UTF-8 text, deterministic).

    Args:
        report: what :func:`factcmp.pipeline.compare_articles` returned, or a report read
            back with :func:`factcmp.report.serialize.from_dict` (its articles then have no
            text, and each is shown as its sentences).

    Returns:
        the page, from ``<!doctype html>`` to ``</html>``.
    """
    label = labels(report.articles)
    by_article: dict[str, list[Sentence]] = {a.id: [] for a in report.articles}
    for s in report.sentences:
        by_article.setdefault(s.article_id, []).append(s)
    article_of = {s.id: s.article_id for s in report.sentences}
    # Shared claims first, then the claims of one article that another possibly states,
    # likeliest first (as the terminal report orders them).
    shared = [f for f in report.findings if len(f.articles) > 1]
    maybe = [f for f in report.findings if len(f.articles) == 1 and f.possibly]
    maybe.sort(key=lambda f: -max(link.score for link in f.claim.possible))
    shown = shared + maybe
    member_of: dict[str, Finding] = {}
    possible_of: dict[str, list[Finding]] = {}
    for f in report.findings:
        for sid in f.claim.members:
            member_of[sid] = f
        for p in f.claim.possible:
            if article_of.get(p.b) in f.possibly:
                possible_of.setdefault(p.b, []).append(f)
    shown_ids = {f.claim.id for f in shown}
    boxes, ticks, width, height = timeline(report, shown_ids)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            version=__version__,
            schema_version=SCHEMA_VERSION,
            settings=sorted(report.settings.items()),
            label=label,
            lang={a.id: a.lang for a in report.articles},
            date={a.id: a.date for a in report.articles},
            by_article=by_article,
            by_id={s.id: s for s in report.sentences},
            article_of=article_of,
            shown=shown,
            shown_ids=shown_ids,
            # a matrix for few articles; past them a line per claim (coverage.py says why)
            matrix=len(report.articles) <= HTML_MATRIX_ARTICLES,
            matrix_max=HTML_MATRIX_ARTICLES,
            silent_text=silent_text,
            unique=len(report.findings) - sum(1 for f in report.findings if len(f.articles) > 1),
            member_of=member_of,
            possible_of=possible_of,
            answer=answer,
            evidence=evidence,
            strong_link=STRONG_LINK,
            mark_up=mark_up,
            diff_label=diff_label,
            member_score=member_score,
            compared=compared,
            paragraphs=article_paragraphs,
            boxes=boxes,
            ticks=ticks,
            svg_width=width,
            svg_height=height,
            box_w=BOX_W,
            box_h=BOX_H,
        )
    )
