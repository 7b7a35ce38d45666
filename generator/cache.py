"""Content-addressed caches that make regeneration cheap.

Every entry is keyed by a SHA-256 of everything that can change its value, so a hit is
byte-identical to recomputing it:

- `validation`: the document's data -> openapi-spec-validator findings;
- `validation-parts`: per part of the document (path item, component), the findings of
  the validator's document-schema check, and per path item the trace and findings of
  its own checks' walk (validation_memo.py), so that an edit checks again only the
  parts it changed;
- `format`: a rendered module's text -> its formatted text and derived stub (the key
  covers black's version and mode and the generator's own source);
- `stub`: a formatted module's skeleton (its text without the contents of triple-quoted
  strings) -> its stub, for modules whose such strings no stub shows (stub_memo.py);
- `prune`: a large rendered module's layout (its skeleton and the lines of those
  strings) -> its header lines as pruned, and its statements' outline, for modules
  whose such strings are all docstrings (prune_memo.py);
- `render`: per built-in template and output file, the text last rendered with what the
  template read to render it (render_memo.py): taken again while those reads are equal;
- `load`: per spec file, its last load (text, data, lines, shared containers), so that
  an edit re-parses only the entry it changed (load_memo.py);
- `stamp`: per output folder, a digest of every input of a run (spec files, config,
  templates, generator source, tool versions) and of every file the run wrote, so that
  `check` on an unchanged spec compares digests instead of rendering.

The cache lives in a folder (default `.cache/generator/` beside the project's
pyproject.toml; `GENERATOR_CACHE_DIR` or `--cache-dir` override it). `--no-cache`
turns it off: nothing is read or written. Entries are written atomically, so
concurrent runs can share a folder; a damaged entry reads as a miss.

The folder is kept under a size (1 GiB; `GENERATOR_CACHE_MAX_MB` overrides it, 0 for no
limit): a run that rebuilt its model has a process of its own scan it, at most once an
hour, and delete the least recently used entries (`Cache.trim`); only files named as
entries are ever deleted. An entry read is marked used, at most once an hour.

This module imports nothing heavy: the `check` fast path runs with it alone.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import marshal
import os
import pickle
import re
import stat
import sys
import time
from pathlib import Path
from typing import Any, Iterable, NamedTuple

ENV_VAR = "GENERATOR_CACHE_DIR"
MAX_ENV_VAR = "GENERATOR_CACHE_MAX_MB"
MAX_BYTES = 1024 * 1024 * 1024
# An hour: how often a folder is scanned for trimming, how stale an entry's last-use
# time may get, and how old a leftover of an interrupted write must be to go.
HOUR = 3600
_TRIMMED = ".trimmed"  # touched when the folder was last scanned
DEFAULT_DIR = Path(".cache") / "generator"
# Bumped when the layout or meaning of entries changes.
CACHE_FORMAT = 1

PACKAGE_ROOT = Path(__file__).resolve().parent
# Distributions whose version can change what the generator writes or reports (the
# validator's findings depend on the schemas and resolution of the last four too).
TOOLS = (
    "black",
    "jinja2",
    "PyYAML",
    "openapi-spec-validator",
    "jsonschema",
    "openapi-schema-validator",
    "jsonschema-specifications",
    "referencing",
    "jsonschema-path",
)


def digest(*parts: str | bytes) -> str:
    """SHA-256 over the parts, each length-prefixed so that no two part lists collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def tree_digest(root: Path, pattern: str = "*", digests: Digests | None = None) -> str:
    """Digest of the relative paths and contents of every file below `root` (the same
    whether or not `digests` knows some of them)."""
    parts: list[str | bytes] = []
    if root.is_dir():
        digests = digests if digests is not None else Digests()
        listed = digests.listed[(os.path.abspath(root), pattern)] = _listing(root, pattern)
        for name in listed:
            parts += [name, digests.file(root / name)]
    return digest(*parts)


def _listing(root: Path, pattern: str) -> list[str]:
    """The files below `root` whose names match, by relative path, in order: what
    `sorted(root.rglob(pattern))` finds that is a file outside `__pycache__` (symlinked
    folders not entered), listed with os.walk, five times faster than through pathlib."""
    if "__pycache__" in root.parts:
        return []
    found: list[tuple[str, ...]] = []
    top = os.fspath(root)
    for folder, folders, names in os.walk(top):
        folders[:] = [f for f in folders if f != "__pycache__"]
        inner = os.path.relpath(folder, top)
        prefix = () if inner == os.curdir else tuple(inner.split(os.sep))
        for name in names:
            if name != "__pycache__" and fnmatch.fnmatchcase(name, pattern) and os.path.isfile(os.path.join(folder, name)):
                found.append((*prefix, name))
    return ["/".join(parts) for parts in sorted(found)]  # (as paths sort: part by part)


# A signature is trusted only for a file last changed before a moment that came before
# the signature was taken, by a clock tick at least: any later write then moves its
# mtime or ctime, even on a filesystem whose clock ticks coarsely (a second write
# within the same tick as the first would not). The moment is this long before, or the
# file system's own time read before the file was (`FsClock`, as git's index takes
# its own file's time).
SETTLED_NS = 2 * 10**9


class FsClock(NamedTuple):
    dev: int  # the file system whose clock was read (its files' st_dev)
    ns: int  # its time then, as it stamps a file


def fs_clock(folder: Path | None) -> FsClock | None:
    """The time of the file system of `folder` now, as a file made there reads it
    (None when none can be made)."""
    if folder is None:
        return None
    name = os.path.join(folder, f".clock-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.makedirs(folder, exist_ok=True)  # (the run writes its stamp there anyway)
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            st = os.fstat(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError:
        return None
    return FsClock(st.st_dev, min(st.st_mtime_ns, st.st_ctime_ns))


def _settled(st: os.stat_result, clock: FsClock | None) -> bool:
    """Whether a file of signature `st`, taken now (and after `clock` was read), is
    settled (see SETTLED_NS)."""
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    return time.time_ns() - changed >= SETTLED_NS or (clock is not None and st.st_dev == clock.dev and changed < clock.ns)


def _signature(st: os.stat_result) -> list[Any]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class Digests:
    """SHA-256 digests of files that skip reading a file whose stat signature (size,
    mtime, ctime, inode, device) is the one recorded with its digest before, as git's
    index does. `settled` collects the signatures worth recording for the next run.
    `clock`: the file system's time, read before any file here is: a file it reads
    then, last changed before that time, is settled at once."""

    def __init__(
        self,
        known: Any = None,
        clock: FsClock | None = None,
        read: dict[str, tuple[list[Any], bool]] | None = None,
        opened: dict[str, tuple[list[Any], bool]] | None = None,
    ) -> None:
        self.known: dict[str, Any] = known if isinstance(known, dict) else {}
        self.clock = clock
        # files the run read, each as it read them (`note_read`), and the signature of
        # each other file it opened, as it opened it (recording_reads), each with
        # whether it was settled then: what they hold now is not what the run's output
        # was made of when they changed since
        self.read = read or {}
        self.opened = opened or {}
        # the files each folder digested here held (tree_digest), by (folder, pattern)
        self.listed: dict[tuple[str, str], list[str]] = {}
        self.settled: dict[str, list[Any]] = {}
        # every file digested or made known here, settled or not: one digest serves
        # all the places that name a file (the spec is named by the config and read)
        self.seen: dict[str, list[Any]] = {}

    def file(self, path: Path | str) -> str:
        name = os.path.abspath(path)
        if name in self.opened and not os.path.exists(name):
            return _CHANGED_WHILE_READ  # (gone since the run opened it)
        taken = self.read.get(name)
        if taken is not None:
            as_read, settled_then = taken
            self.seen[name] = as_read
            if settled_then or self.known.get(name) == as_read:
                self.settled[name] = as_read
            return str(as_read[-1])
        st = os.stat(name)
        sig = _signature(st)
        for entry in (self.seen.get(name), self.known.get(name)):
            if isinstance(entry, list) and entry[:-1] == sig and isinstance(entry[-1], str):
                found: str = entry[-1]
                read = False
                break
        else:
            opened = self.opened.get(name)
            if opened is not None and (opened[0] != sig or not opened[1]):
                # changed since the run opened it, or may have been within a clock tick
                # unseen: recorded as then, with no digest any content has, so that
                # the next check finds it changed
                self.seen[name] = [*opened[0], _CHANGED_WHILE_READ]
                return _CHANGED_WHILE_READ
            found = file_digest(Path(name))
            read = True
        self.remember(name, st, found, settled=read and _settled(st, self.clock))
        return found

    def remember(self, name: str, st: os.stat_result, found: str, settled: bool = False) -> None:
        """The file `name`, of signature `st`, holds content of digest `found`: for this
        object's later questions, and to record if it is settled (`settled`: known so
        already; so is a signature recorded as settled before, with this digest)."""
        self.seen[name] = entry = [*_signature(st), found]
        if settled or self.known.get(name) == entry or _settled(st, None):
            self.settled[name] = entry


def _tool_versions() -> str:
    """Versions of the tools that shape the output, read from their dist-info folder
    names (cheaper than importing them or scanning with importlib.metadata)."""
    wanted = {t.lower().replace("-", "_") for t in TOOLS}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name[: -len(".dist-info")].partition("-")
                key = dist.lower().replace("-", "_").replace(".", "_")
                if key in wanted and key not in found:
                    found[key] = version
    return ",".join(f"{k}={v}" for k, v in sorted(found.items()))


_fingerprint: str | None = None


def remember_fingerprint(fingerprint: str) -> None:
    """Take the fingerprint the process this one was forked from worked out (the
    validator's child, forked before it was)."""
    global _fingerprint
    if _fingerprint is None and len(fingerprint) == 64:
        _fingerprint = fingerprint


def generator_fingerprint(digests: Digests | None = None) -> str:
    """One digest for the generator itself: its source, the Python version (ast.unparse
    output can change with it) and the versions of the tools it drives."""
    global _fingerprint
    if _fingerprint is None:
        _fingerprint = digest(
            str(CACHE_FORMAT), sys.version, _tool_versions(), tree_digest(PACKAGE_ROOT, "*.py", digests)
        )
    return _fingerprint


class Cache:
    """A folder of entries by kind and key; `Cache(None)` is the disabled cache."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._root = os.fspath(root) if root is not None else ""
        self.hits = 0
        self.misses = 0
        # plain entries to write once a keeper is forked (`put_plain_later`)
        self.later: list[tuple[str, str, Any]] = []

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None
        return self.root / kind / key[:2] / key[2:]

    def _file(self, kind: str, key: str) -> str:
        """`_path` as a string (a run reads a hundred entries: pathlib's joins cost more
        than the reads)."""
        return os.path.join(self._root, kind, key[:2], key[2:]) if len(key) > 2 else os.path.join(self._root, kind, key)

    def _read(self, kind: str, key: str) -> bytes:
        """The entry's bytes (OSError when it cannot be read), marked used."""
        fd = os.open(self._file(kind, key), os.O_RDONLY)
        try:
            size = _mark_used(fd)
            data = os.read(fd, size + 1)
            if len(data) != size:  # (changed since the fstat, or a short read: read on to the end)
                parts = [data]
                while chunk := os.read(fd, 1 << 20):
                    parts.append(chunk)
                data = b"".join(parts)
            return data
        finally:
            os.close(fd)

    def get(self, kind: str, key: str) -> Any:
        """The JSON value stored under (kind, key), or None."""
        if self.root is None:
            return None
        try:
            value = json.loads(self._read(kind, key))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.root is not None:
            self.put_bytes(kind, key, json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        if self.root is None:
            return None
        try:
            return self._read(kind, key)
        except OSError:
            return None

    def put_bytes(self, kind: str, key: str, value: bytes) -> None:
        if self.root is None:
            return
        path = self._file(kind, key)
        folder, name = os.path.split(path)
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            try:
                fd = os.open(tmp, flags, 0o666)
            except FileNotFoundError:  # (the entry's folder is made on first use)
                os.makedirs(folder, exist_ok=True)
                fd = os.open(tmp, flags, 0o666)
            with open(fd, "wb") as fh:
                fh.write(value)
            os.replace(tmp, path)
        except OSError:  # a cache that cannot be written is only a slower run
            pass

    def get_checked_marshal(self, kind: str, key: str) -> Any:
        """A value kept by `put_checked_marshal`; None when missing or damaged. For code
        and programs the interpreter runs as they are: damaged, they would run (or crash
        it), not fail to read, so the entry carries its own sha256."""
        payload = self.get_bytes(kind, key)
        if payload is None or len(payload) < 32 or hashlib.sha256(payload[32:]).digest() != payload[:32]:
            return None
        try:
            return marshal.loads(payload[32:])
        except (EOFError, ValueError, TypeError):
            return None

    def put_checked_marshal(self, kind: str, key: str, value: Any) -> None:
        data = marshal.dumps(value)
        self.put_bytes(kind, key, hashlib.sha256(data).digest() + data)

    def has(self, kind: str, key: str) -> bool:
        return self.root is not None and self._path(kind, key).is_file()

    def mark_used(self, kind: str, key: str) -> bool:
        """Whether the entry is there; if so, marked used as a read marks it (for an
        entry a run relies on without reading it)."""
        if self.root is None:
            return False
        try:
            fd = os.open(self._file(kind, key), os.O_RDONLY)
        except OSError:
            return False
        try:
            _mark_used(fd)
        finally:
            os.close(fd)
        return True

    def get_plain(self, kind: str, key: str) -> Any:
        """The plain data (see `plain_loads`) stored under (kind, key), or None."""
        payload = self.get_bytes(kind, key)
        try:
            return plain_loads(payload) if payload is not None else None
        except Exception:  # a damaged entry: a miss
            return None

    def put_plain(self, kind: str, key: str, value: Any) -> None:
        if self.root is not None:
            self.put_bytes(kind, key, plain_dumps(value))

    def put_plain_later(self, kind: str, key: str, value: Any) -> None:
        """`put_plain`, left to the run's keeper child (`write_later`): the next run
        wants the entry, this one does not wait for it."""
        if self.root is not None:
            self.later.append((kind, key, value))

    def take_later(self) -> list[tuple[str, str, Any]]:
        taken, self.later = self.later, []
        return taken

    def write_later(self, entries: Iterable[tuple[str, str, Any]] | None = None) -> None:
        """Write the entries left for later (by default those still held here)."""
        for kind, key, value in self.take_later() if entries is None else entries:
            self.put_plain(kind, key, value)

    def put_many(self, kind: str, items: Iterable[tuple[str, Any]]) -> None:
        for key, value in items:
            self.put(kind, key, value)

    def trim_due(self) -> bool:
        """Whether the folder was last scanned for trimming an hour ago or more."""
        if self.root is None:
            return False
        try:
            return time.time() - (self.root / _TRIMMED).stat().st_mtime >= HOUR
        except OSError:
            return True

    def trim(self, limit: int | None = None) -> int:
        """Delete the least recently used entries while the folder holds more than
        `limit` bytes (by default `max_bytes()`), down to three quarters of it, and the
        leftovers of writes interrupted an hour ago or more. Returns how many bytes went.
        Only files named as entries are touched (`kind/xx/<62 hex digits>`, and their
        `.<name>.<pid>.tmp`), so a cache folder set to one that holds other files loses
        none of them. A concurrent run that wanted an entry deleted here reads a miss."""
        if self.root is None:
            return 0
        limit = max_bytes() if limit is None else limit
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        removed = 0
        try:
            (self.root / _TRIMMED).touch()
        except OSError:
            return 0
        for bucket in _buckets(self.root):
            for entry in _listed(bucket):
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:  # gone meanwhile (a concurrent write renamed it)
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                if _ENTRY.fullmatch(entry.name):
                    entries.append((st.st_mtime, st.st_size, entry.path))
                elif _LEFTOVER.fullmatch(entry.name) and now - st.st_mtime >= HOUR:
                    removed += _unlink(entry.path, st.st_size)
        total = sum(size for _, size, _ in entries)
        if total <= limit:
            return removed
        for _, size, path in sorted(entries):
            if total <= limit * 3 // 4:
                break
            gone = _unlink(path, size)
            total -= gone
            removed += gone
        return removed

    def trim_in_background(self) -> None:
        """`trim` in a process of its own that no one waits for (a large folder takes
        seconds), when it is due; here, it only forks."""
        if self.root is None or not (self.trim_due() and hasattr(os, "fork")):
            return
        try:
            # (marked scanned here: a run that waits for this process then sees it so)
            (self.root / _TRIMMED).touch()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # (the pipes this process holds would keep its parent's reader waiting)
            try:
                os.closerange(3, _max_fd())
                self.trim()
            finally:
                os._exit(0)


_ENTRY = re.compile(r"[0-9a-f]{62}")
_LEFTOVER = re.compile(r"\.[0-9a-f]{62}\.[0-9]+\.tmp")
_KIND = re.compile(r"[a-z][a-z0-9-]*")
_BUCKET = re.compile(r"[0-9a-f]{2}")


def _listed(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            return list(found)
    except OSError:  # unreadable, or gone: nothing there to trim
        return []


def _buckets(root: Path) -> list[str]:
    """The folders of a cache's entries: `kind/xx` (real folders, not links)."""
    return [
        bucket.path
        for kind in _listed(os.fspath(root))
        if _KIND.fullmatch(kind.name) and kind.is_dir(follow_symlinks=False)
        for bucket in _listed(kind.path)
        if _BUCKET.fullmatch(bucket.name) and bucket.is_dir(follow_symlinks=False)
    ]


def _max_fd() -> int:
    try:
        limit = int(os.sysconf("SC_OPEN_MAX"))
    except (ValueError, OSError):
        limit = -1
    return limit if limit > 3 else 65536  # (-1: no limit stated)


def max_bytes() -> int:
    """The size the cache folder is trimmed to stay under (`GENERATOR_CACHE_MAX_MB`; 0,
    a negative or an infinite number means no limit)."""
    try:
        megabytes = float(os.environ[MAX_ENV_VAR])
    except (KeyError, ValueError):
        return MAX_BYTES
    if not 0 < megabytes < float("inf"):
        return sys.maxsize
    return min(sys.maxsize, int(megabytes * 1024 * 1024))


def _mark_used(fd: int) -> int:
    """Set an entry's modification time, its last use for `trim`, when it is an hour
    old or more (an entry read on every run costs one fstat, not a write); its size,
    as that fstat saw it (-1 when it failed)."""
    try:
        st = os.fstat(fd)
    except OSError:
        return -1
    try:
        if time.time() - st.st_mtime >= HOUR:
            os.utime(fd)
    except (OSError, NotImplementedError):
        pass
    return st.st_size


def _unlink(path: str, size: int) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return size


DISABLED = Cache(None)


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name}: plain data names no class or function")


# Marks a plain entry written by marshal (a pickle starts otherwise: b"\x80").
_MARSHALLED = b"marshal 4\n"


def plain_dumps(value: Any) -> bytes:
    """Plain data (containers and scalars) as bytes for `plain_loads`: marshal's, which
    keeps shared containers shared and reads about twice as fast as a pickle, else
    (a value marshal cannot write, or nested too deeply for it) a pickle."""
    try:
        return _MARSHALLED + marshal.dumps(value, 4)
    except ValueError:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def plain_loads(payload: bytes) -> Any:
    """The plain data of `plain_dumps`. A pickle is read by an unpickler that can name
    no class or function, so nothing but containers and scalars is built (neither
    format can run code as it is read)."""
    if payload.startswith(_MARSHALLED):
        return marshal.loads(memoryview(payload)[len(_MARSHALLED) :])
    return _PlainUnpickler(io.BytesIO(payload)).load()


class ConfigTables:
    """`[tool.generator]` tables (config.TableMemo) kept in the cache folder, by the
    bytes of the file each was read from and the Python reading them. A table marshal
    cannot hold (a TOML date) reads back as none: it is parsed each time."""

    KIND = "config"

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def _key(self, data: bytes) -> str:
        return digest(self.KIND, sys.version, bytes_digest(data))

    def get(self, data: bytes) -> dict[str, Any] | None:
        table = self.cache.get_plain(self.KIND, self._key(data))
        return table if type(table) is dict else None

    def put(self, data: bytes, table: dict[str, Any]) -> None:
        self.cache.put_plain(self.KIND, self._key(data), table)


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def default_root(project: Path | None) -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return (project if project is not None else Path.cwd()) / DEFAULT_DIR


# --- recording what a run reads ---------------------------------------------------

# Files read while a recording is active become inputs of the run. Source and
# compiled modules are left out: the generator fingerprint covers ours, tool versions
# cover the rest.
_NOT_INPUTS = (".py", ".pyc", ".pyi", ".so", ".pth", ".typed")
# Data files of installed packages (schemas, metadata read on import) and system files
# are covered by the tool versions in the fingerprint, not tracked one by one; the spec
# itself is always an input through the config, wherever it lives.
_NOT_INPUT_ROOTS = tuple(
    sorted({os.path.join(os.path.abspath(p), "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
) + ("/etc/", "/proc/", "/sys/", "/dev/", "/usr/share/", "/usr/lib/")
_recordings: list[set[str]] = []
_hooked = False
# the signature of each file a recording saw opened, as it was opened (the first time),
# and whether it was settled then
_opened: dict[str, tuple[list[Any], bool]] = {}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _recordings:
        return
    path, mode = args[0], args[1]
    if not isinstance(path, str) or not isinstance(mode, str):
        return
    if "r" not in mode or "+" in mode or path.endswith(_NOT_INPUTS):
        return
    path = os.path.abspath(path)
    if path.startswith(_NOT_INPUT_ROOTS) or ".dist-info" + os.sep in path or ".egg-info" + os.sep in path:
        return
    _count_read(path)


def record_input(path: Path | str) -> None:
    """Count the file at `path` among the inputs of the run recording its reads, one
    that `_audit` would leave out by its name or place (a code sample a `$ref` reads)."""
    if _recordings:
        _count_read(os.path.abspath(path))


def _count_read(path: str) -> None:
    for recording in _recordings:
        recording.add(path)
    if path not in _opened:
        try:
            st = os.stat(path)
        except OSError:
            return
        _opened[path] = (_signature(st), _settled_now(st))


class recording_reads:
    """`with recording_reads() as reads:` collects the paths of files opened for
    reading inside the block (spec files, referenced files, templates)."""

    def __enter__(self) -> set[str]:
        global _hooked
        if not _hooked:
            sys.addaudithook(_audit)
            _hooked = True
        self.reads: set[str] = set()
        if not _recordings:
            _opened.clear()  # (a run starts)
        _recordings.append(self.reads)
        return self.reads

    def __exit__(self, *exc: object) -> None:
        _recordings.remove(self.reads)


# --- the stamp: `check` without rendering -----------------------------------------

STAMP_FORMAT = 1


def _config_paths(config: Any) -> list[Path]:
    """Every file or folder the config names, except the output folder."""
    out: list[Path] = []
    for name in getattr(config, "__dataclass_fields__", {}):
        if name == "output":
            continue
        value = getattr(config, name)
        values = value if isinstance(value, (tuple, list)) else (value,)
        out += [v for v in values if isinstance(v, Path)]
    return out


def _path_digest(path: Path, digests: Digests) -> str:
    try:
        if path.is_dir():
            return "dir:" + tree_digest(path, "*", digests)
        return "file:" + digests.file(path)
    except OSError:
        return "missing"


def inputs_digest(config: Any, reads: Iterable[str], digests: Digests | None = None) -> str:
    """Everything a run's output depends on: the generator, the config (with the
    contents of every file and folder it names), the built-in templates, and every
    file the run read."""
    digests = digests if digests is not None else Digests()
    parts: list[str] = [str(STAMP_FORMAT), generator_fingerprint(digests), repr(config)]
    parts.append(tree_digest(PACKAGE_ROOT.parent / "templates", "*", digests))
    for path in _config_paths(config):
        parts += [str(path), _path_digest(path, digests)]
    for read in sorted(reads):
        parts += [read, _path_digest(Path(read), digests)]
    return digest(*parts)


def _stamp_key(config: Any) -> str:
    # one stamp per output folder, config as written (paths as given) and working
    # folder: the diagnostics it replays show the paths so
    cwd = os.getcwd()
    found = _stamp_keys.get((id(config), cwd))
    if found is not None and found[0] is config:
        return found[1]
    key = digest(str(STAMP_FORMAT), os.path.normpath(os.path.join(cwd, config.output)), repr(config), cwd)
    _stamp_keys[(id(config), cwd)] = (config, key)  # (a frozen config: asked of every output file)
    return key


_stamp_keys: dict[tuple[int, str], tuple[Any, str]] = {}


def text_digest(text: str) -> str:
    """Digest of an output file as written (write.py escapes lone surrogates the same way)."""
    return bytes_digest(text.encode("utf-8", "backslashreplace"))


def bytes_digest(data: bytes) -> str:
    """Digest of a file's bytes (`text_digest` of the text they encode)."""
    return hashlib.sha256(data).hexdigest()


def record_stamp(
    cache: Cache,
    config: Any,
    reads: Iterable[str],
    outputs: Iterable[tuple[str, str]],
    diagnostics: list[list[Any]],
    generated: int,
    digested: dict[str, str] | None = None,
) -> None:
    """Remember that `config` with these inputs produced `outputs` (path, content),
    which are now on disk exactly; `digested`: their `text_digest`s where known already."""
    if cache.root is None:
        return
    own = os.path.abspath(cache.root) + os.sep
    reads = sorted({r for r in reads if not r.startswith(own)})
    known, settled = _checked.get(_stamp_key(config), ({}, {}))
    # (the output folder's files are the outputs, checked by digest below, and files
    # the run wrote there, however it named them)
    outputs_root = os.path.join(os.path.realpath(config.output), "")
    opened = {
        name: entry
        for name, entry in _opened.items()
        if not name.startswith(own) and not os.path.realpath(name).startswith(outputs_root)
    }
    digests = Digests(known, read=_read_as, opened=opened)
    digested = digested or {}
    written = {path: digested.get(path) or text_digest(content) for path, content in outputs}
    root = Path(config.output)
    for path, expected in written.items():
        # the file on disk holds this content: written by this run, or left as it was
        # after being compared with it (an output read as an input too, the revision
        # record, is not digested again)
        try:
            st = os.stat(root / path)
        except OSError:
            continue
        digests.remember(os.path.abspath(root / path), st, expected)
    inputs = inputs_digest(config, reads, digests)
    if any(_listed_at_start.get(folder, listed) != listed for folder, listed in digests.listed.items()):
        inputs = _CHANGED_WHILE_READ  # a file added to or removed from a folder it read, while it ran
    stamp: dict[str, Any] = {
        "inputs": inputs,
        "reads": reads,
        "outputs": written,
        "diagnostics": diagnostics,
        "generated": generated,
    }
    # (with those the check settled: the generator's own files are digested there only)
    stamp["signatures"] = {**settled, **digests.settled}
    cache.put("stamp", _stamp_key(config), stamp)


# Per stamp key, the signatures `fresh_stamp` read, and those it settled: the run's
# own stamp takes them again rather than hash the same unchanged files twice.
_checked: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}


# Each file the run read through `note_read`: its signature as read, and the digest of
# the bytes read (record_stamp records these).
_read_as: dict[str, tuple[list[Any], bool]] = {}
_CHANGED_WHILE_READ = "changed while the run read it"
# the file system's clock as the run's stamp check read it (fresh_stamp), and the files
# each folder it digested held then
_run_clock: FsClock | None = None
_listed_at_start: dict[tuple[str, str], list[str]] = {}


def _settled_now(st: os.stat_result) -> bool:
    """Whether a file of signature `st`, taken now, is settled, by the clock the run's
    stamp check read too."""
    return _settled(st, _run_clock)


def note_read(path: Path | str, st: os.stat_result, data: bytes) -> None:
    """The run read `data` from the file at `path`, of signature `st`: the stamp records
    the file so, whatever it holds by then (an edit during the run shows as a change
    at the next check). Its digest is the stamp check's when the signature is one it
    trusted, else made here."""
    name = os.path.abspath(path)
    sig = _signature(st)
    for known, _ in _checked.values():
        entry = known.get(name)
        if isinstance(entry, list) and entry[:-1] == sig and isinstance(entry[-1], str):
            _read_as[name] = (entry, True)
            return
    _read_as[name] = ([*sig, bytes_digest(data)], _settled_now(st))


def known_digest(config: Any, path: Path, st: os.stat_result | None = None) -> str | None:
    """The digest of the file at `path` by the signatures `fresh_stamp` read for
    `config` (the last run's stamp), when the file is unchanged since; else None. `st`:
    the file's stat as read (an open file's), else it is taken now."""
    known = _checked.get(_stamp_key(config))
    entry = known[0].get(os.path.abspath(path)) if known is not None else None
    if not (isinstance(entry, list) and entry and isinstance(entry[-1], str)):
        return None
    if st is None:
        try:
            st = os.stat(path)
        except OSError:
            return None
    return entry[-1] if entry[:-1] == _signature(st) else None


def fresh_stamp(cache: Cache, config: Any) -> dict[str, Any] | None:
    """The stamp of the output folder when neither the inputs nor any output file
    changed since it was recorded (a hand edit shows as a changed digest)."""
    if not cache.enabled:
        return None
    key = _stamp_key(config)
    _checked.pop(key, None)
    _read_as.clear()  # (a run starts: what an earlier one read is not this one's)
    _listed_at_start.clear()
    for folder in [PACKAGE_ROOT.parent / "templates", *_config_paths(config)]:
        if folder.is_dir():  # (what each folder the stamp digests holds as the run starts)
            _listed_at_start[(os.path.abspath(folder), "*")] = _listing(folder, "*")
    global _run_clock
    _run_clock = fs_clock(cache.root)
    stamp = cache.get("stamp", key)
    if not isinstance(stamp, dict) or not isinstance(stamp.get("outputs"), dict):
        return None
    digests = Digests(stamp.get("signatures"), _run_clock)
    try:
        if stamp["inputs"] != inputs_digest(config, stamp["reads"], digests):
            return None
        root = Path(config.output)
        for path, expected in stamp["outputs"].items():
            if digests.file(root / path) != expected:
                return None
    except (OSError, KeyError, TypeError, ValueError):  # (a path with a NUL, say: a damaged stamp)
        return None
    finally:
        _checked[key] = ({**digests.known, **digests.settled}, digests.settled)
    if digests.settled != digests.known:  # files hashed this time are settled now
        cache.put("stamp", _stamp_key(config), {**stamp, "signatures": digests.settled})
    return stamp
