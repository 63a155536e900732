"""Query scoring (factcmp/query.py) with the fake bag-of-words embedder."""

from __future__ import annotations

import numpy as np
from conftest import FakeEmbedder

from factcmp.query import MIN_Z, query_parts, search_texts
from factcmp.types import Article, Sentence

FILLER = [
    "The weather was mild in the capital on Monday.",
    "Football fans gathered in the square before the match.",
    "Prices of bread rose again this month.",
    "A new bridge over the river opened to traffic.",
    "The museum shows paintings from the last century.",
    "Farmers expect a good harvest this autumn.",
]


def corpus(topic_in: dict[str, str]) -> tuple[list[Article], list[Sentence]]:
    """Three articles of filler; ``topic_in`` adds one sentence to some of them."""
    articles, sentences = [], []
    for k, aid in enumerate(("a", "b", "c")):
        articles.append(Article(id=aid, path=aid, lang=("lv", "sl", "is")[k], text=""))
        texts = FILLER[k:] + FILLER[:k] + ([topic_in[aid]] if aid in topic_in else [])
        sentences += [Sentence(article_id=aid, index=i, text=t, start=0, end=len(t))
                      for i, t in enumerate(texts)]
    return articles, sentences


def test_query_parts_are_adjacent_content_word_pairs_of_short_queries() -> None:
    assert query_parts("the mutual defense clause") == ["mutual defense", "defense clause"]
    assert query_parts("sanctions") == []  # too short: the whole query is the only part
    assert query_parts("troops sent") == []
    long = "North Korea has sent several thousand soldiers and containers of weapons to Russia"
    assert query_parts(long) == []  # a whole sentence is matched as a whole


def test_only_the_article_on_the_topic_hits_and_the_others_are_silent() -> None:
    articles, sentences = corpus({"b": "Soldiers from Korea were sent to Russia."})
    result = search_texts("Korean soldiers sent to Russia", articles, sentences, FakeEmbedder().embed)
    assert result.hits["a"] == () and result.hits["c"] == ()
    assert [h.sentence for h in result.hits["b"]] == [f"b:{len(FILLER)}"]
    assert result.hits["b"][0].score >= MIN_Z


def test_nothing_standing_out_means_every_article_is_silent() -> None:
    articles, sentences = corpus({})
    result = search_texts("the mutual defense clause", articles, sentences, FakeEmbedder().embed)
    assert all(h == () for h in result.hits.values())


def test_hits_in_several_articles_best_first_and_deterministic() -> None:
    topic = {"a": "The treaty has a mutual defense clause.", "c": "A mutual defense clause binds them."}
    articles, sentences = corpus(topic)
    one = search_texts("the mutual defense clause", articles, sentences, FakeEmbedder().embed)
    two = search_texts("the mutual defense clause", articles, sentences, FakeEmbedder().embed)
    assert one == two
    assert one.hits["a"] and one.hits["c"] and one.hits["b"] == ()
    for hits in one.hits.values():
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_pairs_are_embedded_with_the_query() -> None:
    articles, sentences = corpus({"a": "The treaty has a mutual defense clause."})
    seen: list[str] = []

    def embed(texts):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        return FakeEmbedder().embed(texts)

    search_texts("the mutual defense clause", articles, sentences, embed)
    assert seen[-3:] == ["the mutual defense clause", "mutual defense", "defense clause"]
    assert isinstance(FakeEmbedder().embed(seen), np.ndarray)
