"""Property-based tests: segmentation keeps every character once, details index their
sentence, reports survive the JSON round trip, and no input bytes crash ingest or segment
with anything but a :class:`~factcmp.errors.FactcmpError`.

Every test runs a fixed, derandomised set of examples (the same on every run, fast enough
for CI); ``FACTCMP_FUZZ_EXAMPLES=20000`` runs many more, randomised.
"""

from __future__ import annotations

import codecs
import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcmp.annotate.details import extract_all
from factcmp.errors import FactcmpError, IngestError
from factcmp.ingest.read import decode, parse_header, read_article
from factcmp.ingest.segment import MAX_LINE, _chunks, _is_furniture, content_lines, segment
from factcmp.report.serialize import dumps, from_dict, to_dict
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

_LONG = int(os.environ.get("FACTCMP_FUZZ_EXAMPLES", "0"))


def profile(examples: int) -> settings:
    """Derandomised (the same examples every run) unless a long fuzz run is asked for."""
    return settings(
        max_examples=_LONG or examples,
        derandomize=not _LONG,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# --- text that looks like news -------------------------------------------------------------

_PIECES = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCKPŠĀčēķļņþðæöáíćđ0123456789")
    + [
        " ",
        " ",
        " ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "\u00a0",
        "\u2028",
        "\x0b",
        "\x0c",
        "\x85",
        ".",
        ".",
        "!",
        "?",
        "…",
        ",",
        ":",
        "-",
        "/",
        "©",
        "“",
        "”",
        "„",
        '"',
        "'",
        "(",
        ")",
        "»",
        "«",
        "...",
        "Foto: ",
        "AFP/",
        "EPA/",
        "www.",
        ".lv",
        "mbl.is",
        "Mr. ",
        "Dr. ",
        "2000.gada ",
        " 24. ",
        "19.06.2024",
        "1,5 ",
        "12 000 ",
        "Read more",
        "Lasiet arī",
        "Putins ",
        "Kims ",
        "Phenjanā. ",
        "Share\n",
        "“Mēs esam draugi,” sacīja Putins. ",
    ]
)
NEWSY = st.lists(_PIECES, max_size=150).map("".join)
LANGS = st.sampled_from(["lv", "sl", "is", "en", "de", "ja", "zz"])


def _check_segmentation(text: str, lang: str) -> None:
    article = Article(id="p", path="p.txt", lang=lang, text=text)
    sentences = segment(article)
    covered = [0] * len(text)
    for n, s in enumerate(sentences):
        assert s.index == n and s.article_id == "p"
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text == s.text.strip()
        for i in range(s.start, s.end):
            covered[i] += 1
    assert max(covered, default=0) <= 1, "a character is in two sentences"
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)
    kept = content_lines(text)
    inside = [False] * len(text)
    for offset, line in kept:
        assert text[offset : offset + len(line)] == line
        for i in range(offset, offset + len(line)):
            inside[i] = True
        # What a kept line loses between its sentences is a caption or credit, nothing else.
        gap: list[str] = []
        for i in range(offset, offset + len(line) + 1):
            if i < offset + len(line) and not covered[i]:
                gap.append(text[i])
                continue
            lost = "".join(gap).strip()
            gap = []
            if lost:
                assert _is_furniture(lost) and len(lost) < 40, f"lost {lost!r} of {line!r}"
    assert all(inside[i] for i in range(len(text)) if covered[i]), "a sentence outside kept lines"


@profile(300)
@given(text=NEWSY, lang=LANGS)
def test_segmentation_keeps_each_character_once(text: str, lang: str) -> None:
    _check_segmentation(text, lang)


@profile(200)
@given(text=st.text(max_size=300), lang=LANGS)
def test_segmentation_any_unicode(text: str, lang: str) -> None:
    _check_segmentation(text, lang)


# --- details ---------------------------------------------------------------------------

_NUMBERY = st.sampled_from(
    list("0123456789 .,-–/:%$€")
    + [
        " 2000",
        "19.06.2024",
        "24 gadus",
        "pirms 24 gadiem",
        "12 000",
        "1,5",
        "3.7",
        "Su-35",
        "2000-2001",
        "junija",
        "September",
        "trešdien",
        "“Mēs,” sacīja Putins.",
        "Kim Jong Un",
        "Vladimir Putin",
        "in 1999",
        "80.",
    ]
)
SENTENCES = st.one_of(st.text(max_size=120), st.lists(_NUMBERY, max_size=30).map("".join))


@profile(300)
@given(text=SENTENCES)
def test_digit_details_index_their_sentence(text: str) -> None:
    for d in extract_all(text, "sl"):
        assert 0 <= d.start < d.end <= len(text)
        assert d.text == text[d.start : d.end]
        if d.kind in ("quantity", "ordinal") and d.unit != "time" and "-" not in d.value:
            float(d.value)  # a canonical number: "12000", "1.5", "2024"


@pytest.mark.parametrize("text", ["1.000.000 000 eiro", "0.000.000 000"])
def test_mixed_group_separators_give_a_number(text: str) -> None:
    amounts = [d for d in extract_all(text, "lv") if d.kind == "quantity"]
    assert amounts
    for d in amounts:
        float(d.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,000.5 tonnes", "1000.5"),
        ("1.234,5 eiro", "1234.5"),
        ("10 000 000,50 eiro", "10000000.5"),
    ],
)
def test_decimals_after_thousands_are_kept(text: str, value: str) -> None:
    assert [d.value for d in extract_all(text, "lv") if d.kind == "quantity"] == [value]


@profile(200)
@given(
    text=SENTENCES,
    lang=st.sampled_from(["lv", "sl", "is", "en"]),
    date=st.sampled_from([None, "2024", "2024-06", "2024-06-19"]),
)
def test_all_details_index_their_sentence(text: str, lang: str, date: str | None) -> None:
    for d in extract_all(text, lang, date):
        assert 0 <= d.start <= d.end <= len(text)
        assert d.text == text[d.start : d.end]
        assert isinstance(d.value, str)


# --- JSON round trip -------------------------------------------------------------------

_ID = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=8)
_TEXT = st.text(max_size=30)
_OPT = st.none() | _TEXT
_SCORE = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    ids = draw(st.lists(_ID, min_size=1, max_size=4, unique=True))
    articles = tuple(
        Article(
            id=i,
            path=f"{i}.txt",
            lang=draw(st.sampled_from(["lv", "sl", "is"])),
            text="",
            date=draw(st.none() | st.sampled_from(["2024", "2024-06", "2024-06-19"])),
            title=draw(_OPT),
            source=draw(_OPT),
        )
        for i in ids
    )
    sentences = tuple(
        Sentence(
            article_id=a.id,
            index=n,
            text=draw(_TEXT),
            start=draw(st.integers(0, 99)),
            end=draw(st.integers(0, 99)),
            kind=draw(st.sampled_from(["body", "heading"])),
        )
        for a in articles
        for n in range(draw(st.integers(0, 3)))
    )
    sids = [s.id for s in sentences]
    findings = []
    for n in range(draw(st.integers(0, 4)) if sids else 0):
        members = tuple(draw(st.lists(st.sampled_from(sids), min_size=1, max_size=3, unique=True)))
        details = {
            sid: tuple(
                Detail(
                    draw(st.sampled_from(["year", "number", "date", "quantity", "name", "quote"])),
                    draw(_TEXT),
                    draw(_TEXT),
                    draw(st.integers(0, 50)),
                    draw(st.integers(0, 50)),
                    draw(_OPT),
                    draw(_OPT),
                )
                for _ in range(draw(st.integers(0, 2)))
            )
            for sid in members
        }
        carrying = tuple(dict.fromkeys(s.split(":")[0] for s in members))
        diffs = tuple(
            DetailDiff(
                kind=draw(st.sampled_from(["year", "number", "name"])),
                values={a: tuple(draw(st.lists(_TEXT, max_size=2))) for a in carrying},
                unit=draw(_OPT),
                texts={a: tuple(draw(st.lists(_TEXT, max_size=2))) for a in carrying},
            )
            for _ in range(draw(st.integers(0, 2)))
        )
        links = tuple(Link(a, b, draw(_SCORE)) for a, b in itertools.pairwise(members))
        findings.append(
            Finding(
                claim=Claim(id=f"c{n}", members=members, links=links),
                articles=carrying,
                silent=tuple(a.id for a in articles if a.id not in carrying),
                verdict=draw(st.sampled_from(["agree", "differ", "partial", "unique"])),
                differences=diffs,
                details=details,
                first_seen=draw(st.none() | st.sampled_from(carrying)),
            )
        )
    timeline = tuple(
        TimelineEntry(
            a.id,
            a.date,
            tuple(f.claim.id for f in findings if a.id in f.articles),
            tuple(f.claim.id for f in findings if f.first_seen == a.id),
        )
        for a in articles
        if draw(st.booleans())
    )
    settings_ = draw(st.dictionaries(_ID, st.none() | st.integers() | _SCORE | _TEXT, max_size=3))
    return Report(
        model_id=draw(_TEXT),
        settings=settings_,
        articles=articles,
        sentences=sentences,
        findings=tuple(findings),
        timeline=timeline,
    )


@profile(200)
@given(report=reports())
def test_json_round_trip(report: Report) -> None:
    data = to_dict(report)
    text = dumps(data)
    again = to_dict(from_dict(json.loads(text)))
    assert again == data
    assert dumps(again) == text


# --- fuzzing ingest and segment ---------------------------------------------------------

_BOMS = [
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
]
_HEADERS = st.sampled_from(
    [
        "",
        "---\n",
        "---\nlang: lv\n---\n",
        "---\r\nlang: sl\r\n---\r\n",
        "date 2024-06-19\n",
        "---\nlang: [lv]\n---\n",
        "---\n{a: b}\n---\n",
        "---\n- x\n---\n",
        "---\nlang: no\n---\n",
        "---\n&a [*a]\n---\n",
        "---\n" + "[" * 200 + "\n---\n",
        "---\ndate: 2024-13-45\n---\n",
        "---\nlang: lv\ndate:\n---\n",
        "---\n? [a]\n: b\n---\n",
        "---\nlang: !!binary x\n---\n",
    ]
)
_ENCODINGS = st.sampled_from(
    ["utf-8", "utf-16", "cp1257", "cp1250", "latin-1", "koi8_r", "cp1251", "utf-32"]
)


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=400))
    if kind == 1:
        text = draw(_HEADERS) + draw(NEWSY)
        return text.encode(draw(_ENCODINGS), errors="ignore")
    if kind == 2:
        return draw(st.sampled_from(_BOMS)) + draw(st.binary(max_size=200))
    header = draw(st.text(max_size=80))
    return f"---\n{header}\n---\n".encode("utf-8", "surrogatepass") + draw(st.binary(max_size=100))


@profile(300)
@given(data=file_bytes())
def test_ingest_fails_only_with_factcmp_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "a.txt"
    path.write_bytes(data)
    try:
        article = read_article(path)
    except FactcmpError:
        pass
    else:
        assert article.text.strip()
        _check_segmentation(article.text, article.lang)
    try:
        text = decode(data, path)
    except FactcmpError:
        return
    try:
        parse_header(text, path)
    except FactcmpError:
        pass


@profile(300)
@given(text=st.one_of(st.text(max_size=200), _HEADERS.flatmap(lambda h: NEWSY.map(h.__add__))))
def test_parse_header_fails_only_with_factcmp_errors(text: str) -> None:
    try:
        meta, start = parse_header(text, Path("x.txt"))
    except FactcmpError:
        return
    assert 0 <= start <= len(text)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())


# --- long lines and odd line breaks -----------------------------------------------------


@profile(40)
@given(text=NEWSY.filter(lambda t: t.strip()), lang=LANGS)
def test_long_lines_keep_each_character_once(text: str, lang: str) -> None:
    one_line = " ".join(text.split())
    long_line = " ".join([one_line] * (MAX_LINE // max(1, len(one_line)) + 2))
    _check_segmentation(long_line, lang)
    assert "".join(_chunks(long_line)) == long_line


@pytest.mark.parametrize("run", [". " * 30_000, "." * 60_000, "a" * 60_000, "Teikums. " * 9000])
def test_long_runs_are_cut_for_the_splitter(run: str) -> None:
    # Before lines were cut, the splitter took time quadratic in line length (90 s for
    # 200,000 dots); this ran for minutes instead of a fraction of a second.
    _check_segmentation(run, "lv")
    chunks = list(_chunks(run))
    assert "".join(chunks) == run and max(map(len, chunks)) <= MAX_LINE


@pytest.mark.parametrize("newline", ["\r", "\u2028", "\x85", "\f"])
def test_any_line_break_separates_lines(newline: str) -> None:
    text = newline.join(
        ["Virsraksts bez punkta", "Pirmais teikums.", "Foto: AFP", "Otrais teikums."]
    )
    sentences = segment(Article(id="n", path="n.txt", lang="lv", text=text))
    assert [(s.text, s.kind) for s in sentences] == [
        ("Virsraksts bez punkta", "heading"),
        ("Pirmais teikums.", "body"),
        ("Otrais teikums.", "body"),
    ]


@pytest.mark.parametrize("nest", ["[" * 3000, "{" * 3000, "- " * 3000 + "x"])
def test_deeply_nested_header_is_an_ingest_error(nest: str) -> None:
    with pytest.raises(IngestError, match="nested too deeply"):
        parse_header(f"---\n{nest}\n---\nBody.\n", Path("deep.txt"))


# --- numbers of any length ------------------------------------------------------------------

_DIGIT_RUNS = st.builds(
    lambda motif, n, sep, tail: sep.join(
        (motif * n)[i : i + 3] for i in range(0, len(motif * n), 3)
    ) + tail,
    st.text(alphabet="0123456789", min_size=1, max_size=4),
    st.integers(1, 400),
    st.sampled_from(["", " ", ".", ",", "\u00a0"]),
    st.sampled_from(["", ",5", ".25", "-letni", "ni", " miljardu", " km", " €", ". gadā"]),
)


@profile(200)
@given(
    text=st.lists(st.one_of(_DIGIT_RUNS, _PIECES), min_size=1, max_size=8).map(" ".join),
    lang=st.sampled_from(["lv", "sl", "is", "en"]),
    date=st.sampled_from([None, "2024-06-19"]),
)
def test_numbers_of_any_length_give_finite_values(text: str, lang: str, date: str | None) -> None:
    # A 400-digit number used to raise OverflowError (float infinity) and abort the run.
    from factcmp.annotate.numbers import sentence_numbers

    details = extract_all(text, lang, date)
    for d in details:
        if d.kind in ("quantity", "ordinal") and d.unit != "time" and "-" not in d.value:
            assert float(d.value) < float("inf")
    for n in sentence_numbers(text, details):
        assert n.value < float("inf")


# --- headers wherever they may start, with any line ends --------------------------------------

_META = st.fixed_dictionaries(
    {"lang": st.sampled_from(["lv", "sl", "is", "en"])},
    optional={
        "date": st.sampled_from(["2024", "2024-06", "2024-02-29"]),
        "title": st.text(alphabet="abcčdeēfgšžþð ,.!?0123456789", min_size=1, max_size=30).filter(
            lambda t: t.strip() and t.strip()[0].isalnum()
        ),
        "id": st.text(alphabet="abcdefghij0123456789_-", min_size=1, max_size=8),
    },
)


@profile(200)
@given(
    meta=_META,
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    lead=st.lists(st.sampled_from(["", " ", "\t", "  \t"]), max_size=3),
    body=NEWSY.filter(lambda t: t.strip() and not t.lstrip().startswith("-")),
)
def test_header_is_read_after_blank_lines_with_any_line_ends(
    meta: dict[str, str], newline: str, lead: list[str], body: str
) -> None:
    head = "".join(blank + newline for blank in lead) + "---" + newline
    head += "".join(f"{k}: '{v}'{newline}" for k, v in meta.items()) + "---" + newline
    found, start = parse_header(head + body, Path("x.txt"))
    assert found == {k: v.strip() for k, v in meta.items()}
    crlf = newline == "\r" and body.startswith("\n")  # "---\r" + "\n...": one CRLF line end
    assert start == len(head) + crlf


# --- YAML anchors and aliases ----------------------------------------------------------------


@st.composite
def alias_headers(draw: st.DrawFn) -> str:
    """A header that defines anchors and refers to them: flow or block, mapping or list,
    nested ``levels`` deep and ``width`` aliases wide (9 x 9 levels is a "billion laughs")."""
    levels, width = draw(st.integers(1, 12)), draw(st.integers(1, 9))
    block = draw(st.booleans())
    lines = ["- &a0 lol" if block else "a0: &a0 lol"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"- &a{i} [{refs}]" if block else f"a{i}: &a{i} [{refs}]")
    if draw(st.booleans()):
        lines.insert(0, "lang: lv" if not block else "- lang: lv")
    return "---\n" + "\n".join(lines) + "\n---\nTeksts.\n"


@profile(100)
@given(text=alias_headers())
def test_headers_with_aliases_are_refused_before_they_grow(text: str) -> None:
    # A list of nested aliases grew memory without limit (1.4 GB in 45 s, 4.5 GB in 125 s).
    with pytest.raises(IngestError, match="metadata header uses YAML anchors or aliases"):
        parse_header(text, Path("bomb.txt"))
