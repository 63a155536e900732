"""Writing a stories run's folder (the output side, kept out of the stage): every file is
written into a temporary folder beside the target, which is renamed into place at the end,
so a crash or Ctrl-C never leaves half a result.

A target folder that already exists is replaced only when it looks like a previous stories
output (a ``stories.json`` and nothing but ``.json`` files) or is empty; anything else is
refused, as are a file, an input, and a folder holding an input.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..errors import OutputError

log = logging.getLogger(__name__)

INDEX = "stories.json"


def _previous_output(folder: Path) -> bool:
    entries = list(folder.iterdir())
    return not entries or (
        any(e.name == INDEX for e in entries)
        and all(e.suffix == ".json" and e.is_file() and not e.is_symlink() for e in entries)
    )


def check_target(out: Path, inputs: Sequence[Path]) -> bool:
    """Whether ``out`` can take the output; True when it exists and will be replaced.

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


def write_folder(out: Path, files: Mapping[str, Iterable[str]], inputs: Sequence[Path]) -> None:
    """Write ``files`` (name -> text pieces) as the folder ``out``, replacing a previous
    output there (see :func:`check_target`) only once every file is written.

    Raises:
        OutputError: ``out`` may not be written (see :func:`check_target`).
        OSError: the files cannot be written; ``out`` is then untouched.
    """
    replace = check_target(out, inputs)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name[:200]}.", suffix=".tmp", dir=out.parent))
    try:
        for name, pieces in files.items():
            with (tmp / name).open("w", encoding="utf-8") as f:
                f.writelines(pieces)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's folder is private (0700)
        if replace:
            check_target(out, inputs)  # still a previous output, not changed meanwhile
            old = Path(tempfile.mkdtemp(prefix=f".{out.name[:200]}.", suffix=".old",
                                        dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
            log.info("replaced the previous stories output in %s", out)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    with contextlib.suppress(OSError):  # make the rename durable (POSIX)
        fd = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
