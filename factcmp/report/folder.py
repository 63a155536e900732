"""Writing a stories run's folder: every file is written and flushed to disk in a temporary
folder beside the target, which then takes the target's place, so a crash, Ctrl-C or kill
never leaves half a result.

A target folder that already exists is replaced only when it looks like a previous stories
output (a ``stories.json`` and nothing but ``.json`` files) or is empty; anything else is
refused, as are a file, an input, and a folder holding an input. On Linux the old and the new
folder are swapped in one step (``renameat2(RENAME_EXCHANGE)``); elsewhere the old folder is
first moved aside, and a run killed between the two renames leaves it in ``.NAME.xxxxxxxx.old``,
from which the next run puts it back. Temporary folders of killed runs are removed by the next
run; those a running run still holds (an ``flock``) are left alone.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from ..errors import OutputError
from ..output import current_umask, sync_folder, write_synced

log = logging.getLogger(__name__)

INDEX = "stories.json"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _previous_output(folder: Path) -> bool:
    entries = list(folder.iterdir())
    return not entries or (
        any(e.name == INDEX for e in entries)
        and all(e.suffix == ".json" and e.is_file() and not e.is_symlink() for e in entries)
    )


def _prefix(out: Path) -> str:
    return f".{out.name[:200]}."


@contextlib.contextmanager
def _held(folder: Path) -> Iterator[bool]:
    """Lock ``folder`` for as long as the block runs; yields False when another process
    holds it (a run still writing there), True otherwise (also where flock does not exist)."""
    if sys.platform == "win32":
        yield True
        return
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def tidy(out: Path) -> None:
    """Clear up after earlier runs killed while writing ``out``: remove their temporary
    folders, and put back a previous output that a replace had moved aside when ``out`` is
    missing (else it is the replaced one, and removed). Folders in use are left alone, as is
    an ``.old`` folder that does not hold ``out``'s name."""
    pattern = re.compile(re.escape(_prefix(out)) + r"[a-z0-9_]{8}\.(tmp|old)")
    try:
        entries = sorted(out.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if not found or entry.is_symlink() or not entry.is_dir():
            continue
        with _held(entry) as mine:
            if not mine:
                continue
            kept = entry / out.name
            if found[1] == "old":
                if not kept.is_dir() and any(entry.iterdir()):
                    continue  # not what a replace leaves; not ours to remove
                if kept.is_dir() and not os.path.lexists(out):
                    os.replace(kept, out)
                    sync_folder(out.parent)
                    log.warning("%s was missing: put back the previous output, which a run "
                                "killed while replacing it had left in %s", out, entry)
            shutil.rmtree(entry, ignore_errors=True)


def check_target(out: Path, inputs: Sequence[Path]) -> bool:
    """Whether ``out`` can take the output; True when it exists and will be replaced.
    Leftovers of killed runs are cleared first (:func:`tidy`).

    Raises:
        OutputError: ``out`` is a file or another non-folder, an input or a folder holding
            one, or an existing folder that is not a previous stories output.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; -o names the folder to write "
                          "stories.json and one JSON per story into")
    target = out.resolve()
    for path in inputs:
        where = path.resolve()
        if where == target or target in where.parents:
            raise OutputError(f"{out} holds the input {path}; replacing it would destroy it. "
                              "Choose another folder")
    tidy(out)
    if not out.exists():
        return False
    try:
        reusable = _previous_output(out)
    except OSError as e:
        raise OutputError(f"{out}: cannot look inside ({e.strerror or e})") from e
    if not reusable:
        raise OutputError(
            f"{out} exists and is not a previous stories output (it holds files other than "
            f"{INDEX} and story .json files); choose a new folder, or remove it first"
        )
    return True


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``), so that ``b`` is never missing; False where the system or the file
    system cannot, and nothing is changed then.

    Raises:
        OSError: the swap was possible but failed (a permission, a missing folder).
    """
    if sys.platform != "linux":
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)  # glibc 2.28+
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _replace(new: Path, out: Path) -> None:
    """Put the folder ``new`` in the place of the existing folder ``out``, whose old
    content is removed."""
    if exchange(new, out):
        sync_folder(out.parent)
        shutil.rmtree(new, ignore_errors=True)  # now the old output
        return
    old = Path(tempfile.mkdtemp(prefix=_prefix(out), suffix=".old", dir=out.parent))
    try:
        with _held(old):
            os.replace(out, old / out.name)
            try:
                os.replace(new, out)
            except BaseException:
                os.replace(old / out.name, out)
                raise
            sync_folder(out.parent)
    finally:
        if os.path.lexists(out):  # else old holds the only copy, for the next run's tidy()
            shutil.rmtree(old, ignore_errors=True)


def write_folder(out: Path, files: Mapping[str, Iterable[str]], inputs: Sequence[Path]) -> None:
    """Write ``files`` (name -> text pieces) as the folder ``out``, replacing a previous
    output there (see :func:`check_target`) only once every file is on disk.

    Raises:
        OutputError: ``out`` may not be written (see :func:`check_target`).
        OSError: the files cannot be written; ``out`` is then untouched.
    """
    replace = check_target(out, inputs)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(out), suffix=".tmp", dir=out.parent))
    try:
        with _held(tmp):
            for name, pieces in files.items():
                with (tmp / name).open("w", encoding="utf-8") as f:
                    write_synced(f, pieces)
            os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp's folder is private (0700)
            sync_folder(tmp)
            if replace:
                check_target(out, inputs)  # still a previous output, not changed meanwhile
                _replace(tmp, out)
                log.info("replaced the previous stories output in %s", out)
            else:
                os.replace(tmp, out)
                sync_folder(out.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
