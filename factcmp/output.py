"""Where a report goes: standard output, or the ``-o`` target, and nothing clobbered on the way.

What ``-o PATH`` does depends on what ``PATH`` is, as with a shell's ``>`` but safer:

- a regular file, or nothing yet: the report is written to a temporary file beside it and
  renamed over it, so a reader sees the old file or the new one, never half; a symbolic link
  is followed, and the file it points to is replaced (the link stays a link);
- a FIFO or a character device (``/dev/null``, a terminal): written through, in place, as the
  user asked; the node itself is never replaced by a regular file;
- ``-``, ``/dev/stdout``, ``/dev/fd/1``: standard output;
- a folder, a block device or a socket: refused;
- one of the input files: refused by the CLI before anything runs (:func:`input_clash`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Literal

from .errors import OutputError

STDOUT_NAMES = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
"""``-o`` names that mean standard output itself (its open file, even in append mode)."""

Text = str | Iterable[str]
How = Literal["stdout", "through", "atomic"]


def _pieces(text: Text) -> Iterable[str]:
    return [text] if isinstance(text, str) else text


def target(path: Path) -> tuple[How, Path]:
    """How to write to ``path``, and the path to write (a link's target for ``"atomic"``).

    Raises:
        OutputError: ``path`` is a folder, a block device or a socket, a read-only file, or
            cannot be looked at.
    """
    if str(path) in STDOUT_NAMES:
        return "stdout", path
    try:
        mode = os.stat(path).st_mode  # follows links
    except (FileNotFoundError, NotADirectoryError):  # a new file (or a dangling link's target)
        return "atomic", Path(os.path.realpath(path))
    except OSError as e:
        raise OutputError(f"cannot write {path} ({e.strerror or e})") from e
    if stat.S_ISREG(mode):
        if not os.access(path, os.W_OK):
            raise OutputError(
                f"cannot write {path}: the file is read-only; make it writable (chmod u+w) or "
                "choose another file"
            )
        return "atomic", Path(os.path.realpath(path))
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return "through", path
    kind = "a folder" if stat.S_ISDIR(mode) else "a block device" if stat.S_ISBLK(mode) else (
        "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
    )
    raise OutputError(
        f"cannot write {path}: it is {kind}; -o takes a file name, a FIFO or a terminal"
    )


def input_clash(output: Path, inputs: Sequence[Path]) -> Path | None:
    """The input file that ``output`` is (the same file, by any name or link), if any."""
    if str(output) in STDOUT_NAMES:
        return None
    for path in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(output, path):
                return path
    return None


def read_as_article(output: Path, paths: Sequence[str | Path]) -> bool:
    """Whether a later run on the folders among ``paths`` would read ``output`` as an
    article: an article suffix, not hidden, not a note, inside one of those folders."""
    from .ingest.paths import ARTICLE_SUFFIXES, NOTES

    name = output.name
    if output.suffix.lower() not in ARTICLE_SUFFIXES or name.startswith(".") or (
        name.upper() in NOTES
    ):
        return False
    where = Path(os.path.realpath(output))
    for path in paths:
        folder = Path(os.path.realpath(path))
        if folder.is_dir() and folder in where.parents:
            return not any(p.startswith(".") for p in where.relative_to(folder).parts)
    return False


def write_atomic(path: Path, text: Text) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new, never half.

    The text goes to a temporary file in the same folder, is flushed to disk, then renamed
    over ``path`` (atomic on POSIX and Windows). The new file keeps the old one's permissions,
    or gets the usual ones (0666 less the umask) rather than ``mkstemp``'s private 0600.

    Raises:
        OSError: the folder cannot be created or written; ``path`` is then untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            write_synced(f, text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def current_umask() -> int:
    """The process's umask (read by setting it, then put back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


def write_synced(f: IO[str], text: Text) -> None:
    """Write ``text`` to the open file ``f`` and flush it to disk, so that a rename which
    makes the file visible afterwards never shows an empty or half-written file after a
    power loss."""
    for piece in _pieces(text):
        f.write(piece)
    f.flush()
    os.fsync(f.fileno())


def sync_folder(folder: Path) -> None:
    """Make the renames and new names in ``folder`` durable (POSIX; a no-op where a folder
    cannot be opened or synced)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_stdout(text: Text) -> None:
    """Write ``text`` to standard output and flush it.

    Raises:
        BrokenPipeError: the reader went away (``| head``); the caller exits quietly.
        OutputError: any other write error (``ENOSPC``: stdout is a full disk).
    """
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        raise OutputError(
            "standard output is closed; redirect it to a file (> report.txt) or use -o FILE"
        )
    try:
        for piece in _pieces(text):
            sys.stdout.write(piece)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        silence_stdout()
        raise OutputError(f"cannot write to standard output ({e.strerror or e})") from e


def silence_stdout() -> None:
    """Point file descriptor 1 at ``/dev/null`` so that Python's flush at exit, after a
    failed write, neither fails again nor prints 'Exception ignored'."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def write_report(text: Text, output: Path | None) -> None:
    """Send ``text`` to standard output or to ``output``, as the module docstring says.

    Raises:
        BrokenPipeError: standard output's reader went away.
        OutputError: ``output`` is refused or cannot be written; an existing regular file
            there is then untouched.
    """
    how, path = ("stdout", Path("-")) if output is None else target(output)
    if how == "stdout":
        write_stdout(text)
        return
    try:
        if how == "through":
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(_pieces(text))
        else:
            write_atomic(path, text)
    except OSError as e:
        named = e.filename and str(e.filename) not in (str(output), str(path))
        where = f"{e.filename}: " if named else ""
        raise OutputError(f"cannot write {output} ({where}{e.strerror or e})") from e
