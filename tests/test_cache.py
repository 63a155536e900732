"""cache: round trips, damaged rows and files, and CachedEmbedder skipping the model."""

from __future__ import annotations

import logging
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbedder

from factcmp.config import Settings
from factcmp.embed.cache import EmbeddingCache, _is_damage, text_key
from factcmp.embed.model import CachedEmbedder, embed_texts, load_embedder

TEXTS = ["Putins ieradās Phenjanā.", "Putin je prispel v Pjongjang.", "Pútín lenti í Pjongjang."]


@pytest.fixture
def db_path(cache_dir: Path) -> Path:
    return cache_dir / "embeddings.sqlite3"


def vectors(n: int, d: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(np.float32)


def test_put_get_round_trip(db_path: Path) -> None:
    cache = EmbeddingCache(db_path)
    vecs = vectors(3)
    cache.put("m", TEXTS, vecs)
    got = cache.get("m", TEXTS)
    for expected, row in zip(vecs, got, strict=True):
        assert row is not None and row.dtype == np.float32
        assert np.array_equal(row, expected)
    assert db_path.exists()
    cache.close()


def test_survives_reopening(db_path: Path) -> None:
    cache = EmbeddingCache(db_path)
    cache.put("m", TEXTS, vectors(3))
    cache.close()
    again = EmbeddingCache(db_path)
    assert all(v is not None for v in again.get("m", TEXTS))
    again.close()


def test_missing_text_and_other_model(db_path: Path) -> None:
    cache = EmbeddingCache(db_path)
    cache.put("m", TEXTS[:1], vectors(1))
    assert cache.get("m", ["unseen"]) == [None]
    assert cache.get("other-model", TEXTS[:1]) == [None]
    got = cache.get("m", [TEXTS[1], TEXTS[0]])
    assert got[0] is None and got[1] is not None
    assert cache.get("m", []) == []


def test_many_texts_cross_the_query_chunks(db_path: Path) -> None:
    cache = EmbeddingCache(db_path)
    texts = [f"sentence {n}" for n in range(1234)]
    vecs = vectors(1234, 4)
    cache.put("m", texts, vecs)
    got = cache.get("m", texts)
    assert np.array_equal(np.stack(got), vecs)


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE vectors SET crc = crc + 1",
        "UPDATE vectors SET dim = dim + 1",
        "UPDATE vectors SET vec = substr(vec, 1, 12)",
        "UPDATE vectors SET vec = 'not a blob'",
    ],
)
def test_damaged_row_is_missing(db_path: Path, damage: str) -> None:
    cache = EmbeddingCache(db_path)
    cache.put("m", TEXTS, vectors(3))
    with sqlite3.connect(db_path) as db:
        db.execute(f"{damage} WHERE key = ?", (text_key(TEXTS[1]),))
    got = cache.get("m", TEXTS)
    assert got[0] is not None and got[1] is None and got[2] is not None


def _filled_file(db_path: Path) -> bytes:
    cache = EmbeddingCache(db_path)
    texts = [f"text {n} " * 40 for n in range(2000)]
    cache.put("m", texts, vectors(2000, 96))
    cache.close()
    return db_path.read_bytes()


def _assert_usable(db_path: Path) -> None:
    cache = EmbeddingCache(db_path)
    got = cache.get("m", [f"text {n} " * 40 for n in range(2000)])
    assert all(v is None or v.shape == (96,) for v in got)
    cache.put("m", ["fresh"], vectors(1))
    assert cache.get("m", ["fresh"])[0] is not None
    cache.close()


@pytest.mark.parametrize(
    "ruin",
    [
        lambda data: b"",
        lambda data: b"garbage " * 1000,
        lambda data: data[: len(data) // 2],
        lambda data: data[:100],
        lambda data: b"\0" * 100 + data[100:],
        lambda data: data[:200_000] + bytes(range(256)) * 240 + data[261_440:],
    ],
    ids=["empty", "garbage", "half", "header-only", "bad-header", "bad-middle"],
)
def test_damaged_file_is_rebuilt(db_path: Path, ruin: Callable[[bytes], bytes]) -> None:
    data = _filled_file(db_path)
    for junk in db_path.parent.glob("*-wal"):
        junk.unlink()
    db_path.write_bytes(ruin(data))
    _assert_usable(db_path)


def test_damage_found_while_reading_warns(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = _filled_file(db_path)
    db_path.write_bytes(data[:200_000] + bytes(range(256)) * 240 + data[261_440:])
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        cache = EmbeddingCache(db_path)
        got = cache.get("m", [f"text {n} " * 40 for n in range(2000)])
    assert "damaged" in caplog.text and str(db_path) in caplog.text
    assert len(got) == 2000
    cache.put("m", ["fresh"], vectors(1))
    assert cache.get("m", ["fresh"])[0] is not None


def test_unusable_location_caches_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        cache = EmbeddingCache(blocker / "embeddings.sqlite3")
    assert "caching in memory only" in caplog.text
    assert "make the folder writable, or set FACTCMP_CACHE_DIR" in caplog.text
    assert str(blocker / "embeddings.sqlite3") in caplog.text
    cache.put("m", TEXTS, vectors(3))
    assert all(v is not None for v in cache.get("m", TEXTS))


def test_two_handles_share_one_file(db_path: Path) -> None:
    first, second = EmbeddingCache(db_path), EmbeddingCache(db_path)
    first.put("m", TEXTS[:2], vectors(2))
    second.put("m", TEXTS[2:], vectors(1, seed=1))
    assert all(v is not None for v in first.get("m", TEXTS))
    assert all(v is not None for v in second.get("m", TEXTS))


# --- CachedEmbedder --------------------------------------------------------------------------


def test_second_run_does_not_call_the_model(db_path: Path) -> None:
    inner = FakeEmbedder()
    first = CachedEmbedder(inner, EmbeddingCache(db_path))
    a = first.embed(TEXTS)
    assert inner.texts_embedded == 3
    counting = FakeEmbedder()
    second = CachedEmbedder(counting, EmbeddingCache(db_path))
    b = second.embed(TEXTS)
    assert counting.calls == []
    assert np.array_equal(a, b)


def test_only_missing_texts_are_embedded_once(db_path: Path) -> None:
    inner = FakeEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(db_path), batch=2)
    cached.embed(TEXTS[:1])
    out = cached.embed([TEXTS[1], TEXTS[0], TEXTS[1], TEXTS[2]])
    embedded = [t for call in inner.calls for t in call]
    assert sorted(embedded) == sorted(TEXTS)  # each text once, though TEXTS[1] came twice
    assert max(len(c) for c in inner.calls) <= 2
    assert out.shape == (4, inner.dim) and out.dtype == np.float32
    expected = FakeEmbedder().embed([TEXTS[1], TEXTS[0], TEXTS[1], TEXTS[2]])
    assert np.allclose(out, expected, atol=1e-6)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_progress_is_reported(db_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    cached = CachedEmbedder(FakeEmbedder(), EmbeddingCache(db_path), batch=2)
    cached.embed(TEXTS[:1])
    cached.embed(TEXTS, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (1, 3) and seen[-1] == (3, 3)
    assert all(d <= t for d, t in seen)


def test_empty_input(db_path: Path) -> None:
    inner = FakeEmbedder()
    emb = embed_texts(CachedEmbedder(inner, EmbeddingCache(db_path)), [])
    assert emb.vectors.shape[0] == 0 and inner.calls == []


def test_load_embedder_wraps_in_cache_unless_disabled(cache_dir: Path) -> None:
    cached = load_embedder(Settings(model="some/model", cache_dir=cache_dir))
    assert isinstance(cached, CachedEmbedder)
    assert (cache_dir / "embeddings.sqlite3").exists()
    plain = load_embedder(Settings(model="some/model", cache_dir=cache_dir / "x", use_cache=False))
    assert isinstance(plain, CachedEmbedder) and plain.cache is None  # same batching, no cache
    assert not (cache_dir / "x").exists()


# --- damage and concurrency (reliability) -----------------------------------------------------


def test_damaged_row_is_recomputed_and_rewritten(db_path: Path) -> None:
    CachedEmbedder(FakeEmbedder(), EmbeddingCache(db_path)).embed(TEXTS)
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE vectors SET vec = substr(vec, 1, 100) WHERE key = ?", (text_key(TEXTS[1]),))
    inner = FakeEmbedder()
    out = CachedEmbedder(inner, EmbeddingCache(db_path)).embed(TEXTS)
    assert inner.calls == [[TEXTS[1]]]  # only the damaged row, never its truncated bytes
    assert np.allclose(out, FakeEmbedder().embed(TEXTS), atol=1e-6)
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT dim, crc, vec FROM vectors").fetchall()
    assert len(rows) == 3 and all(len(v) == 4 * d and zlib.crc32(v) == c for d, c, v in rows)


@pytest.mark.parametrize("code", [11, 26, 267, 523, 779, 1035, 1291])  # CORRUPT, NOTADB, CORRUPT_*
def test_extended_corruption_codes_are_damage(code: int) -> None:
    error = sqlite3.DatabaseError("database disk image is malformed")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert _is_damage(error)


@pytest.mark.parametrize("code", [5, 517, 8, 13, 10, 3850])  # BUSY, BUSY_SNAPSHOT, READONLY, FULL, IOERR
def test_busy_or_full_is_not_damage(code: int) -> None:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert not _is_damage(error)


@pytest.mark.parametrize(
    "ruin", [lambda w: w[: len(w) // 2], lambda w: b"junk" * 1000, lambda w: w[:32] + b"\xff" * 4096],
    ids=["half-wal", "junk-wal", "bad-frames"],
)
def test_damaged_write_ahead_log_loses_no_committed_checkpoint(
    db_path: Path, ruin: Callable[[bytes], bytes]
) -> None:
    # A kill can leave the -wal file half written; SQLite checks each frame's checksum and
    # ignores frames after the first bad one, so the file opens and old rows stay valid.
    cache = EmbeddingCache(db_path)
    cache.put("m", TEXTS[:1], vectors(1))
    cache._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cache.put("m", TEXTS[1:], vectors(2, seed=1))
    wal = Path(f"{db_path}-wal")
    data = wal.read_bytes()
    assert data
    copy = db_path.parent / "copy.sqlite3"
    copy.write_bytes(db_path.read_bytes())
    Path(f"{copy}-wal").write_bytes(ruin(data))
    cache.close()
    again = EmbeddingCache(copy)
    got = again.get("m", TEXTS)
    assert got[0] is not None and np.array_equal(got[0], vectors(1)[0])
    assert all(v is None or v.shape == (8,) for v in got)
    again.put("m", ["fresh"], vectors(1))
    assert again.get("m", ["fresh"])[0] is not None


def test_write_failures_warn_once(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = EmbeddingCache(db_path)
    cache._db.close()
    cache._db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    with caplog.at_level(logging.WARNING, logger="factcmp"):
        for n in range(5):
            cache.put("m", [f"text {n}"], vectors(1))
    assert caplog.text.count("unavailable") == 1
    assert cache.get("m", ["text 0"]) == [None]
