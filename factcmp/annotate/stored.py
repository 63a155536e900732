"""Annotations kept between runs, per article, as vectors are per sentence.

Annotating the seed corpus's 93 sentences takes ~0.3-0.4 s on a first call in a process
(127 regular expressions compiled, num2words' lexicons built, rapidfuzz imported), about as
long as all the rest of a warm run's work (issue 13). An article's annotations depend on
its language, its date and its sentences in order (a quote takes its speaker from an
earlier sentence), and on the code that made them: the key holds the first three, the kind
a digest of the annotate stage's and types' source and the versions of the libraries it
calls, so any change to either makes stored annotations stale, never wrong.

They are stored as JSON, read back field by field through the dataclasses' type hints.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import json
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..types import Annotation, Article, Sentence
from .words import TextStore

_LIBRARIES = ("simplemma", "unidecode", "num2words", "rapidfuzz", "regex")
"""Libraries whose results the annotations hold: their installed files stamp the kind."""


@functools.cache
def annotation_kind() -> str:
    """What stored annotations were made with: a digest of ``factcmp/annotate/*.py`` and
    ``factcmp/types.py`` and of the installed libraries' ``__init__`` (size, mtime)."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in [*sorted(package.glob("*.py")), package.parent / "types.py"]:
        digest.update(path.name.encode() + path.read_bytes())
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin) if spec and spec.origin else None
        stat = origin.stat() if origin and origin.is_file() else None
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode() if stat else b"-")
    return "annotations|" + digest.hexdigest()[:32]


def _plain(value: Any) -> Any:
    """JSON-ready: dataclasses as lists of their fields, frozensets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_plain(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _build(hint: Any, value: Any) -> Any:
    """``value`` read back as the type ``hint`` (a dataclass, tuple, frozenset or plain)."""
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{f.name: _build(hints[f.name], v)
                       for f, v in zip(dataclasses.fields(hint), value, strict=True)})
    origin = typing.get_origin(hint)
    if origin is tuple:
        args = typing.get_args(hint)
        return tuple(_build(args[0], v) for v in value)
    if origin is frozenset:
        return frozenset(value)
    if origin in (typing.Union, types.UnionType) and value is not None:
        kinds = [a for a in typing.get_args(hint) if a is not type(None)]
        return _build(kinds[0], value) if len(kinds) == 1 else value
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def encode(annotations: Sequence[Annotation]) -> str:
    return json.dumps(_plain(list(annotations)), ensure_ascii=False)


def decode(text: str) -> list[Annotation]:
    built: list[Annotation] = [_build(Annotation, row) for row in json.loads(text)]
    return built


def stored_annotations(
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    store: TextStore,
    compute: Callable[[Sequence[Article], Sequence[Sentence]], list[Annotation]],
) -> list[Annotation]:
    """``compute(articles, sentences)``, read from ``store`` for the articles it holds and
    stored there for the others; in the order of ``sentences``."""
    meta = {a.id: a for a in articles}
    own: dict[str, list[Sentence]] = {}
    for s in sentences:
        own.setdefault(s.article_id, []).append(s)
    ids = sorted(own)
    for article_id in ids:
        own[article_id].sort(key=lambda s: s.index)
    keys = [
        json.dumps([meta[i].lang, meta[i].date, [s.text for s in own[i]]], ensure_ascii=False)
        for i in ids
    ]
    kind = annotation_kind()
    found: dict[str, Annotation] = {}
    missing: list[int] = []
    for n, value in enumerate(store.get_values(kind, keys)):
        try:
            rows = decode(value) if value is not None else None
        except (ValueError, TypeError, IndexError):  # stored by other code: recompute
            rows = None
        if rows is None or len(rows) != len(own[ids[n]]):
            missing.append(n)
            continue
        found.update((s.id, row) for s, row in zip(own[ids[n]], rows, strict=True))
    if missing:
        todo = [s for n in missing for s in own[ids[n]]]
        fresh = compute([meta[ids[n]] for n in missing], todo)
        found.update((s.id, row) for s, row in zip(todo, fresh, strict=True))
        store.put_values(kind, [keys[n] for n in missing],
                         [encode([found[s.id] for s in own[ids[n]]]) for n in missing])
    return [found[s.id] for s in sentences]
