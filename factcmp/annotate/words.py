"""The words of a sentence that alignment compares: its names and numbers as transliterated
anchors, and the lemmas of its content words."""

from __future__ import annotations

import re

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
