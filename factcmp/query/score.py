"""How much a sentence answers a query, corrected for hubs, and the floors that say "nothing".

Measured on ``benchmarks/queries.py`` with multilingual-e5-small: plain cosine is compressed
(the whole seed corpus lies within a few hundredths for a query) and a few sentences, short
headlines above all, are near *every* text: they win for any query, nonsense included. So a
sentence's score is its cosine with the query minus its own *hubness*, in its own units:

``score(t, x) = (cos(t, x) - hub_bank(x) - hub_corpus(x)) / spread(x)``

* ``cos``: language-centred cosine (:func:`factcmp.embed.centre_by_language`), so a
  language's offset does not decide it.
* ``hub_bank(x)``: the mean cosine of ``x`` with its ``K_BANK`` nearest reference texts
  (:data:`.reference.HUB`, everyday sentences on nothing in particular): how close ``x`` is to
  any text at all. This is CSLS (Conneau et al. 2018) with generic queries as the other side.
* ``hub_corpus(x)``: the mean cosine of ``x`` with its ``K_CORPUS`` nearest sentences of the
  *other* articles: a sentence that resembles much of the corpus is not singled out by a query
  that resembles it too.
* ``spread(x)``: the standard deviation of ``x``'s cosines with the reference texts, which
  also corrects for length (short sentences vary more).

Floors come from nulls, not from a fixed bar: unrelated real text (:data:`.reference.NULL`)
and meaningless strings (:data:`.reference.GARBAGE`, characters shuffled) are scored exactly
as the query is, on the same corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from ..embed import centre_by_language, normalise

K_BANK = 10
"""Reference texts a sentence's hubness is averaged over."""
K_CORPUS = 5
"""Sentences of other articles a sentence's in-corpus hubness is averaged over."""
NULL_QUANTILE = 0.9
"""Corpus floor: the best score an unrelated sentence reaches stays below it 9 times in 10."""
GARBAGE_QUANTILE = 0.75
"""Article floor: the best score a meaningless string reaches in the article stays below it 3
times in 4 (some articles, short Icelandic ones in the seed corpus, attract such strings)."""
ARTICLE_MARGIN = 1.5
"""A hit lies within this many of its sentence's spreads of its article's best score."""


def garbage(lines: tuple[str, ...], seed: int = 0) -> list[str]:
    """Each line with its characters shuffled: text-shaped strings that say nothing.

    One random generator runs through all lines, so the strings are the same on every run.
    """
    rng = random.Random(seed)
    out = []
    for line in lines:
        chars = list(line)
        rng.shuffle(chars)
        out.append("".join(chars))
    return out


@dataclass(frozen=True, slots=True)
class Scorer:
    """The corpus side of the score, computed once per corpus.

    Attributes:
        centred: language-centred unit sentence vectors, ``(n, d)``.
        mean: the corpus mean a text is centred with, ``(d,)``.
        hub: ``hub_bank + hub_corpus`` per sentence, ``(n,)``.
        spread: per sentence, ``(n,)``.
    """

    centred: np.ndarray
    mean: np.ndarray
    hub: np.ndarray
    spread: np.ndarray

    @classmethod
    def build(
        cls, vectors: np.ndarray, langs: list[str], articles: list[str], hub_texts: np.ndarray
    ) -> Scorer:
        """The hubness and spread of each sentence.

        Args:
            vectors: unit sentence vectors, ``(n, d)``.
            langs: each sentence's language.
            articles: each sentence's article id.
            hub_texts: unit vectors of the reference texts, ``(m, d)``.
        """
        centred, mean = centre_by_language(vectors, langs)
        ref = centred @ centre(hub_texts, mean).T  # (n, m)
        k = min(K_BANK, ref.shape[1])
        hub_bank = np.sort(ref, axis=1)[:, -k:].mean(axis=1)
        spread = np.maximum(ref.std(axis=1), 1e-6)
        return cls(centred, mean, hub_bank + corpus_hubness(centred, articles), spread)

    def scores(self, texts: np.ndarray) -> np.ndarray:
        """Scores of each text (unit rows ``(t, d)``) for each sentence, shape ``(n, t)``."""
        cos = self.centred @ centre(texts, self.mean).T
        out: np.ndarray = (cos - self.hub[:, None]) / self.spread[:, None]
        return out


def centre(texts: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Texts (unit rows) centred like the corpus; a zero row stays zero (nothing embedded)."""
    empty = np.linalg.norm(texts, axis=1) < 1e-6
    out = normalise(texts - mean[None, :])
    out[empty] = 0.0
    return out


def corpus_hubness(centred: np.ndarray, articles: list[str], block: int = 512) -> np.ndarray:
    """Per sentence, the mean cosine with its ``K_CORPUS`` nearest sentences of other articles
    (0 for a corpus of one article). Rows go ``block`` at a time, so memory stays
    ``block x n`` however large the corpus."""
    ids = np.asarray(articles)
    out = np.zeros(len(ids), dtype=np.float32)
    others = len(ids) - max(np.unique(ids, return_counts=True)[1], default=len(ids))
    k = min(K_CORPUS, others)
    if k == 0:
        return out
    for start in range(0, len(ids), block):
        rows = slice(start, start + block)
        sims = centred[rows] @ centred.T
        sims[ids[rows, None] == ids[None, :]] = -np.inf
        out[rows] = np.partition(sims, -k, axis=1)[:, -k:].mean(axis=1)
    return out


def floors(
    scorer: Scorer, null: np.ndarray, noise: np.ndarray, articles: list[str]
) -> dict[str, float]:
    """Per article, the score a hit must reach.

    Args:
        null: unit vectors of unrelated real sentences, ``(p, d)``.
        noise: unit vectors of meaningless strings, ``(g, d)``.
        articles: each sentence's article id.

    Returns:
        article id -> ``max(corpus floor, the article's garbage floor)``.
    """
    ids = np.asarray(articles)
    corpus = float(np.quantile(scorer.scores(null).max(axis=0), NULL_QUANTILE))
    junk = scorer.scores(noise)
    return {
        a: max(corpus, float(np.quantile(junk[ids == a].max(axis=0), GARBAGE_QUANTILE)))
        for a in sorted(set(articles))
    }
