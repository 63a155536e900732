"""Which files to read: paths as given, folders walked for article files.

Every failure to look at a path (missing, permission denied, name too long, an unreadable
subfolder) is an :class:`~factcmp.errors.IngestError` that names the path and the fix; a
folder that cannot be read is never skipped in silence.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import IngestError

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".text", ".jsonl"})
"""Files read in a folder; a ``.jsonl`` file is a feed of many articles (:mod:`.jsonl`)."""
NOTES = frozenset({"README.MD", "GOLD.MD"})
"""Files in a corpus folder that describe it rather than being articles."""


def shown(path: Path | str, limit: int = 120) -> str:
    """``path`` for a message, its middle elided when very long (a 300-character name)."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"


def os_problem(path: Path, e: OSError) -> IngestError:
    """An ``OSError`` met on ``path`` as a message that names the path, the reason and a fix."""
    where = Path(e.filename) if e.filename else path
    if isinstance(e, FileNotFoundError):
        broken = path.is_symlink()
        return IngestError(
            f"{shown(path)}: no such file or folder"
            + ("; it is a symbolic link to a missing target" if broken else "")
        )
    if isinstance(e, PermissionError):
        return IngestError(
            f"{shown(where)}: permission denied; make it readable (chmod +r on files, "
            "chmod +rx on folders and the folders above them)"
        )
    if e.errno == errno.ELOOP:
        return IngestError(
            f"{shown(where)}: a loop of symbolic links; point the link at a file or folder"
        )
    if e.errno == errno.ENAMETOOLONG:
        return IngestError(f"{shown(where)}: file name too long for the file system; shorten it")
    return IngestError(f"{shown(where)}: cannot read ({e.strerror or e})")


def _folder_files(folder: Path) -> list[Path]:
    """The article files under ``folder`` (hidden folders and files, notes skipped), sorted.

    Raises:
        IngestError: a subfolder or file under ``folder`` cannot be listed or looked at: a
            silently skipped folder would make the comparison quietly incomplete.
    """
    problems: list[OSError] = []
    found: list[Path] = []
    todo = [folder]  # a stack, not recursion: os.walk hit the recursion limit 1,000 folders deep
    while todo:
        here = todo.pop()
        try:
            with os.scandir(here) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as e:
            problems.append(e)
            continue
        for entry in listed:
            name, p = entry.name, here / entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):  # linked folders are not followed
                    todo.append(p)
                    continue
            except OSError as e:
                problems.append(e)
                continue
            if p.suffix.lower() not in ARTICLE_SUFFIXES or name.upper() in NOTES:
                continue
            try:
                if stat.S_ISREG(p.stat().st_mode):
                    found.append(p)
            except FileNotFoundError:
                continue  # a broken link, or deleted while we looked
            except OSError as e:
                problems.append(e)
    if problems:
        problems.sort(key=lambda e: str(e.filename))
        first = problems[0]
        bad = Path(first.filename or folder)
        what = "the folder" if bad == folder else shown(bad)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise IngestError(
            f"{shown(folder)}: cannot read {what}{more} ({first.strerror or first}); make it "
            "readable (chmod +rx), or pass the files and folders you mean to compare"
        )
    return sorted(found)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders as their article files (sorted; hidden folders, hidden files
    and README/GOLD notes skipped).

    Raises:
        IngestError: a path does not exist or cannot be looked at, a folder or subfolder
            cannot be read, or a folder holds no article files.
    """
    files: list[Path] = []
    for raw in paths:
        if not str(raw).strip():
            raise IngestError(
                f"an empty path was given ({str(raw)!r}; an unset shell variable?); pass files "
                "or folders, '.' for the current folder"
            )
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except OSError as e:
            raise os_problem(path, e) from e
        if stat.S_ISDIR(mode):
            found = _folder_files(path)
            if not found:
                raise IngestError(
                    f"{shown(path)}: folder holds no article files "
                    f"({', '.join(sorted(ARTICLE_SUFFIXES))})"
                )
            files.extend(found)
        elif stat.S_ISREG(mode):
            files.append(path)
        else:
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or (
                stat.S_ISBLK(mode)
            ) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
            raise IngestError(
                f"{shown(path)}: {kind}, not an article file or folder; pass text files "
                f"({', '.join(sorted(ARTICLE_SUFFIXES))}) or folders of them"
            )
    return files


def unique_ids(ids: Sequence[str], paths: Sequence[str], explicit: Sequence[bool]) -> list[str]:
    """Article ids made unique: a file-name id (no ``id:`` header) shared with another article
    gets its folder name in front, ``delfi/putin`` and ``lsm/putin`` for ``delfi/putin.txt``
    and ``lsm/putin.txt``, or as many folders as it takes. Ids that clash with no other stay
    as they are. The result depends on the set of files only, not on their order.

    Raises:
        IngestError: the same file is passed twice, or two ``id:`` headers give the same id.
    """
    out = list(ids)
    groups: dict[str, list[int]] = {}
    for i, article_id in enumerate(ids):
        groups.setdefault(article_id, []).append(i)
    for members in groups.values():
        derived = [i for i in members if not explicit[i]]
        if len(members) < 2 or not derived:
            continue
        others = {x for j, x in enumerate(ids) if j not in members}
        folders = {i: Path(os.path.abspath(paths[i])).parent.parts[1:] for i in derived}
        for depth in range(1, max(len(f) for f in folders.values()) + 1):
            named = {i: "/".join((*folders[i][-depth:], ids[i])) for i in derived}
            if len(set(named.values())) == len(derived) and not others & set(named.values()):
                for i, name in named.items():
                    out[i] = name
                break
    seen: dict[str, int] = {}
    for i, article_id in enumerate(out):
        if article_id in seen:
            a, b = paths[seen[article_id]], paths[i]
            same = False
            try:
                same = os.path.samefile(a, b)
            except OSError:
                pass
            if same:
                raise IngestError(f"{a} and {b} are the same file; pass each file once")
            raise IngestError(
                f"two articles have the id {article_id!r}: {a} and {b}; give one of them "
                "another 'id:' header"
            )
        seen[article_id] = i
    return out
