"""Read files and folders into :class:`~factcmp.types.Article` objects.

An article file is UTF-8 text, optionally opened by a metadata header (front matter)::

    ---
    lang: lv
    date: 2024-06
    title: Putins Phenjanā
    source: example.lv
    ---
    Body text...

Without a header the language is detected, and a first line starting with ``date YYYY-MM``
(the seed articles' convention) gives the date.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import IngestError, UnsupportedLanguage
from .types import Article

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".text"})
HEADER_KEYS = frozenset({"lang", "date", "title", "source", "id"})
_HEADER_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_DATE_LINE_RE = re.compile(r"\A\ufeff?\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")
_DATE_RE = re.compile(r"\A\d{4}(?:-\d{2}(?:-\d{2})?)?\Z")
MIN_LANG_CONFIDENCE = 0.5


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders as their article files (sorted, not recursive into hidden dirs).

    Raises:
        IngestError: a path does not exist.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.name.upper() not in {"README.MD", "GOLD.MD"}
            )
            if not found:
                raise IngestError(
                    f"{path}: folder holds no article files ({', '.join(sorted(ARTICLE_SUFFIXES))})"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise IngestError(f"{path}: not a regular file or folder")
        else:
            raise IngestError(f"{path}: no such file or folder")
    return files


def decode(data: bytes, path: Path) -> str:
    """Bytes to text: UTF-8 first, else the most likely legacy encoding.

    Raises:
        IngestError: the bytes are binary or in no encoding that can be told apart.
    """
    if b"\x00" in data[:8192]:
        raise IngestError(f"{path}: looks like a binary file, not text; pass UTF-8 text files")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError(f"{path}: not UTF-8 and no known text encoding fits; convert it to UTF-8")
    log.warning("%s: not UTF-8, read as %s", path, best.encoding)
    return str(best)


def parse_header(text: str, path: Path) -> tuple[dict[str, str], int]:
    """Return the metadata header's fields and where the body starts (0 if there is no header).

    Raises:
        IngestError: the header is not ``key: value`` lines or has an unknown key.
    """
    match = _HEADER_RE.match(text)
    if match is None:
        date_line = _DATE_LINE_RE.match(text)
        if date_line:
            return {"date": date_line.group(1)}, date_line.end()
        return {}, 0
    import yaml

    try:
        fields = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as e:
        raise IngestError(f"{path}: malformed metadata header ({e.__class__.__name__}): {e}") from e
    if not isinstance(fields, dict):
        raise IngestError(f"{path}: metadata header must be 'key: value' lines, got {fields!r}")
    unknown = sorted(str(k) for k in fields if k not in HEADER_KEYS)
    if unknown:
        raise IngestError(
            f"{path}: unknown metadata key(s) {unknown}; valid keys are {sorted(HEADER_KEYS)}"
        )
    meta = {str(k): str(v) for k, v in fields.items() if v is not None}
    if "date" in meta and not _DATE_RE.match(meta["date"]):
        raise IngestError(f"{path}: date {meta['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return meta, match.end()


def detect_language(text: str) -> tuple[str, float]:
    """The most likely ISO 639-1 language of ``text`` and its probability (py3langid)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    global _IDENTIFIER
    if _IDENTIFIER is None:
        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    lang, prob = _IDENTIFIER.classify(text)
    return str(lang), float(prob)


_IDENTIFIER = None


def read_article(path: Path) -> Article:
    """Read one file into an :class:`Article`.

    Raises:
        IngestError: unreadable, empty, binary or malformed.
        UnsupportedLanguage: no ``lang`` header and the language cannot be told.
    """
    try:
        data = path.read_bytes()
    except PermissionError as e:
        raise IngestError(f"{path}: permission denied; make it readable (chmod +r)") from e
    except OSError as e:
        raise IngestError(f"{path}: cannot read ({e.strerror})") from e
    text = decode(data, path)
    meta, body_start = parse_header(text, path)
    body = text[body_start:]
    if not body.strip():
        raise IngestError(f"{path}: no article text{' after the header' if body_start else ''}")
    lang = meta.get("lang")
    if lang is None:
        lang, prob = detect_language(body)
        if prob < MIN_LANG_CONFIDENCE:
            raise UnsupportedLanguage(
                f"{path}: cannot tell the language (best guess {lang!r}, p={prob:.2f}); "
                "add a header line 'lang: xx' (ISO 639-1 code)"
            )
    return Article(
        id=meta.get("id", path.stem),
        path=str(path),
        lang=lang.lower(),
        text=body,
        date=meta.get("date"),
        title=meta.get("title"),
        source=meta.get("source"),
        text_offset=body_start,
    )


def read_articles(paths: Sequence[str | Path]) -> list[Article]:
    """Read every article under ``paths``, in a stable order.

    Raises:
        IngestError: a path is missing or unreadable, or two articles share an id.
    """
    articles = [read_article(p) for p in expand_paths(paths)]
    seen: dict[str, str] = {}
    for article in articles:
        if article.id in seen:
            raise IngestError(
                f"two articles have the id {article.id!r}: {seen[article.id]} and {article.path}; "
                "rename one or give it an 'id:' header"
            )
        seen[article.id] = article.path
    return articles
