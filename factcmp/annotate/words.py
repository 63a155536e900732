"""The words of a sentence that alignment compares: its names and numbers as transliterated
anchors, and the lemmas of its content words."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from unidecode import unidecode

_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_LEMMA_LANGS = frozenset("bg cs da de el en es et fi fr hr hu is it lt lv nl pl pt ro ru sk sl sv".split())


def anchor_words(text: str) -> str:
    """The capitalised words (not the first) and the words with digits, transliterated and
    lower-cased: "Kims Čenuns ieradās 2000.gadā" -> "cenuns 2000.gada".

    Names and numbers keep their shape across Latin-script languages once transliterated;
    inflection changes only their endings, which character n-grams tolerate.
    """
    words = text.split()
    keep = [
        w
        for i, w in enumerate(words)
        if any(c.isdigit() for c in w)
        or (i > 0 and w[:1].isupper())
        or (w[:1].isupper() and len(w) > 1 and w[1:2].isupper())
    ]
    return " ".join(unidecode(w).lower().strip(".,:;!?\"'()“”„«»") for w in keep)


def content_lemmas(text: str, lang: str) -> tuple[str, ...]:
    """The lemmas of the words of three or more letters, lower-cased, in order: "podpisala
    pogodbo" -> ("podpisati", "pogodba"). Words of a language simplemma does not know stay
    as written. Short words are mostly function words; the aligner weighs the rest by rarity.
    """
    words = [w.lower() for w in _WORD_RE.findall(text)]
    if lang not in _LEMMA_LANGS:
        return tuple(words)
    import simplemma  # lazy: its dictionaries load per language on first use

    return tuple(simplemma.lemmatize(w, lang=lang).lower() for w in words)


_LEMMA_RULES = 1
"""Bumped whenever :func:`content_lemmas` changes what it returns, so stored lemmas go stale."""


class TextStore(Protocol):
    """Per-text strings kept between runs (:class:`factcmp.embed.cache.EmbeddingCache`)."""

    def get_values(self, kind: str, texts: Sequence[str]) -> list[str | None]: ...

    def put_values(self, kind: str, texts: Sequence[str], values: Sequence[str]) -> None: ...


@functools.cache
def _simplemma_version() -> str | None:
    """simplemma's version, read from its ``__metadata__.py`` without importing it (importing
    simplemma takes 0.16 s, asking ``importlib.metadata`` 0.05 s)."""
    spec = importlib.util.find_spec("simplemma")
    for root in (spec.submodule_search_locations or []) if spec else []:
        try:
            text = (Path(root) / "__metadata__.py").read_text("utf-8")
        except OSError:
            continue
        found = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", text)
        if found:
            return found.group(1)
    return None


def _lemma_kind(lang: str) -> str | None:
    """What stored lemmas were made with: the language, simplemma's version, our rules
    (``None`` when the version cannot be read: then nothing is stored or trusted)."""
    version = _simplemma_version()
    return f"lemmas|{lang}|simplemma {version}|rules {_LEMMA_RULES}" if version else None


def lemmas_of(
    texts: Sequence[str], langs: Sequence[str], store: TextStore | None = None
) -> list[tuple[str, ...]]:
    """:func:`content_lemmas` of each text in its language, read from ``store`` where it has
    them and stored there where it had not.

    simplemma loads a language's dictionary on first use, ~0.5 s each, more than the rest of
    a warm run's work on a few articles; with the store, a run on texts seen before loads
    none, as the embedding cache spares it the model.
    """
    out: list[tuple[str, ...] | None] = [None] * len(texts)
    for lang in sorted(set(langs)):
        rows = [i for i, x in enumerate(langs) if x == lang]
        kind = _lemma_kind(lang) if lang in _LEMMA_LANGS and store is not None else None
        if kind is None or store is None:
            for i in rows:
                out[i] = content_lemmas(texts[i], lang)
            continue
        found = [_lemmas(v) for v in store.get_values(kind, [texts[i] for i in rows])]
        missing = sorted({texts[i] for i, v in zip(rows, found, strict=True) if v is None})
        fresh = {t: content_lemmas(t, lang) for t in missing}
        if fresh:
            values = [json.dumps(fresh[t], ensure_ascii=False) for t in missing]
            store.put_values(kind, missing, values)
        for i, v in zip(rows, found, strict=True):
            out[i] = v if v is not None else fresh[texts[i]]
    return [x if x is not None else () for x in out]


def _lemmas(stored: str | None) -> tuple[str, ...] | None:
    """Stored lemmas read back; ``None`` when missing or not a list of strings (recomputed)."""
    try:
        value = json.loads(stored) if stored is not None else None
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        return None
    return tuple(value)
