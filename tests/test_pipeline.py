"""pipeline: the whole job on the seed corpus with the fake embedder."""

from __future__ import annotations

from conftest import CORPUS, FakeEmbedder

from factcmp.pipeline import compare_articles
from factcmp.report.serialize import dumps, to_dict


def test_the_same_articles_in_any_order_give_the_same_report(fake_embedder: FakeEmbedder) -> None:
    files = sorted(CORPUS.glob("*.txt"))
    forward = compare_articles(files, embedder=fake_embedder)
    backward = compare_articles(files[::-1], embedder=fake_embedder)
    assert [a.id for a in backward.articles] == [p.stem for p in files]
    assert dumps(to_dict(forward)) == dumps(to_dict(backward))
