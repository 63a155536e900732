"""ingest: headers, the seeds' date line, language detection, encodings and bad input."""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

import pytest
from conftest import CORPUS, DATA, SEEDS, article_text, write

from factcmp.errors import ConfigError, IngestError, UnsupportedLanguage
from factcmp.ingest.read import decode, expand_paths, read_article, read_articles
from factcmp.ingest.segment import segment

SEED_LANGS = {
    "000_affe72af9a0df58a": "lv",
    "001_1977e9eac9134f9c": "sl",
    "002_86b0d1c7f16c474e": "lv",
    "003_1132590431262ebf": "sl",
    "004_1e85e2987fbe16f5": "is",
}
SEED_DATES = {
    "000_affe72af9a0df58a": "2024-06",
    "001_1977e9eac9134f9c": "2024-06",
    "002_86b0d1c7f16c474e": "2023-09",
    "003_1132590431262ebf": None,
    "004_1e85e2987fbe16f5": None,
}


def seed(stem: str) -> Path:
    return SEEDS / f"{stem}.txt"


# --- headers -----------------------------------------------------------------------------


def test_header_fields() -> None:
    article = read_article(DATA / "tiny_lv.txt")
    assert (article.id, article.lang, article.date) == ("tiny-lv", "lv", "2024-06")
    assert article.title == "Putins Phenjanā"
    assert article.source == "example.lv"
    assert article.text.startswith("Vladimirs Putins trešdien")
    assert "---" not in article.text and "lang:" not in article.text
    raw = (DATA / "tiny_lv.txt").read_text(encoding="utf-8")
    assert raw[article.text_offset :] == article.text


def test_header_defaults_and_unquoted_date() -> None:
    article = read_article(DATA / "tiny_sl.txt")
    assert article.id == "tiny_sl"  # no id: header, so the file name without extension
    assert article.date == "2024-06-19"  # YAML would make this a date object; we keep text
    assert article.title is None
    assert article.path == str(DATA / "tiny_sl.txt")


@pytest.mark.parametrize(
    ("value", "lang"), [("no", "no"), ("LV", "lv"), ("pt-BR", "pt"), ("'is'", "is")]
)
def test_header_lang_is_kept_as_text(tmp_path: Path, value: str, lang: str) -> None:
    # YAML 1.1 reads a bare `no` as False: Norwegian must survive.
    path = write(tmp_path / "a.txt", f"---\nlang: {value}\n---\nHei verden. Dette er en test.\n")
    assert read_article(path).lang == lang


def test_header_empty_value_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "---\nlang: en\nsource:\ntitle: ''\n---\nA sentence.\n")
    article = read_article(path)
    assert article.source is None and article.title is None


def test_header_with_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeff---\r\nlang: en\r\nid: crlf\r\n---\r\nOne line.\r\n".encode("utf-8"))
    article = read_article(path)
    assert (article.id, article.lang) == ("crlf", "en")
    assert article.text.strip() == "One line."


@pytest.mark.parametrize("lead", ["\n", "\n\n", " \t\n", "\r\n\r\n", "\r"])
def test_header_after_blank_lines(tmp_path: Path, lead: str) -> None:
    # The header used to be read as body text: "---" and "lang: lv" became sentences and the
    # date was lost, with no warning.
    path = write(tmp_path / "a.txt", lead + "---\nlang: lv\ndate: '2024-06'\n---\nViens teikums.\n")
    article = read_article(path)
    assert (article.lang, article.date, article.text) == ("lv", "2024-06", "Viens teikums.\n")


def test_header_with_old_mac_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "mac.txt"
    path.write_bytes(b"---\rlang: sl\rdate: 2024-06-19\rid: mac\r---\rEn stavek.\rDrugi stavek.\r")
    article = read_article(path)
    assert (article.id, article.lang, article.date) == ("mac", "sl", "2024-06-19")
    assert [s.text for s in segment(article)] == ["En stavek.", "Drugi stavek."]


@pytest.mark.parametrize(
    "header",
    [
        "lang: lv\ntitle: &t Putins\nsource: *t\n",
        "lang: &l lv\n",
        "- &a [x, x, x]\n- &b [*a, *a, *a]\n",
    ],
)
def test_header_with_yaml_aliases_is_refused(tmp_path: Path, header: str) -> None:
    path = write(tmp_path / "alias.txt", f"---\n{header}---\nViens teikums.\n")
    with pytest.raises(IngestError, match=r"alias\.txt: metadata header uses YAML anchors or aliases"):
        read_article(path)


def test_alias_bomb_header_is_refused_at_once(tmp_path: Path) -> None:
    # Nine aliases per level, twelve levels: 9**13 strings once expanded. The header was
    # parsed, then printed in the error message, and memory grew to 4.5 GB in 125 s.
    levels = ['- &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"- &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 13)]
    path = write(tmp_path / "bomb.txt", "---\n" + "\n".join(levels) + "\n---\nViens teikums.\n")
    with pytest.raises(IngestError, match=r"bomb\.txt: metadata header uses YAML anchors"):
        read_article(path)


def test_huge_header_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "---\nlang: lv\ntitle: " + "x" * 20_000 + "\n---\nTeksts.\n")
    with pytest.raises(IngestError, match=r"big\.txt: metadata header is 20,\d{3} characters"):
        read_article(path)


def test_list_header_message_is_short(tmp_path: Path) -> None:
    path = write(tmp_path / "list.txt", "---\n" + "- item\n" * 500 + "---\nTeksts.\n")
    with pytest.raises(IngestError, match=r"list\.txt: .* 'key: value' lines, got a list$"):
        read_article(path)


@pytest.mark.parametrize("stem", sorted(SEED_LANGS))
def test_seed_date_line_and_language(stem: str) -> None:
    article = read_article(seed(stem))
    assert article.lang == SEED_LANGS[stem]
    assert article.date == SEED_DATES[stem]
    assert article.id == stem
    assert article.title is None and article.source is None
    assert not article.text.lstrip().startswith("date")
    assert "date 20" not in article.text[:40]
    raw = seed(stem).read_text(encoding="utf-8")
    assert raw[article.text_offset :] == article.text


def test_seed_date_line_body_starts_with_first_word() -> None:
    article = read_article(seed("000_affe72af9a0df58a"))
    assert article.text.startswith("Krievijas diktators")
    article = read_article(seed("002_86b0d1c7f16c474e"))
    assert article.text.startswith("Foto: EPA/SCANPIX")


def test_header_lang_wins_over_detection(tmp_path: Path) -> None:
    body = seed("001_1977e9eac9134f9c").read_text(encoding="utf-8")
    path = write(tmp_path / "a.txt", article_text("hr", body))
    assert read_article(path).lang == "hr"


@pytest.mark.parametrize("folder", [SEEDS, CORPUS])
def test_offsets_index_the_article_text(folder: Path) -> None:
    for article in read_articles([folder]):
        raw = Path(article.path).read_text(encoding="utf-8")
        for s in segment(article):
            assert article.text[s.start : s.end] == s.text
            assert raw[article.text_offset + s.start : article.text_offset + s.end] == s.text


def test_corpus_headers_match_the_raw_seeds() -> None:
    """The corpus files are the seeds with a header: same language, same body."""
    for article in read_articles([CORPUS]):
        raw = read_article(seed(article.id))
        assert article.lang == raw.lang
        assert article.text.strip() == raw.text.strip()


# --- folders -------------------------------------------------------------------------------


def test_folder_expansion_sorted_and_skips_notes(tiny_corpus: Path) -> None:
    write(tiny_corpus / "b" / "nested.txt", article_text("en", "Nested article."))
    write(tiny_corpus / ".hidden" / "secret.txt", article_text("en", "Hidden."))
    write(tiny_corpus / ".dotfile.txt", article_text("en", "Hidden."))
    (tiny_corpus / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tiny_corpus / "notes.pdf").write_bytes(b"%PDF-1.4\n\x00\x01")
    (tiny_corpus / "LICENSE").write_text("MIT\n")
    names = [p.relative_to(tiny_corpus).as_posix() for p in expand_paths([tiny_corpus])]
    assert names == ["b/nested.txt", "tiny_lv.txt", "tiny_sl.txt"]


def test_corpus_folder_reads_the_five_articles_not_the_notes() -> None:
    paths = expand_paths([CORPUS])
    assert [p.name for p in paths] == sorted(f"{stem}.txt" for stem in SEED_LANGS)
    articles = read_articles([CORPUS])
    assert [a.id for a in articles] == sorted(SEED_LANGS)
    assert [a.lang for a in articles] == [SEED_LANGS[a.id] for a in articles]


def test_files_keep_the_order_given(tiny_articles: list[Path]) -> None:
    lv, sl = tiny_articles
    assert expand_paths([sl, lv]) == [sl, lv]


# --- bad input -------------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(IngestError, match="nope.txt: no such file or folder"):
        read_articles([missing])


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=r"empty\.txt: empty file .*add the article"):
        read_article(path)


def test_header_only_file(tmp_path: Path) -> None:
    path = write(tmp_path / "head.txt", "---\nlang: en\n---\n\n")
    with pytest.raises(IngestError, match=r"head\.txt: no article text after the header"):
        read_article(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(IngestError, match=r"photo\.txt: looks like a binary file.*UTF-8"):
        read_article(path)


def test_binary_file_without_nul_bytes(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(rng.randrange(1, 256) for _ in range(20_000)))
    with pytest.raises(IngestError, match=r"noise\.txt: not UTF-8 .*convert it to UTF-8"):
        read_article(path)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    text = seed("004_1e85e2987fbe16f5").read_text(encoding="utf-8")
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16"))
    article = read_article(path)
    assert article.text == text and article.lang == "is"


def _latin1_icelandic() -> str:
    """Seed 004 without the quotes and ellipsis that Latin-1 lacks."""
    text = seed("004_1e85e2987fbe16f5").read_text(encoding="utf-8")
    return text.replace("„", '"').replace("”", '"').replace("…", "...")


@pytest.mark.parametrize(
    ("stem", "encoding"),
    [
        ("000_affe72af9a0df58a", "cp1257"),  # charset-normalizer alone says cp1258
        ("002_86b0d1c7f16c474e", "cp1257"),
        ("000_affe72af9a0df58a", "iso8859_13"),
        ("001_1977e9eac9134f9c", "cp1250"),
        ("003_1132590431262ebf", "cp1250"),
        ("001_1977e9eac9134f9c", "iso8859_2"),
        ("004_1e85e2987fbe16f5", "cp1252"),
        ("004_1e85e2987fbe16f5", "latin_1"),
    ],
)
def test_legacy_encodings_decode_exactly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, stem: str, encoding: str
) -> None:
    text = seed(stem).read_text(encoding="utf-8")
    if encoding == "latin_1":
        text = _latin1_icelandic()
    path = tmp_path / f"{stem}.txt"
    path.write_bytes(text.encode(encoding))
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        article = read_article(path)
    assert text[article.text_offset :] == article.text
    assert article.lang == SEED_LANGS[stem]
    assert article.date == SEED_DATES[stem]
    assert f"{stem}.txt: not UTF-8" in caplog.text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Šī ir Putina pirmā vizīte Ziemeļkorejā kopš 2000.gada.", "cp1257"),
        ("Državo je prvič obiskal pred 24 leti, ko se je srečal s Kim Jong-ilom.", "cp1250"),
        ("Áætlað er að Pútín lendi í Norður-Kóreu í kvöld.", "latin_1"),
    ],
)
def test_legacy_encoding_of_one_sentence(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), Path("short.txt")) == text


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("lang: [lv\n", r"malformed metadata header"),
        ("- lv\n- 2024\n", r"metadata header must be 'key: value' lines"),
        ("language: lv\n", r"unknown metadata key\(s\) \['language'\]; valid keys are \['date'"),
        ("lang: lv\ndate: June 2024\n", r"date 'June 2024' is not YYYY, YYYY-MM or YYYY-MM-DD"),
        (
            "lang: lv\ntitle:\n  - a\n  - b\n",
            r"metadata key\(s\) \['title'\] must have a single text value",
        ),
    ],
)
def test_malformed_header(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path / "bad.txt", f"---\n{header}---\nSome text.\n")
    with pytest.raises(IngestError, match=r"bad\.txt: " + message):
        read_article(path)


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("2024-02-30", "day is out of range for month"),
        ("2023-02-29", "day is out of range for month"),
        ("2024-13", "month must be in 1..12"),
        ("2024-00-10", "month must be in 1..12"),
        ("0000-01", "year 0 is out of range"),
    ],
)
@pytest.mark.parametrize("form", ["header", "date line"])
def test_date_off_the_calendar(tmp_path: Path, date: str, reason: str, form: str) -> None:
    # "date: 2024-02-30" and a weekday in the text raised "unexpected ValueError: day is out
    # of range for month" deep in the date parser, naming no file.
    head = f"---\nlang: lv\ndate: '{date}'\n---\n" if form == "header" else f"date {date}\n"
    path = write(tmp_path / "day.txt", head + "Putins ieradās otrdien Phenjanā.\n")
    with pytest.raises(
        IngestError,
        match=rf"day\.txt: date '{date}' is not a day of the calendar \({reason}\); correct",
    ):
        read_article(path)


def test_leap_day_is_a_date(tmp_path: Path) -> None:
    path = write(tmp_path / "leap.txt", article_text("lv", "Putins ieradās otrdien.", date="2024-02-29"))
    assert read_article(path).date == "2024-02-29"


def test_unclosed_header(tmp_path: Path) -> None:
    path = write(tmp_path / "open.txt", "---\nlang: lv\ndate: '2024-06'\nSome text.\n")
    with pytest.raises(IngestError, match=r"open\.txt: .*never closed; end it with a line '---'"):
        read_article(path)


@pytest.mark.parametrize("code", ["xx", "latvian", "zxx", "123"])
def test_unknown_language_in_header(tmp_path: Path, code: str) -> None:
    path = write(tmp_path / "odd.txt", article_text(code, "Some text here."))
    message = rf"odd\.txt: unknown language '{code}'.*ISO 639-1"
    with pytest.raises(UnsupportedLanguage, match=message):
        read_article(path)


@pytest.mark.parametrize(
    "body",
    [
        "12345 67890 2024 100 %\n",
        "--- *** ---\n~~~ ### !!!\n",
        "xq zzv kkrt ppw qqq.\n",  # py3langid: 'zxx' (no language) with p=0.86
    ],
)
def test_language_cannot_be_told(tmp_path: Path, body: str) -> None:
    path = write(tmp_path / "numbers.txt", body)
    message = r"numbers\.txt: cannot tell the language.*'lang: xx'"
    with pytest.raises(UnsupportedLanguage, match=message):
        read_article(path)


def test_folder_without_articles(tmp_path: Path) -> None:
    folder = tmp_path / "pics"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"\x89PNG\x00")
    (folder / "README.md").write_text("# readme\n")
    (folder / "gold.json").write_text("{}")
    message = r"pics: folder holds no article files \(\.jsonl, \.md, \.text, \.txt\)"
    with pytest.raises(IngestError, match=message):
        read_articles([folder])


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="folder holds no article files"):
        read_articles([tmp_path])


def test_same_name_in_two_folders_gets_the_folder_name(tmp_path: Path) -> None:
    # A folder per outlet, each with its "story.txt", stopped the run ("two articles have
    # the id 'story'"): ids now take the folder name where, and only where, names clash.
    a = write(tmp_path / "delfi" / "story.txt", article_text("en", "One thing happened."))
    b = write(tmp_path / "lsm" / "story.txt", article_text("en", "Another thing happened."))
    c = write(tmp_path / "lsm" / "other.txt", article_text("en", "A third thing happened."))
    assert [x.id for x in read_articles([a, b, c])] == ["delfi/story", "lsm/story", "other"]
    assert [x.id for x in read_articles([c, b, a])] == ["other", "lsm/story", "delfi/story"]
    assert [x.id for x in read_articles([tmp_path])] == ["delfi/story", "other", "lsm/story"]


def test_same_name_and_folder_name_takes_more_folders(tmp_path: Path) -> None:
    a = write(tmp_path / "2024" / "lv" / "story.txt", article_text("en", "One thing happened."))
    b = write(tmp_path / "2025" / "lv" / "story.txt", article_text("en", "Another one."))
    assert [x.id for x in read_articles([a, b])] == ["2024/lv/story", "2025/lv/story"]


def test_header_id_is_kept_and_a_clashing_file_name_moves(tmp_path: Path) -> None:
    a = write(tmp_path / "a" / "first.txt", article_text("en", "One thing happened.", id="story"))
    b = write(tmp_path / "b" / "story.txt", article_text("en", "Another thing happened."))
    assert [x.id for x in read_articles([a, b])] == ["story", "b/story"]


def test_same_file_twice(tiny_articles: list[Path]) -> None:
    path = tiny_articles[0]
    with pytest.raises(IngestError, match=rf"{path} and {path} are the same file; pass each file"):
        read_articles([path, path])


def test_same_id_from_header(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", article_text("en", "One thing happened.", id="x"))
    b = write(tmp_path / "b.txt", article_text("en", "Another thing happened.", id="x"))
    with pytest.raises(
        IngestError, match=r"two articles have the id 'x': .*a\.txt and .*b\.txt; give one of"
    ):
        read_articles([a, b])


def test_same_content_under_two_names_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = "Putin visited Pyongyang. He met Kim.\n"
    a = write(tmp_path / "a.txt", article_text("en", body))
    b = write(tmp_path / "b.txt", article_text("en", body, source="elsewhere"))
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        articles = read_articles([a, b])
    assert [x.id for x in articles] == ["a", "b"]
    assert f"{a} and {b} hold the same text" in caplog.text


def test_different_content_does_not_warn(
    tiny_articles: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        read_articles(tiny_articles)
    assert caplog.text == ""


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "locked.txt", article_text("en", "Secret."))
    if os.geteuid() == 0:  # root reads anything: simulate the refusal
        real = Path.open

        def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self.name == "locked.txt":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    else:
        path.chmod(0)
    with pytest.raises(IngestError, match=r"locked\.txt: permission denied; make it readable"):
        read_article(path)


class _FlakyFile:
    def __init__(self, real: Any) -> None:
        self.real = real

    def fileno(self) -> int:
        return int(self.real.fileno())

    def read(self, *args: Any) -> bytes:
        raise OSError(5, "Input/output error")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()


def test_io_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "flaky.txt", article_text("en", "Text."))
    real = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: _FlakyFile(real(self, *a, **k)))
    with pytest.raises(IngestError, match=r"flaky\.txt: cannot read \(Input/output error\)"):
        read_article(path)


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """``deny(folder)`` takes away every permission on ``folder`` (chmod 000), and as root,
    who reads anything, also makes listing it and looking inside it fail as they would."""
    denied: list[Path] = []
    real_scandir, real_stat = os.scandir, os.stat

    def blocked(path: object) -> bool:
        p = Path(os.fsdecode(path)) if isinstance(path, (str, bytes, os.PathLike)) else None
        return p is not None and any(p == d or d in p.parents for d in denied)

    def scandir(path: Any = ".") -> Any:
        if blocked(path):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    def fake_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if blocked(path) and Path(os.fsdecode(path)) not in denied:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_stat(path, *args, **kwargs)

    if os.geteuid() == 0:
        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(os, "stat", fake_stat)

    def deny_one(folder: Path) -> None:
        denied.append(folder)
        folder.chmod(0)

    yield deny_one
    for folder in denied:
        folder.chmod(0o755)


def test_file_in_an_untraversable_folder(tmp_path: Path, deny: Callable[[Path], None]) -> None:
    # Was "unexpected PermissionError", from Path.is_dir(), with no advice.
    path = write(tmp_path / "locked" / "a.txt", article_text("lv", "Teksts."))
    deny(tmp_path / "locked")
    with pytest.raises(IngestError, match=r"locked/a\.txt: permission denied; make it readable"):
        expand_paths([path])


def test_unreadable_subfolder_is_not_skipped(tmp_path: Path, deny: Callable[[Path], None]) -> None:
    # rglob skipped it silently: the run went on with fewer articles and exit code 0.
    write(tmp_path / "corpus" / "a.txt", article_text("lv", "Teksts."))
    write(tmp_path / "corpus" / "b.txt", article_text("sl", "Besedilo."))
    write(tmp_path / "corpus" / "outlet" / "c.txt", article_text("is", "Texti."))
    deny(tmp_path / "corpus" / "outlet")
    with pytest.raises(
        IngestError,
        match=r"corpus: cannot read .*corpus/outlet \(Permission denied\); make it readable",
    ):
        expand_paths([tmp_path / "corpus"])


def test_unlistable_folder_given(tmp_path: Path, deny: Callable[[Path], None]) -> None:
    write(tmp_path / "shut" / "a.txt", article_text("lv", "Teksts."))
    deny(tmp_path / "shut")
    with pytest.raises(IngestError, match=r"shut: cannot read the folder \(Permission denied\)"):
        expand_paths([tmp_path / "shut"])


def test_file_name_too_long(tmp_path: Path) -> None:
    # Was "unexpected OSError: [Errno 36] File name too long: '...'" with all 300 letters.
    path = tmp_path / ("a" * 300 + ".txt")
    with pytest.raises(IngestError, match=r"a…a+\.txt: file name too long for the file system; shorten"):
        expand_paths([path])


def test_broken_link(tmp_path: Path) -> None:
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "missing.txt")
    with pytest.raises(IngestError, match=r"gone\.txt: no such file or folder; it is a symbolic link"):
        expand_paths([link])


def test_folder_a_thousand_deep(tmp_path: Path) -> None:
    # os.walk recursed once per level: "unexpected RecursionError" 1,000 folders down.
    deep = tmp_path / "deep"
    folder = deep
    for _ in range(1101):  # os.makedirs recurses too
        folder.mkdir()
        folder = folder / "a"
    article = write(deep.joinpath(*["a"] * 1100, "x.txt"), article_text("lv", "Teksts."))
    try:
        assert expand_paths([deep]) == [article]
    finally:  # shutil.rmtree recurses too: pytest's clean-up of old runs would fail on it
        article.unlink()
        for level in range(1100, -1, -1):
            deep.joinpath(*["a"] * level).rmdir()


@pytest.mark.parametrize("raw", ["", " "])
def test_empty_path_is_not_the_current_folder(raw: str) -> None:
    # Path("") is ".": an unset variable in `factcmp compare "$DIR"` read the current folder.
    with pytest.raises(IngestError, match=r"an empty path was given .*an unset shell variable"):
        expand_paths([raw])


def test_fifo_as_input_is_refused_unopened(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    with pytest.raises(IngestError, match=r"feed\.txt: a FIFO, not an article file or folder"):
        expand_paths([fifo])


def test_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(IngestError, match=r"a\.txt: a loop of symbolic links; point the link"):
        expand_paths([tmp_path / "a.txt"])


def test_folder_walk_keeps_linked_files_and_skips_hidden(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    real = write(tmp_path / "elsewhere" / "x.txt", article_text("lv", "Teksts."))
    write(corpus / "b" / "y.md", article_text("lv", "Teksts."))
    write(corpus / ".hidden" / "z.txt", article_text("lv", "Teksts."))
    write(corpus / ".h.txt", article_text("lv", "Teksts."))
    (corpus / "a.txt").symlink_to(real)
    (corpus / "dangling.txt").symlink_to(tmp_path / "nothing.txt")
    assert [p.relative_to(corpus).as_posix() for p in expand_paths([corpus])] == ["a.txt", "b/y.md"]


# --- size -------------------------------------------------------------------------------------


def big_latvian(min_bytes: int) -> str:
    base = seed("000_affe72af9a0df58a").read_text(encoding="utf-8").split("\n", 1)[1]
    paragraphs = [p for p in base.split("\n") if p.strip()]
    parts: list[str] = []
    size, n = 0, 0
    while size < min_bytes:
        para = f"{paragraphs[n % len(paragraphs)]} ({n})"
        parts.append(para)
        size += len(para.encode("utf-8")) + 2
        n += 1
    return "\n\n".join(parts) + "\n"


def test_ten_megabyte_article_is_read(tmp_path: Path) -> None:
    text = big_latvian(10_000_000)
    path = write(tmp_path / "big.txt", text)
    article = read_article(path)
    assert article.lang == "lv"
    assert article.text == text
    assert path.stat().st_size >= 10_000_000


def test_article_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 50 MB file was read for 3 minutes and embedded without a word about its size.
    monkeypatch.delenv("FACTCMP_MAX_ARTICLE_MB", raising=False)
    small = write(tmp_path / "small.txt", article_text("lv", "Teksts."))
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(50_000_000)  # sparse: the limit is checked before a byte is read
    with pytest.raises(
        IngestError,
        match=r"big\.txt: 50\.0 MB, over the 1 MB limit for one article \(a long news article "
        r"is 0\.1 MB\); if it is one article, raise the limit: --max-article-mb 50 or "
        r"FACTCMP_MAX_ARTICLE_MB=50 "
        r"\(0: no limit\)",
    ):
        read_articles([small, big])


@pytest.mark.parametrize(("env", "read"), [("60", True), ("0", True), ("49.9", False)])
def test_size_limit_is_raised_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: str, read: bool
) -> None:
    monkeypatch.setenv("FACTCMP_MAX_ARTICLE_MB", env)
    path = write(tmp_path / "big.txt", article_text("lv", "Teksts ir garš.\n"))
    with open(path, "ab") as f:
        f.truncate(50_000_000 - 1)
    with open(path, "ab") as f:
        f.write(b"\n")
    if read:
        with pytest.raises(IngestError, match="NUL bytes"):  # past the limit, onto the content
            read_articles([path])
    else:
        with pytest.raises(IngestError, match=r"over the 49\.9 MB limit"):
            read_articles([path])


@pytest.mark.parametrize("env", ["ten", "-1", "inf", "nan"])
def test_size_limit_must_be_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("FACTCMP_MAX_ARTICLE_MB", env)
    path = write(tmp_path / "a.txt", article_text("lv", "Teksts."))
    with pytest.raises(ConfigError, match=rf"FACTCMP_MAX_ARTICLE_MB='{env}' is not a number"):
        read_articles([path])


def test_line_without_sentence_end_is_cut_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A 2 MB line without punctuation became 1,000 pieces without a word.
    words = ("putins kims phenjanā līgumu parakstīja trešdien vizītē sarunās " * 2600).strip()
    path = write(tmp_path / "blob.txt", article_text("lv", "Virsraksts\n" + words + "\n"))
    article = read_article(path)
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        pieces = segment(article)
    assert len(pieces) > 40
    assert (
        f"{path}: a line of {len(words):,} characters (at character {article.text_offset + 11})"
        f" has no sentence end; it is cut into {len(pieces) - 1} pieces of about 2,000 characters"
    ) in caplog.text


def test_long_line_of_sentences_is_cut_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    line = "Putins parakstīja līgumu ar Kimu trešdien. " * 400
    path = write(tmp_path / "long.txt", article_text("lv", line))
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        assert len(segment(read_article(path))) == 400
    assert caplog.text == ""


def test_two_thousand_small_files(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for n in range(2000):
        write(folder / f"{n:04d}.txt", article_text("en", f"Article {n} reports event {n}.\n"))
    articles = read_articles([folder])
    assert len(articles) == 2000
    assert [a.id for a in articles] == [f"{n:04d}" for n in range(2000)]


def test_header_timestamp_gives_its_date(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("---\nlang: en\ndate: '2024-06-19T10:00:00+03:00'\n---\nThe bridge reopened.\n")
    assert read_articles([path])[0].date == "2024-06-19"
