"""Shared fixtures: a deterministic fake embedder, a private cache folder, tiny articles.

Fast tests never load a real model: ``FakeEmbedder`` hashes words into a bag-of-words
vector (like llm's ``EmbedDemo``), so sentences that share words are similar and sentences
that share none are orthogonal.
"""

from __future__ import annotations

import re
import shutil
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from unidecode import unidecode

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "corpus" / "putin-kim"
SEEDS = DATA / "seeds"  # the five raw seed articles, as received (no header)

_WORD_RE = re.compile(r"\w+")


def fake_tokens(text: str) -> list[str]:
    """Lower-cased, transliterated word stems (first 5 characters): "Putinu" -> "putin"."""
    return [w[:5] for w in _WORD_RE.findall(unidecode(text).lower())]


class FakeEmbedder:
    """Hashes word stems into a fixed-size bag of words; rows are L2-normalised float32.

    Args:
        dim: vector size.
    """

    def __init__(self, dim: int = 256) -> None:
        self.model_id = "fake"
        self.dim = dim
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in fake_tokens(text):
                vectors[row, zlib.crc32(token.encode("utf-8")) % self.dim] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    @property
    def texts_embedded(self) -> int:
        return sum(len(c) for c in self.calls)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, empty cache folder, also set as ``$FACTCMP_CACHE_DIR``."""
    path = tmp_path / "cache"
    monkeypatch.setenv("FACTCMP_CACHE_DIR", str(path))
    return path


@pytest.fixture
def no_real_model(monkeypatch: pytest.MonkeyPatch, fake_embedder: FakeEmbedder) -> FakeEmbedder:
    """Every ``load_embedder`` call returns the fake: the CLI cannot reach a real model."""
    import factcmp.embed.model
    import factcmp.pipeline

    def load(settings: object) -> FakeEmbedder:
        return fake_embedder

    monkeypatch.setattr(factcmp.embed.model, "load_embedder", load)
    monkeypatch.setattr(factcmp.pipeline, "load_embedder", load)
    return fake_embedder


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A folder with the two tiny fixture articles (lv, sl) plus files that are not articles."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    for name in ("tiny_lv.txt", "tiny_sl.txt"):
        shutil.copy(DATA / name, folder / name)
    (folder / "README.md").write_text("# Not an article\n\nThis folder is a test corpus.\n")
    (folder / "GOLD.md").write_text("# Gold\n\nNot an article either.\n")
    (folder / "gold.json").write_text("{}\n")
    return folder


@pytest.fixture
def tiny_articles(tiny_corpus: Path) -> Iterator[list[Path]]:
    yield sorted(tiny_corpus.glob("tiny_*.txt"))


def write(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` (folders created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def article_text(lang: str, body: str, **meta: str) -> str:
    """A file with a metadata header."""
    head = "".join(f"{k}: {v}\n" for k, v in {"lang": lang, **meta}.items())
    return f"---\n{head}---\n{body}"


@pytest.fixture(autouse=True)
def _threads_env_restored() -> Iterator[None]:
    """``--threads`` writes $FACTCMP_THREADS for worker processes; a CLI test must not leak it
    into the next."""
    import os

    before = os.environ.get("FACTCMP_THREADS")
    yield
    if before is None:
        os.environ.pop("FACTCMP_THREADS", None)
    else:
        os.environ["FACTCMP_THREADS"] = before


@pytest.fixture(autouse=True)
def _no_real_models(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast tests fail loudly instead of loading (or downloading) a real model."""
    if request.node.get_closest_marker("slow"):
        return
    import factcmp.embed.model

    def refuse(self: object) -> None:
        raise AssertionError("a fast test tried to load a real model; use the FakeEmbedder")

    monkeypatch.setattr(factcmp.embed.model.SentenceTransformerEmbedder, "_load", refuse)
