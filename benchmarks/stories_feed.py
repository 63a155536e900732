"""A news feed with known stories, built from NTREX-128 (Federmann et al. 2022, CC BY-SA 4.0).

NTREX-128 is 123 English news documents (WMT19 newstest) translated line by line, so line
``i`` of every language says the same thing. The feed treats each document as one *story*:

* every language of ``FEED_LANGS`` (English source, lv, sl, is, lt, et) carries the story as
  a separate article, a *version* that drops each line with probability 0.15 and moves one
  block of 1-3 lines elsewhere (``ntrex_stories``' perturbations);
* with probability 0.3 a second outlet in a random language carries it too (another drop
  and move), and with probability 0.3 a *brief* carries only the first 2-4 lines;
* *decoys*: articles of 5-12 lines in one language, each line from a different document of
  the same fold, shuffled. A decoy belongs to no story: its truth is a story of its own.

Every article has the same date (one day's feed: no date signal) and a source drawn from a
pool of outlets per language that every story shares (no source signal); ids are opaque and
the feed order is shuffled. Documents are split into ``FOLDS`` seeded folds and decoys draw
only from their fold's documents, so the feed of some folds is a feed of its own, with no
line of the other folds: cross-validation fits on some stories and measures on others.

:func:`synthetic_feed` builds feeds of any size for the scale benchmark from random sets of
NTREX lines (each synthetic story is 8-24 lines drawn from the whole corpus), so every
sentence is a NTREX line whose vector the embedding cache already holds.

    python benchmarks/stories_feed.py --out feed.jsonl [--synthetic N]

writes the feed as JSON Lines (one article per line: ``id``, ``lang``, ``date``, ``source``,
``text``) and its truth beside it (``feed.truth.json``: article id -> story, ``null`` for
a decoy).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ntrex_stories import (
    DROP_RATE,
    ISO,
    MIN_KEEP,
    Ntrex,
    _move_block,
    line_sentences,
    load_ntrex,
)

from factcmp.types import Article, Sentence

FEED_LANGS = ("eng", "lav", "slv", "isl", "lit", "est")
FEED_DATE = "2019-01-15"
FOLDS = 5
SECOND_OUTLET_RATE = 0.3
BRIEF_RATE = 0.3
DECOYS_PER_STORY = 0.5
DECOY_LINES = (5, 12)
OUTLETS_PER_LANG = 3

# NTREX documents (indexes in corpus order) that report one real-world event, read by hand
# from their text: several outlets covered the same happenings in late September 2018. The
# issue counts each document as a story; a clusterer that joins these is right by the news,
# so results are given for both truths. Documents on the same people but different happenings
# stay apart (the seven Kavanaugh documents: ratings, Trump, Pelosi, the FBI inquiry...; Kanye
# West 30/53; Sarah Palin 64/98; Brexit 15/78/80/101; North Korea 41/48 vs 116).
EVENTS: tuple[tuple[int, ...], ...] = (
    (1, 33),  # Macedonia's name referendum
    (7, 9, 27, 28, 66, 97, 99, 107),  # the Sulawesi (Palu) earthquake and tsunami
    (13, 24),  # hurricane Rosa's remnants
    (16, 103),  # arrest in the shooting of Wayde Sims
    (20, 50),  # Livingston 1-0 Rangers
    (36, 45),  # Trump's rally in West Virginia
    (41, 48),  # North Korea's foreign minister at the UN: no disarmament without trust
    (46, 47, 73, 74, 121),  # the 2018 Ryder Cup, Saturday and Sunday
    (63, 102),  # Elizabeth Warren's "hard look" at running
    (89, 120),  # Syria's foreign minister at the UN
)


def event_of(doc: int) -> int:
    """The event a document reports: the first document of its ``EVENTS`` group, or itself."""
    return next((group[0] for group in EVENTS if doc in group), doc)


@dataclass(frozen=True)
class FeedArticle:
    """One article of the feed and its truth."""

    article: Article
    lines: tuple[int, ...]  # NTREX line indexes, in the article's order
    lang: str  # NTREX language code
    story: int | None  # the document (story) it tells; None for a decoy
    kind: str  # "version", "outlet", "brief" or "decoy"
    fold: int


@dataclass(frozen=True)
class Feed:
    items: tuple[FeedArticle, ...]
    texts: dict[str, list[str]]  # NTREX lines per language
    synthetic: bool = False  # stories of random NTREX lines (their ids are no documents)

    @property
    def articles(self) -> list[Article]:
        return [f.article for f in self.items]

    @property
    def sentences(self) -> list[Sentence]:
        """One sentence per line, offsets into the article text (the segmenter is not in the loop)."""
        return [
            s for f in self.items
            for s in line_sentences(f.article.id, [self.texts[f.lang][line] for line in f.lines])
        ]

    def labels(self, truth: str = "event") -> list[int]:
        """Truth per article: its story (``"document"``: the NTREX document; ``"event"``: the
        documents of one ``EVENTS`` group as one story), or a label of its own (-1, -2, ...)
        for a decoy."""
        out, decoy = [], 0
        for f in self.items:
            if f.story is None:
                decoy -= 1
                out.append(decoy)
            else:
                out.append(event_of(f.story) if truth == "event" and not self.synthetic
                           else f.story)
        return out

    def subset(self, folds: Sequence[int]) -> Feed:
        """The feed of some folds only (their stories and their decoys)."""
        keep = set(folds)
        return Feed(tuple(f for f in self.items if f.fold in keep), self.texts, self.synthetic)

    def summary(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for f in self.items:
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
        return {"articles": len(self.items),
                "stories": len({f.story for f in self.items if f.story is not None}),
                "sentences": sum(len(f.lines) for f in self.items),
                **{f"{k}s": v for k, v in sorted(kinds.items())}}


def _version(lines: Sequence[int], rng: random.Random) -> list[int]:
    """Drop lines (keeping at least half, and two) and move one block, as a source would."""
    kept = [line for line in lines if rng.random() >= DROP_RATE]
    if len(kept) < max(2, MIN_KEEP * len(lines)):
        kept = list(lines)
    return _move_block(kept, rng)


def _article(idx: int, lang: str, lines: Sequence[int], texts: dict[str, list[str]],
             rng: random.Random) -> Article:
    return Article(id=f"a{idx:06d}", path=f"ntrex-feed:a{idx:06d}", lang=ISO[lang],
                   text="\n".join(texts[lang][i] for i in lines), date=FEED_DATE,
                   source=f"{ISO[lang]}-outlet-{rng.randrange(OUTLETS_PER_LANG)}")


def _assemble(drafts: list[tuple[str, list[int], int | None, str, int]], texts: dict[str, list[str]],
              rng: random.Random, synthetic: bool = False) -> Feed:
    """Shuffle the drafts (lang, lines, story, kind, fold) and give them opaque ids."""
    rng.shuffle(drafts)
    items = tuple(
        FeedArticle(_article(i, lang, lines, texts, rng), tuple(lines), lang, story, kind, fold)
        for i, (lang, lines, story, kind, fold) in enumerate(drafts)
    )
    return Feed(items, texts, synthetic)


def _decoys(stories: dict[int, list[int]], fold: int, count: int, langs: Sequence[str],
            rng: random.Random) -> list[tuple[str, list[int], int | None, str, int]]:
    """``count`` decoys, each line from a different story of ``stories``."""
    out: list[tuple[str, list[int], int | None, str, int]] = []
    keys = sorted(stories)
    for _ in range(count):
        size = min(len(keys), rng.randint(*DECOY_LINES))
        lines = [rng.choice(stories[d]) for d in rng.sample(keys, size)]
        out.append((rng.choice(langs), lines, None, "decoy", fold))
    return out


def build_feed(ntrex: Ntrex | None = None, *, seed: int = 11, langs: Sequence[str] = FEED_LANGS,
               docs: int | None = None) -> Feed:
    """The NTREX story feed; the same seed gives the same feed."""
    ntrex = ntrex or load_ntrex(langs=tuple(dict.fromkeys((*langs, "eng"))))
    rng = random.Random(f"stories-feed:{seed}")
    documents = ntrex.documents()[:docs]
    # Folds by event, so that no event has documents on both sides of a split.
    events = sorted({event_of(d) for d in range(len(documents))})
    rng.shuffle(events)
    fold_of_event = {e: k % FOLDS for k, e in enumerate(events)}
    fold_of = {d: fold_of_event[event_of(d)] for d in range(len(documents))}
    drafts: list[tuple[str, list[int], int | None, str, int]] = []
    for d, (_, lines) in enumerate(documents):
        fold = fold_of[d]
        for lang in langs:
            drafts.append((lang, _version(lines, rng), d, "version", fold))
        if rng.random() < SECOND_OUTLET_RATE:
            drafts.append((rng.choice(langs), _version(lines, rng), d, "outlet", fold))
        if rng.random() < BRIEF_RATE:
            drafts.append((rng.choice(langs), list(lines[: rng.randint(2, 4)]), d, "brief", fold))
    for fold in range(FOLDS):
        members = {d: list(documents[d][1]) for d in range(len(documents)) if fold_of[d] == fold}
        drafts += _decoys(members, fold, round(DECOYS_PER_STORY * len(members)), langs, rng)
    return _assemble(drafts, ntrex.lines, rng)


def synthetic_feed(articles: int, *, seed: int = 0, ntrex: Ntrex | None = None,
                   langs: Sequence[str] = FEED_LANGS) -> Feed:
    """About ``articles`` articles of synthetic stories: each story is 8-24 random NTREX lines
    told by 2-8 versions in random languages (drops and moves), plus 5 % decoys."""
    ntrex = ntrex or load_ntrex(langs=tuple(dict.fromkeys((*langs, "eng"))))
    rng = random.Random(f"stories-synthetic:{seed}")
    n_lines = len(ntrex.doc_ids)
    drafts: list[tuple[str, list[int], int | None, str, int]] = []
    story = 0
    stories: dict[int, list[int]] = {}
    target = round(articles * 0.95)
    while len(drafts) < target:
        lines = rng.sample(range(n_lines), rng.randint(8, 24))
        stories[story] = lines
        for _ in range(min(rng.randint(2, 8), target - len(drafts))):
            drafts.append((rng.choice(langs), _version(lines, rng), story, "version", 0))
        story += 1
    drafts += _decoys(stories, 0, articles - len(drafts), langs, rng)
    return _assemble(drafts, ntrex.lines, rng, synthetic=True)


def write_jsonl(feed: Feed, path: Path) -> Path:
    """The feed as JSON Lines and its truth as ``<stem>.truth.json``; returns the truth path."""
    with path.open("w", encoding="utf-8") as out:
        for f in feed.items:
            a = f.article
            out.write(json.dumps({"id": a.id, "lang": a.lang, "date": a.date, "source": a.source,
                                  "text": a.text}, ensure_ascii=False) + "\n")
    truth = path.with_name(path.stem + ".truth.json")
    truth.write_text(json.dumps({
        "origin": "NTREX-128 (Federmann, Kocmi & Xin 2022, CC BY-SA 4.0), benchmarks/stories_feed.py",
        "summary": feed.summary(),
        "story": {f.article.id: f.story for f in feed.items},
        "event": dict(zip((f.article.id for f in feed.items), (
            None if label < 0 else label for label in feed.labels("event")), strict=True)),
        "kind": {f.article.id: f.kind for f in feed.items},
        "fold": {f.article.id: f.fold for f in feed.items},
    }, indent=1) + "\n", encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="the .jsonl file to write")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--synthetic", type=int, default=None, help="this many synthetic articles")
    args = ap.parse_args(argv)
    feed = (synthetic_feed(args.synthetic, seed=args.seed) if args.synthetic
            else build_feed(seed=args.seed))
    truth = write_jsonl(feed, args.out)
    print(json.dumps(feed.summary()), f"-> {args.out}, {truth}")


if __name__ == "__main__":
    main()
