"""A stories run for people and programs: the ``stories.json`` index and a terminal summary.

The index lists each story (id, title, articles, languages, sources, dates, how many claims
two or more of its articles state, how many details differ between them) and the articles
that joined no story. Each story's full comparison is the usual report
(:func:`factcmp.report.serialize.to_dict`), written beside the index as ``<story id>.json``.
"""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from .. import __version__
from ..stories.run import StoriesResult, Story
from ..types import Article
from .schema import INDEX_VERSION, StoriesIndexDict, StoryRowDict, UnassignedDict

TITLE_CHARS = 80


def _title(story: Story) -> str:
    """The earliest dated article's title (ties by id), else the start of its first sentence."""
    articles = sorted(story.report.articles, key=lambda a: (a.date is None, a.date or "", a.id))
    for a in articles:
        if a.title:
            return a.title
    first = next(s.text for s in story.report.sentences if s.article_id == articles[0].id)
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1].rstrip() + "…"


def story_row(story: Story) -> StoryRowDict:
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


def _article_row(a: Article) -> UnassignedDict:
    return {"id": a.id, "path": a.path, "lang": a.lang, "date": a.date, "title": a.title,
            "source": a.source}


def index_dict(result: StoriesResult) -> StoriesIndexDict:
    """The ``stories.json`` index of a run: stories largest first, then the unassigned."""
    return {
        "index_version": INDEX_VERSION,
        "factcmp_version": __version__,
        "model": result.model_id,
        "articles": len(result.articles),
        "stories": [story_row(s) for s in result.stories],
        "unassigned": [_article_row(a) for a in result.unassigned],
    }


def summary_order(rows: list[StoryRowDict]) -> list[StoryRowDict]:
    """Stories with differing details first (most first), then the larger, then by id."""
    return sorted(rows, key=lambda r: (-r["differing_details"], -len(r["articles"]), r["id"]))


def languages_cell(counts: dict[str, int], chars: int) -> str:
    """The articles and their languages in one cell of about ``chars`` characters, most
    frequent first, then how many languages more: ``33: lv 3 · sl 2 · is 1 (+27)``."""
    items = [f"{lang} {n}" for lang, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    text = f"{sum(counts.values())}: {items[0]}"
    for i, item in enumerate(items[1:], 1):
        more = f" (+{len(items) - i - 1})" if i < len(items) - 1 else ""
        if len(f"{text} · {item}{more}") > chars:
            return f"{text} (+{len(items) - i})"
        text = f"{text} · {item}"
    return text


TITLE_LEAST, SOURCES_LEAST = 12, 8
"""The least width of the title and sources columns (folded) before the languages go into
one column."""


def _sources(row: StoryRowDict) -> str:
    return ", ".join(row["sources"]) or "?"


def _table(
    rows: list[StoryRowDict], title: str, langs: list[str] | None, chars: int,
    least: tuple[int, int] | None = None,
) -> Table:
    """The summary table: one column per language in ``langs``, or with ``None`` one
    column of the articles and their languages (``chars`` wide) for any number of them.
    ``least``: titles and sources as placeholders of these widths, so that the table's
    maximum width is what it needs with those two columns folded as far as rich folds them."""
    table = Table(title=title, title_justify="left")
    table.add_column("story", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=3, min_width=TITLE_LEAST)
    if langs is None:
        table.add_column("articles", no_wrap=True)
    else:
        for lang in langs:
            table.add_column(lang, justify="right", no_wrap=True)
    table.add_column("sources", overflow="fold", ratio=1, min_width=SOURCES_LEAST)
    table.add_column("shared", justify="right", no_wrap=True)
    table.add_column("differ", justify="right", no_wrap=True)
    for r in rows:
        counts = (
            [languages_cell(r["languages"], chars)] if langs is None
            else [str(r["languages"].get(lang, "")) for lang in langs]
        )
        table.add_row(
            r["id"].removeprefix("story-"),
            "x" * least[0] if least else r["title"],
            *counts,
            "x" * least[1] if least else _sources(r),
            str(r["shared_claims"]),
            Text(str(r["differing_details"]), style="bold red" if r["differing_details"] else ""),
        )
    return table


def render_stories(index: StoriesIndexDict, console: Console) -> None:
    """A table of the stories (articles per language, sources, shared claims, differing
    details; those with differing details first) and a line on the unassigned articles.

    One column per language while they fit the console's width beside a readable title;
    with more languages (a feed has dozens) rich would squeeze every column to nothing, so
    the languages then share one column, most frequent first."""
    rows = summary_order(index["stories"])
    langs = sorted({lang for r in rows for lang in r["languages"]})
    title = f"Stories ({len(rows)}; {index['articles']} articles)"
    wide = console.options.update(width=max(console.width, 10_000))

    def longest_word(texts: list[str], floor: int) -> int:  # rich folds no narrower
        return max(floor, *(Measurement.get(console, wide, Text(t)).minimum for t in texts))

    least = (longest_word([r["title"] for r in rows], TITLE_LEAST),
             longest_word([_sources(r) for r in rows], SOURCES_LEAST))

    def needs(langs: list[str] | None, chars: int) -> int:
        table = _table(rows, title, langs, chars, least)
        return Measurement.get(console, wide, table).maximum

    table = _table(rows, title, langs, 0)
    if needs(langs, 0) > console.width:
        one = max(len("articles"), *(len(languages_cell(r["languages"], 0)) for r in rows))
        chars = max(one, one + console.width - needs(None, 0))
        table = _table(rows, title, None, chars)
    console.print(table)
    alone = index["unassigned"]
    if alone:
        shown = ", ".join(a["id"] for a in alone[:10]) + (" …" if len(alone) > 10 else "")
        console.print(f"{len(alone)} article(s) in no story: {shown}")
