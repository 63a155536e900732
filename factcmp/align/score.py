"""The probability that two sentences of different articles state one claim.

A logistic regression over the evidence of :mod:`factcmp.align.features`, fitted with
scikit-learn by ``benchmarks/fit_scorer.py`` on labelled pairs (NTREX-128 stories and the
seed gold ``corpus/putin-kim/gold.json``). The fit writes its coefficients, the feature
scaling and the bars chosen by cross-validation to ``weights.json`` beside this module;
here they are applied with numpy, so a run never imports the learner.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..types import Annotation, Sentence
from .features import FEATURES, pair_features
from .logistic import Logistic, read_fitted

WEIGHTS_PATH = Path(__file__).with_name("weights.json")


@dataclass(frozen=True, slots=True)
class AlignParams:
    """Knobs of the aligner. A bar left ``None`` is the one fitted with the weights.

    Attributes:
        neighbours: k of the margin (mean similarity to the k nearest sentences elsewhere).
        candidates: nearest sentences in other articles scored per sentence.
        block_df: a name or number held by at most this many sentences makes its holders
            candidates of each other.
        link_threshold: probability from which a pair is a link.
        versions_threshold: the same between two articles that are versions of one story
            (translations, rewrites of one report: ``parallel`` at least ``versions_parallel``),
            where a weaker pair is credible: such articles state one line once each.
        versions_parallel: the article-pair ``parallel`` evidence (mean best similarity)
            from which two articles count as versions of one story.
        possible_threshold: probability from which an article's best candidate for a claim
            it is not in is shown as "possibly" (below it the article is silent).
        duplicate_threshold: mean probability between two groups that a merge must reach
            when it puts a second sentence of one article into a claim.
        per_article: at most this many sentences of one article in a claim.
    """

    neighbours: int = 4
    candidates: int = 32
    block_df: int = 24
    link_threshold: float | None = None
    versions_threshold: float | None = None
    versions_parallel: float | None = None
    possible_threshold: float | None = None
    duplicate_threshold: float | None = None
    per_article: int = 3


@dataclass(frozen=True)
class Weights(Logistic):
    """The fitted pair scorer (P(same claim), columns as :data:`FEATURES`) and its bars."""

    features: tuple[str, ...]
    link_bar: float
    versions_bar: float
    versions_parallel: float
    possible_bar: float
    duplicate_bar: float

    def probability(self, X: np.ndarray) -> np.ndarray:
        return super().probability(X).astype(np.float32)


def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    """Read fitted weights; they must name the same features, in order, as this code computes.

    Raises:
        FactcmpError: missing or unreadable file, or features that do not match.
    """
    fields, data = read_fitted(
        path, FEATURES, "the aligner's weights", "python benchmarks/fit_scorer.py", np.float32
    )
    bars = data["bars"]
    return Weights(
        **fields,
        features=tuple(data["features"]),
        link_bar=float(bars["link"]),
        versions_bar=float(bars["versions_link"]),
        versions_parallel=float(bars["versions_parallel"]),
        possible_bar=float(bars["possible"]),
        duplicate_bar=float(bars["duplicate"]),
    )


@functools.cache
def default_weights() -> Weights:
    """The weights shipped with factcmp (read once, on first use)."""
    return load_weights()


def scored_links(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    params: AlignParams | None = None,
    annotations: Sequence[Annotation] | None = None,
    langs: Sequence[str] | None = None,
    weights: Weights | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate pair, its probability of stating one claim, and its link bar: the
    versions bar between two versions of one story, else the link bar (``params`` overrides
    the fitted ones).

    Args:
        vectors: unit rows, shape ``(n, d)``, already centred by language.
        annotations: each sentence's (``None``: the embeddings alone).
        langs: each sentence's language (``None``: all one).

    Returns:
        ``(pairs, probabilities, bars)``: int array ``(m, 2)`` of sentence positions, lower
        first, and float32 arrays ``(m,)``.
    """
    params = params or AlignParams()
    weights = weights or default_weights()
    pairs, X = _features(sentences, vectors, params, annotations, langs)
    versions = X[:, FEATURES.index("parallel")] >= _or(
        params.versions_parallel, weights.versions_parallel
    )
    bars = np.where(
        versions,
        _or(params.versions_threshold, weights.versions_bar),
        _or(params.link_threshold, weights.link_bar),
    ).astype(np.float32)
    return pairs, weights.probability(X), bars


def _or(value: float | None, fitted: float) -> float:
    return fitted if value is None else value


def _features(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    params: AlignParams | None,
    annotations: Sequence[Annotation] | None,
    langs: Sequence[str] | None,
) -> tuple[np.ndarray, np.ndarray]:
    params = params or AlignParams()
    return pair_features(
        sentences,
        vectors,
        langs if langs is not None else [""] * len(sentences),
        annotations,
        candidates=params.candidates,
        neighbours=params.neighbours,
        block_df=params.block_df,
    )
