"""stories.engine: a story job compares like ``factcmp compare`` on the same articles."""

from __future__ import annotations

import pickle
from pathlib import Path

from conftest import CORPUS, FakeEmbedder

from factcmp.annotate import annotate
from factcmp.config import Settings
from factcmp.embed import CachedEmbedder
from factcmp.pipeline import compare_articles, load_corpus
from factcmp.report.serialize import dumps, to_dict
from factcmp.stories.engine import InProcessEngine, StoryJob, compare_story


def _job(paths: list[Path], settings: Settings, embedder: FakeEmbedder) -> StoryJob:
    articles, sentences = load_corpus(paths)
    vectors = InProcessEngine().embed(CachedEmbedder(embedder, None), [s.text for s in sentences])
    return StoryJob(
        story_id="s1",
        articles=tuple(articles),
        sentences=tuple(sentences),
        vectors=vectors,
        annotations=tuple(annotate(articles, sentences)),
        settings=settings,
        model_id=embedder.model_id,
    )


def test_story_job_gives_the_compare_report() -> None:
    settings = Settings(use_cache=False)
    job = _job([CORPUS], settings, FakeEmbedder())
    expected = compare_articles([CORPUS], settings, embedder=FakeEmbedder())
    assert dumps(to_dict(compare_story(job))) == dumps(to_dict(expected))


def test_jobs_pickle_and_come_back_in_order() -> None:
    settings = Settings(use_cache=False)
    files = sorted(p for p in CORPUS.glob("*.txt"))
    jobs = [_job(files[:3], settings, FakeEmbedder()), _job(files[2:], settings, FakeEmbedder())]
    seen: list[tuple[int, int]] = []
    reports = InProcessEngine().compare(
        [pickle.loads(pickle.dumps(j)) for j in jobs], lambda d, t: seen.append((d, t))
    )
    assert [len(r.articles) for r in reports] == [3, len(files) - 2]
    assert seen == [(1, 2), (2, 2)]
    assert dumps(to_dict(reports[0])) == dumps(to_dict(compare_story(jobs[0])))
