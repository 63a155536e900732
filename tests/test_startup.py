"""A warm run pays for little more than Python and numpy (issue 13): no model library, no
scikit-learn, no lemma dictionary; the numpy tf-idf gives scikit-learn's values."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, FakeEmbedder

from factcmp.align.tfidf import char_wb_4grams, tfidf_similarity
from factcmp.annotate.words import content_lemmas, lemmas_of
from factcmp.config import Settings
from factcmp.embed import CachedEmbedder, load_embedder
from factcmp.embed.cache import EmbeddingCache
from factcmp.pipeline import compare_articles

DOCS = [
    "putin kim putin pjongjang",  # a repeated word: sublinear tf
    "Kim Čenuns ieradās 2000.gadā",
    "",  # an empty document
    "a b  c\tputin",  # one-letter words, runs of white space
    "Pjongjang Moskva KIM",
    "2024 2025 14 800",
    "ÞÓRÐUR Ísland kim",
]


def _sklearn(docs: list[str], pairs: np.ndarray, chars: bool) -> np.ndarray:
    """The evidence as computed before issue 13, with scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = (
        TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True)
        if chars
        else TfidfVectorizer(analyzer=str.split, sublinear_tf=True)
    )
    matrix = vectorizer.fit_transform(docs)
    product = matrix[pairs[:, 0]].multiply(matrix[pairs[:, 1]])
    return np.asarray(product.sum(axis=1)).ravel().astype(np.float32)


@pytest.mark.parametrize("chars", [False, True])
def test_tfidf_equals_scikit_learn(chars: bool) -> None:
    pytest.importorskip("sklearn")
    n = len(DOCS)
    pairs = np.array([(i, j) for i in range(n) for j in range(n)], dtype=np.int64)
    ours = tfidf_similarity(DOCS, pairs, chars=chars)
    np.testing.assert_allclose(ours, _sklearn(DOCS, pairs, chars), rtol=1e-6, atol=1e-7)
    assert ours[0] == pytest.approx(1.0)  # a document is its own best match
    assert (ours[pairs[:, 0] == 2] == 0).all()  # the empty one matches nothing


def test_tfidf_equals_scikit_learn_on_the_seed_lemmas() -> None:
    pytest.importorskip("sklearn")
    texts = [line for path in sorted(CORPUS.glob("*.txt")) for line in path.read_text().splitlines()]
    docs = [" ".join(content_lemmas(t, "sl")) for t in texts if t.strip()][:60]
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, len(docs), (500, 2))
    for chars in (False, True):
        ours = tfidf_similarity(docs, pairs, chars=chars)
        np.testing.assert_allclose(ours, _sklearn(docs, pairs, chars), rtol=1e-6, atol=1e-7)


def test_tfidf_in_chunks_equals_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from factcmp.align import tfidf

    pairs = np.array([(i, j) for i in range(len(DOCS)) for j in range(len(DOCS))])
    whole = tfidf_similarity(DOCS, pairs, chars=True)
    monkeypatch.setattr(tfidf, "PAIR_CHUNK", 5)
    np.testing.assert_array_equal(tfidf_similarity(DOCS, pairs, chars=True), whole)


def test_tfidf_nothing_to_compare() -> None:
    assert tfidf_similarity(["a"], np.zeros((0, 2), np.int64)).shape == (0,)
    assert (tfidf_similarity(["", " "], np.array([[0, 1]])) == 0).all()


def test_char_grams_as_scikit_learn_pads_words() -> None:
    assert char_wb_4grams("Kim a") == [" kim", "kim ", " a "]


def test_lemmas_are_stored_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from factcmp.annotate import words

    texts = ["Putin je podpisal pogodbo.", "Putins parakstīja līgumu.", "Putin signed it."]
    langs = ["sl", "lv", "en"]
    store = EmbeddingCache(tmp_path / "c.sqlite3")
    first = lemmas_of(texts, langs, store)
    assert first == [content_lemmas(t, lang) for t, lang in zip(texts, langs, strict=True)]

    def refuse(text: str, lang: str) -> tuple[str, ...]:
        raise AssertionError(f"lemmatized {text!r} again")

    monkeypatch.setattr(words, "content_lemmas", refuse)
    assert lemmas_of(texts[:2], langs[:2], EmbeddingCache(tmp_path / "c.sqlite3")) == first[:2]


def _warm_cache(cache_dir: Path) -> None:
    """Fill ``cache_dir`` as a first run on the seed corpus does, with fake vectors under
    the default model's id (the real embedder with a fake model inside)."""
    settings = Settings(cache_dir=cache_dir)
    embedder = load_embedder(settings)
    assert isinstance(embedder, CachedEmbedder) and embedder.cache is not None
    embedder.inner = FakeEmbedder()
    compare_articles([CORPUS], settings, embedder=embedder)
    embedder.cache.close()


WARM_RUN = """
import json, sys
import factcmp.embed.model as model
def refuse(self):
    raise SystemExit("the warm run tried to load the model")
model.SentenceTransformerEmbedder._load = refuse
from factcmp.cli import main
try:
    main(["compare", sys.argv[1], "-f", "json", "-o", sys.argv[2]])
except SystemExit as e:
    if e.code:
        raise
json.dump(sorted(sys.modules), open(sys.argv[3], "w"))
"""


def test_warm_run_imports_no_heavy_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    _warm_cache(cache_dir)
    monkeypatch.setenv("FACTCMP_CACHE_DIR", str(cache_dir))
    report, modules = tmp_path / "report.json", tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", WARM_RUN, str(CORPUS), str(report), str(modules)],
        check=True, timeout=120,
    )
    assert json.loads(report.read_text())["articles"]
    names = set(json.loads(modules.read_text()))
    loaded = {m.split(".")[0] for m in names}
    heavy = {"torch", "sentence_transformers", "transformers", "sklearn", "scipy", "simplemma"}
    assert not heavy & loaded, sorted(heavy & loaded)
    assert "numpy.ma" not in names  # np.unique imports it: 0.09 s


class _FakeST:
    """Stands in for a loaded sentence-transformers model."""

    def encode(self, texts: list[str], **kwargs: object) -> np.ndarray:
        return FakeEmbedder().embed(texts)


def _first_run_embedder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CachedEmbedder:
    """The default embedder whose model "converts" and "loads" as on a first run."""
    from factcmp.embed.model import SentenceTransformerEmbedder
    from factcmp.embed.stages import enter_stage

    def load(self: SentenceTransformerEmbedder) -> _FakeST:
        enter_stage("converting the model (once)")
        enter_stage("loading the model")
        enter_stage("embedding")
        return _FakeST()

    monkeypatch.setattr(SentenceTransformerEmbedder, "_load", load)
    embedder = load_embedder(Settings(cache_dir=tmp_path))
    assert isinstance(embedder, CachedEmbedder)
    return embedder


def _progress_output(embedder: CachedEmbedder, texts: list[str], terminal: bool) -> str:
    import io

    from rich.console import Console

    from factcmp.cli import embedding_progress

    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=120, color_system=None)
    with embedding_progress(console) as progress:
        embedder.embed(texts, progress)
    return out.getvalue()


TEXTS = [f"Sentence number {i} about Kim and Putin." for i in range(40)]


def test_first_run_shows_its_stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _progress_output(_first_run_embedder(tmp_path, monkeypatch), TEXTS, terminal=True)
    for stage in ("converting the model (once)", "loading the model", "embedding 40 new sentences"):
        assert stage in shown
    assert "40/40" in shown
    assert shown.index("converting") < shown.index("loading") < shown.rindex("embedding 40")


def test_progress_is_silent_off_a_terminal_and_on_a_warm_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = _first_run_embedder(tmp_path, monkeypatch)
    assert _progress_output(embedder, TEXTS, terminal=False) == ""
    assert _progress_output(embedder, TEXTS, terminal=True) == ""  # all cached now


def test_embedding_reports_each_model_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = _first_run_embedder(tmp_path, monkeypatch)
    seen: list[tuple[int, int]] = []
    vectors = embedder.embed(TEXTS, lambda done, total: seen.append((done, total)))
    assert seen == [(0, 40), (32, 40), (40, 40), (40, 40)]  # batch_size 32, then the cache batch
    expected = FakeEmbedder().embed(["query: " + t for t in TEXTS])  # the E5 prefix
    np.testing.assert_allclose(vectors, expected, atol=1e-7)


def test_annotations_are_stored_per_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import factcmp.annotate as annotate_stage
    from factcmp.annotate import annotate
    from factcmp.annotate.stored import decode, encode
    from factcmp.pipeline import load_corpus

    articles, sentences = load_corpus([CORPUS])
    plain = annotate(articles, sentences)
    assert decode(encode(plain)) == plain  # JSON keeps every field, frozensets and floats
    store = EmbeddingCache(tmp_path / "c.sqlite3")
    assert annotate(articles, sentences, store=store) == plain
    computed: list[int] = []
    real = annotate_stage._annotate

    def counting(arts: object, sents: list[object], st: object) -> object:
        computed.append(len(sents))
        return real(arts, sents, st)  # type: ignore[arg-type]

    monkeypatch.setattr(annotate_stage, "_annotate", counting)
    assert annotate(articles, sentences[::-1], store=store) == plain[::-1]  # read, any order
    assert computed == []
    first = articles[0].id
    edited = [replace(s, text=s.text + " 2024.") if s.id == f"{first}:0" else s for s in sentences]
    annotate(articles, edited, store=store)
    assert computed == [sum(s.article_id == first for s in sentences)]  # that article only


def test_stored_annotations_go_stale_with_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from factcmp.annotate import annotate, stored
    from factcmp.pipeline import load_corpus

    articles, sentences = load_corpus([CORPUS])
    store = EmbeddingCache(tmp_path / "c.sqlite3")
    annotate(articles, sentences, store=store)
    kind = stored.annotation_kind()
    monkeypatch.setattr(stored, "annotation_kind", lambda: kind + "-changed")
    monkeypatch.setattr(stored, "decode", lambda text: pytest.fail("read stale annotations"))
    assert len(annotate(articles, sentences, store=store)) == len(sentences)


@pytest.mark.parametrize("garbage", ["not json", "[1]", '[{"a": 1}]', "[[[], [], [], 5]]", "[]"])
def test_a_damaged_stored_annotation_is_recomputed(
    garbage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcmp.annotate import annotate
    from factcmp.pipeline import load_corpus

    articles, sentences = load_corpus([CORPUS])
    store = EmbeddingCache(tmp_path / "c.sqlite3")
    plain = annotate(articles, sentences)
    real = store.get_values

    def damaged(kind: str, keys: Sequence[str]) -> list[str | None]:
        if kind.startswith("lemmas") and garbage == "[]":  # an empty list is a lemma value
            return real(kind, keys)
        return [garbage] * len(keys)

    monkeypatch.setattr(store, "get_values", damaged)
    assert annotate(articles, sentences, store=store) == plain


@pytest.mark.parametrize("changed", ["dates.py", "types.py"])
def test_annotation_kind_changes_with_the_annotate_code(
    changed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored annotations must go stale when the code that made them changes: the kind is a
    # digest of factcmp/annotate/*.py and factcmp/types.py (and the libraries' stamps).
    from factcmp.annotate import stored

    kind = stored.annotation_kind.__wrapped__()
    real = Path.read_bytes

    def edited(path: Path) -> bytes:
        data = real(path)
        return data + b"\n# edited\n" if path.name == changed else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert stored.annotation_kind.__wrapped__() != kind
    monkeypatch.setattr(Path, "read_bytes", real)
    assert stored.annotation_kind.__wrapped__() == kind
