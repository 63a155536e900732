"""Align sentences across articles into claims.

Restated news says one fact in different words, and look-alikes about other events share
most of their words, so no single similarity decides (issue 10). Alignment runs in three
steps:

1. candidates (:mod:`.features`): each sentence's nearest sentences in other articles,
   plus pairs sharing a rare name or number;
2. a score (:mod:`.score`): the probability that a pair states one claim, from similarity
   (centred cosine, margin, ranks) and structure (names, numbers, time, lemmas), with
   weights fitted by ``benchmarks/fit_scorer.py`` on NTREX-128 stories and the seed gold;
3. claims (:mod:`.group`): pairs over the link bar are links (between two versions of one
   story, such as translations, a lower bar: there a weaker pair is credible), merged best-first, a claim holding several sentences of
   one article only when the groups agree as a whole; and for each article outside a claim,
   its best candidate when that comes close ("possibly").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed import centre_by_language
from ..types import Annotation, Claim, Sentence
from .group import STRONG_LINK, evidence, group_claims
from .score import (
    AlignParams,
    Weights,
    default_weights,
    load_weights,
    scored_links,
)

__all__ = [
    "STRONG_LINK",
    "AlignParams",
    "Weights",
    "align",
    "default_weights",
    "evidence",
    "load_weights",
    "scored_links",
]


def align(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    params: AlignParams | None = None,
    langs: Sequence[str] | None = None,
    annotations: Sequence[Annotation] | None = None,
    weights: Weights | None = None,
) -> list[Claim]:
    """Group ``sentences`` into claims.

    Args:
        sentences: from two or more articles, each article's in order.
        vectors: their unit embeddings, shape ``(n, d)``.
        params: the aligner's knobs (bars left ``None`` are the fitted ones).
        langs: the language of each sentence; each language is centred on its own mean
            first, so that sentences do not link for sharing a language. ``None``: all one.
        annotations: each sentence's annotation (:func:`factcmp.annotate.annotate`): names,
            numbers, time and lemmas are evidence for or against a link. ``None``: the
            embeddings alone.
        weights: the fitted scorer (``None``: the one shipped with factcmp).
    """
    params = params or AlignParams()
    weights = weights or default_weights()
    langs = list(langs) if langs is not None else [""] * len(vectors)
    centred, _ = centre_by_language(vectors, langs)
    pairs, probability, bars = scored_links(sentences, centred, params, annotations, langs, weights)
    return group_claims(
        sentences,
        pairs,
        probability,
        link_bar=bars,
        duplicate_bar=_or(params.duplicate_threshold, weights.duplicate_bar),
        possible_bar=_or(params.possible_threshold, weights.possible_bar),
        per_article=params.per_article,
    )


def _or(value: float | None, fitted: float) -> float:
    return fitted if value is None else value
