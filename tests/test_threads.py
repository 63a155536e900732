"""Threads: --threads and $FACTCMP_THREADS parsed, applied to faiss, never importing torch."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from factcmp import threads
from factcmp.cli import cli
from factcmp.errors import ConfigError


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    """Each test starts from the default and leaves it behind (the count is process-wide)."""
    yield
    threads._chosen = None
    faiss = sys.modules.get("faiss")
    if faiss is not None:  # (the environment may still hold a test's bad value here)
        faiss.omp_set_num_threads(threads.DEFAULT_THREADS)


def test_flag_over_env_over_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(threads.ENV, raising=False)
    assert threads.resolve() == threads.DEFAULT_THREADS
    monkeypatch.setenv(threads.ENV, " 3 ")
    assert threads.resolve() == 3
    assert threads.resolve(2) == 2
    monkeypatch.setenv(threads.ENV, "")
    assert threads.resolve() == threads.DEFAULT_THREADS


@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5", "nan"])
def test_bad_env_value_names_the_variable_and_the_fix(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(threads.ENV, raw)
    with pytest.raises(ConfigError) as e:
        threads.resolve()
    message = str(e.value)
    assert f"FACTCMP_THREADS={raw!r}" in message
    assert "whole number of at least 1" in message
    assert f"FACTCMP_THREADS={threads.DEFAULT_THREADS} (the default)" in message


def test_bad_count_in_settings_names_the_flag() -> None:
    with pytest.raises(ConfigError, match="--threads='0'"):
        threads.resolve(0)


def test_use_applies_the_count_to_faiss(monkeypatch: pytest.MonkeyPatch) -> None:
    faiss = pytest.importorskip("faiss")
    monkeypatch.delenv(threads.ENV, raising=False)
    assert threads.use(2) == 2 and threads.current() == 2
    assert faiss.omp_get_max_threads() == 2
    assert threads.use() == threads.DEFAULT_THREADS
    assert faiss.omp_get_max_threads() == threads.DEFAULT_THREADS


def test_threads_never_imports_torch() -> None:
    """A warm run must not pay for torch: choosing and applying threads leaves it unimported."""
    code = (
        "import sys, faiss; from factcmp import threads; threads.use(2); "
        "from factcmp.align.neighbours import nearest_other; import numpy as np; "
        "nearest_other(np.eye(4, dtype=np.float32), np.arange(4), 2); "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "assert faiss.omp_get_max_threads() == 2"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_apply_torch_sets_torch_threads_once_imported() -> None:
    code = (
        "import torch; from factcmp import threads; threads.use(1); "
        "assert torch.get_num_threads() == 1, torch.get_num_threads()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--threads", "0"], {}, "--threads='0'"),
        (["--threads", "many"], {}, "--threads='many'"),
        ([], {"FACTCMP_THREADS": "-1"}, "FACTCMP_THREADS='-1'"),
    ],
)
@pytest.mark.parametrize("command", [["compare", "a", "b"], ["query", "topic", "a"]])
def test_cli_bad_threads_is_bad_usage(
    command: list[str], args: list[str], env: dict[str, str], named: str
) -> None:
    result = CliRunner().invoke(cli, [*command, *args], env=env)
    assert result.exit_code == 2, result.output
    assert named in result.stderr and "whole number of at least 1" in result.stderr
    assert "Traceback" not in result.output


def test_cli_threads_help_states_the_default() -> None:
    for command in ("compare", "query"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert "--threads N" in result.output
        assert f"default {threads.DEFAULT_THREADS}" in " ".join(result.output.split())
        assert "FACTCMP_THREADS" in result.output


def test_blas_follows_the_count_inside_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadpoolctl import threadpool_info

    monkeypatch.delenv(threads.ENV, raising=False)
    threads.use(1)
    with threads.blas():
        assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")


def test_the_flag_reaches_worker_processes_through_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ray's embedding actors are other processes: they see --threads only through the variable.
    import os
    import subprocess
    import sys

    from click.testing import CliRunner

    from factcmp.cli import cli

    monkeypatch.delenv("FACTCMP_THREADS", raising=False)
    CliRunner().invoke(cli, ["compare", "--threads", "3", "/nonexistent"])
    assert os.environ.get("FACTCMP_THREADS") == "3"
    child = subprocess.run(
        [sys.executable, "-c", "from factcmp import threads; print(threads.current())"],
        capture_output=True, text=True, check=True,
    )
    assert child.stdout.strip() == "3"
