"""stories --engine ray: the same bytes as in-process, a killed worker retried, a clear error
for an address nobody answers at.

The tests marked ``ray`` share one local Ray of 2 CPUs (as CI has), started by the engine's
own start-up path and shut down after the module; the others start nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import CORPUS, DATA, ROOT, FakeEmbedder, article_text, write

ray = pytest.importorskip("ray")

from factcmp.cli import cli
from factcmp.config import Settings
from factcmp.embed import CachedEmbedder
from factcmp.errors import ConfigError, ModelUnavailable
from factcmp.report.serialize import dumps, to_dict
from factcmp.report.stories import index_dict
from factcmp.stories import ray_engine
from factcmp.stories.engine import InProcessEngine, StoryJob, compare_story
from factcmp.stories.ray_engine import RayEngine
from factcmp.stories.run import find_stories
from factcmp.types import Report


class _Terminated(KeyboardInterrupt):
    """What factcmp's SIGTERM handler raises (the CLI exits 143 on it)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One local Ray for the module, started as the engine starts it (with a SIGTERM handler
    like the CLI's in place), shut down after."""
    # Workers cannot import the test modules (pytest put tests/ on sys.path here only), so
    # the fake embedder and the dying helpers travel by value.
    for name in ("conftest", __name__):
        ray.cloudpickle.register_pickle_by_value(sys.modules[name])
    before = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        assert ray_engine.connect(None, num_cpus=2) is True
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
        ray.shutdown()
        for name in ("conftest", __name__):
            ray.cloudpickle.unregister_pickle_by_value(sys.modules[name])


@pytest.fixture
def feed(tmp_path: Path) -> list[Path]:
    """The seed story (5 articles, lv/sl/is), two tiny Pyongyang articles, and two articles
    of an unrelated story: several stories and some articles in none."""
    other = [
        write(tmp_path / f"flood_{i}.txt", article_text(
            "lv", body, id=f"flood-{i}", date="2024-09-1" + str(i), source=f"s{i}.lv"))
        for i, body in enumerate([
            "Plūdi Rīgā appludināja ielas. Upe pārplūda pēc lietavām. Glābēji evakuēja 200 cilvēkus.",
            "Rīgā plūdi appludināja ielas un mājas. Glābēji evakuēja 200 cilvēkus pēc lietavām.",
        ])
    ]
    return [CORPUS, DATA / "tiny_lv.txt", DATA / "tiny_sl.txt", *other]


def _output(result: object) -> dict[str, str]:
    """The files `factcmp stories` writes, as the CLI serialises them."""
    from factcmp.stories.run import StoriesResult

    assert isinstance(result, StoriesResult)
    files = {"stories.json": json.dumps(index_dict(result), ensure_ascii=False, indent=1)}
    files.update({f"{s.id}.json": dumps(to_dict(s.report)) for s in result.stories})
    return files


def _in_process(feed: Sequence[Path]) -> dict[str, str]:
    settings = Settings(use_cache=False)
    result = find_stories(feed, settings, engine=InProcessEngine(), embedder=FakeEmbedder())
    return _output(result)


def _on_ray(feed: Sequence[Path], engine: RayEngine) -> tuple[dict[str, str], FakeEmbedder]:
    driver = FakeEmbedder()  # the driver's model: it must embed nothing, the actors do
    try:
        result = find_stories(feed, Settings(use_cache=False), engine=engine, embedder=driver)
    finally:
        engine.close()
    return _output(result), driver


@pytest.mark.ray
def test_ray_writes_the_same_bytes_as_in_process(local_ray: None, feed: list[Path]) -> None:
    expected = _in_process(feed)
    assert len(expected) >= 3  # the index and two stories at least
    seen: list[tuple[int, int]] = []
    engine = RayEngine(embedder_factory=FakeEmbedder)
    assert engine.connected is False  # the module's Ray: close() must leave it running
    driver = FakeEmbedder()
    result = find_stories(feed, Settings(use_cache=False), engine=engine, embedder=driver,
                          compare_progress=lambda d, t: seen.append((d, t)))
    engine.close()
    assert ray.is_initialized()
    assert _output(result) == expected
    assert driver.calls == []  # every batch was embedded by the actors
    assert seen[-1] == (len(expected) - 1, len(expected) - 1)


class _DiesOnce(FakeEmbedder):
    """A fake model whose worker process dies at its first batch (once per marker file)."""

    def __init__(self, marker: Path) -> None:
        super().__init__()
        self.marker = marker

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not self.marker.exists():
            self.marker.write_text(str(os.getpid()))
            os._exit(1)  # as a kill -9 or the OOM killer would: no exception, no clean-up
        return super().embed(texts)


def _compare_dies_once(marker: Path, job: StoryJob) -> Report:
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        os._exit(1)
    return compare_story(job)


@pytest.mark.ray
def test_a_killed_worker_is_retried_and_the_output_is_unchanged(
    local_ray: None, feed: list[Path], tmp_path: Path
) -> None:
    died_embedding, died_comparing = tmp_path / "embed.pid", tmp_path / "compare.pid"
    engine = RayEngine(
        embedder_factory=partial(_DiesOnce, died_embedding),
        compare_fn=partial(_compare_dies_once, died_comparing),
    )
    out, _ = _on_ray(feed, engine)
    assert died_embedding.exists() and died_comparing.exists()  # both workers did die
    assert out == _in_process(feed)


_JOIN = """
import json, sys
sys.path.insert(0, "tests")
import conftest, ray
from factcmp.config import Settings
from factcmp.report.serialize import dumps, to_dict
from factcmp.report.stories import index_dict
from factcmp.stories.ray_engine import RayEngine
from factcmp.stories.run import find_stories

engine = RayEngine(address=sys.argv[1], embedder_factory=conftest.FakeEmbedder)
ray.cloudpickle.register_pickle_by_value(conftest)
try:
    result = find_stories(sys.argv[2:], Settings(use_cache=False), engine=engine,
                          embedder=conftest.FakeEmbedder())
finally:
    engine.close()
files = {"stories.json": json.dumps(index_dict(result), ensure_ascii=False, indent=1)}
files.update({f"{s.id}.json": dumps(to_dict(s.report)) for s in result.stories})
print(json.dumps(files))
"""


@pytest.mark.ray
def test_a_run_on_an_existing_cluster_gives_the_same_bytes_and_leaves_it_running(
    local_ray: None, feed: list[Path]
) -> None:
    """--ray-address: another process (its own driver) joins the module's Ray."""
    address = ray.get_runtime_context().gcs_address
    # Ray checks tokens by default, and a client joining an address it was given sends the
    # token (~/.ray/auth_token, written when the module's Ray started) only in token mode.
    env = {**os.environ, "RAY_AUTH_MODE": "token"}
    done = subprocess.run(
        [sys.executable, "-c", _JOIN, address, *map(str, feed)], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == _in_process(feed)
    assert ray.get(ray.put(1)) == 1 and ray.cluster_resources().get("CPU") == 2


class _CountsLoads(FakeEmbedder):
    """A fake model that notes each load (one line per actor built) in a file."""

    def __init__(self, log: Path) -> None:
        super().__init__()
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")


@pytest.mark.ray
def test_actors_load_the_model_once_for_all_embedding_calls(
    local_ray: None, tmp_path: Path
) -> None:
    loads = tmp_path / "loads"
    texts = [f"sentence number {i} about topic {i % 3}" for i in range(20)]
    engine = RayEngine(embedder_factory=partial(_CountsLoads, loads))
    driver = CachedEmbedder(FakeEmbedder(), None, batch=4)  # 5 batches a call: 2 actors
    first, second = engine.embed(driver, texts[:10]), engine.embed(driver, texts[10:])
    expected = InProcessEngine().embed(CachedEmbedder(FakeEmbedder(), None, batch=4), texts)
    assert np.array_equal(np.vstack([first, second]), expected)
    assert len(loads.read_text().split()) == 2  # one per CPU, kept for the second call
    assert engine.compare([]) == []  # comparing releases them
    engine.close()
    assert ray.is_initialized()


def _compare_slowly(job: StoryJob) -> Report:
    time.sleep(10)
    return compare_story(job)


@pytest.mark.ray
def test_sigterm_while_comparing_raises_factcmps_exception_and_cancels_the_tasks(
    local_ray: None, feed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ray.init sets a SIGTERM handler (exit 15) and Ray's waits turn any exception from a
    handler into a plain KeyboardInterrupt; factcmp's own (exit 143, "terminated") must win."""
    engine = RayEngine(embedder_factory=FakeEmbedder, compare_fn=_compare_slowly)
    compare, sent = engine.compare, []

    def compare_then_sigterm(jobs: Sequence[StoryJob], progress: object = None) -> list[Report]:
        threading.Timer(1, os.kill, (os.getpid(), signal.SIGTERM)).start()
        sent.append(time.perf_counter())
        return compare(jobs)

    monkeypatch.setattr(engine, "compare", compare_then_sigterm)
    with pytest.raises(_Terminated):
        find_stories(feed, Settings(use_cache=False), engine=engine, embedder=FakeEmbedder())
    assert time.perf_counter() - sent[0] < 8  # not after the slow stories
    engine.close()


def _refuses(job: StoryJob) -> Report:
    raise ModelUnavailable(f"story {job.story_id}: no model here")


@pytest.mark.ray
def test_a_factcmp_error_on_a_worker_arrives_as_itself(local_ray: None, feed: list[Path]) -> None:
    """Not wrapped in Ray's remote traceback: the CLI prints its one line."""
    engine = RayEngine(embedder_factory=FakeEmbedder, compare_fn=_refuses)
    with pytest.raises(ModelUnavailable) as caught:
        find_stories(feed, Settings(use_cache=False), engine=engine, embedder=FakeEmbedder())
    engine.close()
    assert re.fullmatch(r"story story-\w+: no model here", str(caught.value))


@pytest.mark.ray
def test_rays_notices_go_to_stderr(local_ray: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Ray prints "(raylet) A worker died ..." on stdout, which carries factcmp's report."""
    from ray._private import worker

    worker.print_to_stdstream(
        {"lines": ["A worker died"], "pid": "raylet", "is_err": False}, ignore_prefix=False
    )
    out, err = capsys.readouterr()
    assert "A worker died" in err and out == ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_address_nobody_answers_at_fails_at_once_with_a_clear_error() -> None:
    address = f"127.0.0.1:{_free_port()}"
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=f"no Ray cluster answers at '{address}'.*ray start"):
        RayEngine(address=address)
    assert time.perf_counter() - started < 10  # Ray itself would retry for minutes


@pytest.mark.parametrize("address", ["nowhere", "host:port", ":6379"])
def test_an_address_that_is_not_host_port_is_refused(address: str) -> None:
    with pytest.raises(ConfigError, match="is not HOST:PORT"):
        RayEngine(address=address)


@pytest.mark.skipif(importlib.util.find_spec("grpc") is not None, reason="Ray Client present")
def test_a_ray_client_address_without_ray_client_says_what_to_install() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"ray://127.0.0.1:{server.getsockname()[1]}"
        with pytest.raises(ConfigError, match=r"needs pip install 'ray\[client\]=="):
            RayEngine(address=address)


def test_the_cli_names_the_address_and_exits_1(tmp_path: Path) -> None:
    address = f"127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(
        cli, ["stories", str(CORPUS), "-o", str(tmp_path / "out"), "--engine", "ray",
              "--ray-address", address],
    )
    assert result.exit_code == 1, result.output
    assert f"no Ray cluster answers at '{address}'" in result.output
    assert not (tmp_path / "out").exists()


def test_an_embedding_actor_opens_no_cache(tmp_path: Path) -> None:
    # The driver keeps the cache; an actor that opened the user's sqlite file would hold it
    # for its whole life (and race the driver's writes) without ever reading it.
    from factcmp.config import Settings
    from factcmp.stories.ray_engine import settings_embedder

    settings_embedder(Settings(cache_dir=tmp_path))
    assert not (tmp_path / "embeddings.sqlite3").exists()
