"""Split an article into sentences, dropping captions, photo credits and site boilerplate.

Sentence rules come from ``sentence-splitter`` (Koehn & Schroeder's heuristic splitter with
per-language non-breaking prefixes), applied line by line so that headings and captions
never run into the next paragraph.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator

from ..types import Article, Sentence, SentenceKind

log = logging.getLogger(__name__)

SPLITTER_LANGUAGES = frozenset(
    "ca cs da de el en es fi fr hu is it lt lv nl no pl pt ro ru sk sl sv tr".split()
)

# A photo credit or caption marker: "Foto: EPA/SCANPIX", "© www.kremlin.ru", and an agency
# credit that opens or closes a line ("AFP/Sergei Ilyin", "Xinhua/STA"). An agency with a
# slash inside running text ("a Reuters/Ipsos poll found ...") is not a credit.
_AGENCY = (
    r"(?-i:AFP|EPA|AP|Reuters|Xinhua|STA|SCANPIX|LETA|TASS|Getty(?:\s+Images)?|Bobo|Profimedia)"
)
_CREDIT_RE = re.compile(
    r"(?:\b(?:foto|photo|fotó|mynd|attēls|slika|vir|avots|heimild)\s*:)"
    r"|©"
    rf"|^{_AGENCY}\s*/\s*\w"
    rf"|(?<!\S){_AGENCY}\s*/\s*\w[\w'’-]*(?:[ \t]+\w[\w'’-]*){{0,3}}\s*$",
    re.IGNORECASE,
)
# A line that is only a web address or a site name: "mbl.is", "www.delfi.lv".
_DOMAIN_RE = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/?$", re.IGNORECASE)
# Site furniture seen at the end of news pages, in lowercase.
BOILERPLATE = frozenset(
    {
        "bloggað um fréttina",
        "fleira áhugavert",
        "meira",
        "lasiet arī",
        "preberite tudi",
        "preberite še",
        "read more",
        "related",
        "share",
        "advertisement",
        "reklāma",
        "oglas",
    }
)
_TERMINAL = ".!?…\"'”“«»)’"
# Lines are split on every line boundary Python knows (a lone "\r" from old Mac files, U+2028),
# not only "\n": otherwise such a file would be one giant line.
_LINE_RE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
MAX_LINE = 5000
"""Longer lines go to the splitter in pieces: its regexes take time quadratic in line length
(a 1 MB one-line article took minutes, 200,000 dots in a row 90 s)."""
_CHUNK = 2000
_HARD_CUT = 500
# Where a sentence surely ends: a word of three letters or more, end punctuation, space, then
# (maybe after an opening quote or bracket) a capital letter. Checked for the capital below.
_SURE_END_RE = re.compile(r"\w{3}[.!?…][\"'”’»)]?(\s+)[\"'“„«(\[]?(\w)")
_ELLIPSIS_RE = re.compile(r"(?:…|\.\.\.)\s*$")


@functools.cache
def _splitter(lang: str):  # type: ignore[no-untyped-def]
    from sentence_splitter import SentenceSplitter

    return SentenceSplitter(language=lang if lang in SPLITTER_LANGUAGES else "en")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, line) for each non-blank line, with surrounding whitespace stripped."""
    for match in _LINE_RE.finditer(text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            yield match.start() + (len(line) - len(line.lstrip())), stripped


def _is_furniture(line: str) -> bool:
    """A credit, caption marker, bare site name or boilerplate phrase."""
    low = line.lower().rstrip(" .:")
    return bool(_CREDIT_RE.search(line) or _DOMAIN_RE.match(line) or low in BOILERPLATE)


def content_lines(text: str) -> list[tuple[int, str]]:
    """The lines of ``text`` that carry article content, as (offset, line)."""
    lines = list(_lines(text))
    drop = [False] * len(lines)
    seen: set[str] = set()
    for i, (_, line) in enumerate(lines):
        nxt = lines[i + 1][1] if i + 1 < len(lines) else ""
        teaser = _ELLIPSIS_RE.search(line) and nxt.startswith(_ELLIPSIS_RE.sub("", line).rstrip())
        if _is_furniture(line) or teaser or line in seen or (nxt != line and nxt.startswith(line)):
            drop[i] = True
        seen.add(line)
    # A short unpunctuated line right above a credit line is that photo's caption.
    for i in range(len(lines) - 1):
        if drop[i + 1] and _CREDIT_RE.search(lines[i + 1][1]) and not lines[i][1].endswith(
            tuple(_TERMINAL)
        ):
            drop[i] = True
    return [line for line, dropped in zip(lines, drop, strict=True) if not dropped]


def _locate(sentence: str, line: str, cursor: int) -> tuple[int, int]:
    """Find ``sentence`` in ``line`` at or after ``cursor``, allowing changed whitespace."""
    at = line.find(sentence, cursor)
    if at >= 0:
        return at, at + len(sentence)
    pattern = r"\s+".join(re.escape(tok) for tok in sentence.split())
    match = re.compile(pattern).search(line, cursor)
    if match is None:  # the splitter changed more than whitespace: keep the rest of the line
        return cursor, len(line)
    return match.start(), match.end()


def _chunks(line: str) -> Iterator[str]:
    """``line`` in consecutive pieces for the splitter; a line up to ``MAX_LINE`` is one piece.

    A long line is cut about every ``_CHUNK`` characters where a sentence surely ends, else at
    a space, else (no space in ``2 * _CHUNK`` characters: not prose) every ``_HARD_CUT``.
    """
    start = 0
    while len(line) - start > MAX_LINE:
        lo, hi = start + _CHUNK, start + 2 * _CHUNK
        cut = next(
            (m.end(1) for m in _SURE_END_RE.finditer(line, lo - 4, hi) if m.group(2).isupper()),
            None,
        )
        if cut is None:
            space = line.find(" ", lo, hi)
            cut = space + 1 if space > start else start + _HARD_CUT
        yield line[start:cut]
        start = cut
    yield line[start:]


def segment(article: Article) -> list[Sentence]:
    """Split ``article`` into sentences with character offsets into ``article.text``.

    A line without sentence-final punctuation is a heading (``kind="heading"``); captions,
    photo credits, repeated lines and site boilerplate are left out.
    """
    splitter = _splitter(article.lang)
    sentences: list[Sentence] = []
    for offset, line in content_lines(article.text):
        kind: SentenceKind = "body" if line.endswith(tuple(_TERMINAL)) else "heading"
        cursor = 0
        chunks = list(_chunks(line))
        if len(chunks) > 1 and not _SURE_END_RE.search(line):
            log.warning(
                "%s: a line of %s characters (at character %d) has no sentence end; it is cut "
                "into %d pieces of about %s characters, each compared as one sentence",
                article.path, f"{len(line):,}", article.text_offset + offset, len(chunks),
                f"{_CHUNK:,}",
            )
        for piece in (p for chunk in chunks for p in splitter.split(chunk)):
            piece = piece.strip()
            if not piece:
                continue
            start, end = _locate(piece, line, cursor)
            cursor = end
            text = line[start:end]
            if _is_furniture(text) and len(text) < 40:
                continue
            sentences.append(
                Sentence(
                    article_id=article.id,
                    index=len(sentences),
                    text=text,
                    start=offset + start,
                    end=offset + end,
                    kind=kind,
                )
            )
    return sentences
