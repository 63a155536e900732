"""The stories engine on Ray: the same batches and the same story jobs as in-process, run on
a local Ray started for the run or on an existing cluster.

What runs where. The driver (this process) reads, segments, annotates and clusters, keeps the
embedding cache and plans the batches (:meth:`CachedEmbedder.embed`); only the batches the
cache lacks go to Ray. They are embedded by actors that each load the model once (one CPU
each, as many as the cluster has CPUs, at most one per batch), through
:class:`ray.util.ActorPool`, whose ``map`` hands the vectors back in batch order, so the
driver stores them exactly as an in-process run would. The actors stay for further embedding
calls and are removed when the comparing starts, which frees their CPUs for it: one Ray task
per story running the pure :func:`~factcmp.stories.engine.compare_story`, collected in job
order.

Failures. A worker process that dies (killed, out of memory, its node lost) is Ray's to
retry: a task is run again (``max_retries``), an actor is restarted, loading its model again,
and its unfinished batch re-run (``max_restarts``, ``max_task_retries``). An exception raised
by our own code is not retried (it would fail again) and stops the run; nothing is written,
since the CLI writes the output folder only after the whole run.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import numpy as np
import ray
from ray.exceptions import RayError, RayTaskError
from ray.util import ActorPool

from ..config import Settings
from ..embed import CachedEmbedder, Embedder, Progress
from ..errors import ConfigError, FactcmpError
from ..types import Report
from .engine import JobProgress, StoryJob, compare_story

log = logging.getLogger(__name__)

EmbedderFactory = Callable[[], Embedder]
"""Builds the model an embedding actor runs (called once in each actor; picklable)."""

RETRIES = 3
"""How often Ray re-runs a task, or restarts an actor, whose worker died."""

_CONNECT_TIMEOUT = 5.0


def settings_embedder(settings: Settings) -> Embedder:
    """The bare model ``settings`` ask for (no cache: the driver keeps that), not yet loaded."""
    from ..embed import model  # through the module: tests swap load_embedder there

    # use_cache off: an actor must not open (and hold) the user's sqlite cache it never reads.
    loaded = model.load_embedder(dataclasses.replace(settings, use_cache=False))
    return loaded.inner if isinstance(loaded, CachedEmbedder) else loaded


@ray.remote(num_cpus=1, max_restarts=RETRIES, max_task_retries=RETRIES)
class _EmbedActor:
    """One model, loaded once, embedding batch after batch."""

    def __init__(self, factory: EmbedderFactory) -> None:
        self.embedder = factory()

    def model_id(self) -> str:
        return self.embedder.model_id

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts)


def _compare(job: StoryJob, compare_fn: Callable[[StoryJob], Report]) -> Report:
    return compare_fn(job)


_compare_task = ray.remote(num_cpus=1, max_retries=RETRIES)(_compare)


class RayEngine:
    """Embeds and compares on Ray; ``close()`` shuts down a local Ray it started, and
    disconnects from a cluster it joined (the cluster goes on).

    Args:
        address: an existing cluster (``host:port`` of its head, ``auto``, ``ray://...``);
            ``None`` starts a local Ray for this run.
        settings: what the embedding actors load (``load_embedder(settings)``'s model);
            ``None``: the default settings.
        num_cpus: CPUs of the local Ray (default: the machine's); ignored with ``address``.
        embedder_factory: builds the actors' model instead of ``settings`` (tests pass a
            picklable fake).
        compare_fn: what each story task runs (tests pass one that kills its worker once).

    Raises:
        ConfigError: ``address`` cannot be reached, or Ray cannot start.
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        settings: Settings | None = None,
        num_cpus: int | None = None,
        embedder_factory: EmbedderFactory | None = None,
        compare_fn: Callable[[StoryJob], Report] = compare_story,
    ) -> None:
        self.factory = embedder_factory or functools.partial(
            settings_embedder, settings or Settings()
        )
        self.compare_fn = compare_fn
        self._actors: list[Any] = []
        self._model_id: str | None = None
        self.connected = connect(address, num_cpus)

    def embed(
        self, embedder: CachedEmbedder, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        return embedder.embed(
            texts, progress, run_batches=functools.partial(self._run_batches, embedder.model_id)
        )

    def _run_batches(self, model_id: str, batches: list[list[str]]) -> Iterator[np.ndarray]:
        """Each batch's vectors, in order, from the engine's embedding actors."""
        if not batches:
            return
        actors = self._actors_for(len(batches))
        with _worker_failures("embedding"):
            if self._model_id is None:
                self._model_id = ray.get(actors[0].model_id.remote())
            if self._model_id != model_id:
                raise FactcmpError(
                    f"the Ray workers embed with {self._model_id!r} but the cache is for "
                    f"{model_id!r}; give the engine the run's settings"
                )
            pool = ActorPool(actors)
            yield from pool.map(lambda actor, batch: actor.embed.remote(batch), batches)

    def _actors_for(self, batches: int) -> list[Any]:
        """Actors for ``batches`` batches: one per CPU of the cluster, at most one per batch
        (each loads the model: an actor with nothing to do would load it for nothing). They
        stay for the next embedding call, until :meth:`compare` or :meth:`close`."""
        cpus = ray.cluster_resources().get("CPU", 1)  # type: ignore[no-untyped-call]
        want = max(1, min(batches, int(cpus)))
        while len(self._actors) < want:
            self._actors.append(_EmbedActor.remote(self.factory))  # type: ignore[attr-defined]
        return self._actors[:want]

    def _release_actors(self) -> None:
        """Remove the embedding actors, freeing their CPUs (and memory) for the comparisons."""
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []

    def compare(
        self, jobs: Sequence[StoryJob], progress: JobProgress | None = None
    ) -> list[Report]:
        self._release_actors()  # they hold the CPUs the story tasks need
        fn = ray.put(self.compare_fn)
        refs = [_compare_task.remote(job, fn) for job in jobs]
        pending = list(refs)
        try:
            with _worker_failures("comparing stories"):
                while pending:
                    done, pending = ray.wait(pending, num_returns=1)
                    ray.get(done)  # a failed story stops the run now, not after the others
                    if progress:
                        progress(len(refs) - len(pending), len(refs))
                reports: list[Report] = ray.get(refs)
        except BaseException:
            for ref in pending:  # on a cluster that outlives the run, stop what is left
                ray.cancel(ref, force=True)
            raise
        return reports

    def close(self) -> None:
        if ray.is_initialized():
            self._release_actors()
        if self.connected and ray.is_initialized():
            ray.shutdown()
        self.connected = False


@contextmanager
def _worker_failures(step: str) -> Iterator[None]:
    """Ray's own failures (a worker lost more often than it is retried, an object lost) as one
    clear error; an exception of our code comes through as itself (a :class:`FactcmpError`
    raised on a worker as that error, so the CLI prints its one line)."""
    try:
        yield
    except KeyboardInterrupt as e:
        # Ray's blocking calls turn whatever the signal handler raised into a plain
        # KeyboardInterrupt: give the caller the handler's own (factcmp's SIGTERM: exit 143).
        if type(e) is KeyboardInterrupt and _interrupts:
            raise _interrupts.pop() from None
        raise
    except RayTaskError as e:
        if isinstance(e.cause, FactcmpError):  # one line for the CLI, not a remote traceback
            raise e.cause from e
        raise
    except RayError as e:
        raise FactcmpError(
            f"Ray failed while {step} ({e.__class__.__name__}), after {RETRIES} retries of a "
            f"lost worker: {str(e).splitlines()[0] if str(e) else ''}"
        ) from e


def connect(address: str | None, num_cpus: int | None = None) -> bool:
    """Join the cluster at ``address``, or start a local Ray; False when this process was
    connected to Ray already (that connection is used, and left open).

    The local Ray is private to the run: no dashboard, no usage statistics, no logs copied
    to the terminal, and a new instance even when another one runs on this machine.

    Raises:
        ConfigError: nothing answers at ``address``, or Ray fails to start or connect.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address:
        _check_reachable(address)
        if address.startswith("ray://") and importlib.util.find_spec("grpc") is None:
            raise ConfigError(
                f"--ray-address {address!r} goes through Ray Client, which needs "
                f"pip install 'ray[client]=={ray.__version__}'; or run factcmp on a machine of "
                "the cluster with the head's HOST:PORT"
            )
    if ray.is_initialized():  # a caller (a test, a notebook) connected already: use that
        return False
    options: dict[str, Any] = {"num_cpus": num_cpus} if not address else {}
    # ray.init installs its own SIGTERM handler (exit 15, mid-write); keep factcmp's, which
    # stops the run cleanly (exit 143) and still shuts the local Ray down on its way out.
    on_sigterm = signal.getsignal(signal.SIGTERM)
    try:
        ray.init(
            address=address or "local",
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
            **options,
        )
    except (ConnectionError, RuntimeError, ValueError, OSError) as e:
        if not address:
            raise ConfigError(
                f"cannot start a local Ray: {e} (Ray keeps its access token in ~/.ray and its "
                "session in the temporary folder: both must be writable)"
            ) from e
        raise ConfigError(
            f"cannot join the Ray cluster at {address!r}: {e}. Is it a Ray head of the same "
            "Ray version? If it checks tokens (Ray's default), set RAY_AUTH_MODE=token and give "
            "this machine the head's token (~/.ray/auth_token, RAY_AUTH_TOKEN or "
            "RAY_AUTH_TOKEN_PATH)"
        ) from e
    finally:
        if callable(on_sigterm) and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _noting(on_sigterm))
    _ray_messages_to_stderr()
    return True


def _ray_messages_to_stderr() -> None:
    """Ray prints its own notices (a worker died, a task will be retried) on the driver's
    standard output, where factcmp writes only its report: send them to stderr instead.

    It goes through Ray's private printer (``ray._private.worker.print_to_stdstream``), so a
    Ray without it is left as it is.
    """
    from ray._private import worker

    printer = getattr(worker, "print_to_stdstream", None)
    if printer is None or getattr(printer, "to_stderr", False):
        return

    def to_stderr(data: dict[str, Any], ignore_prefix: bool) -> None:
        printer({**data, "is_err": True} if data.get("pid") == "raylet" else data, ignore_prefix)

    to_stderr.to_stderr = True  # type: ignore[attr-defined]
    worker.print_to_stdstream = to_stderr


_interrupts: list[BaseException] = []
"""The exception the SIGTERM handler last raised, for :func:`_worker_failures`."""


_Handler = Callable[[int, FrameType | None], Any]


def _noting(handler: _Handler) -> _Handler:
    """``handler``, noting the exception it raises before Ray's calls replace it."""

    def noted(signum: int, frame: FrameType | None) -> Any:
        try:
            return handler(signum, frame)
        except BaseException as e:
            _interrupts[:] = [e]
            raise

    return noted


def _check_reachable(address: str) -> None:
    """Fail in seconds on an address nobody listens at (Ray itself would retry for minutes)."""
    if address in ("auto", "local"):
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(
            f"--ray-address {address!r} is not HOST:PORT (the head node's address, e.g. "
            "10.0.0.5:6379), 'auto' or ray://HOST:PORT"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=_CONNECT_TIMEOUT).close()
    except OSError as e:
        raise ConfigError(
            f"no Ray cluster answers at {address!r} ({e.strerror or e}); start one there "
            "(ray start --head) or leave out --ray-address to run on a local Ray"
        ) from e
