"""report.folder: the stories output folder is flushed to disk before it appears, replaces a
previous output without a moment when the folder is missing, and clears up after killed runs."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from factcmp.report import folder
from factcmp.report.folder import INDEX, exchange, write_folder

FILES = {INDEX: ['{"stories": []}', "\n"], "story-1.json": ["{}\n"]}


def previous(out: Path, text: str = "old") -> Path:
    out.mkdir(parents=True)
    (out / INDEX).write_text(text)
    return out


def test_every_file_is_synced_before_the_folder_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        assert {INDEX, "story-1.json"} <= set(synced), "renamed before the files were synced"
        real_replace(src, dst)

    real_replace = os.replace
    monkeypatch.setattr(os, "fsync", spy)
    monkeypatch.setattr(os, "replace", replace)
    write_folder(out, FILES, [])
    assert (out / INDEX).read_text() == '{"stories": []}\n'


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    a, b = previous(tmp_path / "a", "A"), previous(tmp_path / "b", "B")
    if not exchange(a, b):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    assert ((a / INDEX).read_text(), (b / INDEX).read_text()) == ("B", "A")
    with pytest.raises(FileNotFoundError):
        exchange(tmp_path / "missing", a)


def test_replace_never_leaves_the_folder_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = previous(tmp_path / "out")
    if not exchange(previous(tmp_path / "x"), previous(tmp_path / "y")):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    seen: list[bool] = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        real_replace(src, dst)
        seen.append(out.is_dir())

    monkeypatch.setattr(os, "replace", replace)
    write_folder(out, FILES, [])
    assert all(seen)
    assert (out / INDEX).read_text() == '{"stories": []}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "x", "y"]


def test_two_step_replace_puts_the_old_folder_back_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = previous(tmp_path / "out")
    monkeypatch.setattr(folder, "exchange", lambda a, b: False)
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == out and Path(src).name.endswith(".tmp"):
            raise OSError(5, "I/O error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        write_folder(out, FILES, [])
    assert (out / INDEX).read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    monkeypatch.setattr(os, "replace", real_replace)
    write_folder(out, FILES, [])  # the two steps, when nothing fails
    assert (out / INDEX).read_text() == '{"stories": []}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_kill_between_the_two_renames_is_recovered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What a kill after 'move the old folder aside' leaves: no out, the old output inside
    .out.xxxxxxxx.old. The next run puts it back (and then replaces it as usual)."""
    previous(tmp_path / ".out.abcd_123.old" / "out")
    out = tmp_path / "out"
    assert folder.check_target(out, []) is True
    assert (out / INDEX).read_text() == "old"
    assert "put back the previous output" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@contextlib.contextmanager
def held(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def test_leftovers_of_killed_runs_are_removed(tmp_path: Path) -> None:
    out = previous(tmp_path / "out")
    for name in (".out.aaaaaaaa.tmp", ".out.bbbbbbbb.old", ".out.cccccccc.tmp"):
        (tmp_path / name).mkdir()
        (tmp_path / name / INDEX).write_text("half")
    (tmp_path / ".out.bbbbbbbb.old" / "out").mkdir()  # replaced already: out exists
    (tmp_path / ".out.dddddddd.old").mkdir()
    (tmp_path / ".out.dddddddd.old" / "other").write_text("not a replace's")
    (tmp_path / ".out.x.tmp").mkdir()  # no name mkdtemp makes
    (tmp_path / ".outer.eeeeeeee.tmp").mkdir()  # another target's
    with held(tmp_path / ".out.cccccccc.tmp"):  # a run still writing
        write_folder(out, FILES, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".out.cccccccc.tmp", ".out.dddddddd.old", ".out.x.tmp", ".outer.eeeeeeee.tmp", "out"
    ]
