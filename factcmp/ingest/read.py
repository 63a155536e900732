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

import codecs
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from ..config import max_article_bytes, raise_limit_hint
from ..errors import IngestError, UnsupportedLanguage
from ..types import Article
from .paths import expand_paths, os_problem, unique_ids

log = logging.getLogger(__name__)

HEADER_KEYS = frozenset({"lang", "date", "title", "source", "id"})
# A header may follow blank lines, and its lines may end in "\n", "\r\n" or a lone "\r" (old
# Mac files): else such a header was silently read as body text and its date lost.
_NL = r"(?:\r\n|\r|\n)"
_HEADER_RE = re.compile(
    rf"\A\ufeff?(?:[ \t]*{_NL})*---[ \t]*{_NL}(.*?){_NL}---[ \t]*(?:{_NL}|\Z)", re.DOTALL
)
_DATE_LINE_RE = re.compile(r"\A\ufeff?\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")
_DATE_RE = re.compile(r"\A\d{4}(?:-\d{2}(?:-\d{2})?)?\Z")
_TIMESTAMP_RE = re.compile(
    r"\A(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\Z"
)
_OPEN_HEADER_RE = re.compile(rf"\A\ufeff?(?:[ \t]*{_NL})*---[ \t]*{_NL}")
MAX_HEADER_CHARS = 10_000
"""A header is a few ``key: value`` lines; a longer one is refused before YAML parses it."""
MIN_LANG_CONFIDENCE = 0.5
DETECT_SAMPLE_CHARS = 20_000
"""Language detection reads the start of the body only: enough for a verdict, fast on 10 MB."""

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la
    lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """.split()
)
"""Valid ``lang:`` codes; a detected language outside this set (e.g. ``zxx``, no language) fails."""

# Legacy 8-bit encodings tried when a file is not UTF-8, Baltic and Central European first.
LEGACY_ENCODINGS = (
    "cp1257", "iso8859_13", "iso8859_4", "cp1250", "iso8859_2", "cp1252", "latin_1",
    "iso8859_15", "cp1251", "koi8_r", "cp1253", "cp1254", "mac_roman", "cp850",
)
# The letters outside ASCII that each language writes; a wrong code page shows up as letters
# the language does not use ("treðdien" for Latvian "trešdien"). Lowercase.
KNOWN_LETTERS = {
    "lv": "āčēģīķļņšūž", "lt": "ąčęėįšųūž", "et": "äöõüšž", "fi": "äöåšž",
    "sl": "čšžćđ", "hr": "čćđšž", "bs": "čćđšž", "sr": "čćđšž", "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž", "pl": "ąćęłńóśźż", "hu": "áéíóöőúüű", "ro": "ăâîșşțţ",
    "de": "äöüß", "is": "áðéíóúýþæö", "da": "æøåéó", "no": "æøåéóò", "nb": "æøåéóò",
    "nn": "æøåéóò", "sv": "åäöé", "fr": "àâæçéèêëîïôœùûüÿ", "es": "áéíñóúü",
    "pt": "áâãàçéêíóôõú", "it": "àèéìíîòóùú", "tr": "çğıöşüâî", "ca": "àçèéíïòóúü",
    "nl": "éëïöü", "en": "éï",
}


def _control_share(text: str) -> float:
    """The share of control characters other than whitespace: high for binary data."""
    if not text:
        return 0.0
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return controls / len(text)


def _letter_fit(text: str, lang: str) -> float:
    """The share of non-ASCII letters in ``text`` that ``lang`` writes (1.0 when unknown)."""
    letters = KNOWN_LETTERS.get(lang)
    foreign = [c for c in text.lower() if ord(c) > 127 and c.isalpha()]
    if letters is None or not foreign:
        return 1.0
    return sum(c in letters for c in foreign) / len(foreign)


def decode(data: bytes, path: Path) -> str:
    """Bytes to text: UTF-8 (or UTF-16/32 with a byte-order mark) first, else the legacy
    encoding whose text reads best.

    charset-normalizer alone mistakes Windows-1257 Latvian for Windows-1258, so each candidate
    code page is scored by how many of its non-ASCII letters belong to the language detected
    in it, then by the detector's confidence.

    Raises:
        IngestError: the bytes are binary or in no encoding that can be told apart.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise IngestError(f"{path}: has a {codec} byte-order mark but is not {codec}; "
                                  "convert it to UTF-8") from e
    if b"\x00" in data[:8192]:
        raise IngestError(
            f"{path}: looks like a binary file (it holds NUL bytes), not text; "
            "pass UTF-8 text files"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guesses = [m.encoding for m in list(from_bytes(data))[:3]]
    best: tuple[tuple[float, float, float, int], str, str] | None = None
    for rank, encoding in enumerate(dict.fromkeys([*guesses, *LEGACY_ENCODINGS])):
        if encoding.startswith(("utf_16", "utf_32")):
            continue  # only with a byte-order mark (handled above)
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        sample = text[:DETECT_SAMPLE_CHARS]
        if _control_share(sample) > 0.01:
            continue
        lang, prob = detect_language(sample)
        score = (_letter_fit(sample, lang), prob, -_control_share(sample), -rank)
        if best is None or score > best[0]:
            best = (score, encoding, text)
    if best is None:
        raise IngestError(
            f"{path}: not UTF-8 and no known text encoding fits (binary?); convert it to UTF-8, "
            "e.g. iconv -f cp1257 -t utf-8"
        )
    log.warning("%s: not UTF-8, read as %s; convert it to UTF-8 to be sure", path, best[1])
    return best[2]


def parse_header(text: str, path: Path) -> tuple[dict[str, str], int]:
    """Return the metadata header's fields and where the body starts (0 if there is no header).

    Raises:
        IngestError: the header is not closed, not ``key: value`` lines, or has an unknown key.
    """
    match = _HEADER_RE.match(text)
    if match is None:
        if _OPEN_HEADER_RE.match(text):
            raise IngestError(
                f"{path}: metadata header opened with '---' but never closed; "
                "end it with a line '---'"
            )
        date_line = _DATE_LINE_RE.match(text)
        if date_line:
            return {"date": check_date(date_line.group(1), path)}, date_line.end()
        return {}, 0
    header = match.group(1)
    if len(header) > MAX_HEADER_CHARS:
        raise IngestError(
            f"{path}: metadata header is {len(header):,} characters long, more than "
            f"{MAX_HEADER_CHARS:,}; write a few 'key: value' lines ({', '.join(sorted(HEADER_KEYS))})"
        )
    import yaml

    try:
        # Anchors and aliases ("&a", "*a") are refused before any value is built: nested
        # aliases (a "billion laughs" header) grew memory without limit (4.5 GB in 125 s).
        if any(isinstance(t, (yaml.AnchorToken, yaml.AliasToken)) for t in yaml.scan(header)):
            raise IngestError(
                f"{path}: metadata header uses YAML anchors or aliases ('&name', '*name'); "
                "write plain 'key: value' lines"
            )
        # BaseLoader keeps every value a string: "lang: no" stays Norwegian, not False.
        fields = yaml.load(header, Loader=yaml.BaseLoader) or {}
    except RecursionError as e:  # "[[[[..." nested thousands deep
        raise IngestError(
            f"{path}: malformed metadata header (nested too deeply); write 'key: value' lines"
        ) from e
    except yaml.YAMLError as e:
        problem = str(e).replace("\n", " ")
        raise IngestError(
            f"{path}: malformed metadata header ({problem}); write 'key: value' lines and quote "
            "values that hold ': '"
        ) from e
    if not isinstance(fields, dict):
        shown = repr(fields) if isinstance(fields, str) else f"a {type(fields).__name__}"
        raise IngestError(
            f"{path}: metadata header must be 'key: value' lines, got {shown[:80]}"
        )
    unknown = sorted(str(k) for k in fields if k not in HEADER_KEYS)
    if unknown:
        raise IngestError(
            f"{path}: unknown metadata key(s) {unknown}; valid keys are {sorted(HEADER_KEYS)}"
        )
    not_text = sorted(str(k) for k, v in fields.items() if not isinstance(v, str))
    if not_text:
        raise IngestError(f"{path}: metadata key(s) {not_text} must have a single text value")
    meta = {str(k): v.strip() for k, v in fields.items() if v.strip()}
    if "date" in meta:
        meta["date"] = check_date(meta["date"], path)
    return meta, match.end()


def check_date(date: str, path: Path) -> str:
    """``date`` as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; a timestamp as feeds write them
    (``2024-06-19T10:00:00Z``, ``2024-06-19 10:00+02:00``) gives its date as written (the
    time and zone are dropped: factcmp compares days, and the day the outlet printed is the
    one its readers saw).

    Raises:
        IngestError: malformed, or no such day (``2024-02-30``, ``2024-13``): relative dates
            and weekdays in the text are resolved against it.
    """
    stamp = _TIMESTAMP_RE.match(date)
    day = stamp.group(1) if stamp else date
    if not _DATE_RE.match(day):
        raise IngestError(
            f"{path}: date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD (or an ISO 8601 timestamp)"
        )
    year, month, number = (int(part) for part in (day + "-01-01").split("-")[:3])
    try:
        dt.date(year, month, number)
    except ValueError as e:
        raise IngestError(
            f"{path}: date {date!r} is not a day of the calendar ({e}); correct the 'date' line"
        ) from e
    return day


def article_from(
    meta: dict[str, str], text: str, path: Path, default_id: str, how: str, text_offset: int = 0
) -> Article:
    """An article from its checked metadata (a file's header or a feed line's keys) and text.

    Args:
        default_id: its id when ``meta`` has none.
        how: how to give a language in this kind of input, for the error message.

    Raises:
        UnsupportedLanguage: see :func:`article_language`.
    """
    return Article(
        id=meta.get("id", default_id),
        path=str(path),
        lang=article_language(meta.get("lang"), text, path, how),
        text=text,
        date=meta.get("date"),
        title=meta.get("title"),
        source=meta.get("source"),
        text_offset=text_offset,
    )


def article_language(given: str | None, text: str, path: Path, how: str) -> str:
    """The article's language: ``given`` (its header's or feed line's ``lang``), else
    detected from ``text``.

    Args:
        how: how to give a language in this kind of input, for the error message.

    Raises:
        UnsupportedLanguage: ``given`` is no ISO 639-1 code, or none is given and the text's
            language cannot be told.
    """
    if given is not None:
        return header_language(given, path)
    lang, prob = detect_language(text[:DETECT_SAMPLE_CHARS])
    if prob < MIN_LANG_CONFIDENCE or lang not in ISO_639_1:
        raise UnsupportedLanguage(
            f"{path}: cannot tell the language (best guess {lang!r}, p={prob:.2f}); "
            f"{how} (ISO 639-1 code)"
        )
    return lang


def header_language(code: str, path: Path) -> str:
    """A ``lang:`` value as a lowercase ISO 639-1 code (``"pt-BR"`` -> ``"pt"``).

    Raises:
        UnsupportedLanguage: not an ISO 639-1 code.
    """
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    if primary not in ISO_639_1:
        raise UnsupportedLanguage(
            f"{path}: unknown language {code!r} in the header; use a two-letter ISO 639-1 "
            "code such as lv, sl, is or en"
        )
    return primary


def detect_language(text: str) -> tuple[str, float]:
    """The most likely ISO 639-1 language of ``text`` and its probability (py3langid)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    global _IDENTIFIER
    if _IDENTIFIER is None:
        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    lang, prob = _IDENTIFIER.classify(text)
    return str(lang), float(prob)


_IDENTIFIER = None


def read_article(path: Path, max_bytes: int | None = None) -> Article:
    """Read one file into an :class:`Article`; its id is the ``id:`` header or the file name.

    Args:
        path: the file.
        max_bytes: refuse a larger file (``None``: no limit).

    Raises:
        IngestError: unreadable, too large, empty, binary or malformed.
        UnsupportedLanguage: the header's ``lang`` is no ISO 639-1 code, or there is no
            ``lang`` and the language cannot be told.
    """
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if max_bytes is not None and size > max_bytes:
                raise IngestError(
                    f"{path}: {size / 1e6:,.1f} MB, over the {max_bytes / 1e6:g} MB limit for "
                    f"one article (a long news article is 0.1 MB); if it is one article, "
                    f"{raise_limit_hint(size)}"
                )
            data = f.read()
    except OSError as e:
        raise os_problem(path, e) from e
    text = decode(data, path)
    meta, body_start = parse_header(text, path)
    body = text[body_start:]
    if not body.strip():
        if body_start:
            raise IngestError(f"{path}: no article text after the header; add the article body")
        raise IngestError(f"{path}: empty file (no article text); remove it or add the article")
    how = "add a metadata header with a line 'lang: xx'"
    return article_from(meta, body, path, path.stem, how, text_offset=body_start)


def read_articles(
    paths: Sequence[str | Path], max_bytes: int | None | Literal["env"] = "env"
) -> list[Article]:
    """Read every article under ``paths``, in a stable order, with unique ids (see
    :func:`~factcmp.ingest.paths.unique_ids`: ``delfi/putin`` and ``lsm/putin`` when two
    folders hold a ``putin.txt``).

    Args:
        paths: files and folders.
        max_bytes: the size limit of one file (``None``: none); by default
            :func:`~factcmp.config.max_article_bytes` (``$FACTCMP_MAX_ARTICLE_MB``).

    Raises:
        IngestError: a path is missing, unreadable or over the size limit, a file is passed
            twice, or two ``id:`` headers give the same id.
        ConfigError: ``$FACTCMP_MAX_ARTICLE_MB`` is not a number.
    """
    from .jsonl import default_id, is_feed, read_feed

    limit = max_article_bytes() if max_bytes == "env" else max_bytes
    articles: list[Article] = []
    explicit: list[bool] = []  # an id not made from a file name: never prefixed with folders
    for path in expand_paths(paths):
        if is_feed(path):
            found = read_feed(path, limit)
            articles.extend(found)
            # A line without an "id" field is named after its file, like a file without an
            # id: header, so two folders' feed.jsonl get their folder names, not a clash.
            lines = [int(a.path.rsplit(":", 1)[1]) for a in found]
            explicit.extend(a.id != default_id(path, n) for a, n in zip(found, lines, strict=True))
        else:
            articles.append(read_article(path, limit))
            explicit.append(articles[-1].id != path.stem)
    ids = unique_ids([a.id for a in articles], [a.path for a in articles], explicit)
    articles = [
        a if a.id == i else dataclasses.replace(a, id=i)
        for a, i in zip(articles, ids, strict=True)
    ]
    same_text: dict[str, str] = {}
    for article in articles:
        digest = hashlib.sha256(article.text.strip().encode("utf-8")).hexdigest()
        if digest in same_text:
            log.warning(
                "%s and %s hold the same text; every claim will look shared between them",
                same_text[digest], article.path,
            )
        same_text.setdefault(digest, article.path)
    return articles
