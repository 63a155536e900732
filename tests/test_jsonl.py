"""ingest.jsonl: a JSON Lines feed, one article per line; bad lines named and skipped."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import article_text, write

from factcmp.errors import IngestError
from factcmp.ingest import expand_paths, read_articles

LV = "Putins ieradās Phenjanā 2024. gada 19. jūnijā. Viņu sagaidīja Kims Čenins."
SL = "Putin je 19. junija 2024 prispel v Pjongjang. Pričakal ga je Kim Džong Un."


def feed(path: Path, *lines: object) -> Path:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    return write(path, text + "\n")


def test_lines_become_articles_with_metadata(tmp_path: Path) -> None:
    path = feed(
        tmp_path / "feed.jsonl",
        {"text": LV, "lang": "lv", "date": "2024-06-19", "title": "Putins", "source": "lsm.lv"},
        {"id": "delo-1", "text": SL, "lang": "sl-SI", "url": "https://delo.si/x"},
    )
    a, b = read_articles([path])
    assert (a.id, a.lang, a.date, a.title, a.source, a.text) == (
        "feed-1", "lv", "2024-06-19", "Putins", "lsm.lv", LV
    )
    assert a.path == f"{path}:1"
    assert (b.id, b.lang, b.date, b.path) == ("delo-1", "sl", None, f"{path}:2")


def test_bad_lines_are_named_and_the_rest_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = feed(
        tmp_path / "f.jsonl",
        {"text": LV, "lang": "lv"},          # 1 good
        "{not json",                         # 2
        {"lang": "lv"},                      # 3 no text
        {"text": SL, "date": "2024-02-30"},  # 4 no such day
        {"text": SL, "lang": "xx"},          # 5 unknown language
        "",                                  # 6 blank: skipped in silence
        [1, 2],                              # 7 not an object
        {"text": SL, "lang": "sl", "date": 2024},  # 8 a number, not text
        {"text": SL, "lang": "sl", "id": "x"},     # 9 good
        {"text": LV, "lang": "lv", "id": "x"},     # 10 repeated id
    )
    with caplog.at_level(logging.WARNING):
        articles = read_articles([path])
    assert [a.id for a in articles] == ["f-1", "x"]
    said = caplog.text
    for line, reason in [
        (2, "not JSON"), (3, "no article text"), (4, "not a day of the calendar"),
        (5, "unknown language"), (7, "not a JSON object"), (8, "must be text"),
        (10, "already used on line 9"),
    ]:
        assert f"{path}:{line}: " in said and reason in said, (line, reason)
    assert f"{path}:6" not in said
    assert "7 bad line(s) skipped, 2 article(s) read" in said


def test_all_bad_is_an_error(tmp_path: Path) -> None:
    path = feed(tmp_path / "f.jsonl", "nope", {"title": "t"})
    with pytest.raises(IngestError, match=r"f\.jsonl: no article .* all 2 lines are bad"):
        read_articles([path])
    with pytest.raises(IngestError, match="it is empty"):
        read_articles([write(tmp_path / "e.jsonl", "\n\n")])


def test_ignored_keys_are_said_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = feed(tmp_path / "f.jsonl", {"text": LV, "lang": "lv", "url": "u"},
                {"text": SL, "lang": "sl", "url": "v", "tags": "x"})
    with caplog.at_level(logging.WARNING):
        assert len(read_articles([path])) == 2
    assert caplog.text.count("ignored key(s) ['tags', 'url']") == 1


def test_feeds_in_folders_mix_with_files(tmp_path: Path) -> None:
    feed(tmp_path / "in" / "news.jsonl", {"text": LV, "lang": "lv"}, {"text": SL, "lang": "sl"})
    write(tmp_path / "in" / "one.txt", article_text("lv", LV + " Vēl."))
    assert [p.name for p in expand_paths([tmp_path / "in"])] == ["news.jsonl", "one.txt"]
    assert sorted(a.id for a in read_articles([tmp_path / "in"])) == ["news-1", "news-2", "one"]


def test_ids_clash_across_feeds_is_an_error(tmp_path: Path) -> None:
    a = feed(tmp_path / "a.jsonl", {"text": LV, "lang": "lv", "id": "same"})
    b = feed(tmp_path / "b.jsonl", {"text": SL, "lang": "sl", "id": "same"})
    with pytest.raises(IngestError, match="two articles have the id 'same'"):
        read_articles([a, b])


def test_line_size_limit(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = feed(tmp_path / "f.jsonl", {"text": LV, "lang": "lv"}, {"text": "x " * 500, "lang": "lv"})
    with caplog.at_level(logging.WARNING):
        assert [a.id for a in read_articles([path], max_bytes=300)] == ["f-1"]
    assert f"{path}:2: " in caplog.text and "over the" in caplog.text


def test_compare_reads_a_feed(tmp_path: Path) -> None:
    from conftest import FakeEmbedder

    from factcmp.config import Settings
    from factcmp.pipeline import compare_articles

    path = feed(tmp_path / "f.jsonl", {"text": LV, "lang": "lv"}, {"text": SL, "lang": "sl"})
    report = compare_articles([path], Settings(use_cache=False), embedder=FakeEmbedder())
    assert [a.id for a in report.articles] == ["f-1", "f-2"]


def test_feeds_of_the_same_name_in_two_folders_get_folder_ids(tmp_path: Path) -> None:
    # Folder-per-outlet, each with its feed.jsonl of lines without ids: like two a.txt files,
    # the ids take the folder names instead of stopping the run.
    for outlet in ("delfi", "lsm"):
        (tmp_path / outlet).mkdir()
        line = {"lang": "en", "text": f"The {outlet} desk reports that the bridge reopened today."}
        (tmp_path / outlet / "feed.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    ids = sorted(a.id for a in read_articles([tmp_path / "lsm", tmp_path / "delfi"]))
    assert ids == ["delfi/feed-1", "lsm/feed-1"]


@pytest.mark.parametrize(
    "stamp", ["2024-06-19T10:00:00Z", "2024-06-19T23:59:59.5+02:00", "2024-06-19 10:00"]
)
def test_feed_timestamps_give_their_date(tmp_path: Path, stamp: str) -> None:
    # Feeds write ISO 8601 timestamps; a line must not be lost for its time of day.
    line = {"lang": "en", "date": stamp, "text": "The bridge reopened on Wednesday after repairs."}
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (article,) = read_articles([path])
    assert article.date == "2024-06-19"


def test_a_timestamp_of_no_calendar_day_is_refused(tmp_path: Path) -> None:
    line = {"lang": "en", "date": "2024-02-30T10:00:00Z", "text": "The bridge reopened."}
    good = {"lang": "en", "text": "The ferry sailed again on Thursday."}
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    assert [a.id for a in read_articles([path])] == ["feed-2"]


@pytest.mark.parametrize(
    ("start", "end"), [("\ufeff", "\n"), ("", "\r\n"), ("\ufeff", "\r\n"), ("\ufeff\n", "\n"),
                       ("\ufeff\r\n", "\r\n")],
    ids=["bom", "crlf", "bom-crlf", "bom-blank-line", "bom-blank-line-crlf"],
)
def test_bom_and_line_ends(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, start: str, end: str
) -> None:
    """What Windows tools write: a byte order mark, CRLF line ends, or a BOM alone on the
    first line. Every line is read, in silence, and CRs stay out of the text."""
    lines = [json.dumps({"text": LV, "lang": "lv"}), json.dumps({"text": SL, "lang": "sl"})]
    path = tmp_path / "f.jsonl"
    path.write_bytes((start + end.join(lines) + end).encode("utf-8"))
    with caplog.at_level(logging.WARNING):
        articles = read_articles([path])
    assert [(a.lang, a.text) for a in articles] == [("lv", LV), ("sl", SL)]
    assert caplog.text == ""
