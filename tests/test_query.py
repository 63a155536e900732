"""Query scoring (factcmp/query/) with the fake bag-of-words embedder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from conftest import FakeEmbedder

from factcmp.embed import centre_by_language, normalise
from factcmp.query import reference_texts, search_texts
from factcmp.query.score import Scorer, corpus_hubness, garbage
from factcmp.types import Article, Sentence

FILLER = [
    "The weather was mild in the capital on Monday.",
    "Football fans gathered in the square before the match.",
    "Prices of bread rose again this month.",
    "A new bridge over the river opened to traffic.",
    "The museum shows paintings from the last century.",
    "Farmers expect a good harvest this autumn.",
]


def corpus(topic_in: dict[str, list[str]], ids: Sequence[str] = ("a", "b", "c")
           ) -> tuple[list[Article], list[Sentence]]:
    """Articles of filler; ``topic_in`` adds sentences to some of them."""
    articles, sentences = [], []
    for k, aid in enumerate(ids):
        articles.append(Article(id=aid, path=aid, lang=("lv", "sl", "is")[k % 3], text=""))
        texts = FILLER[k:] + FILLER[:k] + topic_in.get(aid, [])
        sentences += [Sentence(article_id=aid, index=i, text=t, start=0, end=len(t))
                      for i, t in enumerate(texts)]
    return articles, sentences


def ask(query: str, articles: list[Article], sentences: list[Sentence]) -> dict[str, list[str]]:
    result = search_texts(query, articles, sentences, FakeEmbedder().embed)
    return {a: [h.sentence for h in hits] for a, hits in result.hits.items()}


def test_only_the_article_on_the_topic_hits_and_the_others_are_silent() -> None:
    articles, sentences = corpus({"b": ["Soldiers from Korea were sent to Russia."]})
    result = search_texts("Korean soldiers sent to Russia", articles, sentences,
                          FakeEmbedder().embed)
    assert result.hits["a"] == () and result.hits["c"] == ()
    assert [h.sentence for h in result.hits["b"]] == [f"b:{len(FILLER)}"]
    assert result.hits["b"][0].score >= 0  # a hit's score is its height above the floor


@pytest.mark.parametrize("query", [
    "qwzx vbnm plkj", "--help", "\U0001F642\U0001F389\U0001F525", "\u200b\u200b\u200b",
    "the of and", "?", "the mutual defense clause",
])
def test_a_query_that_says_nothing_about_the_articles_finds_nothing(query: str) -> None:
    articles, sentences = corpus({"b": ["Soldiers from Korea were sent to Russia."]})
    assert all(hits == [] for hits in ask(query, articles, sentences).values())


def test_a_hub_sentence_close_to_every_text_does_not_win() -> None:
    # The hub shares the query's everyday words ("is it true that you"), which most reference
    # texts share too: by language-centred cosine (the score before hub correction) it is the
    # query's best sentence in article c; the sentence that answers shares the rare words.
    hub = "Is it true that you told him to do it?"
    answer = "Record barley harvest sold."
    query = "Is it true that you sold the barley harvest?"
    articles, sentences = corpus({"c": [hub, answer]})
    lang = {a.id: a.lang for a in articles}
    vectors = FakeEmbedder().embed([s.text for s in sentences] + [query])
    centred, mean = centre_by_language(vectors[:-1], [lang[s.article_id] for s in sentences])
    cos = centred @ normalise((vectors[-1] - mean)[None, :])[0]
    assert cos[-2] > cos[-1]  # the trap is real
    assert ask(query, articles, sentences)["c"] == [f"c:{len(FILLER) + 1}"]


def test_an_articles_answer_is_found_where_another_article_scores_higher_overall() -> None:
    strong = ["Korea sent soldiers to Russia.", "Soldiers of Korea were sent to Russia.",
              "Russia thanked Korea for the soldiers it sent."]
    weak = ["Soldiers from Korea travelled by train."]
    articles, sentences = corpus({"a": strong, "b": weak})
    result = search_texts("soldiers sent from Korea to Russia", articles, sentences,
                          FakeEmbedder().embed)
    assert result.hits["a"] and result.hits["c"] == ()
    # b's answer is far weaker than a's best, yet b is judged on its own sentences
    assert [h.sentence for h in result.hits["b"]] == [f"b:{len(FILLER)}"]
    assert result.hits["b"][0].score < result.hits["a"][0].score / 2


def test_hits_best_first_and_deterministic() -> None:
    topic = {"a": ["The treaty has a mutual defense clause."],
             "c": ["A mutual defense clause binds them."]}
    articles, sentences = corpus(topic)
    one = search_texts("the mutual defense clause", articles, sentences, FakeEmbedder().embed)
    two = search_texts("the mutual defense clause", articles, sentences, FakeEmbedder().embed)
    assert one == two
    assert one.hits["a"] and one.hits["c"] and one.hits["b"] == ()
    for hits in one.hits.values():
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_one_embedding_call_sentences_first_then_the_query_and_the_references() -> None:
    articles, sentences = corpus({"a": ["The treaty has a mutual defense clause."]})
    fake = FakeEmbedder()
    search_texts("the mutual defense clause", articles, sentences, fake.embed)
    hub, null, noise = reference_texts()
    assert len(fake.calls) == 1
    assert fake.calls[0] == [s.text for s in sentences] + ["the mutual defense clause"] + (
        hub + null + noise)


def test_one_article_and_no_sentences_are_answered() -> None:
    articles, sentences = corpus({"a": ["Korea sent soldiers to Russia."]}, ids=("a",))
    assert ask("Korean soldiers sent to Russia", articles, sentences)["a"] == [f"a:{len(FILLER)}"]
    assert ask("Korean soldiers", articles, [])["a"] == []


def test_the_reference_texts_and_their_garbage_are_fixed() -> None:
    hub, null, noise = reference_texts()
    assert (len(hub), len(null), len(noise)) == (500, 500, 200)
    assert not set(hub) & set(null)
    assert noise == reference_texts()[2]  # the shuffles are the same on every run
    assert sorted(garbage(("hello world",))[0]) == sorted("hello world")


def test_corpus_hubness_looks_only_at_other_articles() -> None:
    vectors = np.eye(4, dtype=np.float32)
    vectors[1] = vectors[0]  # sentence 1 copies sentence 0, in the same article
    hub = corpus_hubness(vectors, ["x", "x", "y", "y"])
    assert hub[0] == pytest.approx(0.0)  # its twin is in its own article: not counted
    assert corpus_hubness(vectors, ["x", "x", "x", "x"]).tolist() == [0.0] * 4


def test_a_hub_sentence_gets_a_larger_correction() -> None:
    fake = FakeEmbedder()
    hub_texts = fake.embed(reference_texts()[0])
    texts = ["I think that you are not here.", "Seventeen tractors harvested barley."]
    scorer = Scorer.build(fake.embed(texts), ["lv", "lv"], ["a", "b"], hub_texts)
    assert scorer.hub[0] > scorer.hub[1]


def test_corpus_hubness_in_blocks_equals_the_whole_matrix() -> None:
    rng = np.random.default_rng(0)
    vectors = normalise(rng.normal(size=(23, 8)))
    articles = [("x", "y", "z")[i % 3] for i in range(23)]
    sims = vectors @ vectors.T
    ids = np.asarray(articles)
    sims[ids[:, None] == ids[None, :]] = -np.inf
    want = np.sort(sims, axis=1)[:, -5:].mean(axis=1)
    assert np.allclose(corpus_hubness(vectors, articles, block=4), want, atol=1e-6)
