"""Stage 6: put the output tree in place, exactly and only inside the output folder.

Everything is rendered and formatted before this stage runs, so a failure earlier leaves
the folder as it was. Here each changed file is written to a temporary sibling inside the
folder and renamed over the old one; files the new output no longer has are deleted, but
only those the generator wrote before (listed in the manifest), never a user's file.
An exclusive lock on the folder keeps two generators from interleaving their writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from .cache import bytes_digest
from .render import OutputFile, StoredGone, StoredOutput

MANIFEST = ".generator-manifest"


class WriteError(Exception):
    pass


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise WriteError(f"cannot use {folder} as the output folder: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class _Resolved:
    """Where paths below a folder lead, symlinks followed, each folder resolved once per
    write (a hundred files resolved whole took about a thousand `lstat` calls)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.root = folder, folder.resolve()
        self.folders: dict[PurePosixPath, Path] = {}

    def inside(self, relative: str) -> Path:
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or "\\" in relative or "\0" in relative:
            raise WriteError(f"refusing to write outside {self.folder}: {relative!r}")
        parent = self.folders.get(pure.parent)
        if parent is None:
            parent = self.folders[pure.parent] = (self.folder / pure.parent).resolve()
        target = parent / pure.name if pure.name else parent
        if target.is_symlink():
            target = target.resolve()
        if self.root != target and self.root not in target.parents:
            raise WriteError(f"refusing to write outside {self.folder}: {relative!r}")
        return target


def with_manifest(files: list[OutputFile]) -> list[OutputFile]:
    listing = "".join(f"{f.path}\n" for f in sorted(files, key=lambda f: f.path))
    return sorted([*files, OutputFile(MANIFEST, listing)], key=lambda f: f.path)


def read_manifest(folder: Path) -> list[str]:
    try:
        return [line for line in (folder / MANIFEST).read_text(encoding="utf-8").splitlines() if line]
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return []


def _missing(folder: Path) -> list[Path]:
    """The folders a `mkdir(parents=True)` of `folder` would make, deepest first."""
    out = []
    while not folder.exists() and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _write_temporary(path: Path, content: bytes, made: list[Path] | None = None) -> Path:
    """Write `content` beside `path` under a fresh name (never through a symlink);
    `made` gets the folders made for it, deepest first."""
    if made is not None:
        made[:0] = _missing(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with open(fd, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def encoded(text: str) -> bytes:
    """UTF-8 bytes of an output file. A lone surrogate (JSON allows `\\ud800`) cannot be
    encoded; it is written as its escape sequence rather than failing the run."""
    return text.encode("utf-8", "backslashreplace")


def _check_target(root: Path, relative: str, target: Path, folders: set[Path] | None = None) -> None:
    """`folders`: folders found fit to hold files during this write (each checked once)."""
    if target.is_dir():
        raise WriteError(f"cannot write {relative}: a directory is in the way")
    for parent in target.parents:
        if parent == root or (folders is not None and parent in folders):
            break
        if parent.exists() and not parent.is_dir():
            raise WriteError(f"cannot write {relative}: {parent.relative_to(root)} is a file")
        if folders is not None:
            folders.add(parent)


def write_tree(folder: Path, files: list[OutputFile], digests: dict[str, str] | None = None) -> list[str]:
    """Write `files` (manifest added) into `folder`; return the paths that changed.
    `digests`, if given, gets each file's `cache.text_digest`.

    Every path is checked before anything is written; then all changed files go to
    temporary siblings, and only when every one of them is on disk are they renamed into
    place. A failure before the renames removes the temporaries and leaves the folder as
    it was."""
    return prepare_write(folder, files, digests).commit()


class PreparedWrite:
    """A write with every changed file on disk beside its target, the folder locked;
    `commit` renames them into place, `abandon` removes them (the folder as it was)."""

    def __init__(self, folder: Path, lock: contextlib.ExitStack, root: Path, made: list[Path]) -> None:
        self.folder, self._lock, self.root = folder, lock, root
        self.pending: list[tuple[str, Path, Path]] = []
        self.stale: list[tuple[str, Path]] = []
        self.made = made  # folders this write made, deepest first (the output folder's too)

    def abandon(self) -> None:
        """Remove the temporaries and the folders made for them, then unlock."""
        for _, _, tmp in self.pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.pending = []
        for folder in self.made:
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._lock.close()

    def commit(self) -> list[str]:
        changed = []
        try:
            # The manifest goes last: until it is replaced, the old one still lists
            # everything a rerun may need to clean up.
            for path, target, tmp in sorted(self.pending, key=lambda p: p[0] == MANIFEST):
                os.replace(tmp, target)
                changed.append(path)
                self.pending.remove((path, target, tmp))
            for stale, target in self.stale:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
                    changed.append(stale)
                _remove_empty_parents(target.parent, self.root)
        except BaseException as exc:
            for _, _, tmp in self.pending:  # (those not renamed, and the folders made only for them)
                with contextlib.suppress(OSError):
                    tmp.unlink()
            for folder in self.made:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            if isinstance(exc, OSError):
                raise WriteError(f"writing into {self.folder} failed part way: {exc.strerror or exc}") from None
            raise
        finally:
            self._lock.close()
        return changed


def prepare_write(
    folder: Path,
    files: list[OutputFile],
    digests: dict[str, str] | None = None,
    on_disk: Callable[[str], str | None] | None = None,
) -> PreparedWrite:
    """All of `write_tree` up to the renames (see there): the caller commits or
    abandons it. A failure here leaves the folder as it was. `on_disk`: the digest of
    the bytes the file at a path holds, when known without reading it (the last run's
    stamp), else None (the file is read and compared)."""
    files = with_manifest(files)
    made = _missing(folder)
    lock = contextlib.ExitStack()
    lock.enter_context(locked(folder))
    prepared: PreparedWrite | None = None
    try:
        resolved = _Resolved(folder)
        prepared = PreparedWrite(folder, lock, resolved.root, made)
        old = set(read_manifest(folder))
        new = {f.path for f in files}
        targets = []
        fit: set[Path] = set()
        for f in files:
            target = resolved.inside(f.path)
            _check_target(resolved.root, f.path, target, fit)
            targets.append((f, target))
        for path in sorted(old - new):
            try:
                target = resolved.inside(path)
            except WriteError:
                continue  # a hand-edited manifest: never delete outside the folder
            if target.is_file() or target.is_symlink():
                prepared.stale.append((path, target))
        try:
            for f, target in targets:
                if isinstance(f, StoredOutput) and f.on_disk():
                    if digests is not None:
                        digests[f.path] = f.digest
                    continue  # the file holds it as it is (its text is not read)
                data = encoded(f.content)
                digest = bytes_digest(data) if digests is not None or on_disk is not None else ""
                if digests is not None:  # (cache.text_digest of the content, for the stamp)
                    digests[f.path] = digest
                known = on_disk(f.path) if on_disk is not None else None
                if known is not None:
                    if known == digest:
                        continue
                else:
                    try:
                        if target.read_bytes() == data:
                            continue
                    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                        pass
                prepared.pending.append((f.path, target, _write_temporary(target, data, prepared.made)))
        except (OSError, StoredGone) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else f"the cache lost the text of {exc}: run again"
            raise WriteError(f"cannot write into {folder}: {reason or exc}") from None
    except BaseException:
        if prepared is not None:
            prepared.abandon()  # (the temporaries and folders made so far, and the lock)
        else:
            lock.close()
            for made_folder in made:
                with contextlib.suppress(OSError):
                    made_folder.rmdir()
        raise
    return prepared


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def diff_tree(folder: Path, files: list[OutputFile]) -> str:
    """A unified diff from what is on disk to what would be written; empty when equal."""
    import difflib
    files = with_manifest(files)
    held = {f.path for f in files if isinstance(f, StoredOutput) and f.on_disk()}  # (as on disk: not read)
    new = {f.path: encoded(f.content).decode("utf-8") for f in files if f.path not in held}
    old_paths = set(read_manifest(folder)) | set(new)
    chunks: list[str] = []
    for path in sorted(old_paths - held):
        try:
            # (as written: no line ending translated, so a file saved with CRLF reads as changed)
            old_text = (folder / path).read_bytes().decode("utf-8")
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
