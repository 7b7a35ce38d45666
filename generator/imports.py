"""Drop imported names a module never uses.

Templates import what a file might need; the renderer cannot know which runtime helpers
a given API ends up using. Pruning the rendered text keeps every module (and its stub)
free of unused imports, which strict type checkers reject.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .layout import from_import

def parse(source: str) -> ast.Module:
    """ast.parse with the cyclic garbage collector paused: a large module allocates
    hundreds of thousands of nodes, which trigger full collections that find nothing
    (a syntax tree holds no cycles) and cost about as much as the parse itself."""
    with paused_gc():
        return ast.parse(source)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: for code that allocates many objects that
    hold no cycles (syntax trees, their copies)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Fields that hold only context or operator nodes, which never contain a name (and a
# function's return annotation: a type expression, walked apart).
_NO_NAMES = frozenset({"ctx", "op"})
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f for f in cls._fields if f not in _NO_NAMES and f != "returns") for cls in (ast.FunctionDef, ast.AsyncFunctionDef)
}
_WORD = re.compile(r"\w+")  # \w is exactly str.isalnum() or "_"


def _used_names(tree: ast.AST) -> set[str]:
    """Names loaded anywhere in `tree`, and the names a type checker reads in strings:
    string annotations and other type expressions (`cast`'s type, a TypeVar's bound or
    constraints) and the names listed in `__all__`. Other strings (docstrings, paths,
    values) name nothing: a name that only they mention does not keep its import.

    The same names ast.walk would give, but walked by hand: on a large module
    ast.walk's generators cost several times the checks themselves. Type expressions
    are set aside as they are met, then walked once as such (`_TYPE_KINDS`)."""
    used: set[str] = set()
    typed: list[ast.AST] = []
    _walk([tree], used, typed)
    if typed:
        _walk(typed, used, [], _TYPE_KINDS)
    return used


def _walk(roots: list[Any], used: set[str], typed: list[ast.AST], kinds: dict[type, int] | None = None, depth: int = 0) -> None:
    """Add to `used` the names loaded in `roots`, and to `typed` their type expressions
    (and `__all__` values), which are not walked here. With `kinds` _TYPE_KINDS, the
    roots are type expressions: their strings are read as expressions (forward
    references; their words, when they are none), but not a `Literal`'s values."""
    stack: list[Any] = list(roots)
    pop, push, extend, aside = stack.pop, stack.append, stack.extend, typed.append
    fields_of = _FIELDS
    kinds = _KINDS if kinds is None else kinds
    while stack:
        node: Any = pop()
        cls = type(node)
        kind = kinds.get(cls)
        if kind is not None:
            if kind == _NAME:
                if isinstance(node.ctx, ast.Load):
                    used.add(node.id)
                continue
            if kind == _NOTHING:
                continue
            if kind == _ANNOTATED:
                aside(node.annotation)
                push(node.target)
                if node.value is not None:
                    (aside if lists_all(node.target) else push)(node.value)
                continue
            if kind == _ARGUMENT:
                if node.annotation is not None:
                    aside(node.annotation)
                continue
            if kind == _CALL:
                func = node.func
                called = func.id if type(func) is ast.Name else func.attr if type(func) is ast.Attribute else ""
                if called == "cast" or called == "TypeVar":
                    _call_types(node, called, push, extend, typed)
                    continue
            elif kind == _OTHER:
                if _set_aside(node, cls, extend, typed):
                    continue
            elif kind == _STRING:  # (in a type expression)
                if isinstance(node.value, str) and depth < 8:
                    try:
                        inner = ast.parse(node.value.strip(), mode="eval").body
                    except (SyntaxError, ValueError):
                        used.update(_WORD.findall(node.value))
                    else:
                        _walk([inner], used, [], _TYPE_KINDS, depth + 1)
                continue
            else:  # a subscript in a type expression: a Literal's values are values
                value = node.value
                if (type(value) is ast.Name and value.id == "Literal") or (type(value) is ast.Attribute and value.attr == "Literal"):
                    push(value)
                    _walk([node.slice], used, [])  # (its names are read; its strings are values)
                    continue
        fields = fields_of.get(cls)
        if fields is None:
            fields = fields_of[cls] = tuple(f for f in getattr(cls, "_fields", ()) if f not in _NO_NAMES)
        for field in fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                extend(value)
            elif isinstance(value, ast.AST):
                push(value)


def _call_types(node: Any, called: str, push: Callable[[Any], None], extend: Callable[[Any], None], typed: list[ast.AST]) -> None:
    """A call of `cast` (its first argument is a type) or `TypeVar` (its constraints and
    bound are): those in `typed`, the rest pushed."""
    push(node.func)
    if called == "cast":
        typed.extend(node.args[:1])
        extend(node.args[1:])
        extend(node.keywords)
        return
    typed.extend(node.args[1:])  # (the first is the variable's own name)
    for keyword in node.keywords:
        (typed.append if keyword.arg == "bound" else push)(keyword.value)


def _set_aside(node: Any, cls: type, extend: Callable[[Any], None], typed: list[ast.AST]) -> bool:
    """An assignment to `__all__` (its value lists names: in `typed`, the targets
    pushed; True), or a function (its return annotation in `typed`; False: its other
    fields are walked as any node's, `returns` not among them)."""
    if cls is ast.Assign or cls is ast.AugAssign:
        targets = node.targets if cls is ast.Assign else [node.target]
        if any(lists_all(t) for t in targets):
            typed.append(node.value)
            extend(targets)
            return True
        return False
    if node.returns is not None:
        typed.append(node.returns)
    return False


def lists_all(target: ast.AST) -> bool:
    """Whether an assignment's target is `__all__`."""
    return isinstance(target, ast.Name) and target.id == "__all__"


# What _walk does with a node of each class it treats apart (any other is walked
# through its fields): a name, nothing to walk (a constant, and the str or None a
# list of fields may hold), an annotated name, an argument, a call (of `cast` or
# `TypeVar`, or any), an assignment or a function (see _set_aside).
_NAME, _NOTHING, _ANNOTATED, _ARGUMENT, _CALL, _OTHER, _STRING, _SUBSCRIPT = range(1, 9)
_KINDS: dict[type, int] = {
    ast.Name: _NAME,
    ast.Constant: _NOTHING,
    str: _NOTHING,
    type(None): _NOTHING,
    ast.AnnAssign: _ANNOTATED,
    ast.arg: _ARGUMENT,
    ast.Call: _CALL,
    ast.Assign: _OTHER,
    ast.AugAssign: _OTHER,
    ast.FunctionDef: _OTHER,
    ast.AsyncFunctionDef: _OTHER,
}
# In a type expression: its strings, and `Literal[...]`.
_TYPE_KINDS: dict[type, int] = {ast.Name: _NAME, ast.Constant: _STRING, str: _NOTHING, type(None): _NOTHING, ast.Subscript: _SUBSCRIPT}


def prune_imports(source: str, tree: ast.Module | None = None) -> str:
    """`source` without the imported names it never uses; `tree` is its syntax tree,
    when the caller has it already. Returns `source` itself when nothing is unused."""
    return pruned(source, tree)[0]


def pruned(source: str, tree: ast.Module | None = None, used: set[str] | None = None) -> tuple[str, ast.Module | None]:
    """prune_imports, and the syntax tree of its result when that is `source` (None
    when imports were removed and the text changed), so callers need not parse again.
    `used`, when given, is the set of names the module uses (else read from `tree`)."""
    if tree is None:
        tree = parse(source)
    if used is None:
        used = _used_names(tree)
    text, _ = _prune(source, tree.body, _body_start(tree.body), used)
    return (source, tree) if text is source else (text, None)


# the statements a module's header may hold (`if TYPE_CHECKING:` blocks, its docstring)
HEADER_STATEMENTS = (ast.Import, ast.ImportFrom, ast.If, ast.Expr)


def statement_start(node: ast.stmt) -> int:
    """A statement's first line, its decorators' included."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno] + [d.lineno for d in decorators])


def _body_start(body: list[ast.stmt]) -> int | None:
    """The (0-based) line of the first statement that is not an import, an `if` or a
    bare expression, None when there is none."""
    return next((n.lineno - 1 for n in body if not isinstance(n, HEADER_STATEMENTS)), None)


def _prune(source: str, body: list[ast.stmt], body_start: int | None, used: set[str]) -> tuple[str, int]:
    """`source` without the unused names of the imports in `body` (top-level statements;
    only imports and `if` blocks matter), and the number of lines its header lost (0,
    and `source` itself, when nothing changed). Every change is in the header: the lines
    up to `body_start` or the last changed import, whichever is further. An import that
    shares a line with another statement is left as it is."""
    lines: list[str] = []  # (split once an import is to change)

    def alone(stmt: ast.stmt) -> bool:
        if not lines:
            lines.extend(ast_lines(source))
        return on_own_lines(lines, stmt)

    def indent(stmt: ast.stmt) -> str:  # (as written: tabs stay tabs)
        return lines[stmt.lineno - 1].encode("utf-8", "surrogatepass")[: stmt.col_offset].decode("utf-8", "surrogatepass")

    edits: list[tuple[int, int, str]] = []
    for node in body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks
            candidates = node.body
        else:
            candidates = [node]
        removed = 0
        for stmt in candidates:
            if isinstance(stmt, ast.Import):
                if all(a.asname is None for a in stmt.names) and not any(
                    a.name.split(".")[0] in used for a in stmt.names
                ) and alone(stmt):
                    edits.append((stmt.lineno - 1, stmt.end_lineno or stmt.lineno, ""))
                    removed += 1
                continue
            if not isinstance(stmt, ast.ImportFrom) or stmt.module == "__future__":
                continue
            keep = [a for a in stmt.names if (a.asname or a.name) in used or a.asname == a.name]
            if len(keep) == len(stmt.names) or not alone(stmt):
                continue
            text = ""
            if keep:
                names = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in keep]
                text = from_import(f"{'.' * stmt.level}{stmt.module or ''}", names, indent(stmt)) + "\n"
            else:
                removed += 1
            edits.append((stmt.lineno - 1, stmt.end_lineno or stmt.lineno, text))
        if isinstance(node, ast.If) and removed == len(node.body):  # a block left empty keeps a `pass`
            start, end, _ = edits[-1]
            edits[-1] = (start, end, indent(node.body[-1]) + "pass\n")
    if not edits:
        return source, 0
    header_end = max(len(lines) if body_start is None else body_start, max(end for _, end, _ in edits))
    old_end = header_end
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = [text] if text else []
        header_end -= (end - start) - (1 if text else 0)
        if not text:
            header_end -= _join_blank_runs(lines, start)
    header = "".join(lines[:header_end])  # (a kept import may now take several lines)
    return header + "".join(lines[header_end:]), old_end - len(ast_lines(header))


def ast_lines(source: str) -> list[str]:
    """The lines of `source`, ends kept, as ast numbers them (\\n, \\r\\n and \\r only)."""
    if not _OTHER_BREAKS.search(source):
        return source.splitlines(keepends=True)
    return _AST_LINE.findall(source)


_AST_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def on_own_lines(lines: list[str], stmt: ast.stmt, shift: int = 0) -> bool:
    """Whether no other statement shares the lines of `stmt` (a comment may follow it);
    `lines` are those of the text it was parsed from, `shift` lines on."""
    before = lines[stmt.lineno - 1 + shift].encode("utf-8", "surrogatepass")[: stmt.col_offset]
    end = stmt.end_lineno or stmt.lineno
    after = lines[end - 1 + shift].encode("utf-8", "surrogatepass")[stmt.end_col_offset :].strip()
    return not before.strip() and (not after or after.startswith(b"#"))


def _join_blank_runs(lines: list[str], at: int) -> int:
    """Where a statement's lines were taken out before line `at`, the blank lines above
    and below it meet: keep as many as the larger run (two imports one blank line apart
    stay so; the last import before a class keeps the class's two). Returns how many
    lines went. A run that touches a statement is never inside a string."""
    low = at
    while low > 0 and lines[low - 1] == "\n":
        low -= 1
    high = at
    while high < len(lines) and lines[high] == "\n":
        high += 1
    extra = (high - low) - max(at - low, high - at)
    del lines[low : low + extra]
    return extra


# --- large modules, a piece at a time ------------------------------------------------
#
# The syntax tree of a module takes about 80 times its text (220 MB for the 2.6 MB
# models module of a large API), so large modules are parsed a piece at a time, each
# tree dropped before the next is made. Pieces begin at top-level `class`, `def` or
# decorator lines after a blank line, as the templates lay modules out. A line that
# merely looks like one (inside a string or brackets) leaves a piece that ends inside
# that string or bracket, which does not parse: the caller then parses the whole.
# When every piece parses, their statements are exactly the module's: the tokenizer is
# at the start of a top-level statement at each cut, and no statement continues with
# a `class`, `def`, `async` or `@` line.

# Modules from PIECES_MIN_CHARS up are parsed in pieces of about PIECE_CHARS (one
# piece, when smaller: that still spares parsing again after pruning).
PIECES_MIN_CHARS = 32 * 1024
PIECE_CHARS = 64 * 1024

# line breaks str.splitlines knows besides "\n" (ast numbers lines by \n, \r\n and \r
# only): text with any of them is parsed whole, whose line arithmetic is what it is
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_HEADS = ("class ", "def ", "async def ", "@")


def has_other_breaks(source: str) -> bool:
    """Whether `source` holds a line break that ast does not number lines by."""
    return _OTHER_BREAKS.search(source) is not None


def piece_lines(source: str) -> list[str] | None:
    """The lines of `source` (str.splitlines, ends kept) when its lines are the ones ast
    numbers, else None."""
    if _OTHER_BREAKS.search(source):
        return None
    return source.splitlines(keepends=True)


def can_start_piece(lines: list[str], i: int) -> bool:
    return i > 0 and lines[i].startswith(_HEADS) and not lines[i - 1].strip()


def pieces(lines: list[str], size: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(begin, end) line ranges that cover `lines`, each of at least `size` characters
    (the last one may be shorter) and each but the first beginning where
    `can_start_piece`."""
    out = []
    begin = 0
    count = 0
    for i, line in enumerate(lines):
        if count >= size and can_start_piece(lines, i):
            out.append((begin, i))
            begin, count = i, 0
        count += len(line)
    out.append((begin, len(lines)))
    return out


T = TypeVar("T")


def pruned_in_pieces(
    source: str, visit: Callable[[list[ast.stmt], int], T], size: int = PIECE_CHARS
) -> tuple[str, list[T], int] | None:
    """prune_imports of a large module, parsed a piece at a time: `visit(body, shift)`
    sees the top-level statements of each piece (line numbers `shift` lines short of
    the module's) before its tree is dropped. Returns the pruned text, what `visit`
    returned for each piece, and how many lines the pruned text lost, all from the
    header: a statement of the pruned text that begins at or after the first one that
    is not an import, an `if` or a bare expression is that many lines higher. None when
    the module does not parse in pieces (it may still parse whole), or when an import
    is to be pruned after that statement."""
    lines = piece_lines(source)
    if lines is None:
        return None
    used: set[str] = set()
    header: list[ast.stmt] = []  # imports and `if` blocks, in module line numbers
    body_start: int | None = None
    results: list[T] = []
    for begin, end in pieces(lines, size):
        # the collector paused until the tree is gone: it would only walk its nodes
        with paused_gc():
            try:
                tree = parse("".join(lines[begin:end]))
            except SyntaxError:
                return None
            used |= _used_names(tree)
            for node in tree.body:
                if isinstance(node, (ast.Import, ast.ImportFrom, ast.If)):
                    header.append(ast.increment_lineno(node, begin) if begin else node)
            if body_start is None:
                start = _body_start(tree.body)
                body_start = None if start is None else start + begin
            results.append(visit(tree.body, begin))
            del tree
    text, lost = _prune(source, header, body_start, used)
    if text is not source and any(
        (stmt.lineno - 1 >= (body_start if body_start is not None else len(lines)))
        for node in header
        for stmt in (node.body if isinstance(node, ast.If) else [node])
        if isinstance(stmt, (ast.Import, ast.ImportFrom))
    ):
        return None
    return text, results, lost
