"""Reliability: interrupted and concurrent runs leave a valid cache, -o is atomic, and the same
input gives byte-identical JSON.

The process tests run the real ``python -m factcmp`` in a subprocess. Fast ones swap in a
slow fake embedder (wrapped in the real on-disk cache) through a runner script, so the
product code needs no test hook; slow ones use the real offline model.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest
from click.testing import CliRunner
from conftest import DATA, FakeEmbedder, article_text, write

import factcmp.cli
import factcmp.output
from factcmp.cli import cli

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CORPUS = ROOT / "corpus" / "putin-kim"
BATCH = 8  # texts per fake embedding call, so one run makes many cache transactions

# Runs ``python -m factcmp`` with a fake embedder that sleeps $DELAY seconds per batch and
# appends a line to $MARKS as each batch starts, behind the real CachedEmbedder.
RUNNER = textwrap.dedent(
    f"""
    import os, runpy, sys, time
    sys.path.insert(0, {str(TESTS)!r})
    from conftest import FakeEmbedder
    import factcmp.pipeline
    from factcmp.embed.cache import EmbeddingCache
    from factcmp.embed.model import CachedEmbedder

    class Slow(FakeEmbedder):
        def embed(self, texts):
            with open(os.environ["MARKS"], "a") as f:
                f.write(f"{{len(texts)}}\\n")
            time.sleep(float(os.environ.get("DELAY", "0")))
            return super().embed(texts)

    def load(settings):
        if not settings.use_cache:
            return Slow()
        cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
        return CachedEmbedder(Slow(), cache, batch={BATCH})

    factcmp.pipeline.load_embedder = load
    sys.argv[0] = "factcmp"
    runpy.run_module("factcmp", run_name="__main__")
    """
)

LV = ["Putins", "Kims", "Phenjanā", "līgumu", "parakstīja", "trešdien", "vizītē", "sarunās"]
SL = ["Putin", "Kim", "Pjongjangu", "pogodbo", "podpisala", "sredo", "obisku", "pogovorih"]



@pytest.fixture(autouse=True)
def ctrl_c_reaches_children() -> Iterator[None]:
    """Children get Ctrl-C as in a terminal even where these tests run with SIGINT ignored (a
    shell script's background job inherits SIG_IGN, which exec keeps and a Python handler
    does not, and Python then never raises KeyboardInterrupt)."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="module")
def src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A frozen copy of the package for this module's subprocesses.

    Runs that are compared with each other must run the same code, even while the work tree
    is being edited.
    """
    root = tmp_path_factory.mktemp("src")
    shutil.copytree(
        ROOT / "factcmp", root / "factcmp", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


def make_corpus(folder: Path, sentences: int = 60, tag: str = "") -> Path:
    """Two articles (lv, sl) of ``sentences`` distinct sentences each."""
    for lang, words in (("lv", LV), ("sl", SL)):
        body = "\n".join(
            f"{words[n % 8]} {words[(n + 3) % 8]} {tag}{n} {words[(n * 5 + 1) % 8]}."
            for n in range(sentences)
        )
        write(folder / f"{lang}.txt", article_text(lang, body + "\n"))
    return folder


def start(
    src: Path, tmp: Path, cache: Path, *args: str | Path, delay: float = 0.0, name: str = "run"
) -> tuple[subprocess.Popen[str], Path]:
    runner = tmp / "runner.py"
    if not runner.exists():
        runner.write_text(RUNNER)
    marks = tmp / f"{name}.marks"
    marks.write_text("")
    env = {
        **os.environ,
        "FACTCMP_CACHE_DIR": str(cache),
        "MARKS": str(marks),
        "DELAY": str(delay),
        "PYTHONPATH": str(src),
    }
    proc = subprocess.Popen(
        [sys.executable, str(runner), *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp,
    )
    return proc, marks


def batches(marks: Path) -> int:
    return len(marks.read_text().splitlines())


def wait_for_batches(proc: subprocess.Popen[str], marks: Path, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while batches(marks) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "embedding never started"
        time.sleep(0.02)


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def cache_rows(cache: Path) -> int:
    """Open the cache as a stranger would, check the file and every row's checksum.

    Returns:
        the number of rows, all valid.
    """
    db = sqlite3.connect(cache / "embeddings.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = db.execute("SELECT dim, crc, vec FROM vectors").fetchall()
    finally:
        db.close()
    for dim, crc, vec in rows:
        assert isinstance(vec, bytes) and len(vec) == 4 * dim and zlib.crc32(vec) == crc
    return len(rows)


def has_vectors_table(cache: Path) -> bool:
    """The run has created the cache's table (the file appears a moment before its schema)."""
    if not (cache / "embeddings.sqlite3").exists():
        return False
    db = sqlite3.connect(cache / "embeddings.sqlite3")
    try:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vectors'"
        return db.execute(sql).fetchone() is not None
    finally:
        db.close()


def reference(src: Path, tmp: Path, corpus: Path, name: str = "ref") -> str:
    """The JSON of an uninterrupted run with a fresh cache."""
    proc, _ = start(src, tmp, tmp / f"{name}-cache", "compare", corpus, "-f", "json", name=name)
    code, out, err = finish(proc)
    assert code == 0, err
    return out


# --- interrupted runs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sig", "code", "message"),
    [
        (signal.SIGINT, 130, "interrupted"),
        (signal.SIGTERM, 143, "terminated"),
        (signal.SIGKILL, -signal.SIGKILL, None),
    ],
    ids=["ctrl-c", "term", "kill"],
)
def test_signal_mid_embedding_keeps_cache_and_output(
    src: Path, tmp_path: Path, sig: signal.Signals, code: int, message: str | None
) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    total = 2 * 60
    expected = reference(src, tmp_path, corpus)
    cache = tmp_path / "cache"
    out_file = tmp_path / "out" / "report.json"
    write(out_file, "the previous report\n")
    proc, marks = start(
        src, tmp_path, cache, "compare", corpus, "-f", "json", "-o", out_file, delay=0.15
    )
    wait_for_batches(proc, marks, 4)
    proc.send_signal(sig)
    rc, out, err = finish(proc)

    assert rc == code, err
    if message is not None:
        assert err.strip().splitlines()[-1] == message
        assert "Traceback" not in err and "Aborted" not in err
    assert out == ""
    # The old output stands, whole, with no temporary file left next to it (a SIGKILL cannot
    # clean up, but its temporary file is never the report).
    assert out_file.read_text() == "the previous report\n"
    if sig != signal.SIGKILL:
        assert [p.name for p in out_file.parent.iterdir()] == ["report.json"]
    # Every finished batch was kept, and every row is valid.
    kept = cache_rows(cache)
    assert BATCH <= kept < total and kept % BATCH == 0

    proc, marks = start(src, tmp_path, cache, "compare", corpus, "-f", "json", "-o", out_file)
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert out_file.read_text() == expected
    assert sum(int(n) for n in marks.read_text().split()) == total - kept  # nothing recomputed
    assert cache_rows(cache) == total


def test_interrupt_while_reading_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    import factcmp.pipeline

    def interrupted(paths: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(factcmp.pipeline, "read_articles", interrupted)
    result = CliRunner().invoke(
        cli, ["compare", str(DATA / "tiny_lv.txt"), str(DATA / "tiny_sl.txt")]
    )
    assert result.exit_code == 130
    assert result.stderr.strip() == "interrupted" and result.stdout == ""


# --- concurrent runs ----------------------------------------------------------------------


def test_concurrent_runs_share_one_cache(src: Path, tmp_path: Path) -> None:
    same = make_corpus(tmp_path / "same")
    other = make_corpus(tmp_path / "other", sentences=40, tag="x")  # overlaps nothing
    expected = {
        same: reference(src, tmp_path, same, "ref-same"),
        other: reference(src, tmp_path, other, "ref-other"),
    }
    cache = tmp_path / "cache"
    runs = [
        (
            corpus,
            *start(src, tmp_path, cache, "compare", corpus, "-f", "json", delay=0.01, name=f"r{i}"),
        )
        for i, corpus in enumerate([same, same, other, same])
    ]
    for corpus, proc, _ in runs:
        rc, out, err = finish(proc)
        assert rc == 0, err
        assert "cache" not in err  # no "damaged", no "caching in memory only"
        assert out == expected[corpus]
    assert cache_rows(cache) == 2 * 60 + 2 * 40


def test_concurrent_threads_write_one_cache(tmp_path: Path) -> None:
    import threading

    from factcmp.embed.cache import EmbeddingCache
    from factcmp.embed.model import CachedEmbedder

    path = tmp_path / "cache" / "embeddings.sqlite3"
    texts = [f"sentence {n}" for n in range(300)]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            cached = CachedEmbedder(FakeEmbedder(), EmbeddingCache(path), batch=7)
            mine = texts[k * 20 :] + texts[: k * 20]  # same texts, different order
            out = cached.embed(mine)
            assert out.shape == (300, 256)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache_rows(path.parent) == 300


# --- atomic output -------------------------------------------------------------------------


class _FailingFile:
    """A text file that writes half of what it is given, then fails."""

    def __init__(self, real: Any, error: BaseException) -> None:
        self.real, self.error = real, error

    def write(self, text: str) -> int:
        self.real.write(text[: len(text) // 2])
        self.real.flush()
        raise self.error

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (KeyboardInterrupt(), 130, "interrupted"),
        (OSError(28, "No space left on device"), 1, "No space left on device"),
    ],
    ids=["interrupt", "disk-full"],
)
@pytest.mark.parametrize("existing", [True, False], ids=["old-file", "no-file"])
def test_output_is_written_whole_or_not_at_all(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_real_model: FakeEmbedder,
    error: BaseException,
    code: int,
    message: str,
    existing: bool,
) -> None:
    out_file = tmp_path / "report.json"
    if existing:
        out_file.write_text("the previous report\n")
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        factcmp.output.os, "fdopen", lambda *a, **k: _FailingFile(real_fdopen(*a, **k), error)
    )
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            str(DATA / "tiny_lv.txt"),
            str(DATA / "tiny_sl.txt"),
            "-f",
            "json",
            "-o",
            str(out_file),
        ],
    )
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == (["report.json"] if existing else [])
    if existing:
        assert out_file.read_text() == "the previous report\n"


def test_output_file_gets_ordinary_permissions(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    args = ["compare", str(DATA / "tiny_lv.txt"), str(DATA / "tiny_sl.txt"), "-f", "json", "-o"]
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        assert CliRunner().invoke(cli, [*args, str(fresh)]).exit_code == 0
        assert fresh.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
        kept = tmp_path / "kept.json"
        kept.write_text("old\n")
        kept.chmod(0o640)
        assert CliRunner().invoke(cli, [*args, str(kept)]).exit_code == 0
        assert kept.stat().st_mode & 0o777 == 0o640
        assert json.loads(kept.read_text())["schema_version"]
    finally:
        os.umask(umask)


def test_unwritable_output_is_one_line(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            str(DATA / "tiny_lv.txt"),
            str(DATA / "tiny_sl.txt"),
            "-o",
            str(blocker / "report.txt"),
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: cannot write {blocker / 'report.txt'} ({blocker}: File exists)"
    )
    assert "Traceback" not in result.output


# --- -o on special files, and standard output that fails ------------------------------------

TINY = [str(DATA / "tiny_lv.txt"), str(DATA / "tiny_sl.txt")]


def compare_to(target: str | Path, *extra: str) -> Any:
    return CliRunner().invoke(cli, ["compare", *TINY, "-f", "json", "-o", str(target), *extra])


def device(tmp_path: Path, name: str, kind: int, major: int, minor: int) -> Path:
    """A device node in ``tmp_path`` (root only): /dev/null (1, 3) or /dev/full (1, 7) made
    here, so that a failing test replaces a node of its own, never the system's."""
    if os.geteuid() != 0:
        pytest.skip("making device nodes takes root")
    path = tmp_path / name
    os.mknod(path, kind | 0o666, os.makedev(major, minor))
    return path


def test_output_to_a_fifo_is_written_through(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    # It used to be replaced by a regular file (rc 0), and the reader got nothing.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(
        target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True
    )
    reader.start()
    result = compare_to(fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(got[0])["schema_version"]


def test_output_to_a_character_device_keeps_the_node(
    tmp_path: Path, no_real_model: FakeEmbedder
) -> None:
    null = device(tmp_path, "null", stat.S_IFCHR, 1, 3)
    result = compare_to(null)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(null.lstat().st_mode)


def test_output_to_a_full_device_fails_and_keeps_the_node(
    tmp_path: Path, no_real_model: FakeEmbedder
) -> None:
    full = device(tmp_path, "full", stat.S_IFCHR, 1, 7)
    result = compare_to(full)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot write {full} (No space left on device)"
    assert stat.S_ISCHR(full.lstat().st_mode)


def test_output_to_a_block_device_is_refused(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    disk = device(tmp_path, "disk", stat.S_IFBLK, 7, 0)
    result = compare_to(disk)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: cannot write {disk}: it is a block device; -o takes a file name, a FIFO or a "
        "terminal"
    )
    assert stat.S_ISBLK(disk.lstat().st_mode)


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_output_through_a_symlink_replaces_its_target(
    tmp_path: Path, no_real_model: FakeEmbedder, dangling: bool
) -> None:
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    if not dangling:
        target.write_text("old\n")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    result = compare_to(link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target
    assert json.loads(target.read_text())["schema_version"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["latest.json"]


@pytest.mark.parametrize("how", ["same-name", "other-name", "link"])
def test_output_onto_an_input_file_is_refused(
    tmp_path: Path, no_real_model: FakeEmbedder, how: str
) -> None:
    # It overwrote the article without a word.
    corpus = tmp_path / "corpus"
    lv = write(corpus / "lv.txt", (DATA / "tiny_lv.txt").read_text(encoding="utf-8"))
    write(corpus / "sl.txt", (DATA / "tiny_sl.txt").read_text(encoding="utf-8"))
    before = lv.read_bytes()
    output = {"same-name": lv, "other-name": corpus / ".." / "corpus" / "lv.txt",
              "link": tmp_path / "out.txt"}[how]
    if how == "link":
        output.symlink_to(lv)
    result = CliRunner().invoke(cli, ["compare", str(corpus), "-o", str(output)])
    assert result.exit_code == 2, result.output
    which = "one of the input files" if how == "same-name" else f"the input file {lv}"
    assert (
        f"Invalid value for '--output' / '-o': {output} is {which}; writing the report there "
        "would destroy it. Choose another file"
    ) in result.stderr
    assert lv.read_bytes() == before and not no_real_model.calls


@pytest.mark.parametrize(("name", "warned"), [("report.txt", True), ("report.json", False)])
def test_output_inside_an_input_folder_warns(
    tmp_path: Path, no_real_model: FakeEmbedder, name: str, warned: bool
) -> None:
    corpus = tmp_path / "corpus"
    for lang in ("lv", "sl"):
        write(corpus / f"{lang}.txt", (DATA / f"tiny_{lang}.txt").read_text(encoding="utf-8"))
    result = CliRunner().invoke(cli, ["compare", str(corpus), "-o", str(corpus / name)])
    assert result.exit_code == 0, result.output
    message = "is inside an input folder: the next run on that folder will read the report"
    assert (message in " ".join(result.stderr.split())) == warned


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_output_dash_and_dev_stdout_are_standard_output(
    name: str, no_real_model: FakeEmbedder
) -> None:
    result = compare_to(name)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema_version"]


def run_piped(src: Path, tmp_path: Path, stdout: Any, *args: str) -> subprocess.Popen[bytes]:
    """``python -m factcmp`` with the fake embedder, its standard output sent to ``stdout``."""
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    env = {**os.environ, "FACTCMP_CACHE_DIR": str(tmp_path / "cache"),
           "MARKS": str(tmp_path / "marks"), "PYTHONPATH": str(src)}
    return subprocess.Popen(
        [sys.executable, str(runner), *args], env=env, stdout=stdout, stderr=subprocess.PIPE
    )


def test_closed_pipe_on_stdout_exits_quietly(src: Path, tmp_path: Path) -> None:
    # `factcmp compare ... | head -c 10` printed "Error: unexpected BrokenPipeError".
    proc = run_piped(src, tmp_path, subprocess.PIPE, "compare", str(CORPUS), "-f", "json")
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10) == b'{\n  "schem'
    proc.stdout.close()  # as head does: far less than the report (177 kB, over a pipe's 64 kB)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141  # 128 + SIGPIPE, what a shell reports for `yes | head`
    assert err == ""


def test_closed_stdout_is_one_line(src: Path, tmp_path: Path) -> None:
    # `factcmp compare ... >&-` printed "unexpected AttributeError: 'NoneType' object ...".
    (tmp_path / "runner.py").write_text(RUNNER)
    script = (
        f"import os, subprocess, sys; os.close(1); sys.exit(subprocess.call("
        f"{[sys.executable, str(tmp_path / 'runner.py'), 'compare', *TINY]!r}, close_fds=False))"
    )
    env = {**os.environ, "FACTCMP_CACHE_DIR": str(tmp_path / "cache"),
           "MARKS": str(tmp_path / "marks"), "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True, timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: standard output is closed; redirect it to a file (> report.txt) or use -o FILE"
    )


def test_full_disk_on_stdout_is_one_line(src: Path, tmp_path: Path) -> None:
    # `factcmp compare ... > /dev/full` printed "Error: unexpected OSError".
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "wb") as full:
        proc = run_piped(src, tmp_path, full, "compare", *TINY, "-f", "json")
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.decode().strip() == "Error: cannot write to standard output (No space left on device)"


# --- the real model (slow) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One factcmp cache folder for this module's real-model runs (the model converts once)."""
    return tmp_path_factory.mktemp("factcmp-real-cache")


def real_env(src: Path, cache: Path, seed: str = "0") -> dict[str, str]:
    return {
        **os.environ,
        "FACTCMP_CACHE_DIR": str(cache),
        "PYTHONHASHSEED": seed,
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(src),
    }


def run_real(
    src: Path, cache: Path, *args: str | Path, seed: str = "0", timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "factcmp", *map(str, args)],
        env=real_env(src, cache, seed),
        cwd=src,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.slow
def test_same_json_across_runs_and_hash_seeds(src: Path, model_cache: Path) -> None:
    args = ("compare", CORPUS, "-f", "json")
    runs = [
        run_real(src, model_cache, *args, seed="0"),  # converts the model, fills the cache
        run_real(src, model_cache, *args, "--no-cache", seed="1"),
        run_real(src, model_cache, *args, seed="random"),  # every vector from the cache
    ]
    for r in runs:
        assert r.returncode == 0, r.stderr
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert json.loads(runs[0].stdout)["claims"]


def cache_sharing_model(src: Path, model_cache: Path, folder: Path) -> Path:
    """An empty embedding cache that reuses the module's converted model."""
    if not (model_cache / "models").is_dir():  # convert the model once
        run_real(src, model_cache, "compare", CORPUS, "-o", folder.parent / "warm.txt")
    folder.mkdir()
    (folder / "models").symlink_to(model_cache / "models")
    return folder


@pytest.fixture(scope="module")
def big_corpus(
    src: Path, model_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """3,000 distinct sentences, and their JSON from an uninterrupted run with a cold cache."""
    tmp = tmp_path_factory.mktemp("big")
    corpus = make_corpus(tmp / "corpus", sentences=1500)
    done = run_real(
        src, cache_sharing_model(src, model_cache, tmp / "cold"), "compare", corpus, "-f", "json"
    )
    assert done.returncode == 0, done.stderr
    return corpus, done.stdout


@pytest.mark.slow
def test_real_model_interrupted_mid_embedding(
    src: Path, model_cache: Path, big_corpus: tuple[Path, str], tmp_path: Path
) -> None:
    corpus, expected = big_corpus
    cache = cache_sharing_model(src, model_cache, tmp_path / "cache")
    proc = subprocess.Popen(
        [sys.executable, "-m", "factcmp", "compare", str(corpus), "-f", "json"],
        env=real_env(src, cache),
        cwd=src,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not has_vectors_table(cache) or cache_rows(cache) == 0:
        assert proc.poll() is None, proc.communicate()  # still embedding
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    rc, _, err = finish(proc)
    assert rc == 130, err
    assert err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err
    kept = cache_rows(cache)
    assert 0 < kept < 3000, kept
    again = run_real(src, cache, "compare", corpus, "-f", "json")
    assert again.returncode == 0, again.stderr
    # The cache stores whole batches of the sorted missing texts, so the resumed run embeds
    # the rest in the very batches an uninterrupted run would: the same vectors, bit for bit.
    assert again.stdout == expected
    assert cache_rows(cache) == 3000


@pytest.mark.slow
def test_no_cache_gives_the_same_vectors(model_cache: Path, tmp_path: Path) -> None:
    import numpy as np

    from factcmp.config import Settings
    from factcmp.embed.cache import EmbeddingCache
    from factcmp.embed.model import CachedEmbedder, embed_texts, load_embedder
    from factcmp.pipeline import load_corpus

    _, sentences = load_corpus([make_corpus(tmp_path / "corpus", sentences=150)])
    texts = [s.text for s in sentences]
    plain = load_embedder(Settings(cache_dir=model_cache, use_cache=False))
    uncached = embed_texts(plain, texts).vectors
    cached = CachedEmbedder(plain, EmbeddingCache(tmp_path / "embeddings.sqlite3"))
    assert np.array_equal(embed_texts(cached, texts).vectors, uncached)


# --- output size as input grows -------------------------------------------------------------


def _json_size(folder: Path, n: int) -> int:
    from factcmp.pipeline import compare_articles
    from factcmp.report.serialize import dumps, to_dict

    def word(i: int) -> str:  # five letters of its own: no two articles share a word stem
        return "".join(chr(97 + i // 26**p % 26) for p in range(5))

    for k in range(n):
        lang = ("lv", "sl")[k % 2]
        body = " ".join(word(4 * k + i) for i in range(4)).capitalize() + "."
        write(folder / f"{k:04d}.txt", article_text(lang, body + "\n"))
    report = compare_articles([folder], embedder=FakeEmbedder(dim=4096))  # no hash collisions
    return len(dumps(to_dict(report)))


def test_json_grows_linearly_with_the_number_of_articles(tmp_path: Path) -> None:
    """8x the input gives about 8x the output, not 64x (issue 14 item 10). Schema 1.x listed
    every silent article under every claim: 78 kB -> 1,483 kB here (19x), and 293 MB of JSON
    for 400 real files; 2.0 lists only who states or possibly states a claim (8.4x)."""
    small = _json_size(tmp_path / "small", 50)
    big = _json_size(tmp_path / "big", 400)
    assert big < 12 * small


def _grouped_report(folder: Path, n: int) -> Any:
    """``n`` articles in groups of four that share a sentence, each with one of its own: the
    shared claims grow with the input, so a view that draws claims x articles grows as its
    square."""
    from factcmp.pipeline import compare_articles

    def word(i: int) -> str:
        return "".join(chr(97 + i // 26**p % 26) for p in range(5))

    for k in range(n):
        shared = " ".join(word(8 * (k // 4) + i) for i in range(5)).capitalize() + "."
        own = " ".join(word(100_000 + 4 * k + i) for i in range(4)).capitalize() + "."
        body = shared + "\n\n" + own + "\n"
        write(folder / f"{k:04d}.txt", article_text(("lv", "sl")[k % 2], body))
    return compare_articles([folder], embedder=FakeEmbedder(dim=4096))


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return (
        _grouped_report(tmp_path_factory.mktemp("small"), 50),
        _grouped_report(tmp_path_factory.mktemp("big"), 400),
    )


def test_views_grow_linearly_with_the_number_of_articles(grouped: tuple[Any, Any]) -> None:
    """The terminal report and the HTML page of 8x the articles are not 64x the size: past a
    screen's width of articles the coverage matrix becomes a line per claim naming who states
    and possibly states it, and a claim no longer lists its silent articles. Before: terminal
    18 kB -> 516 kB (29x), HTML 309 kB -> 16.5 MB (53x); now 13x and 12x."""
    import io

    from rich.console import Console

    from factcmp.report.html import render_html
    from factcmp.report.render import render_report

    def terminal(report: Any) -> int:
        out = io.StringIO()
        render_report(report, Console(file=out, width=80, color_system=None))
        return len(out.getvalue())

    small, big = grouped
    assert sum(len(f.articles) > 1 for f in big.findings) > 100
    assert terminal(big) < 20 * terminal(small)
    assert len(render_html(big)) < 20 * len(render_html(small))


def test_possibly_entries_come_from_candidate_pairs() -> None:
    """Why ``possibly`` stays linear: an article possibly states a claim only through one of
    the aligner's candidate pairs (a sentence among a member's nearest candidates, or sharing
    a rare name or number with it), so there are at most two entries per pair, and the pairs
    number at most ``candidates`` per sentence (plus rare-key pairs, none here)."""
    import random

    from factcmp.align import AlignParams, align, scored_links
    from factcmp.annotate import annotate
    from factcmp.compare import compare
    from factcmp.embed import centre_by_language
    from factcmp.types import Article, Sentence

    rng = random.Random(7)
    vocab = [f"{stem}{n}" for n, stem in enumerate(["alt", "berg", "cirk", "dov", "elm"] * 5)]
    articles = [Article(f"a{k:03d}", f"a{k:03d}.txt", ("lv", "sl")[k % 2], "") for k in range(90)]
    lang = {a.id: a.lang for a in articles}
    sentences = [
        Sentence(a.id, i, " ".join(rng.sample(vocab, 5)) + ".", 0, 1)
        for a in articles
        for i in range(3)
    ]
    vectors = FakeEmbedder(dim=512).embed([s.text for s in sentences])
    langs = [lang[s.article_id] for s in sentences]
    params = AlignParams(candidates=4)
    claims = align(sentences, vectors, params, langs=langs)
    pairs, _, _ = scored_links(
        sentences, centre_by_language(vectors, langs)[0], params, langs=langs
    )
    candidates = {(int(i), int(j)) for i, j in pairs.tolist()}
    position = {s.id: n for n, s in enumerate(sentences)}
    findings = compare(articles, sentences, claims, annotate(articles, sentences))
    entries = [p for f in findings for p in f.claim.possible]
    assert len(entries) > 20, "the corpus must have possible sentences for the test to mean much"
    for p in entries:
        assert tuple(sorted((position[p.a], position[p.b]))) in candidates
    assert len(entries) <= 2 * len(pairs) <= 2 * len(sentences) * params.candidates


# --- the article size limit on the command line ---------------------------------------------


def _sized(tmp_path: Path, kb: int) -> Path:
    """A Latvian article of about ``kb`` kilobytes, of distinct sentences."""
    lines = [f"Putins {n}. reizi ieradās Phenjanā ar {n} pavadoņiem." for n in range(kb * 20)]
    text = article_text("lv", " ".join(lines)[: kb * 1000] + ".\n")
    return write(tmp_path / "sized.txt", text)


def _limited(tmp_path: Path, *flags: str, env: str | None = None, command: str = "compare") -> Any:
    article = _sized(tmp_path, 3)
    query = ["Putins"] if command == "query" else []
    args = [command, *query, str(DATA / "tiny_sl.txt"), str(article), "-f", "json", *flags]
    return CliRunner().invoke(cli, args, env={"FACTCMP_MAX_ARTICLE_MB": env})


@pytest.mark.parametrize("command", ["compare", "query"])
def test_max_article_mb_flag_sets_the_limit(
    tmp_path: Path, no_real_model: FakeEmbedder, command: str
) -> None:
    refused = _limited(tmp_path, "--max-article-mb", "0.002", command=command)
    assert refused.exit_code == 1, refused.output
    assert "sized.txt: 0.0 MB, over the 0.002 MB limit" in refused.stderr
    assert not no_real_model.calls, "refused before anything was embedded"
    assert _limited(tmp_path, "--max-article-mb", "0.01", command=command).exit_code == 0


@pytest.mark.parametrize("env", ["0.002", "ten", "-1"])
def test_max_article_mb_flag_overrides_the_variable(
    tmp_path: Path, no_real_model: FakeEmbedder, env: str
) -> None:
    """The flag wins over $FACTCMP_MAX_ARTICLE_MB, even one that is not a number."""
    assert _limited(tmp_path, env=env).exit_code == 1
    passed = _limited(tmp_path, "--max-article-mb", "0.01", env=env)
    assert passed.exit_code == 0, passed.output
    assert _limited(tmp_path, "--max-article-mb", "0", env=env).exit_code == 0  # 0: no limit


@pytest.mark.parametrize("value", ["-1", "ten", "inf", "nan"])
def test_bad_max_article_mb_is_bad_usage(tmp_path: Path, value: str) -> None:
    result = _limited(tmp_path, "--max-article-mb", value)
    assert result.exit_code == 2, result.output
    assert "--max-article-mb" in result.stderr and "Traceback" not in result.output


def test_over_the_limit_message_names_the_flag_and_the_variable(
    tmp_path: Path, no_real_model: FakeEmbedder
) -> None:
    refused = _limited(tmp_path, "--max-article-mb", "0.002")
    assert "raise the limit: --max-article-mb 1 or FACTCMP_MAX_ARTICLE_MB=1" in refused.stderr


@pytest.mark.parametrize("before", [None, "7"])
def test_article_limit_holds_only_within_its_block(
    monkeypatch: pytest.MonkeyPatch, before: str | None
) -> None:
    from factcmp.config import article_limit, max_article_bytes, raise_limit_hint

    if before is None:
        monkeypatch.delenv("FACTCMP_MAX_ARTICLE_MB", raising=False)
    else:
        monkeypatch.setenv("FACTCMP_MAX_ARTICLE_MB", before)
    outside = max_article_bytes()
    with article_limit(2.5):
        assert max_article_bytes() == 2_500_000
        with article_limit(0):
            assert max_article_bytes() is None
        assert max_article_bytes() == 2_500_000
    assert os.environ.get("FACTCMP_MAX_ARTICLE_MB") == before
    assert max_article_bytes() == outside
    assert raise_limit_hint(49_500_001) == (
        "raise the limit: --max-article-mb 50 or FACTCMP_MAX_ARTICLE_MB=50 (0: no limit)"
    )
