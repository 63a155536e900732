"""timeline: articles by date and, per claim, the earliest dated article carrying it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from conftest import CORPUS, FakeEmbedder, article_text, write

from factcmp.annotate import annotate
from factcmp.compare import compare as compare_stage
from factcmp.compare.verdict import build_timeline
from factcmp.config import Settings
from factcmp.pipeline import compare_articles
from factcmp.report.serialize import to_dict
from factcmp.types import Article, Claim, Finding, Link, Sentence


def compare(articles: Sequence[Article], sentences: Sequence[Sentence], claims: Sequence[Claim]) -> list[Finding]:
    """The compare stage on freshly annotated sentences, as the pipeline runs it."""
    return compare_stage(articles, sentences, claims, annotate(articles, sentences))


ARTICLES = [
    Article(id="a", path="a", lang="lv", text="", date="2024-06"),
    Article(id="b", path="b", lang="sl", text="", date="2023-09"),
    Article(id="c", path="c", lang="sl", text="", date="2025-09"),
    Article(id="d", path="d", lang="is", text="", date=None),
]


def sentence(article: str, text: str = "Nekaj.") -> Sentence:
    return Sentence(article, 0, text, 0, len(text))


def test_first_seen_is_the_earliest_dated_carrier() -> None:
    sentences = [sentence(a.id) for a in ARTICLES]
    claims = [
        Claim("both", ("a:0", "b:0"), (Link("a:0", "b:0", 1.0),)),
        Claim("late", ("c:0",), ()),
        Claim("undated", ("d:0",), ()),
    ]
    findings = compare(ARTICLES, sentences, claims)
    assert [f.first_seen for f in findings] == ["b", "c", None]
    timeline = build_timeline(ARTICLES, findings)
    assert [(t.article, t.date) for t in timeline] == [
        ("b", "2023-09"), ("a", "2024-06"), ("c", "2025-09"), ("d", None)
    ]
    assert [t.new_claims for t in timeline] == [("both",), (), ("late",), ()]
    assert [t.claims for t in timeline] == [("both",), ("both",), ("late",), ("undated",)]


def test_same_date_keeps_input_order() -> None:
    arts = [Article(id=x, path=x, lang="lv", text="", date="2024-06") for x in ("p", "q")]
    findings = compare(arts, [sentence("p"), sentence("q")],
                       [Claim("c", ("q:0", "p:0"), (Link("q:0", "p:0", 1.0),))])
    assert findings[0].first_seen == "p"


def test_day_dates_sort_within_a_month() -> None:
    arts = [Article(id="x", path="x", lang="lv", text="", date="2024-06-20"),
            Article(id="y", path="y", lang="lv", text="", date="2024-06-02")]
    assert [t.article for t in build_timeline(arts, [])] == ["y", "x"]


def test_pipeline_report_carries_the_timeline() -> None:
    report = compare_articles([CORPUS], Settings(use_cache=False), embedder=FakeEmbedder())
    data = to_dict(report)
    dates = [t["date"] for t in data["timeline"]]
    assert dates == sorted(dates)
    assert {t["article"] for t in data["timeline"]} == {a["id"] for a in data["articles"]}
    by_id = {a["id"]: a["date"] for a in data["articles"]}
    for claim in data["claims"]:
        first = claim["first_seen"]
        assert first is not None and first["article"] in claim["articles"]
        assert first["date"] == min(by_id[a] for a in claim["articles"])
    # every claim is new in exactly one article
    new = [c for t in data["timeline"] for c in t["new_claims"]]
    assert sorted(new) == sorted(c["id"] for c in data["claims"])


def test_claims_only_in_the_latest_article_first_appear_there(tmp_path: Path) -> None:
    old = write(tmp_path / "old.txt", article_text("en", "Putin visited Pyongyang.\n", date="2024-06"))
    new = write(tmp_path / "new.txt", article_text(
        "en", "Putin visited Pyongyang.\n\nNorth Korean troops were sent to Kursk.\n", date="2025-09"))
    report = compare_articles([new, old], Settings(use_cache=False), embedder=FakeEmbedder())
    first = {f.claim.members[0]: f.first_seen for f in report.findings}
    troops = [sid for sid in first if sid.startswith("new:1")]
    assert troops and first[troops[0]] == "new"
    assert report.timeline[0].article == "old"


def test_terminal_report_shows_values_words_and_timeline(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from factcmp.report.render import render_report

    # the same words a year apart: "24 years ago" is 2000 in one and 2001 in the other
    first = "Putins Phenjanā bija pirms 24 gadiem.\n\n"
    a = write(tmp_path / "a.txt", article_text("lv", first + "Kims sagaidīja.\n", date="2024-06"))
    b = write(tmp_path / "b.txt", article_text("lv", first + "Bija silts.\n", date="2025-06"))
    report = compare_articles([a, b], Settings(use_cache=False), embedder=FakeEmbedder())
    console = Console(file=io.StringIO(), width=80, color_system=None)
    render_report(report, console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "DIFFER" in out
    assert "differs in year: A: 2000 «pirms 24 gadiem»; B: 2001 «pirms 24 gadiem»" in out
    assert "first seen 2024-06 (A)" in out
    assert "Timeline" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_an_article_that_possibly_states_a_claim_is_not_its_first_source() -> None:
    """b (2023-09) has a close sentence, not linked: the claim is first seen in a (2024-06), and
    b's timeline entry neither carries nor first carries it."""
    sentences = [sentence(a.id) for a in ARTICLES]
    claims = [
        Claim("c1", ("a:0", "c:0"), (Link("a:0", "c:0", 1.0),), possible=(Link("a:0", "b:0", 0.1),)),
        Claim("c2", ("b:0",), ()),
        Claim("c3", ("d:0",), ()),
    ]
    findings = compare(ARTICLES, sentences, claims)
    assert findings[0].possibly == ("b",) and findings[0].first_seen == "a"
    entry = {t.article: t for t in build_timeline(ARTICLES, findings)}["b"]
    assert entry.claims == ("c2",) and entry.new_claims == ("c2",)
