"""Render reports for the terminal with rich: readable at 80 columns, with or without colour."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..align import STRONG_LINK, evidence
from ..compare import Answer, answer, slot
from ..types import Article, Detail, DetailDiff, Finding, QueryResult, Report, Sentence
from .coverage import View, named, silent_text, terminal_matrix_width
from .coverage import labels as _labels

VERDICT_STYLE = {"agree": "green", "differ": "bold red", "partial": "yellow", "unique": "dim"}
SCORE_NOTE = (
    "Scores: the probability that two sentences state one claim, from their similarity and "
    "the names, numbers, times and words they share (a scorer fitted on NTREX-128 stories and "
    "hand-made gold)."
)
MARKS: dict[Answer, str] = {"states": "●", "possibly": "◐", "silent": "·"}
LEGEND = "● states it  ◐ possibly: a close sentence, not linked (check it)  · silent"


def articles_table(articles: Sequence[Article], sentences: Sequence[Sentence]) -> Table:
    labels = _labels(articles)
    count = {a.id: 0 for a in articles}
    for s in sentences:
        count[s.article_id] += 1
    table = Table(title="Articles", title_justify="left", expand=False)
    for name in ("", "id", "lang", "date", "source", "sent."):
        table.add_column(name, no_wrap=name != "id", overflow="fold")
    for a in articles:
        table.add_row(labels[a.id], a.id, a.lang, a.date or "?", a.source or "?", str(count[a.id]))
    return table


def member_score(finding: Finding, sid: str) -> float | None:
    """A member's best link score in its claim (None for a claim of one sentence)."""
    scores = [l.score for l in finding.claim.links if sid in (l.a, l.b)]
    return max(scores) if scores else None


def _verdict_text(finding: Finding, upper: bool = False) -> Text:
    """The verdict, with a "?" when the link evidence is weak."""
    word = finding.verdict.upper() if upper else finding.verdict
    if evidence(finding.claim) == "weak":
        word += "?"
    return Text(word, style=VERDICT_STYLE[finding.verdict])


def coverage_table(
    report: Report, shared: Sequence[Finding], view: View | None = None
) -> Table:
    """The claims' answers: a matrix (a column per article), or when ``view`` says the
    articles are too many for one, a line per claim naming who states and possibly states it."""
    view = view or View.of(report)
    labels = view.labels
    if not view.matrix:
        table = Table()
        table.add_column("claim", no_wrap=True)
        table.add_column(f"{MARKS['states']} states")
        table.add_column(f"{MARKS['possibly']} possibly")
        table.add_column("verdict", no_wrap=True)
        for f in shared:
            table.add_row(
                f.claim.id, named(f.articles, labels), named(f.possibly, labels), _verdict_text(f)
            )
        return table
    table = Table()
    table.add_column("claim", no_wrap=True)
    for a in report.articles:
        table.add_column(labels[a.id], justify="center", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for f in shared:
        marks = [MARKS[answer(f, a.id)] for a in report.articles]
        table.add_row(f.claim.id, *marks, _verdict_text(f))
    return table


def _highlighted(sentence: Sentence, finding: Finding) -> Text:
    text = Text(sentence.text)
    differing = {
        (d.kind, v) for d in finding.differences for vals in d.values.values() for v in vals
    }
    # a "number" difference names the words of the amounts, ordinals or dates it came from
    numbers = {
        t for d in finding.differences if d.kind == "number" for ts in d.texts.values() for t in ts
    }
    for detail in finding.details.get(sentence.id, ()):
        if detail.kind == "name":
            continue  # names are many; bold only what is compared
        odd = (detail.kind, detail.value) in differing or detail.text in numbers
        style = "bold reverse" if odd else "bold"
        text.stylize(style, detail.start, detail.end)
    return text


def diff_label(diff: DetailDiff) -> str:
    """ "year"/"month"/"day" for dates (the coarsest part that differs), else kind and unit."""
    if diff.kind == "date":
        values = [v for vals in diff.values.values() for v in vals]
        for n, label in ((4, "year"), (7, "month"), (10, "day")):
            if len({v[:n] for v in values}) > 1:
                return label
        return "date"
    if diff.kind == "name":
        return f"person ({diff.unit})" if diff.unit else "name"  # a family, or a swapped name
    if diff.kind == "quote":
        return "quote speaker"
    return f"{diff.kind} ({diff.unit})" if diff.unit else diff.kind


def _value_and_words(detail: Detail) -> str:
    if detail.kind == "quote":
        words = detail.text if len(detail.text) <= 30 else detail.text[:29] + "…"
        return f"{detail.value} «{words}»"
    unit = f" {detail.unit}" if detail.unit and detail.kind != "name" else ""
    return f"{detail.value}{unit} «{detail.text}»"


def _detail_lines(view: View, finding: Finding) -> list[Text]:
    """Per compared slot, each source's values with the words they came from."""
    labels, by_id = view.labels, view.by_id
    per_slot: dict[str, dict[str, list[str]]] = {}
    for sid in finding.claim.members:
        article = by_id[sid].article_id if sid in by_id else sid.rsplit(":", 1)[0]
        for detail in finding.details.get(sid, ()):
            key = slot(detail)
            if key is None:
                continue
            shown = per_slot.setdefault(key, {}).setdefault(article, [])
            if _value_and_words(detail) not in shown:
                shown.append(_value_and_words(detail))
    lines = []
    for key in sorted(per_slot):
        parts = [
            f"{labels[a]}: {', '.join(v)}" for a in finding.articles if (v := per_slot[key].get(a))
        ]
        silent = [labels[a] for a in finding.articles if a not in per_slot[key]]
        tail = f"; not stated by {', '.join(silent)}" if silent else ""
        lines.append(Text(f"  {key}: {'; '.join(parts)}{tail}", style="dim"))
    return lines


def _possible_lines(view: View, finding: Finding) -> list[Text]:
    """Each article that possibly states the claim: its closest sentence, the score of its pair
    with the claim's sentence it is closest to, and a request to read it."""
    labels, by_id, lang = view.labels, view.by_id, view.lang
    lines = []
    for p in finding.claim.possible:
        s = by_id[p.b]
        if s.article_id not in finding.possibly:
            continue
        member = by_id[p.a]
        lines.append(
            Text(
                f"  {labels[s.article_id]} {lang[s.article_id]} #{s.index} ({p.score:.2f} with "
                f"{labels[member.article_id]} #{member.index}) possibly — check it",
                style="magenta",
            )
        )
        lines.append(Text(f"    {s.text}", style="dim"))
    return lines


def claim_block(report: Report, finding: Finding, view: View | None = None) -> Group:
    view = view or View.of(report)
    labels, by_id, lang, date = view.labels, view.by_id, view.lang, view.date
    head = Text.assemble(
        (f"{finding.claim.id} ", "bold"),
        _verdict_text(finding, upper=True),
        f"  in {', '.join(labels[a] for a in finding.articles)}",
        f"; possibly: {', '.join(labels[a] for a in finding.possibly)}" if finding.possibly else "",
        f"; silent: {silent_text(finding, labels, view.matrix)}",
    )
    if finding.first_seen:
        head.append(f"; first seen {date[finding.first_seen]} ({labels[finding.first_seen]})")
    lines: list[Text] = [head]
    for sid in finding.claim.members:
        s = by_id[sid]
        score = member_score(finding, sid)
        prefix = f"  {labels[s.article_id]} {lang[s.article_id]} #{s.index}"
        prefix += f" ({score:.2f})" if score is not None else ""
        lines.append(Text(prefix, style="cyan"))
        lines.append(Text("    ") + _highlighted(s, finding))
    lines.extend(_possible_lines(view, finding))
    lines.extend(_detail_lines(view, finding))
    for diff in finding.differences:
        values = "; ".join(
            f"{labels[a]}: {', '.join(v)}"
            + (f" «{' / '.join(diff.texts[a])}»" if diff.texts.get(a) else "")
            for a, v in diff.values.items()
        )
        lines.append(Text(f"  differs in {diff_label(diff)}: {values}", style="red"))
    return Group(*lines, Text(""))


def timeline_table(report: Report) -> Table:
    """Articles in date order, with how many claims each carries and first carries."""
    labels = _labels(report.articles)
    lang = {a.id: a.lang for a in report.articles}
    table = Table(title="Timeline (claims first seen in each article)", title_justify="left")
    for name in ("date", "", "lang", "claims", "first here"):
        table.add_column(name, no_wrap=name != "first here", overflow="fold")
    shared = {f.claim.id for f in report.findings if len(f.articles) > 1}
    for t in report.timeline:
        new_shared = [c for c in t.new_claims if c in shared]
        first = f"{len(t.new_claims)}" + (
            f" (shared: {', '.join(new_shared)})" if new_shared else ""
        )
        table.add_row(t.date or "?", labels[t.article], lang[t.article], str(len(t.claims)), first)
    return table


def _setting(report: Report, key: str) -> float | None:
    """A numeric setting the report was made with (a bar), or None when it does not say."""
    value = report.settings.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def possibly_shared(findings: Sequence[Finding]) -> list[Finding]:
    """Claims one article states and another possibly states, the likeliest first (by their
    best possible sentence's score; claim order on a tie)."""
    maybe = [f for f in findings if len(f.articles) == 1 and f.possibly]
    return sorted(maybe, key=lambda f: -max((p.score for p in f.claim.possible), default=0.0))


def render_report(report: Report, console: Console) -> None:
    """Print the articles, a coverage matrix of the claims stated by two or more articles, one
    of the claims stated by one that another possibly states (likeliest first), and each
    claim of both matrices."""
    shared = [f for f in report.findings if len(f.articles) > 1]
    maybe = possibly_shared(report.findings)
    unique = len(report.findings) - len(shared)
    console.print(articles_table(report.articles, report.sentences))
    console.print(
        f"{len(report.sentences)} sentences; {len(shared)} claims stated by two or more "
        f"articles, {unique} claims stated by one article only"
        + (f" ({len(maybe)} of them possibly by another)" if maybe else "")
        + f". Model: {report.model_id}",
        highlight=False,
    )
    if not shared and not maybe:
        console.print("No claim is shared between the articles.")
        return
    rows = [*shared, *maybe]
    needed = terminal_matrix_width(
        [f.claim.id for f in rows], [_verdict_text(f).plain for f in rows], _labels(report.articles)
    )
    view = dataclasses.replace(View.of(report), matrix=needed <= console.width)
    console.print(LEGEND, highlight=False)
    if not view.matrix:
        console.print(
            f"{len(report.articles)} articles are too many for a matrix at {console.width} "
            "columns: each claim names the articles that state it and that possibly do; the "
            "others are silent.",
            highlight=False,
        )
    if shared:
        console.print("Coverage: claims stated by two or more articles")
        console.print(coverage_table(report, shared, view))
    else:
        console.print("No claim is stated by two or more articles.")
    if maybe:
        console.print("Possibly shared: claims one article states, another possibly (likeliest first)")
        console.print(coverage_table(report, maybe, view))
    console.print(
        f"A verdict with ? rests on weak evidence (a link scoring under {STRONG_LINK:.2f}): the "
        "sentences may not state the same thing, so read them. A verdict is over the articles "
        "that state the claim. Possibly: the article's closest sentence"
        + (f" (scoring {bar:.2f} or more)" if (bar := _setting(report, "possible_threshold")) else "")
        + ", shown under the claim with its score, did not become a link; it may state the "
        "claim in other words or only look like it, and never changes the verdict. Silent: no "
        "sentence of the article comes close. "
        + SCORE_NOTE,
        style="dim",
        highlight=False,
    )
    for finding in [*shared, *maybe]:
        console.print(claim_block(report, finding, view))
    if report.timeline:
        console.print(timeline_table(report))


def render_query(
    result: QueryResult,
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    console: Console,
) -> None:
    """Print, per article, its sentences on the query's topic, or that it is silent."""
    labels = _labels(articles)
    text = {s.id: s for s in sentences}
    console.print(Text.assemble("Query: ", (result.query, "bold")))
    for a in articles:
        hits = result.hits[a.id]
        head = f"{labels[a.id]} {a.id} ({a.lang}, {a.date or '?'})"
        if not hits:
            console.print(Text.assemble((head, "cyan"), ("  silent", "dim")))
            continue
        console.print(Text(head, style="cyan"))
        for hit in hits:
            console.print(
                Text(f"  {hit.score:.2f} #{text[hit.sentence].index} ")
                + Text(text[hit.sentence].text)
            )
