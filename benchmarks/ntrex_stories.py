"""Multi-source news stories with gold, built from NTREX-128 (Federmann et al. 2022, CC BY-SA 4.0).

NTREX-128 is one set of English news documents translated line by line into 128 languages, so
line ``i`` of every language states the same thing. From each document this module builds a
*story*: 3-5 language versions (a seeded random subset of lav/slv/isl/lit/est) in which each
version, like a real news source,

* drops some lines (claims only some sources carry),
* moves a block of consecutive lines elsewhere (sources order material differently),
* alters a detail in some lines: a number, a year, or a name (a detail that differs).

Each change is recorded as gold: line ``i`` of the document is claim ``i``; a version that
dropped it is silent on it; an alteration names the version, the line, its kind and the old
and new text. Each version becomes :class:`~factcmp.types.Sentence` objects directly, one
per line, so the segmenter is not in the loop. ``reordered_only=True`` builds stories of the
same versions with block moves only: no drops and no alterations.

Usage::

    from ntrex_stories import build_stories, load_ntrex
    stories = build_stories(load_ntrex(), seed=13)
    story.articles, story.sentences, story.line_of, story.carriers(line), story.alterations
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from factcmp.types import Article, Sentence

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ntrex128"
LANGS = ("lav", "slv", "isl", "lit", "est")
ISO = {"lav": "lv", "slv": "sl", "isl": "is", "lit": "lt", "est": "et", "eng": "en"}
DEFAULT_SEED = 13

# Rates of the perturbations (per version, per line).
DROP_RATE = 0.15
ALTER_DETAIL_RATE = 0.35  # of the lines with a digit run that two or more versions carry
ALTER_NAME_RATE = 0.10  # of the lines with a mid-sentence capitalised word
MIN_KEEP = 0.5

_DIGITS_RE = re.compile(r"\d+")
# A word after a space (so never the first of the line); _is_name keeps the capitalised ones.
_WORD_RE = re.compile(r"(?<=\s)[^\W\d_]{3,}\b")



def line_sentences(article_id: str, lines: Sequence[str]) -> list[Sentence]:
    """One sentence per line of an article whose text is its lines joined by newlines (the
    segmenter is not in the loop: NTREX lines are sentences already)."""
    out, at = [], 0
    for i, text in enumerate(lines):
        out.append(Sentence(article_id, i, text, at, at + len(text)))
        at += len(text) + 1
    return out

@dataclass(frozen=True)
class Ntrex:
    """NTREX-128 lines per language and the document each line belongs to."""

    lines: dict[str, list[str]]
    doc_ids: list[str]

    def documents(self) -> list[tuple[str, range]]:
        """``(document id, range of line indexes)`` in corpus order."""
        docs: list[tuple[str, range]] = []
        start = 0
        for i in range(1, len(self.doc_ids) + 1):
            if i == len(self.doc_ids) or self.doc_ids[i] != self.doc_ids[start]:
                docs.append((self.doc_ids[start], range(start, i)))
                start = i
        return docs


def load_ntrex(data_dir: Path = DEFAULT_DATA, langs: tuple[str, ...] = LANGS + ("eng",)) -> Ntrex:
    """Read the line-aligned NTREX-128 files of ``langs`` and ``DOCUMENT_IDS.tsv``."""
    lines = {}
    for lang in langs:
        name = "newstest2019-src.eng.txt" if lang == "eng" else f"newstest2019-ref.{lang}.txt"
        lines[lang] = (data_dir / name).read_text(encoding="utf-8").rstrip("\n").split("\n")
    doc_ids = (data_dir / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").rstrip("\n").split("\n")
    doc_ids = [d.split("\t")[0] for d in doc_ids]
    sizes = {lang: len(v) for lang, v in lines.items()}
    if len(set(sizes.values())) != 1 or len(doc_ids) != len(lines[langs[0]]):
        raise ValueError(f"NTREX files are not line-aligned: {sizes}, {len(doc_ids)} doc ids")
    return Ntrex(lines=lines, doc_ids=doc_ids)


@dataclass(frozen=True)
class Alteration:
    """One changed detail: ``article``'s copy of ``line`` says ``new`` where the others say ``old``."""

    article: str
    line: int
    kind: str  # "number", "year" or "name"
    old: str
    new: str
    start: int  # span of ``new`` in the altered line
    end: int


@dataclass
class Version:
    """One language version of a story: which document lines it carries, in its own order."""

    article_id: str
    lang: str
    lines: list[int]
    texts: list[str]


@dataclass
class Story:
    """One NTREX document told by several versions, with the gold of every change."""

    doc_index: int
    doc_id: str
    doc_lines: range
    versions: list[Version]
    alterations: list[Alteration] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [
            Article(id=v.article_id, path=f"ntrex:{v.article_id}", lang=ISO[v.lang],
                    text="\n".join(v.texts))
            for v in self.versions
        ]

    @property
    def sentences(self) -> list[Sentence]:
        """One sentence per line of each version, with offsets into its article text."""
        return [s for v in self.versions for s in line_sentences(v.article_id, v.texts)]

    @property
    def line_of(self) -> dict[str, int]:
        """Sentence id -> the document line (gold claim) it states."""
        return {f"{v.article_id}:{i}": line for v in self.versions for i, line in enumerate(v.lines)}

    def carriers(self, line: int) -> tuple[str, ...]:
        """The versions that carry ``line``; the others are silent on it."""
        return tuple(v.article_id for v in self.versions if line in v.lines)


def _move_block(order: list[int], rng: random.Random) -> list[int]:
    """Move a block of 1-3 consecutive lines (a paragraph) to another position."""
    if len(order) < 4:
        return order
    size = rng.randint(1, min(3, len(order) // 3))
    start = rng.randrange(0, len(order) - size + 1)
    block, rest = order[start : start + size], order[:start] + order[start + size :]
    spots = [p for p in range(len(rest) + 1) if p != start]
    at = rng.choice(spots)
    return rest[:at] + block + rest[at:]


def _alter_digits(text: str, rng: random.Random) -> tuple[str, str, str, int, int] | None:
    """Change one digit run: a year moves by 1-5, any other number by a visible amount."""
    runs = list(_DIGITS_RE.finditer(text))
    if not runs:
        return None
    m = rng.choice(runs)
    old = m.group()
    value = int(old)
    if len(old) == 4 and 1900 <= value <= 2100:
        kind = "year"
        new = str(value + rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]))
    else:
        kind = "number"
        if len(old) > 1 and old.startswith("0"):  # "05" in a time or date: keep its width
            new = f"{(value + rng.randint(1, 9)) % 10 ** len(old):0{len(old)}d}"
        else:
            delta = rng.randint(1, max(1, value // 2 + 3))
            new = str(value + delta if value < delta or rng.random() < 0.5 else value - delta)
            if new == "0" or new == old:
                new = str(value + delta)
    return kind, old, new, m.start(), m.start() + len(new)


def _is_name(word: str) -> bool:
    return word[0].isupper() and word[1:].islower()


def _name_spans(text: str) -> list[re.Match[str]]:
    """Capitalised words that are not the first word of ``text`` (mostly proper names)."""
    return [m for m in _WORD_RE.finditer(text) if _is_name(m.group())]


def _alter_name(text: str, names: list[str], rng: random.Random) -> tuple[str, str, int, int] | None:
    """Swap one mid-sentence capitalised word for another capitalised word of the corpus."""
    found = _name_spans(text)
    if not found or not names:
        return None
    m = rng.choice(found)
    other = [n for n in names if n != m.group() and n[:3] != m.group()[:3]]
    new = rng.choice(other)
    return m.group(), new, m.start(), m.start() + len(new)


def _names(ntrex: Ntrex, lang: str) -> list[str]:
    """Capitalised mid-sentence words of a language seen at least twice, sorted."""
    counts: dict[str, int] = {}
    for line in ntrex.lines[lang]:
        for m in _name_spans(line):
            counts[m.group()] = counts.get(m.group(), 0) + 1
    return sorted(n for n, c in counts.items() if c >= 2)


def build_story(
    ntrex: Ntrex,
    doc_index: int,
    *,
    seed: int = DEFAULT_SEED,
    reordered_only: bool = False,
    names: dict[str, list[str]] | None = None,
) -> Story:
    """The story of document ``doc_index``; the same seed gives the same story on every run.

    The random choices of one document depend only on ``seed`` and the document, so a run on
    the first N documents sees exactly the stories of a run on all of them.
    """
    doc_id, lines = ntrex.documents()[doc_index]
    rng = random.Random(f"{seed}:{doc_index}:{doc_id}")
    langs = rng.sample(LANGS, rng.randint(3, 5))
    langs = [lang for lang in LANGS if lang in langs]  # stable article order
    n = len(lines)
    keep: dict[str, list[int]] = {}
    orders: dict[str, list[int]] = {}
    for lang in langs:
        kept = [line for line in lines if reordered_only or rng.random() >= DROP_RATE]
        if len(kept) < max(2, MIN_KEEP * n):
            kept = list(lines)
        keep[lang] = kept
        orders[lang] = _move_block(kept, rng)
    # Every line stays in at least one version, or it would not be part of the story.
    for line in lines:
        if not any(line in keep[lang] for lang in langs):
            lang = rng.choice(langs)
            keep[lang] = sorted(keep[lang] + [line])
            at = rng.randrange(0, len(orders[lang]) + 1)
            orders[lang].insert(at, line)
    texts = {lang: {line: ntrex.lines[lang][line] for line in orders[lang]} for lang in langs}
    article = {lang: f"doc{doc_index:03d}-{lang}" for lang in langs}
    alterations: list[Alteration] = []
    if not reordered_only:
        names = names if names is not None else {lang: _names(ntrex, lang) for lang in langs}
        for line in lines:
            carriers = [lang for lang in langs if line in texts[lang]]
            if len(carriers) < 2:
                continue  # an altered detail needs a second source to differ from
            target = rng.choice(carriers)
            text = texts[target][line]
            roll = rng.random()
            if _DIGITS_RE.search(text) and roll < ALTER_DETAIL_RATE:
                kind, old, new, start, end = _alter_digits(text, rng)  # type: ignore[misc]
            elif _name_spans(text) and roll > 1 - ALTER_NAME_RATE:
                kind = "name"
                old, new, start, end = _alter_name(text, names[target], rng)  # type: ignore[misc]
            else:
                continue
            texts[target][line] = text[:start] + new + text[start + len(old) :]
            alterations.append(Alteration(article[target], line, kind, old, new, start, end))
    versions = [
        Version(article[lang], lang, orders[lang], [texts[lang][line] for line in orders[lang]])
        for lang in langs
    ]
    return Story(doc_index, doc_id, lines, versions, alterations)


def build_stories(
    ntrex: Ntrex, *, seed: int = DEFAULT_SEED, docs: int | None = None, reordered_only: bool = False
) -> list[Story]:
    """One story per NTREX document (the first ``docs`` of them, or all 123)."""
    names = {lang: _names(ntrex, lang) for lang in LANGS}
    count = len(ntrex.documents()) if docs is None else min(docs, len(ntrex.documents()))
    return [
        build_story(ntrex, i, seed=seed, reordered_only=reordered_only, names=names)
        for i in range(count)
    ]


def summary(stories: list[Story]) -> dict[str, int]:
    """Counts of what the stories hold, for the results file."""
    kinds: dict[str, int] = {}
    for s in stories:
        for a in s.alterations:
            kinds[a.kind] = kinds.get(a.kind, 0) + 1
    silent = sum(
        len(s.versions) - len(s.carriers(line)) for s in stories for line in s.doc_lines
    )
    return {
        "stories": len(stories),
        "versions": sum(len(s.versions) for s in stories),
        "sentences": sum(len(v.lines) for s in stories for v in s.versions),
        "gold_lines": sum(len(s.doc_lines) for s in stories),
        "silent_line_versions": silent,
        **{f"altered_{k}": v for k, v in sorted(kinds.items())},
    }


if __name__ == "__main__":  # print one story, to see what the generator does
    import json
    import sys

    story = build_story(load_ntrex(), int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(json.dumps({
        "doc": story.doc_id,
        "versions": {v.article_id: v.lines for v in story.versions},
        "alterations": [a.__dict__ for a in story.alterations],
    }, ensure_ascii=False, indent=1))
