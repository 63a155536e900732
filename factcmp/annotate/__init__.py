"""The annotate stage: every sentence's details, computed once, before alignment.

Alignment reads a sentence's time, names, numbers and lemmas as evidence that two sentences
state one claim; comparison reads the same details to say where sources differ. Both read
the :class:`~factcmp.types.Annotation` made here, so each detail is parsed once per sentence:

- :mod:`.details` gathers dates (:mod:`.dates`), amounts and ordinals (:mod:`.quantities`,
  digit rules in :mod:`.digits`), names (:mod:`.names`) and quotes (:mod:`.quotes`);
- :mod:`.eventtime` derives when the sentence happens from its dates;
- :mod:`.numbers` reads its numbers as a whole, for comparing two sources' amounts;
- :mod:`.words` gives its anchors (names and numbers, transliterated) and content lemmas.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..types import Annotation, Article, Detail, Sentence
from .details import extract_all, with_context_speakers
from .eventtime import event_time
from .numbers import sentence_numbers
from .words import TextStore, anchor_words, lemmas_of

__all__ = ["annotate"]


def annotate(
    articles: Sequence[Article], sentences: Sequence[Sentence], *, store: TextStore | None = None
) -> list[Annotation]:
    """One annotation per sentence, in the order of ``sentences``.

    Details are read with each article's language and resolved against its date; a quote
    without a speaker takes the article's last speaker (:func:`with_context_speakers`).
    With a ``store`` (the embedding cache), each article's annotations are kept there
    between runs (:mod:`.stored`), and so are lemmas (:func:`lemmas_of`).
    """
    if store is None:
        return _annotate(articles, sentences, None)
    from .stored import stored_annotations

    return stored_annotations(
        articles, sentences, store, lambda arts, sents: _annotate(arts, sents, store)
    )


def _annotate(
    articles: Sequence[Article], sentences: Sequence[Sentence], store: TextStore | None
) -> list[Annotation]:
    meta = {a.id: a for a in articles}
    details: dict[str, tuple[Detail, ...]] = {}
    by_article: dict[str, list[Sentence]] = {}
    for s in sentences:
        article = meta[s.article_id]
        details[s.id] = extract_all(s.text, article.lang, article.date)
        by_article.setdefault(s.article_id, []).append(s)
    for own in by_article.values():
        ids = [s.id for s in sorted(own, key=lambda s: s.index)]
        details.update(zip(ids, with_context_speakers([details[i] for i in ids]), strict=True))
    lemmas = lemmas_of([s.text for s in sentences], [meta[s.article_id].lang for s in sentences], store)
    out = []
    for s, lemma in zip(sentences, lemmas, strict=True):
        article = meta[s.article_id]
        found = details[s.id]
        out.append(
            Annotation(
                details=found,
                time=event_time(s.text, found, article.date),
                numbers=tuple(sentence_numbers(s.text, found)),
                anchors=anchor_words(s.text),
                lemmas=lemma,
            )
        )
    return out
