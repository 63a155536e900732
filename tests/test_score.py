"""The fitted pair scorer: its weights, its evidence, and what structure adds to similarity."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbedder

from factcmp.align import align, default_weights, load_weights, scored_links
from factcmp.align.features import FEATURES, blocked_pairs, pair_features
from factcmp.annotate import annotate
from factcmp.embed import centre_by_language
from factcmp.errors import FactcmpError
from factcmp.types import Article, Sentence


def corpus(texts: dict[str, tuple[str, str, list[str]]]) -> tuple[list[Article], list[Sentence]]:
    """Articles {id: (lang, date, sentences)}, one sentence per line."""
    articles, sentences = [], []
    for aid, (lang, date, lines) in texts.items():
        text = " ".join(lines)
        articles.append(Article(id=aid, path=aid, lang=lang, text=text, date=date))
        at = 0
        for i, line in enumerate(lines):
            sentences.append(Sentence(aid, i, line, at, at + len(line)))
            at += len(line) + 1
    return articles, sentences


def probabilities(articles: list[Article], sentences: list[Sentence]) -> dict[frozenset[str], float]:
    vectors = FakeEmbedder().embed([s.text for s in sentences])
    lang = {a.id: a.lang for a in articles}
    langs = [lang[s.article_id] for s in sentences]
    centred, _ = centre_by_language(vectors, langs)
    pairs, p, _ = scored_links(sentences, centred, None, annotate(articles, sentences), langs)
    ids = [s.id for s in sentences]
    return {frozenset((ids[i], ids[j])): float(x) for (i, j), x in zip(pairs.tolist(), p)}


FILLER = [
    "The weather in the capital was mild and dry for most of the week.",
    "Local football clubs announced their new coaches before the season.",
    "A museum opened an exhibition of old maps and drawings on Friday.",
    "Farmers expect a good harvest of apples and pears this autumn.",
    "The city council voted to repair two bridges over the river.",
    "A new bakery near the station sells bread from five in the morning.",
]


def test_the_shipped_weights_load_and_give_probabilities() -> None:
    w = default_weights()
    assert w.features == FEATURES
    assert len(w.coef) == len(w.mean) == len(w.scale) == len(FEATURES)
    assert 0 < w.possible_bar <= min(w.link_bar, w.versions_bar) < 1
    assert 0 < w.versions_parallel < 1
    X = np.random.default_rng(0).normal(size=(200, len(FEATURES))).astype(np.float32) * 5
    p = w.probability(X)
    assert p.shape == (200,) and ((p >= 0) & (p <= 1)).all()


def test_versions_of_one_story_get_the_versions_bar_and_independent_articles_the_link_bar() -> None:
    from factcmp.align import AlignParams, scored_links

    articles, sentences = corpus({
        "A": ("en", "2024-06", ["Putin arrived in Pyongyang on Wednesday.", *FILLER[:3]]),
        "B": ("en", "2024-06", ["Putin arrived in Pyongyang on Wednesday.", *FILLER[:3]]),
        "C": ("en", "2024-06", ["Putin landed in North Korea.", *FILLER[3:]]),
    })  # fmt: skip
    vectors = FakeEmbedder().embed([s.text for s in sentences])
    centred, _ = centre_by_language(vectors, ["en"] * len(sentences))
    params = AlignParams(link_threshold=0.9, versions_threshold=0.2, versions_parallel=0.5)
    pairs, _, bars = scored_links(sentences, centred, params, annotate(articles, sentences))
    art = [s.article_id for s in sentences]
    for (i, j), bar in zip(pairs.tolist(), bars.tolist()):
        copies = {art[i], art[j]} == {"A", "B"}  # A and B are one text: versions
        assert bar == pytest.approx(0.2 if copies else 0.9)


def test_weights_fitted_on_other_features_are_refused(tmp_path: Path) -> None:
    from factcmp.align.score import WEIGHTS_PATH

    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FactcmpError, match="fit_scorer"):
        load_weights(path)
    with pytest.raises(FactcmpError, match="cannot read"):
        load_weights(tmp_path / "missing.json")


def test_a_pair_sharing_names_and_time_outranks_a_look_alike_from_another_year() -> None:
    # B restates A's fact on the same day; C says the same words of a visit in 2000. Both
    # word it alike, so similarity alone cannot tell them apart: time must.
    articles, sentences = corpus({
        "A": ("en", "2024-06", ["Vladimir Putin met Kim Jong Un in Pyongyang.", *FILLER[:2]]),
        "B": ("en", "2024-06", [("Kim Jong Un greeted the Russian president Vladimir Putin at "
                                "the airport on Wednesday."), *FILLER[2:]]),
        "C": ("en", "2024-06", [("Kim Jong Un greeted the Russian president Vladimir Putin at "
                                "the airport on 19 July 2000."), *FILLER[4:]]),
    })  # fmt: skip
    p = probabilities(articles, sentences)
    assert p[frozenset(("A:0", "B:0"))] > p[frozenset(("A:0", "C:0"))]


def test_identical_facts_in_two_articles_link_and_their_probability_is_high() -> None:
    articles, sentences = corpus({
        "A": ("en", "2024-06", ["The treaty obliges both states to help each other if attacked.",
                                *FILLER[:2]]),
        "B": ("en", "2024-06", [FILLER[2], ("The treaty obliges both states to help each other if "
                                "attacked."), FILLER[3]]),
    })  # fmt: skip
    vectors = FakeEmbedder().embed([s.text for s in sentences])
    claims = align(sentences, vectors, None, ["en"] * len(sentences), annotate(articles, sentences))
    claim = next(c for c in claims if "A:0" in c.members)
    assert claim.members == ("A:0", "B:1")
    assert claim.links[0].score >= 0.5


def test_features_are_finite_and_pairs_cross_articles() -> None:
    articles, sentences = corpus({
        "A": ("en", "2024-06", ["Putin arrived in Pyongyang.", *FILLER[:3]]),
        "B": ("lv", None, ["Putins ieradās Phenjanā.", "Laiks bija silts."]),
        "C": ("sl", "2025-09", ["Putin je prispel v Pjongjang.", FILLER[3]]),
    })  # fmt: skip
    vectors = FakeEmbedder().embed([s.text for s in sentences])
    langs = [{"A": "en", "B": "lv", "C": "sl"}[s.article_id] for s in sentences]
    centred, _ = centre_by_language(vectors, langs)
    pairs, X = pair_features(sentences, centred, langs, annotate(articles, sentences))
    assert X.shape == (len(pairs), len(FEATURES)) and np.isfinite(X).all()
    assert all(sentences[i].article_id != sentences[j].article_id for i, j in pairs.tolist())
    assert (pairs[:, 0] < pairs[:, 1]).all()
    # Without annotations the embeddings alone still give every feature.
    _, bare = pair_features(sentences, centred, langs, None)
    assert bare.shape[1] == len(FEATURES) and np.isfinite(bare).all()


def test_blocking_pairs_sentences_sharing_a_rare_key_only() -> None:
    groups = np.array([0, 0, 1, 1, 2])
    keys = [frozenset({"n:putin", "x:2000"}), frozenset({"n:putin"}), frozenset({"n:putin"}),
            frozenset({"x:2000"}), frozenset({"n:putin"})]
    got = {tuple(p) for p in blocked_pairs(groups, keys, max_df=2).tolist()}
    assert got == {(0, 3)}  # "putin" is held by four sentences: too common to block on
