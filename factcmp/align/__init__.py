"""Align sentences across articles into claims.

Cosine similarity alone cannot tell "the same fact" from "a look-alike about something
else" (both score 0.82-0.90 with the default model), so each candidate pair is scored with

* cosine after centring each language on its own mean (sentences of one language share an
  offset that says nothing about their content);
* the distance margin of Artetxe & Schwenk (2019): cosine minus the mean similarity of
  both sentences to their k nearest neighbours in other articles, which discounts sentences
  that resemble everything (hubs). (Their ratio margin divides instead; after centring,
  similarities can be near zero, where a ratio blows up.)
* shared anchors: numbers and names, compared after transliteration (``unidecode``) as
  character n-grams, which carry across Latin-script languages ("Kursk", "Vietnamu",
  "Lukašenko", "2000");
* time (:mod:`factcmp.annotate.eventtime`): a pair whose times cannot meet loses ``time_penalty``.

A pair becomes a link when its score clears ``link_threshold`` and each sentence is the
other's best match in the other article (mutual nearest neighbours). Between two articles
that are versions of one story (``versions_share`` of the smaller one's sentences strongly
linked to the other) the bar is ``versions_threshold``: there a weaker link is credible.
Links are merged into claims best-first, and one claim cannot swallow the corpus: a claim
takes at most ``per_article`` sentences from one article (a fact is sometimes spread over
two sentences), a second one only on a strong link, and at most ``per_article`` times the
number of articles in all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed import centre_by_language
from ..types import Annotation, Claim, Sentence
from .group import STRONG_LINK, evidence, group_claims
from .score import AlignParams, candidate_links

__all__ = ["STRONG_LINK", "AlignParams", "align", "evidence"]


def align(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    params: AlignParams | None = None,
    langs: Sequence[str] | None = None,
    annotations: Sequence[Annotation] | None = None,
) -> list[Claim]:
    """Group ``sentences`` into claims.

    Args:
        sentences: from two or more articles.
        vectors: their unit embeddings, shape ``(n, d)``.
        params: the aligner's knobs.
        langs: the language of each sentence; each language is centred on its own mean
            first, so that sentences do not link for sharing a language. ``None``: all one.
        annotations: each sentence's annotation (:func:`factcmp.annotate.annotate`): its
            names and numbers are evidence for a link, a time that clashes against it.
            ``None``: the embeddings alone.
    """
    params = params or AlignParams()
    vectors, _ = centre_by_language(vectors, langs if langs is not None else [""] * len(vectors))
    links = candidate_links(sentences, vectors, params, annotations)
    return group_claims(sentences, links, params.per_article)
