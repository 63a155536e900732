"""report.stories: the terminal summary table stays readable with a feed's many languages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from factcmp.report.stories import languages_cell, render_stories

# 30 ISO 639-1 codes, as a multilingual feed has (the reference service: 40-70).
LANGS = ("lv sl is lt et en de fr es it pt nl pl cs sk hu ro bg hr sr "
         "fi sv da no el tr uk ru ja zh").split()


def row(n: int, langs: dict[str, int], shared: int, differ: int) -> dict[str, Any]:
    return {
        "id": f"story-{n:012x}", "title": f"Story number {n} about a bridge", "file": "",
        "articles": [f"a{n}-{i}" for i in range(sum(langs.values()))], "languages": langs,
        "sources": [f"lsm{n}.lv"], "dates": None, "shared_claims": shared,
        "differing_details": differ, "claims_that_differ": 0,
    }


def render(rows: list[dict[str, Any]], width: int) -> list[str]:
    out = io.StringIO()
    index = {"articles": sum(len(r["articles"]) for r in rows), "stories": rows, "unassigned": []}
    render_stories(index, Console(file=out, width=width, color_system=None))
    return out.getvalue().splitlines()


def line_of(lines: list[str], story: dict[str, Any]) -> str:
    return next(line for line in lines if story["id"].removeprefix("story-") in line)


@pytest.mark.parametrize("width", [80, 100])
def test_thirty_languages_each_row_shows_its_counts(width: int) -> None:
    rows = [
        row(1, dict.fromkeys(LANGS, 1) | {"lv": 3, "sl": 2}, 417, 23),
        row(2, {"is": 2, "et": 1}, 58, 0),
        row(3, {lang: 2 for lang in LANGS[10:20]}, 906, 7),
    ]
    lines = render(rows, width)
    assert max(map(len, lines)) <= width
    for story in rows:
        line = line_of(lines, story)
        cells = [c.strip() for c in line.split("│")]
        assert story["id"].removeprefix("story-") in cells  # the whole id
        assert str(story["shared_claims"]) in cells and str(story["differing_details"]) in cells
        top = max(story["languages"].items(), key=lambda x: (x[1], [-ord(c) for c in x[0]]))
        assert any(c.startswith(f"{len(story['articles'])}: {top[0]} {top[1]}") for c in cells)
    assert "Story" in line_of(lines, rows[0])  # the title is not squeezed away
    assert "33: lv 3 " in line_of(lines, rows[0]) and "(+" in line_of(lines, rows[0])
    assert "3: is 2 · et 1 " in line_of(lines, rows[1])  # all of a story's few languages


def test_few_languages_keep_one_column_each() -> None:
    rows = [row(1, {"lv": 2, "sl": 1, "is": 1}, 12, 3), row(2, {"is": 2}, 4, 0)]
    lines = render(rows, 100)
    header = next(line for line in lines if "story" in line)
    assert [c.strip() for c in header.split("┃")][3:6] == ["is", "lv", "sl"]
    assert [c.strip() for c in line_of(lines, rows[0]).split("│")][3:6] == ["1", "2", "1"]


def test_languages_cell() -> None:
    assert languages_cell({"sl": 1, "lv": 2, "is": 1}, 30) == "4: lv 2 · is 1 · sl 1"
    assert languages_cell({"sl": 1, "lv": 2, "is": 1}, 15) == "4: lv 2 (+2)"
    many = languages_cell(dict.fromkeys(LANGS, 1), 30)
    assert many.startswith("30: bg 1 · cs 1 · ") and many.endswith(")") and len(many) <= 30
