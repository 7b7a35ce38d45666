"""Stage 6: put the output tree in place, exactly and only inside the output folder.

Everything is rendered and formatted before this stage runs, so a failure earlier leaves
the folder as it was. Here each changed file is written to a temporary sibling inside the
folder and renamed over the old one; files the new output no longer has are deleted, but
only those the generator wrote before (listed in the manifest), never a user's file.
An exclusive lock on the folder keeps two generators from interleaving their writes.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from .render import OutputFile

MANIFEST = ".generator-manifest"


class WriteError(Exception):
    pass


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _inside(folder: Path, relative: str) -> Path:
    target = (folder / relative).resolve()
    root = folder.resolve()
    if root != target and root not in target.parents:
        raise WriteError(f"refusing to write outside {folder}: {relative!r}")
    return target


def with_manifest(files: list[OutputFile]) -> list[OutputFile]:
    listing = "".join(f"{f.path}\n" for f in sorted(files, key=lambda f: f.path))
    return sorted([*files, OutputFile(MANIFEST, listing)], key=lambda f: f.path)


def read_manifest(folder: Path) -> list[str]:
    try:
        return [line for line in (folder / MANIFEST).read_text(encoding="utf-8").splitlines() if line]
    except FileNotFoundError:
        return []


def _atomic_write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _check_target(root: Path, relative: str, target: Path) -> None:
    if target.is_dir():
        raise WriteError(f"cannot write {relative}: a directory is in the way")
    for parent in target.parents:
        if parent == root:
            break
        if parent.exists() and not parent.is_dir():
            raise WriteError(f"cannot write {relative}: {parent.relative_to(root)} is a file")


def write_tree(folder: Path, files: list[OutputFile]) -> list[str]:
    """Write `files` (manifest added) into `folder`; return the paths that changed.

    Every target is checked before the first byte is written, so a refusal leaves the
    folder as it was."""
    files = with_manifest(files)
    with locked(folder):
        root = folder.resolve()
        old = set(read_manifest(folder))
        new = {f.path for f in files}
        writes: list[tuple[str, Path, bytes]] = []
        for f in files:
            target = _inside(folder, f.path)
            _check_target(root, f.path, target)
            data = f.content.encode("utf-8")
            try:
                if target.read_bytes() == data:
                    continue
            except (FileNotFoundError, NotADirectoryError):
                pass
            writes.append((f.path, target, data))
        stale: list[tuple[str, Path]] = []
        for path in sorted(old - new):
            try:
                target = _inside(folder, path)
            except WriteError:
                continue  # a hand-edited manifest: never delete outside the folder
            if target.is_file() or target.is_symlink():
                stale.append((path, target))
        changed = []
        for path, target, data in writes:
            _atomic_write(target, data)
            changed.append(path)
        for path, target in stale:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
                changed.append(path)
            _remove_empty_parents(target.parent, root)
        return changed


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def diff_tree(folder: Path, files: list[OutputFile]) -> str:
    """A unified diff from what is on disk to what would be written; empty when equal."""
    files = with_manifest(files)
    new = {f.path: f.content for f in files}
    old_paths = set(read_manifest(folder)) | set(new)
    chunks: list[str] = []
    for path in sorted(old_paths):
        try:
            old_text = (folder / path).read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
            old_text = None
        new_text = new.get(path)
        if old_text == new_text:
            continue
        chunks.extend(
            difflib.unified_diff(
                (old_text or "").splitlines(keepends=True),
                (new_text or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if old_text is not None else "/dev/null",
                tofile=f"b/{path}" if new_text is not None else "/dev/null",
            )
        )
    return "".join(chunks)
