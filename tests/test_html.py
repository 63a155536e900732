"""report.html: the self-contained HTML page, checked with an HTML parser and in headless Chromium.

Two reports: the seed corpus aligned with the FakeEmbedder (real articles, real details), and a
hand-made one that holds what the seed lacks: differing details, a possible sentence, a quote
with a date inside it, a detail crossing another, ``<script>`` in a sentence and a title, an
undated article and a claim id that is not safe in a URL.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CORPUS, FakeEmbedder
from hypothesis import given, settings
from hypothesis import strategies as st

import factcmp
from factcmp.compare import answer
from factcmp.config import Settings
from factcmp.pipeline import compare_articles
from factcmp.report.html import anchor, labels, mark_up, render_html
from factcmp.report.serialize import from_dict, to_dict
from factcmp.types import (
    Article,
    Claim,
    Detail,
    DetailDiff,
    Finding,
    Link,
    Report,
    Sentence,
    TimelineEntry,
)

# --- a small DOM from the standard library's parser --------------------------------------------

VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "embed", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and all(
                    c.attrs.get(k) == v for k, v in attrs.items()
                ):
                    found.append(c)
                found.extend(c.iter(tag, **attrs))
        return found

    def by_id(self, id: str) -> Node:
        (node,) = self.iter(id=id)
        return node


class Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {}, None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(page: str) -> Node:
    builder = Builder()
    builder.feed(page)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> left open"
    return builder.root


# --- the reports -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Report:
    return compare_articles([CORPUS], Settings(use_cache=False), embedder=FakeEmbedder())


def _article(
    id: str, lang: str, parts: list[str], **meta: str | None
) -> tuple[Article, list[Sentence]]:
    """An article whose text is ``parts`` joined; parts in brackets are left-out text."""
    text, sentences = "", []
    for part in parts:
        if part.startswith("[") and part.endswith("]"):
            text += part[1:-1]
            continue
        sentences.append(Sentence(id, len(sentences), part, len(text), len(text) + len(part)))
        text += part + " "
    return Article(id=id, path=f"{id}.txt", lang=lang, text=text, **meta), sentences  # type: ignore[arg-type]


def _detail(s: Sentence, kind: str, value: str, words: str, unit: str | None = None) -> Detail:
    start = s.text.index(words)
    return Detail(kind, value, words, start, start + len(words), unit)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def crafted() -> Report:
    a, (a0, a1, a2) = _article(
        "lv1",
        "lv",
        [
            "[Foto: LETA\n\n]",
            "Putins ieradās Phenjanā 19. jūnijā ar 24 lidmašīnām.",
            "<script>alert('x')</script> & <b>nav</b> teksts.",
            "[\n\n]",
            "Kims teica: “Šodien, 20. jūnijā, ir laba diena.”",
        ],
        date="2024-06-19",
        title="Putins <b>Phenjanā</b>",
        source="LSM",
    )
    b, (b0, b1) = _article(
        "sl1",
        "sl",
        [
            "Putin je prispel v Pjongjang 18. junija s 30 letali.",
            'Kim je dejal: "Danes, 20. junija, je dober dan."',
        ],
        date="2024-06-20",
        title=None,
        source=None,
    )
    c, (c0,) = _article("is1", "is", ["Pútín kom til Pjongjang."], date=None, title="Frétt")
    visit = Finding(
        claim=Claim("c1", (a0.id, b0.id), (Link(a0.id, b0.id, 0.41),), (Link(a0.id, c0.id, 0.09),)),
        articles=("lv1", "sl1"),
        silent=(),
        possibly=("is1",),
        verdict="differ",
        differences=(
            DetailDiff("date", {"lv1": ("2024-06-19",), "sl1": ("2024-06-18",)}),
            DetailDiff("quantity", {"lv1": ("24",), "sl1": ("30",)}, unit="plane"),
        ),
        details={
            a0.id: (
                _detail(a0, "name", "putin", "Putins", "person"),
                _detail(a0, "date", "2024-06-19", "19. jūnijā"),
                _detail(a0, "quantity", "24", "24 lidmašīnām", "plane"),
            ),
            b0.id: (
                _detail(b0, "name", "putin", "Putin", "person"),
                _detail(b0, "date", "2024-06-18", "18. junija"),
                _detail(b0, "quantity", "30", "30 letali", "plane"),
            ),
        },
        first_seen="lv1",
    )
    quote_a = _detail(a2, "quote", "kim", "Šodien, 20. jūnijā, ir laba diena.")
    quote_b = _detail(b1, "quote", "kim", "Danes, 20. junija, je dober dan.")
    crossing = _detail(b1, "date", "2024-06-20", 'dejal: "Danes')  # crosses the quote's start
    said = Finding(
        claim=Claim("c2&<x>", (a2.id, b1.id), (Link(a2.id, b1.id, 0.22),)),
        articles=("lv1", "sl1"),
        silent=("is1",),
        verdict="agree",
        differences=(),
        details={
            a2.id: (quote_a, _detail(a2, "date", "2024-06-20", "20. jūnijā")),
            b1.id: (quote_b, _detail(b1, "date", "2024-06-20", "20. junija"), crossing),
        },
        first_seen="lv1",
    )
    alone = [
        Finding(
            Claim(f"c{n}", (s.id,), ()),
            (s.article_id,),
            tuple(x for x in ("lv1", "sl1", "is1") if x != s.article_id),
            "unique",
            (),
            {},
        )
        for n, s in ((3, a1), (4, c0))
    ]
    return Report(
        model_id="fake",
        settings={"neighbours": 4, "link_threshold": 0.12},
        articles=(a, b, c),
        sentences=(a0, a1, a2, b0, b1, c0),
        findings=(visit, said, *alone),
        timeline=(
            TimelineEntry("lv1", "2024-06-19", ("c1", "c2&<x>", "c3"), ("c1", "c2&<x>", "c3")),
            TimelineEntry("sl1", "2024-06-20", ("c1", "c2&<x>"), ()),
            TimelineEntry("is1", None, ("c4",), ("c4",)),
        ),
    )


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """30 articles (more than the page draws a matrix for), in groups of three that share a
    sentence, each with one of its own."""
    from conftest import article_text, write

    folder = tmp_path_factory.mktemp("many")
    words = [f"{a}{b}ovs" for a in "bdgkmprstv" for b in "aeiou"]
    for k in range(30):
        shared = " ".join(words[5 * (k // 3) + i] for i in range(5)).capitalize() + "."
        own = f"Viens {k} cits{k} teikums{k} beigas{k}."
        write(folder / f"{k:02d}.txt", article_text(("lv", "sl")[k % 2], f"{shared}\n\n{own}\n"))
    return compare_articles([folder], Settings(use_cache=False), embedder=FakeEmbedder(dim=4096))


def shown(report: Report) -> list[Finding]:
    """The claims the page shows, in its order: shared ones, then those of one article that
    another possibly states, likeliest first."""
    shared = [f for f in report.findings if len(f.articles) > 1]
    maybe = [f for f in report.findings if len(f.articles) == 1 and f.possibly]
    return shared + sorted(maybe, key=lambda f: -max(p.score for p in f.claim.possible))


# --- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed", "crafted"])
def test_every_claim_has_a_matrix_row_linking_to_its_block(
    name: str, request: pytest.FixtureRequest
) -> None:
    report = request.getfixturevalue(name)
    dom = parse(render_html(report))
    (matrix,) = dom.iter("table", **{"class": "matrix"})
    rows = matrix.iter(
        "tr",
    )[1:]
    assert [r.attrs["data-claim"] for r in rows] == [f.claim.id for f in shown(report)]
    assert shown(report), "the seed shares claims; a test without any would prove little"
    for row, f in zip(rows, shown(report), strict=True):
        target = anchor("claim", f.claim.id)
        assert {a.attrs["href"] for a in row.iter("a")} == {f"#{target}"}
        block = dom.by_id(target)
        assert block.tag == "section" and f.claim.id in block.iter("h3")[0].text()
        cells = row.iter("td")[: len(report.articles)]
        assert [c.attrs["data-answer"] for c in cells] == [answer(f, a.id) for a in report.articles]
        members = [c.attrs["data-sentence"] for c in block.iter("div") if "card" in c.classes]
        possible = [p.b for p in f.claim.possible if p.b.split(":")[0] in f.possibly]
        assert members == [*f.claim.members, *possible]


def test_many_articles_get_a_line_per_claim_not_a_matrix(many: Report) -> None:
    """Past HTML_MATRIX_ARTICLES articles a matrix would be claims x articles cells: each
    claim's row names the articles that state it and those that possibly do, and its block
    counts the silent ones instead of naming every one."""
    from factcmp.report.coverage import HTML_MATRIX_ARTICLES

    assert len(many.articles) > HTML_MATRIX_ARTICLES
    dom = parse(render_html(many))
    assert not dom.iter("table", **{"class": "matrix"})
    (table,) = dom.iter("table", **{"class": "answers"})
    rows = table.iter("tr")[1:]
    assert [r.attrs["data-claim"] for r in rows] == [f.claim.id for f in shown(many)]
    assert sum(len(f.articles) > 1 for f in shown(many)) >= 5, "groups of three share claims"
    label = labels(many.articles)
    for row, f in zip(rows, shown(many), strict=True):
        states, possibly = row.iter("td")[:2]
        assert states.text().split() == [label[a] for a in f.articles]
        assert possibly.text().split() == [label[a] for a in f.possibly]
        head = dom.by_id(anchor("claim", f.claim.id)).iter("p")[0].text()
        assert ("silent: none" if not f.silent else f"silent: the other {len(f.silent)}") in head


@pytest.mark.parametrize("name", ["seed", "crafted"])
def test_every_article_in_full_with_every_sentence_marked_by_claim(
    name: str, request: pytest.FixtureRequest
) -> None:
    report = request.getfixturevalue(name)
    dom = parse(render_html(report))
    label = labels(report.articles)
    claim_of = {sid: f.claim.id for f in report.findings for sid in f.claim.members}
    header_rows = dom.by_id("articles").iter("tr")[1:]
    assert len(header_rows) == len(report.articles)
    for a, row in zip(report.articles, header_rows, strict=True):
        cells = [c.text() for c in row.iter("td")]
        assert cells[1:5] == [a.title or "(no title)", a.lang, a.date or "?", a.source or "?"]
        full = dom.by_id(anchor("article", label[a.id]))
        assert full.tag == "article" and full.attrs["lang"] == a.lang
        for s in report.sentences:
            if s.article_id != a.id:
                continue
            span = full.by_id(anchor("s", f"{label[a.id]}-{s.index}"))
            assert span.text() == s.text
            assert span.attrs["data-claim"] == claim_of[s.id]


def test_header_names_the_model_the_settings_and_the_version(seed: Report) -> None:
    dom = parse(render_html(seed))
    meta = dom.iter("dl")[0].text()
    assert seed.model_id in meta and factcmp.__version__ in meta
    for key, value in seed.settings.items():
        assert f"{key}={value}" in meta


def _card(dom: Node, sid: str) -> Node:
    """The card of the claim that sentence ``sid`` states (it may also be shown, as a
    possible sentence, under another claim)."""
    (card,) = [
        d
        for d in dom.iter("div")
        if d.attrs.get("data-sentence") == sid
        and "card" in d.classes
        and "possibly" not in d.classes
    ]
    return card


@pytest.mark.parametrize("name", ["seed", "crafted"])
def test_every_mark_is_its_detail_exact_span(name: str, request: pytest.FixtureRequest) -> None:
    """Each mark holds exactly the characters its span names, and every compared detail of a
    shown claim is marked unless it crosses another (a crossing cannot nest in HTML)."""
    report = request.getfixturevalue(name)
    dom = parse(render_html(report))
    text = {s.id: s.text for s in report.sentences}
    marked = 0
    for f in shown(report):
        for sid in f.claim.members:
            marks = _card(dom, sid).iter("mark")
            spans = {(int(m.attrs["data-start"]), int(m.attrs["data-end"])) for m in marks}
            for m in marks:
                assert m.text() == text[sid][int(m.attrs["data-start"]) : int(m.attrs["data-end"])]
            details = f.details.get(sid, ())
            for d in details:
                crosses = any(
                    o.start < d.start < o.end < d.end or d.start < o.start < d.end < o.end
                    for o in details
                )
                if d.kind != "name" and not crosses:
                    assert (d.start, d.end) in spans, (sid, d)
            marked += len(marks)
    assert marked > 0


def test_differing_details_are_marked_as_differing(crafted: Report) -> None:
    dom = parse(render_html(crafted))
    diff = {m.text() for m in dom.iter("mark") if "diff" in m.classes and "data-start" in m.attrs}
    assert diff == {"19. jūnijā", "24 lidmašīnām", "18. junija", "30 letali"}
    # a name that agrees is not marked; a date inside a quote nests in the quote's mark
    assert "Putins" not in {m.text() for m in _card(dom, "lv1:0").iter("mark")}
    (quote,) = [m for m in _card(dom, "sl1:1").iter("mark") if "quote" in m.classes]
    assert [m.text() for m in quote.iter("mark")] == ["20. junija"]
    items = [li.text() for li in dom.iter("li") if li.parent and "diffs" in li.parent.classes]
    assert items == [
        "differs in day: A: 2024-06-19; B: 2024-06-18",
        "differs in quantity (plane): A: 24; B: 30",
    ]


def test_original_text_is_escaped_never_trusted(crafted: Report) -> None:
    page = render_html(crafted)
    dom = parse(page)
    assert not dom.iter("script") and not dom.iter("b")
    assert "<script>" not in page and "&lt;script&gt;alert(" in page
    assert dom.by_id("s-A-1").text() == "<script>alert('x')</script> & <b>nav</b> teksts."
    assert any(td.text() == "Putins <b>Phenjanā</b>" for td in dom.iter("td"))
    assert dom.iter("tr", **{"data-claim": "c2&<x>"})  # an unsafe claim id stays text, and
    assert dom.by_id("claim-c2__x_").tag == "section"  # its anchor is safe in a URL


def test_possible_sentence_is_shown_as_possibly(crafted: Report) -> None:
    dom = parse(render_html(crafted))
    (card,) = [d for d in dom.iter("div") if d.attrs.get("data-sentence") == "is1:0"]
    assert "possibly" in card.classes and "0.09 with A #0" in card.text()
    assert card.iter("p")[0].attrs["lang"] == "is"
    span = dom.by_id("s-C-0")
    assert "possibly" in span.classes
    assert [t.attrs["href"] for t in span.parent.iter("a") if "possibly" in t.classes] == [
        "#claim-c1"
    ]  # type: ignore[union-attr]


def test_sentences_carry_their_language(seed: Report) -> None:
    dom = parse(render_html(seed))
    lang = {a.id: a.lang for a in seed.articles}
    for f in shown(seed):
        for sid in f.claim.members:
            (p,) = _card(dom, sid).iter("p")
            assert p.attrs["lang"] == lang[sid.rsplit(":", 1)[0]]


def test_timeline_is_an_inline_svg_with_each_article_and_its_first_shared_claims(
    crafted: Report,
) -> None:
    dom = parse(render_html(crafted))
    (svg,) = dom.iter("svg")
    entries = [g for g in svg.iter("g") if "entry" in g.classes]
    assert [g.attrs["data-article"] for g in entries] == ["A", "B", "C"]
    assert [a.attrs["href"] for a in entries[0].iter("a")][1:] == ["#claim-c1", "#claim-c2__x_"]
    assert "1 claims, 1 first here" in entries[2].text()
    ticks = [t.text() for t in svg.iter("text") if t.parent is svg]
    assert ticks == ["2024-06-19", "2024-06-20", "undated"]
    xs = {g.attrs["data-article"]: float(g.iter("rect")[0].attrs["x"]) for g in entries}
    assert xs["A"] < xs["B"] < xs["C"]


def test_page_is_self_contained(seed: Report) -> None:
    page = render_html(seed)
    dom = parse(page)
    assert not dom.iter("script") and not dom.iter("link") and not dom.iter("img")
    for node in dom.iter():
        for key, value in node.attrs.items():
            assert key != "src" and not (key == "href" and not value.startswith("#")), (
                node.tag,
                key,
            )
    assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"]
    csp = [m for m in dom.iter("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0].attrs["content"]


def test_deterministic_and_readable_from_json(seed: Report) -> None:
    """Two renders are equal; a report read back from JSON (no article text) still shows
    every sentence, each on its own."""
    assert render_html(seed) == render_html(seed)
    again = from_dict(to_dict(seed))
    dom = parse(render_html(again))
    for s in seed.sentences:
        label = labels(seed.articles)[s.article_id]
        assert dom.by_id(anchor("s", f"{label}-{s.index}")).text() == s.text


def test_no_shared_claim_and_no_timeline(crafted: Report) -> None:
    alone = replace(crafted, findings=crafted.findings[2:], timeline=())
    dom = parse(render_html(alone))
    assert "No claim is shared between the articles." in dom.by_id("coverage").text()
    assert not dom.iter("svg")


# --- in a real browser -------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OFFLINE = ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        *OFFLINE,
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


@pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not found: .ci/run installs Debian's chromium"
)
def test_chromium_opens_the_page_offline_with_no_console_message(
    seed: Report, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(seed), encoding="utf-8")
    dumped = _chromium(tmp_path, "--dump-dom", page.as_uri())
    console = [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []  # no error, no blocked request, no warning
    dom = parse(re.sub(r"^<!DOCTYPE html>", "", dumped.stdout))
    text = dom.text()
    for f in shown(seed):
        assert dom.by_id(anchor("claim", f.claim.id)).tag == "section"
        for sid in f.claim.members:
            assert next(s.text for s in seed.sentences if s.id == sid) in text
    shot = tmp_path / "report.png"
    taken = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri())
    assert [line for line in taken.stderr.splitlines() if ":CONSOLE" in line] == []
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 1200 and int.from_bytes(png[20:24], "big") == 2000
    assert len(png) > 50_000  # a page of text, not a blank one (blank: ~10 kB)


# --- marks, over any text and any spans ----------------------------------------------------------


@st.composite
def sentence_with_details(draw: st.DrawFn) -> tuple[Sentence, list[Detail]]:
    text = draw(st.text(alphabet="ab <>&\"'é\n", min_size=1, max_size=40))
    details = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        kind = draw(st.sampled_from(["date", "quantity", "quote", "name"]))
        details.append(Detail(kind, "v", text[start:end], start, end))
    return Sentence("x", 0, text, 0, len(text)), details


@settings(max_examples=300, deadline=None)
@given(sentence_with_details())
def test_marks_nest_cover_their_exact_spans_and_keep_the_text(
    case: tuple[Sentence, list[Detail]],
) -> None:
    sentence, details = case
    pieces = mark_up(sentence, details, None)
    assert "".join(p.text for p in pieces if p.kind == "text") == sentence.text
    stack: list[tuple[int, int, int]] = []  # (start, end, characters seen when opened)
    seen, spans = 0, []
    for p in pieces:
        if p.kind == "text":
            seen += len(p.text)
        elif p.kind == "open":
            assert seen == p.start
            stack.append((p.start, p.end, seen))
        else:
            start, end, _ = stack.pop()
            assert seen == end
            spans.append((start, end))
    assert not stack
    # every detail not marked (a name, which agrees here) crosses or repeats a marked one
    for d in details:
        if d.kind != "name" and (d.start, d.end) not in spans:
            assert any(s < d.start < e < d.end or d.start < s < d.end < e for s, e in spans)
