"""Stage 5: black, in process, with one pinned mode; plus the `.pyi` beside each module.

Black is the slowest stage by far (tens of KB per second), so it runs on as little
text as possible:

- templates write black's style (the built-in ones, and overlays that declare
  `black_style = true`): a chunk whose code lines all fit is taken as it is, and in a
  chunk with a line too wide only the innermost statements (or block headers) with
  such a line go through black, each alone at its depth (`_pieces`); `full` runs black
  over everything instead, and tests check that both give the same bytes;
- stubs are written in black's pyi style from the formatted module (stubs.py), with
  black only for the statements that fast path cannot lay out;
- a content-hash cache (see cache.py): a module whose rendered text was seen before
  gets its formatted text and stub back without running black;
- large modules are formatted chunk by chunk, split between top-level classes; black
  lays out each class independently of its neighbours, and between two top-level
  statements whose first ends in an indented body it always puts exactly two blank
  lines (one in a stub), so joining the formatted chunks with those gives black's own
  output byte for byte (tests/test_cache.py checks it against whole-file black).
  Chunks are cached one by one, so editing one operation reformats one class;
- when there is enough left to format, it goes to a pool of worker processes.
"""

from __future__ import annotations

import ast
import functools
import gc
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .cache import DISABLED, Cache, digest, generator_fingerprint, text_digest
from .diagnostics import Diagnostics, GenerationFailed, Level
from .imports import HEADER_STATEMENTS, PIECE_CHARS, PIECES_MIN_CHARS, parse, prune_imports, pruned, pruned_in_pieces, statement_start
from .layout import LINE_LENGTH

if TYPE_CHECKING:
    import black
from .render import OutputFile, RecalledOutput, StoredGone, StoredOutput
from .render_memo import text_key
from .prune_memo import Prepared, PruneMemo, docstring_lines
from .stub_memo import StubMemo
from .stubs import StubChunk, StubError, StubPart, derive_stub, fast_stub_chunks, joined_stub, run_cut, stub_part



@functools.cache
def black_modes() -> tuple[black.Mode, black.Mode]:
    """The module and stub modes. black is imported only when some text needs it (its
    import alone is a good part of a small run whose templates all emit its style)."""
    import black

    from black.mode import TargetVersion

    targets = {TargetVersion.PY310}
    return (
        black.Mode(target_versions=targets, line_length=LINE_LENGTH),
        black.Mode(target_versions=targets, line_length=LINE_LENGTH, is_pyi=True),
    )


def __getattr__(name: str) -> Any:
    if name in ("MODE", "STUB_MODE"):
        return black_modes()[name == "STUB_MODE"]
    raise AttributeError(name)

# Modules larger than this are split into chunks (smaller ones are one chunk).
CHUNK_MIN_CHARS = 32 * 1024
# Below this much unformatted text, a process pool costs more than it saves.
PARALLEL_MIN_CHARS = 192 * 1024
# The same for whole modules rendered in black's style (`map_large`): their work per
# character (mostly deriving the stub) is a fraction of black's, so forking the
# workers (a copy of a large heap each) pays off only for more of them.
MODULES_PARALLEL_MIN_CHARS = 384 * 1024
# A module rendered in black's style this large starts formatting in the pool as soon
# as it is rendered (see _Formatter.early).
EARLY_MIN_CHARS = 256 * 1024
# From this size, `early` derives a module's stub in two halves (see _SplitModule)
SPLIT_MIN_CHARS = 1024 * 1024
# From this size, a module formatted in the pool keeps the memos an edit reads (see
# _Formatter.memos).
MEMO_MIN_CHARS = 64 * 1024
# Chunks are sent to workers in batches of about this size.
BATCH_CHARS = 48 * 1024
# The digests of a formatted module and its stub, kept beside them (see _Formatter.stored)
DIGESTS_KIND = "module-digests"


def fits(text: str) -> bool:
    """Every code line is within black's line length, so black would not split any of
    them. Docstrings are skipped: black never wraps them, and the generator spells them
    as black does. (Text in black's style uses triple quotes for docstrings only, each
    starting its own line.) A line with non-ASCII text counts double width (wide
    characters take two columns)."""
    limit = LINE_LENGTH
    in_docstring = False
    for line in text.splitlines():
        if in_docstring:
            if line.rstrip().endswith('"""'):
                in_docstring = False
                # black moves closing quotes that would overflow onto a line of their own
                if len(line) > limit and line.strip() != '"""':
                    return False
            continue
        if len(line) > limit or (not line.isascii() and 2 * len(line) > limit):
            stripped = line.lstrip()
            if not stripped.startswith('"""'):
                return False
        stripped = line.strip()
        if stripped.startswith('"""'):
            in_docstring = len(stripped) < 6 or not stripped.endswith('"""')
    return True


def format_source(text: str, *, stub: bool = False) -> str:
    import black
    from black.report import NothingChanged

    try:
        return black.format_str(text, mode=black_modes()[stub])
    except NothingChanged:  # pragma: no cover - format_str does not raise it
        return text


def _mode_key() -> str:
    # black's modes are made by black_modes() from black's defaults: the generator's
    # source and black's version (both in the fingerprint) fix them, so the key needs
    # no import of black (a tenth of a second) when every module is in the cache.
    return digest(generator_fingerprint(), "black modes")


# --- chunking ---------------------------------------------------------------------


def _has_indented_tail(node: ast.stmt) -> bool:
    """A class whose formatted text surely ends in an indented line: black collapses a
    body that is a lone `...` or `pass` onto the `class` line in stubs."""
    if not isinstance(node, ast.ClassDef):
        return False
    if len(node.body) == 1:
        only = node.body[0]
        if isinstance(only, ast.Pass):
            return False
        if isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant):
            return False
    return True


class _Top(NamedTuple):
    """What split_chunks needs of a top-level statement."""

    block: bool  # a class or function
    tail: bool  # _has_indented_tail
    start: int  # first line, decorators included
    end: int | None


def _outline(body: list[ast.stmt], shift: int = 0) -> list[_Top]:
    return [
        _Top(
            isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)),
            _has_indented_tail(node),
            statement_start(node) + shift,
            None if node.end_lineno is None else node.end_lineno + shift,
        )
        for node in body
    ]


def split_chunks(text: str, tree: ast.Module | None = None) -> list[tuple[int, str]]:
    """Split a module into (first line, text) chunks at top-level class or function
    statements that follow a class with a body and at least one blank line. Joining
    the black-formatted chunks with two blank lines (one in a stub) is black's output."""
    if tree is None:
        tree = parse(text)
    return _split(text.splitlines(keepends=True), _outline(tree.body))


def _split(lines: list[str], body: list[_Top]) -> list[tuple[int, str]]:
    cuts: list[int] = []
    for prev, node in zip(body, body[1:]):
        if not node.block:
            continue
        if not prev.tail or prev.end is None:
            continue
        between = lines[prev.end : node.start - 1]
        if between and all(not line.strip() for line in between):
            cuts.append(node.start - 1)
    chunks = []
    begin = 0
    for cut in cuts:
        chunks.append((begin + 1, "".join(lines[begin:cut])))
        begin = cut
    chunks.append((begin + 1, "".join(lines[begin:])))
    return chunks


# --- formatting jobs --------------------------------------------------------------


@dataclass
class _ChunkError:
    message: str
    line: int


def _format_batch(batch: Sequence[tuple[str, bool]]) -> list[str | _ChunkError]:
    out: list[str | _ChunkError] = []
    for text, stub in batch:
        try:
            out.append(format_source(text, stub=stub))
        except Exception as exc:
            out.append(_ChunkError(str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__, _line_of(exc)))
    return out


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _Formatter:
    """Formats many chunks at once: cache first, then in process or in a pool."""

    def __init__(self, cache: Cache, parallel: bool | None) -> None:
        self.cache = cache
        self.parallel = parallel
        self.skipped = 0  # chunks taken as they are (already in black's style)
        self.full = False
        self._mode_key = ""
        self._pool: Any = None
        self._early: dict[tuple[str, str], Any] = {}  # (path, module_key) -> future of _module_in_worker
        self._keys: dict[tuple[str, bool, bool], tuple[str, str]] = {}  # module_key's, with their text
        # whether the output folder holds a file's bytes of this digest as they are, by
        # the last run's stamp (StoredOutput); None: not known
        self.on_disk: Callable[[str, str], bool] | None = None

    def module_key(self, f: OutputFile, stubs: bool = True) -> str:
        """The cache key of a module's formatted text and stub (taken once per text: the
        largest modules are looked up by `early` and again by format_files)."""
        if not self.cache.enabled:
            return ""
        taken_as_is = f.black_style and not self.full
        if isinstance(f, RecalledOutput):  # (known by its text's key: the text is not read)
            return digest(self.mode_key, "module", str(stubs), str(taken_as_is), f.key)
        known = self._keys.get((f.path, stubs, taken_as_is))
        if known is not None and known[0] is f.content:
            return known[1]
        key = digest(self.mode_key, "module", str(stubs), str(taken_as_is), text_key(f.content))
        self._keys[(f.path, stubs, taken_as_is)] = (f.content, key)
        return key

    def stored(self, path: str, key: str) -> list[OutputFile] | None:
        """The module and stub kept under `key` as StoredOutputs, when the output folder
        holds both as they are (`on_disk`): their digests are kept beside them (kind
        `module-digests`), their texts are read only when asked for."""
        if self.on_disk is None or not self.cache.mark_used("module", key):
            return None
        digests = self.cache.get_plain(DIGESTS_KIND, key)
        if not (type(digests) is list and len(digests) == 2 and all(type(d) is str for d in digests)):
            return None
        on_disk = self.on_disk
        paths = (path, path + "i")
        if not all(on_disk(p, d) for p, d in zip(paths, digests)):
            return None
        texts: list[tuple[str, str | None]] = []

        def read(index: int) -> str:
            if not texts:
                found = _formatted(self.cache, key)
                if found is None:  # (gone from the cache since: see render.StoredGone)
                    raise StoredGone(path)
                texts.append(found)
            return texts[0][index] or ""

        return [
            StoredOutput(p, d, functools.partial(read, i), functools.partial(on_disk, p, d))
            for i, (p, d) in enumerate(zip(paths, digests))
        ]

    def keep_digests(self, key: str, module: str, stub: str) -> None:
        """Keep the digests of a module and stub kept under `key` (see `stored`)."""
        if self.on_disk is not None:
            self.cache.put_plain(DIGESTS_KIND, key, [text_digest(module), text_digest(stub)])

    def early(self, f: OutputFile) -> None:
        """Start formatting a large module (and deriving its stub) in the pool at once,
        while the rest of the output renders."""
        size = f.size if isinstance(f, RecalledOutput) else len(f.content)
        if self.full or self.parallel is False or not (f.is_python and f.black_style) or size < EARLY_MIN_CHARS:
            return
        workers = _workers()
        key = self.module_key(f)
        if workers < 2 or self.cache.has("module", key):
            return
        pool = self._ensure_pool(workers)
        if size >= SPLIT_MIN_CHARS:
            self._early[(f.path, key)] = _SplitModule(pool, f.content, self.memos(f.content))
        else:
            self._early[(f.path, key)] = pool.submit(_module_in_worker, (f.content, True, self.memos(f.content)))

    def memos(self, content: str) -> _Memos | None:
        """The memos a worker reads and keeps as it formats a module and derives its
        stub, as `_format_files` does here, so that a regeneration after a run that
        formatted in the pool finds them: an edit then parses the edited module no
        more. Only for modules of MEMO_MIN_CHARS up: below, parsing again costs little."""
        if not self.cache.enabled or self.full or len(content) < MEMO_MIN_CHARS:
            return None
        return _Memos(PruneMemo(self.cache), StubMemo(self.cache, self.mode_key))

    def started(self, f: OutputFile) -> Any:
        """The future `early` started for this very text, if any."""
        return self._early.pop((f.path, self.module_key(f)), None)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    @property
    def mode_key(self) -> str:
        if not self._mode_key:
            self._mode_key = _mode_key()
        return self._mode_key

    def _key(self, text: str, stub: bool) -> str:
        return digest(self.mode_key, "pyi" if stub else "py", text)

    def run(self, chunks: list[tuple[str, bool]], styled: Sequence[bool] = ()) -> list[str | _ChunkError]:
        """Format each (text, is_stub) chunk. A chunk flagged in `styled` is already in
        black's style: taken as it is when its lines all fit, else only the statements
        with a line too wide go through black (see `_pieces`)."""
        jobs: list[tuple[str, bool]] = []  # what black (or the cache) must format
        plans: list[str | list[_Piece] | int] = []  # done, pieces, or the index of a job
        for i, (text, stub) in enumerate(chunks):
            if i < len(styled) and styled[i]:
                if fits(text):
                    plans.append(text.rstrip("\n") + "\n")
                    self.skipped += 1
                    continue
                pieces = _pieces(text)
                if pieces is not None:
                    for piece in pieces:
                        if piece.job is not None:
                            piece.job = len(jobs)
                            jobs.append((piece.source, False))
                    plans.append(pieces)
                    continue
            plans.append(len(jobs))
            jobs.append((text, stub))
        formatted = self._format_jobs(jobs)
        out: list[str | _ChunkError] = []
        for plan in plans:
            if isinstance(plan, str):
                out.append(plan)
            elif isinstance(plan, int):
                out.append(formatted[plan])
            else:
                out.append(_assemble(plan, formatted))
        return out

    def _format_jobs(self, jobs: list[tuple[str, bool]]) -> list[str | _ChunkError]:
        results: list[str | _ChunkError | None] = [None] * len(jobs)
        keys = [self._key(text, stub) if self.cache.enabled else "" for text, stub in jobs]
        todo: list[int] = []
        for i, key in enumerate(keys):
            hit = self.cache.get_plain("chunk", key) if key else None
            if isinstance(hit, str):
                results[i] = hit
            else:
                todo.append(i)
        size = sum(len(jobs[i][0]) for i in todo)
        use_pool = self.parallel if self.parallel is not None else size >= PARALLEL_MIN_CHARS
        workers = _workers()
        if todo and use_pool and workers > 1:
            formatted = self._in_pool([jobs[i] for i in todo], workers)
        else:
            formatted = _format_batch([jobs[i] for i in todo])
        for i, value in zip(todo, formatted):
            results[i] = value
            if isinstance(value, str) and keys[i]:
                self.cache.put_plain("chunk", keys[i], value)
        return [r if r is not None else _ChunkError("not formatted", 0) for r in results]

    def _ensure_pool(self, workers: int) -> Any:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fork: workers start with everything imported. (A fork server would give
            # smaller workers, but the peak is the parent's anyway, and its workers' CPU
            # time escapes the rusage of the generator's process.)
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            # Every object the workers inherit is frozen for the collector while they
            # fork (a fork pool starts them all at its first task): their full
            # collections then skip the parent's heap instead of walking all of it.
            gc.freeze()
            try:
                pool.submit(int)
            finally:
                gc.unfreeze()
            self._pool = pool
        return self._pool

    def map_large(
        self, function: Callable[[Any], Any], items: Sequence[Any], sizes: Sequence[int] = (), *, behind: bool = False
    ) -> list[Any] | None:
        """`function` over `items` (texts, unless `sizes` gives their sizes) in the
        worker pool, largest first; None when there is too little work for a pool to
        pay off (the caller then runs it here). `behind`: the tasks run at a lower
        priority than those `early` started (see _behind)."""
        sizes = sizes or [len(item) for item in items]
        workers = _workers()
        if self.parallel is False or workers < 2 or (self.parallel is None and sum(sizes) < MODULES_PARALLEL_MIN_CHARS):
            return None
        pool = self._ensure_pool(workers)
        order = sorted(range(len(items)), key=lambda i: -sizes[i])
        if behind:
            futures = {i: pool.submit(_behind, (function, items[i])) for i in order}
        else:
            futures = {i: pool.submit(function, items[i]) for i in order}
        return [futures[i].result() for i in range(len(items))]

    def _in_pool(self, chunks: list[tuple[str, bool]], workers: int) -> list[str | _ChunkError]:
        # Largest first, in batches, so that no worker is left with one big tail.
        order = sorted(range(len(chunks)), key=lambda i: -len(chunks[i][0]))
        batches: list[list[int]] = []
        current: list[int] = []
        size = 0
        for i in order:
            current.append(i)
            size += len(chunks[i][0])
            if size >= BATCH_CHARS:
                batches.append(current)
                current, size = [], 0
        if current:
            batches.append(current)
        pool = self._ensure_pool(workers)
        futures = [pool.submit(_format_batch, [chunks[i] for i in batch]) for batch in batches]
        out: list[str | _ChunkError] = [""] * len(chunks)
        for batch, future in zip(batches, futures):
            for i, value in zip(batch, future.result()):
                out[i] = value
        return out


# --- statements of a styled chunk -----------------------------------------------------


def _wrapper(depth: int) -> str:
    """Block headers that put a statement at `depth` (four spaces a level): black lays
    a simple statement out by its own text and depth alone, so it formats it the same
    inside these as inside the real blocks around it."""
    return "".join("    " * level + "if _:\n" for level in range(depth))


@dataclass
class _Piece:
    """Consecutive lines of a chunk: kept as they are (`job` None), or a statement that
    black formats alone, as job number `job`; `blank` is the lines before it."""

    text: str
    job: int | None = None
    blank: str = ""
    depth: int = 0
    first_line: int = 1
    header: bool = False  # a block header with a stand-in `pass` body to drop

    @property
    def source(self) -> str:
        return _wrapper(self.depth) + self.text


def _block_body(node: ast.stmt) -> list[ast.stmt] | None:
    """The body of a statement whose lines are its header then its body and nothing
    else (no `else:`, `except:`...), or None."""
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.With, ast.AsyncWith)):
        return node.body
    if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While)) and not node.orelse:
        return node.body
    return None


def _pieces(chunk: str) -> list[_Piece] | None:
    """Split a styled chunk so that black formats only the innermost statements with a
    line that does not fit, each alone at its depth. Everything else is black's output
    already, and blank lines between statements are the template's, in black's style.
    None when the chunk does not parse."""
    try:
        tree = parse(chunk)
    except SyntaxError:
        return None
    lines = chunk.splitlines(keepends=True)
    pieces: list[_Piece] = []
    done = 0  # lines consumed so far

    def keep(end: int) -> None:
        nonlocal done
        if end > done:
            pieces.append(_Piece("".join(lines[done:end])))
            done = end

    def walk(body: list[ast.stmt], depth: int) -> None:
        nonlocal done
        for node in body:
            start, end = statement_start(node) - 1, node.end_lineno or node.lineno
            inner = _block_body(node)
            if fits("".join(lines[start:end])):
                keep(end)
            elif inner and statement_start(inner[0]) - 1 > start:
                body_start = statement_start(inner[0]) - 1
                header = "".join(lines[start:body_start])
                if fits(header):
                    keep(body_start)
                else:
                    # the header alone, with a stand-in body black leaves on its own line
                    blank = "".join(lines[done:start])
                    pieces.append(_Piece(header + "    " * (depth + 1) + "pass\n", -1, blank, depth, start + 1, True))
                    done = body_start
                walk(inner, depth + 1)
                keep(end)
            else:
                blank = "".join(lines[done:start])
                pieces.append(_Piece("".join(lines[start:end]), -1, blank, depth, start + 1))
                done = end

    walk(tree.body, 0)
    keep(len(lines))
    return pieces


def _assemble(pieces: list[_Piece], formatted: list[str | _ChunkError]) -> str | _ChunkError:
    out = []
    for piece in pieces:
        if piece.job is None:
            out.append(piece.text)
            continue
        value = formatted[piece.job]
        if isinstance(value, _ChunkError):
            line = piece.first_line - 1 + value.line - piece.depth if value.line else 0
            return _ChunkError(value.message, line)
        wrapper = _wrapper(piece.depth)
        if not value.startswith(wrapper):  # pragma: no cover - black keeps the block headers
            return _ChunkError("black changed the lines around a statement", piece.first_line)
        value = value[len(wrapper) :].lstrip("\n")
        if piece.header:
            value = value[: value.rstrip("\n").rfind("\n") + 1]
        out.append(piece.blank + value)
    return "".join(out).rstrip("\n") + "\n"


def _line_of(exc: Exception) -> int:
    import re

    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno
    match = re.search(r"(\d+):(\d+)", str(exc))
    return int(match.group(1)) if match else 0


def _prepare(text: str, memo: PruneMemo | None = None) -> list[tuple[int, str]]:
    """Prune imports and split into chunks; raises SyntaxError on invalid Python. A
    large module is parsed a piece at a time (see imports.pruned_in_pieces), or taken
    from `memo` when its layout was prepared before (prune_memo.py)."""
    if len(text) >= PIECES_MIN_CHARS:
        found = _prepare_in_pieces(text, memo=memo)
        if found is not None:
            return found
    source, tree = pruned(text)
    if len(source) < CHUNK_MIN_CHARS:
        return [(1, source)]
    return split_chunks(source, tree)


def _prepare_in_pieces(text: str, size: int = PIECE_CHARS, memo: PruneMemo | None = None) -> list[tuple[int, str]] | None:
    """_prepare without the syntax tree of the whole module; None when the module does
    not parse in pieces."""
    key = memo.key(text) if memo is not None else None
    if key is not None:
        assert memo is not None
        known = memo.recall(key[0], text)
        if known is not None:
            source, outline = known
            return _chunks(source, [_Top(*top) for top in outline])
    docstrings: list[tuple[int, int]] = []
    body_start: list[int] = []  # (0-based) line of the first statement past the header
    lines = text.splitlines(keepends=True) if key is not None else []  # (pieces parse only ast's lines)

    def visit(body: list[ast.stmt], shift: int) -> list[_Top]:
        if key is not None:
            docstrings.extend(docstring_lines(body, shift, lines))
            if not body_start:
                body_start.extend(n.lineno - 1 + shift for n in body if not isinstance(n, HEADER_STATEMENTS))
        return _outline(body, shift)

    found = pruned_in_pieces(text, visit, size)
    if found is None:
        return None
    source, outlines, lost = found
    # only header lines went: every statement that split_chunks may cut before, or
    # after, is `lost` lines higher (header statements are neither)
    body = [top._replace(start=top.start - lost, end=None if top.end is None else top.end - lost) for tops in outlines for top in tops]
    if key is not None:
        assert memo is not None
        old_lines, new_lines = lines, source.splitlines(keepends=True)
        # pruning may change any line before the body (the memo matches all of them)
        end = body_start[0] if body_start else len(old_lines)
        head, pruned_head = "".join(old_lines[:end]), "".join(new_lines[: end - lost])
        memo.keep(key[0], key[1], docstrings, Prepared(head, pruned_head, [(top.block, top.tail, top.start, top.end) for top in body]))
    return _chunks(source, body)


def _chunks(source: str, body: list[_Top]) -> list[tuple[int, str]]:
    if len(source) < CHUNK_MIN_CHARS:
        return [(1, source)]
    return _split(source.splitlines(keepends=True), body)


def _format_all(
    formatter: _Formatter,
    items: list[tuple[str, list[tuple[int, str]]]],
    stub: bool,
    on_error: Callable[[str, str, int], None],
    styled: Sequence[bool] = (),
) -> list[str]:
    """Format the chunks of each (path, chunks) item; `styled[k]` says item k was
    rendered in black's style."""
    flat = [(text, stub) for _, chunks in items for _, text in chunks]
    flat_styled = [bool(styled and styled[k]) for k, (_, chunks) in enumerate(items) for _ in chunks]
    formatted = formatter.run(flat, flat_styled)
    out = []
    position = 0
    separator = "\n" if stub else "\n\n"
    for path, chunks in items:
        parts = []
        for first_line, _ in chunks:
            value = formatted[position]
            position += 1
            if isinstance(value, _ChunkError):
                on_error(path, value.message, first_line - 1 + value.line if value.line else 0)
                raise GenerationFailed
            parts.append(value)
        out.append(separator.join(parts))
    return out


def open_formatter(
    cache: Cache = DISABLED,
    *,
    full: bool = False,
    parallel: bool | None = None,
    on_disk: Callable[[str, str], bool] | None = None,
) -> _Formatter:
    """A formatter to start on large modules while the others render (`early`), then
    to hand to `format_files`, which closes it. `on_disk(path, digest)`: whether the
    output folder holds the file at `path` with bytes of that digest, unchanged since
    the last run (then a module and stub the cache holds are not read: StoredOutput)."""
    formatter = _Formatter(cache, parallel)
    formatter.full = full
    formatter.on_disk = on_disk if cache.enabled else None
    return formatter


def format_files(
    files: list[OutputFile],
    diagnostics: Diagnostics,
    *,
    stubs: bool = True,
    cache: Cache = DISABLED,
    parallel: bool | None = None,
    full: bool = False,
    formatter: _Formatter | None = None,
) -> list[OutputFile]:
    """Format every Python file and add its stub; a file black cannot parse is an error
    naming the template output and line (the template produced invalid Python).

    `parallel` None decides by the amount of work; True/False force it. `full` runs
    black over everything, even text rendered in black's style (for comparison)."""
    if formatter is None:
        formatter = open_formatter(cache, full=full, parallel=parallel)
    try:
        return _format_files(files, diagnostics, stubs, formatter)
    finally:
        formatter.close()


def _format_files(
    files: list[OutputFile], diagnostics: Diagnostics, stubs: bool, formatter: _Formatter
) -> list[OutputFile]:
    out: list[OutputFile] = []
    todo: list[tuple[OutputFile, str, list[tuple[int, str]]]] = []
    missed: list[tuple[OutputFile, str]] = []
    for f in files:
        if not f.is_python:
            out.append(f)
            continue
        key = formatter.module_key(f, stubs)
        stored = formatter.stored(f.path, key) if stubs else None
        if stored is not None:
            out += stored
            continue
        hit = _formatted(formatter.cache, key)
        if hit is not None:
            out.append(OutputFile(f.path, hit[0]))
            if stubs:
                out.append(OutputFile(f.path + "i", hit[1] or ""))
                formatter.keep_digests(key, hit[0], hit[1] or "")
            continue
        missed.append((f, key))
    # Large outputs: each module formatted and its stub derived in a worker, largest
    # first (the parent's path below takes any module a worker hands back).
    started = [formatter.started(f) if stubs else None for f, _ in missed]
    in_pool = None
    if stubs and not formatter.full:
        rest = [i for i, future in enumerate(started) if future is None]
        items = [(missed[i][0].content, missed[i][0].black_style, formatter.memos(missed[i][0].content)) for i in rest]
        found = formatter.map_large(_module_in_worker, items, [len(item[0]) for item in items], behind=any(started))
        if found is not None or any(started):
            in_pool = [None] * len(missed)
            for i, value in zip(rest, found or [None] * len(rest)):
                in_pool[i] = value
            for i, future in enumerate(started):
                if future is not None:
                    in_pool[i] = future.result()
    prune_memo = PruneMemo(formatter.cache) if formatter.cache.enabled else None
    for i, (f, key) in enumerate(missed):
        done = in_pool[i] if in_pool is not None else None
        if isinstance(done, tuple):
            module, stub_chunks = done
            stub = "\n".join(c.text for c in stub_chunks)
            out += [OutputFile(f.path, module), OutputFile(f.path + "i", stub)]
            formatter.cache.put_plain("module", key, [module, stub])
            continue
        try:
            chunks = _prepare(f.content, prune_memo)
        except SyntaxError as exc:
            _invalid(diagnostics, f.path, str(exc), _line_of(exc))
        todo.append((f, key, chunks))

    def on_error(path: str, message: str, line: int) -> None:
        _invalid(diagnostics, path, message, line)

    styled = [f.black_style and not formatter.full for f, _, _ in todo]
    modules = _format_all(formatter, [(f.path, chunks) for f, _, chunks in todo], False, on_error, styled)
    stub_texts: list[str | None] = [None] * len(todo)
    if stubs:
        stub_texts = list(_format_stubs(formatter, [f.path for f, _, _ in todo], modules, diagnostics))
    for (f, key, _), module, stub in zip(todo, modules, stub_texts):
        out.append(OutputFile(f.path, module))
        if stubs:
            out.append(OutputFile(f.path + "i", stub or ""))
        formatter.cache.put_plain("module", key, [module, stub])
    return sorted(out, key=lambda f: f.path)


def _formatted(cache: Cache, key: str) -> tuple[str, str | None] | None:
    """The formatted module and stub kept under `key`, or None."""
    hit = cache.get_plain("module", key)
    if isinstance(hit, list) and len(hit) == 2 and isinstance(hit[0], str) and (hit[1] is None or isinstance(hit[1], str)):
        return hit[0], hit[1]
    return None


def _prepare_stub(source: str) -> list[tuple[int, str]]:
    if len(source) < CHUNK_MIN_CHARS:
        return [(1, source)]
    return split_chunks(source)


def _format_stubs(formatter: _Formatter, paths: list[str], modules: list[str], diagnostics: Diagnostics) -> list[str]:
    """The stub of each formatted module: stubs.fast_stub_chunks writes most of it in
    black's style directly; only the chunks it flags go through black (and its cache)."""

    def black_line(text: str) -> str:
        value = formatter.run([(text, True)])[0]
        if isinstance(value, _ChunkError):
            raise ValueError(value.message)
        return value

    # Large outputs: each module's stub is derived in a worker (black called there
    # directly for the single statements the fast path leaves to it).
    in_pool = None if formatter.full else formatter.map_large(_stub_in_worker, modules)
    memo = StubMemo(formatter.cache, formatter.mode_key) if formatter.cache.enabled and in_pool is None else None
    parts: list[list[StubChunk]] = []
    for i, (path, module) in enumerate(zip(paths, modules)):
        try:
            if formatter.full:
                source = prune_imports(derive_stub(module))
                parts.append([StubChunk(text, True, line) for line, text in _prepare_stub(source)])
                continue
            found = in_pool[i] if in_pool is not None else _stub_chunks(module, black_line, memo)
            if isinstance(found, str):
                raise StubError(found)
            parts.append(found)
        except (StubError, SyntaxError) as exc:
            diagnostics.add("stub", Level.ERROR, f"cannot derive a stub for {path}: {exc}", file=path)
            raise GenerationFailed from None
    formatted = iter(formatter.run([(c.text, True) for chunks in parts for c in chunks if c.black]))
    out = []
    for path, chunks in zip(paths, parts):
        texts = []
        for chunk in chunks:
            value = next(formatted) if chunk.black else chunk.text
            if isinstance(value, _ChunkError):
                line = chunk.first_line - 1 + value.line if value.line else 0
                message = f"cannot format the stub {path}i: {value.message}"
                diagnostics.add("stub", Level.ERROR, message, file=path + "i", line=line)
                raise GenerationFailed
            texts.append(value)
        out.append("\n".join(texts))
    return out


def _stub_chunks(module: str, black_line: Callable[[str], str], memo: StubMemo | None) -> list[StubChunk]:
    """fast_stub_chunks, taken from `memo` when a module of the same skeleton had it."""
    key = memo.key(module) if memo is not None else None
    if key is None:
        return fast_stub_chunks(module, black_line)
    assert memo is not None
    found = memo.recall(key[0])
    if found is not None:
        return found
    dropped: list[tuple[int, int]] = []
    chunks = fast_stub_chunks(module, black_line, dropped=dropped)
    memo.keep(key[0], key[1], chunks, dropped)
    return chunks


def _behind(call: tuple[Callable[[Any], Any], Any]) -> Any:
    """Run `function(item)` in a pool worker at a lower priority (the worker keeps it).
    A module `early` started is the run's longest task and finishes last: the other
    modules fill the time around it instead of taking turns with it on a core (on
    OpenAI's spec, models.py then ends about 0.3 s sooner). Priority changes no output."""
    function, item = call
    try:
        if os.nice(0) < BEHIND_NICENESS:
            os.nice(BEHIND_NICENESS - os.nice(0))
    except OSError:  # pragma: no cover - not allowed here: run as it is
        pass
    return function(item)


BEHIND_NICENESS = 5


class _Memos(NamedTuple):
    """What a worker reads and keeps (see _Formatter.memos)."""

    prune: PruneMemo
    stub: StubMemo


def _module_in_worker(item: tuple[str, bool, _Memos | None]) -> tuple[str, list[StubChunk]] | None:
    """All of formatting one module rendered in black's style, and deriving its stub,
    in a pool worker: the steps of `_format_files` for one module, with black run here
    for what needs it. None sends the module down the parent's path instead (invalid
    Python, any surprise), which also reports errors with their lines."""
    content, styled, memos = item
    if not styled:
        return None
    module = _formatted_in_worker(content, memos)
    return None if module is None else _with_stub(module, memo=memos.stub if memos is not None else None)


def _formatted_in_worker(content: str, memos: _Memos | None = None) -> str | None:
    """The formatting half of _module_in_worker."""
    try:
        chunks = _prepare(content, memos.prune if memos is not None else None)
        parts = _Formatter(DISABLED, False).run([(text, False) for _, text in chunks], [True] * len(chunks))
    except Exception:
        return None
    if any(isinstance(part, _ChunkError) for part in parts):
        return None
    return "\n\n".join(parts)  # type: ignore[arg-type]


def _with_stub(
    module: str, chunks: list[StubChunk] | None = None, memo: StubMemo | None = None
) -> tuple[str, list[StubChunk]] | None:
    """The stub half of _module_in_worker (its chunks derived already, when given)."""
    try:
        if chunks is None:
            chunks = _stub_chunks(module, _black_stub, memo)
        return module, _black_chunks(chunks)
    except Exception:
        return None


def _black_chunks(chunks: list[StubChunk]) -> list[StubChunk]:
    return [StubChunk(_black_stub(c.text), False, c.first_line) if c.black else c for c in chunks]


def _stub_part_in_worker(item: tuple[str, bool]) -> tuple[StubPart, list[tuple[int, int]]] | None:
    """stub_part for the pool, its chunks laid out by black here where they need it,
    with the lines of `text` its stub never shows (for the stub memo)."""
    text, first = item
    dropped: list[tuple[int, int]] = []
    try:
        part = stub_part(text, _black_stub, first, dropped=dropped)
        if part is None:
            return None
        return part._replace(done=[(_black_chunks([chunk])[0], count) for chunk, count in part.done]), dropped
    except Exception:
        return None


class _SplitModule:
    """A module too large for one worker's turn (OpenAI's models, 2.6 MB): formatted
    in one pool task, and its stub derived in two, each from half of its lines, which
    the pool's two workers run at once. The halves are submitted from the pool's
    result thread as the formatting ends; `result` gives what _module_in_worker does.
    With `memos`, a stub remembered under the module's skeleton is taken instead, and
    one derived is kept. (Formatting in halves too would need the imports pruned after
    both.)"""

    def __init__(self, pool: Any, content: str, memos: _Memos | None = None) -> None:
        self._pool = pool
        self._memo = memos.stub if memos is not None else None
        self._key: tuple[str, list[tuple[int, int]]] | None = None
        self._recalled: list[StubChunk] | None = None
        self._stubs: list[Any] = []  # futures of the two stub parts
        self._cut = 0
        self._split = threading.Event()
        self._module = pool.submit(_formatted_in_worker, content, memos)
        self._module.add_done_callback(self._submit_halves)

    def _submit_halves(self, future: Any) -> None:
        try:
            module = future.result()
            if module is not None and self._memo is not None:
                self._key = self._memo.key(module)
                self._recalled = self._memo.recall(self._key[0]) if self._key is not None else None
            cut = None if module is None or self._recalled is not None else run_cut(module)
            if cut is not None:
                self._cut = cut
                self._stubs = [self._pool.submit(_stub_part_in_worker, (module[:cut], True))]
                self._stubs.append(self._pool.submit(_stub_part_in_worker, (module[cut:], False)))
        except BaseException:  # the pool shut down (the run failed elsewhere), or broke
            self._stubs = []
        finally:
            self._split.set()

    def result(self) -> tuple[str, list[StubChunk]] | None:
        module: str | None = self._module.result()
        if module is None:
            return None
        self._split.wait()
        if self._recalled is not None:
            return _with_stub(module, self._recalled)
        try:
            found = [future.result() for future in self._stubs]
            parts = [part for part, _ in found] if len(found) == 2 and None not in found else []
            chunks = joined_stub(parts, _black_stub) if parts else None
        except Exception:  # a half that could not come back (a syntax tree too deep to pickle)
            chunks = None
        if chunks is None:  # the whole stub derived here when the halves do not join
            return _with_stub(module, memo=self._memo)
        if self._memo is not None and self._key is not None:
            shift = module.count("\n", 0, self._cut)
            dropped = found[0][1] + [(first + shift, last + shift) for first, last in found[1][1]]
            self._memo.keep(self._key[0], self._key[1], chunks, dropped)
        return _with_stub(module, chunks)


def _black_stub(text: str) -> str:
    return format_source(text, stub=True)


def _stub_in_worker(module: str) -> list[StubChunk] | str:
    """fast_stub_chunks for the pool: a problem comes back as its message."""
    try:
        return fast_stub_chunks(module, _black_stub)
    except Exception as exc:
        return str(exc) or type(exc).__name__


def slow_stub(module: str) -> str:
    """The stub as black formats the whole stub source: what `_format_stubs` must
    reproduce byte for byte (tests compare the two)."""
    source = prune_imports(derive_stub(module))
    return "\n".join(_black_stub(text) for _, text in _prepare_stub(source))


def _invalid(diagnostics: Diagnostics, path: str, message: str, line: int) -> None:
    diagnostics.add(
        "render-invalid-python",
        Level.ERROR,
        f"rendered {path} is not valid Python: {message.splitlines()[0][:300] if message else '?'}",
        file=path,
        line=line,
    )
    raise GenerationFailed from None
