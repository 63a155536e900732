"""An on-disk embedding cache keyed by model and text, safe against kills and concurrent runs.

SQLite gives atomic, crash-safe transactions and file locking between processes; every
vector is stored with its length and a checksum, and a row that fails either check is
treated as missing and recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    dim INTEGER NOT NULL,
    crc INTEGER NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (model, key)
)
"""


def text_key(text: str) -> str:
    """A stable key for one input text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (model id, text) in one SQLite file.

    Args:
        path: the database file; its folder is created if needed.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError:
            # Not a database any more (truncated or overwritten): start afresh.
            self._db.close()
            path.unlink(missing_ok=True)
            self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)

    def get(self, model_id: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The cached vector of each text, or ``None`` where missing or damaged."""
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, dim, crc, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                [model_id, *chunk],
            )
            for key, dim, crc, blob in rows:
                if len(blob) == 4 * dim and zlib.crc32(blob) == crc:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return [found.get(k) for k in keys]

    def put(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text, in a single transaction."""
        rows = []
        for text, vec in zip(texts, vectors, strict=True):
            blob = np.ascontiguousarray(vec, dtype=np.float32).tobytes()
            rows.append((model_id, text_key(text), len(vec), zlib.crc32(blob), blob))
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()
