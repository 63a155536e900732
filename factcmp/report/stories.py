"""A stories run for people and programs: the ``stories.json`` index and a terminal summary.

The index lists each story (id, title, articles, languages, sources, dates, how many claims
two or more of its articles state, how many details differ between them) and the articles
that joined no story. Each story's full comparison is the usual report
(:func:`factcmp.report.serialize.to_dict`), written beside the index as ``<story id>.json``.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import __version__
from ..stories.run import StoriesResult, Story
from ..types import Article

INDEX_VERSION = "1.0"
TITLE_CHARS = 80


def _title(story: Story) -> str:
    """The earliest dated article's title (ties by id), else the start of its first sentence."""
    articles = sorted(story.report.articles, key=lambda a: (a.date is None, a.date or "", a.id))
    for a in articles:
        if a.title:
            return a.title
    first = next(s.text for s in story.report.sentences if s.article_id == articles[0].id)
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1].rstrip() + "…"


def story_row(story: Story) -> dict[str, Any]:
    """One story's index entry."""
    articles = story.report.articles
    findings = story.report.findings
    dates = sorted({a.date for a in articles if a.date})
    return {
        "id": story.id,
        "title": _title(story),
        "articles": list(story.articles),
        "languages": {lang: sum(a.lang == lang for a in articles)
                      for lang in sorted({a.lang for a in articles})},
        "sources": sorted({a.source for a in articles if a.source}),
        "dates": {"first": dates[0], "last": dates[-1]} if dates else None,
        "shared_claims": sum(len(f.articles) > 1 for f in findings),
        "differing_details": sum(len(f.differences) for f in findings),
        "claims_that_differ": sum(f.verdict == "differ" for f in findings),
        "file": f"{story.id}.json",
    }


def _article_row(a: Article) -> dict[str, Any]:
    return {"id": a.id, "path": a.path, "lang": a.lang, "date": a.date, "title": a.title,
            "source": a.source}


def index_dict(result: StoriesResult) -> dict[str, Any]:
    """The ``stories.json`` index of a run: stories largest first, then the unassigned."""
    return {
        "index_version": INDEX_VERSION,
        "factcmp_version": __version__,
        "model": result.model_id,
        "articles": len(result.articles),
        "stories": [story_row(s) for s in result.stories],
        "unassigned": [_article_row(a) for a in result.unassigned],
    }


def summary_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stories with differing details first (most first), then the larger, then by id."""
    return sorted(rows, key=lambda r: (-r["differing_details"], -len(r["articles"]), r["id"]))


def render_stories(index: dict[str, Any], console: Console) -> None:
    """A table of the stories (articles per language, sources, shared claims, differing
    details; those with differing details first) and a line on the unassigned articles."""
    rows = summary_order(index["stories"])
    langs = sorted({lang for r in rows for lang in r["languages"]})
    table = Table(title=f"Stories ({len(rows)}; {index['articles']} articles)",
                  title_justify="left")
    table.add_column("story", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=3)
    for lang in langs:
        table.add_column(lang, justify="right", no_wrap=True)
    table.add_column("sources", overflow="fold", ratio=1)
    table.add_column("shared", justify="right", no_wrap=True)
    table.add_column("differ", justify="right", no_wrap=True)
    for r in rows:
        table.add_row(
            r["id"].removeprefix("story-"),
            r["title"],
            *(str(r["languages"].get(lang, "")) for lang in langs),
            ", ".join(r["sources"]) or "?",
            str(r["shared_claims"]),
            Text(str(r["differing_details"]), style="bold red" if r["differing_details"] else ""),
        )
    console.print(table)
    alone = index["unassigned"]
    if alone:
        shown = ", ".join(a["id"] for a in alone[:10]) + (" …" if len(alone) > 10 else "")
        console.print(f"{len(alone)} article(s) in no story: {shown}")
