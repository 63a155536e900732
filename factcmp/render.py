"""Render reports for the terminal with rich: readable at 80 columns, with or without colour."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .types import Article, Finding, QueryResult, Report, Sentence

VERDICT_STYLE = {"agree": "green", "differ": "bold red", "partial": "yellow", "unique": "dim"}


def _labels(articles: Sequence[Article]) -> dict[str, str]:
    """Short column labels: A, B, C, ... (AA, AB after Z)."""
    def label(n: int) -> str:
        return chr(65 + n) if n < 26 else label(n // 26 - 1) + chr(65 + n % 26)

    return {a.id: label(n) for n, a in enumerate(articles)}


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


def _member_score(finding: Finding, sid: str) -> float | None:
    scores = [l.score for l in finding.claim.links if sid in (l.a, l.b)]
    return max(scores) if scores else None


def coverage_table(report: Report, shared: Sequence[Finding]) -> Table:
    labels = _labels(report.articles)
    table = Table(title="Coverage: shared claims x articles (● states it, · silent)", title_justify="left")
    table.add_column("claim", no_wrap=True)
    for a in report.articles:
        table.add_column(labels[a.id], justify="center", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for f in shared:
        marks = ["●" if a.id in f.articles else "·" for a in report.articles]
        table.add_row(f.claim.id, *marks, Text(f.verdict, style=VERDICT_STYLE[f.verdict]))
    return table


def _highlighted(sentence: Sentence, finding: Finding) -> Text:
    text = Text(sentence.text)
    differing = {(d.kind, v) for d in finding.differences for vals in d.values.values() for v in vals}
    for detail in finding.details.get(sentence.id, ()):
        style = "bold reverse" if (detail.kind, detail.value) in differing else "bold"
        text.stylize(style, detail.start, detail.end)
    return text


def claim_block(report: Report, finding: Finding) -> Group:
    labels = _labels(report.articles)
    by_id = {s.id: s for s in report.sentences}
    lang = {a.id: a.lang for a in report.articles}
    head = Text.assemble(
        (f"{finding.claim.id} ", "bold"),
        (finding.verdict.upper(), VERDICT_STYLE[finding.verdict]),
        f"  in {', '.join(labels[a] for a in finding.articles)}",
        f"; silent: {', '.join(labels[a] for a in finding.silent) or 'none'}",
    )
    lines: list[Text] = [head]
    for sid in finding.claim.members:
        s = by_id[sid]
        score = _member_score(finding, sid)
        prefix = f"  {labels[s.article_id]} {lang[s.article_id]} #{s.index}"
        prefix += f" ({score:.2f})" if score is not None else ""
        lines.append(Text(prefix, style="cyan"))
        lines.append(Text("    ") + _highlighted(s, finding))
    for diff in finding.differences:
        values = "; ".join(f"{labels[a]}: {', '.join(v)}" for a, v in diff.values.items())
        lines.append(Text(f"  differs in {diff.kind}: {values}", style="red"))
    return Group(*lines, Text(""))


def render_report(report: Report, console: Console) -> None:
    """Print the articles, the coverage matrix and every shared claim."""
    shared = [f for f in report.findings if len(f.articles) > 1]
    unique = len(report.findings) - len(shared)
    console.print(articles_table(report.articles, report.sentences))
    console.print(
        f"{len(report.sentences)} sentences; {len(shared)} claims stated by two or more "
        f"articles, {unique} sentences stated by one only. Model: {report.model_id}",
        highlight=False,
    )
    if not shared:
        console.print("No claim is shared between the articles.")
        return
    console.print(coverage_table(report, shared))
    console.print(
        "Scores are link evidence (margin over the neighbourhood + anchors); 0.06 and up links.",
        style="dim",
        highlight=False,
    )
    for finding in shared:
        console.print(claim_block(report, finding))


def render_query(
    result: QueryResult, articles: Sequence[Article], sentences: Sequence[Sentence], console: Console
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
            console.print(Text(f"  {hit.score:.2f} #{text[hit.sentence].index} ") + Text(text[hit.sentence].text))
