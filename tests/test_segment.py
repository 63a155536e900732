"""segment: captions, credits and boilerplate never become sentences; offsets always hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcmp.ingest.read import read_article, read_articles
from factcmp.ingest.segment import content_lines, segment
from factcmp.types import Article, Sentence


def seed_sentences() -> list[tuple[Article, list[Sentence]]]:
    """The raw seeds and the corpus articles (same ids, so read apart), segmented."""
    articles = read_articles([SEEDS]) + read_articles([CORPUS])
    return [(a, segment(a)) for a in articles]


SEGMENTED = seed_sentences()
ALL_TEXTS = [s.text for _, sentences in SEGMENTED for s in sentences]


def art(text: str, lang: str = "lv") -> Article:
    return Article(id="t", path="t.txt", lang=lang, text=text)


def texts(text: str, lang: str = "lv") -> list[str]:
    return [s.text for s in segment(art(text, lang))]


def assert_well_formed(article: Article, sentences: list[Sentence]) -> None:
    end = 0
    for n, s in enumerate(sentences):
        assert s.index == n
        assert s.article_id == article.id
        assert s.id == f"{article.id}:{n}"
        assert 0 <= s.start < s.end <= len(article.text)
        assert article.text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= end, "sentences overlap or are out of order"
        end = s.end


# --- furniture ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "furniture",
    ["Foto:", "EPA/SCANPIX", "©", "kremlin.ru", "Xinhua/STA", "AFP/Sergei Ilyin",
     "AFP/Vladimir Smirnov", "AFP/Kim"],
)
def test_credits_never_in_a_sentence(furniture: str) -> None:
    hits = [t for t in ALL_TEXTS if furniture in t]
    assert hits == []


@pytest.mark.parametrize(
    "line", ["mbl.is", "Bloggað um fréttina", "Fleira áhugavert", "Meira"]
)
def test_boilerplate_lines_never_a_sentence(line: str) -> None:
    assert line not in ALL_TEXTS
    assert not any(t.startswith(line) for t in ALL_TEXTS if line != "Meira")


def test_no_agency_credit_anywhere() -> None:
    credit = re.compile(r"\b(?:AFP|EPA|AP|Reuters|Xinhua|STA)\s*/\s*[A-Z]")
    assert [t for t in ALL_TEXTS if credit.search(t)] == []


def test_captions_are_dropped() -> None:
    # 003: the photo caption sits right above "© www.kremlin.ru"
    caption = "Severnokorejski voditelj Kim Jong-un in ruski predsednik Vladimir Putin"
    assert caption not in ALL_TEXTS
    # 004: the caption and its teaser, both ahead of "AFP/..." credits
    assert not any(t.startswith("Kim Jong-un og Pútín á samsettri mynd") for t in ALL_TEXTS)
    assert not any("skrúðgöngu" in t for t in ALL_TEXTS)
    assert not any(t.endswith("…") for t in ALL_TEXTS)
    # 002: a caption opened by "Foto: EPA/SCANPIX" on the date line
    assert not any("(foto – no kreisās)" in t for t in ALL_TEXTS)


def test_real_sentences_are_kept() -> None:
    for sentence in [
        ("Áætlað er að Pútín lendi í Norður-Kóreu í kvöld og er þetta fyrsta heimsókn hans "
        "þangað í 24 ár."),
        ("Sledil je stisk roke in objem, nato pa je Putin Kima povabil na obisk v Rusijo, "
        "piše AFP."),
        "Šī ir Putina pirmā vizīte Ziemeļkorejā kopš 2000.gada.",
        "2000.gada jūlijā Putins vizītē Phenjanā tikās ar Kima tēvu Kimu Čeniru.",
        "Aģentūra norādīja, ka šajā rūpnīcā tiek ražoti iznīcinātāji “Su-35” un “Su-57”.",
    ]:
        assert sentence in ALL_TEXTS


def test_each_article_keeps_most_of_its_text() -> None:
    for article, sentences in SEGMENTED:
        kept = sum(len(s.text) for s in sentences)
        assert kept > 0.7 * len(article.text.strip()), article.id
        assert len(sentences) >= 10, article.id


def test_headings_are_marked() -> None:
    by_text = {s.text: s for _, ss in SEGMENTED for s in ss}
    assert by_text["Ne bodo dopuščali izsiljevanja Zahoda"].kind == "heading"
    assert by_text["Þakkaði N-Kóreu fyrir stuðninginn"].kind == "heading"
    assert by_text["Tā būtu Putina otrā vizīte Ziemeļkorejā."].kind == "body"


def test_repeated_line_kept_once() -> None:
    text = "Putins ieradās Phenjanā.\n\nKims viņu sagaidīja.\n\nPutins ieradās Phenjanā.\n"
    assert texts(text) == ["Putins ieradās Phenjanā.", "Kims viņu sagaidīja."]


def test_agency_named_in_a_sentence_is_not_a_credit() -> None:
    # "Reuters/Ipsos" is a poll, not a photo credit: the paragraph stays.
    text = (
        "Po anketi Reuters/Ipsos sporazum podpira 40 odstotkov vprašanih. "
        "Putin je to zavrnil.\n"
    )
    assert texts(text, "sl") == [
        "Po anketi Reuters/Ipsos sporazum podpira 40 odstotkov vprašanih.",
        "Putin je to zavrnil.",
    ]


@pytest.mark.parametrize(
    "credit", ["Foto: EPA/SCANPIX", "© www.kremlin.ru", "AFP/Sergei Ilyin", "Foto: Xinhua/STA"]
)
def test_credit_line_alone_is_dropped(credit: str) -> None:
    assert texts(f"Putins ieradās Phenjanā.\n\n{credit}\n\nKims viņu sagaidīja.\n") == [
        "Putins ieradās Phenjanā.",
        "Kims viņu sagaidīja.",
    ]


# --- Latvian ordinal dates ------------------------------------------------------------------


def test_latvian_ordinal_dates_in_seeds_never_split() -> None:
    joined = [t for t in ALL_TEXTS if re.search(r"\b(2022|2000)\.gada", t)]
    assert any("2022.gada februārī" in t for t in joined)
    assert any("2000.gada jūlijā" in t for t in joined)
    assert not any(re.search(r"\b\d{4}\.$", t) for t in ALL_TEXTS if "gada" not in t)
    assert not any(t.startswith(("gada ", "gada.")) for t in ALL_TEXTS)


@pytest.mark.parametrize(
    "text",
    [
        "Krievija 2022.gada februārī sāka karu. Tas ir fakts.",
        "2000.gada jūlijā Putins bija Phenjanā. Tas ir fakts.",
        "Kopš 2000. gada jūlija daudz kas mainījies. Tas ir fakts.",
        "Sanāksme notika 19. jūnijā Phenjanā. Tas ir fakts.",
    ],
)
def test_latvian_ordinals_do_not_end_a_sentence(text: str) -> None:
    first, second = text.rsplit(" Tas ir fakts.", 1)[0], "Tas ir fakts."
    assert texts(text) == [first, second]


# --- offsets -----------------------------------------------------------------------------


def test_offsets_on_seeds_and_corpus() -> None:
    for article, sentences in SEGMENTED:
        assert_well_formed(article, sentences)


def test_offsets_with_odd_whitespace() -> None:
    text = "  Pirmais  teikums.\tOtrais\u00a0teikums!\r\n\r\n   Trešais?  \n\n\n"
    article = art(text)
    sentences = segment(article)
    assert_well_formed(article, sentences)
    assert [s.text for s in sentences][-1] == "Trešais?"


def test_segment_reads_a_fixture_article() -> None:
    article = read_article(DATA / "tiny_lv.txt")
    assert texts(article.text) == [
        "Vladimirs Putins trešdien ieradās Phenjanā un tikās ar Kimu Čenunu.",
        "Šī ir Putina pirmā vizīte Ziemeļkorejā kopš 2000.gada jūlijā.",
        "Abi līderi parakstīja līgumu par savstarpēju palīdzību.",
    ]


_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCKPŠĀčēķļņþðæöáí0123456789")
    + [" ", " ", " ", "\n", "\n\n", "\r\n", "\t", "\u00a0", ".", ".", "!", "?", "…", ",",
       ":", "-", "/", "©", "“", "”", "„", "\"", "'", "(", ")", "»", "«", "...", "Foto: ",
       "AFP/", "www.", ".lv", "Mr. ", "2000.gada ", "Dr. ", " 24. "]
)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    text=st.lists(_ALPHABET, max_size=120).map("".join),
    lang=st.sampled_from(["lv", "sl", "is", "en", "zz"]),
)
def test_offsets_property(text: str, lang: str) -> None:
    article = Article(id="p", path="p.txt", lang=lang, text=text)
    assert_well_formed(article, segment(article))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(text=st.text(max_size=200))
def test_offsets_property_any_unicode(text: str) -> None:
    article = Article(id="u", path="u.txt", lang="en", text=text)
    assert_well_formed(article, segment(article))


def test_content_lines_offsets() -> None:
    text = "  Virsraksts\n\nTeikums viens.\n© x\n"
    for offset, line in content_lines(text):
        assert text[offset : offset + len(line)] == line


@pytest.mark.slow
def test_ten_megabyte_article_segments(tmp_path: Path) -> None:
    from test_ingest import big_latvian

    text = big_latvian(10_000_000)
    article = art(text)
    sentences = segment(article)
    assert len(sentences) > 50_000
    assert_well_formed(article, sentences)
