"""Read a JSON Lines feed: one article per line, ``{"text": ..., "lang": ..., "date": ...}``.

A line holds the article's ``text`` and the same metadata as a file's front-matter header
(``id``, ``lang``, ``date``, ``title``, ``source``), checked by the same rules
(:func:`~factcmp.ingest.read.check_date`, :func:`~factcmp.ingest.read.article_from`). A feed is many articles from many hands, so a
bad line (not JSON, no text, a bad date, a repeated id...) is one warning that names
``file:line`` and the reason, and the other lines are kept. Keys other than the header's
(``url``, ``tags``...) are common in feeds; they are ignored, with one warning per file.

An article's id is its ``id`` field, else ``<file stem>-<line number>``; its path is
``<file>:<line number>``, so every message about it names the line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

from ..config import raise_limit_hint
from ..errors import IngestError, UnsupportedLanguage
from ..types import Article
from .paths import os_problem
from .read import HEADER_KEYS, article_from, check_date

log = logging.getLogger(__name__)

SUFFIX = ".jsonl"
TEXT_KEY = "text"


def is_feed(path: Path) -> bool:
    """Whether ``path`` is read as a JSON Lines feed (by its suffix)."""
    return path.suffix.lower() == SUFFIX


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with path.open("rb") as f:
            yield from enumerate(f, 1)
    except OSError as e:
        raise os_problem(path, e) from e


def parse_line(
    raw: bytes, where: Path, default_id: str, max_bytes: int | None
) -> tuple[Article, set[str]]:
    """One feed line as an article (``where``: ``file:line``, its path; ``default_id``: its id
    without an ``id`` field), and the keys it held that are ignored.

    Raises:
        IngestError: the line is not a JSON object of text values with a non-empty ``text``,
            is over the size limit, or its metadata breaks the header rules.
        UnsupportedLanguage: a bad ``lang``, or none and the language cannot be told.
    """
    if max_bytes is not None and len(raw) > max_bytes:
        raise IngestError(
            f"{where}: {len(raw) / 1e6:,.1f} MB, over the {max_bytes / 1e6:g} MB limit for one "
            f"article; {raise_limit_hint(len(raw))}"
        )
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise IngestError(f"{where}: not UTF-8 ({e.reason}); JSON Lines must be UTF-8") from e
    except json.JSONDecodeError as e:
        raise IngestError(f"{where}: not JSON ({e.msg} at column {e.colno})") from e
    if not isinstance(data, dict):
        raise IngestError(f"{where}: not a JSON object but {type(data).__name__}")
    known = HEADER_KEYS | {TEXT_KEY}
    not_text = sorted(k for k in known if k in data and not isinstance(data[k], str))
    if not_text:
        raise IngestError(f"{where}: {not_text} must be text (a JSON string)")
    text = data.get(TEXT_KEY, "")
    if not text.strip():
        raise IngestError(f'{where}: no article text (give it a non-empty "text")')
    meta = {k: data[k].strip() for k in HEADER_KEYS if k in data and data[k].strip()}
    if "date" in meta:
        meta["date"] = check_date(meta["date"], where)
    article = article_from(meta, text, where, default_id, 'add "lang": "xx"')
    return article, set(data) - known


def default_id(path: Path, line: int) -> str:
    """The id of a feed line without an ``id`` field: ``<file stem>-<line number>``."""
    return f"{path.stem}-{line}"


def read_feed(path: Path, max_bytes: int | None = None) -> list[Article]:
    """The articles of a JSON Lines file, in line order; bad lines warned about and skipped.

    Args:
        path: the ``.jsonl`` file.
        max_bytes: the size limit of one line (one article), ``None`` for none.

    Raises:
        IngestError: the file cannot be read, or it holds no good line at all.
    """
    articles: list[Article] = []
    first_line: dict[str, int] = {}
    ignored: set[str] = set()
    bad = 0
    for number, raw in _lines(path):
        if not raw.removeprefix(b"\xef\xbb\xbf").strip():  # blank, or a BOM alone
            continue
        where = Path(f"{path}:{number}")
        try:
            article, extra = parse_line(raw, where, default_id(path, number), max_bytes)
            if article.id in first_line:
                raise IngestError(
                    f"{where}: id {article.id!r} is already used on line "
                    f"{first_line[article.id]}; skipped (give each line its own id)"
                )
        except (IngestError, UnsupportedLanguage) as e:
            log.warning("%s", e)
            bad += 1
            continue
        first_line[article.id] = number
        ignored |= extra
        articles.append(article)
    if ignored:
        log.warning("%s: ignored key(s) %s (not article metadata)", path, sorted(ignored))
    if not articles:
        why = f"all {bad} lines are bad (see the warnings)" if bad else "it is empty"
        raise IngestError(f"{path}: no article in this JSON Lines feed: {why}")
    if bad:
        log.warning("%s: %d bad line(s) skipped, %d article(s) read", path, bad, len(articles))
    return articles
