"""An on-disk cache keyed by model and text, safe against kills and concurrent runs: sentence
vectors, and other per-text results that cost more to compute than to read (a sentence's
lemmas: the lemma dictionaries take ~0.5 s per language to load, more than a warm run's
whole work).

SQLite gives atomic, crash-safe transactions and file locking between processes; every
vector is stored with its length and a checksum, and a row that fails either check is
treated as missing and recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    dim INTEGER NOT NULL,
    crc INTEGER NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (model, key)
)""",
    """CREATE TABLE IF NOT EXISTS texts (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    crc INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)""",
)


def text_key(text: str) -> str:
    """A stable key for one input text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_damage(e: sqlite3.DatabaseError) -> bool:
    """The file is damaged (as opposed to busy, full or read-only)."""
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        # Extended codes (SQLITE_CORRUPT_INDEX = 779, ...) carry the primary code in the low byte.
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return not isinstance(e, sqlite3.OperationalError)


class EmbeddingCache:
    """Vectors by (model id, text) in one SQLite file.

    A damaged file is deleted and rebuilt; a file that cannot be opened at all (no write
    access to its folder) leaves the cache in memory for this run. Either way a warning is
    logged and embedding goes on: the cache only saves time.

    Args:
        path: the database file; its folder is created if needed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._warned = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open(str(path))
        except sqlite3.DatabaseError as e:
            if not _is_damage(e):
                self._db = self._fallback(e)
            else:
                # Not a database any more (truncated or overwritten): start afresh.
                log.warning("embedding cache %s is damaged (%s); rebuilding it", path, e)
                self._rebuild()
        except OSError as e:
            self._db = self._fallback(e)

    @staticmethod
    def _open(target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            for table in _SCHEMA:
                db.execute(table)
        except BaseException:
            db.close()
            raise
        return db

    def _fallback(self, e: Exception) -> sqlite3.Connection:
        log.warning(
            "cannot open the embedding cache %s (%s); caching in memory only, so the next run "
            "embeds again: make the folder writable, or set FACTCMP_CACHE_DIR to one",
            self.path, e,
        )
        return self._open(":memory:")

    def _rebuild(self) -> None:
        """Delete the damaged database (and its journal files) and start an empty one."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        try:
            self._db = self._open(str(self.path))
        except (sqlite3.DatabaseError, OSError) as e:
            self._db = self._fallback(e)

    def _damaged(self, e: sqlite3.DatabaseError) -> None:
        """Recover from an error met while reading or writing."""
        if _is_damage(e):
            log.warning("embedding cache %s is damaged (%s); rebuilding it", self.path, e)
            self._db.close()
            self._rebuild()
        elif not self._warned:  # once: a full disk would otherwise warn on every batch
            self._warned = True
            log.warning("embedding cache %s unavailable (%s); going on without it", self.path, e)
        else:
            log.debug("embedding cache %s unavailable (%s)", self.path, e)

    def _select(self, sql: str, first: str, keys: list[str]) -> list[tuple[Any, ...]] | None:
        """The rows of ``sql`` for ``keys`` (500 at a time), or ``None`` if the cache failed."""
        out: list[tuple[Any, ...]] = []
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                out.extend(self._db.execute(sql.format(marks=marks), [first, *chunk]))
        except sqlite3.DatabaseError as e:
            self._damaged(e)
            return None
        return out

    def _insert(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        """Insert ``rows`` in a single transaction."""
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(sql, rows)
        except sqlite3.DatabaseError as e:
            self._damaged(e)

    def get(self, model_id: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The cached vector of each text, or ``None`` where missing or damaged."""
        keys = [text_key(t) for t in texts]
        rows = self._select(
            "SELECT key, dim, crc, vec FROM vectors WHERE model = ? AND key IN ({marks})",
            model_id, keys,
        )
        found: dict[str, np.ndarray] = {}
        for key, dim, crc, blob in rows or ():
            if isinstance(blob, bytes) and len(blob) == 4 * dim and zlib.crc32(blob) == crc:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return [found.get(k) for k in keys]

    def put(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text, in a single transaction."""
        rows: list[tuple[object, ...]] = []
        for text, vec in zip(texts, vectors, strict=True):
            blob = np.ascontiguousarray(vec, dtype=np.float32).tobytes()
            rows.append((model_id, text_key(text), len(vec), zlib.crc32(blob), blob))
        self._insert("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)

    def get_values(self, kind: str, texts: Sequence[str]) -> list[str | None]:
        """The cached string of each text under ``kind`` (which names what was computed and
        with which version of what), or ``None`` where missing or damaged."""
        keys = [text_key(t) for t in texts]
        rows = self._select(
            "SELECT key, crc, value FROM texts WHERE kind = ? AND key IN ({marks})", kind, keys
        )
        found = {
            key: value
            for key, crc, value in rows or ()
            if isinstance(value, str) and zlib.crc32(value.encode("utf-8")) == crc
        }
        return [found.get(k) for k in keys]

    def put_values(self, kind: str, texts: Sequence[str], values: Sequence[str]) -> None:
        """Store one string per text under ``kind``, in a single transaction."""
        rows: list[tuple[object, ...]] = [
            (kind, text_key(t), zlib.crc32(v.encode("utf-8")), v)
            for t, v in zip(texts, values, strict=True)
        ]
        self._insert("INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()
